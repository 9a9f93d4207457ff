"""The main window: six tabs. Alerts (the alerts, the customer and the actions side by
side), Customers (the table and the selected customer), Dashboard, My work, Results, Ask.

Each tab is a screen (views/shell/tab_screen.py): the window lists them in order and each
gets its tab and its View ▸ entry. The Customers, Results and Ask tabs live in their own
modules (customers_tab.py, results_tab.py, ask_tab.py); Alerts, Dashboard and My work,
built after the first paint, in window_screens.py, a base class of the window.

The window knows nothing about databases: it is handed a CustomerSource and a job
runner, and asks app/ (through signals) to open or build workspaces."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from services.core.records import WorkspaceSummary
from views.customers.owners_follow import OwnerFollower
from views.customers.source import CustomerSource
from views.kit.geometry import FitsScreen, fit_window_to_screen
from views.kit.theme import Theme, ThemeManager, ThemeMode
from views.kit.undo import UndoBar, UndoHistory, undo_action
from views.shell.ask_tab import AskTab
from views.shell.customers_tab import CustomersTab
from views.shell.results_tab import ResultsTab
from views.shell.shortcut_sheet import Shortcut, ShortcutSheet, window_shortcuts
from views.shell.tab_keys import KEY_TAB as KEY_TAB
from views.shell.tab_keys import TAB_ALERTS as TAB_ALERTS
from views.shell.tab_keys import TAB_ASK as TAB_ASK
from views.shell.tab_keys import TAB_CUSTOMERS as TAB_CUSTOMERS
from views.shell.tab_keys import TAB_DASHBOARD as TAB_DASHBOARD
from views.shell.tab_keys import TAB_KEYS as TAB_KEYS
from views.shell.tab_keys import TAB_MY_WORK as TAB_MY_WORK
from views.shell.tab_keys import TAB_RESULTS as TAB_RESULTS
from views.shell.tab_screen import Screen, add_screens
from views.shell.window_actions import WORKSPACE_FILTER as WORKSPACE_FILTER
from views.shell.window_actions import ConfirmFn
from views.shell.window_menus import WindowMenus
from views.shell.window_screens import KEY_OWNER as KEY_OWNER
from views.shell.window_screens import SCREEN_TABS, WindowScreens
from views.shell.window_status import build_status_bar, demo_banner

if TYPE_CHECKING:
    from views.kit.jobs import JobRunner

APP_TITLE = "Account Radar"

# QSettings keys: UI state only (workspace settings live in the workspace).
KEY_GEOMETRY = "main_window/geometry"
KEY_STATE = "main_window/state"
KEY_SPLITTER = "main_window/splitter"
KEY_DETAIL_SPLITTER = "detail/splitter"
KEY_HEADER = "customers/header"
KEY_THEME = "ui/theme"

DEFAULT_SIZE = QSize(1400, 860)  # the first window's, fitted to the screen when shown


class MainWindow(WindowScreens):
    """Menus, the demo banner, the two panes and the status bar.

    Signals:
        open_workspace_requested(path): the user chose a workspace file to open.
        demo_workspace_requested(path): the user asked for a demo workspace at path.
        import_files_requested(paths): files or folders dropped or chosen to import.
        import_history_requested(): File ▸ Import history…
        watch_folder_requested(): File ▸ Watch a folder for exports…
        score_requested(): Scoring ▸ Score now… (or a "Score now" link in a pane).
        model_report_requested(): Scoring ▸ Model report…
        settings_requested(): File ▸ Settings…
        templates_requested(): File ▸ Email templates…
    """

    import_history_requested = Signal()
    watch_folder_requested = Signal()
    score_requested = Signal()
    model_report_requested = Signal()
    settings_requested = Signal()
    templates_requested = Signal()

    def __init__(
        self,
        jobs: JobRunner,
        theme: ThemeManager,
        settings: QSettings,
        parent: QWidget | None = None,
        *,
        confirm: ConfirmFn | None = None,
    ) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self._confirm = confirm or self._ask_confirmation
        self._theme = theme
        self._settings = settings
        self._fit_when_shown = False
        self._fits = FitsScreen(self, on_show=False)
        self._source: CustomerSource | None = None
        self._team_role: str | None = None
        self.summary: WorkspaceSummary | None = None
        self.setWindowTitle(APP_TITLE)
        self.setObjectName("mainWindow")

        self.customers = CustomersTab(self, jobs, settings)  # the table and the customer
        self.customers_pane = self.customers.customers_pane
        self.detail_pane = self.customers.detail_pane
        self.splitter = self.customers.splitter
        self.customers_pane.table_loaded.connect(self._on_customers_pane_table_loaded)
        self.customers_pane.score_requested.connect(self._on_pane_score_requested)
        self.detail_pane.score_requested.connect(self._on_pane_score_requested)
        self.detail_pane.renewal_call_changed.connect(self._on_renewal_call_changed)

        self._customer_stale = False
        pages = self._init_screens()  # Alerts, Dashboard, My work: built after the first paint
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(True)

        self.demo_banner = demo_banner(self)

        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 8, 8, 0)
        layout.setSpacing(4)
        layout.addWidget(self.demo_banner)
        layout.addWidget(self.tabs, 1)
        self._central_layout = layout
        self.setCentralWidget(central)
        # Export files dropped anywhere on the window are imported (app/import_controller).
        self.setAcceptDrops(True)

        self.menus = WindowMenus(
            self,
            theme_mode=self._theme.mode,
            on_open=self._on_open_action_triggered,
            on_demo=self._on_demo_action_triggered,
            on_backup=self._on_backup_action_triggered,
            on_import=self._on_import_action_triggered,
            on_theme=self._on_theme_action_triggered,
            on_find=self._on_find_action_triggered,
            signals=self,
        )
        self._scoring = False
        # Undo (Ctrl+Z) for what is done to alerts, customers and tasks, and its bar.
        self.undo_history = UndoHistory(jobs, self)
        self.undo_action = undo_action(self, self.undo_history)
        self.menus.edit_menu.addAction(self.undo_action)
        self.undo_bar = UndoBar(self.undo_history, self)
        layout.addWidget(self.undo_bar)
        self.detail_pane.set_undo_history(self.undo_history)
        OwnerFollower(self.customers_pane, self.undo_history)  # the table's owner column
        self.customers_pane.views_bar.team.set_undo_history(self.undo_history)
        # ... and the customer shown reads their owner anew (a segment rule's owners and
        # their undo change customers the pane did not act on).
        self.undo_history.owners_changed.connect(self.detail_pane.refresh)
        status = build_status_bar(self)
        self.busy_bar, self.demo_badge = status.busy_bar, status.demo_badge
        self.workspace_label, self.count_label = status.workspace_label, status.count_label
        # The tabs, in order, each with its View ▸ entry (views/shell/tab_screen.py). Results
        # and Ask get what they use of the window, not the window.
        self.results = ResultsTab(self, self.tabs, self._theme, self.open_customers, jobs)
        self.ask = AskTab(self, self.tabs, self._theme, self.open_customer, jobs)
        screens = (
            Screen("Alerts", "&Alerts", "Ctrl+1", pages[0]),
            self.customers.screen,
            Screen("Dashboard", "&Dashboard", "Ctrl+3", pages[1]),
            Screen("My work", "&My work", "Ctrl+4", pages[2]),
            self.results.screen,
            self.ask.screen,
        )
        add_screens(self, self.tabs, self.menus, screens)
        # Until a workspace with alerts is open, the customers are what there is to see.
        self.tabs.setCurrentIndex(TAB_CUSTOMERS)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        self._theme.theme_changed.connect(self._on_theme_theme_changed)
        self._jobs.busy_changed.connect(self._on_jobs_busy_changed)
        self._on_theme_theme_changed(self._theme.theme)
        self.resize(DEFAULT_SIZE)
        self.restore_ui_state()

    # -- workspace ----------------------------------------------------------------------

    def set_source(self, source: CustomerSource | None) -> None:
        """Show a workspace (None while none is open)."""
        self._source = source
        self._team_role = None
        self.summary = None
        self.menus.backup_action.setEnabled(source is not None and source.can_back_up)
        menus = self.menus
        for action in (menus.import_history_action, menus.settings_action, menus.templates_action):
            action.setEnabled(source is not None)
        self._apply_team_role()
        self.menus.model_report_action.setEnabled(source is not None)
        self.detail_pane.set_source(source)
        self.customers_pane.set_source(source)
        # The alerts of the previous workspace go; app/ hands the new ones over next.
        self._alerts = None
        if self._screens is not None:
            self._screens.alerts_view.set_sources(None, None)
            self._screens.my_work.set_source(None)
            self._screens.dashboard.set_data(None)
        self.results.set_source(None)
        self.ask.set_source(None)
        self._show_summary(None)
        if source is None:
            self.workspace_label.setText("No workspace")
            self.setWindowTitle(APP_TITLE)
            return
        self.workspace_label.setText(source.display_name)
        self.workspace_label.setToolTip(source.display_name)
        name = Path(source.display_name).name if source.can_back_up else source.display_name
        self.setWindowTitle(f"{name} — {APP_TITLE}")
        self._load_summary(source)

    def _on_tabs_current_changed(self, index: int) -> None:
        if self._alerts is not None:
            self._settings.setValue(KEY_TAB, TAB_KEYS[index])
        if index in SCREEN_TABS and not self._hold_screens:
            self._built()
        if index == TAB_DASHBOARD and self._dashboard_stale:
            self._load_dashboard()
        if index == TAB_CUSTOMERS and self._customer_stale:
            self._customer_stale = False
            if self.detail_pane.detail is not None:
                self.detail_pane.refresh()
        if index == TAB_MY_WORK and self._screens is not None:
            self._screens.my_work.reload()

    @property
    def theme_manager(self) -> ThemeManager:
        return self._theme

    def _on_find_action_triggered(self) -> None:
        if self.tabs.currentIndex() == TAB_ALERTS:
            self.alerts_view.alerts_pane.focus_search()
        else:
            self.tabs.setCurrentIndex(TAB_CUSTOMERS)
            self.customers_pane.focus_search()

    def _load_summary(self, source: CustomerSource) -> None:
        (
            self._jobs.operation(
                lambda _state: source.workspace_summary(),
                parent=self,
                key=("window.summary", id(self)),
            )
            .success(self._show_summary)
            .run()
        )

    def reload_workspace(self) -> None:
        """Read the open workspace again after it changed (an import, an undo)."""
        source = self._source
        if source is None:
            return
        self.customers_pane.reload()
        self._load_summary(source)
        shown = self.detail_pane.detail
        if shown is not None:
            self.detail_pane.show_customer(shown.id)
        if self._alerts is not None:
            self.alerts_view.reload()
            self.my_work.reload()
            self.results.mark_stale()
            self._dashboard_stale = True
            if self.tabs.currentIndex() == TAB_DASHBOARD:
                self._load_dashboard()

    def refresh_scores(self) -> None:
        """New scores are stored: show them in the table and the detail."""
        self.reload_workspace()

    def set_scoring(self, running: bool) -> None:
        """A scoring run is in flight (Score now is disabled until it ends)."""
        self._scoring = running
        self._apply_team_role()

    def set_team_role(self, role: str | None) -> None:
        """What the user may do in a shared workspace (services/team/security.py): an
        account manager's window offers no import or scoring (WindowMenus.offer_team_work)."""
        self._team_role = role
        self._apply_team_role()

    team_role = property(lambda self: self._team_role)

    def _apply_team_role(self) -> None:
        self.menus.offer_team_work(self._source is not None, self._team_role, self._scoring)

    @property
    def source(self) -> CustomerSource | None:
        return self._source

    def _show_summary(self, summary: WorkspaceSummary | None) -> None:
        self.summary = summary
        demo = bool(summary and summary.is_demo)
        self.demo_banner.setVisible(demo)
        self.demo_badge.setVisible(demo)
        if summary is not None:
            self.count_label.setText(f"{summary.customers:,} customers")

    def _on_customers_pane_table_loaded(self, count: int) -> None:
        self.count_label.setText(f"{count:,} customers")
        self.detail_pane.set_workspace_scored(self.customers_pane.model.scored)
        if self._screens is not None:
            self._screens.alerts_view.detail_pane.set_workspace_scored(
                self.customers_pane.model.scored
            )
        if count == 0:
            self.detail_pane.clear("No customer to show.")

    def _on_theme_action_triggered(self, mode: ThemeMode) -> None:
        self._settings.setValue(KEY_THEME, mode.value)
        self._theme.set_mode_soon(mode)  # once its menu has closed, under a busy cursor

    def shortcut_entries(self) -> list[Shortcut]:
        """Every key of the window: the menus', the alert actions', the customer pane's."""
        return window_shortcuts(
            self.menuBar(), self.alerts_view.action_pane.actions(), self.detail_pane.actions()
        )

    def show_shortcut_sheet(self) -> None:
        """Help ▸ Keyboard shortcuts (F1 or ?)."""
        sheet = ShortcutSheet(self.shortcut_entries(), self)
        sheet.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        sheet.open()
        self.shortcut_sheet = sheet

    def _on_theme_theme_changed(self, theme: Theme) -> None:
        for mode, action in self.menus.theme_actions.items():
            action.setChecked(mode is self._theme.mode)
        self.customers_pane.set_theme(theme)
        self.detail_pane.set_theme(theme)
        if self._screens is not None:
            for screen in (self.alerts_view, self.dashboard, self.my_work):
                screen.set_theme(theme)

    def _on_jobs_busy_changed(self, busy: bool) -> None:
        self.busy_bar.setVisible(busy)

    # -- UI state ------------------------------------------------------------------------

    def restore_ui_state(self) -> None:
        """Window geometry, splitter positions and table columns from QSettings."""
        s = self._settings
        geometry = s.value(KEY_GEOMETRY)
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
            self._fit_when_shown = True  # a size remembered on another screen
        state = s.value(KEY_STATE)
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)
        splitter = s.value(KEY_SPLITTER)
        if isinstance(splitter, QByteArray) and not splitter.isEmpty():
            self.splitter.restoreState(splitter)
        detail = s.value(KEY_DETAIL_SPLITTER)
        if isinstance(detail, QByteArray):
            self.detail_pane.restore_splitter_state(detail)
        header = s.value(KEY_HEADER)
        if isinstance(header, QByteArray):
            self.customers_pane.restore_header_state(header)

    def fit_to_screen(self) -> None:
        """Shrink and move the window into its screen's free area (taskbar excluded)."""
        fit_window_to_screen(self)

    def save_ui_state(self) -> None:
        s = self._settings
        s.setValue(KEY_GEOMETRY, self.saveGeometry())
        s.setValue(KEY_STATE, self.saveState())
        s.setValue(KEY_SPLITTER, self.splitter.saveState())
        s.setValue(KEY_DETAIL_SPLITTER, self.detail_pane.splitter_state())
        s.setValue(KEY_HEADER, self.customers_pane.header_state())
        if self._screens is not None:
            self._screens.alerts_view.save_state()
        s.sync()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # A remembered geometry, or the first window's default one, is fitted to this screen
        # once shown, and again once the window manager has framed it: all of it fits.
        if (self._fit_when_shown or self.size() == DEFAULT_SIZE) and not event.spontaneous():
            self._fit_when_shown = False
            self._fits.follow()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_ui_state()
        super().closeEvent(event)
