"""Results ▸ Retention: of the customers active at the start of the period, how many it
kept and how much of their revenue (services.retention, the same figures as ``report
retention``). Tiles for the whole period; a table of the same by month, cohort, segment or
owner; every figure opens the customers behind it. Under them, what keeping and winning
customers cost (views/results/retention_costs.py). The basis (repeat purchases or
subscriptions) and the cohorts' size are picked here, not in Settings. A group of fewer
than 20 customers at the start is muted and says why; a workspace with nothing to count
says so in words."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from services.retention.kpi_records import acquisition_definitions, incentive_definitions
from services.retention.records import (
    BASIS_LABELS,
    BREAKDOWN_LABELS,
    BREAKDOWNS,
    COHORT_SIZES,
    DEFINITIONS,
    SMALL_GROUP,
    RetentionGroup,
    RetentionReport,
)
from services.retention.wording import (
    empty_words,
    headline,
    money,
    period_words,
    rate,
    small_words,
)
from views.item_models.customer_filters import CustomerFilter
from views.item_models.work_list_model import WorkColumn, WorkListModel
from views.kit.accessibility import name
from views.kit.combo import ComboBox
from views.kit.lists import PeopleTableView
from views.kit.theme import Theme
from views.kit.tiles import KpiTile
from views.results.breakdown_table import set_up_breakdown_table
from views.results.retention_costs import RetentionCosts
from views.results.section_base import ResultsSection

if TYPE_CHECKING:
    from views.kit.jobs import JobRunner, TaskState
    from views.results.source import ResultsSource

NO_WORKSPACE = "Open a workspace to see how many customers it keeps."
SMALL_TIP = f"Fewer than {SMALL_GROUP} customers at the start: a rate of so few says little."
# (key, caption, the customers a click opens) of the tiles.
TILES = (
    ("at_start", "Customers at start", "at_start"),
    ("retained", "Retained", "retained"),
    ("churned", "Churned", "churned"),
    ("nrr", "Net revenue retention", "at_start"),
    ("grr", "Gross revenue retention", "at_start"),
)
# The table's columns whose click opens the retained or the churned (others: at start).
OPENS = {2: "retained", 3: "churned", 4: "retained", 5: "churned"}
WHICH_WORDS = {"at_start": "active at the start", "retained": "retained", "churned": "churned"}


def retention_columns(report: RetentionReport | None) -> list[WorkColumn]:
    """The table's columns (money in the report's currency)."""

    def tone(g: RetentionGroup) -> str | None:
        return "muted" if g.small else None

    def tip(g: RetentionGroup) -> str:
        return SMALL_TIP if g.small else g.label

    def cash(cents: int) -> str:
        return money(report, cents) if report is not None else ""

    def figure(header: str, text: object) -> WorkColumn:
        return WorkColumn(header, text, tooltip=tip, tone=tone)  # type: ignore[arg-type]

    return [
        figure("", lambda g: g.label + (" *" if g.small else "")),
        figure("At start", lambda g: f"{g.at_start:,}"),
        figure("Retained", lambda g: f"{g.retained:,}"),
        figure("Churned", lambda g: f"{g.churned:,}"),
        figure("Retention", lambda g: rate(g.retention_rate)),
        figure("Churn", lambda g: rate(g.churn_rate)),
        figure("Revenue before", lambda g: cash(g.revenue_before_cents)),
        figure("Revenue in period", lambda g: cash(g.revenue_now_cents)),
        figure("GRR", lambda g: rate(g.grr)),
        figure("NRR", lambda g: rate(g.nrr)),
    ]


def _definitions(months: int, margin_percent: float = 0.0) -> str:
    """Every measure of the section in words (the value's horizon of the scoring used, the
    margin rate CLV:CAC counts with)."""
    terms = (
        *DEFINITIONS,
        *incentive_definitions(),
        *acquisition_definitions(months, margin_percent),
    )
    return "<br>".join(f"<b>{term}</b>: {words}" for term, words in terms)


class RetentionSection(ResultsSection):
    """Retention of the Results period (the last 12 complete months when none is set).

    Signals:
        settings_requested(str): "Set CAC per channel…" was clicked; the page to open.
    """

    TITLE = "Retention"
    settings_requested = Signal(str)

    def __init__(self, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(jobs, parent)
        self.report: RetentionReport | None = None
        self._period: tuple[dt.date | None, dt.date | None] = (None, None)
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
        layout.addLayout(self._build_head(content))
        layout.addLayout(self._build_choices(content))
        self.tiles_row = QWidget(content)
        self.tiles_row.setLayout(self._build_tiles(self.tiles_row))
        layout.addWidget(self.tiles_row)
        layout.addWidget(self._build_table(content))
        self.notes_label = QLabel("", content)
        self.notes_label.setObjectName("kpiNote")
        self.notes_label.setWordWrap(True)
        layout.addWidget(self.notes_label)
        self.costs = RetentionCosts(content)
        self.costs.customers_requested.connect(self.customers_requested)
        self.costs.settings_requested.connect(self.settings_requested)
        layout.addWidget(self.costs)
        self.definitions_label = QLabel(_definitions(12), content)
        self.definitions_label.setObjectName("kpiNote")
        self.definitions_label.setWordWrap(True)
        layout.addWidget(self.definitions_label)
        layout.addStretch(1)

    def _build_head(self, content: QWidget) -> QVBoxLayout:
        self.headline_label = QLabel(NO_WORKSPACE, content)
        self.headline_label.setObjectName("resultsHeadline")
        self.headline_label.setWordWrap(True)
        self.subtitle_label = QLabel("", content)
        self.subtitle_label.setObjectName("kpiNote")
        self.subtitle_label.setWordWrap(True)
        words = QVBoxLayout()
        words.setSpacing(2)
        words.addWidget(self.headline_label)
        words.addWidget(self.subtitle_label)
        return words

    def _build_choices(self, content: QWidget) -> QHBoxLayout:
        self.basis_combo = ComboBox(content)
        for key, words in BASIS_LABELS.items():
            self.basis_combo.addItem(words, key)
        self.cohort_combo = ComboBox(content)
        for key in COHORT_SIZES:
            self.cohort_combo.addItem(key.capitalize(), key)
        self.cohort_combo.setToolTip(
            "A cohort: the customers whose first purchase (or subscription) fell in the "
            "same quarter or month"
        )
        self.by_combo = ComboBox(content)
        for key in BREAKDOWNS:
            self.by_combo.addItem(BREAKDOWN_LABELS[key], key)
        for combo in (self.basis_combo, self.cohort_combo):
            combo.currentIndexChanged.connect(lambda _i: self.reload(*self._period))
        self.by_combo.currentIndexChanged.connect(lambda _i: self._show_table())
        row = QHBoxLayout()
        for text, combo in (("Basis", self.basis_combo), ("Cohorts by", self.cohort_combo),
                            ("Break down by", self.by_combo)):  # fmt: skip
            label = QLabel(text, content)
            label.setBuddy(combo)
            row.addWidget(label)
            row.addWidget(combo)
            row.addSpacing(12)
        row.addStretch(1)
        return row

    def _build_tiles(self, content: QWidget) -> QHBoxLayout:
        self.tiles: dict[str, KpiTile] = {}
        tiles = QHBoxLayout()
        tiles.setContentsMargins(0, 0, 0, 0)
        tiles.setSpacing(8)
        for key, caption, which in TILES:
            tile = KpiTile(caption, content)
            tile.set_clickable(True)
            tile.clicked.connect(lambda w=which: self._open(self._overall(), w))
            self.tiles[key] = tile
            tiles.addWidget(tile, 1)
        return tiles

    def _build_table(self, content: QWidget) -> QFrame:
        self.table_card = QFrame(content)
        self.table_card.setObjectName("card")
        column = QVBoxLayout(self.table_card)
        column.setContentsMargins(6, 6, 6, 6)
        self.table_title = QLabel("Retention by month", self.table_card)
        self.table_title.setObjectName("sectionTitle")
        self.model = WorkListModel(retention_columns(None), self)
        self.table = name(PeopleTableView(self.table_card), "Retention by breakdown")
        self.table.setModel(self.model)
        set_up_breakdown_table(self.table)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setToolTip("Click a figure for its customers")
        self.table.clicked.connect(self._on_table_clicked)
        self._fit_table(0)
        column.addWidget(self.table_title)
        column.addWidget(self.table)
        return self.table_card

    def _fit_table(self, rows: int) -> None:
        """As tall as its rows (the page scrolls, never the table)."""
        row = self.table.verticalHeader().defaultSectionSize()
        top = self.table.horizontalHeader().sizeHint().height()
        self.table.setFixedHeight(top + row * max(rows, 1) + 4)

    # -- reading ----------------------------------------------------------------------------

    def basis(self) -> str:
        """The basis picked: orders or subscriptions."""
        return str(self.basis_combo.currentData())

    def breakdown(self) -> str:
        """The breakdown picked (one of BREAKDOWNS)."""
        return str(self.by_combo.currentData())

    def set_source(self, source: ResultsSource | None) -> None:
        super().set_source(source)
        self.report = None
        if source is None:
            self.headline_label.setText(NO_WORKSPACE)

    def reload(self, since: dt.date | None, until: dt.date | None) -> None:
        """Read retention for the period, basis and cohort size picked."""
        self._period = (since, until)
        source, basis = self._source, self.basis()
        cohort = str(self.cohort_combo.currentData())
        if source is None:
            return
        self.subtitle_label.setText("Updating…")

        def task(_state: TaskState) -> RetentionReport:
            return source.load_retention(since, until, basis, cohort)

        (
            self._jobs.operation(task, parent=self, key=("results.retention", id(self)))
            .success(self.show_report)
            .failure(self._jobs.present_error)
            .run()
        )

    # -- showing ----------------------------------------------------------------------------

    def show_report(self, report: RetentionReport) -> None:
        """Show a retention report's figures."""
        self.report = report
        empty = empty_words(report) is not None
        self.headline_label.setText(headline(report))
        click = "" if empty else " Click any figure for its customers."
        self.subtitle_label.setText(f"{period_words(report)}, in {report.currency}.{click}")
        self._set_tiles(report, empty)
        self.tiles_row.setVisible(not empty)
        self.table_card.setVisible(not empty)
        self.notes_label.setVisible(not empty)
        self.costs.setVisible(not empty)
        if report.acquisition is not None:
            self.definitions_label.setText(
                _definitions(report.acquisition.value_months, report.acquisition.margin_percent)
            )
        self._show_table()

    def _set_tiles(self, report: RetentionReport, empty: bool) -> None:
        whole = report.overall
        tone = "warning" if whole.small and not empty else ""
        self.tiles["at_start"].set(f"{whole.at_start:,}", f"active on {report.first_day:%b %-d}",
                                   tone)  # fmt: skip
        self.tiles["retained"].set(f"{whole.retained:,}", f"{rate(whole.retention_rate)} kept",
                                   tone)  # fmt: skip
        self.tiles["churned"].set(f"{whole.churned:,}", f"{rate(whole.churn_rate)} churn", tone)
        revenue = f"{money(report, whole.revenue_now_cents)} against "
        revenue += f"{money(report, whole.revenue_before_cents)} before"
        self.tiles["nrr"].set(rate(whole.nrr), revenue if whole.nrr is not None else "no revenue")
        kept = f"{money(report, whole.revenue_kept_cents)} kept, no growth counted"
        self.tiles["grr"].set(rate(whole.grr), kept if whole.grr is not None else "no revenue")

    def _show_table(self) -> None:
        report = self.report
        if report is None:
            return
        by = self.breakdown()
        rows = [report.overall, *report.breakdown(by)]
        self.model.set_columns(retention_columns(report))
        self.model.set_rows(rows)
        self._fit_table(len(rows))
        self.table_title.setText(f"Retention by {BREAKDOWN_LABELS[by].lower()}")
        notes = (
            small_words(tuple(rows)),
            report.segments_note if by == "segment" else None,
            report.revenue_note,
            report.money_note,
        )
        self.notes_label.setText(" ".join(n for n in notes if n))
        self.costs.show_report(report, by)

    # -- opening customers ------------------------------------------------------------------

    def _overall(self) -> RetentionGroup | None:
        return self.report.overall if self.report is not None else None

    def _open(self, group: RetentionGroup | None, which: str) -> None:
        if group is None or self.report is None:
            return
        ids = group.customer_ids(which)
        where = "" if not group.key else f"{group.label}: "
        self.customers_requested.emit(
            CustomerFilter(
                customer_ids=frozenset(ids),
                title=f"{where}customers {WHICH_WORDS[which]} ({len(ids):,})",
            )
        )

    def _on_table_clicked(self, index: QModelIndex) -> None:
        self._open(self.model.record(index.row()), OPENS.get(index.column(), "at_start"))

    def set_theme(self, theme: Theme) -> None:
        """Recolour the table."""
        super().set_theme(theme)
        self.model.set_theme(theme)
        self.costs.set_theme(theme)
