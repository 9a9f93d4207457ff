"""File ▸ Who I am…: the user's name and email, said once and kept for them in every
workspace. The name is what "Mine" matches against the customers' owners (so the
workspace's owner names are offered), and name and email are who the history says acted
and the From of the user's emails.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from views.kit.combo import ComboBox

# What is wrong with a name and an email, or None (services.core.profile, handed in by app/).
ValidateFn = Callable[[str, str], str | None]

EXPLANATION = (
    "Kept on this computer for you, whichever workspace you open. The history records "
    "what you do under this name and email, <b>Mine</b> shows the customers whose owner "
    "is this name, and your emails go out from this address unless Settings ▸ Sending "
    "email names another."
)


@dataclass(frozen=True)
class IdentityAnswer:
    """What the user said: their name and email (email may be empty)."""

    name: str
    email: str


# Asks who the user is: (current name, current email, owner names, team account) -> the
# answer, or None when they cancel. Tests answer without a dialog.
IdentityPrompt = Callable[[str, str, Sequence[str], str | None], IdentityAnswer | None]


class IdentityDialog(QDialog):
    """Name (typed, or picked from the workspace's owners) and email, checked on Save."""

    def __init__(
        self,
        name: str,
        email: str,
        owners: Sequence[str],
        validate: ValidateFn,
        *,
        account: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Who I am")
        self.setObjectName("identityDialog")
        self._validate = validate
        intro = QLabel(EXPLANATION, self)
        intro.setWordWrap(True)
        intro.setObjectName("muted")
        self.name_box = ComboBox(self)
        self.name_box.setEditable(True)
        self.name_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.name_box.addItems([o for o in dict.fromkeys(owners) if o])
        self.name_box.setCurrentText(name)
        line = self.name_box.lineEdit()
        if line is not None:
            line.setPlaceholderText("e.g. Ana Lopez (as the workspace names the owner)")
        self.name_box.setToolTip("Pick your name as the workspace's owners spell it, or type it")
        self.email_edit = QLineEdit(email, self)
        self.email_edit.setPlaceholderText("e.g. ana.lopez@example.com")
        form = QFormLayout()
        form.addRow("&Name", self.name_box)
        form.addRow("&Email", self.email_edit)
        self.account_label: QLabel | None = None
        if account:
            self.account_label = QLabel(
                f"In this team workspace you act as the database account <b>{account}</b>; "
                "the history records it with your name.",
                self,
            )
            self.account_label.setWordWrap(True)
            self.account_label.setObjectName("muted")
        self.error = QLabel("", self)
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self._on_save)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(intro)
        layout.addLayout(form)
        if self.account_label is not None:
            layout.addWidget(self.account_label)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.setMinimumWidth(480)

    def answer(self) -> IdentityAnswer:
        """What is typed now, trimmed."""
        return IdentityAnswer(self.name_box.currentText().strip(), self.email_edit.text().strip())

    def _on_save(self) -> None:
        answer = self.answer()
        problem = self._validate(answer.name, answer.email)
        if problem:
            self.error.setText(problem)
            self.error.show()
            return
        self.accept()


def ask_identity(
    parent: QWidget | None,
    validate: ValidateFn,
    name: str,
    email: str,
    owners: Sequence[str],
    account: str | None,
) -> IdentityAnswer | None:
    """Show the dialog (modal) and return the answer, or None when cancelled."""
    dialog = IdentityDialog(name, email, owners, validate, account=account, parent=parent)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.answer()
    finally:
        dialog.deleteLater()
