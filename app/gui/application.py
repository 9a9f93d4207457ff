"""The desktop application: start-up and workspace opening.

Entry points (called by main.py):

- ``run_gui(db)``: the window on the workspace ``--db`` / ``$ACCOUNT_RADAR_DB`` / the
  default file. On first launch (no default workspace yet) the welcome offers the demo
  (built with a progress dialog, then shown) or an empty workspace of one's own
  (app/gui/workspace_controller.py).
- ``app.gui.selftest.run_self_test()``: the frozen build's self-test.

The window's features install themselves: each feature module has ``install(ctx)``,
given the application's context (app/gui/context.py); ``GuiController`` keeps the list
of them, in the order they add their menu entries and connect their signals.
"""

from __future__ import annotations

import logging
import os
import sys
from concurrent.futures import Future
from typing import Any

import numpy as np
from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QWidget

from app.gui import (
    crm_export_controller,
    digest_controller,
    import_controller,
    notifications,
    notify_controller,
    offline_controller,
    packs_controller,
    recent_controller,
    scoring_controller,
    settings_controller,
    shared_workspace_controller,
    update_check,
    workspace_controller,
)
from app.gui.alerts_source import WorkspaceAlertSource
from app.gui.ask_source import WorkspaceAskSource
from app.gui.choice import CHOICE_QUIT as CHOICE_QUIT
from app.gui.context import GuiContext
from app.gui.customers_source import WorkspaceCustomerSource
from app.gui.demo_workspace import FIRST_LAUNCH_DEMO_CUSTOMERS, first_launch_needs_demo
from app.gui.errors import ErrorPresenter, route_qt_messages
from app.gui.my_work_source import WorkspaceMyWorkSource
from app.gui.opening import APPLICATION, ORGANIZATION, show_alerts_first
from app.gui.outreach import batch_controller, composer_controller, template_controller
from app.gui.preload import Preload
from app.gui.results_source import WorkspaceResultsSource
from app.gui.score_watch import ScoreWatch
from app.gui.startup import QUIT_WHEN_POPULATED, after_table_settles, quit_when_populated
from app.gui.workspace_controller import NewPathFn
from app.gui.workspace_opening import CHOICE_EMPTY as CHOICE_EMPTY
from app.gui.workspace_opening import CHOICE_OPEN as CHOICE_OPEN
from app.gui.workspace_opening import ChooseFn, PathPromptFn, WorkspaceOpening
from app.logging_setup import end_without_teardown
from app.workspace import Workspace, resolve_url, workspace_exists
from models.errors import UserFacingError
from services.core.policy import current_policy
from views.kit.jobs import JobRunner
from views.kit.theme import ThemeManager, ThemeMode, resources_dir
from views.shell.main_window import KEY_THEME, MainWindow
from views.workspace.identity_dialog import IdentityPrompt
from views.workspace.welcome_dialog import WelcomeFn

log = logging.getLogger(__name__)


