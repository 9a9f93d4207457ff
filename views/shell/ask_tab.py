"""The Ask tab in the main window: the pane after Results with View ▸ Ask (Ctrl+6),
View ▸ Ask a question (Ctrl+K: the tab, the cursor in the question box), its theme, and
its customer links opened in the Customers tab. Kept out of views/shell/main_window.py, which
only calls ``install``; app/ hands the pane its source and connects ``draft_requested``
to the composer."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QTabWidget, QWidget

from views.ask.pane import AskPane

if TYPE_CHECKING:
    from views.kit.jobs import JobRunner
    from views.kit.theme import ThemeManager
    from views.shell.window_menus import WindowMenus

TAB_TITLE = "Ask"
FOCUS_SHORTCUT = "Ctrl+K"


def install(
    window: QWidget,
    tabs: QTabWidget,
    menus: WindowMenus,
    theme_manager: ThemeManager,
    open_customer: Callable[[int], None],
    jobs: JobRunner,
) -> AskPane:
    """Add the Ask tab to the window's ``tabs`` and connect it; returns the pane. A
    customer link in an answer calls ``open_customer`` (the window's Customers tab)."""
    pane = AskPane(jobs, window)
    index = tabs.addTab(pane, TAB_TITLE)
    menus.add_tab_action(window, "As&k", index, tabs.setCurrentIndex)

    def focus_question() -> None:
        tabs.setCurrentIndex(index)
        pane.focus_question()

    focus = QAction("Ask a &question", window)
    focus.setShortcut(QKeySequence(FOCUS_SHORTCUT))
    focus.setToolTip("The Ask tab, the cursor in its question box")
    focus.triggered.connect(focus_question)
    menus.view_menu.insertAction(menus.tabs_separator, focus)
    pane.focus_action = focus
    pane.customer_requested.connect(open_customer)
    theme_manager.theme_changed.connect(pane.set_theme)
    pane.set_theme(theme_manager.theme)
    return pane
