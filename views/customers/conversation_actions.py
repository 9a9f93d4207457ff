"""Opening a conversation from the customer's timeline (double-click, Enter, or its context
menu's "Open conversation…") and what its window asks: tasks made of the promises, a
reading by the model (what will be sent shown first, then read on a worker with Cancel),
and the offline reading back; each on the job runner, undoable with Ctrl+Z."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QObject, QPoint, Qt
from PySide6.QtWidgets import QMenu, QWidget

from views.customers.conversation_dialog import ConversationDialog, ask_to_send
from views.item_models.timeline_model import EventRole
from views.kit.undo import undo_action

if TYPE_CHECKING:
    from services.alerts.records import Undoable
    from services.conversations.stored import OpenedConversation
    from services.usecases.conversations import ModelAsk, TasksMade
    from views.customers.detail_pane import CustomerDetailPane
    from views.kit.jobs import Operation, TaskState

# (parent, the request as text, the host) -> send it?
AskToSend = Callable[[QWidget, str, str], bool]


class ConversationOpener(QObject):
    """A conversation opened from the pane's timeline (the pane's ``conversations``)."""

    def __init__(self, pane: CustomerDetailPane) -> None:
        super().__init__(pane)
        self._pane = pane
        self.conversation_dialog: ConversationDialog | None = None
        # Shows what will be sent (tests answer for the user).
        self.ask_to_send: AskToSend = ask_to_send
        self._model_read: Operation[Any] | None = None
        view = pane.timeline_view
        # Enter, and a double-click (the platform's activation).
        view.activated.connect(self._on_timeline_activated)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(self._on_timeline_menu_requested)

    def _conversation_at(self, index: QModelIndex) -> int | None:
        event = index.data(EventRole) if index.isValid() else None
        return getattr(event, "conversation_id", None)

    def _on_timeline_activated(self, index: QModelIndex) -> None:
        conversation_id = self._conversation_at(index)
        if conversation_id is not None:
            self.open_conversation(conversation_id)

    def _on_timeline_menu_requested(self, point: QPoint) -> None:
        view = self._pane.timeline_view
        menu = self.timeline_menu(view.indexAt(point))
        if menu is not None:
            menu.exec(view.viewport().mapToGlobal(point))
            menu.deleteLater()

    def timeline_menu(self, index: QModelIndex) -> QMenu | None:
        """The timeline's context menu for the event at ``index``: a conversation's
        "Open conversation…"; None for any other event."""
        conversation_id = self._conversation_at(index)
        if conversation_id is None:
            return None
        menu = QMenu(self._pane.timeline_view)
        menu.addAction("Open conversation…", lambda: self.open_conversation(conversation_id))
        return menu

    def open_conversation(self, conversation_id: int) -> None:
        """Read the conversation on the worker, then show it in its window."""
        source = self._pane._source
        if source is None:
            return
        (
            self._pane._jobs.operation(
                lambda _state: source.load_conversation(conversation_id),
                parent=self._pane.timeline_view, label="open the conversation",
            )
            .success(self._show_conversation)
            .failure(self._pane._jobs.present_error)
            .run()
        )  # fmt: skip

    def _show_conversation(self, conversation: OpenedConversation) -> None:
        dialog = self.conversation_dialog
        if dialog is not None and dialog.conversation.id == conversation.id:
            dialog.show_conversation(conversation)
            dialog.raise_()
            return
        if dialog is not None:
            dialog.close()
        parent = self._pane.timeline_view.window()
        dialog = ConversationDialog(conversation, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.tasks_requested.connect(self._on_dialog_tasks_requested)
        dialog.model_requested.connect(self._on_dialog_model_requested)
        dialog.offline_requested.connect(self._on_dialog_offline_requested)
        dialog.cancel_requested.connect(self._on_dialog_cancel_requested)
        dialog.destroyed.connect(self._on_dialog_destroyed)
        if self._pane._undo is not None:  # Ctrl+Z in the conversation's own window too
            dialog.addAction(undo_action(dialog, self._pane._undo))
        fit = parent.screen().availableGeometry() if parent.screen() else None
        width, height = 1100, 700
        if fit is not None:
            width, height = min(width, fit.width() - 40), min(height, fit.height() - 60)
        dialog.resize(width, height)
        self.conversation_dialog = dialog
        dialog.show()

    def _on_dialog_destroyed(self) -> None:
        self.conversation_dialog = None

    # -- what the window asks ------------------------------------------------------------

    def _reopen(self, conversation_id: int) -> Callable[[], None]:
        """What an undo refreshes: the pane, and the conversation if it is still open."""

        def refresh() -> None:
            self._pane.refresh()
            dialog = self.conversation_dialog
            if dialog is not None and dialog.conversation.id == conversation_id:
                self.open_conversation(conversation_id)

        return refresh

    def _changed(self, undoable: Undoable | None, conversation_id: int) -> None:
        if undoable is not None and self._pane._undo is not None:
            self._pane._undo.push(undoable, self._reopen(conversation_id))
        self._reopen(conversation_id)()

    def _on_dialog_tasks_requested(self, numbers: list[int]) -> None:
        source, dialog = self._pane._source, self.conversation_dialog
        if source is None or dialog is None:
            return
        conversation_id = dialog.conversation.id

        def done(made: TasksMade) -> None:
            if self.conversation_dialog is not None:
                self.conversation_dialog.say(made.details, "positive")
            self._changed(made.undo, conversation_id)

        (
            self._pane._jobs.operation(
                lambda _state: source.make_conversation_tasks(conversation_id, numbers),
                parent=dialog, label="make the tasks",
            )
            .success(done)
            .failure(self._on_dialog_failed)
            .run()
        )  # fmt: skip

    def _on_dialog_failed(self, error: BaseException) -> None:
        dialog = self.conversation_dialog
        # A fault said in words (models.errors.UserFacingError: no model set up, the model
        # failed) shows in the window; a bug goes to the one presenter. Views never import
        # models/, so the class is known by name.
        said = any(c.__name__ == "UserFacingError" for c in type(error).__mro__)
        if dialog is None or not said:
            self._pane._jobs.present_error(error)
            return
        dialog.set_reading(False)
        dialog.say(str(error), "critical")

    def _on_dialog_model_requested(self) -> None:
        source, dialog = self._pane._source, self.conversation_dialog
        if source is None or dialog is None:
            return
        conversation_id = dialog.conversation.id
        dialog.say("Making the request…", "muted")
        (
            self._pane._jobs.operation(
                lambda _state: source.conversation_model_ask(conversation_id),
                parent=dialog, label="prepare the request",
            )
            .success(lambda ask: self._on_model_ask_ready(conversation_id, ask))
            .failure(self._on_dialog_failed)
            .run()
        )  # fmt: skip

    def _on_model_ask_ready(self, conversation_id: int, ask: ModelAsk) -> None:
        source, dialog = self._pane._source, self.conversation_dialog
        if source is None or dialog is None or dialog.conversation.id != conversation_id:
            return
        if not self.ask_to_send(dialog, ask.described, ask.host):
            dialog.say("Nothing was sent.", "muted")
            return
        dialog.set_reading(True)

        def task(state: TaskState) -> Undoable:
            return source.read_conversation_with_model(conversation_id, ask, state.cancelled)

        def done(undoable: Undoable) -> None:
            self._model_read = None
            if self.conversation_dialog is not None:
                self.conversation_dialog.set_reading(False)
                self.conversation_dialog.say("Read by the model; Ctrl+Z goes back.", "positive")
            self._changed(undoable, conversation_id)

        def cancelled() -> None:
            self._model_read = None
            if self.conversation_dialog is not None:
                self.conversation_dialog.set_reading(False)
                self.conversation_dialog.say("Cancelled; the reading is unchanged.", "muted")

        # The request goes over the network: the "work" pool, never the UI thread.
        self._model_read = (
            self._pane._jobs.operation(
                task, parent=dialog, pool="work", label="read with the model"
            )
            .success(done)
            .failure(self._on_dialog_failed)
            .cancelled(cancelled)
            .run()
        )

    def _on_dialog_cancel_requested(self) -> None:
        if self._model_read is not None:
            self._model_read.cancel()

    def _on_dialog_offline_requested(self) -> None:
        source, dialog = self._pane._source, self.conversation_dialog
        if source is None or dialog is None:
            return
        conversation_id = dialog.conversation.id

        def done(undoable: Undoable) -> None:
            if self.conversation_dialog is not None:
                self.conversation_dialog.say("Back to the reading made on this computer.")
            self._changed(undoable, conversation_id)

        (
            self._pane._jobs.operation(
                lambda _state: source.use_offline_reading(conversation_id),
                parent=dialog, label="go back to the offline reading",
            )
            .success(done)
            .failure(self._on_dialog_failed)
            .run()
        )  # fmt: skip
