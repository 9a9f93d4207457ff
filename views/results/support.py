"""Results ▸ Support: the help desk's tickets over the Results period (services.support,
the same figures as ``report support``). Tiles for the whole period; tables of the tickets
per month by channel or priority, the time to resolution by type, satisfaction by agent
or type, and the customers who came back within 7 days. A row opens its tickets
(views/results/support_tickets.py), and a ticket its customer. A satisfaction of fewer
than 10 rated tickets is muted and says why; a workspace with no tickets says which
exports bring them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from services.support.records import (
    DEFINITIONS,
    REPEAT_DAYS,
    SMALL_RATED,
    SupportGroup,
    SupportReport,
)
from services.support.wording import (
    duration,
    empty_words,
    headline,
    period_words,
    rate,
    section_note,
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
from views.results.section_base import ResultsSection
from views.results.support_tickets import SupportTicketsDialog

if TYPE_CHECKING:
    from views.kit.jobs import JobRunner, TaskState
    from views.results.source import ResultsSource

NO_WORKSPACE = "Open a workspace to see its help desk's tickets."
SMALL_TIP = f"Fewer than {SMALL_RATED} rated tickets: a share of so few says little."
ROW_TIP = "Click a row for its tickets"
# The tables: (key, title, the sections its combo picks between, or one).
TABLES: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    ("volume", "Tickets per month", (("channel", "By channel"), ("priority", "By priority"))),
    ("resolution", "Time to resolution by type", (("resolution", ""),)),
    ("satisfaction", "Satisfaction", (("agent", "By agent"), ("satisfaction", "By type"))),
    ("repeat", f"Came back within {REPEAT_DAYS} days, by type", (("repeat", ""),)),
)
TILES = (
    ("tickets", "Tickets"),
    ("resolution", "Median time to resolution"),
    ("satisfaction", "Rated good"),
    ("repeat", "Came back"),
)


def _column(header: str, text: Callable[[SupportGroup], str]) -> WorkColumn:
    def tone(g: SupportGroup) -> str | None:
        return "muted" if g.small else None

    def tip(g: SupportGroup) -> str:
        return SMALL_TIP if g.small else f"{g.label}: {ROW_TIP.lower()}"

    return WorkColumn(header, text, tooltip=tip, tone=tone)


def _month_count(n: int) -> Callable[[SupportGroup], str]:
    return lambda g: f"{g.months[n]:,}"


def support_columns(report: SupportReport | None, section: str) -> list[WorkColumn]:
    """The columns of one section's table."""
    first = _column("", lambda g: g.label + (" *" if g.small else ""))
    if section in ("channel", "priority"):
        labels = report.month_labels if report is not None else ()
        months = [
            _column(f"{label[:3]} {label[-2:]}", _month_count(n)) for n, label in enumerate(labels)
        ]
        return [first, *months, _column("Total", lambda g: f"{g.count:,}")]
    if section == "resolution":
        return [
            first,
            _column("Tickets", lambda g: f"{g.count:,}"),
            _column("Resolved", lambda g: f"{g.resolved:,}"),
            _column("Median", lambda g: duration(g.median_hours)),
            _column("90th percentile", lambda g: duration(g.p90_hours)),
            _column("Open", lambda g: f"{g.open:,}"),
            _column("No time recorded", lambda g: f"{g.untimed:,}"),
        ]
    if section in ("agent", "satisfaction"):
        return [
            first,
            _column("Tickets", lambda g: f"{g.count:,}"),
            _column("Rated", lambda g: f"{g.rated:,}"),
            _column("Good", lambda g: f"{g.good:,}"),
            _column("Rated good", lambda g: rate(g.share_good)),
        ]
    return [
        first,
        _column("Customers", lambda g: f"{len(g.customers):,}"),
        _column("Came back", lambda g: f"{len(g.returned):,}"),
        _column("Share", lambda g: rate(g.repeat_share)),
        _column("Tickets they came back with", lambda g: f"{len(g.repeat_ids):,}"),
    ]


class _Table:
    """One card: its title, the choice of section (when it has two), table and note."""

    def __init__(self, owner: SupportSection, key: str, title: str,
                 choices: tuple[tuple[str, str], ...], parent: QWidget) -> None:  # fmt: skip
        self.card = QFrame(parent)
        self.card.setObjectName("card")
        column = QVBoxLayout(self.card)
        column.setContentsMargins(6, 6, 6, 6)
        head = QHBoxLayout()
        self.title = QLabel(title, self.card)
        self.title.setObjectName("sectionTitle")
        head.addWidget(self.title)
        head.addStretch(1)
        self.combo: ComboBox | None = None
        if len(choices) > 1:
            self.combo = name(ComboBox(self.card), f"{title}: by")
            for section, words in choices:
                self.combo.addItem(words, section)
            self.combo.currentIndexChanged.connect(lambda _i: owner.show_tables())
            head.addWidget(self.combo)
        column.addLayout(head)
        self.default = choices[0][0]
        self.model = WorkListModel(support_columns(None, self.default), owner)
        self.table = name(PeopleTableView(self.card), title)
        self.table.setModel(self.model)
        set_up_breakdown_table(self.table)
        self.table.setToolTip(ROW_TIP)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.clicked.connect(lambda index: owner.open_tickets(self.model.record(index.row())))
        column.addWidget(self.table)
        self.note = QLabel("", self.card)
        self.note.setObjectName("kpiNote")
        self.note.setWordWrap(True)
        column.addWidget(self.note)

    @property
    def section(self) -> str:
        return str(self.combo.currentData()) if self.combo is not None else self.default

    def show(self, report: SupportReport) -> None:
        section = self.section
        rows = [report.total(section), *report.section(section)]
        self.model.set_columns(support_columns(report, section))
        self.model.set_rows(rows)
        line = self.table.verticalHeader().defaultSectionSize()
        top = self.table.horizontalHeader().sizeHint().height()
        self.table.setFixedHeight(top + line * len(rows) + 4)  # the page scrolls, not it
        small = small_words(tuple(rows)) if section in ("agent", "satisfaction") else None
        notes = (section_note(report, section), small)
        text = " ".join(n for n in notes if n)
        self.note.setText(text)
        self.note.setVisible(bool(text))


