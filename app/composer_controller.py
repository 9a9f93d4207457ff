"""The email composer's controller: context from the workspace, drafts from the provider
(streamed, two variants, Stop at once) or the template library, then copy / open in the
mail app / save .eml / send by SMTP, each recorded as outreach.

Database work runs on the job runner's database worker; the provider's stream runs on
the work pool, one task per variant, and reaches the dialog as throttled progress (the
text so far). Stop cancels both tasks and closes their connections at once.

Signals:
    outreach_recorded(customer_id, alert_id): an email was sent or exported (alert_id 0:
        none); the alert moved to in progress.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import html
import logging
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

from app.jobs import JobRunner, Operation, TaskState
from app.workspace import Workspace
from views.composer_dialog import (
    VARIANTS,
    ComposerDialog,
    ComposerHeader,
    RecipientDialog,
    RequestPreviewDialog,
)

if TYPE_CHECKING:
    from services.llm.client import ChatStream
    from services.outreach.drafting import DraftRequest
    from services.outreach.records import Draft

log = logging.getLogger(__name__)

# (text, host, asking) -> "send" | "template" | "cancel"
PreviewFn = Callable[[str, str, bool], str]
# (customer, recipient, action words) -> the confirmed address, or None
ConfirmFn = Callable[[str, str, str], str | None]
# suggested file name -> chosen path, or None
SavePathFn = Callable[[str], str | None]

SYNC_MS = 40
STOPPED = "Stopped. What was written is kept: edit it, or press Regenerate."
EXPORT_WORDS = {"mail": "Open in your mail app", "eml": "Save as .eml", "smtp": "Send"}


@dataclasses.dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str
    user: str
    from_address: str

    @property
    def configured(self) -> bool:
        return bool(self.host.strip())


def _split_partial(text: str) -> tuple[str, str]:
    """Subject and body of a reply still being written ("Subject: …", blank line, body)."""
    head, newline, rest = text.lstrip().partition("\n")
    stripped = head.strip().strip("*").strip()
    if stripped.lower().startswith("subject:"):
        return stripped[len("subject:") :].strip().strip("*").strip(), rest.lstrip("\n")
    if not newline:
        return "", head
    return "", text.lstrip()


def _ask_preview(parent: QWidget, text: str, host: str, asking: bool) -> str:
    dialog = RequestPreviewDialog(text, host=host, asking=asking, parent=parent)
    try:
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        return dialog.result_choice if accepted else "cancel"
    finally:
        dialog.deleteLater()


def _confirm_recipient(parent: QWidget, customer: str, recipient: str, action: str) -> str | None:
    dialog = RecipientDialog(customer, recipient, action, parent)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.address.text().strip() or None
    finally:
        dialog.deleteLater()


def _ask_eml_path(parent: QWidget, suggested: str) -> str | None:
    path, _ = QFileDialog.getSaveFileName(
        parent, "Save the email", suggested, "Email files (*.eml)"
    )
    return path or None


def _open_url(url: str) -> bool:
    return QDesktopServices.openUrl(QUrl(url))


def _copy_text(text: str) -> None:
    QGuiApplication.clipboard().setText(text)


def _drafts_folder() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("AccountRadar", appauthor=False)) / "drafts"


class _Variant:
    """One variant's task, its stream (to close on Stop) and its finished draft."""

    def __init__(self) -> None:
        self.op: Operation[Any] | None = None
        self.stream: ChatStream | None = None
        self.lock = threading.Lock()
        self.draft: Draft | None = None
        self.started_at = 0.0
        self.first_text_at: float | None = None
        self.shown = ""  # the text on screen, so that an unchanged one is not set again


