"""Undo for what a user does to alerts, customers and tasks: the session's history of
undoable actions (Edit ▸ Undo, Ctrl+Z) and the bar that says what was done, with an
Undo button, for a few seconds.

The history holds the services' Undoable records (what each action changed); undoing
runs on the job runner through a function app/ gives (``set_undoer``), and a refusal
(the records changed since) is shown like any other plain error, with nothing changed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QWidget,
)

from services.alerts.records import Undoable

if TYPE_CHECKING:
    from views.kit.jobs import JobRunner, TaskState

Undoer = Callable[[Undoable], str]

# How long the bar stays after an action, and after an undo.
DONE_MS = 8_000
UNDONE_MS = 4_000
# How many actions Ctrl+Z can walk back.
DEPTH = 50


@dataclass(frozen=True)
class Entry:
    """One undoable action, and what to refresh once it is undone."""

    change: Undoable
    refresh: Callable[[], None]


class UndoHistory(QObject):
    """The undoable actions of this session on the open workspace, newest last.

    Signals:
        changed(): an action was added or undone (the Undo menu entry follows).
        pushed(label, can_undo): an action was done ("Dismissed Chiara Sato").
        undone(message): an action was undone ("Undone: dismissed Chiara Sato").
        owners_changed(): an assignment was done or undone (whose customers and alerts
            are changed: every list showing owners reads them anew).
    """

    changed = Signal()
    pushed = Signal(str, bool)
    undone = Signal(str)
    owners_changed = Signal()

    def __init__(self, jobs: JobRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self._entries: list[Entry] = []
        self._undoer: Undoer | None = None
        self._running = False

    def set_undoer(self, undoer: Undoer | None) -> None:
        """The function that undoes a change on the open workspace (None: no workspace);
        a new workspace starts with an empty history."""
        self._undoer = undoer
        self._entries.clear()
        self.changed.emit()

    def push(self, change: Undoable, refresh: Callable[[], None]) -> None:
        """Remember an action just done; ``refresh`` shows its records anew once undone."""
        if change.can_undo:
            self._entries.append(Entry(change, refresh))
            del self._entries[:-DEPTH]
        self.changed.emit()
        self.pushed.emit(change.label, change.can_undo)
        if change.owners:
            self.owners_changed.emit()

    @property
    def last_label(self) -> str | None:
        """What Ctrl+Z would undo, in words (None: nothing)."""
        return self._entries[-1].change.label if self._entries else None

    def can_undo(self) -> bool:
        return bool(self._entries) and self._undoer is not None and not self._running

    def undo_last(self) -> None:
        """Undo the newest action (Ctrl+Z), on the job runner."""
        if not self.can_undo():
            return
        entry = self._entries.pop()
        undoer = self._undoer
        assert undoer is not None
        self._running = True
        self.changed.emit()

        def task(_state: TaskState) -> str:
            return undoer(entry.change)

        def done(message: str) -> None:
            entry.refresh()
            self.undone.emit(message)
            if entry.change.owners:
                self.owners_changed.emit()

        def failed(error: BaseException) -> None:
            entry.refresh()  # show the records as they are now
            self._jobs.present_error(error)

        def finished() -> None:
            self._running = False
            self.changed.emit()

        (
            self._jobs.operation(task, parent=self, label="undo")
            .success(done)
            .failure(failed)
            .finished(finished)
            .run()
        )


def undo_action(parent: QWidget, history: UndoHistory) -> QAction:
    """Edit ▸ Undo (Ctrl+Z), named after what it would undo, enabled when it can."""
    action = QAction("&Undo", parent)
    action.setShortcut(QKeySequence.StandardKey.Undo)
    action.setToolTip("Undo the last change to an alert, customer or task (Ctrl+Z)")
    action.triggered.connect(history.undo_last)

    def follow() -> None:
        if not shiboken6.isValid(action):  # its window is gone (a dialog deleted on close)
            return
        label = history.last_label
        action.setEnabled(history.can_undo())
        action.setText(f"&Undo: {label}" if label else "&Undo")

    def forget() -> None:
        # The history outlives a dialog's action: its connection goes with the action.
        with contextlib.suppress(RuntimeError, TypeError):
            history.changed.disconnect(follow)

    history.changed.connect(follow)
    action.destroyed.connect(forget)
    follow()
    UndoKeyRouter(action)  # gone with the action
    return action


def has_own_undo(widget: QObject) -> bool:
    """A text field with typing of its own to take back: Ctrl+Z is its own there."""
    if isinstance(widget, QLineEdit):
        return not widget.isReadOnly() and widget.isUndoAvailable()
    if isinstance(widget, QTextEdit | QPlainTextEdit):
        return not widget.isReadOnly() and widget.document().isUndoAvailable()
    return False


class UndoKeyRouter(QObject):
    """Ctrl+Z is Edit ▸ Undo wherever the focus is, but in a text field that has typing of
    its own to undo. A text field claims Ctrl+Z before the window's shortcuts are asked,
    even with nothing to take back (the search box after an action, say): here it is
    left to the shortcut instead. It watches the text fields as they take the focus (not
    every event of the application)."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._on_focus_changed)

    def _on_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if isinstance(new, QLineEdit | QTextEdit | QPlainTextEdit):
            new.installEventFilter(self)  # once: Qt keeps one entry per filter

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.matches(QKeySequence.StandardKey.Undo)
            and isinstance(watched, QLineEdit | QTextEdit | QPlainTextEdit)
            and not has_own_undo(watched)
        ):
            return True  # not claimed: the window's Ctrl+Z runs
        return super().eventFilter(watched, event)


class UndoBar(QFrame):
    """ "Dismissed Chiara Sato · Undo" for a few seconds after an action; "Undone: ..."
    after an undo. The Undo button is Ctrl+Z."""

    def __init__(self, history: UndoHistory, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("undoBar")
        self._history = history
        self.text = QLabel("", self)
        self.text.setObjectName("undoBarText")
        self.undo_button = QPushButton("Undo", self)
        self.undo_button.setObjectName("undoButton")
        self.undo_button.setToolTip("Undo what was just done (Ctrl+Z)")
        self.undo_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay in the lists
        self.undo_button.clicked.connect(history.undo_last)
        self.close_button = QPushButton("×", self)
        self.close_button.setObjectName("undoBarClose")
        self.close_button.setToolTip("Hide")
        self.close_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.close_button.setFlat(True)
        self.close_button.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 4, 6, 4)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.undo_button)
        layout.addWidget(self.close_button)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        history.pushed.connect(self._on_history_pushed)
        history.undone.connect(self._on_history_undone)
        history.changed.connect(self._on_history_changed)
        self.hide()

    def _on_history_pushed(self, label: str, can_undo: bool) -> None:
        self.text.setText(label if can_undo else f"{label} (cannot be undone)")
        self.undo_button.setVisible(can_undo)
        self._show_for(DONE_MS)

    def _on_history_undone(self, message: str) -> None:
        self.text.setText(message)
        self.undo_button.hide()
        self._show_for(UNDONE_MS)

    def _on_history_changed(self) -> None:
        self.undo_button.setEnabled(self._history.can_undo())

    def _show_for(self, ms: int) -> None:
        self.show()
        self._timer.start(ms)
