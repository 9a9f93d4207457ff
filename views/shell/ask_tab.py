"""The Ask tab in the main window: the pane after Results with View ▸ Ask (Ctrl+6),
View ▸ Ask a question (Ctrl+K: the tab, the cursor in the question box), its theme, and
its customer links opened in the Customers tab. Kept out of views/shell/main_window.py, which
only calls ``install``; app/ hands the pane its source and connects ``draft_requested``
to the composer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence

from views.ask.pane import AskPane

if TYPE_CHECKING:
    from views.kit.jobs import JobRunner
    from views.shell.main_window import MainWindow

TAB_TITLE = "Ask"
FOCUS_SHORTCUT = "Ctrl+K"


def install(window: MainWindow, jobs: JobRunner) -> AskPane:
    """Add the Ask tab to the window and connect it; returns the pane."""
    pane = AskPane(jobs, window)
    index = window.tabs.addTab(pane, TAB_TITLE)
    window.menus.add_tab_action(window, "As&k", index, window.tabs.setCurrentIndex)

    def focus_question() -> None:
        window.tabs.setCurrentIndex(index)
        pane.focus_question()

    focus = QAction("Ask a &question", window)
    focus.setShortcut(QKeySequence(FOCUS_SHORTCUT))
    focus.setToolTip("The Ask tab, the cursor in its question box")
    focus.triggered.connect(focus_question)
    window.menus.view_menu.insertAction(window.menus.tabs_separator, focus)
    pane.focus_action = focus

    def open_customer(customer_id: int) -> None:
        # As My work opens a task's customer: the Customers tab, the customer selected
        # in the table when it is listed there, else shown in the pane all the same.
        window.tabs.setCurrentIndex(window.tabs.indexOf(window.splitter))
        if not window.customers_pane.select_customer(customer_id):
            window.detail_pane.show_customer(customer_id)

    pane.customer_requested.connect(open_customer)
    window.theme_manager.theme_changed.connect(pane.set_theme)
    pane.set_theme(window.theme_manager.theme)
    return pane
