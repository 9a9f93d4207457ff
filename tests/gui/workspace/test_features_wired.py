"""The window's features, each installed by its own install(ctx), answer the application's
signals: a workspace opening starts the update check, and settings saved in the Settings
dialog reach the desktop notifications."""

from __future__ import annotations

import shutil
from pathlib import Path

from app.gui.application import GuiController
from app.workspace import to_url
from models.db import session_scope
from services.settings import set_setting

TIMEOUT_MS = 60_000


def opened(qtbot, controller: GuiController, path: Path) -> None:
    controller.open_url(to_url(str(path)))
    qtbot.waitUntil(
        lambda: controller.workspace is not None and controller.jobs.is_idle(),
        timeout=TIMEOUT_MS,
    )


def test_a_workspace_opening_starts_the_update_check(
    qtbot, make_gui, tmp_path: Path, alerts_file: Path
) -> None:
    path = tmp_path / "book.radar.sqlite"
    shutil.copy(alerts_file, path)
    controller = make_gui()
    assert not controller.updates.asked
    opened(qtbot, controller, path)
    assert controller.updates.asked
    assert controller.updates.last is not None  # the check ran, on the worker


def test_settings_saved_reach_the_desktop_notifications(
    qtbot, make_gui, tmp_path: Path, alerts_file: Path
) -> None:
    path = tmp_path / "book.radar.sqlite"
    shutil.copy(alerts_file, path)
    controller = make_gui()
    opened(qtbot, controller, path)
    assert controller.workspace is not None
    qtbot.waitUntil(lambda: controller.notifications.enabled, timeout=TIMEOUT_MS)
    with session_scope(controller.workspace.sessions) as session:
        set_setting(session, "notifications.desktop", False)
    # As the Settings dialog's save says so: through the settings controller's signal.
    controller.settings.settings_saved.emit(["notifications.desktop"])
    qtbot.waitUntil(lambda: not controller.notifications.enabled, timeout=TIMEOUT_MS)
