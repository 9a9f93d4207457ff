"""The Results tab in the main window: the pane, its place after My work with View ▸
Results (Ctrl+5), its theme, and its customer lists opened in the Customers tab the way
the dashboard's are. Kept out of views/shell/main_window.py, which only lists its
``screen`` among the window's tabs.

The pane (its sections and their pyqtgraph charts) is built when the tab is first shown,
not on the way to the window's first paint: until then the tab holds an empty
page, and :class:`ResultsTab` keeps the workspace to hand over.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QWidget

from views.item_models.customer_filters import CustomerFilter
from views.shell.lazy_tab import LazyTab
from views.shell.tab_screen import Screen

if TYPE_CHECKING:
    from views.kit.jobs import JobRunner
    from views.kit.theme import ThemeManager
    from views.results.pane import ResultsPane

TAB_TITLE = "Results"


class _Page(QWidget):
    """The tab's page: empty until the pane is built into it."""

    settings_requested = Signal(str)  # a section asked for a Settings page
    review_pack_requested = Signal()  # Review pack… (the book's or a segment's)


class ResultsTab(LazyTab["ResultsPane"]):
    """The Results tab, its pane built on first show (or first use, as by a test).

    ``settings_requested(str)``: a section asked for a Settings page (Return's "Costs…").
    """

    def __init__(
        self,
        window: QWidget,
        tabs: QTabWidget,
        theme_manager: ThemeManager,
        open_customers: Callable[[CustomerFilter], None],
        jobs: JobRunner,
    ) -> None:
        page = _Page(window)
        page.setObjectName("resultsPage")
        super().__init__(page, tabs, TAB_TITLE, theme_manager, jobs)
        self._open_customers = open_customers
        self.settings_requested = page.settings_requested
        self.review_pack_requested = page.review_pack_requested

    def _build(self) -> ResultsPane:
        from views.results.pane import ResultsPane

        pane = ResultsPane(self._jobs, self.page)
        # A figure's customers open in the Customers tab, exactly as the dashboard's.
        pane.customers_requested.connect(self._open_customers)
        pane.review_pack_requested.connect(self.review_pack_requested)
        for section in pane.sections:
            signal = getattr(section, "settings_requested", None)
            if signal is not None:
                signal.connect(self.settings_requested)
        self._theme_manager.theme_changed.connect(pane.set_theme)
        pane.set_theme(self._theme_manager.theme)
        pane.set_source(self._source)
        self._layout.addWidget(pane)
        return pane

    @property
    def screen(self) -> Screen:
        """Its tab after My work, with View ▸ Results (Ctrl+5)."""
        return Screen(TAB_TITLE, "&Results", "Ctrl+5", self.page)

    def mark_stale(self) -> None:
        """The figures may have changed; a pane not built yet reads them when built."""
        if self._pane is not None:
            self._pane.mark_stale()
