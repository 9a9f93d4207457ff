"""The main window: six tabs. Alerts (the alerts, the customer and the actions side by
side), Customers (the table and the selected customer), Dashboard, My work, Results, Ask.

The window knows nothing about databases: it is handed a CustomerSource and a job
runner, and asks app/ (through signals) to open or build workspaces."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from services.core.records import WorkspaceSummary
from views.alerts.source import AlertSource
from views.customers.detail_pane import MISSING_CUSTOMER_MESSAGE, CustomerDetailPane
from views.customers.owners_follow import OwnerFollower
from views.customers.pane import CustomersPane
from views.customers.source import CustomerSource
from views.item_models.alert_query import AlertQuery
from views.item_models.customer_filters import CustomerFilter
from views.kit.geometry import FitsScreen, fit_panes, fit_window_to_screen
from views.kit.theme import Theme, ThemeManager, ThemeMode
from views.kit.undo import UndoBar, UndoHistory, undo_action
from views.my_work.source import MyWorkSource
from views.shell import ask_tab, results_tab
from views.shell.screens import IdleBuild, ScreenPage, Screens
from views.shell.shortcut_sheet import Shortcut, ShortcutSheet, menu_shortcuts, shortcuts_of
from views.shell.tab_keys import KEY_TAB as KEY_TAB
from views.shell.tab_keys import TAB_KEYS as TAB_KEYS
from views.shell.window_actions import WORKSPACE_FILTER as WORKSPACE_FILTER
from views.shell.window_actions import ConfirmFn, WindowFileActions
from views.shell.window_menus import WindowMenus

if TYPE_CHECKING:
    from views.alerts.view import AlertsView
    from views.dashboard.pane import DashboardData, DashboardPane
    from views.kit.jobs import JobRunner
    from views.my_work.pane import MyWorkPane

APP_TITLE = "Account Radar"

# QSettings keys: UI state only (workspace settings live in the workspace).
KEY_GEOMETRY = "main_window/geometry"
KEY_STATE = "main_window/state"
KEY_SPLITTER = "main_window/splitter"
KEY_DETAIL_SPLITTER = "detail/splitter"
KEY_HEADER = "customers/header"
KEY_THEME = "ui/theme"
KEY_OWNER = "alerts/owner"

TAB_ALERTS, TAB_CUSTOMERS, TAB_DASHBOARD = 0, 1, 2
DEFAULT_SIZE = QSize(1400, 860)  # the first window's, fitted to the screen when shown
TAB_MY_WORK, TAB_RESULTS, TAB_ASK = 3, 4, 5
_SCREEN_TABS = (TAB_ALERTS, TAB_DASHBOARD, TAB_MY_WORK)  # views/shell/screens.py's pages
# How long the screens wait when another tab shows: past a first sort or search.
_SCREENS_AFTER_MS = 1500


class MainWindow(WindowFileActions):
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

    def __init__(  # noqa: PLR0915
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

        self.customers_pane = CustomersPane(jobs, self, settings=settings)
        self.detail_pane = CustomerDetailPane(jobs, self)
        self.customers_pane.customer_selected.connect(self._on_customers_pane_customer_selected)
        self.customers_pane.table_loaded.connect(self._on_customers_pane_table_loaded)
        self.customers_pane.selection_cleared.connect(self._on_customers_pane_selection_cleared)
        self.detail_pane.customer_missing.connect(self._on_detail_pane_customer_missing)
        # A customer read anew (a mark, an owner, an undo): the table follows.
        self.detail_pane.detail_shown.connect(self._on_detail_pane_detail_shown)
        self.customers_pane.score_requested.connect(self._on_pane_score_requested)
        self.detail_pane.score_requested.connect(self._on_pane_score_requested)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.customers_pane)
        self.splitter.addWidget(self.detail_pane)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.customers_pane.setMinimumWidth(380)
        self.detail_pane.setMinimumWidth(560)
        fit_panes(self.splitter, keep=1)  # a scaled desktop's narrow screen: they share it
        # The customers get the wider half: their eight churn columns must fit in view.
        self.splitter.setSizes([750, 650])

        self._alerts: AlertSource | None = None
        self._dashboard_stale = True
        self._customer_stale = False
        # Alerts, Dashboard and My work are built after the first paint (views/shell/screens.py).
        self._screens: Screens | None = None
        self._hold_screens = False
        # Alerts handed over while another tab shows, for the screens when they are built.
        self._pending_alerts: tuple[str | None] | None = None
        self._pending_work: tuple[MyWorkSource | None, str | None] | None = None
        self._when_built: list[Callable[[], None]] = []
        self._idle_build: IdleBuild | None = None  # the screens' build, when the table is idle
        self._pages = tuple(ScreenPage(f"{k}Page", self) for k in ("alerts", "dashboard", "myWork"))
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self._pages[0], "Alerts")
        self.tabs.addTab(self.splitter, "Customers")
        self.tabs.addTab(self._pages[1], "Dashboard")
        self.tabs.addTab(self._pages[2], "My work")
        # Until a workspace with alerts is open, the customers are what there is to see.
        self.tabs.setCurrentIndex(TAB_CUSTOMERS)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)

        self.demo_banner = QFrame(self)
        self.demo_banner.setObjectName("demoBanner")
        banner_text = QLabel(
            "<b>Demo data.</b> These customers are made up, for trying Account Radar. "
            "To work with your own data, start an empty workspace with "
            "<b>File ▸ New workspace…</b> (or <b>File ▸ Open workspace…</b> for one you "
            "already have).",
            self.demo_banner,
        )
        banner_text.setObjectName("demoBannerText")
        banner_text.setWordWrap(True)
        banner_layout = QHBoxLayout(self.demo_banner)
        banner_layout.setContentsMargins(12, 6, 12, 6)
        banner_layout.addWidget(banner_text)
        self.demo_banner.hide()

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
            on_tab=self.tabs.setCurrentIndex,
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
        self._build_status_bar()
        self.menus.add_tab_action(self, "&My work", TAB_MY_WORK, self.tabs.setCurrentIndex)
        # Results (Ctrl+5), Ask (Ctrl+6): each gets what it uses of the window, not the window.
        tab = (self, self.tabs, self.menus, self.theme_manager)
        self.results = results_tab.install(*tab, self.open_customers, jobs)
        self.ask = ask_tab.install(*tab, self.open_customer, jobs)
        self._theme.theme_changed.connect(self._on_theme_theme_changed)
        self._jobs.busy_changed.connect(self._on_jobs_busy_changed)
        self._on_theme_theme_changed(self._theme.theme)
        self.resize(DEFAULT_SIZE)
        self.restore_ui_state()

    # -- construction -----------------------------------------------------------------

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        bar.setSizeGripEnabled(True)
        self.busy_bar = QProgressBar(self)
        self.busy_bar.setObjectName("busyBar")
        self.busy_bar.setRange(0, 0)  # indeterminate: "working"
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setFixedWidth(90)
        self.busy_bar.hide()
        self.demo_badge = QLabel("DEMO DATA", self)
        self.demo_badge.setObjectName("demoBadge")
        self.demo_badge.setToolTip("This workspace holds made-up demo customers.")
        self.demo_badge.hide()
        self.workspace_label = QLabel("No workspace", self)
        self.workspace_label.setObjectName("workspaceLabel")
        self.workspace_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.count_label = QLabel("", self)
        self.count_label.setObjectName("customerCount")
        bar.addPermanentWidget(self.busy_bar)
        bar.addPermanentWidget(self.count_label)
        bar.addPermanentWidget(self.demo_badge)
        bar.addWidget(self.workspace_label, 1)

    # -- the screens built after the first paint ---------------------------------------

    def _built(self) -> Screens:
        """Alerts, Dashboard and My work, built now if they were not yet."""
        if self._screens is None:
            self._screens = Screens(self._jobs, self._settings, self._pages)
            self._hold_screens = False
            self._connect_screens(self._screens)
            if self._pending_alerts is not None and self._alerts is not None:
                (owner_name,) = self._pending_alerts
                self._screens.alerts_view.set_sources(
                    self._alerts, self._source, owner_name=owner_name
                )
            self._pending_alerts = None
            if self._pending_work is not None:
                work, owner = self._pending_work
                self._screens.my_work.set_source(work, owner=owner)
                self._pending_work = None
            for fn in self._when_built:
                fn()
            self._when_built.clear()
        return self._screens

    @property
    def alerts_view(self) -> AlertsView:
        return self._built().alerts_view

    @property
    def dashboard(self) -> DashboardPane:
        return self._built().dashboard

    @property
    def my_work(self) -> MyWorkPane:
        return self._built().my_work

    @property
    def screens_built(self) -> bool:
        return self._screens is not None

    def when_screens_built(self, fn: Callable[[], None]) -> None:
        """Call fn once Alerts, Dashboard and My work are built (now if they are)."""
        if self._screens is not None:
            fn()
        else:
            self._when_built.append(fn)

    def hold_screens(self) -> None:
        """Start-up: showing their tab does not build the screens until they are needed
        (app/gui/startup.py hands them the workspace once the customers table is shown)."""
        self._hold_screens = self._screens is None

    def _connect_screens(self, screens: Screens) -> None:
        alerts_view, dashboard = screens.alerts_view, screens.dashboard
        alerts_view.score_requested.connect(self._on_pane_score_requested)
        alerts_view.alert_changed.connect(self._on_alerts_view_alert_changed)
        alerts_view.alerts_pane.owner_chosen.connect(self._on_alerts_pane_owner_chosen)
        # A key that does nothing in the Alerts tab says why ("Already in progress").
        alerts_view.status_message.connect(lambda t: self.statusBar().showMessage(t, 6000))
        alerts_view.set_undo_history(self.undo_history)
        alerts_view.detail_pane.set_workspace_scored(self.customers_pane.model.scored)
        dashboard.score_requested.connect(self._on_pane_score_requested)
        dashboard.customers_requested.connect(self.open_customers)
        dashboard.alerts_requested.connect(self._on_dashboard_alerts_requested)
        self._connect_my_work(screens.my_work)
        for screen in (alerts_view, dashboard, screens.my_work):
            screen.set_theme(self._theme.theme)

    def _connect_my_work(self, my_work: MyWorkPane) -> None:
        """My work (Ctrl+4): its count of tasks due, undo, the start-up notice, what it opens."""
        # Between the busy bar and the count (the status bar's items: the workspace's name,
        # then the permanent ones from the busy bar on).
        self.statusBar().insertPermanentWidget(2, my_work.due_label)
        my_work.set_undo_history(self.undo_history)
        self.add_banner(my_work.notice)
        my_work.open_requested.connect(self._on_my_work_open_requested)
        my_work.show_requested.connect(lambda: self.tabs.setCurrentIndex(TAB_MY_WORK))
        my_work.task_changed.connect(self._on_my_work_task_changed)

    def set_work_source(self, source: MyWorkSource | None) -> None:
        """Show a workspace's My work (None: none open); "Mine" is the saved owner."""
        if source is None and self._screens is None:
            return  # nothing shown yet
        saved = self._settings.value(KEY_OWNER)
        owner = str(saved) if saved else None
        if self._screens is None and self._pending_alerts is not None:
            self._pending_work = (source, owner)  # for the screens when they are built
            return
        self.my_work.set_source(source, owner=owner)

    def _on_my_work_open_requested(self, alert_id: int, customer_id: int) -> None:
        # Its card, in whatever queue and status holds it (the filters that hide it go).
        if alert_id and self.alerts_view.alerts_pane.show_alert(alert_id):
            self.tabs.setCurrentIndex(TAB_ALERTS)
            self.alerts_view.alerts_pane.focus_list()
            return
        self.open_customer(customer_id)

    def open_customer(self, customer_id: int) -> None:
        """The Customers tab with the customer selected in the table when it is listed
        there, else shown in the pane all the same (a task's, an Ask answer's link)."""
        self.tabs.setCurrentIndex(TAB_CUSTOMERS)
        if not self.customers_pane.select_customer(customer_id):
            self.detail_pane.show_customer(customer_id)

    def _on_my_work_task_changed(self, alert_id: int) -> None:
        if alert_id and self._alerts is not None:
            self.alerts_view.alert_updated(alert_id)  # its history shows the task

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

    def set_alert_source(
        self, alerts: AlertSource | None, *, owner_name: str | None = None
    ) -> None:
        """Show a workspace's alerts and dashboard (None: no alerts to show).

        ``owner_name``: who "Mine" means; by default the owner the user chose last time.
        """
        first = self._alerts is None and alerts is not None
        self._alerts = alerts
        self.undo_history.set_undoer(alerts.undo_change if alerts is not None else None)
        if alerts is None and self._screens is None:
            return  # nothing shown yet
        if owner_name is None:
            saved_owner = self._settings.value(KEY_OWNER)
            owner_name = str(saved_owner) if saved_owner else None
        if self._screens is None and alerts is not None and not self._screen_tab_next(first):
            self._defer_screens(owner_name, first)
            return
        self.alerts_view.set_sources(alerts, self._source, owner_name=owner_name)
        self._dashboard_stale = True
        if alerts is None:
            self.dashboard.set_data(None)
            return
        if first:
            self.show_saved_tab()
        if self.tabs.currentIndex() == TAB_DASHBOARD:
            self._load_dashboard()

    def _screen_tab_next(self, first: bool) -> bool:
        """Whether the tab shown next is Alerts, Dashboard or My work."""
        index = self.tabs.currentIndex()
        if first:  # the saved tab is about to be shown
            saved = str(self._settings.value(KEY_TAB, "alerts"))
            index = TAB_KEYS.index(saved) if saved in TAB_KEYS else 0
        return index in _SCREEN_TABS

    def _defer_screens(self, owner_name: str | None, first: bool) -> None:
        """The user is in another tab (the customers table just shown, where a first sort
        or search must not wait a quarter of a second for them): Alerts, Dashboard and My
        work are built when one of their tabs is shown or used, else once the table has
        been left alone a moment (each sort or search starts the wait again)."""
        self._pending_alerts = (owner_name,)
        self._hold_screens = False  # showing their tab builds them now
        self._dashboard_stale = True
        if first:
            self.show_saved_tab()
        model = self.customers_pane.model
        self._idle_build = IdleBuild(
            self, self._built, _SCREENS_AFTER_MS, (model.layoutChanged, model.modelReset)
        )

    def show_saved_tab(self) -> None:
        """Show the tab open when the window was last closed (Alerts the first time)."""
        saved = str(self._settings.value(KEY_TAB, "alerts"))
        self.tabs.setCurrentIndex(TAB_KEYS.index(saved) if saved in TAB_KEYS else 0)

    @property
    def alert_source(self) -> AlertSource | None:
        return self._alerts

    def _load_dashboard(self) -> None:
        alerts = self._alerts
        if alerts is None:
            return
        self._dashboard_stale = False
        self.dashboard.set_loading()
        (
            self._jobs.operation(
                lambda _state: alerts.load_dashboard(),
                parent=self,
                key=("window.dashboard", id(self)),
            )
            .success(self._on_dashboard_loaded)
            .failure(self._on_dashboard_load_failed)
            .run()
        )

    def _on_dashboard_loaded(self, data: DashboardData | None) -> None:
        self.dashboard.set_data(data)

    def _on_dashboard_load_failed(self, error: BaseException) -> None:
        self._dashboard_stale = True
        self.dashboard.set_data(None)
        self._jobs.present_error(error)

    def _on_tabs_current_changed(self, index: int) -> None:
        if self._alerts is not None:
            self._settings.setValue(KEY_TAB, TAB_KEYS[index])
        if index in _SCREEN_TABS and not self._hold_screens:
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

    def open_customers(self, customer_filter: CustomerFilter) -> None:
        """A figure counting customers was clicked (the dashboard's, Results'): the
        Customers tab, showing exactly those customers."""
        self.tabs.setCurrentIndex(TAB_CUSTOMERS)
        self.customers_pane.apply_filter(customer_filter)

    def _on_dashboard_alerts_requested(self, query: AlertQuery) -> None:
        """A dashboard figure counting alerts was clicked: the Alerts tab, listing
        exactly those alerts."""
        self.tabs.setCurrentIndex(TAB_ALERTS)
        self.alerts_view.alerts_pane.apply_query(query)

    def _on_alerts_pane_owner_chosen(self, name: str) -> None:
        self._settings.setValue(KEY_OWNER, name)
        self.my_work.set_owner(name)

    def _on_alerts_view_alert_changed(self, _alert_id: int) -> None:
        self._dashboard_stale = True
        self._customer_stale = True  # its customer may be the one acted on: read anew
        self.my_work.reload()  # a task, a call or a snooze may change the lists

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

    def _on_pane_score_requested(self) -> None:
        if self.menus.score_action.isEnabled():
            self.menus.score_action.trigger()

    def add_banner(self, banner: QWidget) -> None:
        """Show a banner (notices of the watched folder) above the panes."""
        self._central_layout.insertWidget(self._central_layout.indexOf(self.tabs), banner)

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

    def _on_customers_pane_customer_selected(self, customer_id: int) -> None:
        self.detail_pane.show_customer(customer_id, at_once=self.customers_pane.reading_rest)

    def _on_detail_pane_detail_shown(self, customer_id: int) -> None:
        detail = self.detail_pane.detail
        if detail is not None and detail.id == customer_id:
            self.customers_pane.follow_detail(detail)  # its mark and owner

    def _on_customers_pane_selection_cleared(self) -> None:
        self.detail_pane.clear("No customer selected.")

    def _on_detail_pane_customer_missing(self, _customer_id: int) -> None:
        self.statusBar().showMessage(MISSING_CUSTOMER_MESSAGE, 15_000)
        self.customers_pane.reload()

    def _on_theme_action_triggered(self, mode: ThemeMode) -> None:
        self._settings.setValue(KEY_THEME, mode.value)
        self._theme.set_mode_soon(mode)  # once its menu has closed, under a busy cursor

    def shortcut_entries(self) -> list[Shortcut]:
        """Every key of the window: the menus', the alert actions', the customer pane's."""
        entries = menu_shortcuts(self.menuBar())
        pane_actions = self.alerts_view.action_pane.actions()
        entries += shortcuts_of("Alerts tab: the selected alert", pane_actions)
        entries += shortcuts_of("Customers tab: the selected customer", self.detail_pane.actions())
        entries += [
            Shortcut("Lists", "Previous or next alert or customer", "Up or Down"),
            Shortcut("Notes, calls and tasks", "Save what you typed", "Ctrl+Enter"),
            Shortcut("My work tab", "Complete the selected task", "Space"),
            Shortcut("My work tab", "Open the task's alert (or customer)", "Enter"),
            Shortcut("Ask tab", "Open the customer of the selected row", "Enter"),
        ]
        return entries

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
