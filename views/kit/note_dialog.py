"""The note dialog: a few lines of text, saved with Ctrl+Enter (a note on an alert or a
customer, what a call was about, the reason for an exception), and the Ctrl+Enter
shortcut other small dialogs share."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from views.kit.confirm import run_dialog
from views.kit.geometry import FitsScreen, resize_for_text
from views.kit.mention_edit import MentionEdit


def submit_with_ctrl_enter(dialog: QDialog) -> None:
    """Ctrl+Enter (either Enter key) accepts ``dialog``, even from a multi-line field."""
    for keys in ("Ctrl+Return", "Ctrl+Enter"):
        shortcut = QShortcut(QKeySequence(keys), dialog)
        shortcut.activated.connect(dialog.accept)


class NoteDialog(QDialog):
    """A note or what a call was about: a few lines, saved with Ctrl+Enter; given the
    teammates, "@" and a name's first letters offer them (views/kit/mention_edit.py)."""

    def __init__(
        self,
        title: str,
        label: str,
        parent: QWidget | None = None,
        *,
        teammates: Sequence[str] = (),
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.text = MentionEdit(self)
        self.text.setTabChangesFocus(True)
        self.text.set_teammates(teammates)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        saves = "Ctrl+Enter saves."
        hint = QLabel(f"{saves} Type @ to mention a teammate." if teammates else saves, self)
        hint.setObjectName("customerSubtitle")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(label, self))
        layout.addWidget(self.text, 1)
        footer = QHBoxLayout()
        footer.addWidget(hint, 1)
        footer.addWidget(buttons)
        layout.addLayout(footer)
        submit_with_ctrl_enter(self)
        # The text field takes Ctrl+Enter itself (a line break) before any shortcut does.
        self.text.installEventFilter(self)
        resize_for_text(self, 440, 220)
        FitsScreen(self)  # a smaller screen, or one scaled to 150 % or 200 %

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802  (Qt's name)
        if (
            watched is self.text
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.accept()
            return True
        return super().eventFilter(watched, event)


def optional_note_dialog(
    parent: QWidget | None, title: str, label: str, ok_text: str
) -> NoteDialog:
    """A note dialog asking to go ahead with an optional reason: its Save reads
    ``ok_text`` and its question wraps."""
    dialog = NoteDialog(title, label, parent)
    buttons = dialog.findChild(QDialogButtonBox)
    save = buttons.button(QDialogButtonBox.StandardButton.Save) if buttons is not None else None
    if save is not None:
        save.setText(ok_text)
    for text in dialog.findChildren(QLabel):  # a question of a few sentences wraps
        text.setWordWrap(True)
    return dialog


def ask_optional_note(parent: QWidget | None, title: str, label: str, ok_text: str) -> str | None:
    """Ask to go ahead with an optional reason (``optional_note_dialog``): the reason
    typed, "" for none, or None when cancelled."""
    dialog = optional_note_dialog(parent, title, label, ok_text)
    if not run_dialog(dialog):
        return None
    return " ".join(dialog.text.toPlainText().split())
