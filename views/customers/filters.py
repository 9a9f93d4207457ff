"""Which customers the Customers table shows: a filter the table applies, a saved view
keeps, and the dashboard sends when one of its figures is clicked.

Every field narrows the list; an empty or None field does not. Ranges are half-open,
``[low, high)``, except that a ``high`` of 1.0 (churn risk) or 100 (scores) includes the
top value, so the bars of a histogram split the customers without overlap or gap.
"""

from __future__ import annotations

from dataclasses import dataclass

Range = tuple[float, float]


@dataclass(frozen=True)
class CustomerFilter:
    """A filter over the customers table."""

    segments: frozenset[str] = frozenset()  # only these segments
    exclude_segments: frozenset[str] = frozenset()  # not these (e.g. Lost)
    owner: str | None = None  # one owner's book ("" for customers without an owner)
    churn_risk: Range | None = None  # 0..1
    health: Range | None = None  # 0..100
    engagement: Range | None = None  # 0..100
    unscored: bool = False  # only customers the latest scoring did not score
    do_not_contact: bool | None = None  # True: only them; False: leave them out
    # What the list is, in words, shown above the table ("Customers at risk: churn risk
    # 60% or more, not counting Lost"); empty for a filter the user built.
    title: str = ""
    # Sort the table by this column key, biggest first (None: keep the user's sort).
    sort_by: str | None = None

    @property
    def is_empty(self) -> bool:
        """True when the filter keeps every customer."""
        return self == CustomerFilter(title=self.title, sort_by=self.sort_by)
