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

from views.kit.confirm import run_dialog
from views.kit.geometry import FitsScreen, resize_for_text
from views.kit.note_dialog import submit_with_ctrl_enter

# (customer, owner now, teammates) -> the new owner's name, or None when cancelled.
AssignPrompt = Callable[[str, str | None, Sequence[str]], str | None]
# What the prompt answers for "No owner" (the Customers tab's Assign…): no name a person
# can type (a NUL), so no teammate is ever taken for it.
NO_OWNER = "\0no owner"
NO_OWNER_LABEL = "No owner"


class AssignDialog(QDialog):
    """A teammate for a customer; OK is enabled once someone other than the owner is
    chosen."""

    def __init__(
        self,
        customer: str,
        owner: str | None,
        teammates: Sequence[str],
        parent: QWidget | None = None,
        *,
        no_owner: bool = False,
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
        if no_owner and owner:
            # Leave the customer to nobody: no segment rule gives them an owner again.
            self.who.addItem(NO_OWNER_LABEL, NO_OWNER)
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
        resize_for_text(self, 440)
        FitsScreen(self)  # a smaller screen, or one scaled to 150 % or 200 %

    @property
    def chosen(self) -> str:
        """The name chosen or typed; NO_OWNER for the "No owner" entry. A teammate's
        name typed in other capitals is that teammate, spelled as the list spells it (so
        "priya raman" does not make a second Priya Raman in the owner filters)."""
        text = " ".join(self.who.currentText().split())
        index = self.who.findData(NO_OWNER)
        if index >= 0 and text == self.who.itemText(index):
            return NO_OWNER
        folded = text.casefold()
        for i in range(self.who.count()):
            if i != index and self.who.itemText(i).casefold() == folded:
                return self.who.itemText(i)
        return text

    def _update_ok(self, *_args: object) -> None:
        name = self.chosen
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(name) and name.casefold() != (self._owner or "").casefold())

    def accept(self) -> None:
        if self.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled():
            super().accept()


def _ask_assign(
    parent: QWidget,
    customer: str,
    owner: str | None,
    teammates: Sequence[str],
    *,
    no_owner: bool = False,
) -> str | None:
    dialog = AssignDialog(customer, owner, teammates, parent, no_owner=no_owner)
    if not run_dialog(dialog):
        return None
    return dialog.chosen or None
