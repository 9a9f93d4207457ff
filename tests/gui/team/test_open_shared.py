"""File ▸ Open shared workspace…: the real dialog driven like a user would, against a
real PostgreSQL server with password logins (tests/support/shared_workspace.py) and an
in-memory keyring. The workspace opens on a worker and shows like any other; the
password goes to the keyring and nowhere else; refusals are said in the dialog with the
form kept; a start-up on a URL without password asks in the window, then uses the
keyring."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import keyring.backends.fail
import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QLineEdit

from app.gui.application import GuiController
from app.gui.shared_workspace_controller import CANCELLED_MESSAGE
from services.core import credentials
from tests.support.memory_keyring import MemoryKeyring, installed_keyring
from tests.support.shared_workspace import (
    ANA,
    ANA_PASSWORD,
    CUSTOMERS,
    SharedServer,
    free_port,
    private_secrets,
    silent_listener,
    start_shared_server,
)
from views.team.open_shared_dialog import OpenSharedDialog

TIMEOUT_MS = 60_000
SERVICE = "Account Radar"


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SharedServer]:
    with start_shared_server(tmp_path_factory.mktemp("team")) as server:
        yield server


@pytest.fixture(autouse=True)
def secrets(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    with private_secrets(monkeypatch) as backend:
        yield backend


def key_of(team: SharedServer, database: str = "team") -> str:
    return f"postgres:{ANA}@127.0.0.1:{team.port}/{database}"


def open_dialog(qtbot, controller: GuiController) -> OpenSharedDialog:
    """File ▸ Open shared workspace…, and the keyring check it starts, done."""
    controller.window.show()
    controller.shared.action.trigger()
    dialog = controller.shared.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    qtbot.waitUntil(controller.jobs.is_idle)
    return dialog


def fill(qtbot, dialog: OpenSharedDialog, team: SharedServer, password: str, db="team") -> None:
    for edit, text in (
        (dialog.host_edit, "127.0.0.1"),
        (dialog.database_edit, db),
        (dialog.user_edit, ANA),
        (dialog.password_edit, password),
    ):
        edit.clear()
        qtbot.keyClicks(edit, text)
    dialog.port_box.setValue(team.port)


def press_connect(qtbot, dialog: OpenSharedDialog) -> None:
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)


def launch(monkeypatch: pytest.MonkeyPatch, make_gui, db: str, tmp_path: Path) -> GuiController:
    """gui.launch() as run_gui (and `workspace open URL`) calls it, on ``db``."""
    from app.gui import application as gui

    made: list[GuiController] = []

    def fake_make_controller(_app: object, _settings: object, **_kwargs: object) -> GuiController:
        made.append(make_gui())
        return made[-1]

    monkeypatch.setattr(gui, "make_controller", fake_make_controller)
    monkeypatch.setattr(gui.ErrorPresenter, "install_excepthook", lambda self: None)
    monkeypatch.setattr(gui, "_setup_logging", lambda: None)
    monkeypatch.setattr(gui, "route_qt_messages", lambda: None)
    gui.launch(db, QSettings(str(tmp_path / "launch.ini"), QSettings.Format.IniFormat))
    (controller,) = made
    return controller


# -- opening --------------------------------------------------------------------------------


def test_the_dialog_opens_the_shared_workspace_and_keeps_the_password_in_the_keyring(
    qtbot,
    make_gui,
    team: SharedServer,
    secrets: MemoryKeyring,
    ui_settings: QSettings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    controller = make_gui()
    window = controller.window
    actions = window.menus.file_menu.actions()
    assert actions[actions.index(window.menus.open_action) + 1] is controller.shared.action
    assert controller.shared.action.text() == "Open s&hared workspace…"
    dialog = open_dialog(qtbot, controller)
    assert dialog.port_box.value() == 5432
    assert dialog.password_edit.echoMode() == QLineEdit.EchoMode.Password
    assert dialog.remember_box.isEnabled()
    assert dialog.remember_box.isChecked()
    assert not dialog.keyring_note.isVisible()
    fill(qtbot, dialog, team, ANA_PASSWORD)
    with qtbot.waitSignal(controller.shared.shared_opened, timeout=TIMEOUT_MS) as opened:
        press_connect(qtbot, dialog)
        # On a worker: the form is locked and the busy row says what is happening.
        assert dialog.busy_row.isVisible()
        assert not dialog.connect_button.isEnabled()
        assert not dialog.password_edit.isEnabled()
        assert dialog.cancel_button.isEnabled()
        assert "Connecting to 127.0.0.1 as ana" in dialog.busy_label.text()
    display = f"ana@127.0.0.1:{team.port}/team"
    assert opened.args == [display]
    assert controller.shared.dialog is None  # closed
    workspace = controller.workspace
    assert workspace is not None
    assert workspace.display_name == display
    assert workspace.url == team.url()
    assert window.windowTitle() == f"{display} — Account Radar"
    assert window.workspace_label.text() == display
    assert display in window.statusBar().currentMessage()
    assert not window.menus.backup_action.isEnabled()  # pg_dump's job, not a file copy
    qtbot.waitUntil(lambda: window.customers_pane.model.rowCount() == CUSTOMERS, timeout=TIMEOUT_MS)
    assert secrets.passwords == {(SERVICE, key_of(team)): ANA_PASSWORD}

    # The password is nowhere else: UI state, settings files, the log, what is shown.
    qtbot.waitUntil(controller.jobs.is_idle, timeout=TIMEOUT_MS)
    window.save_ui_state()
    controller.workspaces.card.hide_requested.emit()  # keeps the workspace name in QSettings
    ui_settings.sync()
    saved = {key: str(ui_settings.value(key)) for key in ui_settings.allKeys()}
    assert any(display in value for value in saved.values())  # the name, by its display
    assert not any(ANA_PASSWORD in value for value in saved.values())
    files = [Path(ui_settings.fileName())]
    files += [p for p in Path(os.environ["ACCOUNT_RADAR_CONFIG_DIR"]).rglob("*") if p.is_file()]
    for path in files:
        assert ANA_PASSWORD.encode() not in path.read_bytes(), path
    assert not [r for r in caplog.records if ANA_PASSWORD in r.getMessage()]
    assert ANA_PASSWORD not in window.windowTitle()
    rows = team.admin_sql("SELECT key, value::text FROM settings")
    assert not [row for row in rows if ANA_PASSWORD in str(row)]


def test_a_wrong_password_is_said_in_the_dialog_and_the_form_is_kept(
    qtbot, make_gui, team: SharedServer, secrets: MemoryKeyring
) -> None:
    controller = make_gui()
    dialog = open_dialog(qtbot, controller)
    fill(qtbot, dialog, team, "not the password")
    press_connect(qtbot, dialog)
    qtbot.waitUntil(dialog.error.isVisible, timeout=TIMEOUT_MS)
    assert dialog.error.text() == (
        "Wrong user name or password: the server refused them. Check both and try again."
    )
    assert not dialog.busy_row.isVisible()
    assert dialog.isVisible()
    assert (dialog.host_edit.text(), dialog.port_box.value()) == ("127.0.0.1", team.port)
    assert (dialog.database_edit.text(), dialog.user_edit.text()) == ("team", ANA)
    assert dialog.password_edit.text() == "not the password"
    assert dialog.password_edit.isEnabled()
    assert dialog.password_edit.selectedText() == "not the password"  # ready to retype
    assert controller.workspace is None
    assert secrets.passwords == {}  # a refused password is never kept
    assert credentials.get_session_secret(key_of(team)) is None
    # The right one, in the same form.
    dialog.password_edit.clear()
    qtbot.keyClicks(dialog.password_edit, ANA_PASSWORD)
    with qtbot.waitSignal(controller.shared.shared_opened, timeout=TIMEOUT_MS):
        press_connect(qtbot, dialog)
    assert controller.workspace is not None
    assert secrets.passwords == {(SERVICE, key_of(team)): ANA_PASSWORD}


def test_an_incomplete_form_is_said_before_anything_runs(qtbot, make_gui) -> None:
    controller = make_gui()
    dialog = open_dialog(qtbot, controller)
    qtbot.keyClicks(dialog.host_edit, "127.0.0.1")
    press_connect(qtbot, dialog)
    assert dialog.error.text() == "Enter the database and user name."
    assert controller.jobs.is_idle()
    assert not dialog.busy_row.isVisible()


def test_start_up_on_a_url_without_password_asks_in_the_window_then_uses_the_keyring(
    qtbot,
    make_gui,
    team: SharedServer,
    secrets: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    url = team.url()  # as in --db, $ACCOUNT_RADAR_DB, workspace.location, workspace open
    controller = launch(monkeypatch, make_gui, url, tmp_path)
    qtbot.waitUntil(lambda: controller.shared.dialog is not None, timeout=TIMEOUT_MS)
    dialog = controller.shared.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    assert (dialog.host_edit.text(), dialog.port_box.value()) == ("127.0.0.1", team.port)
    assert (dialog.database_edit.text(), dialog.user_edit.text()) == ("team", ANA)
    assert dialog.password_edit.text() == ""
    assert dialog.error.text() == "The server asks for the password of the database user ana."
    qtbot.keyClicks(dialog.password_edit, ANA_PASSWORD)
    with qtbot.waitSignal(controller.shared.shared_opened, timeout=TIMEOUT_MS):
        press_connect(qtbot, dialog)
    assert secrets.passwords == {(SERVICE, key_of(team)): ANA_PASSWORD}
    assert controller.workspace is not None
    assert controller.workspace.url == url
    qtbot.waitUntil(controller.jobs.is_idle, timeout=TIMEOUT_MS)

    # The next start on the same URL: the keyring's password, no question.
    again = launch(monkeypatch, make_gui, url, tmp_path)
    qtbot.waitUntil(lambda: again.workspace is not None, timeout=TIMEOUT_MS)
    assert again.shared.dialog is None
    assert again.workspace is not None
    assert again.workspace.display_name == f"ana@127.0.0.1:{team.port}/team"
    qtbot.waitUntil(again.jobs.is_idle, timeout=TIMEOUT_MS)


def test_a_stored_password_the_server_now_refuses_is_asked_again(
    qtbot, make_gui, team: SharedServer, secrets: MemoryKeyring
) -> None:
    secrets.passwords[(SERVICE, key_of(team))] = "last month's password"
    controller = make_gui()
    controller.window.show()
    controller.open_url(team.url(), startup=True)
    qtbot.waitUntil(lambda: controller.shared.dialog is not None, timeout=TIMEOUT_MS)
    dialog = controller.shared.dialog
    assert dialog is not None
    assert "refused the password stored in the system keyring for ana" in dialog.error.text()
    assert "last month's password" not in dialog.error.text()
    assert dialog.remember_box.isChecked()
    qtbot.keyClicks(dialog.password_edit, ANA_PASSWORD)
    with qtbot.waitSignal(controller.shared.shared_opened, timeout=TIMEOUT_MS):
        press_connect(qtbot, dialog)
    assert secrets.passwords == {(SERVICE, key_of(team)): ANA_PASSWORD}  # replaced
    qtbot.waitUntil(controller.jobs.is_idle, timeout=TIMEOUT_MS)


# -- what is refused --------------------------------------------------------------------


def test_an_unreachable_server_is_said_plainly(qtbot, make_gui, team: SharedServer) -> None:
    controller = make_gui()
    dialog = open_dialog(qtbot, controller)
    fill(qtbot, dialog, team, ANA_PASSWORD)
    port = free_port()
    dialog.port_box.setValue(port)
    press_connect(qtbot, dialog)
    qtbot.waitUntil(dialog.error.isVisible, timeout=TIMEOUT_MS)
    assert dialog.error.text() == (
        f"Could not reach the database server 127.0.0.1:{port}: nothing answered on port "
        f"{port}. Check the server's address and port, and your network (VPN), then try "
        "again."
    )
    assert dialog.host_edit.text() == "127.0.0.1"
    assert controller.workspace is None


def test_a_server_that_hangs_leaves_the_window_responsive_and_cancel_stops_waiting(
    qtbot, make_gui, team: SharedServer, presented_errors: list[str]
) -> None:
    controller = make_gui()
    dialog = open_dialog(qtbot, controller)
    listener = silent_listener()
    try:
        fill(qtbot, dialog, team, ANA_PASSWORD)
        dialog.port_box.setValue(listener.getsockname()[1])
        press_connect(qtbot, dialog)
        assert dialog.busy_row.isVisible()
        # The UI thread keeps running while the worker waits for the server.
        ticks: list[int] = []
        timer = QTimer()
        timer.timeout.connect(lambda: ticks.append(1))
        timer.start(20)
        qtbot.waitUntil(lambda: len(ticks) >= 10, timeout=5_000)
        timer.stop()
        assert not controller.jobs.is_idle()  # still connecting
        assert dialog.busy_row.isVisible()
        # Cancel: the form is back at once, the dialog stays.
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
        assert dialog.isVisible()
        assert not dialog.busy_row.isVisible()
        assert dialog.status.text() == CANCELLED_MESSAGE
        assert dialog.connect_button.isEnabled()
        assert dialog.password_edit.text() == ANA_PASSWORD
    finally:
        listener.close()  # the waiting connection ends now
    qtbot.waitUntil(controller.jobs.is_idle, timeout=TIMEOUT_MS)
    assert not dialog.error.isVisible()  # the late failure of a cancelled attempt: dropped
    assert presented_errors == []
    assert controller.workspace is None


def test_an_empty_database_gets_the_publish_hint_and_stays_empty(
    qtbot, make_gui, team: SharedServer
) -> None:
    if "empty_team" not in [r[0] for r in team.admin_sql("SELECT datname FROM pg_database")]:
        team.createdb("empty_team")
    controller = make_gui()
    dialog = open_dialog(qtbot, controller)
    fill(qtbot, dialog, team, ANA_PASSWORD, db="empty_team")
    press_connect(qtbot, dialog)
    qtbot.waitUntil(dialog.error.isVisible, timeout=TIMEOUT_MS)
    assert dialog.error.text() == (
        "This database (empty_team on 127.0.0.1) is empty: publish a workspace to it with "
        f"`python main.py workspace publish --to {team.url('empty_team')}`. Nothing was "
        "created in it."
    )
    assert team.tables("empty_team") == []
    assert controller.workspace is None


# -- no keyring -------------------------------------------------------------------------


def test_without_a_keyring_the_box_says_why_and_the_password_lasts_the_session(
    qtbot, make_gui, team: SharedServer
) -> None:
    with installed_keyring(keyring.backends.fail.Keyring()):
        controller = make_gui()
        dialog = open_dialog(qtbot, controller)
        qtbot.waitUntil(dialog.keyring_note.isVisible)
        assert not dialog.remember_box.isEnabled()
        assert not dialog.remember_box.isChecked()
        note = dialog.keyring_note.text()
        assert note.startswith("No system keyring is available on this computer")
        assert note.endswith("The password is kept for this session only.")
        assert "OPENAI" not in note
        fill(qtbot, dialog, team, ANA_PASSWORD)
        with qtbot.waitSignal(controller.shared.shared_opened, timeout=TIMEOUT_MS):
            press_connect(qtbot, dialog)
        assert credentials.get_session_secret(key_of(team)) == ANA_PASSWORD
        qtbot.waitUntil(controller.jobs.is_idle, timeout=TIMEOUT_MS)
        # Opened again in this session from the URL alone: the session's password.
        first = controller.workspace
        controller.open_url(team.url())
        qtbot.waitUntil(
            lambda: controller.workspace is not None and controller.workspace is not first,
            timeout=TIMEOUT_MS,
        )
        assert controller.shared.dialog is None
        qtbot.waitUntil(controller.jobs.is_idle, timeout=TIMEOUT_MS)