class ComposerController(QObject):
    """Opens the composer for a customer (and alert) and carries out what it asks."""

    outreach_recorded = Signal(int, int)

    def __init__(
        self,
        jobs: JobRunner,
        window: QWidget,
        workspace: Callable[[], Workspace | None],
        *,
        user: Callable[[], str],
        ask_preview: PreviewFn | None = None,
        confirm_recipient: ConfirmFn | None = None,
        ask_eml_path: SavePathFn | None = None,
        open_url: Callable[[str], bool] = _open_url,
        copy_text: Callable[[str], None] = _copy_text,
        drafts_folder: Callable[[], Path] = _drafts_folder,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        super().__init__(window)
        self._jobs = jobs
        self._window = window
        self._workspace = workspace
        self._user = user
        self._ask_preview = ask_preview or (
            lambda text, host, asking: _ask_preview(self._parent_widget(), text, host, asking)
        )
        self._confirm = confirm_recipient or (
            lambda customer, recipient, action: _confirm_recipient(
                self._parent_widget(), customer, recipient, action
            )
        )
        self._ask_eml_path = ask_eml_path or (
            lambda suggested: _ask_eml_path(self._parent_widget(), suggested)
        )
        self._open_url = open_url
        self._copy_text = copy_text
        self._drafts_folder = drafts_folder
        self._clock = clock
        self.dialog: ComposerDialog | None = None
        self.request: DraftRequest | None = None
        self.smtp: SmtpSettings | None = None
        self._customer_id = 0
        self._alert_id: int | None = None
        self._variants = [_Variant() for _ in range(VARIANTS)]
        self._recorded: set[tuple[str, str, str]] = set()
        self._reviewed = False
        # The worker's progress is throttled and cannot report while it waits for the
        # server, so the screen also follows each stream's text on this timer.
        self._sync = QTimer(self)
        self._sync.setInterval(SYNC_MS)
        self._sync.timeout.connect(self._on_sync_timeout)

    # -- opening --------------------------------------------------------------------------

    def open(self, alert_id: int | None, customer_id: int) -> None:
        """Open the composer for a customer (and the alert it answers)."""
        workspace = self._workspace()
        if workspace is None:
            return
        if self.dialog is not None:
            if self._customer_id == customer_id and self._alert_id == alert_id:
                self.dialog.raise_()
                self.dialog.activateWindow()
                return
            self.dialog.close()
        self._customer_id, self._alert_id = customer_id, alert_id
        self._recorded.clear()
        self._reviewed = False
        dialog = ComposerDialog(self._window)
        dialog.setModal(False)
        dialog.draft_requested.connect(self._on_dialog_draft_requested)
        dialog.stop_requested.connect(self.stop)
        dialog.preview_requested.connect(self._on_dialog_preview_requested)
        dialog.export_requested.connect(self._on_dialog_export_requested)
        dialog.finished.connect(lambda _r, d=dialog: self._on_dialog_finished(d))
        self.dialog = dialog
        dialog.show_notice("Reading the customer's history…", "info")
        dialog.show()
        self._prepare(goal=None, tone=None, then_draft=True)

    def _parent_widget(self) -> QWidget:
        return self.dialog if self.dialog is not None else self._window

    def _prepare(self, *, goal: str | None, tone: str | None, then_draft: bool) -> None:
        workspace = self._workspace()
        dialog = self.dialog
        if workspace is None or dialog is None:
            return
        customer_id, alert_id = self._customer_id, self._alert_id
        now = self._clock() if self._clock is not None else None

        def task(_state: TaskState) -> tuple[DraftRequest, SmtpSettings]:
            from services.outreach.drafting import prepare_draft
            from services.settings import get_setting

            with workspace.sessions() as session:
                request = prepare_draft(
                    session, customer_id, alert_id=alert_id, goal=goal, tone=tone, now=now
                )
                smtp = SmtpSettings(
                    host=str(get_setting(session, "smtp.host")),
                    port=int(get_setting(session, "smtp.port")),
                    security=str(get_setting(session, "smtp.security")),
                    user=str(get_setting(session, "smtp.user")),
                    from_address=str(get_setting(session, "smtp.from_address")),
                )
            return request, smtp

        (
            self._jobs.operation(task, parent=dialog, key=("composer.prepare", id(self)))
            .success(lambda result: self._on_prepared(*result, then_draft=then_draft))
            .failure(self._on_prepare_failed)
            .run()
        )

    def _on_prepare_failed(self, error: BaseException) -> None:
        if self.dialog is not None:
            self.dialog.show_notice("This customer's details could not be read.", "critical")
        self._jobs.present_error(error)

    def _on_prepared(self, request: DraftRequest, smtp: SmtpSettings, *, then_draft: bool) -> None:
        dialog = self.dialog
        if dialog is None:
            return
        self.request, self.smtp = request, smtp
        dialog.set_header(self._header(request, smtp))
        dialog.clear_notice()
        if request.context.send_blocked:
            dialog.show_notice(request.context.send_blocked, "critical")
        if not then_draft:
            return
        config = request.config
        if config is None:
            self._show_template(request.offline_reason)
            return
        if request.needs_review and not self._reviewed:
            from services.llm.providers import host_of

            choice = self._ask_preview(request.describe(), host_of(config.base_url), True)
            if choice == "template":
                self._show_template(
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
        self._start_drafts()

    def _header(self, request: DraftRequest, smtp: SmtpSettings) -> ComposerHeader:
        from services.llm.providers import is_local, preset_for
        from services.outreach.records import GOAL_LABELS, TONE_LABELS

        ctx = request.context
        config = request.config
        if config is None:
            provider, remote = "the template library (no provider in use)", False
        else:
            preset = preset_for(config)
            where = preset.title if preset is not None else config.base_url
            remote = not is_local(config)
            place = "" if remote else ", on this computer"
            provider = f"{config.model_label} via {where}{place}"
        if ctx.incentive:
            incentive = (
                f"Any offer stays at or under {ctx.incentive} "
                f"({ctx.incentive_cap_percent:g}% of the predicted 12-month value)."
            )
        elif ctx.incentive_cap_percent <= 0:
            incentive = "No offers: the incentive cap is 0% (Settings ▸ Email drafting)."
        else:
            incentive = "No offer: there is no predicted 12-month value for this customer yet."
        return ComposerHeader(
            customer=ctx.name,
            recipient=ctx.email,
            goal=ctx.goal,
            tone=ctx.tone,
            goals=tuple(GOAL_LABELS.items()),
            tones=tuple(TONE_LABELS.items()),
            provider=provider,
            provider_remote=remote,
            incentive=incentive,
            blocked=ctx.send_blocked,
            can_send_smtp=smtp.configured,
        )

    def _mark_reviewed(self) -> None:
        workspace, request = self._workspace(), self.request
        if workspace is None or request is None or request.config is None:
            return
        config, actor = request.config, self._user()

        def task(_state: TaskState) -> None:
            from services.outreach.prompt import mark_reviewed

            with workspace.sessions() as session, session.begin():
                mark_reviewed(session, config, actor=actor)

        self._jobs.operation(task, parent=self, label="remember the reviewed provider").run()

    # -- drafting ---------------------------------------------------------------------------

    def _show_template(self, reason: str | None) -> None:
        dialog, request = self.dialog, self.request
        if dialog is None or request is None:
            return
        draft = request.template_draft
        if reason:
            draft = dataclasses.replace(draft, reason=reason)
        self._variants[0].draft = draft
        dialog.start_variant(0, "")
        dialog.finish_variant(
            0, draft.subject, draft.body, self._source_words(draft, None), self._problems(draft)
        )
        for index in range(1, VARIANTS):
            self._variants[index].draft = None
            dialog.hide_variant(index)
        dialog.set_drafting(False)
        why = f": {reason}" if reason else ""
        chosen = reason is None or reason.startswith("you ")
        dialog.show_notice(
            f"Template draft{why}. It was written on this computer from the template library; "
            "nothing was sent anywhere.",
            "info" if chosen else "warning",
        )
        if request.context.send_blocked:
            dialog.show_notice(request.context.send_blocked, "critical")

    def _start_drafts(self) -> None:
        dialog, request = self.dialog, self.request
        if dialog is None or request is None or request.config is None:
            return
        self.stop(quiet=True)
        dialog.clear_notice()
        if request.context.send_blocked:
            dialog.show_notice(request.context.send_blocked, "critical")
        dialog.set_drafting(True)
        config = request.config
        writing = f"Writing with {config.model_label}…"
        for index in range(VARIANTS):
            dialog.start_variant(index, writing)
            self._start_variant(index, request)
        self._sync.start()

    def _start_variant(self, index: int, request: DraftRequest) -> None:
        from services.llm.errors import LLMError

        config = request.config
        assert config is not None
        variant = self._variants[index]
        variant.draft = None
        variant.stream = None
        variant.started_at = time.perf_counter()
        variant.first_text_at = None
        variant.shown = ""
        messages = request.messages_for(index)

        def task(state: TaskState) -> tuple[str, str]:
            from services.outreach.drafting import chat_stream, require_key

            try:
                key, _source = require_key(config)
                stream = chat_stream(config, key, messages, cancelled=state.cancelled)
                with variant.lock:
                    variant.stream = stream
                if state.cancelled():
                    stream.close()
                parts: list[str] = []
                for delta in stream:
                    parts.append(delta)
                    state.progress(0.5, "".join(parts))
                return "llm", "".join(parts)
            except LLMError as exc:
                if exc.kind == "cancelled" or state.cancelled():
                    raise
                return "fallback", exc.message

        op = (
            self._jobs.operation(
                task,
                parent=self.dialog,
                pool="work",
                key=("composer.variant", index, id(self)),
                label=f"draft variant {index + 1}",
            )
            .progress(functools.partial(self._on_variant_text, index))
            .success(functools.partial(self._on_variant_done, index))
            .failure(functools.partial(self._on_variant_failed, index))
        )
        # A stopped task reports after a new one may have started in its place.
        op.cancelled(functools.partial(self._on_variant_stopped, index, op))
        variant.op = op
        op.run()

    def _on_variant_text(self, index: int, _fraction: float, text: str) -> None:
        dialog = self.dialog
        if dialog is None:
            return
        variant = self._variants[index]
        if variant.first_text_at is None:
            variant.first_text_at = time.perf_counter()
        if text != variant.shown:
            variant.shown = text
            dialog.show_text(index, *_split_partial(text))

    def _on_sync_timeout(self) -> None:
        if self.dialog is None or not any(v.op is not None for v in self._variants):
            self._sync.stop()
            return
        for index, variant in enumerate(self._variants):
            with variant.lock:
                stream = variant.stream
            if variant.op is not None and stream is not None:
                text = stream.text
                if text:
                    self._on_variant_text(index, 0.5, text)

    def _on_variant_done(self, index: int, result: tuple[str, str]) -> None:
        kind, text = result
        dialog, request = self.dialog, self.request
        if dialog is None or request is None:
            return
        variant = self._variants[index]
        variant.op = None
        variant.stream = None
        if kind == "fallback":
            # No provider answer: the template, with the reason, in the first column.
            self._show_template(text)
            for other in self._variants:
                if other.op is not None:
                    other.op.cancel()
            return
        from services.outreach.drafting import finish_draft

        config = request.config
        assert config is not None
        draft = finish_draft(
            text,
            request.context,
            provider=config.provider_id,
            model=config.model_label,
            max_words=request.max_words,
        )
        variant.draft = draft
        seconds = time.perf_counter() - variant.started_at
        dialog.finish_variant(
            index,
            draft.subject,
            draft.body,
            self._source_words(draft, seconds),
            self._problems(draft),
        )
        self._update_drafting()

    def _on_variant_failed(self, index: int, error: BaseException) -> None:
        self._variants[index].op = None
        if self.dialog is not None:
            self.dialog.stop_variant(index, "This draft failed; see the message.")
        self._update_drafting()
        self._jobs.present_error(error)

    def _on_variant_stopped(self, index: int, op: Operation[Any]) -> None:
        variant = self._variants[index]
        if variant.op is op:
            variant.op = None
            self._update_drafting()

    def _update_drafting(self) -> None:
        if self.dialog is not None:
            self.dialog.set_drafting(any(v.op is not None for v in self._variants))

    def stop(self, quiet: bool = False) -> None:
        """Stop the drafts being written, at once; what was written stays."""
        stopped = False
        for index, variant in enumerate(self._variants):
            op = variant.op
            if op is None:
                continue
            stopped = True
            op.cancel()
            with variant.lock:
                stream = variant.stream
            if stream is not None:
                stream.close()
            variant.op = None
            if self.dialog is not None and not quiet:
                text = stream.text if stream is not None else ""
                if text:
                    self.dialog.show_text(index, *_split_partial(text))
                self.dialog.stop_variant(index, STOPPED)
        if stopped and self.dialog is not None:
            self.dialog.set_drafting(False)

    def _source_words(self, draft: Draft, seconds: float | None) -> str:
        if draft.source == "template":
            from services.outreach.records import GOAL_LABELS

            name = draft.template or "template"
            goal = GOAL_LABELS.get(name, name.replace("_", " "))
            return f"Template: {goal} (template library, on this computer)"
        took = f" in {seconds:.1f} s" if seconds is not None else ""
        return f"Written by {draft.model or 'the model'}{took}"

    @staticmethod
    def _problems(draft: Draft) -> list[str]:
        return [problem.message for problem in draft.problems]

    # -- the dialog's requests ----------------------------------------------------------------

    def _on_dialog_draft_requested(self, goal: str, tone: str) -> None:
        self._prepare(goal=goal, tone=tone, then_draft=True)

    def _on_dialog_preview_requested(self, goal: str, tone: str) -> None:
        request = self.request
        if request is None:
            return
        if request.config is None:
            from services.outreach.records import GOAL_LABELS

            self._ask_preview(
                "No provider is in use, so nothing is sent: the draft comes from the "
                f"template library on this computer.\n\nReason: {request.offline_reason}\n\n"
                f"Goal: {GOAL_LABELS.get(goal, goal)}",
                "nobody",
                False,
            )
            return
        from services.llm.providers import host_of

        self._ask_preview(request.describe(), host_of(request.config.base_url), False)

    def _on_dialog_finished(self, dialog: ComposerDialog) -> None:
        if self.dialog is dialog:
            self.stop(quiet=True)
            self.dialog = None
            self.request = None
        dialog.deleteLater()

    def _on_dialog_export_requested(self, kind: str, subject: str, body: str) -> None:
        dialog, request = self.dialog, self.request
        if dialog is None or request is None or not body:
            return
        ctx = request.context
        if kind == "copy":
            self._copy_text(f"Subject: {subject}\n\n{body}" if subject else body)
            dialog.show_notice("Copied the draft (subject and body).", "info")
            self._record(kind, subject, body, ctx.email)
            return
        if ctx.send_blocked:
            dialog.show_notice(ctx.send_blocked, "critical")
            return
        recipient = self._confirm(ctx.name, ctx.email or "", EXPORT_WORDS[kind])
        if not recipient:
            return
        if kind == "mail":
            self._open_in_mail_app(subject, body, recipient)
        elif kind == "eml":
            self._save_eml(subject, body, recipient)
        elif kind == "smtp":
            self._send_smtp(subject, body, recipient)

    def _sender(self) -> str | None:
        smtp = self.smtp
        if smtp is None:
            return None
        return smtp.from_address.strip() or (smtp.user.strip() if "@" in smtp.user else None)

    def _open_in_mail_app(self, subject: str, body: str, recipient: str) -> None:
        from services.outreach.mail import build_email, mailto_url, save_eml

        dialog = self.dialog
        assert dialog is not None
        # mailto carries the text into any mail program; very long texts go as an .eml
        # draft, which mail programs open as a new message.
        url = mailto_url(recipient, subject, body)
        if len(url) <= 1800 and self._open_url(url):
            dialog.show_notice(f"Opened in your mail app, addressed to {recipient}.", "info")
            self._record("mail", subject, body, recipient)
            return
        try:
            message = build_email(subject, body, recipient, self._sender())
            folder = self._drafts_folder()
            stamp = time.strftime("%Y%m%d-%H%M%S")
            path = save_eml(message, folder / f"draft-{self._customer_id}-{stamp}.eml")
        except Exception as exc:  # noqa: BLE001 - MailError and bad addresses, shown plainly
            self._jobs.present_error(exc)
            return
        if self._open_url(QUrl.fromLocalFile(str(path)).toString()):
            dialog.show_notice(f"Opened in your mail app as a draft ({path}).", "info")
            self._record("mail", subject, body, recipient)
        else:
            dialog.show_notice(
                f"No mail program opened it. The draft is saved as {path}; open it from "
                "your mail program, or use Copy.",
                "warning",
            )

    def _save_eml(self, subject: str, body: str, recipient: str) -> None:
        from services.outreach.mail import build_email, save_eml

        dialog = self.dialog
        assert dialog is not None and self.request is not None
        name = self.request.context.name.replace(" ", "-").lower() or "customer"
        suggested = str(Path(tempfile.gettempdir()) / f"email-to-{name}.eml")
        path = self._ask_eml_path(suggested)
        if not path:
            return
        try:
            message = build_email(subject, body, recipient, self._sender())
            saved = save_eml(message, path)
        except Exception as exc:  # noqa: BLE001 - MailError and bad addresses, shown plainly
            self._jobs.present_error(exc)
            return
        dialog.show_notice(f"Saved as {saved}. Open it with your mail program to send it.", "info")
        self._record("eml", subject, body, recipient)

    def _send_smtp(self, subject: str, body: str, recipient: str) -> None:
        dialog, smtp = self.dialog, self.smtp
        if dialog is None or smtp is None or not smtp.configured:
            return
        sender = self._sender()

        def task(_state: TaskState) -> None:
            from services.credentials import resolve_secret, smtp_key_name
            from services.outreach.mail import MailError, build_email, send_smtp

            password = None
            if smtp.user:
                password, _source = resolve_secret(smtp_key_name(smtp.host, smtp.user))
                if password is None:
                    raise MailError(
                        f"No password is stored for {smtp.user} on {smtp.host}. Enter it in "
                        "Settings ▸ Sending email."
                    )
            message = build_email(subject, body, recipient, sender)
            send_smtp(smtp.host, smtp.port, smtp.security, smtp.user or None, password, message)

        dialog.show_notice(f"Sending to {recipient} through {smtp.host}…", "info")
        dialog.smtp_button.setEnabled(False)
        (
            self._jobs.operation(task, parent=dialog, pool="work", label="send email")
            .success(lambda _r: self._on_sent(subject, body, recipient))
            .failure(self._on_send_failed)
            .finished(lambda: dialog.refresh_buttons())
            .run()
        )

    def _on_sent(self, subject: str, body: str, recipient: str) -> None:
        if self.dialog is not None:
            self.dialog.show_notice(f"Sent to {html.escape(recipient)}.", "info")
        self._record("smtp", subject, body, recipient)

    def _on_send_failed(self, error: BaseException) -> None:
        if self.dialog is not None:
            self.dialog.show_notice(f"Not sent: {error}", "critical")
        from models.errors import UserFacingError

        if not isinstance(error, UserFacingError):
            self._jobs.present_error(error)

    # -- recording ------------------------------------------------------------------------------

    def _chosen_draft(self) -> Draft | None:
        if self.dialog is None:
            return None
        return self._variants[self.dialog.chosen()].draft

    def _record(self, kind: str, subject: str, body: str, recipient: str | None) -> None:
        """One outreach record per text the user took out of the composer."""
        workspace, request = self._workspace(), self.request
        if workspace is None or request is None:
            return
        status = "sent" if kind == "smtp" else "exported"
        mark = (status, subject, body)
        if mark in self._recorded or (
            status == "exported" and ("sent", subject, body) in self._recorded
        ):
            return
        self._recorded.add(mark)
        draft = self._chosen_draft()
        provider = model = template = None
        if draft is not None:
            if draft.source == "template":
                template = draft.template or "template"
            else:
                provider, model = draft.provider, draft.model
        customer_id, alert_id, actor = self._customer_id, self._alert_id, self._user()
        now = self._clock() if self._clock is not None else None

        def task(_state: TaskState) -> int:
            from services.outreach.record import record_outreach

            return record_outreach(
                workspace.engine,
                customer_id,
                alert_id=alert_id,
                subject=subject,
                body=body,
                status=status,
                recipient=recipient,
                provider=provider,
                model=model,
                template=template,
                actor=actor,
                now=now,
            )

        def failed(error: BaseException) -> None:
            self._recorded.discard(mark)
            self._jobs.present_error(error)

        (
            self._jobs.operation(task, parent=self, label="record outreach")
            .success(lambda _id: self.outreach_recorded.emit(customer_id, alert_id or 0))
            .failure(failed)
            .run()
        )
