"""The desktop application: start-up and workspace opening.

Entry points (called by main.py):

- ``run_gui(db)``: the window on the workspace ``--db`` / ``$ACCOUNT_RADAR_DB`` / the
  default file. On first launch (no default workspace yet) the welcome offers the demo
  (built with a progress dialog, then shown) or an empty workspace of one's own
  (app/gui/workspace_controller.py).
- ``app.gui.selftest.run_self_test()``: the frozen build's self-test.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QProgressDialog,
    QWidget,
)

from app.gui.alerts_source import WorkspaceAlertSource
from app.gui.ask_source import WorkspaceAskSource
from app.gui.choice import CHOICE_QUIT as CHOICE_QUIT
from app.gui.choice import ask_choice
from app.gui.context import GuiContext
from app.gui.customers_source import WorkspaceCustomerSource
from app.gui.demo_workspace import (
    FIRST_LAUNCH_DEMO_CUSTOMERS,
    build_demo_workspace,
    first_launch_needs_demo,
)
from app.gui.digest_controller import DigestController
from app.gui.email_settings import EmailSettingsActions
from app.gui.errors import (
    ErrorPresenter,
    default_log_path,
    describe_error,
    route_qt_messages,
)
from app.gui.import_controller import ImportController
from app.gui.my_work_source import WorkspaceMyWorkSource
from app.gui.notifications import install_notifications
from app.gui.offline_controller import OfflineController
from app.gui.opening import APPLICATION, ORGANIZATION, show_alerts_first
from app.gui.outreach.batch_controller import BatchController
from app.gui.outreach.composer_controller import ComposerController
from app.gui.outreach.template_controller import TemplateController
from app.gui.preload import Preload
from app.gui.recent_controller import RecentWorkspaces
from app.gui.results_source import WorkspaceResultsSource
from app.gui.scoring_controller import ScoringController
from app.gui.settings_controller import SettingsController
from app.gui.shared_workspace_controller import SharedWorkspaceController
from app.gui.startup import QUIT_WHEN_POPULATED, after_table_settles, quit_when_populated
from app.gui.update_check import UpdateChecker
from app.gui.workspace_controller import NewPathFn, WorkspaceController
from app.workspace import (
    Workspace,
    default_workspace_path,
    open_workspace,
    resolve_url,
    to_url,
    workspace_exists,
)
from models.errors import UserFacingError, WorkspaceError
from services.core.policy import current_policy
from views.kit.jobs import JobRunner, Operation, TaskState
from views.kit.theme import ThemeManager, ThemeMode, resources_dir
from views.shell.main_window import KEY_THEME, TAB_MY_WORK, WORKSPACE_FILTER, MainWindow
from views.workspace.identity_dialog import IdentityPrompt
from views.workspace.welcome_dialog import WelcomeFn

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)

DEMO_REFUSAL_GUI = (
    "This file holds your own data; the demo will not overwrite it. "
    "Choose File ▸ New demo workspace… again and pick a new file name."
)

# Answers of the "what now?" question after a workspace could not be opened.
CHOICE_OPEN = "Open another file…"
CHOICE_EMPTY = "Start with an empty workspace"

ChooseFn = Callable[[str, str, Sequence[str]], str]
PathPromptFn = Callable[[], str | None]


# --------------------------------------------------------------------------- services


# ------------------------------------------------------------------------- controller


class GuiController(QObject):
    """Owns the open workspace and the window; opens, builds and switches workspaces.

    Signals:
        workspace_opened(display_name): a workspace is open and handed to the window.
        quit_requested(exit_code): the user chose to quit (e.g. after a failed start:
            exit code 1).
    """

    workspace_opened = Signal(str)
    quit_requested = Signal(int)

    def __init__(
        self,
        *,
        jobs: JobRunner,
        presenter: ErrorPresenter,
        theme: ThemeManager,
        settings: QSettings,
        choose: ChooseFn | None = None,
        prompt_open_path: PathPromptFn | None = None,
        show_progress: bool = True,
        welcome: WelcomeFn | None = None,
        ask_identity: IdentityPrompt | None = None,
        ask_new_workspace_path: NewPathFn | None = None,
    ) -> None:
        super().__init__()
        self.jobs = jobs
        self.presenter = presenter
        self.theme = theme
        self.window = MainWindow(jobs, theme, settings)
        self.workspace: Workspace | None = None
        self._pending_columns: Future[dict[str, np.ndarray]] | None = None
        self._pending_first: Future[Any] | None = None  # the alerts list (app/gui/opening.py)
        self.progress_dialog: QProgressDialog | None = None
        self._choose = choose or (
            lambda title, text, options: ask_choice(self.window, title, text, options)
        )
        self._prompt_open_path = prompt_open_path or self._ask_open_path
        self._show_progress = show_progress
        # Set when the start-up workspace could not be opened: quitting then exits with 1.
        self._start_failed = False
        self.window.open_workspace_requested.connect(self._on_window_open_workspace_requested)
        self.window.demo_workspace_requested.connect(self._on_window_demo_workspace_requested)
        # File ▸ Import…, drag and drop, import history and the watched folder.
        self.imports = ImportController(jobs, self.window, parent=self)
        # Score now and the model report (Scoring menu).
        self.scoring = ScoringController(
            jobs, self.window, lambda: self.workspace, theme, show_progress=show_progress
        )
        # A policy file IT wrote that cannot be used is said, not fatal (services/core/policy.py).
        problems = current_policy().problems
        if problems:
            more = f" (and {len(problems) - 1} more: see the log)" if len(problems) > 1 else ""
            self.window.statusBar().showMessage(f"Policy: {problems[0]}{more}", 30_000)
        # View ▸ Since yesterday…, and once a day at start-up.
        self.digest = DigestController(
            jobs, self.window, lambda: self.workspace, settings, at_startup=show_progress
        )
        # Is a newer version out? Once a session, only when IT set an address.
        self.updates = UpdateChecker(jobs, self.window, lambda: self.workspace)
        # A file imported from the watched folder: the workspace is scored again at once.
        self.imports.watched_import_done.connect(self._on_watched_import_done)
        self.scoring.refreshed.connect(self._on_scoring_refreshed)
        # File ▸ Settings…: alert rules, cap, quiet period, score weights.
        self.settings = SettingsController(
            jobs,
            self.window,
            lambda: self.workspace,
            user=self._user,
            status=lambda text: self.window.statusBar().showMessage(text, 15_000),
            # The test email goes from (and to) the user's own address when none is set.
            email=EmailSettingsActions(jobs, own_address=lambda: self.workspaces.own_address()),
        )
        self.window.settings_requested.connect(self.settings.open)
        # A Results section's Settings page (Return's "Costs…"), once the tab is built.
        self.window.results.settings_requested.connect(self.settings.open)
        self.notifications = install_notifications(self)  # reminders in the system tray
        # "Draft email" in the action pane: the composer.
        self.composer = ComposerController(
            jobs,
            self.window,
            lambda: self.workspace,
            user=self._user,
            default_sender=lambda: self.workspaces.own_address(),
        )
        # And in the Customers tab, for any customer (no alert to answer).
        self.window.detail_pane.draft_requested.connect(self._on_detail_draft_requested)
        self.window.detail_pane.holdout_draft_requested.connect(self.composer.open_for_customer)
        self.window.detail_pane.set_drafting_available(True)
        self.composer.outreach_recorded.connect(self._on_composer_outreach_recorded)
        # "Draft an email to the first" in the Ask tab.
        self.window.ask.draft_requested.connect(self._on_detail_draft_requested)
        # Draft for all… on the alert list, the review queue and Email ▸ Review drafts….
        self.batches = BatchController(
            jobs,
            self.window,
            lambda: self.workspace,
            user=self._user,
            default_sender=lambda: self.workspaces.own_address(),
            theme=theme,
        )
        self.window.menus.review_drafts_action.triggered.connect(self.batches.review_latest)
        self.batches.outreach_recorded.connect(self.window.results.mark_stale)
        # The alerts, My work and the dashboard are built after the first paint.
        self.window.when_screens_built(self._connect_screens)
        # File ▸ Email templates…: the template library the composer falls back on.
        self.templates = TemplateController(
            jobs, self.window, lambda: self.workspace, user=self._user
        )
        self.window.templates_requested.connect(self.templates.open)
        # What the workspace controllers below use of this one (app/gui/context.py).
        context = GuiContext(
            window=self.window,
            jobs=jobs,
            present=presenter.present,
            workspace=lambda: self.workspace,
            workspace_opened=self.workspace_opened,
            open_url=self.open_url,
            build_demo=self.build_demo,
            show_workspace=self.show_workspace,
        )
        # File ▸ New workspace…, the first-run welcome, the getting-started checklist and
        # File ▸ Who I am… (the actor of everything done here, the sender, "Mine").
        self.workspaces = WorkspaceController(
            context,
            settings,
            open_settings=self.settings.open,
            welcome=welcome,
            ask_identity_fn=ask_identity,
            ask_new_path=ask_new_workspace_path,
            prompt_open_path=self._prompt_open_path,
            parent=self,
        )
        self.digest.reader = self.workspaces.owner_name  # "Assigned to you" in the digest
        # The checklist follows imports, scorings and settings changes.
        self.imports.workspace_changed.connect(self.workspaces.refresh_checklist)
        self.scoring.scoring_finished.connect(lambda _summary: self.workspaces.refresh_checklist())
        self.settings.settings_saved.connect(lambda _keys: self.workspaces.refresh_checklist())
        # A provider saved in Settings is the one every tab uses at once: Ask says so now,
        # not when its tab is next shown (the composer reads it each time it opens).
        self.settings.settings_saved.connect(self._on_settings_saved)
        self.settings.secrets_stored.connect(lambda _names: self.window.ask.reload_provider())
        self.recent = RecentWorkspaces(context, parent=self)  # File ▸ Open recent
        # File ▸ Open shared workspace… (a team's, on PostgreSQL), and its password asked
        # again when a shared workspace refuses the stored one.
        self.shared = SharedWorkspaceController(context, parent=self)
        # File ▸ Take offline… and Sync back, and the banner of an offline copy.
        self.offline = OfflineController(
            context,
            user=self._user,
            stop_imports=lambda: self.imports.set_workspace(None),
            show_progress=show_progress,
            parent=self,
        )

    # -- starting -----------------------------------------------------------------------

    def _connect_screens(self) -> None:
        """The composer and the batches on the Alerts and My work tabs, once built."""
        action_pane = self.window.alerts_view.action_pane
        action_pane.draft_requested.connect(self.composer.open)
        action_pane.holdout_draft_requested.connect(self.composer.open)
        action_pane.set_drafting_available(True)
        # My work: Done on a playbook's email step opens the composer (done once sent).
        self.window.my_work.step_actions.email_step_requested.connect(self.composer.open_for_step)
        self.composer.step_done.connect(lambda _step: self.window.my_work.reload())
        # Draft for all… on the alert list, and what the batches change on the cards.
        self.window.alerts_view.alerts_pane.draft_all_requested.connect(self.batches.draft_for_all)
        self.batches.outreach_recorded.connect(self.window.alerts_view.reload)
        self.batches.drafts_changed.connect(self.window.alerts_view.reload)  # the badges

    def _on_settings_saved(self, keys: list[str]) -> None:
        if any(key.startswith("llm.") for key in keys):
            self.window.ask.reload_provider()

    def start(
        self,
        url: str,
        *,
        first_launch_demo: bool,
        first_run: bool = False,
        demo_customers: int = FIRST_LAUNCH_DEMO_CUSTOMERS,
        preload: Preload | None = None,
    ) -> None:
        """Open url (or take the preloaded workspace). With no workspace at url yet:
        ``first_run`` asks the welcome question (the demo, or an empty workspace of one's
        own); ``first_launch_demo`` builds the demo without asking (the self-test)."""
        if first_run and not first_launch_demo and not workspace_exists(url):
            self.workspaces.first_run(url, demo_customers=demo_customers)
        elif first_launch_demo and not workspace_exists(url):
            self.build_demo(url, customers=demo_customers, startup=True)
        elif preload is not None and preload.url == url:
            self._pending_columns, self._pending_first = preload.columns, preload.first_screen
            self.open_url(url, startup=True, opener=preload.workspace.result)
        else:
            self.open_url(url, startup=True)

    def open_url(
        self,
        url: str,
        *,
        startup: bool = False,
        opener: Callable[[], Workspace] | None = None,
    ) -> Operation[Workspace]:
        """Open a workspace on the database worker and show it."""
        self.window.statusBar().showMessage("Opening workspace…")
        # An empty shared database is refused with the publish hint, never given a schema.
        open_fn = opener or (lambda: open_workspace(url, create_in_empty_database=False))
        return (
            self.jobs.operation(
                lambda _state: open_fn(),
                parent=self.window,
                key="controller.open",
                label="open workspace",
            )
            .success(self._install)
            .failure(lambda error: self.report_open_failure(error, startup=startup))
            .finished(lambda: self.window.statusBar().clearMessage())
            .run()
        )

    def build_demo(
        self, url: str, *, customers: int = FIRST_LAUNCH_DEMO_CUSTOMERS, startup: bool = False
    ) -> Operation[None]:
        """Build a demo workspace at url with a cancellable progress dialog, then open it."""
        dialog: QProgressDialog | None = None
        if self._show_progress:
            dialog = QProgressDialog("Building the demo workspace…", "Cancel", 0, 100, self.window)
            dialog.setWindowTitle("Account Radar")
            dialog.setWindowModality(Qt.WindowModality.WindowModal)
            dialog.setMinimumDuration(0)
            dialog.setAutoClose(False)
            dialog.setAutoReset(False)
            dialog.setMinimumWidth(420)
            dialog.setValue(0)
            self.progress_dialog = dialog

        def task(state: TaskState) -> None:
            try:
                build_demo_workspace(
                    url,
                    customers=customers,
                    progress=state.progress,
                    cancelled=state.cancelled,
                    score=True,
                )
            except WorkspaceError as exc:
                if "--db" not in str(exc):
                    raise
                # The service speaks to the command line; the window has no --db.
                raise WorkspaceError(DEMO_REFUSAL_GUI) from exc

        def on_progress(fraction: float, message: str) -> None:
            if dialog is not None:
                dialog.setValue(round(fraction * 100))
                if message:
                    step = message if message.endswith("…") else f"{message}…"
                    dialog.setLabelText(f"Building the demo workspace\n{step}")

        def on_done() -> None:
            if dialog is not None:
                dialog.close()
                dialog.deleteLater()
            self.progress_dialog = None

        op = (
            self.jobs.operation(task, parent=self.window, key="controller.demo", label="build demo")
            .progress(on_progress)
            .success(lambda _none: self._open_after_build(url, startup=startup))
            .failure(lambda error: self.report_open_failure(error, startup=startup))
            .cancelled(lambda: self._on_demo_cancelled(startup=startup))
            .finished(on_done)
        )
        if dialog is not None:
            dialog.canceled.connect(op.cancel)
            dialog.show()
        return op.run()

    def _open_after_build(self, url: str, *, startup: bool) -> None:
        self.open_url(url, startup=startup)

    # -- switching ----------------------------------------------------------------------

    def show_workspace(self, workspace: Workspace) -> None:
        """Show a workspace opened elsewhere (File ▸ Open shared workspace…)."""
        self._install(workspace)

    def _install(self, workspace: Workspace) -> None:
        old, self.workspace = self.workspace, workspace
        self._start_failed = False
        if old is not None:
            # A composer belongs to the workspace it was opened on.
            self.composer.close()
            self.batches.close()
        columns, self._pending_columns = self._pending_columns, None
        first, self._pending_first = self._pending_first, None
        self.window.set_source(WorkspaceCustomerSource(workspace, columns, user=self._user))
        if columns is None:
            self._install_others(workspace, old)
        else:  # start-up: the table first, the tab at once (app/gui/startup.py)
            self.window.hold_screens()  # built once the table is shown, with their sources
            self.window.show_saved_tab()
            shown = show_alerts_first(  # on the Alerts tab: its list before the table
                self.window,
                workspace,
                first,
                user=self._user,
                owner_name=self.workspaces.owner_name(),
            )
            after_table_settles(
                self.window.customers_pane,
                lambda: self._install_others(workspace, old, True, shown is not None),
            )

    def _install_others(
        self, workspace: Workspace, old: Workspace | None, late: bool = False, alerts: bool = False
    ) -> None:
        if workspace is not self.workspace:
            return  # another workspace was installed meanwhile (and closed this one)
        tab = self.window.tabs.currentIndex()
        # Who acts is asked at each action: the user may say who they are meanwhile.
        if not alerts:  # (else handed over before the table: show_alerts_first)
            self.window.set_alert_source(
                WorkspaceAlertSource(workspace, user=self._user),
                owner_name=self.workspaces.owner_name(),
            )
        if late:  # the tab the user went to while the table loaded stays (and is saved)
            self.window.tabs.setCurrentIndex(tab)
        self.window.set_work_source(WorkspaceMyWorkSource(workspace, user=self._user))
        self.window.results.set_source(WorkspaceResultsSource(workspace))
        self.window.ask.set_source(WorkspaceAskSource(workspace, user=self._user))
        self.imports.set_workspace(workspace)
        self.scoring.workspace_changed()
        if workspace.backup_path is not None:
            self.window.statusBar().showMessage(
                f"The workspace was upgraded; a backup was saved as {workspace.backup_path}",
                15_000,
            )
        if old is not None:
            # Queued behind the old workspace's reads on the single database worker.
            self.jobs.operation(lambda _state: old.close(), label="close workspace").run()
        self.digest.workspace_opened()
        self.updates.workspace_opened()
        self.workspace_opened.emit(workspace.display_name)

    def _on_detail_draft_requested(self, customer_id: int) -> None:
        self.composer.open_for_customer(customer_id)

    def _on_watched_import_done(self, path: str, outcome: Any) -> None:
        """A watched-folder file landed with changes: score again (after any run in
        flight), so its orders and tickets count in the scores and alerts at once."""
        report = outcome.report
        changed = sum(f.inserted + f.updated for f in report.files)
        if report.landed and changed > 0:
            rows = "1 row" if changed == 1 else f"{changed:,} rows"
            self.scoring.rescore(f"{os.path.basename(path)} imported: {rows} new or changed")

    def _on_scoring_refreshed(self, result: Any) -> None:
        """After a scoring: the watched folder's notice (what arrived, what the scoring and
        the alerts made of it) and any escalations raised, in the notices."""
        reason = self.scoring.rescore_reason
        if reason is not None:
            text = f"{reason}; re-scored {result.scores.customers:,} customers"
            if result.alerts is not None:
                created = result.alerts.created
                text += f", {created:,} new alert{'' if created == 1 else 's'}"
            else:
                text += f" (the alerts were not updated: {result.alerts_error})"
            self.imports.notices.add(text + ".", tone="positive")
        if result.escalations:  # the count and any reason no email went, not every title
            lines = [result.escalations[0]]
            lines += [x.strip() for x in result.escalations[1:] if x.strip().startswith("Not ")]
            self.window.my_work.reload()
            self.imports.notices.add(
                "\n".join(lines),
                tone="warning",
                action_text="Open My work",
                action=lambda: self.window.tabs.setCurrentIndex(TAB_MY_WORK),
            )

    def _on_composer_outreach_recorded(self, customer_id: int, alert_id: int) -> None:
        self.window.results.mark_stale()  # a new exposure
        alerts = self.window.alerts_view
        if alert_id:
            alerts.alert_updated(alert_id)
        elif alerts.detail_pane.detail is not None and alerts.detail_pane.detail.id == customer_id:
            alerts.detail_pane.refresh()
        # The Customers tab's timeline shows the email too.
        customers = self.window.detail_pane
        if customers.detail is not None and customers.detail.id == customer_id:
            customers.refresh()
        self.window.statusBar().showMessage(
            "The email is recorded in the customer's history.", 8000
        )

    def _user(self) -> str:
        return self.workspaces.actor()

    def _on_window_open_workspace_requested(self, path: str) -> None:
        self.open_url(to_url(path))

    def _on_window_demo_workspace_requested(self, path: str) -> None:
        self.build_demo(to_url(path))

    def report_open_failure(self, error: BaseException, *, startup: bool) -> None:
        """Tell the user a workspace could not be opened; at start-up, ask what now."""
        if self.shared.ask_again(error):
            return  # a shared workspace wants its password: the dialog, prefilled
        if not startup or self.workspace is not None:
            # A workspace is still open: say what went wrong and keep working.
            self.presenter.present(error)
            return
        if isinstance(error, UserFacingError):
            text = str(error)
        else:
            # A bug: logged with its traceback, and said in the one question asked (an
            # error box on top of the question would be two dialogs at once).
            log.error("The workspace could not be opened", exc_info=error)
            _title, bug_text = describe_error(error, default_log_path())
            text = f"The workspace could not be opened.\n\n{bug_text}"
        self._start_failed = True
        self._ask_what_now("The workspace could not be opened", text, (CHOICE_OPEN, CHOICE_QUIT))

    def _on_demo_cancelled(self, *, startup: bool) -> None:
        if not startup or self.workspace is not None:
            self.window.statusBar().showMessage("Demo build cancelled; nothing was changed.", 8000)
            return
        self._ask_what_now(
            "No demo workspace",
            "The demo workspace was not built. You can start with an empty workspace, "
            "open an existing one, or quit.",
            (CHOICE_EMPTY, CHOICE_OPEN, CHOICE_QUIT),
        )

    def _ask_what_now(self, title: str, text: str, options: Sequence[str]) -> None:
        choice = self._choose(title, text, options)
        if choice == CHOICE_OPEN:
            path = self._prompt_open_path()
            if path:
                self.open_url(to_url(path), startup=True)
                return
            self._ask_what_now(title, text, options)
        elif choice == CHOICE_EMPTY:
            self.open_url(to_url(str(default_workspace_path())), startup=True)
        else:
            self.quit_requested.emit(1 if self._start_failed else 0)

    def _ask_open_path(self) -> str | None:
        path, _ = QFileDialog.getOpenFileName(
            self.window, "Open workspace", str(Path.home()), WORKSPACE_FILTER
        )
        return path or None

    # -- stopping -----------------------------------------------------------------------

    def preload_llm_client(self) -> None:
        """Import the LLM client (openai and its HTTP stack) on a worker, once."""
        if "services.llm.client" in sys.modules or self.jobs.closed:
            return

        def task(_state: TaskState) -> None:
            import importlib

            importlib.import_module("services.llm.client")

        self.jobs.operation(task, parent=self, pool="work", label="load the LLM client").run()

    def shutdown(self) -> None:
        """Stop background work and close the workspace; no thread survives this."""
        self.window.save_ui_state()
        self.notifications.timer.stop()  # its next tick would start a job on a closed runner
        self.imports.shutdown()
        # A draft streaming from a stalled server ends now, not at its read time-out.
        self.composer.close()
        self.jobs.shutdown()
        if self.workspace is not None:
            self.workspace.close()
            self.workspace = None


# ------------------------------------------------------------------------------ setup

LLM_PRELOAD_MS = 6_000


def _application() -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        QApplication.setOrganizationName(ORGANIZATION)
        QApplication.setApplicationName(APPLICATION)
        app = QApplication(sys.argv[:1])
        app.setApplicationDisplayName(APPLICATION)
    if app.windowIcon().isNull():  # also for an application someone else created (tests)
        app.setWindowIcon(QIcon(str(resources_dir() / "icons" / "account-radar.svg")))
    return app


def _setup_logging() -> None:
    try:
        from app.logging_setup import setup_logging
    except ImportError:  # pragma: no cover - part of the app; tolerate a partial tree
        logging.basicConfig(level=logging.INFO)
        return
    setup_logging()


def theme_mode_from(settings: QSettings) -> ThemeMode:
    value = settings.value(KEY_THEME, ThemeMode.SYSTEM.value)
    try:
        return ThemeMode(str(value))
    except ValueError:
        return ThemeMode.SYSTEM


def make_controller(
    app: QApplication,
    settings: QSettings,
    *,
    show_dialogs: bool = True,
    choose: ChooseFn | None = None,
    prompt_open_path: PathPromptFn | None = None,
    welcome: WelcomeFn | None = None,
    ask_identity: IdentityPrompt | None = None,
    ask_new_workspace_path: NewPathFn | None = None,
) -> GuiController:
    """Wire theme, error presenter, job runner, window and controller together."""
    theme = ThemeManager(app, theme_mode_from(settings))
    holder: dict[str, QWidget] = {}
    presenter = ErrorPresenter(lambda: holder.get("window"), show_dialogs=show_dialogs)
    jobs = JobRunner(app, error_presenter=presenter.present)
    controller = GuiController(
        jobs=jobs,
        presenter=presenter,
        theme=theme,
        settings=settings,
        choose=choose,
        prompt_open_path=prompt_open_path,
        show_progress=show_dialogs,
        welcome=welcome,
        ask_identity=ask_identity,
        ask_new_workspace_path=ask_new_workspace_path,
    )
    holder["window"] = controller.window
    # The controller owns them: tests that build several controllers leave nothing behind.
    jobs.setParent(controller)
    theme.setParent(controller)
    controller.theme = theme
    return controller


def launch(
    db: str | None, settings: QSettings | None = None, preload: Preload | None = None
) -> GuiController:
    """Create the application and window, show it and start opening the workspace.

    Returns at once; the workspace arrives through the event loop. run_gui() and the
    start-up benchmark share this path.
    """
    _setup_logging()
    route_qt_messages()
    app = _application()
    controller = make_controller(app, settings or QSettings(ORGANIZATION, APPLICATION))
    controller.presenter.install_excepthook()
    controller.quit_requested.connect(app.exit, Qt.ConnectionType.QueuedConnection)
    controller.window.show()
    try:
        url = resolve_url(db, last_used=True)  # no --db: the workspace opened last
    except UserFacingError as exc:
        # A malformed --db or $ACCOUNT_RADAR_DB: same plain choice as a failed open,
        # asked once the event loop runs.
        error = exc
        QTimer.singleShot(0, lambda: controller.report_open_failure(error, startup=True))
    else:
        controller.start(
            url, first_launch_demo=False, first_run=first_launch_needs_demo(url), preload=preload
        )
    return controller


def run_gui(db: str | None, preload: Preload | None = None) -> int:
    """Run the window until the user quits; returns the process exit code."""
    controller = launch(db, preload=preload)
    if os.environ.get(QUIT_WHEN_POPULATED):
        quit_when_populated(controller.window.customers_pane, controller.quit_requested)
    # The openai library takes about a second to import: load it in the background once
    # the window has settled, so that the first draft of the session streams at once.
    QTimer.singleShot(LLM_PRELOAD_MS, controller.preload_llm_client)
    try:
        return QApplication.instance().exec()  # type: ignore[union-attr]
    finally:
        controller.shutdown()
