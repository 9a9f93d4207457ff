"""The update check in the window: once a session, when a workspace first opens, off the UI
thread; a newer version is said in the status bar (services/updates/check.py). With no
``updates.check_url`` set nothing is requested at all."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject

from app.gui.context import GuiContext, WindowContext
from app.workspace import Workspace
from services.updates.check import UpdateCheck

log = logging.getLogger(__name__)
NEWER_SHOWN_MS = 120_000
FAILED_SHOWN_MS = 10_000


def _check(workspace: Workspace) -> UpdateCheck:
    """On a worker: the workspace's setting, then (when set) the request."""
    from services.settings.views import UpdateSettings
    from services.updates.check import check

    with workspace.sessions() as session:
        url = UpdateSettings.read(session).check_url
    return check(url)


class UpdateChecker(QObject):
    """Asks once per session; ``last`` holds the answer (tests, the status bar)."""

    def __init__(self, context: WindowContext) -> None:
        super().__init__(context.window)
        self._jobs = context.jobs
        self._window = context.window
        self._workspace = context.workspace
        self.asked = False
        self.last: UpdateCheck | None = None

    def workspace_opened(self) -> None:
        workspace = self._workspace()
        if self.asked or workspace is None:
            return
        self.asked = True
        (
            self._jobs.operation(
                lambda _state: _check(workspace),
                parent=self._window,
                pool="work",
                key=("update.check", id(self)),
                label="checking for a newer version",
            )
            .success(self._show)
            .run()
        )

    def _show(self, result: UpdateCheck) -> None:
        self.last = result
        if result.status == "newer":
            self._window.statusBar().showMessage(result.message, NEWER_SHOWN_MS)
        elif result.status == "failed":
            log.warning("Update check: %s", result.problem)
            self._window.statusBar().showMessage(result.message, FAILED_SHOWN_MS)


def install(ctx: GuiContext) -> UpdateChecker:
    """Is a newer version out? Asked when the first workspace of the session opens, only
    when IT set an address."""
    checker = UpdateChecker(ctx)
    ctx.workspace_opened.connect(lambda _name: checker.workspace_opened())
    return checker
