"""A question asked in a bar inside a window, not in a modal box: a sentence and two
buttons (the composer's "Did you send it?" and "A draft waits in the review queue").

It waits for as long as the user needs: they may go to their mail app and come back,
and the question is still there, with the focus on its first answer.

Signals:
    answered(bool): the first button (True) or the second (False); the bar hides.
"""

from __future__ import annotations

import html
import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget


class PromptBar(QFrame):
    """A question with two answers, in a bar (see the module docstring)."""

    answered = Signal(bool)

    def __init__(self, yes: str, no: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("promptBar")
        self.text = QLabel("", self)
        self.text.setObjectName("promptBarText")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.yes_button = QPushButton(yes, self)
        self.yes_button.setObjectName("promptBarYes")
        self.no_button = QPushButton(no, self)
        self.no_button.setObjectName("promptBarNo")
        for button in (self.yes_button, self.no_button):
            # Enter in the draft's text must not answer the question.
            button.setAutoDefault(False)
        self.yes_button.clicked.connect(lambda: self._answer(True))
        self.no_button.clicked.connect(lambda: self._answer(False))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 8, 6)
        layout.setSpacing(8)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.yes_button)
        layout.addWidget(self.no_button)
        self.hide()

    def ask(self, question: str, detail: str = "", *, tip: str = "") -> None:
        """Show the question (in bold) and what the answer does (a new one replaces the
        one shown)."""
        # A folder's path may break after each separator (a zero-width space), so that a
        # long one wraps rather than widen the window.
        shown = re.sub(r"([/\\])(?=\S)", "\\1\u200b", detail)
        more = f" {html.escape(shown)}" if detail else ""
        self.text.setText(f"<b>{html.escape(question)}</b>{more}")
        self.setToolTip(tip)
        self.setAccessibleName(question)
        self.setAccessibleDescription(detail)
        self.show()

    def focus_answer(self) -> None:
        """Put the focus on the first answer (the window came back to the front)."""
        if self.isVisible():
            self.yes_button.setFocus(Qt.FocusReason.ActiveWindowFocusReason)

    @property
    def asking(self) -> bool:
        return not self.isHidden()

    def dismiss(self) -> None:
        """Hide without an answer (the question no longer applies)."""
        self.hide()

    def _answer(self, yes: bool) -> None:
        self.hide()
        self.answered.emit(yes)
