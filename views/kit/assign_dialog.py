"""Assign… (A in the Alerts tab, and in the Customers tab's detail): whom a customer and
its card go to. The teammates are offered (the workspace's owners and, in a shared
workspace, the members' books); a workspace of one's own also takes a new name. The
``_ask_assign`` function is what the panes call, and what tests replace."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from views.kit.note_dialog import submit_with_ctrl_enter

# (customer, owner now, teammates) -> the new owner's name, or None when cancelled.
AssignPrompt = Callable[[str, str | None, Sequence[str]], str | None]


class AssignDialog(QDialog):
    """A teammate for a customer; OK is enabled once someone other than the owner is
    chosen."""

    def __init__(
        self,
        customer: str,
        owner: str | None,
        teammates: Sequence[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Assign to a teammate")
        self.setObjectName("assignDialog")
        self._owner = owner
        intro = QLabel(
            f"Who should look after {customer}? Their open alerts go with them, and they "
            "see it in My work and in Since yesterday.",
            self,
        )
        intro.setWordWrap(True)
        self.who = QComboBox(self)
        self.who.setObjectName("assignee")
        self.who.setEditable(True)
        self.who.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        others = [t for t in teammates if t != owner]
        self.who.addItems(others)
        self.who.setCurrentIndex(-1)
        line = self.who.lineEdit()
        assert line is not None
        line.setPlaceholderText("Choose a teammate or type a name")
        self.who.setAccessibleName("Teammate")
        form = QFormLayout()
        form.addRow("Now", QLabel(owner or "No owner", self))
        form.addRow("Assign to", self.who)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Assign")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.who.editTextChanged.connect(self._update_ok)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        submit_with_ctrl_enter(self)
        self._update_ok()
        self.resize(440, self.sizeHint().height())

    @property
    def chosen(self) -> str:
        return " ".join(self.who.currentText().split())

    def _update_ok(self, *_args: object) -> None:
        name = self.chosen
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(name) and name.casefold() != (self._owner or "").casefold())

    def accept(self) -> None:
        if self.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled():
            super().accept()


def _ask_assign(
    parent: QWidget, customer: str, owner: str | None, teammates: Sequence[str]
) -> str | None:
    dialog = AssignDialog(customer, owner, teammates, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.chosen or None
