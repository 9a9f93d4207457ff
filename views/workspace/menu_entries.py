"""The menu entries of this feature, added to the window's menus (views/shell/window_menus.py):
File ▸ New workspace… (Ctrl+Shift+N) above Open workspace…, File ▸ Who I am… beside the
settings, and Help ▸ Getting started (the checklist, shown again)."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow

from views.kit.menus import Menus


class WorkspaceMenuEntries:
    """The actions; app/ connects their ``triggered`` signals."""

    def __init__(self, window: QMainWindow, menus: Menus) -> None:
        self.new_action = QAction("&New workspace…", window)
        self.new_action.setShortcut(QKeySequence("Ctrl+Shift+N"))
        self.new_action.setToolTip("Create an empty workspace for your own data")
        menus.file_menu.insertAction(menus.open_action, self.new_action)
        self.identity_action = QAction("&Who I am…", window)
        self.identity_action.setToolTip(
            "Your name and email: who acted in the history, the sender of your emails, Mine"
        )
        file_actions = menus.file_menu.actions()
        after = file_actions.index(menus.templates_action) + 1
        if after < len(file_actions):
            menus.file_menu.insertAction(file_actions[after], self.identity_action)
        else:
            menus.file_menu.addAction(self.identity_action)
        self.checklist_action = QAction("&Getting started", window)
        self.checklist_action.setToolTip("Show the getting-started checklist of this workspace")
        self.checklist_action.setEnabled(False)
        menus.help_menu.insertAction(menus.shortcuts_action, self.checklist_action)
