"""Score now and the Model report, for the window's open workspace.

The window only asks (its ``score_requested`` / ``model_report_requested`` signals);
this controller reads the defaults, asks for the parameters, runs
``services.scoring.run.score_workspace`` on the database worker with a cancellable
progress dialog, tells the window to refresh, and shows the model report.

The scoring services (pandas, scikit-learn, scipy) are imported inside the worker
functions only: the window starts without them.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal, SignalInstance
from PySide6.QtWidgets import QProgressDialog

from app.gui.context import GuiContext, WindowContext
from app.workspace import Workspace
from models.db import translate_db_errors
from models.errors import UserFacingError
from services.core.formatting import format_date
from services.core.records import (
    CHURN_MODEL_NAMES,
    ModelReport,
    ScoringSummary,
)
from views.importing.notice import ImportNoticeArea
from views.kit.jobs import Operation, TaskState
from views.kit.theme import ThemeManager
from views.scoring.dialog import ScoringParameters, ask_scoring_parameters
from views.scoring.model_report import ModelReportDialog
from views.shell.main_window import TAB_MY_WORK

if TYPE_CHECKING:
    from services.usecases.refresh import RefreshResult
    from views.shell.main_window import MainWindow

log = logging.getLogger(__name__)

DEFAULT_HORIZON_DAYS = 90
SUMMARY_MESSAGE_MS = 60_000
CANCELLED_MESSAGE = "Scoring cancelled; the previous scores are kept."
FAILED_MESSAGE = "Scoring did not finish; the previous scores are kept."

AskFn = Callable[[ScoringParameters], ScoringParameters | None]


# ------------------------------------------------------------------ worker functions


def read_model_report(workspace: Workspace) -> ModelReport | None:
    """The latest run's model report (None before any run); on a worker."""
    from services.scoring.queries import model_report

    with translate_db_errors(), workspace.sessions() as session:
        return model_report(session)


def read_default_horizon(workspace: Workspace) -> int:
    """The workspace's horizon setting (days); on a worker."""
    from services.settings.views import ScoringSettings

    with translate_db_errors(), workspace.sessions() as session:
        value = ScoringSettings.read(session).horizon_days
    return value if value > 0 else DEFAULT_HORIZON_DAYS


def run_scoring(
    workspace: Workspace, parameters: ScoringParameters, state: TaskState
) -> RefreshResult:
    """Score every customer and store the snapshot, then raise and refresh the alerts from
    it and run the escalations; on the database worker."""
    from services.usecases.refresh import score_and_alert

    return score_and_alert(
        workspace.engine,
        as_of=parameters.as_of,
        horizon_days=parameters.horizon_days,
        progress=state.progress,
        cancelled=state.cancelled,
    )


def summary_message(summary: ScoringSummary) -> str:
    """One status-bar line: how many were scored, as of when, and how well it backtested."""
    text = (
        f"Scored {summary.customers:,} customers as of {format_date(summary.as_of)} "
        f"for the next {summary.horizon_days} days"
    )
    if summary.auc is not None and summary.brier is not None:
        model = CHURN_MODEL_NAMES.get(summary.chosen_model, summary.chosen_model)
        text += f"  ·  backtest ROC AUC {summary.auc:.2f}, Brier {summary.brier:.3f} ({model})"
    else:
        text += "  ·  no backtest (too little history)"
    text += f"  ·  {summary.seconds:.1f} s"
    if len(summary.stale_sources) == 1:
        text += f"  ·  {summary.stale_words} {summary.stale_sources[0]}"
    elif summary.stale_sources:
        text += f"  ·  {summary.stale_words} The Dashboard names them."
    return text


def in_window_words(error: BaseException) -> BaseException:
    """The services speak to the command line ("--as-of"); the window has a date field."""
    if isinstance(error, UserFacingError) and "--as-of" in str(error):
        text = str(error).replace("a later --as-of date", "a later as-of date")
        text = text.replace("--as-of", "the as-of date")
        try:
            return type(error)(text)
        except TypeError:  # an error class with another signature
            return UserFacingError(text)
    return error


def utc_today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


# ------------------------------------------------------------------------ controller


