"""What a screen contributes to the main window: its tab and its View menu entries.

Each of the window's six tabs (Alerts, Customers, Dashboard, My work, Results, Ask) is a
``Screen``: its page (the pane itself, or an empty page that the pane is built into when
the tab is first shown), its title, its View ▸ entry with Ctrl+<position>, and any
further menu entries it adds once it has its place (Ask's View ▸ Ask a question). The
window lists its screens in tab order and ``add_screens`` gives each its place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QTabWidget, QWidget

if TYPE_CHECKING:
    from views.shell.window_menus import WindowMenus


@dataclass(frozen=True)
class Screen:
    """A tab of the window.

    ``title``: the tab's; ``menu_label``: its View ▸ entry (with its mnemonic);
    ``shortcut``: that entry's key; ``page``: the widget the tab holds; ``add_actions``:
    called with the window and its menus once the tab is placed, for further entries.
    """

    title: str
    menu_label: str
    shortcut: str
    page: QWidget
    add_actions: Callable[[QWidget, WindowMenus], None] | None = None


def add_screens(
    window: QWidget, tabs: QTabWidget, menus: WindowMenus, screens: Sequence[Screen]
) -> None:
    """Add each screen's tab to ``tabs`` and its entries to the View menu, in order."""
    for screen in screens:
        index = tabs.addTab(screen.page, screen.title)
        menus.add_tab_action(
            window, screen.menu_label, index, tabs.setCurrentIndex, screen.shortcut
        )
        if screen.add_actions is not None:
            screen.add_actions(window, menus)
