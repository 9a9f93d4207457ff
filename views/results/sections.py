"""The Results tab's further sections, each a part of its own, and where each is shown.

The Results tab opens on "Outreach" (the effectiveness report, time to action,
satisfaction and early warning: views/results/pane.py). Each further section below is a
tab of its own beside it (the tab bar shows once there is more than one). A section is a
widget that reads its figures itself, through the job runner, from the Results source
(views/results/source.py, implemented in app/gui/results_source.py), and opens the
customers behind a figure with ``customers_requested``, as the pane's own figures do.

To add a section: write its widget (a subclass of :class:`ResultsSection`, imported from
views/results/section_base.py: importing it from here would make an import circle) in a
module of its own under views/results/ and add one line to :func:`section_classes`.
"""

from __future__ import annotations

# The base class lives in section_base.py (a section subclasses it; this module imports
# the sections): re-exported here, where the pane and the sections have always found it.
from views.results.section_base import ResultsSection

__all__ = ["ResultsSection", "section_classes"]


def section_classes() -> list[type[ResultsSection]]:
    """The further sections, in the order of their tabs."""
    from views.results.accuracy import AccuracySection
    from views.results.experiments import ExperimentsSection
    from views.results.renewals import RenewalsSection
    from views.results.replies import RepliesSection
    from views.results.retention import RetentionSection
    from views.results.return_section import ReturnSection
    from views.results.segments import SegmentsSection
    from views.results.stages import StagesSection
    from views.results.support import SupportSection
    from views.results.uplift import UpliftSection

    return [RepliesSection, ReturnSection, SegmentsSection, ExperimentsSection, UpliftSection,
            RetentionSection, SupportSection, RenewalsSection, StagesSection,
            AccuracySection]  # fmt: skip
