"""The first-run welcome: with no workspace yet, try the demo or start with one's own
data (an empty workspace and the getting-started checklist), or open a workspace file.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

# The answers (app/ turns each into a workspace).
WELCOME_DEMO = "demo"
WELCOME_EMPTY = "empty"
WELCOME_OPEN = "open"
WELCOME_NONE = "none"  # the dialog was closed: no workspace yet, the File menu remains

# Asks the first-run question; returns one of the answers above. Tests answer directly.
WelcomeFn = Callable[[], str]

DEMO_WORDS = (
    "A made-up apparel retailer with about 2,000 customers, already scored, with alerts "
    "to work through. Nothing of yours is needed."
)
EMPTY_WORDS = (
    "An empty workspace of your own, and a short checklist: import your CRM and shop "
    "exports, score them, set up email drafting."
)


class WelcomeDialog(QDialog):
    """Two large choices side by side, and a link to open an existing workspace."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to Account Radar")
        self.setObjectName("welcomeDialog")
        self.answer = WELCOME_NONE
        title = QLabel("Welcome to Account Radar", self)
        title.setObjectName("welcomeTitle")
        intro = QLabel(
            "Find the customers you are about to lose, and win them back. "
            "How would you like to start?",
            self,
        )
        intro.setWordWrap(True)
        self.demo_button = self._choice("Try the demo", DEMO_WORDS, WELCOME_DEMO)
        self.empty_button = self._choice("Start with my data", EMPTY_WORDS, WELCOME_EMPTY)
        self.demo_button.setDefault(True)
        choices = QHBoxLayout()
        choices.setSpacing(12)
        choices.addWidget(self.demo_button, 1)
        choices.addWidget(self.empty_button, 1)
        self.open_button = QPushButton("Open an existing workspace…", self)
        self.open_button.setObjectName("welcomeOpen")
        self.open_button.setFlat(True)
        self.open_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.open_button.clicked.connect(lambda: self._answer(WELCOME_OPEN))
        footer = QLabel(
            "You can make either one later from the File menu.",
            self,
        )
        footer.setObjectName("muted")
        footer.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addLayout(choices)
        layout.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(footer)
        self.setMinimumWidth(620)

    def _choice(self, title: str, words: str, answer: str) -> QPushButton:
        button = QPushButton(self)
        button.setObjectName("welcomeChoice")
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        button.setAccessibleName(title)
        button.setMinimumHeight(150)
        label = QLabel(f"<b style='font-size:13pt'>{title}</b><br><br>{words}", button)
        label.setObjectName("welcomeChoiceText")
        label.setWordWrap(True)
        label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        inner = QVBoxLayout(button)
        inner.setContentsMargins(16, 14, 16, 14)
        inner.addWidget(label)
        inner.addStretch(1)
        button.clicked.connect(lambda: self._answer(answer))
        return button

    def _answer(self, answer: str) -> None:
        self.answer = answer
        self.accept()


def ask_welcome(parent: QWidget | None) -> str:
    """Show the welcome (modal) and return the answer."""
    dialog = WelcomeDialog(parent)
    try:
        dialog.exec()
        return dialog.answer
    finally:
        dialog.deleteLater()
