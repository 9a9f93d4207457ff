"""Results ▸ Segments: which segments grow or shrink over the scoring runs (customers,
predicted revenue, value or mean churn risk per segment, as a chart with the
settings-change marks), each segment's trend from the first run to the last, and the
migration matrix between two runs the user picks, each cell opening its customers.

The figures are services.learn.segments_over_time's, read through the Results source on
the job runner (SQL aggregates: quick on the largest workspaces)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from services.core.clv_words import value_label
from services.core.money import format_money
from services.learn.segments_records import (
    MigrationCell,
    MigrationMatrix,
    RunInfo,
    SegmentsOverTime,
)
from views.charts.segments_chart import SegmentsChart
from views.item_models.customer_filters import CustomerFilter
from views.item_models.segment_matrix_model import SegmentMatrixModel
from views.item_models.work_list_model import WorkColumn, WorkListModel
from views.kit.accessibility import name
from views.kit.combo import ComboBox
from views.kit.lists import PeopleTableView
from views.kit.theme import Theme
from views.results.breakdown_table import set_up_breakdown_table
from views.results.section_base import ResultsSection

if TYPE_CHECKING:
    from views.kit.jobs import JobRunner, TaskState

EMPTY_TEXT = "Not scored yet. Segments over time show once the customers are scored."
ONE_RUN_TEXT = "Scored once so far: the segments' changes show from the next scoring."
# (key, label; {value} is the value's name) of the figures the chart can show.
FIGURES = (
    ("customers", "Customers"),
    ("predicted_revenue_cents", "Predicted revenue"),
    ("value_cents", "{value}"),
    ("mean_churn_risk", "Mean churn risk"),
    ("mean_value_cents", "Mean {value}"),
)
# A trend row: (segment, figures of the first run, of the last run), each a dict.
Trend = tuple[str, dict[str, Any], dict[str, Any]]


def _risk(value: Any) -> str:
    return "–" if value is None else f"{float(value):.0%}"


def _change(first: Any, last: Any) -> str:
    if not first:
        return "new" if last else "–"
    change = (float(last or 0) - float(first)) / float(first)
    return f"{change:+.0%}"


class SegmentsSection(ResultsSection):
    """The segments over the scoring runs: chart, trends and migration matrix."""

    TITLE = "Segments"

    def __init__(self, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(jobs, parent)
        self.report: SegmentsOverTime | None = None
        self.matrix: MigrationMatrix | None = None
        self._build()

    # -- construction ---------------------------------------------------------------------

    def _build(self) -> None:
        scroll = name(QScrollArea(self), self.TITLE)  # what a screen reader says
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content = QWidget(scroll)
        content.setObjectName("dashboardContent")
        self.title = QLabel("Segments over time", content)
        self.title.setObjectName("sectionTitle")
        self.status_label = QLabel(EMPTY_TEXT, content)
        self.status_label.setObjectName("kpiNote")
        self.status_label.setWordWrap(True)
        self.figure_combo = ComboBox(content)
        self.figure_combo.currentIndexChanged.connect(self._show_chart)
        show_label = QLabel("Show", content)
        show_label.setBuddy(self.figure_combo)
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addWidget(self.status_label, 1)
        head.addWidget(show_label)
        head.addWidget(self.figure_combo)
        self.chart = SegmentsChart(content)
        self.chart.setMinimumHeight(250)
        self.trends_model = WorkListModel(self._trend_columns("Value"), content)
        self.trends_table = name(PeopleTableView(content), "Segments' trends")
        self.trends_table.setModel(self.trends_model)
        set_up_breakdown_table(self.trends_table)
        self.trends_table.setToolTip("Click a segment for its customers in the latest scoring")
        self.trends_table.clicked.connect(self._on_trend_clicked)
        middle = QHBoxLayout()
        middle.addWidget(self.chart, 5)
        middle.addWidget(self.trends_table, 4)
        self._build_migration(content)
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(head)
        layout.addLayout(middle)
        layout.addSpacing(4)
        layout.addLayout(self._migration_head)
        layout.addWidget(self.matrix_table, 1)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self._fit_tables()

    def _build_migration(self, content: QWidget) -> None:
        self.migration_title = QLabel("Moved between segments", content)
        self.migration_title.setObjectName("sectionTitle")
        self.earlier_combo = ComboBox(content)
        self.later_combo = ComboBox(content)
        for combo in (self.earlier_combo, self.later_combo):
            combo.currentIndexChanged.connect(self._on_runs_picked)
        self.migration_label = QLabel("", content)
        self.migration_label.setObjectName("kpiNote")
        self.migration_label.setWordWrap(True)
        head = QHBoxLayout()
        head.addWidget(self.migration_title)
        head.addWidget(self.migration_label, 1)
        for text, combo in (("From", self.earlier_combo), ("to", self.later_combo)):
            label = QLabel(text, content)
            label.setBuddy(combo)
            head.addWidget(label)
            head.addWidget(combo)
        self._migration_head = head
        self.matrix_model = SegmentMatrixModel(content)
        self.matrix_table = name(QTableView(content), "Segment migration")
        self.matrix_table.setModel(self.matrix_model)
        self.matrix_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.matrix_table.setCursor(Qt.CursorShape.PointingHandCursor)
        self.matrix_table.setToolTip(
            "Rows: the segment in the earlier scoring; columns: in the later one. "
            "Customers · their predicted revenue now. Click a cell for its customers."
        )
        self.matrix_table.setWordWrap(True)
        header = self.matrix_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(64)
        self.matrix_table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.matrix_table.clicked.connect(self._on_cell_clicked)

    def _trend_columns(self, value: str) -> tuple[WorkColumn, ...]:
        def money(cents: Any) -> str:
            currency = self.report.runs[-1].currency if self.report and self.report.runs else None
            return "–" if cents is None else format_money(cents, currency, compact=True)

        return (
            WorkColumn("Segment", lambda t: t[0], tooltip=lambda t: t[0]),
            WorkColumn("Customers", lambda t: f"{t[1]['customers']:,} → {t[2]['customers']:,}",
                       tooltip=lambda t: "In the first scoring → in the latest"),
            WorkColumn("Change", lambda t: _change(t[1]["customers"], t[2]["customers"])),
            WorkColumn("Mean churn risk",
                       lambda t: f"{_risk(t[1]['mean_churn_risk'])} → "
                                 f"{_risk(t[2]['mean_churn_risk'])}"),
            WorkColumn(f"Mean {value}",
                       lambda t: f"{money(t[1]['mean_value_cents'])} → "
                                 f"{money(t[2]['mean_value_cents'])}"),
        )  # fmt: skip

    def _fit_tables(self) -> None:
        rows = self.trends_model.rowCount()
        row = self.trends_table.verticalHeader().defaultSectionSize()
        top = self.trends_table.horizontalHeader().sizeHint().height()
        self.trends_table.setMinimumHeight(min(top + row * max(rows, 1) + 4, 320))
        cells = self.matrix_model.rowCount()
        height = self.trends_table.fontMetrics().height() + 10
        self.matrix_table.verticalHeader().setDefaultSectionSize(height)
        top = self.matrix_table.horizontalHeader().sizeHint().height()
        self.matrix_table.setMinimumHeight(top + height * max(cells, 1) + 6)

    # -- reading --------------------------------------------------------------------------

    def reload(self, since: dt.date | None, until: dt.date | None) -> None:
        """Read the segments of every scoring run (the Results period does not apply:
        a run is a date of its own)."""
        source = self._source
        if source is None:
            return

        def task(_state: TaskState) -> SegmentsOverTime:
            return source.load_segments()

        (
            self._jobs.operation(task, parent=self, key=("results.segments", id(self)))
            .success(self.show_report)
            .failure(self._jobs.present_error)
            .run()
        )

    def show_report(self, report: SegmentsOverTime) -> None:
        """Show these figures (and read the migration between the last two runs)."""
        self.report = report
        runs = report.runs
        latest = runs[-1] if runs else None
        value = value_label(latest.clv_months if latest else None)
        self.trends_model.set_columns(self._trend_columns(value))
        self._fill_figure_combo(value)
        self.status_label.setText(self._status(report))
        self.trends_model.set_rows(self._trends(report))
        self._fill_run_combos(runs)
        self._show_chart()
        self._fit_tables()
        self._on_runs_picked()

    def _status(self, report: SegmentsOverTime) -> str:
        runs = report.runs
        if not runs:
            return EMPTY_TEXT
        if len(runs) == 1:
            return ONE_RUN_TEXT
        months = sorted({r.clv_months for r in runs})
        varies = (
            f" The value's horizon changed between runs ({', '.join(map(str, months))} months)."
            if len(months) > 1
            else ""
        )
        return (
            f"{len(runs):,} scorings, {runs[0].as_of:%b %-d, %Y} to {runs[-1].as_of:%b %-d, %Y}."
            + varies
        )

    def _fill_figure_combo(self, value: str) -> None:
        combo = self.figure_combo
        key = combo.currentData() or "customers"
        combo.blockSignals(True)
        combo.clear()
        for k, label in FIGURES:
            text = label.format(value=value)
            combo.addItem(text[0].upper() + text[1:], k)
        combo.setCurrentIndex(max(combo.findData(key), 0))
        combo.blockSignals(False)

    def _fill_run_combos(self, runs: tuple[RunInfo, ...]) -> None:
        for combo, default in ((self.earlier_combo, -2), (self.later_combo, -1)):
            kept = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            for run in runs:
                combo.addItem(run.label, run.run_id)
            found = combo.findData(kept) if kept is not None else -1
            if found < 0 and runs:
                found = max(len(runs) + default, 0)
            combo.setCurrentIndex(found)
            combo.blockSignals(False)
        self.earlier_combo.setEnabled(len(runs) > 1)
        self.later_combo.setEnabled(len(runs) > 1)

    @staticmethod
    def _trends(report: SegmentsOverTime) -> list[Trend]:
        if not report.runs:
            return []
        first, last = report.runs[0].run_id, report.runs[-1].run_id
        keys = ("customers", "mean_churn_risk", "mean_value_cents")

        def figures(run_id: int, segment: str) -> dict[str, Any]:
            f = report.figure(run_id, segment)
            if f is None:
                return {"customers": 0, "mean_churn_risk": None, "mean_value_cents": None}
            return {k: getattr(f, k) for k in keys}

        return [(s, figures(first, s), figures(last, s)) for s in report.segments]

    def figure_key(self) -> str:
        """The figure the chart shows."""
        return str(self.figure_combo.currentData() or "customers")

    def _show_chart(self, *_args: object) -> None:
        report = self.report
        if report is None or not report.runs:
            self.chart.set_series((), {}, (), empty_text="Not scored yet")
            return
        key = self.figure_key()
        currency = report.runs[-1].currency
        scale, tick = self._scale(key, currency)
        series = {
            s: [None if v is None else v * scale for v in report.series(s, key)]
            for s in report.segments
        }
        changes = [
            (report.runs[i].as_of, report.runs[i].config_version) for i in report.settings_changes
        ]
        self.chart.set_series(
            [r.as_of for r in report.runs],
            series,
            changes,
            what=self.figure_combo.currentText(),
            tick=tick,
        )

    @staticmethod
    def _scale(key: str, currency: str) -> tuple[float, Callable[[float], str]]:
        if key == "customers":
            return 1.0, lambda v: f"{v:,.0f}"
        if key == "mean_churn_risk":
            return 100.0, lambda v: f"{v:.0f}%"
        return 0.01, lambda v: format_money(v * 100, currency, compact=True)

    # -- the migration --------------------------------------------------------------------

    def _on_runs_picked(self, *_args: object) -> None:
        source = self._source
        earlier, later = self.earlier_combo.currentData(), self.later_combo.currentData()
        if source is None or earlier is None or later is None or earlier == later:
            self.matrix = None
            self.matrix_model.set_matrix(None)
            self.migration_label.setText(
                "Pick two different scorings." if earlier is not None else ""
            )
            self._fit_tables()
            return
        first, second = (earlier, later) if self._order(earlier) < self._order(later) else (
            later, earlier
        )  # fmt: skip

        def task(_state: TaskState) -> MigrationMatrix:
            return source.load_migration(int(first), int(second))

        (
            self._jobs.operation(task, parent=self, key=("results.segments.migration", id(self)))
            .success(self.show_matrix)
            .failure(self._jobs.present_error)
            .run()
        )

    def _order(self, run_id: int) -> int:
        runs = self.report.runs if self.report else ()
        return next((i for i, r in enumerate(runs) if r.run_id == run_id), -1)

    def show_matrix(self, matrix: MigrationMatrix) -> None:
        """Show the migration between two runs."""
        self.matrix = matrix
        self.matrix_model.set_matrix(matrix)
        self.matrix_model.set_theme(self._theme)
        header = self.matrix_table.verticalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.migration_label.setText(
            f"{matrix.stayed:,} stayed in their segment and {matrix.moved:,} moved. Rows: the "
            f"segment on {matrix.earlier.as_of:%b %-d, %Y}; columns: on "
            f"{matrix.later.as_of:%b %-d, %Y}; each cell: customers · their predicted revenue "
            "now."
        )
        self._fit_tables()

    def _on_cell_clicked(self, index: QModelIndex) -> None:
        cell, matrix, source = self.matrix_model.cell(index), self.matrix, self._source
        if cell is None or matrix is None or source is None:
            return
        earlier, later = matrix.earlier.run_id, matrix.later.run_id

        def task(_state: TaskState) -> tuple[int, ...]:
            return source.migration_customers(earlier, later, cell.before, cell.after)

        (
            self._jobs.operation(task, parent=self, key=("results.segments.cell", id(self)))
            .success(lambda ids: self._open_cell(cell, ids))
            .failure(self._jobs.present_error)
            .run()
        )

    def _open_cell(self, cell: MigrationCell, ids: tuple[int, ...]) -> None:
        matrix = self.matrix
        if matrix is None:
            return
        self.customers_requested.emit(
            CustomerFilter(
                customer_ids=frozenset(ids),
                title=f"{cell.before} on {matrix.earlier.as_of:%b %-d} → {cell.after} on "
                f"{matrix.later.as_of:%b %-d, %Y} ({len(ids):,})",
            )
        )

    def _on_trend_clicked(self, index: QModelIndex) -> None:
        row = self.trends_model.record(index.row())
        if row is None or self.report is None or not self.report.runs:
            return
        self.customers_requested.emit(
            CustomerFilter(
                segments=frozenset({row[0]}),
                title=f"{row[0]} in the latest scoring ({row[2]['customers']:,})",
            )
        )

    def set_theme(self, theme: Theme) -> None:
        """Recolour the chart and the tables."""
        super().set_theme(theme)
        self.chart.set_theme(theme)
        self.matrix_model.set_theme(theme)
        self.trends_model.set_theme(theme)
