"""The composer's drafts being written: one task per variant on the job runner's work pool,
the text so far shown as it streams, Stop that closes both connections at once, and the
template draft in the first column when no provider answers.

The services that load SQLAlchemy, openai or Jinja2 (services/outreach/composing.py,
drafting.py) are imported where they are first used, as in the rest of the composer:
starting the window does not load them.
"""

from __future__ import annotations

import dataclasses
import functools
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer

from services.outreach.composer_text import (
    TEMPLATE_WRITER,
    source_words,
    split_partial,
    writer_line,
)
from views.kit.jobs import JobRunner, Operation, TaskState
from views.outreach.composer_dialog import VARIANTS, ComposerDialog

if TYPE_CHECKING:
    from services.llm.client import ChatStream
    from services.outreach.batch_records import WaitingDraft
    from services.outreach.drafting import DraftRequest
    from services.outreach.records import Draft

SYNC_MS = 40
STOPPED = "Stopped. What was written is kept: edit it, or press Regenerate."


class Variant:
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
        # The review queue's row whose waiting draft is on screen (None: written here).
        self.from_row: int | None = None
        self.from_edited = False  # the reviewer had edited it in the queue


def _problems(draft: Draft) -> list[str]:
    return [problem.message for problem in draft.problems]


class DraftVariants(QObject):
    """The drafts of the open composer, side by side.

    ``dialog`` and ``request`` give the composer's dialog and draft request as they are
    when a result arrives (None once that composer closed).
    """

    def __init__(
        self,
        jobs: JobRunner,
        *,
        dialog: Callable[[], ComposerDialog | None],
        request: Callable[[], DraftRequest | None],
        parent: QObject,
    ) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self._dialog = dialog
        self._request = request
        self.variants = [Variant() for _ in range(VARIANTS)]
        # The worker's progress is throttled and cannot report while it waits for the
        # server, so the screen also follows each stream's text on this timer.
        self._sync = QTimer(self)
        self._sync.setInterval(SYNC_MS)
        self._sync.timeout.connect(self._on_sync_timeout)

    def show_template(self, reason: str | None) -> None:
        """The template draft in the first column (the other hidden), with the reason."""
        dialog, request = self._dialog(), self._request()
        if dialog is None or request is None:
            return
        draft = request.template_draft
        if reason:
            draft = dataclasses.replace(draft, reason=reason)
        first = self.variants[0]
        first.draft = draft
        first.provider = first.model = None
        first.template = draft.template or "template"
        first.from_row = None
        dialog.start_variant(0, "")
        dialog.finish_variant(
            0, draft.subject, draft.body, source_words(draft, None), _problems(draft)
        )
        for index in range(1, VARIANTS):
            self.variants[index].draft = None
            dialog.hide_variant(index)
        dialog.set_drafting(False)
        # The header named the provider: the draft on screen is the template's.
        dialog.set_writer(TEMPLATE_WRITER)
        # A reason is a sentence or a clause ("… Try again later."): one full stop.
        why = f": {reason.rstrip('. ')}" if reason else ""
        chosen = reason is None or reason.startswith("you ")
        dialog.show_notice(
            f"Template draft{why}. It was written on this computer from the template library; "
            "nothing was sent anywhere.",
            "info" if chosen else "warning",
        )
        if request.context.send_blocked:
            dialog.show_notice(request.context.send_blocked, "critical")

    def show_waiting(self, waiting: WaitingDraft, problems: list[str]) -> None:
        """The draft waiting in the review queue in the first column (the other hidden),
        as the queue holds it (with the reviewer's edits), checked again."""
        from services.outreach.records import Draft

        dialog = self._dialog()
        if dialog is None:
            return
        self.stop(quiet=True)
        first = self.variants[0]
        first.draft = Draft(
            subject=waiting.subject,
            body=waiting.body,
            source="llm" if waiting.provider else "template",
            provider=waiting.provider,
            model=waiting.model,
            template=waiting.template,
        )
        first.provider, first.model, first.template = (
            waiting.provider,
            waiting.model,
            waiting.template,
        )
        first.from_row, first.from_edited = waiting.row_id, waiting.edited
        dialog.start_variant(0, "")
        if not waiting.provider:
            dialog.set_writer(TEMPLATE_WRITER)
        who = f"written by {waiting.model}" if waiting.model else "from the template library"
        dialog.finish_variant(
            0,
            waiting.subject,
            waiting.body,
            f"From the review queue ({who}); sending it here takes it out of the queue.",
            problems,
        )
        for index in range(1, VARIANTS):
            self.variants[index].draft = None
            self.variants[index].from_row = None
            dialog.hide_variant(index)
        dialog.set_drafting(False)

    def start(self) -> None:
        """Write every variant again, from the provider (what is being written stops)."""
        dialog, request = self._dialog(), self._request()
        if dialog is None or request is None or request.config is None:
            return
        self.stop(quiet=True)
        dialog.clear_notice()
        if request.context.send_blocked:
            dialog.show_notice(request.context.send_blocked, "critical")
        dialog.set_drafting(True)
        config = request.config
        dialog.set_writer(writer_line(config))
        writing = f"Writing with {config.model_label}…"
        for index in range(VARIANTS):
            dialog.start_variant(index, writing)
            self._start_variant(index, request)
        self._sync.start()

    def _start_variant(self, index: int, request: DraftRequest) -> None:
        config = request.config
        assert config is not None
        variant = self.variants[index]
        variant.draft = None
        variant.from_row = None
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

        def keep_stream(stream: ChatStream) -> None:
            with variant.lock:
                variant.stream = stream

        def task(state: TaskState) -> tuple[str, str, str | None]:
            from services.outreach.composing import stream_variant

            return stream_variant(
                config,
                messages,
                cancelled=state.cancelled,
                progress=state.progress,
                on_stream=keep_stream,
            )

        op = (
            self._jobs.operation(
                task,
                parent=self._dialog(),
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
        dialog = self._dialog()
        if dialog is None:
            return
        variant = self.variants[index]
        if variant.first_text_at is None:
            variant.first_text_at = time.perf_counter()
        if text != variant.shown:
            variant.shown = text
            dialog.show_text(index, *split_partial(text))

    def _on_sync_timeout(self) -> None:
        if self._dialog() is None or not any(v.op is not None for v in self.variants):
            self._sync.stop()
            return
        for index, variant in enumerate(self.variants):
            with variant.lock:
                stream = variant.stream
            if variant.op is not None and stream is not None:
                text = stream.text
                if text:
                    self._on_variant_text(index, 0.5, text)

    def _on_variant_done(self, index: int, result: tuple[str, str, str | None]) -> None:
        kind, text, finish_reason = result
        dialog, request = self._dialog(), self._request()
        if dialog is None or request is None:
            return
        variant = self.variants[index]
        variant.op = None
        variant.stream = None
        if kind == "fallback":
            others = [v for v in self.variants if v is not variant]
            if any(v.op is not None or v.draft is not None for v in others):
                # The other draft is written or on its way: keep it, say why this failed.
                dialog.stop_variant(index, f"This draft failed: {text}")
                self._update_drafting()
                return
            # No provider answer at all: the template, with the reason, in the first column.
            self.show_template(text)
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
            source_words(draft, seconds),
            _problems(draft),
        )
        self._update_drafting()

    def _on_variant_failed(self, index: int, error: BaseException) -> None:
        self.variants[index].op = None
        dialog = self._dialog()
        if dialog is not None:
            dialog.stop_variant(index, "This draft failed; see the message.")
        self._update_drafting()
        self._jobs.present_error(error)

    def _on_variant_stopped(self, index: int, op: Operation[Any]) -> None:
        variant = self.variants[index]
        if variant.op is op:
            variant.op = None
            self._update_drafting()

    def _update_drafting(self) -> None:
        dialog = self._dialog()
        if dialog is not None:
            dialog.set_drafting(any(v.op is not None for v in self.variants))

    def stop(self, quiet: bool = False) -> None:
        """Stop the drafts being written, at once; what was written stays."""
        stopped = False
        for index, variant in enumerate(self.variants):
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
            dialog = self._dialog()
            if dialog is not None and not quiet:
                text = stream.text if stream is not None else ""
                if text:
                    dialog.show_text(index, *split_partial(text))
                dialog.stop_variant(index, STOPPED)
        dialog = self._dialog()
        if stopped and dialog is not None:
            dialog.set_drafting(False)
