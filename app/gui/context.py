"""What the workspace controllers use of the application, and nothing more.

The controllers of File ▸ New workspace… and Who I am… (workspace_controller.py), File ▸
Open shared workspace… (shared_workspace_controller.py) and Take offline… / Sync back
(offline_controller.py) open and show workspaces, run work on the job runner and speak in
the window. The application (application.py) builds them and hands each this context
instead of itself: they import nothing of it, and it imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import SignalInstance

from app.workspace import Workspace
from views.kit.jobs import JobRunner, Operation
from views.shell.main_window import MainWindow


class OpenUrlFn(Protocol):
    """Open the workspace at ``url`` on the database worker and show it (``opener``: how
    to open it, e.g. create it; ``startup``: a failure asks what now)."""

    def __call__(
        self,
        url: str,
        *,
        startup: bool = False,
        opener: Callable[[], Workspace] | None = None,
    ) -> Operation[Workspace]: ...


class BuildDemoFn(Protocol):
    """Build a demo workspace at ``url`` with a progress dialog, then open it."""

    def __call__(
        self, url: str, *, customers: int = ..., startup: bool = False
    ) -> Operation[None]: ...


@dataclass(frozen=True)
class GuiContext:
    """The window, the job runner, the error presenter and the open workspace, with the
    application's ways of opening and showing one.

    ``workspace()`` is the workspace open now (None before the first); ``workspace_opened``
    the application's signal (display name) once one is shown.
    """

    window: MainWindow
    jobs: JobRunner
    present: Callable[[BaseException], None]
    workspace: Callable[[], Workspace | None]
    workspace_opened: SignalInstance
    open_url: OpenUrlFn
    build_demo: BuildDemoFn
    show_workspace: Callable[[Workspace], None]
