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

from app.gui.jobs import JobRunner, Operation, TaskState
from app.workspace import Workspace
from views.outreach.composer_dialog import (
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


# (problems) -> send anyway?
ProblemsFn = Callable[[list[str]], bool]


@dataclasses.dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str
    user: str
    from_address: str

    @property
    def sender(self) -> str | None:
        """The From address: the one set, else a user name that is an address."""
        if self.from_address.strip():
            return self.from_address.strip()
        return self.user.strip() if "@" in self.user else None

    @property
    def configured(self) -> bool:
        return bool(self.host.strip()) and self.sender is not None


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


def _confirm_problems(parent: QWidget, problems: list[str]) -> bool:
    from PySide6.QtWidgets import QMessageBox

    text = "The checks found:\n\n" + "\n".join(f"• {p}" for p in problems)
    answer = QMessageBox.question(
        parent, "Use this draft anyway?", text + "\n\nUse the draft as it is?"
    )
    return answer == QMessageBox.StandardButton.Yes


def _request_text(request: DraftRequest) -> str:
    """Both requests exactly as they go out (one per draft), the key not shown."""
    if request.config is None:
        return ""
    from services.outreach.drafting import key_source_words, resolve_key
    from services.outreach.prompt import describe_request

    _key, source = resolve_key(request.config)
    words = key_source_words(request.config, source)
    parts = []
    for index in range(VARIANTS):
        head = f"=== Request {index + 1} of {VARIANTS} (draft {chr(ord('A') + index)}) ==="
        body = describe_request(request.config, request.messages_for(index), key_source=words)
        parts.append(f"{head}\n{body}")
    return "\n\n".join(parts)


def _open_url(url: str) -> bool:
    return QDesktopServices.openUrl(QUrl(url))


def _copy_text(text: str) -> None:
    QGuiApplication.clipboard().setText(text)


def _drafts_folder() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("AccountRadar", appauthor=False)) / "drafts"


