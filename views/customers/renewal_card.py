"""The customer pane's renewal card: each open contract (else the latest decided) with its
renewal date, recurring amount, auto-renew and the last day for notice; the model's
likelihood to renew with its kind and drivers; the owner's calls at the checkpoints (a
call due said so); where the owner's call and the model disagree, in words; and "Record my
call…", which acts only on the customer shown. A customer without contracts shows no card.

It is handed a services.renewals.card.RenewalCard and shows it as it is; recording is the
pane's (``record_requested``), so that the call runs on the job runner and Ctrl+Z undoes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from services.core.formatting import format_date, format_percent
from services.renewals.card_records import (
    DUE,
    MISSED,
    RECORDED,
    CallRecord,
    ContractCard,
    RenewalCard,
)
from services.renewals.vocab import OPEN
from views.customers.record_call import CallRequest, RecordCallDialog
from views.kit.accessibility import name


def _call_words(call: CallRecord) -> str:
    who = f" by {call.who}" if call.who else ""
    note = f" (“{call.note}”)" if call.note else ""
    return f"{call.label}{who} on {format_date(call.made_at.date())}{note}"


def checkpoint_words(
    contract: ContractCard, due_words: str = "Your call is due"
) -> list[tuple[str, str]]:
    """Each checkpoint in words, with its tone: 'Call at 6 months (Dec 15, 2025): Commit by
    Maya on Jan 5, 2026 (“Budget signed off”)', 'Call at 3 months (Mar 15, 2026): your call
    is due'."""
    out = []
    for point in contract.checkpoints:
        head = f"Call at {point.months} months ({format_date(point.day)})"
        if point.state == RECORDED and point.call is not None:
            out.append((f"{head}: {_call_words(point.call)}", ""))
        elif point.state == DUE:
            whose = (
                due_words[0].lower() + due_words[1:] if due_words[:2] in ("Yo", "A ") else due_words
            )
            out.append((f"{head}: {whose}", "warning"))
        elif point.state == MISSED:
            out.append((f"{head}: no call made", "muted"))
        else:
            out.append((f"{head}: to come", "muted"))
    return out


def likelihood_words(contract: ContractCard) -> str:
    """'Likelihood to renew 31% (fitted on this workspace's renewals, Mar 1, 2026)'."""
    f = contract.forecast
    if f is None and contract.outcome != OPEN:
        # A renewal already decided is not scored: its outcome is on the line above.
        return f"Decided: {contract.outcome} (no likelihood is scored once a renewal is decided)"
    if f is None:
        return "Likelihood to renew: not yet scored (score the workspace to see it)"
    return (
        f"Likelihood to renew {format_percent(f.likelihood)} "
        f"({contract.model_words}, {format_date(f.as_of)})"
    )


def _label(text: str, parent: QWidget, *, tone: str = "", bold: bool = False) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    if tone:
        label.setProperty("tone", tone)
    if bold:
        font = label.font()
        font.setBold(True)
        label.setFont(font)
    return label


class ContractBox(QFrame):
    """One contract on the card."""

    def __init__(
        self, contract: ContractCard, parent: QWidget, due_words: str = "Your call is due"
    ) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.contract = contract
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(3)
        self.name_label = _label(contract.name, self, bold=True)
        self.terms_label = _label(contract.terms(), self)
        layout.addWidget(self.name_label)
        layout.addWidget(self.terms_label)
        self.likelihood_label = _label(likelihood_words(contract), self)
        layout.addWidget(self.likelihood_label)
        drivers = contract.forecast.drivers if contract.forecast is not None else ()
        self.drivers_label = _label("Why: " + " · ".join(drivers), self, tone="muted")
        self.drivers_label.setVisible(bool(drivers))
        layout.addWidget(self.drivers_label)
        self.checkpoint_labels = []
        for text, tone in checkpoint_words(contract, due_words):
            label = _label(text, self, tone=tone)
            self.checkpoint_labels.append(label)
            layout.addWidget(label)
        self.disagreement_label = _label(contract.disagreement or "", self, tone="warning")
        self.disagreement_label.setObjectName("renewalDisagreement")
        self.disagreement_label.setVisible(contract.disagreement is not None)
        layout.addWidget(self.disagreement_label)
        name(self, f"Contract {contract.name}", "; ".join(self.texts()))

    def texts(self) -> list[str]:
        """Every line shown, in order (tests, and the box's accessible description)."""
        labels = [self.name_label, self.terms_label, self.likelihood_label]
        labels += [self.drivers_label] if self.drivers_label.isVisibleTo(self) else []
        labels += self.checkpoint_labels
        labels += [self.disagreement_label] if self.contract.disagreement else []
        return [label.text() for label in labels]