class SupportSection(ResultsSection):
    """The help desk's tickets over the Results period (the last 12 months to today when
    none is set)."""

    TITLE = "Support"

    def __init__(self, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(jobs, parent)
        self.report: SupportReport | None = None
        self.tickets_dialog: SupportTicketsDialog | None = None
        self._build()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(8)
        self.headline_label = QLabel(NO_WORKSPACE, self)
        self.headline_label.setObjectName("resultsHeadline")
        self.headline_label.setWordWrap(True)
        self.subtitle_label = QLabel("", self)
        self.subtitle_label.setObjectName("kpiNote")
        self.subtitle_label.setWordWrap(True)
        layout.addWidget(self.headline_label)
        layout.addWidget(self.subtitle_label)
        self.tiles_row = QWidget(self)
        tiles = QHBoxLayout(self.tiles_row)
        tiles.setContentsMargins(0, 0, 0, 0)
        tiles.setSpacing(8)
        self.tiles: dict[str, KpiTile] = {}
        for key, caption in TILES:
            tile = KpiTile(caption, self.tiles_row)
            tile.set_clickable(True)
            tile.clicked.connect(lambda: self.open_tickets(self._overall()))
            self.tiles[key] = tile
            tiles.addWidget(tile, 1)
        layout.addWidget(self.tiles_row)
        self.tables = {key: _Table(self, key, title, choices, self)
                       for key, title, choices in TABLES}  # fmt: skip
        for table in self.tables.values():
            layout.addWidget(table.card)
        terms = "<br>".join(f"<b>{term}</b>: {words}" for term, words in DEFINITIONS)
        self.definitions_label = QLabel(terms, self)
        self.definitions_label.setObjectName("kpiNote")
        self.definitions_label.setWordWrap(True)
        layout.addWidget(self.definitions_label)
        layout.addStretch(1)

    # -- reading ----------------------------------------------------------------------------

    def set_source(self, source: ResultsSource | None) -> None:
        super().set_source(source)
        self.report = None
        if source is None:
            self.headline_label.setText(NO_WORKSPACE)

    def reload(self, since: dt.date | None, until: dt.date | None) -> None:
        """Read the tickets of the period."""
        source = self._source
        if source is None:
            return
        self.subtitle_label.setText("Updating…")

        def task(_state: TaskState) -> SupportReport:
            return source.load_support(since, until)

        (
            self._jobs.operation(task, parent=self, key=("results.support", id(self)))
            .success(self.show_report)
            .failure(self._jobs.present_error)
            .run()
        )

    # -- showing ----------------------------------------------------------------------------

    def show_report(self, report: SupportReport) -> None:
        """Show a support report's figures."""
        self.report = report
        empty = empty_words(report) is not None
        self.headline_label.setText(headline(report))
        click = "" if empty else " Click a row or a tile for its tickets."
        self.subtitle_label.setText(f"{period_words(report)}.{click}")
        self.tiles_row.setVisible(not empty)
        for table in self.tables.values():
            table.card.setVisible(not empty)
        if not empty:
            self._set_tiles(report)
            self.show_tables()

    def _set_tiles(self, report: SupportReport) -> None:
        whole = report.overall
        self.tiles["tickets"].set(f"{whole.count:,}", f"{whole.open:,} still open")
        if whole.timed:
            self.tiles["resolution"].set(duration(whole.median_hours),
                                         f"9 in 10 within {duration(whole.p90_hours)}")  # fmt: skip
        else:
            self.tiles["resolution"].set("–", "no resolution times recorded")
        tone = "warning" if whole.rated and whole.rated < SMALL_RATED else ""
        self.tiles["satisfaction"].set(rate(whole.share_good), f"of {whole.rated:,} rated", tone)
        self.tiles["repeat"].set(
            f"{len(whole.returned):,}",
            f"{rate(whole.repeat_share)} of {len(whole.customers):,} customers, "
            f"within {REPEAT_DAYS} days",
        )

    def show_tables(self) -> None:
        """Fill every table from the report (a combo changed, or a new report)."""
        if self.report is None:
            return
        for table in self.tables.values():
            table.show(self.report)

    # -- opening tickets and customers ------------------------------------------------------

    def _overall(self) -> SupportGroup | None:
        return self.report.overall if self.report is not None else None

    def open_tickets(self, group: SupportGroup | None) -> None:
        """The tickets of a row in a window of their own."""
        if group is None or self.report is None:
            return
        dialog = SupportTicketsDialog(self.report, group, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.customer_requested.connect(self._open_customer)
        self.tickets_dialog = dialog
        dialog.destroyed.connect(lambda: setattr(self, "tickets_dialog", None))
        dialog.open()

    def _open_customer(self, customer_id: int) -> None:
        names = self.report.names if self.report is not None else {}
        self.customers_requested.emit(
            CustomerFilter(
                customer_ids=frozenset({customer_id}),
                title=f"{names.get(customer_id) or 'The customer'}, from their support tickets",
            )
        )

    def set_theme(self, theme: Theme) -> None:
        """Recolour the tables."""
        super().set_theme(theme)
        for table in self.tables.values():
            table.model.set_theme(theme)
