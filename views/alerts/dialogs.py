"""The dialogs the action pane opens: log a call (its outcome and what was said), write a
note, create a task. Each has an ``_ask_*`` function the pane calls, which tests replace.
A call's words and a note offer the card's teammates after "@" (views/kit/mention_edit.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from services.core.working_days import add_working_days
from views.kit.confirm import run_dialog
from views.kit.formatting import date_edit
from views.kit.geometry import FitsScreen, resize_for_text
from views.kit.note_dialog import NoteDialog, submit_with_ctrl_enter

TextPrompt = Callable[[str, str], str | None]
# A note: (title, label, the teammates "@" offers) -> the text, or None when cancelled.
MentionNotePrompt = Callable[[str, str, Sequence[str]], str | None]
# A new task's due date, unless the user picks another: working days, as alerts count.
TASK_DAYS = 3
TaskPrompt = Callable[[str], tuple[str, dt.date] | None]
# A call: (outcome, what was said) or None when cancelled.
CallPrompt = Callable[[str], tuple[str, str] | None]
# The order and keys of the call outcomes in the call dialog.
CALL_CHOICES = (
    ("connected", "&Talked with them"),
    ("voicemail", "Left a &voicemail"),
    ("no_answer", "N&o answer"),
    ("wrong_number", "&Wrong number"),
)


class CallDialog(NoteDialog):
    """A call: what came of it (only a conversation starts the quiet period) and what was
    said (needed for a conversation, optional for the rest). Ctrl+Enter saves."""

    def __init__(
        self, customer: str, parent: QWidget | None = None, *, teammates: Sequence[str] = ()
    ) -> None:
        super().__init__(
            "Log a call", f"What was said with {customer}:", parent, teammates=teammates
        )
        self.outcomes: dict[str, QRadioButton] = {}
        # Two by two, each column half the dialog: in one row the labels were cut short
        # ("Talked with the"), the styled indicator being wider than the size Qt hints.
        box = QGridLayout()
        box.setHorizontalSpacing(16)
        group = QButtonGroup(self)
        for i, (key, label) in enumerate(CALL_CHOICES):
            button = QRadioButton(label, self)
            button.setObjectName(f"callOutcome_{key}")
            group.addButton(button)
            box.addWidget(button, i // 2, i % 2)
            self.outcomes[key] = button
        box.setColumnStretch(0, 1)
        box.setColumnStretch(1, 1)
        self.outcomes["connected"].setChecked(True)
        self.warning = QLabel("", self)
        self.warning.setObjectName("fieldError")
        self.warning.hide()
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(0, QLabel("How did the call go?", self))
        layout.insertLayout(1, box)
        layout.insertWidget(4, self.warning)
        note = QLabel(
            "Only a conversation starts the quiet period after contact; a voicemail, no "
            "answer or a wrong number is an attempt.",
            self,
        )
        note.setObjectName("customerSubtitle")
        note.setWordWrap(True)
        layout.insertWidget(2, note)
        resize_for_text(self, 500, 300)  # NoteDialog keeps it within the screen

    @property
    def outcome(self) -> str:
        return next((k for k, b in self.outcomes.items() if b.isChecked()), "connected")

    def accept(self) -> None:
        if self.outcome == "connected" and not self.text.toPlainText().strip():
            self.warning.setText("Write what was said, or choose what else came of the call.")
            self.warning.show()
            self.text.setFocus()
            return
        super().accept()


def _ask_call(
    parent: QWidget, customer: str, teammates: Sequence[str] = ()
) -> tuple[str, str] | None:
    dialog = CallDialog(customer, parent, teammates=teammates)
    if not run_dialog(dialog):
        return None
    return dialog.outcome, dialog.text.toPlainText().strip()


def _ask_text(parent: QWidget, title: str, label: str, teammates: Sequence[str] = ()) -> str | None:
    dialog = NoteDialog(title, label, parent, teammates=teammates)
    if not run_dialog(dialog):
        return None
    text = dialog.text.toPlainText().strip()
    return text or None


class TaskDialog(QDialog):
    """What to do and by when."""

    def __init__(
        self, customer: str, parent: QWidget | None = None, *, today: dt.date | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Create a task")
        self.text = QLineEdit(self)
        self.text.setPlaceholderText(f"e.g. Call {customer} about the new season")
        today = today or dt.date.today()  # the user's day, as QDate.currentDate()
        self.due = date_edit(self, add_working_days(today, TASK_DAYS), earliest=today)
        form = QFormLayout()
        form.addRow("Task", self.text)
        form.addRow("Due", self.due)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        submit_with_ctrl_enter(self)
        resize_for_text(self, 420)
        FitsScreen(self)  # a smaller screen, or one scaled to 150 % or 200 %


def _ask_task(parent: QWidget, customer: str) -> tuple[str, dt.date] | None:
    dialog = TaskDialog(customer, parent)
    if not run_dialog(dialog) or not dialog.text.text().strip():
        return None
    due = dialog.due.date()
    return dialog.text.text().strip(), dt.date(due.year(), due.month(), due.day())


def ask_owner_name(parent: QWidget, owners: Sequence[str]) -> str | None:
    """The alerts pane's "Which owner are you?" (the first use of Mine): one of
    ``owners``, or None when cancelled or when there is none to choose."""
    if not owners:
        return None
    name, ok = QInputDialog.getItem(
        parent, "Which owner are you?", "Show the alerts of:", list(owners), 0, False
    )
    return str(name) if ok and name else None
