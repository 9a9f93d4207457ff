"""A confirmation with an optional note: "Dismiss the alert on Noah Khan?" and a one-line
"Why?" field, focused, that the history keeps. Enter confirms (with or without a note),
Esc cancels: a one-key action stays one key and Enter away.

Screens take a :data:`NotePrompt` (tests answer it without a dialog); ``ask_note`` is the
real one.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from views.kit.confirm import run_dialog
from views.kit.geometry import FitsScreen, resize_for_text

# (title, question, the confirming button's label) -> the note ("" for none), or None
# when cancelled.
NotePrompt = Callable[[str, str, str], str | None]

NOTE_PLACEHOLDER = "Why? (optional, kept in the history)"


class ConfirmNoteDialog(QDialog):
    """A question, an optional note (focused) and the confirming button (the default)."""

    def __init__(
        self, title: str, question: str, confirm: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("confirmNoteDialog")
        self.question = QLabel(question, self)
        self.question.setObjectName("confirmQuestion")
        self.question.setWordWrap(True)
        self.note = QLineEdit(self)
        self.note.setObjectName("confirmNote")
        self.note.setPlaceholderText(NOTE_PLACEHOLDER)
        self.note.setClearButtonEnabled(True)
        self.note.setAccessibleName("Note")
        self.note.setAccessibleDescription("Why, in your words; optional, kept in the history")
        hint = QLabel("Enter confirms, with or without a note; Esc cancels.", self)
        hint.setObjectName("customerSubtitle")
        buttons = QDialogButtonBox(self)
        self.confirm_button = buttons.addButton(confirm, QDialogButtonBox.ButtonRole.AcceptRole)
        self.confirm_button.setObjectName("confirmNoteAccept")
        self.confirm_button.setDefault(True)
        self.confirm_button.setAutoDefault(True)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(self.question)
        layout.addWidget(self.note)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        self.note.setFocus()
        self.setMinimumWidth(440)
        resize_for_text(self, 480)
        FitsScreen(self)  # a smaller screen, or one scaled to 150 % or 200 %

    @property
    def text(self) -> str:
        """The note typed, trimmed ("" for none)."""
        return self.note.text().strip()


def ask_note(parent: QWidget, title: str, question: str, confirm: str) -> str | None:
    """Ask with a :class:`ConfirmNoteDialog`: the note ("" for none), None if cancelled."""
    dialog = ConfirmNoteDialog(title, question, confirm, parent)
    if not run_dialog(dialog):
        return None
    return dialog.text
