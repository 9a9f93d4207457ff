"""Draft for all in the window: the start dialog (views/outreach/batch_dialog.py), the
drafting in the background with progress and cancel, the review queue
(views/outreach/review_queue.py) and the delivery of the approved emails; the work is in
services/outreach/batch.py and batch_delivery.py.

Threads: the preview, the review operations and the mail app's records run on the
database worker; drafting and sending run on the work pool (each opens its own sessions,
and drafting keeps at most ``outreach.batch_concurrency`` requests in flight), so the
window and the review stay responsive. While a batch drafts, the queue reloads at most
every ``RELOAD_INTERVAL_MS`` to show the drafts as they arrive.

An approve or a skip shows in the queue at once and reaches the database on its worker
behind whatever the screens asked of it first: until every such step is saved, a reload
read before it is not shown (it would take the new state back for a moment), and a
delivery waits for them (it sends what the database holds as approved).

Emails opened in the mail app or saved as a folder of .eml files are logged only on the
user's word: the queue asks "Did you send them?" in its bar; Yes logs each once, Not
sent keeps them approved. Closing the queue with the question open asks it once more
(``ask_sent_on_close``); closing for another workspace drops it, nothing logged.

Signals:
    outreach_recorded(): emails of a batch were recorded as outreach (the alert lists
        reload).
    drafts_changed(): drafts were written, or the review queue closed: which customers
        have a draft waiting may have changed (the alert cards' badges).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from app.gui.context import GuiContext, WindowContext
from app.gui.gc_pause import freeze_loaded_objects
from app.gui.outreach import questions
from app.gui.outreach.batch_queue_reads import read_beside_the_queue
from app.workspace import Workspace
from services.outreach.batch_records import BatchPlan, BatchView, SendSummary
from views.kit.confirm import ask_yes_cancel
from views.kit.file_dialogs import existing_directory
from views.kit.jobs import Operation, TaskState
from views.outreach.batch_dialog import BatchStartDialog
from views.outreach.review_queue import ReviewQueueWindow

if TYPE_CHECKING:
    from views.kit.theme import ThemeManager

RELOAD_INTERVAL_MS = 1000
FolderFn = Callable[[], str | None]


@dataclass(frozen=True)
class _Undo:
    row_id: int


class BatchController(QObject):
    """Draft for all, the review queue and the delivery (see the module docstring)."""

    outreach_recorded = Signal()
    drafts_changed = Signal()

    def __init__(
        self,
        context: WindowContext,
        *,
        user: Callable[[], str],
        default_sender: Callable[[], str | None] = lambda: None,
        theme: ThemeManager | None = None,
        ask_folder: FolderFn | None = None,
        confirm_send: Callable[[str, str], bool] | None = None,
        ask_sent_on_close: Callable[[int], bool] | None = None,
        open_url: Callable[[str], bool] = questions.open_url,
        drafts_folder: Callable[[], Path] = questions.drafts_folder,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        jobs, window = context.jobs, context.window
        super().__init__(window)
        self._jobs = jobs
        self._window: QWidget = window
        self._workspace = context.workspace
        self._user = user
        self._default_sender = default_sender
        self._theme = theme
        self._ask_folder = ask_folder or self._choose_folder
        self._confirm_send = confirm_send or self._ask_send
        # The queue closes with "Did you send them?" unanswered: asked once more.
        self._ask_sent_on_close = ask_sent_on_close or (
            lambda count: questions.ask_sent_them(self.queue or self._window, count)
        )
        self._open_url = open_url
        # Where the emails too long for a mail link are saved as .eml drafts.
        self._drafts_folder = drafts_folder
        self._clock = clock
        self.dialog: BatchStartDialog | None = None
        self.queue: ReviewQueueWindow | None = None
        self.batch_id: int | None = None
        self._ws: Workspace | None = None
        self._targets: tuple[int, ...] = ()
        self._what = ""
        self._undo: list[_Undo] = []
        # The rows opened in the mail app or saved as .eml files whose "Did you send
        # them?" waits for an answer (and how they left, for the notice).
        self._handed: tuple[Workspace, list[int], str, str] | None = None
        self._running: Operation[Any] | None = None
        # The review steps (approve, skip, edit, undo) on their way to the database, and
        # a delivery asked for meanwhile (run once they are saved).
        self._saving = 0
        self._deliver_after: str | None = None
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(RELOAD_INTERVAL_MS)
        self._reload_timer.timeout.connect(self.reload)
        if theme is not None:
            theme.theme_changed.connect(self._on_theme_changed)

    # -- starting a batch -----------------------------------------------------------------

    def draft_for_all(self, alert_ids: tuple[int, ...], what: str) -> None:
        """The start dialog for these alerts: the count and who is left out, first."""
        ws = self._workspace()
        if ws is None or not alert_ids:
            return
        self._ws, self._targets, self._what = ws, tuple(alert_ids), what
        now = self._now()

        def task(_state: TaskState) -> BatchPlan:
            from services.outreach.batch import preview_batch

            return preview_batch(ws.engine, alert_ids, now=now)

        self._jobs.operation(task, parent=self, key="batch.preview", label="batch preview").success(
            self._show_start
        ).run()

    def _show_start(self, plan: BatchPlan) -> None:
        if self.dialog is not None:
            self.dialog.close()
        dialog = BatchStartDialog(plan, self._what, self._window)
        dialog.start_requested.connect(self._on_dialog_start_requested)
        dialog.finished.connect(lambda _r: self._forget_dialog(dialog))
        self.dialog = dialog
        dialog.open()

    def _forget_dialog(self, dialog: BatchStartDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def _on_dialog_start_requested(self, goal: str, tone: str, offline: bool) -> None:
        self.start(goal or None, tone or None, offline=offline, reviewed=not offline)

    def start(
        self, goal: str | None, tone: str | None, *, offline: bool, reviewed: bool = False
    ) -> None:
        """Make the batch, open the review queue and draft in the background."""
        ws = self._ws or self._workspace()
        if ws is None:
            return
        targets, what, actor, now = self._targets, self._what, self._user(), self._now()

        def task(_state: TaskState) -> int:
            from services.outreach.batch import create_batch

            if reviewed and not offline:
                _mark_reviewed(ws, actor)
            return create_batch(
                ws.engine,
                targets,
                goal=goal,
                tone=tone,
                offline=offline,
                title=f"Draft for all: {what}",
                actor=actor,
                now=now,
            )

        self._jobs.operation(task, parent=self, label="create batch").success(
            lambda batch_id: self._open(ws, batch_id, draft=True, reviewed=reviewed)
        ).run()

    def review_latest(self) -> None:
        """Email ▸ Review drafts…: the newest unfinished batch (its queued rows drafted)."""
        ws = self._workspace()
        if ws is None:
            return

        def task(_state: TaskState) -> int | None:
            from services.outreach.batch import latest_open_batch

            return latest_open_batch(ws.engine)

        def found(batch_id: int | None) -> None:
            if batch_id is None:
                self._status("No batch of drafts is waiting: use Draft for all… on the alerts.")
                return
            # A provider reviewed when the batch started is remembered (llm.reviewed_remote);
            # one changed since must be reviewed again (its drafts fall back and say so).
            self._open(ws, batch_id, draft=True, reviewed=False)

        self._jobs.operation(task, parent=self, label="find batch").success(found).run()

    # -- the review queue -------------------------------------------------------------------

    def _open(self, ws: Workspace, batch_id: int, *, draft: bool, reviewed: bool) -> None:
        self._ws, self.batch_id = ws, batch_id
        self._undo.clear()
        if self.queue is None:
            queue = ReviewQueueWindow(self._window)
            queue.approve_requested.connect(self._on_queue_approve_requested)
            queue.skip_requested.connect(self._on_queue_skip_requested)
            queue.edited.connect(self._on_queue_edited)
            queue.regenerate_requested.connect(self._on_queue_regenerate_requested)
            queue.undo_requested.connect(self.undo)
            queue.send_requested.connect(self.deliver)
            queue.mark_sent_requested.connect(self._on_queue_mark_sent_requested)
            queue.send_again_requested.connect(self._on_queue_send_again_requested)
            queue.cancel_requested.connect(self.cancel)
            queue.closed.connect(self._on_queue_closed)
            queue.sent_answered.connect(self._on_queue_sent_answered)
            self.queue = queue
            if self._theme is not None:
                queue.set_theme(self._theme.theme)
        self.queue.show()
        self.queue.raise_()
        self.queue.activateWindow()
        read_beside_the_queue(self._jobs, self, ws, batch_id, self._queue_for, self._now())
        self.reload()
        if draft:
            self._draft(ws, batch_id, reviewed=reviewed)

    def _queue_for(self, batch_id: int) -> ReviewQueueWindow | None:
        return self.queue if self.batch_id == batch_id else None

    def reload(self) -> None:
        """Load the batch again and show it."""
        ws, batch_id = self._ws, self.batch_id
        if ws is None or batch_id is None:
            return

        def task(_state: TaskState) -> BatchView:
            from services.outreach.batch import load_batch

            return load_batch(ws.engine, batch_id)

        self._jobs.operation(task, parent=self, key="batch.load", label="load batch").success(
            self._on_batch_loaded
        ).run()

    def _on_batch_loaded(self, view: BatchView) -> None:
        # Read before a review step still being saved: the step's own reload follows.
        if self.queue is not None and view.id == self.batch_id and not self._saving:
            self.queue.set_batch(view)

    def _soon(self) -> None:
        if not self._reload_timer.isActive():
            self._reload_timer.start()

    def _draft(self, ws: Workspace, batch_id: int, *, reviewed: bool) -> None:
        now = self._now()
        # Hundreds of drafts allocate enough to trigger full garbage collections: keep them
        # short by leaving what is alive now out of them (gc_pause.py), once, at the click.
        freeze_loaded_objects()
        started = time.monotonic()

        def task(state: TaskState) -> Any:
            from services.outreach.batch import draft_batch

            return draft_batch(
                ws.engine, batch_id, state.progress, state.cancelled, reviewed=reviewed, now=now
            )

        def progress(fraction: float, message: str) -> None:
            if self.queue is not None:
                self.queue.set_busy(message or "Drafting…", fraction)
            self._soon()

        def done(summary: Any) -> None:
            seconds = time.monotonic() - started
            if self.queue is not None and summary.drafted:
                self.queue.show_notice(f"Drafted {summary.drafted:,} in {seconds:.0f} s.")
            if summary.drafted:
                self.drafts_changed.emit()

        self._run(
            self._jobs.operation(task, parent=self, pool="work", label="draft batch")
            .progress(progress)
            .success(done),
            "Drafting…",
        )

    def _run(self, op: Operation[Any], message: str) -> None:
        """A drafting or sending under way: the queue shows it, Cancel stops it."""
        if self.queue is not None:
            self.queue.set_busy(message, 0.0)

        def finished() -> None:
            if self._running is op:
                self._running = None
            if self.queue is not None:
                self.queue.set_busy(None)
            self.reload()

        def cancelled() -> None:
            if self.queue is not None:
                self.queue.show_notice("Stopped. What was done is kept.")

        self._running = op
        op.finished(finished).cancelled(cancelled).run()

    def cancel(self) -> None:
        """Stop the drafting or sending under way (the finished ones stay)."""
        if self._running is not None:
            self._running.cancel()

    @property
    def busy(self) -> bool:
        return self._running is not None

    # -- review operations ----------------------------------------------------------------

    def _row_op(self, fn: Callable[[Any], Any], label: str, undo: int | None = None) -> None:
        ws = self._ws
        if ws is None:
            return
        if undo is not None:
            self._undo.append(_Undo(undo))
        self._saving += 1
        (
            self._jobs.operation(lambda _s: fn(ws.engine), parent=self, label=label)
            .success(lambda _r: self.reload())
            .failure(self._on_row_failed)
            .finished(self._on_row_saved)
            .run()
        )

    def _on_row_saved(self) -> None:
        self._saving = max(0, self._saving - 1)
        if self._saving:
            return
        delivery, self._deliver_after = self._deliver_after, None
        if delivery is not None:
            if self.queue is not None:
                self.queue.show_notice("")
            self.deliver(delivery)

    @property
    def saving(self) -> bool:
        """A review step is still on its way to the database."""
        return self._saving > 0

    def _on_row_failed(self, error: BaseException) -> None:
        if self.queue is not None:
            self.queue.show_notice(str(error))
        self.reload()

    def _on_queue_approve_requested(self, row_id: int, subject: str, body: str) -> None:
        from services.outreach.batch import approve_row, edit_row

        def fn(engine: Any) -> Any:
            edit_row(engine, row_id, subject, body)
            return approve_row(engine, row_id)

        self._row_op(fn, "approve draft", undo=row_id)

    def _on_queue_skip_requested(self, row_id: int, subject: str, body: str) -> None:
        from services.outreach.batch import edit_row, skip_row

        def fn(engine: Any) -> Any:
            edit_row(engine, row_id, subject, body)
            return skip_row(engine, row_id)

        self._row_op(fn, "skip draft", undo=row_id)

    def _on_queue_edited(self, row_id: int, subject: str, body: str) -> None:
        from services.outreach.batch import edit_row

        self._row_op(lambda engine: edit_row(engine, row_id, subject, body), "edit draft")

    def undo(self) -> None:
        """Ctrl+Z: the last approve or skip taken back (the row is to review again)."""
        if not self._undo:
            if self.queue is not None:
                self.queue.show_notice("Nothing to undo.")
            return
        last = self._undo.pop()
        from services.outreach.batch import unapprove_row

        self._row_op(lambda engine: unapprove_row(engine, last.row_id), "undo review")

    def _on_queue_regenerate_requested(self, row_id: int) -> None:
        ws = self._ws
        if ws is None:
            return
        now = self._now()

        def task(state: TaskState) -> Any:
            from services.outreach.batch import regenerate_row

            return regenerate_row(ws.engine, row_id, cancelled=state.cancelled, now=now)

        self._run(
            self._jobs.operation(task, parent=self, pool="work", label="regenerate draft").failure(
                self._on_row_failed
            ),
            "Writing a new version…",
        )

    def _on_queue_mark_sent_requested(self, row_id: int) -> None:
        from services.outreach.batch_delivery import mark_sent

        actor = self._user()
        ws = self._ws
        if ws is None:
            return

        def done(outreach_id: int | None) -> None:
            self.reload()
            if outreach_id is not None:
                self.outreach_recorded.emit()

        (
            self._jobs.operation(
                lambda _s: mark_sent(ws.engine, row_id, actor=actor), parent=self, label="mark sent"
            )
            .success(done)
            .failure(self._on_row_failed)
            .run()
        )

    def _on_queue_send_again_requested(self, row_id: int) -> None:
        from services.outreach.batch_delivery import send_again

        self._row_op(lambda engine: send_again(engine, row_id), "send again")

    # -- delivery ---------------------------------------------------------------------------

    def deliver(self, delivery: str) -> None:
        """Send the approved emails: "smtp", "mail_app" or "eml_folder"."""
        ws, batch_id = self._ws, self.batch_id
        if ws is None or batch_id is None or self.busy:
            return
        if self._saving:
            # It sends what the database holds as approved: the last steps first.
            self._deliver_after = delivery
            if self.queue is not None:
                self.queue.show_notice("Saving your review first…")
            return
        actor, sender = self._user(), self._default_sender()
        if delivery == "smtp":
            self._send_smtp(ws, batch_id, actor, sender)
        elif delivery == "eml_folder":
            self._to_eml_folder(ws, batch_id, actor, sender)
        elif delivery == "mail_app":
            self._to_mail_app(ws, batch_id, actor)

    def _send_smtp(self, ws: Workspace, batch_id: int, actor: str, own: str | None) -> None:
        """The approved emails sent by SMTP at the set pace, once the user confirms; each
        is recorded as it goes."""
        count = self.queue.approved_count() if self.queue is not None else 0
        question = (
            f"Send {count:,} approved email{'s' if count != 1 else ''} now through your "
            "SMTP server, each to the address shown in the queue? They go out at the pace "
            "set in Settings ▸ Sending email; each is recorded once, and none can be "
            "called back."
        )
        if not self._confirm_send("Send the approved emails?", question):
            return

        def task(state: TaskState) -> SendSummary:
            from services.outreach.batch_delivery import send_approved

            return send_approved(
                ws.engine, batch_id, state.progress, state.cancelled, actor=actor,
                sender=_sender(ws, own),
            )  # fmt: skip

        self._deliver_on_pool(task, "smtp", "Sending…", self._on_delivered)

    def _deliver_on_pool(
        self,
        task: Callable[[TaskState], SendSummary],
        delivery: str,
        message: str,
        done: Callable[[SendSummary], None],
    ) -> None:
        def progress(fraction: float, text: str) -> None:
            if self.queue is not None:
                self.queue.set_busy(text or message, fraction)
            self._soon()

        self._run(
            self._jobs.operation(task, parent=self, pool="work", label=f"deliver {delivery}")
            .progress(progress)
            .success(done)
            .failure(self._on_row_failed),
            message,
        )

    def _on_delivered(self, summary: SendSummary) -> None:
        words = f"Sent {summary.done:,}"
        if summary.failed:
            words += f"; {summary.failed:,} not sent: {summary.errors[0]}"
        if self.queue is not None:
            self.queue.show_notice(words + ".")
        if summary.done:
            self.outreach_recorded.emit()

    def _to_eml_folder(self, ws: Workspace, batch_id: int, actor: str, own: str | None) -> None:
        """Each approved email saved as an .eml file in a folder the user picks; they are
        recorded as handed over once the user says they sent them."""
        folder = self._ask_folder()
        if not folder:
            return

        def task(state: TaskState) -> SendSummary:
            from services.outreach.batch_delivery import save_eml_folder

            return save_eml_folder(
                ws.engine, batch_id, folder, state.progress, state.cancelled,
                sender=_sender(ws, own),
            )  # fmt: skip

        def saved(summary: SendSummary) -> None:
            said = (
                f"Saved {_emails(summary.done)} as .eml files." if summary.done else "None saved."
            )
            if summary.failed:
                said += f" {summary.failed:,} not saved: {summary.errors[0]}."
            # The folder goes in the question's bar, which has the room for a long path.
            where = f"They are in {folder}: open them with your mail program to send them."
            self._ask_sent(ws, list(summary.rows), actor, said, "saved as .eml files", where)

        self._deliver_on_pool(task, "eml_folder", "Saving .eml files…", saved)

    def _to_mail_app(self, ws: Workspace, batch_id: int, actor: str) -> None:
        """Each approved email opened in the mail app (batch_mail_app.py); those that left
        are recorded as handed over once the user says they sent them."""
        from app.gui.outreach.batch_mail_app import open_each_in_mail_app

        own = self._default_sender()
        open_each_in_mail_app(
            self._jobs, self, ws, batch_id,
            sender=lambda: _sender(ws, own), drafts_folder=self._drafts_folder,
            open_url=self._open_url,
            handed=lambda rows, said, where: self._ask_sent(
                ws, rows, actor, said, "handed over to your mail app", where
            ),
        )  # fmt: skip

    def _ask_sent(
        self, ws: Workspace, rows: list[int], actor: str, said: str, how: str, where: str = ""
    ) -> None:
        """Nothing is logged without the user's word: say what left the queue (``said``)
        and ask whether they sent them (``where`` they are first; ``how`` they left goes
        in the notice after Yes)."""
        if self.queue is None:
            return
        self.queue.show_notice(said)
        if not rows:
            return
        self._handed = (ws, rows, actor, how)
        counted = (
            f"Logged as sent, the {_emails(len(rows))} count as contact: each alert moves to "
            "in progress and its quiet period starts. Not sent keeps them approved."
        )
        self.queue.sent_prompt.ask(
            "Did you send them?",
            f"{where} {counted}" if where else counted,
            tip="Nothing is logged until you say so.",
        )

    def _on_queue_sent_answered(self, sent: bool) -> None:
        handed, self._handed = self._handed, None
        if handed is None:
            return
        if sent:
            self._record_handed_over(*handed)
        elif self.queue is not None:
            self.queue.show_notice("Not logged: they stay approved.")

    def _on_queue_closed(self) -> None:
        """The queue closed with "Did you send them?" unanswered: asked once more, since
        nothing is logged without the answer."""
        self._deliver_after = None  # asked for from the queue, which is gone
        if self._handed is not None:
            if self.queue is not None:
                self.queue.sent_prompt.dismiss()
            self._on_queue_sent_answered(self._ask_sent_on_close(len(self._handed[1])))
        self.drafts_changed.emit()

    def _record_handed_over(self, ws: Workspace, rows: list[int], actor: str, how: str) -> None:
        def task(_state: TaskState) -> int:
            from services.outreach.batch_delivery import record_handed_over

            return sum(record_handed_over(ws.engine, r, actor=actor) is not None for r in rows)

        def done(count: int) -> None:
            note = f"Logged {count:,} as sent ({how})."
            if self.queue is not None:
                self.queue.show_notice(note)
            self.reload()
            if count:
                self.outreach_recorded.emit()

        self._jobs.operation(task, parent=self, label="record handed over").success(done).run()

    # -- the rest -------------------------------------------------------------------------

    def close(self) -> None:
        """Close the queue and the dialog (another workspace opens); drafting stops."""
        self.cancel()
        if self.dialog is not None:
            self.dialog.close()
        # Another workspace, or the app quits: an unanswered question is dropped, nothing
        # logged (as the composer does).
        self._handed = None
        if self.queue is not None:
            self.queue.sent_prompt.dismiss()
            self.queue.close()
        self._ws, self.batch_id = None, None

    def _ask_send(self, title: str, text: str) -> bool:
        parent = self.queue or self._window
        return ask_yes_cancel(parent, title, text)

    def _choose_folder(self) -> str | None:
        parent = self.queue or self._window
        folder = existing_directory(parent, "Save the approved emails in")
        return folder or None

    def _status(self, text: str) -> None:
        bar = getattr(self._window, "statusBar", None)
        if callable(bar):
            bar().showMessage(text, 10_000)

    def _now(self) -> dt.datetime | None:
        return self._clock() if self._clock is not None else None

    def _on_theme_changed(self, theme: Any) -> None:
        if self.queue is not None:
            self.queue.set_theme(theme)


def _mark_reviewed(ws: Workspace, actor: str) -> None:
    """The user read the request in the start dialog: remember it for this provider."""
    from models.db import session_scope
    from services.outreach.prompt import mark_reviewed, provider_from_settings

    with session_scope(ws.sessions) as session:
        config = provider_from_settings(session)
        if config is not None:
            mark_reviewed(session, config, actor=actor)


def _emails(count: int) -> str:
    return f"{count:,} email{'s' if count != 1 else ''}"


def _sender(ws: Workspace, own: str | None) -> str | None:
    """The From: the workspace's sending address, else the user's own."""
    from services.mail.delivery import smtp_settings

    with ws.sessions() as session:
        return smtp_settings(session).sender or own


def install(ctx: GuiContext) -> BatchController:
    """Draft for all… on the alert list, the review queue and Email ▸ Review drafts…, and
    what the batches change on the cards and in Results."""
    window = ctx.window
    batches = BatchController(ctx, user=ctx.user, default_sender=ctx.own_address, theme=ctx.theme)
    window.menus.review_drafts_action.triggered.connect(batches.review_latest)
    batches.outreach_recorded.connect(window.results.mark_stale)

    def connect_screens() -> None:
        window.alerts_view.alerts_pane.draft_all_requested.connect(batches.draft_for_all)
        batches.outreach_recorded.connect(window.alerts_view.reload)
        batches.drafts_changed.connect(window.alerts_view.reload)  # the badges

    # The alert list is built after the first paint.
    window.when_screens_built(connect_screens)
    return batches
