"""Whether a signal has earned the right to raise anything: its measured precision against
the level its rule states.

A conversation's risk kinds (measured on the labelled listening corpus) and the
relationship signals (measured by replaying them on the workspace's history) raise
alerts, enter the digest and feed the churn features only while their measured
precision is at least the rule's stated level, and on enough judged cases for the figure
to mean something (``MIN_JUDGED``). Below either, the signal is *unproven*: it is shown
where it was found, marked so, and raises nothing. Every surface says the figure the same
way, through ``Proof.words``.

Precision here is the share of the signal's findings that were right (a risk sentence a
careful reader labels with that kind; a signal followed by the outcome it warns of).
Beside it, its 95 % Wilson interval, so a reader sees how far the figure can be trusted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MIN_JUDGED = 20  # findings judged before a precision counts at all
_Z = 1.959963984540054  # 95 %


def wilson(hits: int, judged: int) -> tuple[float, float] | None:
    """The 95 % Wilson score interval of ``hits`` in ``judged`` (None when none judged)."""
    if judged <= 0:
        return None
    z2 = _Z * _Z
    centre = (hits + z2 / 2) / (judged + z2)
    half = _Z * math.sqrt(hits * (judged - hits) / judged + z2 / 4) / (judged + z2)
    return max(0.0, centre - half), min(1.0, centre + half)


def percent(value: float) -> str:
    """ "92 %": a share as the app writes it."""
    return f"{round(value * 100):.0f} %"


@dataclass(frozen=True)
class Proof:
    """One signal's measured precision and the level its rule asks for."""

    subject: str  # what is measured, in words: "cancellation", "Champion left"
    hits: int  # findings that were right
    judged: int  # findings judged
    required: float  # the rule's stated precision, 0..1
    where: str  # what it was measured on, in words: "the listening corpus"

    @property
    def precision(self) -> float | None:
        """The measured precision (None when nothing was judged)."""
        return self.hits / self.judged if self.judged > 0 else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson(self.hits, self.judged)

    @property
    def proven(self) -> bool:
        """Measured on enough cases, and at or over the stated level."""
        precision = self.precision
        return (
            precision is not None
            and self.judged >= MIN_JUDGED
            and precision + 1e-12 >= self.required
        )

    def figure(self) -> str:
        """ "precision 94 % (88-97 %, 64 judged)", or "not measured yet"."""
        precision, interval = self.precision, self.interval
        if precision is None or interval is None:
            return "not measured yet"
        low, high = interval
        return (
            f"precision {percent(precision)} ({round(low * 100):.0f}-{percent(high)}, "
            f"{self.judged:,} judged)"
        )

    def words(self) -> str:
        """The figure beside the level, and whether it raises anything, in one sentence."""
        need = percent(self.required)
        if self.proven:
            return f"{self.figure()} on {self.where}; the rule asks for {need}"
        if self.precision is None:
            why = "nothing judged yet"
        elif self.judged < MIN_JUDGED:
            why = f"only {self.judged:,} judged, {MIN_JUDGED} needed"
        else:
            why = f"below the {need} the rule asks for"
        return f"unproven: {self.figure()} on {self.where}, {why}; it raises nothing"
