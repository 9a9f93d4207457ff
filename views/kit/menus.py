"""The window's menus as a feature's menu entries see them: the File and Help menus and
the actions a feature places its own beside. The shell's WindowMenus is one; the
entries of a screen (the workspace's, the team's) name this protocol, never the shell."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu


class Menus(Protocol):
    """The menus a feature adds entries to, and the entries it places them by."""

    file_menu: QMenu
    help_menu: QMenu
    open_action: QAction  # File ▸ Open workspace…
    backup_action: QAction  # File ▸ Back up workspace…
    templates_action: QAction  # File ▸ Email templates…
    shortcuts_action: QAction  # Help ▸ Keyboard shortcuts