class ScoringController(QObject):
    """Runs scoring for the window and shows the model report.

    Signals:
        scoring_progressed(fraction, message): a run in flight reported progress.
        scoring_finished(summary): a run finished and its scores are stored.
        refreshed(result): the same run's RefreshResult: its scores, the alerts raised
            after them and the escalations (emitted just before scoring_finished).
        scoring_cancelled(): the user cancelled a run; nothing was stored.
        scoring_failed(error): a run failed; nothing was stored.
    """

    scoring_progressed = Signal(float, str)
    scoring_finished = Signal(object)
    refreshed = Signal(object)
    scoring_cancelled = Signal()
    scoring_failed = Signal(object)

    def __init__(
        self,
        context: WindowContext,
        theme: ThemeManager,
        *,
        ask_parameters: AskFn | None = None,
        show_progress: bool = True,
        today: Callable[[], dt.date] = utc_today,
    ) -> None:
        jobs, window = context.jobs, context.window
        super().__init__(window)
        self._jobs = jobs
        self._window = window
        self._workspace = context.workspace
        self._theme = theme
        self._today = today
        # Replaceable (tests answer without a modal dialog).
        self.ask_parameters: AskFn = ask_parameters or (
            lambda defaults: ask_scoring_parameters(window, defaults, today=self._today())
        )
        self._show_progress = show_progress
        self._operation: Operation[RefreshResult] | None = None
        # Why a re-score waits for the run in flight (a file arrived meanwhile), if any.
        self._rescore_queued: str | None = None
        # What the run in flight re-scores for (None: the user's Score now).
        self.rescore_reason: str | None = None
        self.progress_dialog: QProgressDialog | None = None
        self.report_dialog: ModelReportDialog | None = None
        window.score_requested.connect(self.score_now)
        window.model_report_requested.connect(self.show_model_report)

    @property
    def running(self) -> bool:
        return self._operation is not None

    # -- Score now --------------------------------------------------------------------

    def score_now(self) -> None:
        """Ask for the as-of date and horizon (defaults: today, the workspace's
        horizon), then score."""
        workspace = self._workspace()
        if workspace is None:
            return
        if self.running:
            if self.progress_dialog is not None:
                self.progress_dialog.raise_()
            return
        (
            self._jobs.operation(
                lambda _state: read_default_horizon(workspace),
                parent=self._window,
                key=("scoring.defaults", id(self)),
                label="read scoring defaults",
            )
            .success(self._on_defaults_read)
            .run()
        )

    def rescore(self, reason: str) -> None:
        """Score again with today's date and the workspace's horizon, without asking
        (new data arrived: ``reason`` says what); a run in flight is followed by one
        more, never two at once."""
        workspace = self._workspace()
        if workspace is None:
            return
        if self.running:
            self._queue_rescore(reason)
            return
        (
            self._jobs.operation(
                lambda _state: read_default_horizon(workspace),
                parent=self._window,
                key=("scoring.rescore_defaults", id(self)),
                label="read scoring defaults",
            )
            .success(lambda horizon: self._start_rescore(reason, horizon))
            .run()
        )

    def _queue_rescore(self, reason: str) -> None:
        """One re-score waits for the run in flight, for every file that arrived meanwhile."""
        queued = self._rescore_queued
        self._rescore_queued = reason if queued is None else f"{queued}; {reason}"

    def _start_rescore(self, reason: str, horizon_days: int) -> None:
        if self.running:
            self._queue_rescore(reason)
            return
        if self.start(ScoringParameters(self._today(), horizon_days)) is not None:
            self.rescore_reason = reason

    def _on_defaults_read(self, horizon_days: int) -> None:
        parameters = self.ask_parameters(ScoringParameters(self._today(), horizon_days))
        if parameters is not None:
            self.start(parameters)

    def start(self, parameters: ScoringParameters) -> Operation[RefreshResult] | None:
        """Score the open workspace with these parameters (progress, Cancel)."""
        workspace = self._workspace()
        if workspace is None or self.running:
            return None
        heading = f"Scoring customers as of {format_date(parameters.as_of)}"
        dialog: QProgressDialog | None = None
        if self._show_progress:
            dialog = QProgressDialog(f"{heading}…", "Cancel", 0, 100, self._window)
            dialog.setWindowTitle("Score now")
            dialog.setWindowModality(Qt.WindowModality.WindowModal)
            dialog.setMinimumDuration(0)
            dialog.setAutoClose(False)
            dialog.setAutoReset(False)
            dialog.setMinimumWidth(440)
            dialog.setValue(0)
            self.progress_dialog = dialog
        self._window.statusBar().showMessage(f"{heading}…")
        self._window.set_scoring(True)

        def on_progress(fraction: float, message: str) -> None:
            self.scoring_progressed.emit(fraction, message)
            if dialog is not None:
                dialog.setValue(round(fraction * 100))
                if message:
                    step = message if message.endswith("…") else f"{message}…"
                    dialog.setLabelText(f"{heading}\n{step}")

        op = (
            self._jobs.operation(
                lambda state: run_scoring(workspace, parameters, state),
                parent=self._window,
                key=("scoring.run", id(self)),
                label="score customers",
                what="scoring",
            )
            .progress(on_progress)
            .success(self._on_scored)
            .failure(self._on_scoring_failed)
            .cancelled(self._on_scoring_cancelled)
            .finished(self._on_scoring_finished)
        )
        if dialog is not None:
            dialog.canceled.connect(op.cancel)
            dialog.show()
        self._operation = op
        return op.run()

    def cancel(self) -> None:
        """Stop the run in flight; nothing is stored."""
        if self._operation is not None:
            self._operation.cancel()

    def _on_scored(self, result: RefreshResult) -> None:
        summary = result.scores
        text = summary_message(summary)
        if result.owners:  # customers without an owner given their segment's
            n = result.owners
            text += f"  ·  {n:,} customer{'' if n == 1 else 's'} given their segment's owner"
        self._window.statusBar().showMessage(text, SUMMARY_MESSAGE_MS)
        self._window.refresh_scores()
        if self.report_dialog is not None and self.report_dialog.isVisible():
            self._load_report()
        self.refreshed.emit(result)
        self.scoring_finished.emit(summary)

    def _on_scoring_failed(self, error: BaseException) -> None:
        self._window.statusBar().showMessage(FAILED_MESSAGE, SUMMARY_MESSAGE_MS)
        error = in_window_words(error)
        self._jobs.present_error(error)
        self.scoring_failed.emit(error)

    def _on_scoring_cancelled(self) -> None:
        self._window.statusBar().showMessage(CANCELLED_MESSAGE, SUMMARY_MESSAGE_MS)
        self.scoring_cancelled.emit()

    def _on_scoring_finished(self) -> None:
        self._operation = None
        self.rescore_reason = None
        self._window.set_scoring(False)
        if self.progress_dialog is not None:
            self.progress_dialog.close()
            self.progress_dialog.deleteLater()
            self.progress_dialog = None
        queued, self._rescore_queued = self._rescore_queued, None
        if queued is not None:
            self.rescore(queued)

    # -- Model report -----------------------------------------------------------------

    def show_model_report(self) -> None:
        """Open the model report of the latest run (or its empty state)."""
        if self._workspace() is None:
            return
        dialog = self._ensure_report_dialog()
        if dialog.isVisible():
            # Already open behind the window: bring it forward.
            dialog.raise_()
            dialog.activateWindow()
        else:
            dialog.show()
        self._load_report()

    def _ensure_report_dialog(self) -> ModelReportDialog:
        if self.report_dialog is None:
            self.report_dialog = ModelReportDialog(self._window)
            self.report_dialog.set_theme(self._theme.theme)
            self.report_dialog.score_requested.connect(self._on_report_score_requested)
            self._theme.theme_changed.connect(self.report_dialog.set_theme)
        return self.report_dialog

    def _load_report(self) -> None:
        workspace = self._workspace()
        if workspace is None:
            return
        (
            self._jobs.operation(
                lambda _state: read_model_report(workspace),
                parent=self._window,
                key=("scoring.report", id(self)),
                label="read model report",
            )
            .success(self._on_report_loaded)
            .run()
        )

    def _on_report_loaded(self, report: ModelReport | None) -> None:
        if self.report_dialog is not None:
            self.report_dialog.set_report(report)

    def _on_report_score_requested(self) -> None:
        self.score_now()

    def workspace_changed(self) -> None:
        """Another workspace is open: the report on screen belonged to the old one."""
        if self.report_dialog is not None:
            if self.report_dialog.isVisible():
                self._load_report()
            else:
                self.report_dialog.set_report(None)


