"""The pages of the window's Alerts, Dashboard and My work tabs, and the three screens
built into them after the first paint.

At start-up the window shows its customers table first: building these screens (and
importing their modules) took a quarter of a second of the UI thread before the table
could be filled. The tabs are there from the start, each holding an empty page; the
screens are built together (they open one another) when the window first needs them: a
workspace's alerts handed over once the table is shown, one of their tabs shown, or one
of them used.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Qt, QTimer, SignalInstance
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from views.kit.accessibility import name

if TYPE_CHECKING:
    from views.alerts.view import AlertsView
    from views.dashboard.pane import DashboardPane
    from views.kit.jobs import JobRunner
    from views.my_work.pane import MyWorkPane


class ScreenPage(QWidget):
    """A tab's page: "Loading…" until its screen is built into it."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._loading = QLabel("Loading…", self)
        self._loading.setObjectName("emptyState")
        self._loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._layout.addWidget(self._loading)
        self.screen_widget: QWidget | None = None

    def hold(self, widget: QWidget, screen: QWidget | None = None) -> None:
        """Show the built screen in place of "Loading…" (``widget``: what holds it, a
        scroll area, when it is not the screen itself)."""
        self._loading.hide()
        self._layout.removeWidget(self._loading)
        self._layout.addWidget(widget)
        self.screen_widget = screen or widget


class Screens:
    """The three screens, built into their pages."""

    def __init__(self, jobs: JobRunner, settings: QSettings, pages: tuple[ScreenPage, ...]) -> None:
        # Imported here, not with the window: each brings its own modules.
        from views.alerts.view import AlertsView
        from views.dashboard.pane import DashboardPane
        from views.kit.geometry import VerticalScrollArea
        from views.my_work.pane import MyWorkPane

        alerts_page, dashboard_page, my_work_page = pages
        self.alerts_view: AlertsView = AlertsView(jobs, alerts_page, settings=settings)
        self.dashboard: DashboardPane = DashboardPane(dashboard_page)
        self.my_work: MyWorkPane = MyWorkPane(jobs, my_work_page)
        alerts_page.hold(self.alerts_view)
        dashboard_page.hold(self.dashboard)
        # A short screen (a desktop scaled to 200 %): My work scrolls rather than squeeze
        # its lists and their titles into each other.
        scroll = name(VerticalScrollArea(my_work_page), "My work")
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.my_work)
        my_work_page.hold(scroll, self.my_work)


class IdleBuild(QObject):
    """Calls ``build`` once nothing in ``activity`` has fired for ``idle_ms``: each sort or
    search of the customers table starts the wait again, so the screens are not built
    under a user working in the table (their build holds the UI thread about a tenth of
    a second, which a sort or search would then wait for)."""

    def __init__(
        self,
        parent: QObject,
        build: Callable[[], object],
        idle_ms: int,
        activity: Sequence[SignalInstance],
    ) -> None:
        super().__init__(parent)
        self._build = build
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        # Precise: a coarse timer would round each new wait to the one before.
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(idle_ms)
        self._timer.timeout.connect(self._on_timer_timeout)
        for signal in activity:
            signal.connect(self._on_activity)
        self._timer.start()

    @property
    def waiting(self) -> bool:
        return self._timer.isActive()

    @property
    def remaining_ms(self) -> int:
        """How long the wait has still to go (-1 once built)."""
        return self._timer.remainingTime()

    def _on_activity(self, *_args: object) -> None:
        if self._timer.isActive():
            self._timer.start()  # from now again

    def _on_timer_timeout(self) -> None:
        self._build()
