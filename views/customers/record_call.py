"""The "Record my call" dialog of the renewal card: which contract (when the customer has
several open), which checkpoint, the call (commit, likely, at risk, lost) and a note.
Keyboard first: the calls are radio buttons reached with the arrow keys, Enter records."""

from __future__ import annotations

import datetime as dt
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
from services.renewals.card_records import CheckpointState, ContractCard
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
        self,
        customer_id: int,
        customer: str,
        contracts: tuple[ContractCard, ...],
        parent: QWidget,
        *,
        today: dt.date | None = None,
        recorder_note: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Record my call")
        self._customer_id = customer_id
        self._today = today or dt.date.today()
        self._contracts = tuple(c for c in contracts if c.checkpoints)
        intro = QLabel(f"Your call on {customer}'s renewal, kept with the model's likelihood now.")
        intro.setWordWrap(True)
        # Why nothing can be recorded, while the user has not said who they are.
        self.recorder_label = QLabel(recorder_note or "", self)
        self.recorder_label.setWordWrap(True)
        self.recorder_label.setProperty("tone", "warning")
        self.recorder_label.setVisible(bool(recorder_note))
        self.contract_box = name(QComboBox(self), "Contract")
        for c in self._contracts:
            self.contract_box.addItem(f"{c.name}, renews {format_date(c.end_date)}", c.contract_id)
        self.checkpoint_box = name(QComboBox(self), "Checkpoint")
        self.contract_box.currentIndexChanged.connect(self._fill_checkpoints)
        self.checkpoint_box.currentIndexChanged.connect(self._show_existing_call)
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
        # A call is kept with the name of who made it: none to record under, no Record.
        self._named = not recorder_note
        self.buttons_group.buttonToggled.connect(
            lambda *_: ok.setEnabled(self._named and self.call is not None)
        )
        self.button_box.accepted.connect(self.accept)
        self.button_box.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.recorder_label)
        layout.addLayout(form)
        layout.addWidget(self.button_box)
        self.contract_box.setVisible(len(self._contracts) > 1)
        form.labelForField(self.contract_box).setVisible(len(self._contracts) > 1)
        self._fill_checkpoints()
        (self.call_buttons.get(self.call or "") or self.call_buttons[CALLS[0]]).setFocus()

    def _fill_checkpoints(self) -> None:
        self.checkpoint_box.blockSignals(True)
        self.checkpoint_box.clear()
        contract = self._contract()
        if contract is None:
            self.checkpoint_box.blockSignals(False)
            return
        for point in contract.checkpoints:
            self.checkpoint_box.addItem(
                f"{point.months} months before ({format_date(point.day)}), {point.state}",
                point.months,
            )
        self.checkpoint_box.setCurrentIndex(default_checkpoint(contract.checkpoints, self._today))
        self.checkpoint_box.blockSignals(False)
        self._show_existing_call()

    def _contract(self) -> ContractCard | None:
        index = self.contract_box.currentIndex()
        return self._contracts[index] if 0 <= index < len(self._contracts) else None

    def _show_existing_call(self) -> None:
        """The call already recorded at the checkpoint picked as the starting value (to
        keep or change); none: nothing picked, no note."""
        contract, index = self._contract(), self.checkpoint_box.currentIndex()
        points = contract.checkpoints if contract is not None else ()
        existing = points[index].call if 0 <= index < len(points) else None
        self.buttons_group.setExclusive(False)  # an exclusive group cannot be left empty
        for call, button in self.call_buttons.items():
            button.setChecked(existing is not None and existing.call == call)
        self.buttons_group.setExclusive(True)
        self.note_edit.setText(existing.note if existing is not None else "")

    @property
    def customer_id(self) -> int:
        """The customer the call is for (the one shown when it was asked)."""
        return self._customer_id

    @property
    def call(self) -> str | None:
        return next((c for c, b in self.call_buttons.items() if b.isChecked()), None)

    def request(self) -> CallRequest | None:
        """What was asked for (None: no call chosen, or no name to keep it under)."""
        call = self.call
        if call is None or not self._named or self.contract_box.currentIndex() < 0:
            return None
        return CallRequest(
            customer_id=self._customer_id,
            contract_id=int(self.contract_box.currentData()),
            checkpoint_months=int(self.checkpoint_box.currentData()),
            call=call,
            note=self.note_edit.text().strip(),
        )


def default_checkpoint(points: tuple[CheckpointState, ...], today: dt.date) -> int:
    """The checkpoint the dialog starts on: the latest one reached (the nearest the renewal
    date whose day has come), called already or not; before any is reached, the first to
    come."""
    if not points:
        return -1
    reached = [i for i, p in enumerate(points) if p.day <= today]
    if reached:
        return max(reached, key=lambda i: points[i].day)
    return min(range(len(points)), key=lambda i: points[i].day)
