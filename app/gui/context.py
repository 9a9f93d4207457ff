"""What the window's features use of the application, and nothing more.

Each feature of the window (Score now, Settings…, the composer, File ▸ New workspace…...)
has an ``install(ctx)`` in its own module: it builds the feature's controller, adds its
entries to the window and connects its signals. The application (application.py) keeps
the list of features and hands each this context instead of itself: they import nothing
of it, and it imports them.

``WindowContext`` is the part every feature's controller takes (a test builds one from a
job runner, a window and a workspace); ``GuiContext`` adds what the application shares
with its features: its settings, theme, who the user is, its signals, and its ways of
opening and showing a workspace.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QObject, QSettings, SignalInstance

from app.workspace import Workspace
from views.kit.jobs import JobRunner, Operation
from views.kit.theme import ThemeManager
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
class WindowContext:
    """The job runner, the window and the open workspace (``workspace()``: the one open
    now, None before the first)."""

    jobs: JobRunner
    window: MainWindow
    workspace: Callable[[], Workspace | None]


@dataclass(frozen=True)
class GuiContext(WindowContext):
    """The window, the job runner, the error presenter and the open workspace, with the
    application's settings, theme and signals and its ways of opening and showing one.

    ``workspace_opened`` is the application's signal (display name) once a workspace is
    shown; ``settings_saved`` (the keys) once File ▸ Settings… saved some. ``user()`` is
    who acts (File ▸ Who I am…), ``own_address()`` the user's email address,
    ``owner_name()`` who "Mine" and "Assigned to you" mean. ``parent`` owns the
    features' controllers; ``show_progress`` is False when no dialog may show (tests).
    """

    present: Callable[[BaseException], None]
    workspace_opened: SignalInstance
    open_url: OpenUrlFn
    build_demo: BuildDemoFn
    show_workspace: Callable[[Workspace], None]
    settings: QSettings
    theme: ThemeManager
    settings_saved: SignalInstance
    user: Callable[[], str]
    own_address: Callable[[], str | None]
    owner_name: Callable[[], str | None]
    parent: QObject
    show_progress: bool = True
