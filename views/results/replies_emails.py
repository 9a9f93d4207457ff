"""The emails behind a figure of Results ▸ Replies, in a window of their own: when each
went, to whom, its subject, and whether and how soon a reply came, oldest first. A
customer's name (or a row opened with Enter or a double click) opens that customer;
"Open these customers" opens them all in the Customers tab."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from services.core.formatting import format_date_time
from services.replies.records import ReplyGroup, ReplyReport, SentEmail
from services.replies.wording import HOW_WORDS, duration, period_words
from views.item_models.work_list_model import WorkColumn, WorkListModel
from views.kit.accessibility import name
from views.kit.dialog_parts import configure_table, current_theme, plain_label
from views.kit.geometry import FitsScreen, resize_for_text
from views.kit.lists import PeopleTableView

CUSTOMER_COLUMN = 1
OPEN_HINT = "Click a customer (or double-click an email) to open the customer."


def reply_words(e: SentEmail) -> str:
    """ "After 6 hours", "Automatic reply only", "No reply"."""
    if e.reply_at is not None:
        return f"After {duration(e.hours)}"
    return "Automatic reply only" if e.automatic else "No reply"


def email_columns(report: ReplyReport) -> list[WorkColumn]:
    """The list's columns: an email with no reply muted."""

    def tone(e: SentEmail) -> str | None:
        return None if e.reply_at is not None else "muted"

    def sent(e: SentEmail) -> str:
        # Kept in UTC: shown on this computer's clock.
        return format_date_time(e.sent_at.replace(tzinfo=dt.UTC).astimezone())

    def how(e: SentEmail) -> str:
        if e.reply_at is None:
            return ""
        found = HOW_WORDS.get(e.reply_how, e.reply_how)
        return f"{e.reply_subject or '(no subject)'}: {found}"

    return [
        WorkColumn("Sent", sent),
        WorkColumn(
            "Customer",
            lambda e: report.names.get(e.customer_id, "") or f"Customer {e.customer_id}",
            tooltip=lambda _e: "Click to open the customer",
        ),
        WorkColumn("To", lambda e: e.recipient),
        WorkColumn("Subject", lambda e: e.subject or "(no subject)"),
        WorkColumn("Reply", reply_words, tooltip=how, tone=tone),
        WorkColumn("Template", lambda e: e.template),
        WorkColumn("Tone", lambda e: e.tone),
    ]


class ReplyEmailsDialog(QDialog):
    """One figure's emails.

    Signals:
        customer_requested(int): an email's customer was clicked; their id.
        customers_requested(object): "Open these customers": the row's customer ids, a
            tuple.
    """

    customer_requested = Signal(int)
    customers_requested = Signal(object)

    def __init__(
        self, report: ReplyReport, group: ReplyGroup, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.group = group
        count = group.sent
        self.setWindowTitle(f"{group.label}: {count:,} email" + ("" if count == 1 else "s"))
        resize_for_text(self, 1100, 520)
        FitsScreen(self)  # a smaller screen, or one scaled to 150 % or 200 %
        layout = QVBoxLayout(self)
        what = (
            f"{group.label}: {count:,} emails, {group.replied:,} replied. "
            f"{period_words(report)}, oldest first."
        )
        self.summary_label = plain_label(f"{what} {OPEN_HINT}", self, "kpiNote")
        layout.addWidget(self.summary_label)
        self.model = WorkListModel(email_columns(report), self)
        self.model.set_theme(current_theme(parent))
        self.model.set_rows(group.emails)
        self.table = name(PeopleTableView(self), f"Emails of {group.label}")
        self.table.setModel(self.model)
        configure_table(self.table, sortable=False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.clicked.connect(self._on_table_clicked)
        self.table.activated.connect(lambda index: self._open(index.row()))
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.customers_button = QPushButton(
            f"Open these {len(group.customer_ids()):,} customers", self
        )
        buttons.addButton(self.customers_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.customers_button.clicked.connect(self._on_customers_clicked)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _on_table_clicked(self, index: QModelIndex) -> None:
        if index.column() == CUSTOMER_COLUMN:
            self._open(index.row())

    def _on_customers_clicked(self) -> None:
        self.customers_requested.emit(self.group.customer_ids())
        self.accept()

    def _open(self, row: int) -> None:
        email = self.model.record(row)
        if email is None:
            return
        self.customer_requested.emit(email.customer_id)
        self.accept()
