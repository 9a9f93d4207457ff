"""The tickets behind a row of Results ▸ Support, in a window of their own: when each was
opened and resolved, its status, customer and subject, oldest first. A customer's name (or
a row opened with Enter or a double click) opens that customer."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHeaderView, QVBoxLayout, QWidget

from services.core.formatting import format_date_time
from services.support.records import SupportGroup, SupportReport, Ticket
from services.support.wording import duration, period_words
from views.item_models.work_list_model import WorkColumn, WorkListModel
from views.kit.accessibility import name
from views.kit.dialog_parts import configure_table, current_theme, plain_label
from views.kit.geometry import FitsScreen, resize_for_text
from views.kit.lists import PeopleTableView

CUSTOMER_COLUMN = 3
OPEN_HINT = "Click a customer (or double-click a ticket) to open the customer."


def ticket_columns(report: SupportReport) -> list[WorkColumn]:
    """The list's columns: dates on the help desk's clock, an open ticket muted."""

    def tone(t: Ticket) -> str | None:
        return "note" if t.is_open else None

    def resolved(t: Ticket) -> str:
        if t.is_open:
            return "open"
        return format_date_time(t.resolved) if t.resolved is not None else "not recorded"

    def took(t: Ticket) -> str:
        return f"Resolved after {duration(t.hours)}" if t.hours is not None else resolved(t)

    def rating(t: Ticket) -> str:
        return {"good": "Good", "bad": "Bad"}.get(t.satisfaction or "", "")

    return [
        WorkColumn("Opened", lambda t: format_date_time(t.created)),
        WorkColumn("Resolved", resolved, tooltip=took, tone=tone),
        WorkColumn("Status", lambda t: t.status or "–", tone=tone),
        WorkColumn(
            "Customer",
            lambda t: report.names.get(t.customer_id, "") or f"Customer {t.customer_id}",
            tooltip=lambda _t: "Click to open the customer",
        ),
        WorkColumn("Subject", lambda t: t.subject or "(no subject)"),
        WorkColumn("Type", lambda t: t.type),
        WorkColumn("Agent", lambda t: t.agent),
        WorkColumn("Rating", rating),
    ]


class SupportTicketsDialog(QDialog):
    """One row's tickets.

    Signals:
        customer_requested(int): a ticket's customer was clicked; their id.
    """

    customer_requested = Signal(int)

    def __init__(
        self, report: SupportReport, group: SupportGroup, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.tickets = report.tickets_of(group)
        count = len(self.tickets)
        self.setWindowTitle(f"{group.label}: {count:,} ticket" + ("" if count == 1 else "s"))
        resize_for_text(self, 1100, 520)
        FitsScreen(self)  # a smaller screen, or one scaled to 150 % or 200 %
        layout = QVBoxLayout(self)
        what = f"{group.label}, {period_words(report)}: {count:,} tickets, oldest first."
        if group.repeat_ids:
            what += " With them, the tickets their customers came back with."
        self.summary_label = plain_label(f"{what} {OPEN_HINT}", self, "kpiNote")
        layout.addWidget(self.summary_label)
        self.model = WorkListModel(ticket_columns(report), self)
        self.model.set_theme(current_theme(parent))
        self.model.set_rows(self.tickets)
        self.table = name(PeopleTableView(self), f"Tickets of {group.label}")
        self.table.setModel(self.model)
        configure_table(self.table, sortable=False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.clicked.connect(self._on_table_clicked)
        self.table.activated.connect(lambda index: self._open(index.row()))
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _on_table_clicked(self, index: QModelIndex) -> None:
        if index.column() == CUSTOMER_COLUMN:
            self._open(index.row())

    def _open(self, row: int) -> None:
        ticket = self.model.record(row)
        if ticket is None:
            return
        self.customer_requested.emit(ticket.customer_id)
        self.accept()
