"""Which cards Draft for all… drafts for: every card shown, the cards picked with Ctrl-
or Shift-click, or the one right-clicked (the alerts pane's part that says so); and the
card's customer opened in the Customers tab: the menu's Open customer on the card
right-clicked, a double click on a card, Enter on the card shown."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QModelIndex, QObject, QPoint, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QMenu, QPushButton, QWidget

from views.alerts.source import QUEUE_LABELS
from views.item_models.alert_list_model import AlertIdRole, CustomerIdRole

if TYPE_CHECKING:
    from views.item_models.alert_list_model import AlertListModel
    from views.kit.lists import PeopleTableView

ALL_QUEUES = "all"  # the queue tab of every alert
Rows = list[int]  # card rows (the mixin's "list" is the pane's list view)


class DraftTargets:
    """Mixed into the alerts pane: its list, model, queue, button and signal."""

    list: PeopleTableView
    model: AlertListModel
    draft_all_button: QPushButton
    draft_all_requested: Any  # Signal(object, str)
    ticket_requested: Any  # Signal(int)
    customer_requested: Any  # Signal(int): open this customer (the Customers tab)

    @property
    def queue(self) -> str:  # the pane's own
        raise NotImplementedError

    def shown_alert_ids(self) -> tuple[int, ...]:
        """Every alert of the cards the queue and filters show."""
        data = self.model.data_set
        if data is None or data.n == 0:
            return ()
        cards = data.cards(self.model.filter)
        return tuple(int(i) for i in data.columns["id"][cards.members])

    def selected_rows(self) -> Rows:
        """The cards picked (Ctrl- or Shift-click), top to bottom."""
        return sorted({i.row() for i in self.list.selectionModel().selectedRows()})

    def _shown_words(self) -> str:
        cards = self.model.rowCount()
        queue = QUEUE_LABELS.get(self.queue, "All")
        where = "every queue" if self.queue == ALL_QUEUES else f"the {queue} queue"
        return f"the {cards:,} card{'s' if cards != 1 else ''} shown in {where}"

    def _draft_rows(self, rows: Rows) -> None:
        ids = tuple(i for row in rows for i in self.model.card_ids(row))
        if ids:
            self.draft_all_requested.emit(ids, f"the {len(rows):,} cards you selected")

    def _on_draft_all_button_clicked(self) -> None:
        rows = self.selected_rows()
        if len(rows) > 1:
            self._draft_rows(rows)
        else:
            self._draft_shown()

    def _update_draft_button(self, *_args: object) -> None:
        picked = len(self.selected_rows())
        self.draft_all_button.setText(
            f"Draft for {picked:,} selected…" if picked > 1 else "Draft for all…"
        )

    def _on_list_context_menu_requested(self, pos: QPoint) -> None:
        index = self.list.indexAt(pos)
        menu = QMenu(cast(QWidget, self))
        rows = self.selected_rows()
        if index.isValid() and len(rows) > 1 and index.row() in rows:
            menu.addAction(f"Draft for the {len(rows):,} selected…", lambda: self._draft_rows(rows))
        elif index.isValid():
            card = self.model.card_ids(index.row())
            name = str(self.model.record(index.row()).get("customer") or "this customer")
            menu.addAction(
                f"Draft for {name}…",
                lambda: self.draft_all_requested.emit(card, name),
            )
            # The card's most urgent alert, as File ▸ Export ▸ Help-desk ticket… makes it.
            menu.addAction("Help-desk ticket…", lambda: self.ticket_requested.emit(card[0]))
            customer = int(index.data(CustomerIdRole))
            menu.addAction("Open customer", lambda: self.customer_requested.emit(customer))
        shown = menu.addAction(f"Draft for all {self.model.rowCount():,} shown…")
        shown.triggered.connect(self._draft_shown)
        shown.setEnabled(self.model.rowCount() > 0)
        menu.popup(self.list.viewport().mapToGlobal(pos))

    def _draft_shown(self) -> None:
        ids = self.shown_alert_ids()
        if ids:
            self.draft_all_requested.emit(ids, self._shown_words())

    # -- the card's customer ------------------------------------------------------------

    def _on_list_double_clicked(self, index: QModelIndex) -> None:
        """A double click on a card: its customer, as the menu's Open customer. The first
        click made the card current, so it is the card shown."""
        if index.isValid() and index == self.list.currentIndex():
            self.customer_requested.emit(int(index.data(CustomerIdRole)))

    def _open_on_enter(self, watched: QObject, event: QKeyEvent) -> bool:
        """Enter (or Return) in the list, no modifier: the customer of the card shown (the
        current one, whose alert the panes show), and nothing without one."""
        plain = event.modifiers() in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.KeypadModifier,
        )
        if watched is not self.list or not plain:
            return False
        if event.key() not in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return False
        index = self.list.currentIndex()
        shown = self.current_alert_id
        if index.isValid() and shown is not None and int(index.data(AlertIdRole)) == shown:
            self.customer_requested.emit(int(index.data(CustomerIdRole)))
        return True

    @property
    def current_alert_id(self) -> int | None:  # the pane's own
        raise NotImplementedError