@dataclasses.dataclass(frozen=True)
class _Outgoing:
    """One email leaving the composer, with what its record needs."""

    workspace: Workspace
    customer_id: int
    alert_id: int | None
    customer: str
    kind: str
    subject: str
    body: str
    recipient: str | None
    provider: str | None
    model: str | None
    template: str | None
    sender: str | None
    smtp: SmtpSettings | None


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
        # Where the text on screen came from: (provider, model) or the template's name.
        self.provider: str | None = None
        self.model: str | None = None
        self.template: str | None = None


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
        confirm_problems: ProblemsFn | None = None,
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
        self._confirm_problems = confirm_problems or (
            lambda problems: _confirm_problems(self._parent_widget(), problems)
        )
        self._open_url = open_url
        self._copy_text = copy_text
        self._drafts_folder = drafts_folder
        self._clock = clock
        self.dialog: ComposerDialog | None = None
        self.request: DraftRequest | None = None
        self.smtp: SmtpSettings | None = None
        # The exact request(s) for the "What will be sent" view, made on the worker (the
        # key's source comes from the keyring, which may be slow or ask for a password).
        self.request_text = ""
        # The workspace the open composer belongs to (not whatever is open later).
        self._ws: Workspace | None = None
        self._customer_id = 0
        self._alert_id: int | None = None
        # Opened for a customer, not an alert: the first preparation looks for their alert.
        self._find_alert = False
        self._variants = [_Variant() for _ in range(VARIANTS)]
        self._recorded: set[tuple[int, str, str, str]] = set()
        self._reviewed = False
        # The worker's progress is throttled and cannot report while it waits for the
        # server, so the screen also follows each stream's text on this timer.
        self._sync = QTimer(self)
        self._sync.setInterval(SYNC_MS)
        self._sync.timeout.connect(self._on_sync_timeout)

    # -- opening --------------------------------------------------------------------------

    def open(self, alert_id: int | None, customer_id: int) -> None:
        """Open the composer for a customer (and the alert it answers)."""
        self._open(alert_id, customer_id, find_alert=False)

    def open_for_customer(self, customer_id: int) -> None:
        """Open the composer for a customer chosen without an alert (the Customers tab):
        the draft answers their highest-priority active alert, if they have one, so the
        email moves it to in progress; without one it is a win-back."""
        if self.dialog is not None and self._customer_id == customer_id:
            self.dialog.raise_()
            self.dialog.activateWindow()
            return
        self._open(None, customer_id, find_alert=True)

    def _open(self, alert_id: int | None, customer_id: int, *, find_alert: bool) -> None:
        workspace = self._workspace()
        if workspace is None:
            return
        if self.dialog is not None:
            if self._customer_id == customer_id and self._alert_id == alert_id:
                self.dialog.raise_()
                self.dialog.activateWindow()
                return
            self.dialog.close()
        self._ws = workspace
        self._customer_id, self._alert_id = customer_id, alert_id
        self._find_alert = find_alert
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

    def close(self) -> None:
        """Close the composer (the workspace is closing or changing; the app quits)."""
        self.stop(quiet=True)
        if self.dialog is not None:
            self.dialog.close()

    def _prepare(self, *, goal: str | None, tone: str | None, then_draft: bool) -> None:
        workspace = self._ws
        dialog = self.dialog
        if workspace is None or dialog is None:
            return
        customer_id, alert_id = self._customer_id, self._alert_id
        find_alert = self._find_alert and alert_id is None
        now = self._clock() if self._clock is not None else None

        def task(_state: TaskState) -> tuple[DraftRequest, SmtpSettings, str, int | None]:
            from services.outreach.context import top_alert_id
            from services.outreach.drafting import prepare_draft
            from services.settings import get_setting

            with workspace.sessions() as session:
                found = top_alert_id(session, customer_id) if find_alert else alert_id
                request = prepare_draft(
                    session, customer_id, alert_id=found, goal=goal, tone=tone, now=now
                )
                smtp = SmtpSettings(
                    host=str(get_setting(session, "smtp.host")),
                    port=int(get_setting(session, "smtp.port")),
                    security=str(get_setting(session, "smtp.security")),
                    user=str(get_setting(session, "smtp.user")),
                    from_address=str(get_setting(session, "smtp.from_address")),
                )
            return request, smtp, _request_text(request), found

        def prepared(
            request: DraftRequest, smtp: SmtpSettings, text: str, found: int | None
        ) -> None:
            if find_alert and self.dialog is dialog and self._customer_id == customer_id:
                self._alert_id = found  # the email answers it from now on
                self._find_alert = False
            self._on_prepared(request, smtp, text, then_draft=then_draft)

        (
            self._jobs.operation(task, parent=dialog, key=("composer.prepare", id(self)))
            .success(lambda result: prepared(*result))
            .failure(self._on_prepare_failed)
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
        self.request, self.smtp, self.request_text = request, smtp, text
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

            choice = self._ask_preview(text, host_of(config.base_url), True)
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
            if config.provider_id == "environment":
                where = f"{config.base_url} (from OPENAI_BASE_URL)"
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
        workspace, request = self._ws, self.request
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
        first = self._variants[0]
        first.draft = draft
        first.provider = first.model = None
        first.template = draft.template or "template"
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
        variant.provider, variant.model, variant.template = (
            config.provider_id,
            config.model_label,
            None,
        )
        messages = request.messages_for(index)

        def task(state: TaskState) -> tuple[str, str, str | None]:
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
                return "llm", "".join(parts), stream.finish_reason
            except LLMError as exc:
                if exc.kind == "cancelled" or state.cancelled():
                    raise
                return "fallback", exc.message, None

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

    def _on_variant_done(self, index: int, result: tuple[str, str, str | None]) -> None:
        kind, text, finish_reason = result
        dialog, request = self.dialog, self.request
        if dialog is None or request is None:
            return
        variant = self._variants[index]
        variant.op = None
        variant.stream = None
        if kind == "fallback":
            others = [v for v in self._variants if v is not variant]
            if any(v.op is not None or v.draft is not None for v in others):
                # The other draft is written or on its way: keep it, say why this failed.
                dialog.stop_variant(index, f"This draft failed: {text}")
                self._update_drafting()
                return
            # No provider answer at all: the template, with the reason, in the first column.
            self._show_template(text)
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
            finish_reason=finish_reason,
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

        self._ask_preview(self.request_text, host_of(request.config.base_url), False)

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
        # The text as edited (or stopped half-way) is checked again before it goes out.
        problems = self._check(subject, body)
        if problems and kind != "copy" and not self._confirm_problems(problems):
            dialog.show_notice("Not sent: " + " ".join(problems), "warning")
            return
        if kind == "copy":
            self._copy_text(f"Subject: {subject}\n\n{body}" if subject else body)
            dialog.show_notice("Copied the draft (subject and body).", "info")
            if not ctx.send_blocked:
                self._record(self._outgoing("copy", subject, body, ctx.email))
            return
        if ctx.send_blocked:
            dialog.show_notice(ctx.send_blocked, "critical")
            return
        recipient = self._confirm(ctx.name, ctx.email or "", EXPORT_WORDS[kind])
        if not recipient:
            return
        outgoing = self._outgoing(kind, subject, body, recipient)
        if kind == "mail":
            self._open_in_mail_app(outgoing)
        elif kind == "eml":
            self._save_eml(outgoing)
        elif kind == "smtp":
            self._send_smtp(outgoing)

    def _check(self, subject: str, body: str) -> list[str]:
        request = self.request
        if request is None:
            return []
        from services.outreach.checks import check_draft

        problems = check_draft(subject, body, request.context, max_words=request.max_words)
        return [problem.message for problem in problems]

    def _outgoing(self, kind: str, subject: str, body: str, recipient: str | None) -> _Outgoing:
        """Everything the record needs, fixed now: a later Regenerate, another customer's
        composer or a closed window cannot change what is recorded for this email."""
        assert self.dialog is not None
        assert self._ws is not None
        variant = self._variants[self.dialog.chosen()]
        return _Outgoing(
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
        )

    def _notice(self, text: str, tone: str = "info") -> None:
        if self.dialog is not None:
            self.dialog.show_notice(text, tone)

    def _open_in_mail_app(self, out: _Outgoing) -> None:
        from services.outreach.mail import build_email, mailto_url, save_eml

        # mailto carries the text into any mail program; very long texts go as an .eml
        # draft, which mail programs open as a new message.
        url = mailto_url(out.recipient or "", out.subject, out.body)
        if len(url) <= 1800 and self._open_url(url):
            self._notice(f"Opened in your mail app, addressed to {out.recipient}.")
            self._record(out)
            return
        try:
            message = build_email(out.subject, out.body, out.recipient or "", out.sender)
            folder = self._drafts_folder()
            stamp = time.strftime("%Y%m%d-%H%M%S")
            path = save_eml(message, folder / f"draft-{out.customer_id}-{stamp}.eml")
        except Exception as exc:  # noqa: BLE001 - MailError and bad addresses, shown plainly
            self._jobs.present_error(exc)
            return
        if self._open_url(QUrl.fromLocalFile(str(path)).toString()):
            self._notice(f"Opened in your mail app as a draft ({path}).")
            self._record(out)
        else:
            self._notice(
                f"No mail program opened it. The draft is saved as {path}; open it from "
                "your mail program, or use Copy.",
                "warning",
            )

    def _save_eml(self, out: _Outgoing) -> None:
        from services.outreach.mail import build_email, save_eml

        name = out.customer.replace(" ", "-").lower() or "customer"
        suggested = str(Path(tempfile.gettempdir()) / f"email-to-{name}.eml")
        path = self._ask_eml_path(suggested)
        if not path:
            return
        try:
            message = build_email(out.subject, out.body, out.recipient or "", out.sender)
            saved = save_eml(message, path)
        except Exception as exc:  # noqa: BLE001 - MailError and bad addresses, shown plainly
            self._jobs.present_error(exc)
            return
        self._notice(f"Saved as {saved}. Open it with your mail program to send it.")
        self._record(out)

    def _send_smtp(self, out: _Outgoing) -> None:
        smtp = out.smtp
        if smtp is None or not smtp.configured:
            return

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
            message = build_email(out.subject, out.body, out.recipient or "", out.sender)
            send_smtp(smtp.host, smtp.port, smtp.security, smtp.user or None, password, message)

        self._notice(f"Sending to {out.recipient} through {smtp.host}…")
        dialog = self.dialog
        if dialog is not None:
            dialog.smtp_button.setEnabled(False)
        # Owned by the controller, not the dialog: closing the composer mid-send must not
        # lose the record of an email that did go out.
        (
            self._jobs.operation(task, parent=self, pool="work", label="send email")
            .success(lambda _r: self._on_sent(out))
            .failure(self._on_send_failed)
            .finished(self._refresh_buttons)
            .run()
        )

    def _refresh_buttons(self) -> None:
        if self.dialog is not None:
            self.dialog.refresh_buttons()

    def _on_sent(self, out: _Outgoing) -> None:
        self._notice(f"Sent to {out.recipient}.")
        self._record(out)

    def _on_send_failed(self, error: BaseException) -> None:
        from models.errors import UserFacingError

        self._notice(f"Not sent: {error}", "critical")
        if self.dialog is None or not isinstance(error, UserFacingError):
            self._jobs.present_error(error)

    # -- recording ------------------------------------------------------------------------------

    def _record(self, out: _Outgoing) -> None:
        """One outreach record per text the user took out of the composer."""
        status = "sent" if out.kind == "smtp" else "exported"
        mark = (out.customer_id, status, out.subject, out.body)
        sent = (out.customer_id, "sent", out.subject, out.body)
        if mark in self._recorded or sent in self._recorded:
            return
        self._recorded.add(mark)
        actor = self._user()
        now = self._clock() if self._clock is not None else None

        def task(_state: TaskState) -> int:
            from services.outreach.sent import record_outreach

            return record_outreach(
                out.workspace.engine,
                out.customer_id,
                alert_id=out.alert_id,
                subject=out.subject,
                body=out.body,
                status=status,
                recipient=out.recipient,
                provider=out.provider,
                model=out.model,
                template=out.template,
                actor=actor,
                now=now,
            )

        def failed(error: BaseException) -> None:
            self._recorded.discard(mark)
            self._jobs.present_error(error)

        (
            self._jobs.operation(task, parent=self, label="record outreach")
            .success(lambda _id: self.outreach_recorded.emit(out.customer_id, out.alert_id or 0))
            .failure(failed)
            .run()
        )
