"""Results ▸ Replies: how many of the app's emails got a reply, and how soon
(services.replies, the same figures as ``report replies``). Tiles for the period, a table
of the reply rate with its 95 % interval and the median time to reply per template, tone
or playbook; every tile and row opens its emails (views/results/replies_emails.py), and
from them a customer or all of them. A group of fewer than 10 emails is muted and says
"too few to compare"; no group is named best while the intervals overlap; the section
says that a reply rate is not a lift."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from services.replies.definition import DEFINITIONS
from services.replies.records import BREAKDOWNS, ReplyGroup, ReplyReport
from services.replies.wording import (
    HOLDOUT_WORDS,
    TOO_FEW,
    best_words,
    duration,
    empty_words,
    headline,
    interval_words,
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
from views.results.replies_emails import ReplyEmailsDialog
from views.results.section_base import ResultsSection

if TYPE_CHECKING:
    from views.kit.jobs import JobRunner, TaskState
    from views.results.source import ResultsSource

NO_WORKSPACE = "Open a workspace to see the replies to its emails."
ROW_TIP = "Click a row for its emails"
SMALL_TIP = f"Fewer than 10 emails sent: {TOO_FEW}."
TILES = (
    ("sent", "Emails sent"),
    ("replied", "Replied"),
    ("time", "Median time to reply"),
    ("automatic", "Automatic replies only"),
)


def _column(header: str, text: Callable[[ReplyGroup], str]) -> WorkColumn:
    def tone(g: ReplyGroup) -> str | None:
        return "muted" if g.small else None

    def tip(g: ReplyGroup) -> str:
        return SMALL_TIP if g.small else f"{g.label}: {ROW_TIP.lower()}"

    return WorkColumn(header, text, tooltip=tip, tone=tone)


def reply_columns(by: str) -> list[WorkColumn]:
    """The table's columns for one breakdown."""
    return [
        _column(dict(BREAKDOWNS)[by], lambda g: g.label + (" *" if g.small else "")),
        _column("Sent", lambda g: f"{g.sent:,}"),
        _column("Replied", lambda g: f"{g.replied:,}"),
        _column("Reply rate", lambda g: rate(g.rate)),
        _column("95% interval", interval_words),
        _column("Note", lambda g: TOO_FEW if g.small else ""),
        _column("Automatic only", lambda g: f"{g.automatic:,}"),
        _column("Median time to reply", lambda g: duration(g.median_hours)),
    ]


