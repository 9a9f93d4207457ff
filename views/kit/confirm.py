"""The app's yes-or-cancel question. Cancel is the default button, so Enter on a question
that would change, send or remove something leaves it as it is; Yes must be chosen.

Screens that ask take a :data:`ConfirmPrompt` (tests answer it without a dialog);
:func:`ask_yes_cancel` is the real one.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

# (title, question) -> True when the user chose Yes.
ConfirmPrompt = Callable[[str, str], bool]


def ask_yes_cancel(parent: QWidget | None, title: str, question: str) -> bool:
    """Ask *question* with Yes and Cancel, Cancel the default; True only for Yes."""
    answer = QMessageBox.question(
        parent,
        title,
        question,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Yes
