"""Reminders that reach the person while the window is open: a system-tray notification
when one of their tasks falls due or a critical alert arrives; clicking it opens the
alert. Where the system has no tray, the status bar says it instead. The setting
``notifications.desktop`` (services/settings/notifications.py, read through the policy
resolver, shown in Settings) turns them off.

What is new is what was not there at the previous look: the first list after a workspace
opens is the baseline (the start-up notice and Since yesterday speak of it), and every
later one (My work reloads every few minutes, and after each change; the alert list after
each scoring) is compared with what was seen. The tray is given in tests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import numpy as np
from PySide6.QtCore import QObject, QTimer, SignalInstance
from PySide6.QtWidgets import QSystemTrayIcon

from app.gui.context import GuiContext, WindowContext
from views.kit.jobs import TaskState
from views.my_work.source import MyWork
from views.shell.main_window import MainWindow

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon

RELOAD_MS = 5 * 60_000  # My work looks again for tasks falling due
SHOWN_MS = 10_000
SETTING = "notifications.desktop"  # services/settings/notifications.py


class Tray(Protocol):
    """What is used of a QSystemTrayIcon (tests give their own)."""

    @property
    def messageClicked(self) -> SignalInstance: ...  # noqa: N802 (Qt's name)

    def showMessage(  # noqa: N802 (Qt's name)
        self, title: str, msg: str, icon: QSystemTrayIcon.MessageIcon, msecs: int
    ) -> None: ...


def _system_tray(window: MainWindow) -> QSystemTrayIcon | None:
    if not QSystemTrayIcon.isSystemTrayAvailable():
        return None
    icon: QIcon = window.windowIcon()
    tray = QSystemTrayIcon(icon, window)
    tray.setToolTip("Account Radar")
    tray.show()
    return tray


class NotificationController(QObject):
    """Watches My work and the alert list; notifies what newly needs the person."""

    def __init__(
        self,
        context: WindowContext,
        *,
        tray: Tray | None | bool = True,
        parent: QObject | None = None,
    ) -> None:
        """``tray``: True finds the system's (None when it has none), None uses the
        status bar, or a tray of the caller's."""
        super().__init__(parent)
        window = context.window
        self._jobs = context.jobs
        self._window = window
        self._workspace = context.workspace
        self.tray: Tray | None = _system_tray(window) if tray is True else (tray or None)
        self.enabled = True
        self._due: set[int] | None = None  # the tasks seen due, None: no baseline yet
        self._critical: set[int] | None = None
        self._target: tuple[int, int] | None = None  # what a click on the last one opens
        if self.tray is not None:
            self.tray.messageClicked.connect(self._on_message_clicked)
        window.when_screens_built(self._connect_screens)
        self.timer = QTimer(self)
        self.timer.setInterval(RELOAD_MS)
        self.timer.timeout.connect(self._on_timer_timeout)

    def _connect_screens(self) -> None:
        self._window.my_work.work_loaded.connect(self._on_work_loaded)
        self._window.alerts_view.alerts_pane.alerts_loaded.connect(self._on_alerts_loaded)

    def _on_timer_timeout(self) -> None:
        if self._jobs.closed:  # the window outlived its runner (shut down): no more ticks
            self.timer.stop()
            return
        self._window.my_work.reload()

    def workspace_opened(self, _name: str = "") -> None:
        """A new workspace: new baselines, and its setting read."""
        self._due = self._critical = None
        self._target = None
        self.timer.start()
        self.read_setting()

    def settings_saved(self, keys: list[str]) -> None:
        if SETTING in keys:
            self.read_setting()

    def read_setting(self) -> None:
        workspace = self._workspace()
        if workspace is None:
            return

        def task(_state: TaskState) -> bool:
            from services.settings.views import NotificationSettings

            with workspace.sessions() as session:
                return NotificationSettings.read(session).desktop

        key = ("notifications.setting", id(self))
        self._jobs.operation(task, parent=self._window, key=key).success(self._set_enabled).run()

    def _set_enabled(self, on: bool) -> None:
        self.enabled = on

    # -- what is new --------------------------------------------------------------------

    def _on_work_loaded(self, work: MyWork) -> None:
        if work.everyone:
            return  # someone else's tasks are not the person's reminders
        due = {t.id: t for t in work.due_tasks}
        seen, self._due = self._due, set(due)
        if seen is None:
            return
        new = [due[i] for i in due if i not in seen]
        if new:
            first = new[0]
            more = f" (and {len(new) - 1} more)" if len(new) > 1 else ""
            title = "Task due" if len(new) == 1 else f"{len(new)} tasks due"
            self.notify(
                title, f"{first.title} · {first.customer}{more}", first.alert_id, first.customer_id
            )

    def _on_alerts_loaded(self, _count: int) -> None:
        data = self._window.alerts_view.alerts_pane.model.data_set
        if data is None:
            return
        c = data.columns
        critical = (c["severity"] == "critical") & np.isin(c["status"], ("open", "in_progress"))
        rows = {int(c["id"][i]): i for i in np.flatnonzero(critical)}
        seen, self._critical = self._critical, set(rows)
        if seen is None:
            return
        new = [i for i in rows if i not in seen]
        if new:
            row = rows[new[0]]
            who = str(c["customer"][row])
            more = f" (and {len(new) - 1} more)" if len(new) > 1 else ""
            title = "Critical alert" if len(new) == 1 else f"{len(new)} critical alerts"
            self.notify(
                title, f"{who}: {c['reason'][row]}{more}", new[0], int(c["customer_id"][row])
            )

    # -- telling ------------------------------------------------------------------------

    def notify(self, title: str, text: str, alert_id: int | None, customer_id: int) -> None:
        """Tell the person (unless turned off): the tray, else the status bar."""
        if not self.enabled:
            return
        self._target = (int(alert_id or 0), int(customer_id))
        if self.tray is not None:
            icon = QSystemTrayIcon.MessageIcon.Information
            self.tray.showMessage(title, text, icon, SHOWN_MS)
        else:
            self._window.statusBar().showMessage(f"{title}: {text}", 15_000)

    def _on_message_clicked(self) -> None:
        if self._target is None:
            return
        alert_id, customer_id = self._target
        self._window.showNormal()
        self._window.raise_()
        self._window.activateWindow()
        # The window's own way to show an alert (or its customer) in its tab.
        self._window.my_work.open_requested.emit(alert_id, customer_id)


def install(ctx: GuiContext) -> NotificationController:
    """Reminders in the system tray for the application's window, told when a workspace
    opens and when settings are saved."""
    controller = NotificationController(ctx, parent=ctx.window)
    ctx.workspace_opened.connect(controller.workspace_opened)
    ctx.settings_saved.connect(controller.settings_saved)
    return controller
