"""Answer a real modal dialog in a test: the suite refuses modal dialogs (tests/gui/conftest.py),
so a test that needs one puts back ``REAL_EXEC`` and answers the dialog from a timer."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog

REAL_EXEC = QDialog.exec  # imported before the suite's guard replaces it
D = TypeVar("D", bound=QDialog)


def answer_next(kind: type[D], answer: Callable[[D], None]) -> None:
    """Once a modal dialog of ``kind`` is shown, call ``answer(dialog)``."""

    def find() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, kind):
            QTimer.singleShot(20, find)
            return
        answer(dialog)

    QTimer.singleShot(0, find)
