"""A window opening on its Alerts tab reads the alerts list first.

There the list the user sees is the alerts list, not the customers table hidden behind
it: the start-up preload reads the list before the table (app/gui/opening.py) and the
Alerts screen shows it without waiting for the table. Checked by holding the customers
table's read back until the alerts list is shown.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from app.gui.opening import read_alert_list, start_window_preload
from app.workspace import open_workspace, to_url
from views.shell.main_window import KEY_TAB, TAB_ALERTS, TAB_CUSTOMERS


@pytest.fixture
def held_table(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """The customers table's read waits until the event is set (at the latest, the end)."""
    import services.usecases.customers as customers

    release = threading.Event()
    real = customers.load_customer_columns

    def held(engine: Any) -> Any:
        release.wait(60)
        return real(engine)

    monkeypatch.setattr(customers, "load_customer_columns", held)
    yield release
    release.set()


def test_on_the_alerts_tab_the_list_shows_before_the_customers_table_is_read(
    qtbot,
    make_gui,
    ui_settings: QSettings,
    alerts_file: Path,
    tmp_path: Path,
    held_table: threading.Event,
    presented_errors: list[str],
) -> None:
    path = tmp_path / "w.radar.sqlite"
    shutil.copy(alerts_file, path)
    ui_settings.setValue(KEY_TAB, "alerts")  # as on a first launch
    ui_settings.sync()
    preload = start_window_preload(str(path), settings_file=ui_settings.fileName())
    assert preload is not None
    assert preload.first_screen is not None
    controller = make_gui()
    window = controller.window
    controller.start(to_url(str(path)), first_launch_demo=False, preload=preload)

    def listed() -> bool:  # (window.alerts_view builds the screens: asked only once built)
        return window.screens_built and window.alerts_view.alerts_pane.model.data_set is not None

    qtbot.waitUntil(listed, timeout=20_000)
    pane = window.alerts_view.alerts_pane
    # The alerts are shown on their tab while the customers table is still being read.
    assert window.customers_pane.model.rowCount() == 0
    assert not preload.columns.done()
    assert window.tabs.currentIndex() == TAB_ALERTS
    assert pane.model.rowCount() > 0
    # The very list the preload read, and the workspace's alerts as a fresh read has them.
    data = pane.model.data_set
    assert data is preload.first_screen.result()
    fresh = read_alert_list(controller.workspace)
    assert data.columns["id"].tolist() == fresh.columns["id"].tolist()
    source = window.alert_source

    held_table.set()
    qtbot.waitUntil(lambda: window.customers_pane.model.rowCount() > 0, timeout=20_000)
    qtbot.waitUntil(controller.jobs.is_idle, timeout=20_000)
    # Once the table is shown the rest of the workspace follows, but the alerts are not
    # handed over (and read) again: the same source, the same list.
    assert window.alert_source is source
    assert pane.model.data_set is data
    assert window.tabs.currentIndex() == TAB_ALERTS
    assert presented_errors == []


def test_on_another_tab_the_preload_reads_no_alerts(
    qtbot, make_gui, ui_settings: QSettings, alerts_file: Path, tmp_path: Path
) -> None:
    path = tmp_path / "w.radar.sqlite"
    shutil.copy(alerts_file, path)
    ui_settings.setValue(KEY_TAB, "customers")
    ui_settings.sync()
    preload = start_window_preload(str(path), settings_file=ui_settings.fileName())
    assert preload is not None
    assert preload.first_screen is not None
    assert preload.first_screen.result(timeout=60) is None
    controller = make_gui()
    window = controller.window
    controller.start(to_url(str(path)), first_launch_demo=False, preload=preload)
    qtbot.waitUntil(
        lambda: window.customers_pane.model.rowCount() > 0 and window.alert_source is not None,
        timeout=20_000,
    )
    # As before: the Customers tab, and the other screens wait past a first sort.
    assert window.tabs.currentIndex() == TAB_CUSTOMERS
    assert not window.screens_built
    qtbot.waitUntil(lambda: window.screens_built, timeout=10_000)
    qtbot.waitUntil(lambda: window.alerts_view.alerts_pane.model.rowCount() > 0, timeout=20_000)
    qtbot.waitUntil(controller.jobs.is_idle, timeout=20_000)


def test_a_failed_read_at_start_up_is_read_again(alerts_file: Path, tmp_path: Path) -> None:
    from concurrent.futures import Future

    from app.gui.alerts_source import WorkspaceAlertSource

    path = tmp_path / "w.radar.sqlite"
    shutil.copy(alerts_file, path)
    workspace = open_workspace(to_url(str(path)), backup=False)
    try:
        failed: Future[Any] = Future()
        failed.set_exception(RuntimeError("the preload's read failed"))
        source = WorkspaceAlertSource(workspace, preloaded=failed)
        columns = source.load_alert_columns()  # read again, from the database
        assert not isinstance(columns, type(read_alert_list(workspace)))
        assert len(columns["id"]) == read_alert_list(workspace).n > 0
    finally:
        workspace.close()


def test_the_customers_table_is_read_once_the_alerts_list_is_shown(
    qtbot,
    make_gui,
    ui_settings: QSettings,
    alerts_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    presented_errors: list[str],
) -> None:
    # Read beside the list being shown, the table would take the interpreter lock from it.
    import services.usecases.customers as customers

    listed_then: list[bool] = []  # at the start of the table's read: the list shown?
    real = customers.load_customer_columns
    windows: list[Any] = []

    def noted(engine: Any) -> Any:
        window = windows[0]
        pane = window.alerts_view.alerts_pane if window.screens_built else None
        listed_then.append(pane is not None and pane.model.data_set is not None)
        return real(engine)

    monkeypatch.setattr(customers, "load_customer_columns", noted)
    path = tmp_path / "w.radar.sqlite"
    shutil.copy(alerts_file, path)
    ui_settings.setValue(KEY_TAB, "alerts")
    ui_settings.sync()
    preload = start_window_preload(str(path), settings_file=ui_settings.fileName())
    assert preload is not None
    assert preload.first_screen is not None
    controller = make_gui()
    window = controller.window
    windows.append(window)
    controller.start(to_url(str(path)), first_launch_demo=False, preload=preload)
    qtbot.waitUntil(lambda: window.customers_pane.model.rowCount() > 0, timeout=20_000)
    assert listed_then == [True]
    assert preload.first_screen.shown.is_set()
    assert window.tabs.currentIndex() == TAB_ALERTS
    assert presented_errors == []
