"""The base class of the Results tab's further sections (views/results/sections.py lists
them): in a module of its own, so that a section's module and the list do not import each
other."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from views.kit.theme import LIGHT, Theme

if TYPE_CHECKING:
    from views.kit.jobs import JobRunner
    from views.results.source import ResultsSource


class ResultsSection(QWidget):
    """One section of the Results tab, shown as a tab of its own.

    Signals:
        customers_requested(CustomerFilter): a figure was clicked; the filter holds
            exactly the customers it counts.
    """

    customers_requested = Signal(object)
    TITLE = "Section"  # the tab's caption

    def __init__(self, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self._source: ResultsSource | None = None
        self._theme: Theme = LIGHT

    def set_source(self, source: ResultsSource | None) -> None:
        """The workspace changed (None: no workspace open); read again when next shown."""
        self._source = source

    def reload(self, since: dt.date | None, until: dt.date | None) -> None:
        """Read the figures again: the Results period changed, or the workspace did
        (scoring, an email recorded). Only called while the Results tab is on screen."""

    def set_theme(self, theme: Theme) -> None:
        """Recolour charts and tables."""
        self._theme = theme
