"""Results ▸ Model check: each past scoring run's predicted orders, revenue and churn set
beside what its customers then did (services.accuracy, the same figures as ``report
accuracy``). Tiles for the latest checkable run (its churn AUC against the recency
baseline, the orders and revenue bias, the Brier score), two line charts of the AUC and
the orders bias over the runs when there is more than one, so that a drift shows, and a
table with one row a run; a click on a row opens that run's customers. Runs whose horizon
has not passed are listed with the day they will be checkable; with none checkable yet
the section says so in words, and when the first will be."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from services.accuracy.records import DEFINITIONS, AccuracyReport, RunCheck
from services.accuracy.wording import (
    cutoff_words,
    empty_words,
    headline,
    money,
    pending_words,
    ratio,
    short_verdict,
    signed,
    verdict,
)
from views.charts.answer_charts import AnswerLineChart
from views.item_models.customer_filters import CustomerFilter
from views.item_models.work_list_model import WorkColumn, WorkListModel
from views.kit.accessibility import name
from views.kit.lists import PeopleTableView
from views.kit.theme import Theme
from views.kit.tiles import KpiTile
from views.results.breakdown_table import set_up_breakdown_table
from views.results.section_base import ResultsSection

if TYPE_CHECKING:
    from views.kit.jobs import JobRunner, TaskState
    from views.results.source import ResultsSource

NO_WORKSPACE = "Open a workspace to check its past scoring runs against what followed."
TILES = (
    ("auc", "Churn AUC (baseline)"),
    ("orders_bias", "Orders bias"),
    ("revenue_bias", "Revenue bias"),
    ("brier", "Brier score"),
)


def accuracy_columns(report: AccuracyReport | None) -> list[WorkColumn]:
    """The table's columns (money in the report's currency)."""

    def tone(run: RunCheck) -> str | None:
        return "warning" if False in (run.beats_churn_baseline, run.beats_orders_baseline) else None

    def cash(cents: int) -> str:
        return money(report, cents) if report is not None else ""

    def figure(header: str, text: object) -> WorkColumn:
        return WorkColumn(header, text, tooltip=verdict, tone=tone)  # type: ignore[arg-type]

    return [
        figure("Run, as of", lambda r: f"{r.run_id}, {r.as_of.isoformat()}"),
        figure("Days", lambda r: str(r.horizon_days)),
        figure("Customers", lambda r: f"{r.scored:,}"),
        figure(
            "Orders predicted / actual",
            lambda r: f"{r.predicted_orders:,.0f} / {r.actual_orders:,}",
        ),  # fmt: skip
        figure("Orders bias", lambda r: signed(r.orders_bias)),
        figure(
            "Orders MAE (baseline)",
            lambda r: f"{ratio(r.orders_mae)} ({ratio(r.baseline_orders_mae)})",
        ),  # fmt: skip
        figure(
            "Revenue predicted / actual",
            lambda r: f"{cash(r.predicted_cents)} / {cash(r.actual_cents)}",
        ),  # fmt: skip
        figure("Revenue bias", lambda r: signed(r.revenue_bias)),
        figure("AUC (baseline)", lambda r: f"{ratio(r.auc)} ({ratio(r.baseline_auc)})"),
        figure("Brier", lambda r: ratio(r.brier, 3)),
        figure("Baseline", short_verdict),
    ]


class AccuracySection(ResultsSection):
    """Every past scoring run against what its customers did next (not the Results
    period's: a run is checked over its own horizon)."""

    TITLE = "Model check"

    def __init__(self, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(jobs, parent)
        self.report: AccuracyReport | None = None
        self._build()

    def _build(self) -> None:
        scroll = name(QScrollArea(self), self.TITLE)  # what a screen reader says
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content = QWidget(scroll)
        content.setObjectName("dashboardContent")
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        layout = QVBoxLayout(content)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(8)
        self.headline_label = self._label("resultsHeadline", NO_WORKSPACE, content)
        self.subtitle_label = self._label("kpiNote", "", content)
        layout.addWidget(self.headline_label)
        layout.addWidget(self.subtitle_label)
        self.tiles_row = QWidget(content)
        self.tiles_row.setLayout(self._build_tiles(self.tiles_row))
        layout.addWidget(self.tiles_row)
        self.charts_row = QWidget(content)
        charts = QHBoxLayout(self.charts_row)
        charts.setContentsMargins(0, 0, 0, 0)
        self.auc_chart = AnswerLineChart(self.charts_row)
        self.bias_chart = AnswerLineChart(self.charts_row)
        for chart in (self.auc_chart, self.bias_chart):
            chart.setMinimumHeight(200)
            charts.addWidget(chart, 1)
        layout.addWidget(self.charts_row)
        layout.addWidget(self._build_table(content))
        self.pending_label = self._label("kpiNote", "", content)
        layout.addWidget(self.pending_label)
        self.definitions_label = self._label("kpiNote", "<br>".join(
            f"<b>{term}</b>: {words}" for term, words in DEFINITIONS), content)  # fmt: skip
        layout.addWidget(self.definitions_label)
        layout.addStretch(1)

    @staticmethod
    def _label(kind: str, text: str, parent: QWidget) -> QLabel:
        label = QLabel(text, parent)
        label.setObjectName(kind)
        label.setWordWrap(True)
        return label

    def _build_tiles(self, content: QWidget) -> QHBoxLayout:
        self.tiles: dict[str, KpiTile] = {}
        tiles = QHBoxLayout()
        tiles.setContentsMargins(0, 0, 0, 0)
        tiles.setSpacing(8)
        for key, caption in TILES:
            tile = KpiTile(caption, content)
            tile.set_clickable(True)
            tile.clicked.connect(lambda: self._open(self.report.latest if self.report else None))
            self.tiles[key] = tile
            tiles.addWidget(tile, 1)
        return tiles

    def _build_table(self, content: QWidget) -> QFrame:
        self.table_card = QFrame(content)
        self.table_card.setObjectName("card")
        column = QVBoxLayout(self.table_card)
        column.setContentsMargins(6, 6, 6, 6)
        title = QLabel("Scoring runs against what followed", self.table_card)
        title.setObjectName("sectionTitle")
        self.model = WorkListModel(accuracy_columns(None), self)
        self.table = name(PeopleTableView(self.table_card), "Scoring runs checked")
        self.table.setModel(self.model)
        set_up_breakdown_table(self.table)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setToolTip("Click a run for its customers")
        self.table.clicked.connect(self._on_table_clicked)
        self._fit_table(0)
        column.addWidget(title)
        column.addWidget(self.table)
        return self.table_card

    def _fit_table(self, rows: int) -> None:
        """As tall as its rows (the page scrolls, never the table)."""
        row = self.table.verticalHeader().defaultSectionSize()
        top = self.table.horizontalHeader().sizeHint().height()
        self.table.setFixedHeight(top + row * max(rows, 1) + 4)

    # -- reading ----------------------------------------------------------------------------

    def set_source(self, source: ResultsSource | None) -> None:
        super().set_source(source)
        self.report = None
        if source is None:
            self.headline_label.setText(NO_WORKSPACE)

    def reload(self, since: dt.date | None, until: dt.date | None) -> None:
        """Check every past scoring run (the Results period does not apply: each run is
        checked over its own horizon)."""
        source = self._source
        if source is None:
            return
        self.subtitle_label.setText("Updating…")

        def task(_state: TaskState) -> AccuracyReport:
            return source.load_accuracy()

        (
            self._jobs.operation(task, parent=self, key=("results.accuracy", id(self)))
            .success(self.show_report)
            .failure(self._jobs.present_error)
            .run()
        )

    # -- showing ----------------------------------------------------------------------------

    def show_report(self, report: AccuracyReport) -> None:
        """Show a model check's figures."""
        self.report = report
        empty = empty_words(report) is not None
        self.headline_label.setText(headline(report))
        click = "" if empty else " Click a run or a tile for its customers."
        self.subtitle_label.setText(f"{cutoff_words(report)} In {report.currency}.{click}")
        self.tiles_row.setVisible(not empty)
        self.table_card.setVisible(not empty)
        self.charts_row.setVisible(len(report.runs) > 1)
        if report.latest is not None:
            self._set_tiles(report, report.latest)
        if len(report.runs) > 1:
            self._set_charts(report)
        self.model.set_columns(accuracy_columns(report))
        self.model.set_rows(report.runs)
        self._fit_table(len(report.runs))
        notes = pending_words(report)
        if notes:
            notes.insert(0, "<b>Not yet checkable</b>:")
        if report.money_note:
            notes.append(report.money_note)
        self.pending_label.setText("<br>".join(notes))
        self.pending_label.setVisible(bool(notes))

    def _set_tiles(self, report: AccuracyReport, run: RunCheck) -> None:
        beats = run.beats_churn_baseline
        self.tiles["auc"].set(f"{ratio(run.auc)} ({ratio(run.baseline_auc)})",
                              "beats recency" if beats else "does not beat recency"
                              if beats is False else "cannot be judged",
                              "" if beats else "warning")  # fmt: skip
        self.tiles["orders_bias"].set(
            signed(run.orders_bias),
            f"{run.predicted_orders:,.0f} predicted, {run.actual_orders:,} placed",
        )
        self.tiles["revenue_bias"].set(
            signed(run.revenue_bias),
            f"{money(report, run.predicted_cents)} against {money(report, run.actual_cents)}",
        )
        churned = "" if run.churn_rate is None else f"{run.churn_rate:.0%} churned"
        self.tiles["brier"].set(ratio(run.brier, 3), churned)

    def _set_charts(self, report: AccuracyReport) -> None:
        days = [r.as_of.isoformat() for r in report.runs]
        self.auc_chart.set_series(
            "Churn AUC by run (as-of date)", days,
            [r.auc if r.auc is not None else float("nan") for r in report.runs],
            lambda v: f"{v:.2f}",
        )  # fmt: skip
        self.bias_chart.set_series(
            "Orders bias by run (as-of date)", days,
            [r.orders_bias if r.orders_bias is not None else float("nan") for r in report.runs],
            lambda v: f"{v:+.0%}",
        )  # fmt: skip

    # -- opening customers ------------------------------------------------------------------

    def _open(self, run: RunCheck | None) -> None:
        if run is None:
            return
        ids = frozenset(c.customer_id for c in run.customers)
        self.customers_requested.emit(
            CustomerFilter(
                customer_ids=ids,
                title=f"Customers of scoring run {run.run_id} as of {run.as_of:%b} "
                f"{run.as_of.day}, {run.as_of.year} ({len(ids):,})",
            )
        )

    def _on_table_clicked(self, index: QModelIndex) -> None:
        self._open(self.model.record(index.row()))

    def set_theme(self, theme: Theme) -> None:
        """Recolour the table and the charts."""
        super().set_theme(theme)
        self.model.set_theme(theme)
        for chart in (self.auc_chart, self.bias_chart):
            chart.set_theme(theme)
