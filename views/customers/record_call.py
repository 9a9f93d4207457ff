"""The "Record my call" dialog of the renewal card: which contract (when the customer has
several open), which checkpoint, the call (commit, likely, at risk, lost) and a note.
Keyboard first: the calls are radio buttons reached with the arrow keys, Enter records."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from services.core.formatting import format_date
from services.renewals.card_records import DUE, TO_COME, ContractCard
from services.renewals.vocab import CALL_CHANCE, CALL_LABELS, CALLS
from views.kit.accessibility import name

# What each call means, beside its button.
CALL_HINTS = {
    call: f"{CALL_LABELS[call]} (about {CALL_CHANCE[call]:.0%} to renew)" for call in CALLS
}


@dataclass(frozen=True)
class CallRequest:
    """What the user asked to record."""

    customer_id: int
    contract_id: int
    checkpoint_months: int
    call: str
    note: str


class RecordCallDialog(QDialog):
    """Ask for the owner's call on one customer's renewal."""

    def __init__(
        self, customer_id: int, customer: str, contracts: tuple[ContractCard, ...], parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Record my call")
        self._customer_id = customer_id
        self._contracts = tuple(c for c in contracts if c.checkpoints)
        intro = QLabel(f"Your call on {customer}'s renewal, kept with the model's likelihood now.")
        intro.setWordWrap(True)
        self.contract_box = name(QComboBox(self), "Contract")
        for c in self._contracts:
            self.contract_box.addItem(f"{c.name}, renews {format_date(c.end_date)}", c.contract_id)
        self.checkpoint_box = name(QComboBox(self), "Checkpoint")
        self.contract_box.currentIndexChanged.connect(self._fill_checkpoints)
        self.buttons_group = QButtonGroup(self)
        calls_row = QHBoxLayout()
        self.call_buttons: dict[str, QRadioButton] = {}
        for call in CALLS:
            button = QRadioButton(CALL_LABELS[call], self)
            button.setToolTip(CALL_HINTS[call])
            self.buttons_group.addButton(button)
            self.call_buttons[call] = button
            calls_row.addWidget(button)
        calls_row.addStretch(1)
        self.note_edit = name(QLineEdit(self), "Note")
        self.note_edit.setPlaceholderText("Why: what you heard, what would change it")
        form = QFormLayout()
        form.addRow("Contract", self.contract_box)
        form.addRow("Checkpoint", self.checkpoint_box)
        form.addRow("My call", calls_row)
        form.addRow("Note", self.note_edit)
        self.button_box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.button_box.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Record")
        ok.setEnabled(False)
        self.buttons_group.buttonToggled.connect(lambda *_: ok.setEnabled(self.call is not None))
        self.button_box.accepted.connect(self.accept)
        self.button_box.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.button_box)
        self.contract_box.setVisible(len(self._contracts) > 1)
        form.labelForField(self.contract_box).setVisible(len(self._contracts) > 1)
        self._fill_checkpoints()
        self.call_buttons[CALLS[0]].setFocus()

    def _fill_checkpoints(self) -> None:
        self.checkpoint_box.clear()
        index = self.contract_box.currentIndex()
        if not 0 <= index < len(self._contracts):
            return
        contract = self._contracts[index]
        chosen = 0
        for i, point in enumerate(contract.checkpoints):
            self.checkpoint_box.addItem(
                f"{point.months} months before ({format_date(point.day)}), {point.state}",
                point.months,
            )
            if point.state == DUE or (point.state == TO_COME and chosen == 0 and i):
                chosen = i
        due = [i for i, p in enumerate(contract.checkpoints) if p.state == DUE]
        self.checkpoint_box.setCurrentIndex(due[0] if due else chosen)

    @property
    def customer_id(self) -> int:
        """The customer the call is for (the one shown when it was asked)."""
        return self._customer_id

    @property
    def call(self) -> str | None:
        return next((c for c, b in self.call_buttons.items() if b.isChecked()), None)

    def request(self) -> CallRequest | None:
        """What was asked for (None: no call chosen)."""
        call = self.call
        if call is None or self.contract_box.currentIndex() < 0:
            return None
        return CallRequest(
            customer_id=self._customer_id,
            contract_id=int(self.contract_box.currentData()),
            checkpoint_months=int(self.checkpoint_box.currentData()),
            call=call,
            note=self.note_edit.text().strip(),
        )