class GuiController(WorkspaceOpening):
    """Owns the open workspace and the window; opens, builds and switches workspaces
    (app/gui/workspace_opening.py), and installs the window's features.

    Signals:
        workspace_opened(display_name): a workspace is open and handed to the window.
        settings_saved(keys): File ▸ Settings… stored these settings.
        quit_requested(exit_code): the user chose to quit (e.g. after a failed start:
            exit code 1).
    """

    workspace_opened = Signal(str)
    settings_saved = Signal(list)

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
        super().__init__(
            choose=choose, prompt_open_path=prompt_open_path, show_progress=show_progress
        )
        self.jobs = jobs
        self.presenter = presenter
        self.theme = theme
        self.window = MainWindow(jobs, theme, settings)
        self.workspace: Workspace | None = None
        self._pending_columns: Future[dict[str, np.ndarray]] | None = None
        self._pending_first: Future[Any] | None = None  # the alerts list (app/gui/opening.py)
        self.window.open_workspace_requested.connect(self._on_window_open_workspace_requested)
        self.window.demo_workspace_requested.connect(self._on_window_demo_workspace_requested)
        # A policy file IT wrote that cannot be used is said, not fatal (services/core/policy.py).
        problems = current_policy().problems
        if problems:
            more = f" (and {len(problems) - 1} more: see the log)" if len(problems) > 1 else ""
            self.window.statusBar().showMessage(f"Policy: {problems[0]}{more}", 30_000)
        # What the features use of this controller (app/gui/context.py).
        ctx = GuiContext(
            jobs=jobs,
            window=self.window,
            workspace=lambda: self.workspace,
            present=presenter.present,
            workspace_opened=self.workspace_opened,
            open_url=self.open_url,
            build_demo=self.build_demo,
            show_workspace=self.show_workspace,
            settings=settings,
            theme=theme,
            settings_saved=self.settings_saved,
            user=self._user,
            own_address=lambda: self.workspaces.own_address(),
            owner_name=lambda: self.workspaces.owner_name(),
            parent=self,
            show_progress=show_progress,
        )
        # The features, in the order they add their menu entries and connect their signals
        # (the workspaces' takes the test's answers to its questions, offline what stops
        # the imports). The digest and the update check answer workspace_opened before
        # the others: "Since yesterday" opens before the workspace's own questions.
        self.imports = import_controller.install(ctx)
        self.scoring = scoring_controller.install(ctx)
        self.digest = digest_controller.install(ctx)
        self.updates = update_check.install(ctx)
        self.settings = settings_controller.install(ctx)
        self.notifications = notifications.install(ctx)
        self.notify = notify_controller.install(ctx)  # Slack and Teams; accountradar:// links
        self.composer = composer_controller.install(ctx)
        self.batches = batch_controller.install(ctx)
        self.templates = template_controller.install(ctx)
        self.packs = packs_controller.install(ctx)
        self.workspaces = workspace_controller.install(
            ctx,
            open_settings=self.settings.open,
            prompt_open_path=self._prompt_open_path,
            welcome=welcome,
            ask_identity=ask_identity,
            ask_new_path=ask_new_workspace_path,
        )
        self.recent = recent_controller.install(ctx)
        self.crm_export = crm_export_controller.install(ctx)
        self.shared = shared_workspace_controller.install(ctx)
        self.offline = offline_controller.install(
            ctx, stop_imports=lambda: self.imports.set_workspace(None)
        )
        # Between features: a file from the watched folder is scored again at once, and the
        # checklist follows imports, scorings and settings changes.
        scoring_controller.rescore_watched_imports(
            self.scoring, self.imports.watched_import_done, self.imports.notices, self.window
        )
        # Scores stored outside this window (the command line, the daily round, a
        # teammate) are offered in the same notices.
        self.score_watch = ScoreWatch(
            ctx.jobs,
            lambda: self.workspace,
            self.scoring,
            self.imports.notices,
            lambda: self.window.refresh_scores(),
            parent=self,
        )
        self.workspace_opened.connect(lambda _name: self.score_watch.workspace_opened())
        self.imports.workspace_changed.connect(self.workspaces.refresh_checklist)
        self.scoring.scoring_finished.connect(lambda _summary: self.workspaces.refresh_checklist())
        self.settings.settings_saved.connect(lambda _keys: self.workspaces.refresh_checklist())

    # -- starting -----------------------------------------------------------------------

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
        self.window.set_source(
            WorkspaceCustomerSource(
                workspace, columns, user=self._user, owner_name=self.workspaces.owner_name
            )
        )
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
        self.window.set_work_source(
            WorkspaceMyWorkSource(workspace, user=self._user),
            owner_name=self.workspaces.owner_name(),
        )
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
        self.workspace_opened.emit(workspace.display_name)

    def _user(self) -> str:
        return self.workspaces.actor()

    def _ask_password_again(self, error: BaseException) -> bool:
        return self.shared.ask_again(error)

    # -- stopping -----------------------------------------------------------------------

    def shutdown(self) -> None:
        """Stop background work and close the workspace; no thread survives this."""
        self.window.save_ui_state()
        self.notifications.timer.stop()  # its next tick would start a job on a closed runner
        self.score_watch.timer.stop()
        self.imports.shutdown()
        # A draft streaming from a stalled server ends now, not at its read time-out.
        self.composer.close()
        self.jobs.shutdown()
        if self.workspace is not None:
            self.workspace.close()
            self.workspace = None


# ------------------------------------------------------------------------------ setup


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


def run_gui(db: str | None, preload: Preload | None = None, link: str | None = None) -> int:
    """Run the window until the user quits; returns the process exit code. ``link``: an
    accountradar:// link to open once the workspace is open (app/gui/notify_controller.py)."""
    controller = launch(db, preload=preload)
    controller.notify.listen()  # later starts hand their links to this window
    if link is not None:
        controller.notify.open_link(link)
    if os.environ.get(QUIT_WHEN_POPULATED):
        quit_when_populated(controller.window.customers_pane, controller.quit_requested)
    # The openai library takes about a second to import: load it in the background once
    # the window has settled, so that the first draft of the session streams at once.
    QTimer.singleShot(
        composer_controller.LLM_PRELOAD_MS,
        lambda: composer_controller.preload_llm_client(controller.jobs, controller),
    )
    try:
        code = QApplication.instance().exec()  # type: ignore[union-attr]
    finally:
        controller.shutdown()
    server = getattr(controller.notify, "server", None)
    if server is not None:
        server.close()  # its socket file goes now (no teardown deletes the server below)
    end_without_teardown(code)
    return code