def _note(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName("kpiNote")
    label.setWordWrap(True)
    return label


class RepliesSection(ResultsSection):
    """Replies to the emails sent in the Results period (the last 12 months to today when
    none is set)."""

    TITLE = "Replies"

    def __init__(self, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(jobs, parent)
        self.report: ReplyReport | None = None
        self.emails_dialog: ReplyEmailsDialog | None = None
        self._build()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(8)
        self.headline_label = QLabel(NO_WORKSPACE, self)
        self.headline_label.setObjectName("resultsHeadline")
        self.headline_label.setWordWrap(True)
        self.subtitle_label = _note("", self)
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
            tile.clicked.connect(lambda key=key: self.open_emails(self._tile_group(key)))
            self.tiles[key] = tile
            tiles.addWidget(tile, 1)
        layout.addWidget(self.tiles_row)
        layout.addWidget(self._build_card())
        self.holdout_label = _note(HOLDOUT_WORDS, self)
        layout.addWidget(self.holdout_label)
        terms = "<br>".join(f"<b>{term}</b>: {words}" for term, words in DEFINITIONS)
        self.definitions_label = _note(terms, self)
        layout.addWidget(self.definitions_label)
        layout.addStretch(1)

    def _build_card(self) -> QFrame:
        self.card = QFrame(self)
        self.card.setObjectName("card")
        column = QVBoxLayout(self.card)
        column.setContentsMargins(6, 6, 6, 6)
        head = QHBoxLayout()
        title = QLabel("Reply rate by", self.card)
        title.setObjectName("sectionTitle")
        head.addWidget(title)
        self.by_combo = name(ComboBox(self.card), "Reply rate by")
        for key, words in BREAKDOWNS:
            self.by_combo.addItem(words, key)
        self.by_combo.currentIndexChanged.connect(lambda _i: self.show_table())
        head.addWidget(self.by_combo)
        head.addStretch(1)
        column.addLayout(head)
        self.model = WorkListModel(reply_columns("template"), self)
        self.table = name(PeopleTableView(self.card), "Reply rate by group")
        self.table.setModel(self.model)
        set_up_breakdown_table(self.table)
        self.table.setToolTip(ROW_TIP)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.clicked.connect(lambda index: self.open_emails(self.model.record(index.row())))
        column.addWidget(self.table)
        self.best_label = _note("", self.card)
        column.addWidget(self.best_label)
        return self.card

    # -- reading ----------------------------------------------------------------------------

    def set_source(self, source: ResultsSource | None) -> None:
        super().set_source(source)
        self.report = None
        if source is None:
            self.headline_label.setText(NO_WORKSPACE)

    def reload(self, since: dt.date | None, until: dt.date | None) -> None:
        """Read the replies to the period's emails."""
        source = self._source
        if source is None:
            return
        self.subtitle_label.setText("Updating…")

        def task(_state: TaskState) -> ReplyReport:
            return source.load_replies(since, until)

        (
            self._jobs.operation(task, parent=self, key=("results.replies", id(self)))
            .success(self.show_report)
            .failure(self._jobs.present_error)
            .run()
        )

    # -- showing ----------------------------------------------------------------------------

    @property
    def by(self) -> str:
        return str(self.by_combo.currentData())

    def show_report(self, report: ReplyReport) -> None:
        """Show a replies report's figures."""
        self.report = report
        empty = empty_words(report) is not None
        self.headline_label.setText(headline(report))
        click = "" if empty else " Click a tile or a row for its emails."
        self.subtitle_label.setText(f"{period_words(report)}.{click}")
        for widget in (self.tiles_row, self.card, self.holdout_label):
            widget.setVisible(not empty)
        if not empty:
            self._set_tiles(report)
            self.show_table()

    def _set_tiles(self, report: ReplyReport) -> None:
        whole = report.overall
        held = f"{report.holdout:,} held out got none" if report.holdout else "none held out"
        self.tiles["sent"].set(f"{whole.sent:,}", held)
        tone = "warning" if whole.small else ""
        likely = f"{whole.replied:,} of {whole.sent:,}, likely {interval_words(whole)}"
        self.tiles["replied"].set(rate(whole.rate), likely, tone)
        self.tiles["time"].set(duration(whole.median_hours),
                               f"half of {whole.replied:,} replies came sooner")  # fmt: skip
        self.tiles["automatic"].set(f"{whole.automatic:,}", "out of office: not a reply")

    def show_table(self) -> None:
        """Fill the table from the report (the breakdown changed, or a new report)."""
        report = self.report
        if report is None:
            return
        by = self.by
        rows = [report.overall, *report.groups(by)]
        self.model.set_columns(reply_columns(by))
        self.model.set_rows(rows)
        line = self.table.verticalHeader().defaultSectionSize()
        top = self.table.horizontalHeader().sizeHint().height()
        self.table.setFixedHeight(top + line * len(rows) + 4)  # the page scrolls, not it
        notes = (best_words(report, by), small_words(report.groups(by)))
        self.best_label.setText(" ".join(n for n in notes if n))

    # -- opening emails and customers -------------------------------------------------------

    def _tile_group(self, key: str) -> ReplyGroup | None:
        report = self.report
        if report is None:
            return None
        whole = report.overall
        if key in ("replied", "time"):
            return ReplyGroup("all", "Replied", tuple(e for e in whole.emails if e.reply_at))
        if key == "automatic":
            picked = tuple(e for e in whole.emails if e.reply_at is None and e.automatic)
            return ReplyGroup("all", "Automatic replies only", picked)
        return whole

    def open_emails(self, group: ReplyGroup | None) -> None:
        """The emails of a tile or row in a window of their own."""
        if group is None or self.report is None:
            return
        dialog = ReplyEmailsDialog(self.report, group, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.customer_requested.connect(self._open_customer)
        dialog.customers_requested.connect(lambda ids: self._open_customers(group, ids))
        self.emails_dialog = dialog
        dialog.destroyed.connect(lambda: setattr(self, "emails_dialog", None))
        dialog.open()

    def _open_customer(self, customer_id: int) -> None:
        names = self.report.names if self.report is not None else {}
        self.customers_requested.emit(
            CustomerFilter(
                customer_ids=frozenset({customer_id}),
                title=f"{names.get(customer_id) or 'The customer'}, from the replies to emails",
            )
        )

    def _open_customers(self, group: ReplyGroup, ids: tuple[int, ...]) -> None:
        self.customers_requested.emit(
            CustomerFilter(customer_ids=frozenset(ids), title=f"Emailed: {group.label}")
        )

    def set_theme(self, theme: Theme) -> None:
        """Recolour the table."""
        super().set_theme(theme)
        self.model.set_theme(theme)
