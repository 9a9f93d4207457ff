"""The Ask tab's small windows, both non-modal (open(), never exec()):

- ``SaveQuestionDialog``: a title for an answered question going into the library.
- ``AskPreviewDialog``: exactly what a question sends to the provider, in the drafting
  preview's look ("What will be sent"), with Send / Cancel before a request goes to a
  provider off this computer.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from views.kit.geometry import FitsScreen, resize_for_text


class SaveQuestionDialog(QDialog):
    """Asks for the title a question is saved under.

    Signals:
        title_chosen(str): Save was pressed with this title.
    """

    title_chosen = Signal(str)

    def __init__(self, question: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("askSaveDialog")
        self.setWindowTitle("Save to library")
        intro = QLabel(
            "The question goes into Saved questions with its query, to be asked again "
            "offline (no provider needed).",
            self,
        )
        intro.setWordWrap(True)
        self.title_edit = QLineEdit(question, self)
        self.title_edit.setObjectName("searchBox")
        self.title_edit.setPlaceholderText("A short title")
        # All selected (typing replaces it), the start in view.
        self.title_edit.setSelection(len(question), -len(question))
        self.error_label = QLabel("", self)
        self.error_label.setObjectName("fieldError")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        buttons = QDialogButtonBox(self)
        self.save_button = buttons.addButton("Save", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._on_save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(QLabel("Title", self))
        layout.addWidget(self.title_edit)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        layout.setSpacing(8)
        resize_for_text(self, 580)
        FitsScreen(self)  # a smaller screen, or one scaled to 150 % or 200 %

    def _on_save(self) -> None:
        title = " ".join(self.title_edit.text().split())
        if not title:
            self.show_error("Give the question a title.")
            return
        self.title_chosen.emit(title)

    def show_error(self, text: str) -> None:
        """Why the question could not be saved (the dialog stays open)."""
        self.error_label.setText(text)
        self.error_label.show()


class AskPreviewDialog(QDialog):
    """The exact request a question sends, the API key not shown.

    Signals:
        choice_made(str): "send" or "cancel" (only when ``asking``).
    """

    choice_made = Signal(str)

    def __init__(
        self, text: str, *, host: str, asking: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("requestPreview")
        self.setWindowTitle("What will be sent")
        self._asking = asking
        self._chosen = False
        intro = QLabel(
            f"This is the exact request that goes to <b>{html.escape(host)}</b>: the "
            "question, the schema of the views it may read and a few example rows, with "
            "the fields you did not allow in Settings ▸ Email drafting masked. No other "
            "data leaves this computer; the API key is not shown."
            + (" Nothing has been sent yet." if asking else ""),
            self,
        )
        intro.setWordWrap(True)
        self.text = QPlainTextEdit(text, self)
        self.text.setObjectName("requestText")
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.text.setFont(mono)
        buttons = QDialogButtonBox(self)
        if asking:
            self.send_button = buttons.addButton(
                f"Send to {host}", QDialogButtonBox.ButtonRole.AcceptRole
            )
            buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
            self.send_button.clicked.connect(lambda: self._choose("send"))
        else:
            buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.rejected.connect(lambda: self._choose("cancel"))
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
        resize_for_text(self, 860, 640)
        FitsScreen(self)  # a smaller screen, or one scaled to 150 % or 200 %

    def _choose(self, choice: str) -> None:
        if self._chosen or not self._asking:
            return
        self._chosen = True
        self.choice_made.emit(choice)
        if choice == "send":
            self.accept()
