"""The Ask tab in the main window: the pane after Results with View ▸ Ask (Ctrl+6),
View ▸ Ask a question (Ctrl+K: the tab, the cursor in the question box), its theme, and
its customer links opened in the Customers tab. Kept out of views/shell/main_window.py,
which only lists its ``screen`` among the window's tabs; app/ hands the pane its source
and connects ``draft_requested`` to the composer.

The pane is built when the tab is first shown (or first used), not on the way to the
window's first paint: until then the tab holds an empty page, and
:class:`AskTab` keeps the workspace to hand over.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QTabWidget, QWidget

from views.shell.lazy_tab import LazyTab
from views.shell.tab_screen import Screen

if TYPE_CHECKING:
    from views.ask.pane import AskPane
    from views.kit.jobs import JobRunner
    from views.kit.theme import ThemeManager
    from views.shell.window_menus import WindowMenus

TAB_TITLE = "Ask"
FOCUS_SHORTCUT = "Ctrl+K"


class _Page(QWidget):
    """The tab's page: empty until the pane is built into it."""

    draft_requested = Signal(int)  # the pane's, relayed: connected before it is built


class AskTab(LazyTab["AskPane"]):
    """The Ask tab, its pane built on first show (or first use, as by a test).

    ``draft_requested(int)``: open the email composer for this customer.
    """

    def __init__(
        self,
        window: QWidget,
        tabs: QTabWidget,
        theme_manager: ThemeManager,
        open_customer: Callable[[int], None],
        jobs: JobRunner,
    ) -> None:
        page = _Page(window)
        page.setObjectName("askPage")
        super().__init__(page, tabs, TAB_TITLE, theme_manager, jobs)
        self._open_customer = open_customer
        self.focus_action: QAction | None = None
        self.draft_requested = page.draft_requested

    def _build(self) -> AskPane:
        from views.ask.pane import AskPane

        pane = AskPane(self._jobs, self.page)
        pane.focus_action = self.focus_action
        pane.customer_requested.connect(self._open_customer)
        pane.draft_requested.connect(self.draft_requested)
        self._theme_manager.theme_changed.connect(pane.set_theme)
        pane.set_theme(self._theme_manager.theme)
        self._layout.addWidget(pane)
        pane.set_source(self._source)
        return pane

    @property
    def screen(self) -> Screen:
        """Its tab after Results, with View ▸ Ask (Ctrl+6) and View ▸ Ask a question."""
        return Screen(TAB_TITLE, "As&k", "Ctrl+6", self.page, self._add_focus_action)

    def _add_focus_action(self, window: QWidget, menus: WindowMenus) -> None:
        focus = QAction("Ask a &question", window)
        focus.setShortcut(QKeySequence(FOCUS_SHORTCUT))
        focus.setToolTip("The Ask tab, the cursor in its question box")
        focus.triggered.connect(self.focus_question)
        menus.view_menu.insertAction(menus.tabs_separator, focus)
        self.focus_action = focus

    def focus_question(self) -> None:
        """The tab, the cursor in the question box (Ctrl+K)."""
        self._tabs.setCurrentIndex(self.index)
        self.pane.focus_question()

    def reload_provider(self) -> None:
        """Read the provider again; a pane not built yet reads it when built."""
        if self._pane is not None:
            self._pane.reload_provider()
