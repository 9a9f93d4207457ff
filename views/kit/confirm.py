"""The app's yes-or-cancel question. Cancel is the default button, so Enter on a question
that would change, send or remove something leaves it as it is; Yes must be chosen.

Screens that ask take a :data:`ConfirmPrompt` (tests answer it without a dialog);
:func:`ask_yes_cancel` is the real one.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

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


def ask_to_go_on(parent: QWidget | None, title: str, text: str, go: str) -> bool:
    """Ask before something that can be undone: True only for the ``go`` button, the
    default (Enter); Cancel is the escape (Esc)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setText(text)
    yes = box.addButton(go, QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(yes)
    box.setEscapeButton(cancel)
    try:
        box.exec()
        return box.clickedButton() is yes
    finally:
        box.deleteLater()


def ask_keep_or_discard(parent: QWidget | None, title: str, text: str, more: str) -> bool:
    """Typed work would be dropped: True only when the person chooses Discard. Keep editing
    is the default, so Enter and Esc keep the work."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setText(text)
    box.setInformativeText(more)
    keep = box.addButton("Keep editing", QMessageBox.ButtonRole.RejectRole)
    discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    try:
        box.exec()
        return box.clickedButton() is discard
    finally:
        box.deleteLater()


def run_dialog(dialog: QDialog) -> bool:
    """Show a dialog made for one question until it is answered: True when accepted.
    It is deleted afterwards by the window's event loop (its answer may still be read
    until then), not left to Python's garbage collector, which may collect it on a worker
    thread where a window must never be torn down."""
    try:
        return dialog.exec() == QDialog.DialogCode.Accepted
    finally:
        dialog.deleteLater()
