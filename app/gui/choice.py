"""A plain question with one button per option, asked when a workspace cannot be opened
(the self-test answers it instead)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget

CHOICE_QUIT = "Quit"


def ask_choice(parent: QWidget | None, title: str, text: str, options: Sequence[str]) -> str:
    """A plain question with one button per option; returns the chosen option."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setText(text)
    buttons: list[tuple[QAbstractButton, str]] = []
    for option in options:
        role = (
            QMessageBox.ButtonRole.RejectRole
            if option == CHOICE_QUIT
            else QMessageBox.ButtonRole.AcceptRole
        )
        buttons.append((box.addButton(option, role), option))
    box.exec()
    clicked = box.clickedButton()
    return next((option for button, option in buttons if button is clicked), CHOICE_QUIT)
