"""The window's update check: once a session, in the background, a newer version said in
the status bar; no address set, no request."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMainWindow
from sqlalchemy.orm import Session

from app.gui.context import WindowContext
from app.gui.update_check import UpdateChecker
from app.workspace import open_workspace, to_url
from services.settings import set_setting
from tests.unit.updates.test_updates import VersionServer, server  # noqa: F401  (the fixture)


def test_a_newer_version_is_said_once(qtbot, jobs, tmp_path: Path, server: VersionServer) -> None:  # noqa: F811
    workspace = open_workspace(to_url(str(tmp_path / "w.radar.sqlite")), backup=False)
    window = QMainWindow()
    qtbot.addWidget(window)
    try:
        quiet = UpdateChecker(WindowContext(jobs, window, lambda: workspace))
        quiet.workspace_opened()
        qtbot.waitUntil(lambda: quiet.last is not None, timeout=10_000)
        assert quiet.last is not None
        assert quiet.last.status == "off"
        assert server.requests == []
        assert window.statusBar().currentMessage() == ""

        with Session(workspace.engine) as session, session.begin():
            set_setting(session, "updates.check_url", server.url)
        server.serve({"version": "99.1.0", "url": "https://intranet.example/ar"})
        checker = UpdateChecker(WindowContext(jobs, window, lambda: workspace))
        checker.workspace_opened()
        checker.workspace_opened()  # a second workspace in the session: not asked again
        qtbot.waitUntil(lambda: checker.last is not None, timeout=10_000)
        assert "99.1.0 is available" in window.statusBar().currentMessage()
        qtbot.wait(100)
        assert len(server.requests) == 1
    finally:
        qtbot.waitUntil(jobs.is_idle, timeout=10_000)
        workspace.close()
