"""The window's side of Slack and Teams (app/gui/notify_controller.py) on the real window
and a demo workspace: a post after the alert list loads, once; links opening an alert, or
saying plainly why not; and a second process handing its link to this one."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from PySide6.QtCore import QSettings
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.gui.alerts_source import WorkspaceAlertSource
from app.gui.context import WindowContext
from app.gui.customers_source import WorkspaceCustomerSource
from app.gui.notify_controller import NotifyController
from app.gui.notify_settings import AskFn, NotifySettingsActions
from app.gui.single_instance import InstanceServer, hand_over
from app.workspace import Workspace
from models.schema import Alert
from services.core.credentials import clear_session_secrets
from services.notify.run import approve_webhook, read_setup
from services.notify.webhook import SECRET_NAME
from tests.support.memory_keyring import MemoryKeyring, installed_keyring
from tests.support.notify_book import webhook_server
from tests.support.paths import ROOT
from views.kit.jobs import JobRunner
from views.kit.theme import ThemeManager
from views.settings.notify_page import PostPreviewDialog
from views.shell.main_window import TAB_ALERTS, MainWindow

TIMEOUT_MS = 60_000


@pytest.fixture
def window(
    qtbot, jobs: JobRunner, workspace: Workspace, theme: ThemeManager, ui_settings: QSettings
) -> MainWindow:
    w = MainWindow(jobs, theme, ui_settings)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    w.set_source(WorkspaceCustomerSource(workspace))
    w.set_alert_source(WorkspaceAlertSource(workspace))
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    return w


def started(
    window: MainWindow, jobs: JobRunner, workspace: Workspace, ask: AskFn | None = None
) -> NotifyController:
    def refuse(_dialog: PostPreviewDialog) -> bool:
        raise AssertionError("asked, though the webhook was approved")

    controller = NotifyController(
        WindowContext(jobs, window, lambda: workspace),
        NotifySettingsActions(jobs, lambda: workspace, ask=ask or refuse),
    )
    controller.workspace_opened()
    return controller


def _an_alert(workspace: Workspace) -> tuple[int, int]:
    with Session(workspace.engine) as session:
        row = session.execute(
            select(Alert.id, Alert.customer_id).where(Alert.status == "open").limit(1)
        ).one()
    return int(row[0]), int(row[1])


def test_a_link_opens_its_alert(qtbot, window, jobs, workspace) -> None:  # type: ignore[no-untyped-def]
    controller = started(window, jobs, workspace)
    alert_id, _customer = _an_alert(workspace)
    window.tabs.setCurrentIndex(0)
    controller.open_link(f"accountradar://alert/{alert_id}")
    qtbot.waitUntil(lambda: window.alerts_view.alerts_pane.current_alert_id == alert_id,
                    timeout=TIMEOUT_MS)  # fmt: skip
    assert window.tabs.currentIndex() == TAB_ALERTS
    assert controller.last_message == f"Opened accountradar://alert/{alert_id}."


def test_a_bad_or_unknown_link_opens_nothing_and_says_why(qtbot, window, jobs, workspace) -> None:  # type: ignore[no-untyped-def]
    controller = started(window, jobs, workspace)
    window.tabs.setCurrentIndex(0)
    controller.open_link("accountradar://alert/12?delete=1")
    assert "is not a link Account Radar opens" in controller.last_message
    assert window.statusBar().currentMessage() == controller.last_message
    controller.open_link("accountradar://alert/987654321")
    qtbot.waitUntil(lambda: "not yours to see" in controller.last_message, timeout=TIMEOUT_MS)
    assert window.tabs.currentIndex() == 0


def test_new_critical_alerts_are_posted_after_the_list_loads_once(
    qtbot, window, jobs, workspace
) -> None:  # type: ignore[no-untyped-def]
    with installed_keyring(MemoryKeyring()) as backend, webhook_server() as hook:
        backend.set_password("Account Radar", SECRET_NAME, hook.url)
        approve_webhook(workspace.engine, read_setup(workspace.engine))
        controller = started(window, jobs, workspace)
        window.alerts_view.alerts_pane.reload()
        qtbot.waitUntil(lambda: "Posted to Slack or Teams" in controller.last_message,
                        timeout=TIMEOUT_MS)  # fmt: skip
        assert len(hook.bodies) == 1
        assert "new critical alert" in json.loads(hook.bodies[0])["text"]
        window.alerts_view.alerts_pane.reload()
        qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
        qtbot.waitUntil(lambda: not controller._busy, timeout=TIMEOUT_MS)
        assert len(hook.bodies) == 1  # posted once
    clear_session_secrets()


def test_the_first_post_is_shown_and_asked_once_then_sent_as_shown(
    qtbot, window, jobs, workspace
) -> None:  # type: ignore[no-untyped-def]
    shown: list[str] = []

    def ask(dialog: PostPreviewDialog) -> bool:
        shown.append(dialog.sent.toPlainText())
        return len(shown) > 1  # "not now" the first time

    with installed_keyring(MemoryKeyring()) as backend, webhook_server() as hook:
        backend.set_password("Account Radar", SECRET_NAME, hook.url)
        controller = started(window, jobs, workspace, ask)
        window.alerts_view.alerts_pane.reload()
        qtbot.waitUntil(lambda: len(shown) == 1 and not controller._busy, timeout=TIMEOUT_MS)
        window.alerts_view.alerts_pane.reload()  # not asked again this session
        qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
        qtbot.waitUntil(lambda: not controller._busy, timeout=TIMEOUT_MS)
        assert len(shown) == 1
        assert hook.bodies == []
        controller.workspace_opened()  # the next session asks again
        window.alerts_view.alerts_pane.reload()
        qtbot.waitUntil(lambda: len(hook.bodies) == 1, timeout=TIMEOUT_MS)
        assert json.loads(hook.bodies[0]) == json.loads(shown[1])
    clear_session_secrets()


def test_a_failing_webhook_is_said_in_the_status_bar(qtbot, window, jobs, workspace) -> None:  # type: ignore[no-untyped-def]
    with installed_keyring(MemoryKeyring()) as backend, webhook_server() as hook:
        hook.status = 500
        backend.set_password("Account Radar", SECRET_NAME, hook.url)
        approve_webhook(workspace.engine, read_setup(workspace.engine))
        controller = started(window, jobs, workspace)
        window.alerts_view.alerts_pane.reload()
        qtbot.waitUntil(lambda: "Not posted to Slack or Teams" in controller.last_message,
                        timeout=TIMEOUT_MS)  # fmt: skip
        assert "HTTP 500" in window.statusBar().currentMessage()
    clear_session_secrets()


def test_a_link_macos_hands_over_as_an_event_opens_too(  # type: ignore[no-untyped-def]
    qtbot, window, jobs, workspace, monkeypatch
) -> None:
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QFileOpenEvent
    from PySide6.QtWidgets import QApplication

    import app.gui.notify_controller as notify_controller

    monkeypatch.setattr(notify_controller, "FILE_OPEN_EVENTS", True)  # as on macOS
    controller = started(window, jobs, workspace)
    assert controller.listen()
    try:
        QApplication.sendEvent(
            QApplication.instance(), QFileOpenEvent(QUrl("accountradar://alert/0"))
        )
        assert "There is no alert number 0" in controller.last_message
    finally:
        QApplication.instance().removeEventFilter(controller)
        assert isinstance(controller.server, InstanceServer)
        controller.server.close()


def test_elsewhere_no_filter_watches_every_event(  # type: ignore[no-untyped-def]
    qtbot, window, jobs, workspace, monkeypatch
) -> None:
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QFileOpenEvent
    from PySide6.QtWidgets import QApplication

    import app.gui.notify_controller as notify_controller

    monkeypatch.setattr(notify_controller, "FILE_OPEN_EVENTS", False)  # Linux, Windows
    controller = started(window, jobs, workspace)
    before = controller.last_message
    assert controller.listen()
    try:
        QApplication.sendEvent(
            QApplication.instance(), QFileOpenEvent(QUrl("accountradar://alert/0"))
        )
        assert controller.last_message == before  # nobody watched for it
    finally:
        assert isinstance(controller.server, InstanceServer)
        controller.server.close()


def test_a_second_process_hands_its_link_to_the_running_window(qtbot) -> None:  # type: ignore[no-untyped-def]
    assert not hand_over("accountradar://alert/1", timeout_ms=200)  # nobody listens yet
    server = InstanceServer()
    assert server.listen()
    try:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        with qtbot.waitSignal(server.link_received, timeout=20_000) as got:
            second = subprocess.Popen(  # noqa: S603 - our own entry point
                [sys.executable, str(ROOT / "main.py"), "accountradar://alert/42"], env=env,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            )  # fmt: skip
        assert got.args == ["accountradar://alert/42"]
        assert second.wait(20) == 0  # it handed over and ended: no second window
        assert second.stderr is not None
        assert second.stderr.read() == b""
    finally:
        server.close()
