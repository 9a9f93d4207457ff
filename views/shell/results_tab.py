"""The Results tab in the main window: the pane, its place after My work with View ▸
Results (Ctrl+5), its theme, and its customer lists opened in the Customers tab the way
the dashboard's are. Kept out of views/shell/main_window.py, which only calls ``install``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QTabWidget, QWidget

from views.item_models.customer_filters import CustomerFilter
from views.results.pane import ResultsPane

if TYPE_CHECKING:
    from views.kit.jobs import JobRunner
    from views.kit.theme import ThemeManager
    from views.shell.window_menus import WindowMenus

TAB_TITLE = "Results"


def install(
    window: QWidget,
    tabs: QTabWidget,
    menus: WindowMenus,
    theme_manager: ThemeManager,
    open_customers: Callable[[CustomerFilter], None],
    jobs: JobRunner,
) -> ResultsPane:
    """Add the Results tab to the window's ``tabs`` and connect it; returns the pane."""
    pane = ResultsPane(jobs, window)
    index = tabs.addTab(pane, TAB_TITLE)
    menus.add_tab_action(window, "&Results", index, tabs.setCurrentIndex)
    # A figure's customers open in the Customers tab, exactly as the dashboard's.
    pane.customers_requested.connect(open_customers)
    theme_manager.theme_changed.connect(pane.set_theme)
    pane.set_theme(theme_manager.theme)
    return pane
