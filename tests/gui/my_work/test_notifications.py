"""Desktop notifications (app/gui/notifications.py) in the real window on a demo workspace:
a task falling due and a critical alert arriving while the window is open reach the
(injected) system tray; a click opens the alert; the setting turns them off; with no
tray the status bar says it."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QSystemTrayIcon
from sqlalchemy.orm import Session

from app.gui.alerts_source import WorkspaceAlertSource
from app.gui.context import WindowContext
from app.gui.customers_source import WorkspaceCustomerSource
from app.gui.my_work_source import WorkspaceMyWorkSource
from app.gui.notifications import NotificationController
from app.workspace import Workspace
from services.settings import set_setting
from tests.gui.my_work.test_my_work_tab import TODAY, add_task, open_alerts
from views.kit.jobs import JobRunner
from views.kit.theme import ThemeManager
from views.shell.main_window import TAB_ALERTS, MainWindow

TIMEOUT_MS = 60_000
USER = "dana.tester"


class FakeTray(QObject):
    """A system tray that keeps what it was asked to show."""

    messageClicked = Signal()  # noqa: N815 (Qt's name)

    def __init__(self) -> None:
        super().__init__()
        self.shown: list[tuple[str, str]] = []

    def showMessage(  # noqa: N802 (Qt's name)
        self, title: str, msg: str, _icon: QSystemTrayIcon.MessageIcon, _ms: int
    ) -> None:
        self.shown.append((title, msg))


@pytest.fixture
def window(
    qtbot, jobs: JobRunner, workspace: Workspace, theme: ThemeManager, ui_settings: QSettings
) -> MainWindow:
    w = MainWindow(jobs, theme, ui_settings)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    w.set_source(WorkspaceCustomerSource(workspace))
    w.set_alert_source(WorkspaceAlertSource(workspace, user=USER))
    w.set_work_source(WorkspaceMyWorkSource(workspace, user=lambda: USER))
    qtbot.waitUntil(lambda: w.my_work.work is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    return w


def started(qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace, tray):  # type: ignore[no-untyped-def]
    controller = NotificationController(
        WindowContext(jobs, window, lambda: workspace), tray=tray, parent=window
    )
    controller.workspace_opened()
    window.my_work.reload()
    window.alerts_view.alerts_pane.reload()
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    qtbot.wait(300)
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    return controller


def test_a_task_falling_due_reaches_the_tray_and_a_click_opens_its_alert(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace
) -> None:
    tray = FakeTray()
    started(qtbot, window, jobs, workspace, tray)
    assert tray.shown == []  # what was there at start is the baseline
    alert = open_alerts(workspace)[5]
    add_task(workspace, alert, "Call back about the refund", TODAY)
    window.my_work.reload()
    qtbot.waitUntil(lambda: len(tray.shown) == 1, timeout=TIMEOUT_MS)
    title, text = tray.shown[0]
    assert title == "Task due"
    assert text.startswith("Call back about the refund · ")
    tray.messageClicked.emit()
    assert window.tabs.currentIndex() == TAB_ALERTS
    assert window.alerts_view.alerts_pane.current_alert_id == alert
    window.my_work.reload()  # the same task again: said once
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    assert len(tray.shown) == 1


def test_a_new_critical_alert_is_notified_unless_turned_off(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace
) -> None:
    tray = FakeTray()
    controller = started(qtbot, window, jobs, workspace, tray)
    first, second = open_alerts(workspace)[-2:]
    path = workspace.engine.url.database
    assert path is not None

    def make_critical(alert: int) -> None:
        with sqlite3.connect(path) as con:
            con.execute("UPDATE alerts SET severity = 'critical' WHERE id = ?", (alert,))

    make_critical(first)
    window.alerts_view.alerts_pane.reload()
    qtbot.waitUntil(lambda: len(tray.shown) == 1, timeout=TIMEOUT_MS)
    assert tray.shown[0][0] == "Critical alert"
    # Turned off in Settings: nothing more pops up.
    with Session(workspace.engine) as session, session.begin():
        set_setting(session, "notifications.desktop", False)
    controller.settings_saved(["notifications.desktop"])
    qtbot.waitUntil(lambda: not controller.enabled, timeout=TIMEOUT_MS)
    make_critical(second)
    window.alerts_view.alerts_pane.reload()
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    qtbot.wait(300)
    assert len(tray.shown) == 1


def test_without_a_tray_the_status_bar_says_it(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace
) -> None:
    started(qtbot, window, jobs, workspace, None)
    add_task(workspace, open_alerts(workspace)[4], "Send the quote", TODAY)
    window.my_work.reload()
    qtbot.waitUntil(
        lambda: window.statusBar().currentMessage().startswith("Task due: Send the quote"),
        timeout=TIMEOUT_MS,
    )


def test_the_reload_timer_stops_once_the_runner_is_shut_down(
    qtbot, window: MainWindow, jobs: JobRunner, workspace: Workspace
) -> None:
    """A window can outlive its job runner (closing the app, a test's end): the timer's
    next tick must not start a job on the closed runner."""
    controller = started(qtbot, window, jobs, workspace, FakeTray())
    assert controller.timer.isActive()
    jobs.shutdown()
    controller.timer.timeout.emit()  # what the next tick does
    assert not controller.timer.isActive()
