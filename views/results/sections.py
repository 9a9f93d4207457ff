"""The Results tab's further sections, each a part of its own, and where each is shown.

The Results tab opens on "Outreach" (the effectiveness report, time to action,
satisfaction and early warning: views/results/pane.py). Each further section below is a
tab of its own beside it (the tab bar shows once there is more than one). A section is a
widget that reads its figures itself, through the job runner, from the Results source
(views/results/source.py, implemented in app/gui/results_source.py), and opens the
customers behind a figure with ``customers_requested``, as the pane's own figures do.

To add a section: write its widget (a subclass of :class:`ResultsSection`) in a module of
its own under views/results/ and add one line to :func:`section_classes`.
"""

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


def section_classes() -> list[type[ResultsSection]]:
    """The further sections, in the order of their tabs."""
    from views.results.experiments import ExperimentsSection

    return [ExperimentsSection]
