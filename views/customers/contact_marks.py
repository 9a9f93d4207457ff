"""What the customer pane changes about whether a customer may be written to: mark a
customer do not contact (it asks first, with an optional reason the history keeps) or lift
the mark (it asks first), and end the quiet period after contact early (with a reason,
kept in the history); the customer's opt-out of activity tracking (its line says since
when, and that their usage and conversations are not used); and the owner's renewal call
the renewal card asks for. All are audited, done on the job runner and undoable (Ctrl+Z)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from services.alerts.records import Undoable
from services.core.formatting import format_date
from services.core.records import CustomerDetail
from views.customers.record_call import CallRequest
from views.customers.source import CustomerSource
from views.kit import confirm_note
from views.kit.confirm import ask_yes_cancel, run_dialog
from views.kit.confirm_note import NotePrompt
from views.kit.note_dialog import NoteDialog
from views.kit.undo import UndoHistory

if TYPE_CHECKING:
    from views.kit.jobs import JobRunner

# (title, question) -> the reason typed, or None when cancelled.
ReasonPrompt = Callable[[str, str], str | None]


class ContactMarks:
    """The customer pane's contact actions (a mix-in of CustomerDetailPane)."""

    _jobs: JobRunner
    _source: CustomerSource | None
    _detail: CustomerDetail | None
    _undo: UndoHistory | None
    _confirm: Callable[[str, str], bool] | None
    _ask_reason: ReasonPrompt | None
    # Do not contact…'s question with its optional note (None: the dialog, or, when the
    # pane was given a yes/no ``confirm``, that, with no note).
    _ask_note: NotePrompt | None = None

    def refresh(self) -> None: ...  # the pane's: read the customer anew

    def _contact_changed(self, customer_id: int) -> None: ...  # the pane's signal

    draft_requested: SignalInstance
    holdout_draft_requested: SignalInstance
    renewal_call_changed: SignalInstance

    def set_undo_history(self, history: UndoHistory | None) -> None:
        """Where what is done here is remembered for Undo (Ctrl+Z)."""
        self._undo = history

    def _build_tracking_row(self, parent: QWidget) -> QWidget:
        """The opt-out of activity tracking: its sentence when opted out, and the button
        that records it (or takes it back)."""
        row = QWidget(parent)
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        self.tracking_label = QLabel(row)
        self.tracking_label.setObjectName("trackingConsent")
        self.tracking_label.setWordWrap(True)
        self.tracking_button = QPushButton("Opt out of tracking…", row)
        self.tracking_button.setObjectName("trackingConsentButton")
        self.tracking_button.clicked.connect(self._on_tracking_button_clicked)
        layout.addWidget(self.tracking_label, 1)
        layout.addStretch(0)
        layout.addWidget(self.tracking_button)
        return row

    def _show_tracking(self, d: CustomerDetail) -> None:
        words = d.tracking_words
        self.tracking_label.setText(words or "")
        self.tracking_label.setVisible(words is not None)
        self.tracking_button.setText("Opt back in…" if words else "Opt out of tracking…")
        self.tracking_button.setToolTip(
            "They agreed to activity tracking again: their usage and conversations count"
            if words
            else "They opted out of activity tracking: leave their usage and conversations "
            "out of the scores and of every request to a model"
        )
        self.tracking_button.setVisible(self._source is not None)

    def _on_tracking_button_clicked(self) -> None:
        if self._detail is not None:
            self.set_tracking(self._detail.id, self._detail.tracking_opted_out_at is None)

    def set_tracking(self, customer_id: int, opted_out: bool) -> None:
        """Ask, then record the customer's opt-out of activity tracking (or opt-in)."""
        source, d = self._source, self._detail
        if source is None or d is None or d.id != customer_id:
            return
        if (d.tracking_opted_out_at is not None) == opted_out:
            return
        question = (
            f"{d.name} opted out of activity tracking? Their product usage and conversations "
            "are left out of the scores from the next scoring, and out of every request to "
            "a model. The history records who set it."
            if opted_out
            else f"{d.name} agreed to activity tracking again? Their usage and "
            "conversations count again from the next scoring."
        )
        title = "Opt out of tracking?" if opted_out else "Opt back in?"
        if not (self._confirm or self._ask_yes)(title, question):
            return
        change = source.set_tracking_consent
        self._change(customer_id, lambda: change(customer_id, opted_out), "tracking consent")

    def _on_dnc_button_clicked(self) -> None:
        if self._detail is not None:
            self.mark_do_not_contact(self._detail.id)

    def _on_lift_button_clicked(self) -> None:
        if self._detail is not None:
            self.lift_do_not_contact(self._detail.id)

    def _on_quiet_button_clicked(self) -> None:
        if self._detail is not None:
            self.end_quiet_period(self._detail.id)

    def draft_or_ask(self, customer_id: int) -> None:
        """Open the composer; for a customer in the holdout, ask why first (the answer
        goes with the email; no answer, no composer)."""
        d = self._detail
        if d is None or d.id != customer_id:
            return
        if not d.holdout:
            self.draft_requested.emit(customer_id)
            return
        question = (
            f"{d.name} is in the holdout: no outreach is suggested, so that Results can "
            "show what outreach changes. Contacting them takes them out of the comparison. "
            "Why contact them? (kept in the history)"
        )
        reason = (self._ask_reason or self._ask_text)("Contact a held-out customer", question)
        if reason:
            self.holdout_draft_requested.emit(customer_id, reason)

    def lift_do_not_contact(self, customer_id: int) -> None:
        """Ask, then lift the customer's do-not-contact mark (audited) and show them anew."""
        source, d = self._source, self._detail
        if source is None or d is None or d.id != customer_id or not d.do_not_contact:
            return
        question = (
            f"{d.name} asked not to be contacted. Lift the mark only if they asked to hear "
            "from you again: outreach to them becomes possible, and the history records "
            "who lifted it.\n\nAllow contact with this customer again?"
        )
        if not (self._confirm or self._ask_yes)("Allow contact again?", question):
            return
        set_mark = source.set_do_not_contact
        self._change(customer_id, lambda: set_mark(customer_id, False), "allow contact")

    def mark_do_not_contact(self, customer_id: int) -> None:
        """Ask, then mark the customer do not contact (audited): no outreach, no new
        alerts' emails; Allow contact… lifts it again."""
        source, d = self._source, self._detail
        if source is None or d is None or d.id != customer_id or d.do_not_contact:
            return
        question = (
            f"Mark {d.name} do not contact? No email can be drafted or sent to them until "
            "the mark is lifted, and the history records who set it."
        )
        note = self._note_for("Do not contact?", question, "Do not contact")
        if note is None:
            return
        set_mark = source.set_do_not_contact
        self._change(
            customer_id, lambda: set_mark(customer_id, True, note or None), "do not contact"
        )

    def _note_for(self, title: str, question: str, button: str) -> str | None:
        """Ask with an optional note: the note ("" for none), or None when cancelled."""
        if self._ask_note is not None:
            return self._ask_note(title, question, button)
        if self._confirm is not None:
            return "" if self._confirm(title, question) else None
        return confirm_note.ask_note(self._widget(), title, question, button)

    def end_quiet_period(self, customer_id: int) -> None:
        """Ask why, then end the customer's quiet period after contact (audited)."""
        source, d = self._source, self._detail
        if source is None or d is None or d.id != customer_id or d.quiet_until is None:
            return
        question = (
            f"{d.name} was contacted recently; the quiet period lasts until "
            f"{format_date(d.quiet_until.date())}. Why contact them now? (kept in the history)"
        )
        reason = (self._ask_reason or self._ask_text)("End the quiet period", question)
        if not reason:
            return
        end = source.end_quiet_period
        self._change(customer_id, lambda: end(customer_id, reason), "end the quiet period")

    def record_call(self, request: CallRequest) -> None:
        """Record the owner's renewal call the card asked for, on the customer shown only
        (audited, undoable)."""
        source, d = self._source, self._detail
        if source is None or d is None or d.id != request.customer_id:
            return
        r = request

        def record() -> Undoable:
            assert source is not None
            return source.record_renewal_call(
                r.customer_id, r.contract_id, r.checkpoint_months, r.call, r.note
            )

        # Recorded or undone, the renewal figures elsewhere (Results, My work) read anew.
        calls = self.renewal_call_changed.emit
        self._change(r.customer_id, record, "record the call", also=calls)

    def _change(
        self,
        customer_id: int,
        change: Callable[[], Undoable],
        label: str,
        *,
        also: Callable[[int], None] | None = None,
    ) -> None:
        def after() -> None:
            self._after_change(customer_id)
            if also is not None:
                also(customer_id)

        def done(undoable: Undoable) -> None:
            if self._undo is not None:
                self._undo.push(undoable, after)
            after()

        (
            self._jobs.operation(lambda _state: change(), parent=self._widget(), label=label)
            .success(done)
            .failure(self._jobs.present_error)
            .run()
        )

    def _after_change(self, customer_id: int) -> None:
        self._contact_changed(customer_id)
        self.refresh()

    def _widget(self) -> QWidget:
        assert isinstance(self, QWidget)
        return self

    def _ask_yes(self, title: str, text: str) -> bool:
        return ask_yes_cancel(self._widget(), title, text)

    def _ask_text(self, title: str, label: str) -> str | None:
        dialog = NoteDialog(title, label, self._widget())
        if not run_dialog(dialog):
            return None
        return dialog.text.toPlainText().strip() or None
