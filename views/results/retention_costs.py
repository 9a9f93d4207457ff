"""Results ▸ Retention's cost figures, under the retention table (services.retention's
kpis, the same as ``report retention``): what the customers kept cost in redeemed offers
(tiles, and a table by segment or owner), and CAC against lifetime value by acquisition
channel, or by segment when the section breaks down by segment (a table; a channel
without a CAC says so, and "Set CAC per channel…" opens the
Settings page where it is set). Every figure opens the customers behind it."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from services.retention.kpi_records import (
    AcquisitionChannel,
    IncentiveGroup,
    IncentiveReport,
)
from services.retention.kpi_wording import (
    acquisition_headline,
    cac_text,
    cost,
    incentive_headline,
    payback_text,
    ratio_text,
    unset_words,
)
from services.retention.records import RetentionReport
from views.item_models.customer_filters import CustomerFilter
from views.item_models.work_list_model import WorkColumn, WorkListModel
from views.kit.accessibility import name
from views.kit.lists import PeopleTableView
from views.kit.theme import Theme
from views.kit.tiles import KpiTile
from views.results.breakdown_table import set_up_breakdown_table

SETTINGS_PAGE = "Retention"  # the Settings page of the CAC per channel
# (key, caption, the customers a click opens) of the incentive tiles.
TILES = (
    ("redeemers", "Retained who redeemed", "redeemed"),
    ("redeemed", "Offers redeemed", "redeemed"),
    ("per_retained", "Per retained customer", "retained"),
    ("per_contacted", "Per customer emailed an offer", "contacted"),
)
# The incentive table's columns whose click opens the redeemed or the contacted.
OPENS = {2: "redeemed", 3: "redeemed", 5: "contacted", 6: "contacted"}
WHICH_WORDS = {
    "retained": "retained",
    "redeemed": "retained who redeemed an offer",
    "contacted": "retained and contacted with an offer",
}


def _title(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName("sectionTitle")
    return label


def _note(parent: QWidget) -> QLabel:
    label = QLabel("", parent)
    label.setObjectName("kpiNote")
    label.setWordWrap(True)
    return label


def _fit(table: PeopleTableView, rows: int) -> None:
    """As tall as its rows (the page scrolls, never the table)."""
    row = table.verticalHeader().defaultSectionSize()
    top = table.horizontalHeader().sizeHint().height()
    table.setFixedHeight(top + row * max(rows, 1) + 4)


class RetentionCosts(QWidget):
    """The incentive cost per retained customer and CAC against CLV of one report.

    Signals:
        customers_requested(CustomerFilter): a figure was clicked; its customers.
        settings_requested(str): "Set CAC per channel…" was clicked; the page to open.
    """

    customers_requested = Signal(object)
    settings_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report: RetentionReport | None = None
        self._by = "owner"
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 6, 0, 0)
        column.setSpacing(8)
        column.addWidget(_title("Incentive cost per retained customer", self))
        self.incentive_label = _note(self)
        self.incentive_label.setObjectName("")
        column.addWidget(self.incentive_label)
        self.tiles_row = QWidget(self)
        tiles = QHBoxLayout(self.tiles_row)
        tiles.setContentsMargins(0, 0, 0, 0)
        tiles.setSpacing(8)
        self.tiles: dict[str, KpiTile] = {}
        for key, caption, which in TILES:
            tile = KpiTile(caption, self.tiles_row)
            tile.set_clickable(True)
            tile.clicked.connect(lambda w=which: self._open_incentive(self._overall(), w))
            self.tiles[key] = tile
            tiles.addWidget(tile, 1)
        column.addWidget(self.tiles_row)
        column.addWidget(self._build_incentive_table())
        column.addWidget(_title("CAC against CLV by acquisition channel", self))
        self.acquisition_label = _note(self)
        self.acquisition_label.setObjectName("")
        column.addWidget(self.acquisition_label)
        column.addWidget(self._build_channel_table())
        row = QHBoxLayout()
        self.unset_label = _note(self)
        self.cac_button = QPushButton("Set CAC per channel…", self)
        self.cac_button.setToolTip("Settings ▸ Retention: the cost of acquiring a customer")
        self.cac_button.clicked.connect(lambda: self.settings_requested.emit(SETTINGS_PAGE))
        row.addWidget(self.unset_label, 1)
        row.addWidget(self.cac_button, 0, Qt.AlignmentFlag.AlignTop)
        column.addLayout(row)

    def _build_incentive_table(self) -> QFrame:
        self.incentive_card = QFrame(self)
        self.incentive_card.setObjectName("card")
        inner = QVBoxLayout(self.incentive_card)
        inner.setContentsMargins(6, 6, 6, 6)
        self.incentive_title = _title("By owner", self.incentive_card)
        self.incentive_model = WorkListModel(self._incentive_columns(), self)
        self.incentive_table = name(PeopleTableView(self.incentive_card), "Incentive cost")
        self.incentive_table.setModel(self.incentive_model)
        set_up_breakdown_table(self.incentive_table)
        self.incentive_table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.incentive_table.setToolTip("Click a figure for its customers")
        self.incentive_table.clicked.connect(self._on_incentive_clicked)
        inner.addWidget(self.incentive_title)
        inner.addWidget(self.incentive_table)
        return self.incentive_card

    def _build_channel_table(self) -> QFrame:
        self.channel_card = QFrame(self)
        self.channel_card.setObjectName("card")
        inner = QVBoxLayout(self.channel_card)
        inner.setContentsMargins(6, 6, 6, 6)
        self.channel_title = _title("By channel", self.channel_card)
        self.channel_model = WorkListModel(self._channel_columns(), self)
        self.channel_table = name(PeopleTableView(self.channel_card), "CAC against CLV")
        self.channel_table.setModel(self.channel_model)
        set_up_breakdown_table(self.channel_table)
        self.channel_table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.channel_table.setToolTip("Click a row for the customers it acquired")
        self.channel_table.clicked.connect(self._on_channel_clicked)
        inner.addWidget(self.channel_title)
        inner.addWidget(self.channel_table)
        return self.channel_card

    # -- columns ----------------------------------------------------------------------------

    def _currency(self) -> str:
        return self.report.currency if self.report is not None else ""

    def _incentive_columns(self) -> list[WorkColumn]:
        def cents(value: float | None) -> str:
            return cost(self._currency(), value)

        return [
            WorkColumn("", lambda g: g.label),
            WorkColumn("Retained", lambda g: f"{g.retained:,}"),
            WorkColumn("Redeemed", lambda g: f"{g.redeemers:,}"),
            WorkColumn("Offers redeemed", lambda g: cents(g.redeemed_cents)),
            WorkColumn("Per retained", lambda g: cents(g.cost_per_retained_cents)),
            WorkColumn("Contacted with an offer", lambda g: f"{g.contacted:,}"),
            WorkColumn("Per contacted", lambda g: cents(g.cost_per_contacted_cents)),
        ]

    def _channel_columns(self, segments: bool = False) -> list[WorkColumn]:
        def unset(c: AcquisitionChannel) -> str | None:
            return "muted" if c.cac_cents is None else None

        return [
            WorkColumn("Segment" if segments else "Channel", lambda c: c.label),
            WorkColumn("Acquired", lambda c: f"{c.acquired:,}"),
            WorkColumn("CAC", lambda c: cac_text(c, self._currency()), tone=unset),
            WorkColumn("Mean CLV", lambda c: cost(self._currency(), c.mean_clv_cents)),
            WorkColumn("CLV:CAC", ratio_text),
            WorkColumn("Months to recover CAC", payback_text),
        ]

    # -- showing ----------------------------------------------------------------------------

    def show_report(self, report: RetentionReport, by: str) -> None:
        """Show ``report``'s cost figures, the incentive table by segment or owner."""
        self.report = report
        self._by = by if by in ("segment", "owner") else "owner"
        found = report.incentives
        if found is not None:
            self._show_incentives(found)
        acquired = report.acquisition
        if acquired is None:
            return
        self.acquisition_label.setText(acquisition_headline(acquired, report.currency))
        # By segment when the section breaks down by segment, else by channel.
        rows = acquired.breakdown(by)
        self.channel_model.set_rows(rows)
        _fit(self.channel_table, len(rows))
        self.channel_model.set_columns(self._channel_columns(by == "segment"))
        self.channel_title.setText(
            "By segment (of the latest scoring; CAC: the mean of its customers')"
            if by == "segment"
            else "By channel"
        )
        self.channel_card.setVisible(bool(acquired.channels))
        notes = [unset_words(acquired, by), acquired.money_note]
        if not acquired.unset and acquired.channels:
            notes.insert(0, "Every channel has its CAC (Settings ▸ Retention).")
        self.unset_label.setText(" ".join(n for n in notes if n))

    def _show_incentives(self, found: IncentiveReport) -> None:
        assert self.report is not None
        whole, currency = found.overall, self.report.currency
        self.incentive_label.setText(incentive_headline(whole, currency, found.attribution_days))
        self.tiles["redeemers"].set(f"{whole.redeemers:,}", f"of {whole.retained:,} retained")
        self.tiles["redeemed"].set(cost(currency, whole.redeemed_cents), "in offers, in the period")
        self.tiles["per_retained"].set(
            cost(currency, whole.cost_per_retained_cents), "offers / retained customers"
        )
        self.tiles["per_contacted"].set(
            cost(currency, whole.cost_per_contacted_cents),
            f"over {whole.contacted:,} emailed an offer",
        )
        rows = [whole, *found.breakdown(self._by)]
        self.incentive_model.set_rows(rows)
        _fit(self.incentive_table, len(rows))
        self.incentive_title.setText(f"By {self._by}")
        shown = bool(whole.retained)
        self.tiles_row.setVisible(shown)
        self.incentive_card.setVisible(shown)
        notes = [found.money_note] if found.money_note else []
        if notes:
            self.incentive_label.setText(self.incentive_label.text() + " " + notes[0])

    # -- opening customers ------------------------------------------------------------------

    def _overall(self) -> IncentiveGroup | None:
        found = self.report.incentives if self.report is not None else None
        return found.overall if found is not None else None

    def _open_incentive(self, group: IncentiveGroup | None, which: str) -> None:
        if group is None:
            return
        ids = group.customer_ids(which)
        where = "" if not group.key else f"{group.label}: "
        self.customers_requested.emit(
            CustomerFilter(
                customer_ids=frozenset(ids),
                title=f"{where}customers {WHICH_WORDS[which]} ({len(ids):,})",
            )
        )

    def _on_incentive_clicked(self, index: QModelIndex) -> None:
        group = self.incentive_model.record(index.row())
        self._open_incentive(group, OPENS.get(index.column(), "retained"))

    def _on_channel_clicked(self, index: QModelIndex) -> None:
        channel: AcquisitionChannel = self.channel_model.record(index.row())
        ids = channel.customer_ids
        self.customers_requested.emit(
            CustomerFilter(
                customer_ids=frozenset(ids),
                title=f"{channel.label}: customers acquired in the period ({len(ids):,})",
            )
        )

    def set_theme(self, theme: Theme) -> None:
        """Recolour the tables."""
        self.incentive_model.set_theme(theme)
        self.channel_model.set_theme(theme)