def install(ctx: GuiContext) -> ScoringController:
    """Score now and the model report (Scoring menu), for the application's window."""
    return ScoringController(ctx, ctx.theme, show_progress=ctx.show_progress)


def rescore_watched_imports(
    scoring: ScoringController,
    watched_import_done: SignalInstance,
    notices: ImportNoticeArea,
    window: MainWindow,
) -> None:
    """A file imported from the watched folder: the workspace is scored again at once, and
    what the scoring made of it is said in the import ``notices``."""

    def on_watched_import_done(path: str, outcome: Any) -> None:
        # Scored again (after any run in flight) only when the file changed something, so
        # that its orders and tickets count in the scores and alerts at once.
        report = outcome.report
        changed = sum(f.inserted + f.updated for f in report.files)
        if report.landed and changed > 0:
            rows = "1 row" if changed == 1 else f"{changed:,} rows"
            scoring.rescore(f"{os.path.basename(path)} imported: {rows} new or changed")

    def on_refreshed(result: Any) -> None:
        # The watched folder's notice (what arrived, what the scoring and the alerts made
        # of it) and any escalations raised.
        reason = scoring.rescore_reason
        if reason is not None:
            text = f"{reason}; re-scored {result.scores.customers:,} customers"
            if result.alerts is not None:
                created = result.alerts.created
                text += f", {created:,} new alert{'' if created == 1 else 's'}"
            else:
                text += f" (the alerts were not updated: {result.alerts_error})"
            notices.add(text + ".", tone="positive")
        if result.escalations:  # the count and any reason no email went, not every title
            lines = [result.escalations[0]]
            lines += [x.strip() for x in result.escalations[1:] if x.strip().startswith("Not ")]
            window.my_work.reload()
            notices.add(
                "\n".join(lines),
                tone="warning",
                action_text="Open My work",
                action=lambda: window.tabs.setCurrentIndex(TAB_MY_WORK),
            )

    watched_import_done.connect(on_watched_import_done)
    scoring.refreshed.connect(on_refreshed)
