"""The Results tab in the main window: the pane, its place after My work with View ▸
Results (Ctrl+5), its theme, and its customer lists opened in the Customers tab the way
the dashboard's are. Kept out of views/shell/main_window.py, which only calls ``install``.

The pane (its sections and their pyqtgraph charts) is built when the tab is first shown,
not on the way to the window's first paint (issue 41): until then the tab holds an empty
page, and :class:`ResultsTab` keeps the workspace to hand over.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from views.item_models.customer_filters import CustomerFilter

if TYPE_CHECKING:
    from views.kit.jobs import JobRunner
    from views.kit.theme import ThemeManager
    from views.results.pane import ResultsPane
    from views.results.source import ResultsSource
    from views.shell.window_menus import WindowMenus

TAB_TITLE = "Results"


class _Page(QWidget):
    """The tab's page: empty until the pane is built into it."""

    settings_requested = Signal(str)  # a section asked for a Settings page


class ResultsTab:
    """The Results tab, its pane built on first show (or first use, as by a test).

    Not a QObject: every attribute it lacks is the pane's (``findChild`` included).
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
        self._tabs = tabs
        self._theme_manager = theme_manager
        self._open_customers = open_customers
        self._jobs = jobs
        self._source: ResultsSource | None = None
        self._pane: ResultsPane | None = None
        self.page = _Page(window)
        self.page.setObjectName("resultsPage")
        self.settings_requested = self.page.settings_requested
        self._layout = QVBoxLayout(self.page)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.index = tabs.addTab(self.page, TAB_TITLE)
        tabs.currentChanged.connect(self._on_tabs_current_changed)

    @property
    def built(self) -> bool:
        return self._pane is not None

    @property
    def pane(self) -> ResultsPane:
        """The pane, built now if it was not yet."""
        if self._pane is None:
            self._pane = self._build()
        return self._pane

    def _build(self) -> ResultsPane:
        from views.results.pane import ResultsPane

        pane = ResultsPane(self._jobs, self.page)
        # A figure's customers open in the Customers tab, exactly as the dashboard's.
        pane.customers_requested.connect(self._open_customers)
        for section in pane.sections:
            signal = getattr(section, "settings_requested", None)
            if signal is not None:
                signal.connect(self.settings_requested)
        self._theme_manager.theme_changed.connect(pane.set_theme)
        pane.set_theme(self._theme_manager.theme)
        pane.set_source(self._source)
        self._layout.addWidget(pane)
        return pane

    def _on_tabs_current_changed(self, index: int) -> None:
        if index == self.index and self._pane is None:
            self.pane.show()

    def set_source(self, source: ResultsSource | None) -> None:
        """The workspace changed (None: none open); handed to the pane once built."""
        self._source = source
        if self._pane is not None:
            self._pane.set_source(source)

    def mark_stale(self) -> None:
        """The figures may have changed; a pane not built yet reads them when built."""
        if self._pane is not None:
            self._pane.mark_stale()

    def __getattr__(self, name: str) -> Any:
        # Everything else is the pane's (its figures, sections, state): built on first use.
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.pane, name)


def install(
    window: QWidget,
    tabs: QTabWidget,
    menus: WindowMenus,
    theme_manager: ThemeManager,
    open_customers: Callable[[CustomerFilter], None],
    jobs: JobRunner,
) -> ResultsTab:
    """Add the Results tab to the window's ``tabs`` and connect it; returns the tab."""
    tab = ResultsTab(window, tabs, theme_manager, open_customers, jobs)
    menus.add_tab_action(window, "&Results", tab.index, tabs.setCurrentIndex)
    return tab
