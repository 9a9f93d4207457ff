"""The email composer's controller: context from the workspace, drafts from the provider
(streamed, two variants, Stop at once) or the template library, then copy / open in the
mail app / save .eml / send by SMTP, each recorded as outreach.

Database work runs on the job runner's database worker; the provider's stream runs on
the work pool, one task per variant (draft_variants.py), and reaches the dialog as
throttled progress (the text so far). Stop cancels both tasks and closes their
connections at once. What leaves the composer goes through sending.py; what is not about
Qt is in services/outreach/ (composing.py, composer_text.py, delivery.py).

Signals:
    outreach_recorded(customer_id, alert_id): an email was sent or exported (alert_id 0:
        none); the alert moved to in progress.
    step_done(step_id): the playbook step the composer was opened for was marked done,
        the email it asked for being sent.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from app.gui.context import GuiContext, WindowContext
from app.gui.outreach import questions
from app.gui.outreach.draft_variants import DraftVariants
from app.gui.outreach.questions import ConfirmFn, PreviewFn, ProblemsFn, SavePathFn
from app.gui.outreach.sending import Outgoing, OutreachSender
from app.workspace import Workspace
from services.alerts.records import SentAs
from services.llm.providers import host_of
from services.outreach.composer_text import (
    incentive_words,
    offline_preview_text,
    provider_words,
)
from services.outreach.records import GOAL_LABELS, TONE_LABELS
from views.kit.confirm import ask_yes_cancel
from views.kit.jobs import JobRunner, TaskState
from views.outreach.composer_dialog import VARIANTS, ComposerDialog, ComposerHeader

if TYPE_CHECKING:
    from services.mail.delivery import SmtpSettings
    from services.outreach.batch_records import WaitingDraft
    from services.outreach.drafting import DraftRequest

EXPORT_WORDS = {"mail": "Open in your mail app", "eml": "Save as .eml", "smtp": "Send"}


log = logging.getLogger(__name__)


def tone_choices(tone: str, segment: str) -> tuple[tuple[str, str], ...]:
    """The tones the composer offers, the one a customer's segment gives saying so
    ("Concise (Champions)", Settings ▸ Per segment)."""
    return tuple(
        (key, f"{label} ({segment})" if segment and key == tone else label)
        for key, label in TONE_LABELS.items()
    )


class ComposerController(QObject):
    """Opens the composer for a customer (and alert) and carries out what it asks."""

    outreach_recorded = Signal(int, int)
    step_done = Signal(int)

    def __init__(
        self,
        context: WindowContext,
        *,
        user: Callable[[], str],
        default_sender: Callable[[], str | None] = lambda: None,
        ask_preview: PreviewFn | None = None,
        confirm_recipient: ConfirmFn | None = None,
        ask_eml_path: SavePathFn | None = None,
        open_url: Callable[[str], bool] = questions.open_url,
        copy_text: Callable[[str], None] = questions.copy_text,
        drafts_folder: Callable[[], Path] = questions.drafts_folder,
        confirm_problems: ProblemsFn | None = None,
        ask_sent_on_close: Callable[[str], bool] | None = None,
        clock: Callable[[], dt.datetime] | None = None,
        confirm_rewrite: Callable[[str], bool] | None = None,
        confirm_discard: Callable[[str], bool] | None = None,
    ) -> None:
        jobs, window = context.jobs, context.window
        super().__init__(window)
        self._jobs = jobs
        self._window: QWidget = window
        self._workspace = context.workspace
        self._user = user
        # The user's own address (File ▸ Who I am…), the From of their emails when the
        # workspace's Sending email settings name none.
        self._default_sender = default_sender
        self._ask_preview = ask_preview or (
            lambda text, host, asking: questions.ask_preview(
                self._parent_widget(), text, host, asking
            )
        )
        self._confirm = confirm_recipient or (
            lambda customer, recipient, action: questions.confirm_recipient(
                self._parent_widget(), customer, recipient, action
            )
        )
        self._confirm_problems = confirm_problems or (
            lambda problems: questions.confirm_problems(self._parent_widget(), problems)
        )
        # The composer closes with "Did you send it?" unanswered: asked once more.
        self._ask_sent_on_close = ask_sent_on_close or (
            lambda customer: questions.ask_sent(self._window, customer)
        )
        self._copy_text = copy_text
        self._clock = clock
        # Another person picked in To while a draft holds the user's edits: asked first.
        self._confirm_rewrite = confirm_rewrite or (
            lambda person: ask_yes_cancel(
                self._parent_widget(),
                "Write the drafts again?",
                f"Write both drafts again to {person}? The changes you made to them are lost.",
            )
        )
        # Close (Esc, the window's close) with edits not copied or sent: Discard (True)?
        self._confirm_discard = confirm_discard or (
            lambda customer: questions.ask_discard(self._parent_widget(), customer)
        )
        self._experiment = ""
        self.dialog: ComposerDialog | None = None
        self.request: DraftRequest | None = None
        self.smtp: SmtpSettings | None = None
        # The exact request(s) for the "What will be sent" view, made on the worker (the
        # key's source comes from the keyring, which may be slow or ask for a password).
        self.request_text = ""
        # The workspace the open composer belongs to (not whatever is open later).
        self._ws: Workspace | None = None
        self._customer_id = 0
        self._contact_id: int | None = None  # whom at the account (None: its champion)
        self._alert_id: int | None = None
        # Opened for a customer, not an alert: the first preparation looks for their alert.
        self._find_alert = False
        self._reviewed = False
        self._holdout_reason: str | None = None
        # The customer's draft waiting in the review queue, offered once per composer.
        self._offer_waiting = False
        self._waiting: WaitingDraft | None = None
        self._closing_quietly = False
        self._drafts = DraftVariants(
            jobs, dialog=lambda: self.dialog, request=lambda: self.request, parent=self
        )
        self._sender = OutreachSender(
            jobs,
            dialog=lambda: self.dialog,
            user=user,
            ask_eml_path=ask_eml_path
            or (lambda suggested: questions.ask_eml_path(self._parent_widget(), suggested)),
            open_url=open_url,
            drafts_folder=drafts_folder,
            clock=clock,
            parent=self,
        )
        self._sender.outreach_recorded.connect(self.outreach_recorded)
        self._sender.step_done.connect(self.step_done)
        # The playbook step (My work) the open composer's email answers: done when sent.
        self._step_id: int | None = None

    # -- opening --------------------------------------------------------------------------

    def open(
        self, alert_id: int | None, customer_id: int, holdout_reason: str | None = None
    ) -> None:
        """Open the composer for a customer (and the alert it answers); with
        ``holdout_reason``, why a held-out customer is contacted anyway (recorded with
        the email)."""
        self._holdout_reason = holdout_reason
        self._step_id = None
        self._open(alert_id, customer_id, find_alert=False)

    def open_for_step(self, step_id: int, alert_id: int | None, customer_id: int) -> None:
        """Open the composer for a playbook's email step (My work ▸ Done): the step is
        marked done once the email is sent or logged as sent, not on opening."""
        self._holdout_reason = None
        self._step_id = step_id
        self._open(alert_id, customer_id, find_alert=alert_id is None)

    def open_for_customer(self, customer_id: int, holdout_reason: str | None = None) -> None:
        """Open the composer for a customer chosen without an alert (the Customers tab):
        the draft answers their highest-priority active alert, if they have one, so the
        email moves it to in progress; without one it is a win-back (an apology with no
        offer after a recent complaint, as with an alert)."""
        if self.dialog is not None and self._customer_id == customer_id:
            self.dialog.raise_()
            self.dialog.activateWindow()
            return
        self._holdout_reason = holdout_reason
        self._step_id = None
        self._open(None, customer_id, find_alert=True)

    def open_for_person(self, customer_id: int, contact_id: int) -> None:
        """Open the composer written to one of the account's people (People ▸ Write to
        them…); 0: the customer itself, its one person."""
        if self.dialog is not None and self._customer_id == customer_id:
            self.dialog.raise_()
            self.dialog.activateWindow()
            if contact_id and contact_id != self._contact_id:
                self._on_dialog_person_chosen(contact_id)
            return
        self._holdout_reason = None
        self._step_id = None
        self._open(None, customer_id, find_alert=True, contact_id=contact_id or None)

    def _open(
        self,
        alert_id: int | None,
        customer_id: int,
        *,
        find_alert: bool,
        contact_id: int | None = None,
    ) -> None:
        workspace = self._workspace()
        if workspace is None:
            return
        shown = self.dialog
        same = self._customer_id == customer_id and self._alert_id == alert_id
        # Another customer's composer closes first; its Keep editing keeps it instead.
        if shown is not None and (same or not shown.close()):
            shown.raise_()
            shown.activateWindow()
            return
        self._ws = workspace
        self._customer_id, self._alert_id = customer_id, alert_id
        self._find_alert = find_alert
        self._sender.forget_recorded()
        self._reviewed = False
        self._offer_waiting, self._waiting = True, None
        self._experiment = ""  # the experiment's strategy for the alert, in words
        dialog = ComposerDialog(self._window)
        dialog.setModal(False)
        dialog.draft_requested.connect(self._on_dialog_draft_requested)
        dialog.stop_requested.connect(self.stop)
        dialog.preview_requested.connect(self._on_dialog_preview_requested)
        dialog.export_requested.connect(self._on_dialog_export_requested)
        dialog.sent_answered.connect(self._sender.answer_sent)
        dialog.waiting_answered.connect(self._on_dialog_waiting_answered)
        dialog.person_chosen.connect(self._on_dialog_person_chosen)
        self._contact_id = contact_id  # None: the account's champion until another is picked
        dialog.finished.connect(lambda _r, d=dialog: self._on_dialog_finished(d))
        dialog.confirm_discard = functools.partial(self._discard_edits, dialog)
        self.dialog = dialog
        dialog.show_notice("Reading the customer's history…", "info")
        dialog.show()
        self._prepare(goal=None, tone=None, then_draft=True)

    def _discard_edits(self, dialog: ComposerDialog) -> bool:
        """The composer closes with edits not copied or sent: Discard (True) or Keep
        editing."""
        header = dialog.header
        return self._confirm_discard(header.customer if header is not None else "")

    def _parent_widget(self) -> QWidget:
        return self.dialog if self.dialog is not None else self._window

    def close(self) -> None:
        """Close the composer (the workspace is closing or changing; the app quits): an
        unanswered "Did you send it?" is dropped, nothing logged."""
        self.stop(quiet=True)
        if self.dialog is not None:
            self._closing_quietly = True
            try:
                self.dialog.close_without_asking()
            finally:
                self._closing_quietly = False

    def stop(self, quiet: bool = False) -> None:
        """Stop the drafts being written, at once; what was written stays."""
        self._drafts.stop(quiet)

    def _prepare(self, *, goal: str | None, tone: str | None, then_draft: bool) -> None:
        workspace = self._ws
        dialog = self.dialog
        if workspace is None or dialog is None:
            return
        customer_id, alert_id = self._customer_id, self._alert_id
        contact_id = self._contact_id
        find_alert = self._find_alert and alert_id is None
        now = self._clock() if self._clock is not None else None

        def task(
            _state: TaskState,
        ) -> tuple[DraftRequest, SmtpSettings, str, int | None, WaitingDraft | None, str]:
            from services.outreach.composing import describe_requests, prepare_composer

            with workspace.sessions() as session:
                prepared = prepare_composer(
                    session,
                    customer_id,
                    alert_id=alert_id,
                    find_alert=find_alert,
                    goal=goal,
                    tone=tone,
                    now=now,
                    contact_id=contact_id,
                )
            request = prepared.request
            text = describe_requests(request, VARIANTS)
            found = prepared.alert_id
            return request, prepared.smtp, text, found, prepared.waiting, prepared.experiment

        def prepared(
            request: DraftRequest,
            smtp: SmtpSettings,
            text: str,
            found: int | None,
            waiting: WaitingDraft | None,
            experiment: str,
        ) -> None:
            if self.dialog is dialog:
                self._experiment = experiment
            if find_alert and self.dialog is dialog and self._customer_id == customer_id:
                self._alert_id = found  # the email answers it from now on
                self._find_alert = False
            if self.dialog is dialog and self._offer_waiting:
                self._waiting = waiting
            self._on_prepared(request, smtp, text, then_draft=then_draft)
            if self.dialog is dialog and not dialog.reach.text():
                self._read_reach_hint(customer_id)

        (
            self._jobs.operation(task, parent=dialog, key=("composer.prepare", id(self)))
            .success(lambda result: prepared(*result))
            .failure(self._on_prepare_failed)
            .run()
        )

    def _read_reach_hint(self, customer_id: int) -> None:
        """When the customer's segment or stage answers best, read apart (a hint: a failure
        to read it leaves the line empty and is only logged)."""
        workspace, dialog = self._ws, self.dialog
        if workspace is None or dialog is None:
            return

        def task(_state: TaskState) -> str:
            from services.lifecycle.reach import reach_hint

            return reach_hint(workspace.engine, customer_id)

        def shown(text: str) -> None:
            if self.dialog is dialog and self._customer_id == customer_id:
                dialog.set_reach_hint(text)

        (
            self._jobs.operation(task, parent=dialog, key=("composer.reach", id(self)))
            .success(shown)
            .failure(lambda error: log.warning("No best time to reach out: %s", error))
            .run()
        )

    def _on_prepare_failed(self, error: BaseException) -> None:
        if self.dialog is not None:
            self.dialog.show_notice("This customer's details could not be read.", "critical")
        self._jobs.present_error(error)

    def _on_prepared(
        self, request: DraftRequest, smtp: SmtpSettings, text: str, *, then_draft: bool
    ) -> None:
        dialog = self.dialog
        if dialog is None:
            return
        if smtp.sender is None and (own := self._default_sender()):
            smtp = dataclasses.replace(smtp, from_address=own)
        self.request, self.smtp, self.request_text = request, smtp, text
        dialog.set_header(self._header(request, smtp))
        dialog.clear_notice()
        if request.context.send_blocked:
            dialog.show_notice(request.context.send_blocked, "critical")
        if not then_draft:
            return
        waiting, self._offer_waiting = self._waiting if self._offer_waiting else None, False
        if waiting is not None:
            dialog.offer_waiting(
                f"A draft for {waiting.customer} waits in the review queue.",
                "Use it here, or write a new one?",
            )
            return
        self._draft_now(request)

    def _on_dialog_waiting_answered(self, use: bool) -> None:
        """Use the draft waiting in the review queue, or write a new one."""
        request, waiting = self.request, self._waiting
        if self.dialog is None or request is None:
            return
        if use and waiting is not None:
            from services.outreach.composing import recheck

            problems = recheck(request, waiting.subject, waiting.body)
            self._drafts.show_waiting(waiting, problems)
            return
        self._draft_now(request)

    def _draft_now(self, request: DraftRequest) -> None:
        """Write the drafts: the provider's (asking first when it must), or the template."""
        dialog = self.dialog
        if dialog is None:
            return
        dialog.waiting_prompt.dismiss()
        config = request.config
        if config is None:
            self._drafts.show_template(request.offline_reason)
            return
        if request.needs_review and not self._reviewed:
            choice = self._ask_preview(self.request_text, host_of(config.base_url), True)
            if choice == "template":
                self._drafts.show_template(
                    f"you chose the template instead of sending to {host_of(config.base_url)}"
                )
                return
            if choice != "send":
                dialog.show_notice(
                    "Nothing was sent. Press Draft to review the request again, or change "
                    "the provider in Settings ▸ Email drafting.",
                    "info",
                )
                return
            self._reviewed = True
            self._mark_reviewed()
        self._drafts.start()

    def _header(self, request: DraftRequest, smtp: SmtpSettings) -> ComposerHeader:
        ctx = request.context
        provider, remote = provider_words(request.config)
        return ComposerHeader(
            customer=ctx.addressee,
            recipient=ctx.email,
            goal=ctx.goal,
            tone=ctx.tone,
            goals=tuple(GOAL_LABELS.items()),
            tones=tone_choices(ctx.tone, ctx.tone_segment),
            provider=provider,
            provider_remote=remote,
            incentive=incentive_words(ctx),
            blocked=ctx.send_blocked,
            can_send_smtp=smtp.configured,
            experiment=self._experiment,
            people=ctx.people,
            contact_id=ctx.contact_id,
        )

    def _mark_reviewed(self) -> None:
        workspace, request = self._ws, self.request
        if workspace is None or request is None or request.config is None:
            return
        config, actor = request.config, self._user()

        def task(_state: TaskState) -> None:
            from services.outreach.prompt import mark_reviewed

            with workspace.sessions() as session, session.begin():
                mark_reviewed(session, config, actor=actor)

        self._jobs.operation(task, parent=self, label="remember the reviewed provider").run()

    # -- the dialog's requests ----------------------------------------------------------------

    def _on_dialog_draft_requested(self, goal: str, tone: str) -> None:
        self._prepare(goal=goal, tone=tone, then_draft=True)

    def _on_dialog_person_chosen(self, contact_id: int) -> None:
        """Another of the account's people: the drafts are written again to them (the
        greeting and the address change together)."""
        dialog = self.dialog
        if dialog is None:
            return
        edited = any(
            variant.draft is not None and box.body.toPlainText() != variant.draft.body
            for variant, box in zip(self._drafts.variants, dialog.variants, strict=True)
        )
        person = dialog.person.currentText().split(" <", 1)[0]
        if edited and not self._confirm_rewrite(person):
            header = dialog.header
            if header is not None:
                dialog.set_header(header)  # the To list back on whom the drafts are for
            return
        self._contact_id = contact_id
        self._prepare(
            goal=dialog.goal.currentData(), tone=dialog.tone.currentData(), then_draft=True
        )

    def _on_dialog_preview_requested(self, goal: str, tone: str) -> None:
        request = self.request
        if request is None:
            return
        if request.config is None:
            self._ask_preview(offline_preview_text(request.offline_reason, goal), "nobody", False)
            return
        self._ask_preview(self.request_text, host_of(request.config.base_url), False)

    def _on_dialog_finished(self, dialog: ComposerDialog) -> None:
        if self.dialog is dialog:
            self.stop(quiet=True)
            self.dialog = None
            self.request = None
            pending = self._sender.pending
            if pending is not None and not self._closing_quietly:
                # Still unanswered: asked once more, since nothing is logged without it.
                self._sender.answer_sent(self._ask_sent_on_close(pending.customer))
            self._sender.pending = None
        dialog.deleteLater()

    def _on_dialog_export_requested(self, kind: str, subject: str, body: str) -> None:
        dialog, request = self.dialog, self.request
        if dialog is None or request is None or not body:
            return
        from services.outreach.composing import recheck

        ctx = request.context
        # The text as edited (or stopped half-way) is checked again before it goes out.
        problems = recheck(request, subject, body)
        if problems and kind != "copy" and not self._confirm_problems(problems):
            dialog.show_notice("Not sent: " + " ".join(problems), "warning")
            return
        if kind == "copy":
            self._copy_text(f"Subject: {subject}\n\n{body}" if subject else body)
            dialog.keep_edits()  # on the clipboard: closing loses nothing
            dialog.show_notice("Copied the draft (subject and body).", "info")
            if not ctx.send_blocked:
                self._sender.ask_sent(self._outgoing("copy", subject, body, ctx.email))
            return
        if ctx.send_blocked:
            dialog.show_notice(ctx.send_blocked, "critical")
            return
        recipient = self._confirm(ctx.name, ctx.email or "", EXPORT_WORDS[kind])
        if not recipient:
            return
        outgoing = self._outgoing(kind, subject, body, recipient)
        dialog.keep_edits()  # on its way: closing loses nothing
        if kind == "mail":
            self._sender.open_in_mail_app(outgoing)
        elif kind == "eml":
            self._sender.save_eml(outgoing)
        elif kind == "smtp":
            self._sender.send_smtp(outgoing)

    def _outgoing(self, kind: str, subject: str, body: str, recipient: str | None) -> Outgoing:
        """Everything the record needs, fixed now: a later Regenerate, another customer's
        composer or a closed window cannot change what is recorded for this email."""
        assert self.dialog is not None
        assert self._ws is not None
        chosen = self.dialog.chosen()
        variant = self._drafts.variants[chosen]
        draft = variant.draft
        context = self.request.context if self.request is not None else None
        changed = None if draft is None else (subject, body) != (draft.subject, draft.body)
        sent_as = SentAs(
            goal=context.goal if context is not None else None,
            tone=context.tone if context is not None else None,
            variant=chosen,
            edited=changed if variant.from_row is None else bool(changed) or variant.from_edited,
            holdout_reason=self._holdout_reason,
        )
        return Outgoing(
            workspace=self._ws,
            customer_id=self._customer_id,
            alert_id=self._alert_id,
            customer=self.request.context.name if self.request is not None else "",
            kind=kind,
            subject=subject,
            body=body,
            recipient=recipient,
            provider=variant.provider,
            model=variant.model,
            template=variant.template,
            sender=self.smtp.sender if self.smtp is not None else None,
            smtp=self.smtp,
            sent_as=sent_as,
            used_row=variant.from_row,
            step_id=self._step_id,
        )


