"""File ▸ Open recent: the workspace files this person opened before (services/core/recent
.py keeps them, most recent first), a missing one greyed with a way to take it off the
list. Each workspace the window shows is put at the top; the next launch reopens it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject

from app.gui.context import GuiContext
from app.workspace import to_url
from models.db import sqlite_path
from services.core.recent import forget_workspaces, recent_workspaces, remember_workspace


class RecentWorkspaces(QObject):
    """Keeps the list and the menu; the window's workspace is never listed in it."""

    def __init__(self, context: GuiContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._context = context
        context.workspace_opened.connect(self._on_workspace_opened)
        self.refresh()

    def _current(self) -> str | None:
        workspace = self._context.workspace()
        path = sqlite_path(workspace.url) if workspace is not None else None
        return str(Path(path).resolve()) if path else None

    def _on_workspace_opened(self, _name: str) -> None:
        current = self._current()
        if current is not None:
            remember_workspace(current)
        self.refresh()

    def refresh(self) -> None:
        """The menu from the list: every file but the one open now."""
        current = self._current()
        entries = [(p, Path(p).is_file()) for p in recent_workspaces() if p != current]
        self._context.window.menus.set_recent(entries, self.open, self.forget_missing)

    def open(self, path: str) -> None:
        self._context.open_url(to_url(path))

    def forget_missing(self) -> None:
        forget_workspaces([p for p in recent_workspaces() if not Path(p).is_file()])
        self.refresh()


def install(ctx: GuiContext) -> RecentWorkspaces:
    """File ▸ Open recent."""
    return RecentWorkspaces(ctx, parent=ctx.parent)