class RenewalCardSection(QWidget):
    """The renewal card of the customer on screen (hidden without contracts).

    Signals:
        record_requested(CallRequest): the user asked to record a call on the customer
            shown (the pane records it).
    """

    record_requested = Signal(object)

    def __init__(
        self, parent: QWidget | None = None, *, today: Callable[[], dt.date] = dt.date.today
    ) -> None:
        super().__init__(parent)
        self.setObjectName("renewalCard")
        self._today = today  # which checkpoints are reached (the pane's clock)
        self._card: RenewalCard | None = None
        self._customer = ""
        self.dialog: RecordCallDialog | None = None
        self.title_label = QLabel("Renewal", self)
        self.title_label.setObjectName("sectionTitle")
        self.due_label = QLabel("", self)
        self.due_label.setProperty("tone", "warning")
        # Wraps in a narrow pane (large text): the card never widens the pane past its view.
        self.due_label.setWordWrap(True)
        self.record_button = QPushButton("Record my &call…", self)
        self.record_button.setObjectName("recordCallButton")
        self.record_button.setToolTip(
            "Record your own call on this renewal (commit, likely, at risk, lost) with a note"
        )
        self.record_button.clicked.connect(self.ask_call)
        header = QHBoxLayout()
        header.setSpacing(10)
        header.addWidget(self.title_label)
        header.addWidget(self.due_label, 1)
        header.addWidget(self.record_button)
        self._boxes_layout = QVBoxLayout()
        self._boxes_layout.setSpacing(6)
        self.boxes: list[ContractBox] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(header)
        layout.addLayout(self._boxes_layout)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.hide()

    @property
    def card(self) -> RenewalCard | None:
        return self._card

    def show_card(self, card: RenewalCard | None, customer: str = "") -> None:
        """Show a customer's renewals; hidden when they have no contract."""
        self._card, self._customer = card, customer
        for box in self.boxes:
            box.deleteLater()
        self.boxes = []
        leaving = card is None or (
            self.dialog is not None and self.dialog.customer_id != card.customer_id
        )
        if self.dialog is not None and leaving:  # asked for the customer leaving: gone with them
            self.dialog.reject()
        if card is None or not card.contracts:
            self.hide()
            return
        for contract in card.contracts:
            box = ContractBox(contract, self, card.due_words)
            self.boxes.append(box)
            self._boxes_layout.addWidget(box)
        due = [c for c in card.contracts if c.due_months is not None]
        self.due_label.setText(
            f"{card.due_words} ({due[0].due_months} months before {format_date(due[0].end_date)})"
            if due
            else ""
        )
        callable_ = any(c.checkpoints for c in card.contracts)
        self.record_button.setEnabled(callable_)
        self.record_button.setVisible(callable_)
        self.show()

    def ask_call(self) -> None:
        """Open "Record my call" for the customer shown."""
        card = self._card
        if card is None or not any(c.checkpoints for c in card.contracts):
            return
        # Where the keys were (the card's button, the customers table): back there after,
        # so that Ctrl+Z right away undoes the call (never a text field the window picked).
        back = QApplication.focusWidget() or self.window().focusWidget() or self.record_button
        dialog = RecordCallDialog(
            card.customer_id,
            self._customer,
            card.contracts,
            self,
            today=self._today(),
            recorder_note=card.recorder_note,
        )
        self.dialog = dialog

        def done(result: int) -> None:
            request = dialog.request() if result == RecordCallDialog.DialogCode.Accepted else None
            self.dialog = None
            dialog.deleteLater()
            # A call recorded from a text field (the search box, typed into): the card's
            # button instead, where Ctrl+Z undoes the call and not the field's typing.
            typed = isinstance(back, QLineEdit | QTextEdit | QPlainTextEdit | QAbstractSpinBox)
            self._focus_back(self.record_button if request is not None and typed else back)
            card = self._card
            if request is not None and card is not None and request.customer_id == card.customer_id:
                self.record_requested.emit(request)

        dialog.finished.connect(done)
        dialog.open()

    def _focus_back(self, widget: QWidget) -> None:
        """The focus to where it was when the dialog opened, else the card's button."""
        for target in (widget, self.record_button, self):
            if shiboken6.isValid(target) and target.isVisible() and target.isEnabled():
                target.setFocus(Qt.FocusReason.OtherFocusReason)
                return

    def set_busy(self, busy: bool) -> None:
        """No second call while one is being recorded, or while another customer loads."""
        self.record_button.setEnabled(not busy and self._card is not None)


__all__ = ["CallRequest", "RenewalCardSection"]
