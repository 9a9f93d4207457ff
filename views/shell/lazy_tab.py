"""A window tab whose pane is built when the tab is first shown (or first used), not on
the way to the window's first paint: until then the tab holds an empty page,
and the tab keeps the workspace's source to hand over. Results and Ask are such tabs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from views.kit.jobs import JobRunner
    from views.kit.theme import ThemeManager


class _Pane(Protocol):
    def set_source(self, source: Any) -> None: ...
    def show(self) -> None: ...


PaneT = TypeVar("PaneT", bound=_Pane)


class LazyTab(Generic[PaneT]):
    """The tab's page, its place in ``tabs``, and its pane built on first show or use.

    Not a QObject: every attribute it lacks is the pane's (``findChild`` included)."""

    def __init__(
        self,
        page: QWidget,
        tabs: QTabWidget,
        title: str,
        theme_manager: ThemeManager,
        jobs: JobRunner,
    ) -> None:
        self._tabs = tabs
        self._theme_manager = theme_manager
        self._jobs = jobs
        self._source: Any = None
        self._pane: PaneT | None = None
        self.page = page
        self._layout = QVBoxLayout(page)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._loading = QLabel("Loading…", page)
        self._loading.setObjectName("emptyState")
        self._loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._loading.hide()
        self._layout.addWidget(self._loading)
        self.title = title
        # The window adds the page to ``tabs`` (views/shell/tab_screen.py).
        tabs.currentChanged.connect(self._on_tabs_current_changed)

    @property
    def index(self) -> int:
        """The tab's position in the window's tabs."""
        return self._tabs.indexOf(self.page)

    @property
    def built(self) -> bool:
        return self._pane is not None

    @property
    def pane(self) -> PaneT:
        """The pane, built now if it was not yet."""
        if self._pane is None:
            self._loading.hide()
            self._pane = self._build()
        return self._pane

    def _build(self) -> PaneT:
        """Make the pane, put it in the page and hand it the source."""
        raise NotImplementedError

    def _on_tabs_current_changed(self, index: int) -> None:
        if index == self.index and self._pane is None:
            # Built once the switch has painted (a pane of charts takes a few tenths of
            # a second): the tab answers at once, with "Loading…" until then.
            self._loading.show()
            QTimer.singleShot(0, self.page, self._on_shown)

    def _on_shown(self) -> None:
        self._loading.hide()
        if self._tabs.currentIndex() == self.index:
            self.pane.show()  # its first show reads what it shows

    def set_source(self, source: Any) -> None:
        """The workspace changed (None: none open); handed to the pane once built."""
        self._source = source
        if self._pane is not None:
            self._pane.set_source(source)

    def __getattr__(self, name: str) -> Any:
        # Everything else is the pane's: built on first use.
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.pane, name)
