"""The main window's Alerts, Dashboard and My work tabs: their screens, built after the
first paint (views/shell/screens.py), the workspace's alerts and My work handed to them
(or kept until they are built), the dashboard read when its tab shows, and what one
screen opens in another. A base class of views/shell/main_window.py's MainWindow, kept
apart so that the window module stays small.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from views.alerts.source import AlertSource
from views.item_models.alert_query import AlertQuery
from views.item_models.customer_filters import CustomerFilter
from views.my_work.source import MyWorkSource
from views.shell.screens import IdleBuild, ScreenPage, Screens
from views.shell.tab_keys import (
    KEY_TAB,
    TAB_ALERTS,
    TAB_CUSTOMERS,
    TAB_DASHBOARD,
    TAB_KEYS,
    TAB_MY_WORK,
)
from views.shell.window_actions import WindowFileActions

if TYPE_CHECKING:
    from views.alerts.view import AlertsView
    from views.customers.detail_pane import CustomerDetailPane
    from views.customers.pane import CustomersPane
    from views.dashboard.pane import DashboardData, DashboardPane
    from views.kit.theme import ThemeManager
    from views.kit.undo import UndoHistory
    from views.my_work.pane import MyWorkPane
    from views.shell.results_tab import ResultsTab
    from views.shell.window_menus import WindowMenus

KEY_OWNER = "alerts/owner"  # QSettings: who "Mine" means

SCREEN_TABS = (TAB_ALERTS, TAB_DASHBOARD, TAB_MY_WORK)  # views/shell/screens.py's pages
# How long the screens wait when another tab shows: past a first sort or search.
SCREENS_AFTER_MS = 1500


class WindowScreens(WindowFileActions):
    """The Alerts, Dashboard and My work tabs of the window."""

    # Set by MainWindow.
    _settings: QSettings
    _theme: ThemeManager
    _customer_stale: bool
    tabs: QTabWidget
    customers_pane: CustomersPane
    detail_pane: CustomerDetailPane
    undo_history: UndoHistory
    results: ResultsTab
    menus: WindowMenus
    _central_layout: QVBoxLayout

    def _init_screens(self) -> tuple[ScreenPage, ...]:
        """The screens' state, and their three pages (empty until they are built)."""
        self._alerts: AlertSource | None = None
        self._dashboard_stale = True
        # Alerts, Dashboard and My work are built after the first paint (views/shell/screens.py).
        self._screens: Screens | None = None
        self._hold_screens = False
        # Alerts handed over while another tab shows, for the screens when they are built.
        self._pending_alerts: tuple[str | None] | None = None
        self._pending_work: tuple[MyWorkSource | None, str | None] | None = None
        self._when_built: list[Callable[[], None]] = []
        self._idle_build: IdleBuild | None = None  # the screens' build, when the table is idle
        self._pages = tuple(ScreenPage(f"{k}Page", self) for k in ("alerts", "dashboard", "myWork"))
        return self._pages

    def open_customer(self, customer_id: int) -> None:
        """The Customers tab with the customer selected in the table when it is listed
        there, else shown in the pane all the same (a task's, an Ask answer's link)."""
        self.tabs.setCurrentIndex(TAB_CUSTOMERS)
        if not self.customers_pane.select_customer(customer_id):
            self.detail_pane.show_customer(customer_id)

    def open_customers(self, customer_filter: CustomerFilter) -> None:
        """A figure counting customers was clicked (the dashboard's, Results'): the
        Customers tab, showing exactly those customers."""
        self.tabs.setCurrentIndex(TAB_CUSTOMERS)
        self.customers_pane.apply_filter(customer_filter)

    def show_saved_tab(self) -> None:
        """Show the tab open when the window was last closed (Alerts the first time)."""
        saved = str(self._settings.value(KEY_TAB, "alerts"))
        self.tabs.setCurrentIndex(TAB_KEYS.index(saved) if saved in TAB_KEYS else 0)

    def add_banner(self, banner: QWidget) -> None:
        """Show a banner (notices of the watched folder) above the panes."""
        self._central_layout.insertWidget(self._central_layout.indexOf(self.tabs), banner)

    def _on_pane_score_requested(self) -> None:
        if self.menus.score_action.isEnabled():
            self.menus.score_action.trigger()

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
        # A card's Open customer, double click or Enter: the customer in the Customers tab.
        alerts_view.alerts_pane.customer_requested.connect(self.open_customer)
        # A key that does nothing in the Alerts tab says why ("Already in progress").
        alerts_view.status_message.connect(lambda t: self.statusBar().showMessage(t, 6000))
        alerts_view.set_undo_history(self.undo_history)
        alerts_view.detail_pane.set_workspace_scored(self.customers_pane.model.scored)
        alerts_view.detail_pane.renewal_call_changed.connect(self._on_renewal_call_changed)
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

    def set_work_source(
        self, source: MyWorkSource | None, *, owner_name: str | None = None
    ) -> None:
        """Show a workspace's My work (None: none open); "Mine" is ``owner_name`` (who the
        user said they are), else the owner they chose last time."""
        if source is None and self._screens is None:
            return  # nothing shown yet
        saved = self._settings.value(KEY_OWNER)
        owner = owner_name or (str(saved) if saved else None)
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

    def _on_my_work_task_changed(self, alert_id: int) -> None:
        if alert_id and self._alerts is not None:
            self.alerts_view.alert_updated(alert_id)  # its history shows the task

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
        return index in SCREEN_TABS

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
            self, self._built, SCREENS_AFTER_MS, (model.layoutChanged, model.modelReset)
        )

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

    def _on_dashboard_alerts_requested(self, query: AlertQuery) -> None:
        """A dashboard figure counting alerts was clicked: the Alerts tab, listing
        exactly those alerts."""
        self.tabs.setCurrentIndex(TAB_ALERTS)
        self.alerts_view.alerts_pane.apply_query(query)

    def set_owner_name(self, name: str | None) -> None:
        """The user said who they are: "Mine" on the Alerts tab and in My work means
        them from now on."""
        self.alerts_view.alerts_pane.set_owner_name(name)
        if name and self._screens is not None:
            self.my_work.set_owner(name)
        elif name and self._pending_work is not None:
            self._pending_work = (self._pending_work[0], name)

    def _on_alerts_pane_owner_chosen(self, name: str) -> None:
        self._settings.setValue(KEY_OWNER, name)
        self.my_work.set_owner(name)

    def _on_alerts_view_alert_changed(self, _alert_id: int) -> None:
        self._dashboard_stale = True
        self._customer_stale = True  # its customer may be the one acted on: read anew
        self.my_work.reload()  # a task, a call or a snooze may change the lists

    def _on_renewal_call_changed(self, _customer_id: int) -> None:
        """An owner's renewal call was recorded or undone: Results ▸ Renewals (its pipeline,
        disagreements, forecast against actual) and My work's call-due list read anew."""
        self.results.mark_stale()
        if self._screens is not None:
            self._screens.my_work.reload()
