"""Results ▸ Return: what outreach earned against what it cost (services.learn.roi).

Tiles for the ROI with its interval, the incremental revenue (the one figure the Outreach
page shows), the incremental margin (when a margin rate is set), the cost and the offers
redeemed; a table of the same per rule, segment, owner, template or playbook. Every
figure opens its contacted customers (the redeemed offers: the customers who redeemed
them). With no cost of contact set the section says so and "Set the costs…" opens
Settings on the page where they are; money always carries its currency, never a silent 0.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from services.core.formatting import format_date
from services.learn.records import BREAKDOWN_LABELS, Customers, breakdown_note
from services.learn.roi_records import (
    NO_COSTS_WORDS,
    REDEEMED_WORDS,
    ROI_BREAKDOWNS,
    RoiReport,
    RoiRow,
)
from services.learn.roi_wording import (
    amount,
    incremental_note,
    percent,
    return_headline,
    return_is_clear,
    return_verdict,
    roi_figure,
    roi_note,
)
from views.item_models.customer_filters import CustomerFilter
from views.item_models.work_list_model import WorkColumn, WorkListModel
from views.kit.accessibility import name
from views.kit.combo import ComboBox
from views.kit.lists import PeopleTableView
from views.kit.theme import Theme
from views.kit.tiles import KpiTile
from views.results.breakdown_table import set_up_breakdown_table
from views.results.section_base import ResultsSection

if TYPE_CHECKING:
    from views.kit.jobs import JobRunner, TaskState
    from views.results.source import ResultsSource

# The Settings page where the costs are (services/settings/learn.py's group).
COSTS_PAGE = "Measuring outreach"
TILES = (
    ("roi", "Return (ROI)"),
    ("incremental", "Incremental revenue"),
    ("margin", "Incremental margin"),
    ("cost", "Cost"),
    ("redeemed", "Offers redeemed"),
)


def return_columns(report: RoiReport | None) -> list[WorkColumn]:
    """The table's columns: the margin's only when a margin rate is set."""

    def tone(row: RoiRow) -> str | None:
        return None if row.enough else "muted"

    def money(cents: float | None) -> str:
        return amount(report, cents) if report is not None else ""

    margin = report is not None and report.uses_margin
    return [
        WorkColumn("", lambda r: r.label or r.key, tooltip=lambda r: r.label or r.key, tone=tone),
        WorkColumn("Contacted", lambda r: f"{r.contacted.count:,}", tone=tone),
        WorkColumn("Incremental revenue", lambda r: money(r.incremental_cents), tone=tone),
        *([WorkColumn("Margin", lambda r: money(r.margin_cents), tone=tone)] if margin else []),
        WorkColumn("Cost", lambda r: money(r.cost.total_cents), tone=tone),
        WorkColumn(
            "ROI",
            lambda r: roi_figure(report, r) if report is not None else "",
            tooltip=lambda r: r.reason and f"Not enough data yet: {r.reason}",
            tone=tone,
        ),
    ]


class ReturnSection(ResultsSection):
    """The return on outreach, overall and broken down.

    Signals:
        settings_requested(str): "Set the costs…" was clicked; the Settings page to open.
    """

    TITLE = "Return"
    settings_requested = Signal(str)

    def __init__(self, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(jobs, parent)
        self.report: RoiReport | None = None
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
        layout.addWidget(self._build_costs_bar(content))
        layout.addLayout(self._build_tiles(content))
        layout.addWidget(self._build_table(content))
        self.notes_label = QLabel(REDEEMED_WORDS, content)
        self.notes_label.setObjectName("kpiNote")
        self.notes_label.setWordWrap(True)
        layout.addWidget(self.notes_label)
        layout.addStretch(1)

    def _build_head(self, content: QWidget) -> QHBoxLayout:
        self.headline_label = QLabel("Open a workspace to see the return on outreach.", content)
        self.headline_label.setObjectName("resultsHeadline")
        self.headline_label.setWordWrap(True)
        self.subtitle_label = QLabel("", content)
        self.subtitle_label.setObjectName("kpiNote")
        self.subtitle_label.setWordWrap(True)
        words = QVBoxLayout()
        words.setSpacing(2)
        words.addWidget(self.headline_label)
        words.addWidget(self.subtitle_label)
        self.by_combo = ComboBox(content)
        for key in ROI_BREAKDOWNS:
            self.by_combo.addItem(BREAKDOWN_LABELS[key], key)
        self.by_combo.currentIndexChanged.connect(lambda _i: self.reload(*self._period))
        by_label = QLabel("Break down by", content)
        by_label.setBuddy(self.by_combo)
        self.costs_button = QPushButton("Costs…", content)
        self.costs_button.setToolTip("The margin rate and the costs of outreach, in Settings")
        self.costs_button.clicked.connect(self._on_costs_clicked)
        head = QHBoxLayout()
        head.addLayout(words, 1)
        head.addWidget(by_label, 0, Qt.AlignmentFlag.AlignTop)
        head.addWidget(self.by_combo, 0, Qt.AlignmentFlag.AlignTop)
        head.addWidget(self.costs_button, 0, Qt.AlignmentFlag.AlignTop)
        return head

    def _build_costs_bar(self, content: QWidget) -> QFrame:
        self.costs_bar = QFrame(content)
        self.costs_bar.setObjectName("card")
        bar = QHBoxLayout(self.costs_bar)
        bar.setContentsMargins(10, 6, 10, 6)
        self.no_costs_label = QLabel(
            f"{NO_COSTS_WORDS} Until they are set, the return counts redeemed offers only.",
            self.costs_bar,
        )
        self.no_costs_label.setWordWrap(True)
        self.set_costs_button = QPushButton("Set the costs…", self.costs_bar)
        self.set_costs_button.clicked.connect(self._on_costs_clicked)
        bar.addWidget(self.no_costs_label, 1)
        bar.addWidget(self.set_costs_button)
        self.costs_bar.hide()
        return self.costs_bar

    def _build_tiles(self, content: QWidget) -> QHBoxLayout:
        self.tiles: dict[str, KpiTile] = {}
        tiles = QHBoxLayout()
        tiles.setSpacing(8)
        for key, caption in TILES:
            tile = KpiTile(caption, content)
            tile.set_clickable(True)
            tile.clicked.connect(lambda k=key: self._on_tile_clicked(k))
            self.tiles[key] = tile
            tiles.addWidget(tile, 1)
        return tiles

    def _build_table(self, content: QWidget) -> QFrame:
        card = QFrame(content)
        card.setObjectName("card")
        column = QVBoxLayout(card)
        column.setContentsMargins(6, 6, 6, 6)
        self.table_title = QLabel("Return by alert rule", card)
        self.table_title.setObjectName("sectionTitle")
        self.model = WorkListModel(return_columns(None), self)
        self.table = name(PeopleTableView(card), "Return by breakdown")
        self.table.setModel(self.model)
        set_up_breakdown_table(self.table)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._fit_table(0)
        self.table.clicked.connect(self._on_table_clicked)
        column.addWidget(self.table_title)
        column.addWidget(self.table)
        return card

    def _fit_table(self, rows: int) -> None:
        """As tall as its rows (the page scrolls, never the table)."""
        row = self.table.verticalHeader().defaultSectionSize()
        top = self.table.horizontalHeader().sizeHint().height()
        self.table.setFixedHeight(top + row * max(rows, 1) + 4)

    # -- reading ----------------------------------------------------------------------------

    def breakdown(self) -> str:
        """The breakdown picked (one of ROI_BREAKDOWNS)."""
        return str(self.by_combo.currentData())

    def set_source(self, source: ResultsSource | None) -> None:
        super().set_source(source)
        self.report = None
        if source is None:
            self.headline_label.setText("Open a workspace to see the return on outreach.")

    def reload(self, since: dt.date | None, until: dt.date | None) -> None:
        """Read the return for the period and the breakdown picked."""
        self._period = (since, until)
        source, by = self._source, self.breakdown()
        if source is None:
            return
        self.subtitle_label.setText("Updating…")

        def task(_state: TaskState) -> RoiReport:
            return source.load_return(since, until, by)

        (
            self._jobs.operation(task, parent=self, key=("results.return", id(self)))
            .success(self.show_report)
            .failure(self._jobs.present_error)
            .run()
        )

    # -- showing ----------------------------------------------------------------------------

    def show_report(self, report: RoiReport) -> None:
        """Show a return's figures."""
        self.report = report
        row = report.overall
        self.headline_label.setText(return_verdict(report))
        self.subtitle_label.setText(self._subtitle(report))
        note = breakdown_note(report.by)
        self.notes_label.setText(
            " ".join(p for p in (return_headline(report), REDEEMED_WORDS, note) if p)
        )
        self.costs_bar.setVisible(not report.costs.contact_costs_set)
        self._set_tiles(report, row)
        self.model.set_columns(return_columns(report))
        self.model.set_rows(list(report.breakdown))
        self._fit_table(len(report.breakdown))
        self.table_title.setText(f"Return by {BREAKDOWN_LABELS[report.by or 'rule'].lower()}")

    @staticmethod
    def _subtitle(report: RoiReport) -> str:
        period = "all time"
        if report.first_day and report.last_day:
            period = f"{format_date(report.first_day)} to {format_date(report.last_day)}"
        gain = "incremental margin" if report.uses_margin else "incremental revenue"
        return (
            f"{period}, attribution window {report.window_days} days, in {report.currency}. "
            f"ROI = ({gain} - cost) / cost. Click any figure for its contacted customers."
        )

    def _set_tiles(self, report: RoiReport, row: RoiRow) -> None:
        costs = report.costs
        if row.incremental_cents is None:
            self.tiles["roi"].set("—", "Not enough data yet", "warning")
        elif row.roi is None:
            words = "No costs set" if not costs.contact_costs_set else "No cost in the period"
            self.tiles["roi"].set("—", words, "warning")
        else:
            clear = return_is_clear(row)
            note = roi_note(row)
            tone = "" if clear else "warning"
            self.tiles["roi"].set(percent(row.roi), note, tone, short_note=_shorter(note))
        note = incremental_note(report, row)
        self.tiles["incremental"].set(
            amount(report, row.incremental_cents), note, short_note=_shorter(note)
        )
        if row.margin_cents is None:
            self.tiles["margin"].set("—", "No margin rate set", "")
        else:
            self.tiles["margin"].set(
                amount(report, row.margin_cents), f"{costs.margin_percent:g}% of revenue"
            )
        cost = row.cost
        self.tiles["cost"].set(
            amount(report, cost.total_cents),
            f"{cost.emails:,} emails · {cost.calls:,} calls · {cost.meetings:,} meetings",
        )
        self.tiles["redeemed"].set(f"{cost.redeemed.count:,}", amount(report, cost.offers_cents))

    # -- opening customers and settings -----------------------------------------------------

    def _open(self, customers: Customers, title: str) -> None:
        self.customers_requested.emit(
            CustomerFilter(
                customer_ids=frozenset(customers.customer_ids),
                title=f"{title} ({customers.count:,})",
            )
        )

    def _on_tile_clicked(self, key: str) -> None:
        if self.report is None:
            return
        row = self.report.overall
        if key == "redeemed":
            self._open(row.cost.redeemed, "Contacted customers who redeemed an offer")
        else:
            self._open(row.contacted, "Contacted customers counted in the return")

    def _on_table_clicked(self, index: QModelIndex) -> None:
        report, row = self.report, self.model.record(index.row())
        if report is None or row is None or report.by is None:
            return
        label = BREAKDOWN_LABELS[report.by]
        self._open(row.contacted, f"{label} {row.label or row.key}: contacted customers")

    def _on_costs_clicked(self) -> None:
        self.settings_requested.emit(COSTS_PAGE)

    def set_theme(self, theme: Theme) -> None:
        """Recolour the table."""
        super().set_theme(theme)
        self.model.set_theme(theme)


def _shorter(note: str) -> tuple[str, ...]:
    """A tile note's shorter wordings for a narrow tile, its lead words kept first: "No
    clear effect yet: 95% CI -103% to -56%" is then "No clear effect yet: -103% to -56%",
    then "No clear effect yet" (the headline above gives the whole interval)."""
    lead, sep, interval = note.partition(": ")
    if not sep:
        return ()
    bare = interval.split(" CI ", 1)[-1]
    return (f"{lead}: {bare}", lead)
