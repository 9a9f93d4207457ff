"""The composer's questions to the user as Qt dialogs, and the desktop services it uses:
the defaults of ComposerController (and BatchController), which tests replace with plain
functions.

Questions: review the request before it goes to a provider, confirm the recipient, where
to save an .eml, use a draft the checks found problems in, discard the edits of a draft
on closing, whether emails taken to the mail app or saved were sent (when the composer or
the review queue closes with its bar unanswered). Desktop: the mail handler
(``open_url``), the clipboard and the folder of the mail app's drafts.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from views.kit.confirm import ask_keep_or_discard, ask_yes_cancel
from views.kit.file_dialogs import save_file_name
from views.outreach.composer_dialog import RecipientDialog, RequestPreviewDialog

# (text, host, asking) -> "send" | "template" | "cancel"
PreviewFn = Callable[[str, str, bool], str]
# (customer, recipient, action words) -> the confirmed address, or None
ConfirmFn = Callable[[str, str, str], str | None]
# suggested file name -> chosen path, or None
SavePathFn = Callable[[str], str | None]
# (problems) -> send anyway?
ProblemsFn = Callable[[list[str]], bool]


def ask_preview(parent: QWidget, text: str, host: str, asking: bool) -> str:
    dialog = RequestPreviewDialog(text, host=host, asking=asking, parent=parent)
    try:
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        return dialog.result_choice if accepted else "cancel"
    finally:
        dialog.deleteLater()


def confirm_recipient(parent: QWidget, customer: str, recipient: str, action: str) -> str | None:
    dialog = RecipientDialog(customer, recipient, action, parent)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.address.text().strip() or None
    finally:
        dialog.deleteLater()


def ask_eml_path(parent: QWidget, suggested: str) -> str | None:
    path, _ = save_file_name(parent, "Save the email", suggested, "Email files (*.eml)")
    return path or None


def confirm_problems(parent: QWidget, problems: list[str]) -> bool:
    text = "The checks found:\n\n" + "\n".join(f"• {p}" for p in problems)
    return ask_yes_cancel(parent, "Use this draft anyway?", text + "\n\nUse the draft as it is?")


def ask_discard(parent: QWidget, customer: str) -> bool:
    """The composer closes with edits not copied or sent: True to discard them. Keep
    editing is the default (Enter and Esc keep the draft)."""
    to = f" to {customer}" if customer else ""
    return ask_keep_or_discard(
        parent,
        "Discard your edits?",
        f"The draft{to} has changes you have not copied or sent.",
        "Discarded, they are lost. Keep editing to copy or send them first.",
    )


def ask_sent(parent: QWidget, customer: str) -> bool:
    """The composer closes with "Did you send it?" unanswered: True to log it as sent."""
    return _ask_sent(
        parent,
        "Did you send it?",
        f"Did you send the email to {customer}?",
        "Logged as sent, it counts as contact: the alert moves to in progress and the "
        "quiet period starts. Not sent logs nothing.",
        "Yes, log it as sent",
    )


def ask_sent_them(parent: QWidget, count: int) -> bool:
    """The review queue closes with "Did you send them?" unanswered (after Open each in
    the mail app or Save as a folder of .eml files): True to log them as sent."""
    emails = f"{count:,} email{'s' if count != 1 else ''}"
    return _ask_sent(
        parent,
        "Did you send them?",
        f"Did you send the {emails} you took from the review queue?",
        "Logged as sent, each counts as contact: its alert moves to in progress and the "
        "quiet period starts. Not sent logs nothing and keeps them approved.",
        "Yes, log them as sent",
    )


def _ask_sent(parent: QWidget, title: str, text: str, detail: str, yes_text: str) -> bool:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setText(text)
    box.setInformativeText(detail)
    yes = box.addButton(yes_text, QMessageBox.ButtonRole.YesRole)
    box.addButton("Not sent", QMessageBox.ButtonRole.NoRole)
    box.setDefaultButton(yes)
    try:
        box.exec()
        return box.clickedButton() is yes
    finally:
        box.deleteLater()


def open_url(url: str) -> bool:
    return QDesktopServices.openUrl(QUrl(url))


def copy_text(text: str) -> None:
    QGuiApplication.clipboard().setText(text)


def drafts_folder() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("AccountRadar", appauthor=False)) / "drafts"