def install(ctx: GuiContext) -> ComposerController:
    """ "Draft email": in the Alerts tab's action pane, the Customers tab for any customer
    (no alert to answer), the Ask tab's "Draft an email to the first" and a playbook's
    email step in My work (done once sent). What it records is shown at once."""
    window = ctx.window
    composer = ComposerController(ctx, user=ctx.user, default_sender=ctx.own_address)
    window.detail_pane.draft_requested.connect(composer.open_for_customer)
    window.detail_pane.person_draft_requested.connect(composer.open_for_person)
    window.detail_pane.holdout_draft_requested.connect(composer.open_for_customer)
    window.detail_pane.set_drafting_available(True)

    def on_outreach_recorded(customer_id: int, alert_id: int) -> None:
        window.results.mark_stale()  # a new exposure
        alerts = window.alerts_view
        if alert_id:
            alerts.alert_updated(alert_id)
        elif alerts.detail_pane.detail is not None and alerts.detail_pane.detail.id == customer_id:
            alerts.detail_pane.refresh()
        # The Customers tab's timeline shows the email too.
        customers = window.detail_pane
        if customers.detail is not None and customers.detail.id == customer_id:
            customers.refresh()
        window.statusBar().showMessage("The email is recorded in the customer's history.", 8000)

    composer.outreach_recorded.connect(on_outreach_recorded)
    window.ask.draft_requested.connect(composer.open_for_customer)

    def connect_screens() -> None:
        action_pane = window.alerts_view.action_pane
        action_pane.draft_requested.connect(composer.open)
        action_pane.holdout_draft_requested.connect(composer.open)
        action_pane.set_drafting_available(True)
        window.my_work.step_actions.email_step_requested.connect(composer.open_for_step)
        composer.step_done.connect(lambda _step: window.my_work.reload())

    # The alerts and My work are built after the first paint.
    window.when_screens_built(connect_screens)
    return composer


# How long after start-up the LLM client is imported in the background (ms).
LLM_PRELOAD_MS = 6_000


def preload_llm_client(jobs: JobRunner, parent: QObject) -> None:
    """Import the LLM client (openai and its HTTP stack) on a worker, once: it takes about
    a second, and the first draft of the session then streams at once."""
    if "services.llm.client" in sys.modules or jobs.closed:
        return

    def task(_state: TaskState) -> None:
        import importlib

        importlib.import_module("services.llm.client")

    jobs.operation(task, parent=parent, pool="work", label="load the LLM client").run()
