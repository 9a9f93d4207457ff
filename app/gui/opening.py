"""The screen the window opens on, read first.

On a first launch, and whenever it was the tab open last, the window opens on its Alerts
tab: the list the user sees there is the alerts list, not the customers table hidden
behind it. So when the saved tab is Alerts, the start-up preload (app/gui/preload.py)
reads the alerts list as soon as the workspace is open, before the customers table, and
the Alerts screen is built and handed that list before the table is filled
(``show_alerts_first``); the preload reads the customers table once that list is shown
(not beside it: both would hold the interpreter lock), then its other screens and reads
follow as before.

No Qt at import: app/cli/window.py starts the preload with this module before Qt is
loaded. Which tab is saved is read on the calling (main) thread, with QtCore alone, once
the preload has begun opening the workspace: QSettings is a Qt object, and the first Qt
object a process makes decides which thread Qt takes for its main one. Made on the
preload's thread, it left the window's event loop on the wrong thread: the window
painted once, then answered no input.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from app.gui.preload import Preload, start_preload
from app.workspace import Workspace
from views.shell.tab_keys import KEY_TAB, saved_tab_key

if TYPE_CHECKING:
    from app.gui.alerts_source import WorkspaceAlertSource
    from views.item_models.alert_list_data import AlertListData
    from views.shell.main_window import MainWindow

# QSettings' names for the window's own settings (the saved tab, the layout).
ORGANIZATION = "AccountRadar"
APPLICATION = "Account Radar"


def opens_on_alerts(settings_file: str | None = None) -> bool:
    """Whether the window opens on its Alerts tab (the tab saved last; Alerts the first
    time). ``settings_file``: an INI file of the window's settings instead of the user's.

    Only on the main thread (QSettings is a Qt object: see the module's note)."""
    from PySide6.QtCore import QSettings

    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("the saved tab is read on the main thread only")

    if settings_file is None:
        settings = QSettings(ORGANIZATION, APPLICATION)
    else:
        settings = QSettings(settings_file, QSettings.Format.IniFormat)
    return saved_tab_key(settings.value(KEY_TAB)) == "alerts"


def read_alert_list(workspace: Workspace) -> AlertListData:
    """The Alerts tab's list as its pane reads it (views/alerts/pane.py), search ready."""
    from app.gui.alerts_source import WorkspaceAlertSource
    from views.item_models.alert_list_data import AlertListData

    data = AlertListData.of(WorkspaceAlertSource(workspace).load_alert_columns())
    data.prepare_search()
    return data


# The longest the preload's first read waits to be told which tab the window opens on
# (s): the main thread tells it at once, after importing QtCore.
TAB_WAIT_S = 30.0


def start_window_preload(db: str | None, settings_file: str | None = None) -> Preload | None:
    """The start-up preload, with the alerts list read first when the window opens on the
    Alerts tab (``settings_file`` as in :func:`opens_on_alerts`). Call it on the main
    thread: the preload opens the workspace while this thread reads the saved tab."""
    on_alerts: Future[bool] = Future()

    def first(workspace: Workspace) -> AlertListData | None:
        return read_alert_list(workspace) if on_alerts.result(TAB_WAIT_S) else None

    preload = start_preload(db, first)
    if preload is None:
        return None
    answer = False
    try:
        answer = opens_on_alerts(settings_file)
    except ImportError:  # no Qt: the window says so when it imports it (app/cli/window.py)
        pass
    finally:
        on_alerts.set_result(answer)
    return preload


def show_alerts_first(
    window: MainWindow,
    workspace: Workspace,
    preloaded: Future[Any] | None,
    *,
    user: Callable[[], str],
    owner_name: str | None,
) -> WorkspaceAlertSource | None:
    """At start-up, before the customers table is filled: when the window shows its
    Alerts tab and the preload read the list, build the Alerts screen now and hand it the
    workspace's alerts (the list arrives from the preload). Returns the source handed
    over (None: nothing done; the alerts follow the table as on the other tabs)."""
    from app.gui.alerts_source import WorkspaceAlertSource
    from views.shell.main_window import TAB_ALERTS

    shown = getattr(preloaded, "shown", None)  # the customers table's read waits for it
    if preloaded is None or window.tabs.currentIndex() != TAB_ALERTS:
        if shown is not None:
            shown.set()
        return None
    source = WorkspaceAlertSource(workspace, user=user, preloaded=preloaded)
    window.set_alert_source(source, owner_name=owner_name)
    if shown is not None:
        _when_listed(window, shown)
    return source


def _when_listed(window: MainWindow, shown: threading.Event) -> None:
    """Set ``shown`` once the Alerts screen has shown its first list (its paint first: a
    timer of 0 runs after the events already posted), or at once when it is not built."""
    from PySide6.QtCore import Qt, QTimer

    if not window.screens_built:
        shown.set()
        return
    window.alerts_view.alerts_pane.alerts_loaded.connect(
        lambda _count: QTimer.singleShot(0, shown.set),
        Qt.ConnectionType.SingleShotConnection,
    )
