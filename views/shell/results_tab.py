"""The Results tab in the main window: the pane, its place after My work with View ▸
Results (Ctrl+5), its theme, and its customer lists opened in the Customers tab the way
the dashboard's are. Kept out of views/shell/main_window.py, which only calls ``install``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from views.results.pane import ResultsPane

if TYPE_CHECKING:
    from views.kit.jobs import JobRunner
    from views.shell.main_window import MainWindow

TAB_TITLE = "Results"


def install(window: MainWindow, jobs: JobRunner) -> ResultsPane:
    """Add the Results tab to the window and connect it; returns the pane."""
    pane = ResultsPane(jobs, window)
    index = window.tabs.addTab(pane, TAB_TITLE)
    window.menus.add_tab_action(window, "&Results", index, window.tabs.setCurrentIndex)
    # A figure's customers open in the Customers tab, exactly as the dashboard's.
    pane.customers_requested.connect(window.open_customers)
    window.theme_manager.theme_changed.connect(pane.set_theme)
    pane.set_theme(window.theme_manager.theme)
    return pane
