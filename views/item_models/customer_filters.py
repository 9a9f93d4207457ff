"""Which customers the Customers table shows: a filter the table applies, a saved view
keeps, and the dashboard sends when one of its figures is clicked.

Every field narrows the list; an empty or None field does not. Ranges are half-open,
``[low, high)``, except that a ``high`` of 1.0 (churn risk) or 100 (scores) includes the
top value, so the bars of a histogram split the customers without overlap or gap.

The bands the filter bar offers (``RISK_BANDS``, ``HEALTH_BANDS``) are such ranges; a
saved view stores a filter as JSON (``filter_to_json`` / ``filter_from_json``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from services.alerts.risk_bands import RISK_BANDS as CHURN_RISK_BANDS
from services.alerts.risk_bands import RISK_HIGH_FROM, RISK_MEDIUM_FROM

Range = tuple[float, float]

# The top of each range field: a range ending there includes it.
RANGE_TOPS = {"churn_risk": 1.0, "health": 100.0, "engagement": 100.0}
# Churn risk shown as high from 60% (the critical tone in the table) and as medium from 30%:
# the bands of services.alerts.risk_bands, which Learn's holdout draws within too.
RISK_HIGH = RISK_HIGH_FROM
RISK_MEDIUM = RISK_MEDIUM_FROM


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
    # Only these customers (a figure's own customers, e.g. a bar of Results); None: any.
    customer_ids: frozenset[int] | None = None
    # What the list is, in words, shown above the table ("Customers at risk: churn risk
    # 60% or more, not counting Lost"); empty for a filter the user built.
    title: str = ""
    # Sort the table by this column key, biggest first (None: keep the user's sort).
    sort_by: str | None = None

    @property
    def is_empty(self) -> bool:
        """True when the filter keeps every customer."""
        return self == CustomerFilter(title=self.title, sort_by=self.sort_by)

    @property
    def conditions(self) -> CustomerFilter:
        """The same filter without its title and sort (what narrows the list)."""
        return replace(self, title="", sort_by=None)


@dataclass(frozen=True)
class Band:
    """A named range the filter bar offers (``key`` is stable, ``label`` is shown)."""

    key: str
    label: str
    short: str  # on the filter button: "Risk: high"
    range: Range


RISK_BANDS: tuple[Band, ...] = tuple(
    Band(band.key, band.label, band.key, band.range) for band in CHURN_RISK_BANDS
)
HEALTH_BANDS: tuple[Band, ...] = (
    Band("poor", "Poor (under 40)", "poor", (0.0, 40.0)),
    Band("fair", "Fair (40 to 70)", "fair", (40.0, 70.0)),
    Band("good", "Good (70 or more)", "good", (70.0, 100.0)),
)


def in_range(values: Any, bounds: Range, top: float) -> Any:
    """Which values lie in ``[low, high)`` (``[low, high]`` when high is the top);
    works on numpy arrays and floats alike, NaN never matches."""
    low, high = bounds
    if high >= top:
        return (values >= low) & (values <= high)
    return (values >= low) & (values < high)


def describe_range(field: str, bounds: Range) -> str:
    """A range in words for a button or a title: "60% to 70%", "70 or more"."""
    low, high = bounds
    percent = field == "churn_risk"

    def fmt(value: float) -> str:
        return f"{value * 100:.0f}%" if percent else f"{value:.0f}"

    if high >= RANGE_TOPS[field]:
        return f"{fmt(low)} or more"
    if low <= 0:
        return f"under {fmt(high)}"
    return f"{fmt(low)} to {fmt(high)}"


# -- JSON (saved views) ---------------------------------------------------------------


def filter_to_json(f: CustomerFilter) -> dict[str, Any]:
    """The filter as plain JSON values (sets as sorted lists)."""
    return {
        "segments": sorted(f.segments),
        "exclude_segments": sorted(f.exclude_segments),
        "owner": f.owner,
        "churn_risk": list(f.churn_risk) if f.churn_risk is not None else None,
        "health": list(f.health) if f.health is not None else None,
        "engagement": list(f.engagement) if f.engagement is not None else None,
        "unscored": f.unscored,
        "do_not_contact": f.do_not_contact,
        "customer_ids": sorted(f.customer_ids) if f.customer_ids is not None else None,
        "title": f.title,
        "sort_by": f.sort_by,
    }


def filter_from_json(data: object) -> CustomerFilter:
    """A filter from ``filter_to_json``'s shape; anything malformed is left out (an
    unknown segment or owner is kept: it simply matches no customer)."""
    if not isinstance(data, dict):
        return CustomerFilter()

    def names(key: str) -> frozenset[str]:
        value = data.get(key)
        if not isinstance(value, list):
            return frozenset()
        return frozenset(v for v in value if isinstance(v, str))

    def bounds(key: str) -> Range | None:
        value = data.get(key)
        if not isinstance(value, list) or len(value) != 2:
            return None
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
            return None
        low, high = float(value[0]), float(value[1])
        if math.isnan(low) or math.isnan(high) or low > high:
            return None
        return (low, high)

    owner = data.get("owner")
    dnc = data.get("do_not_contact")
    ids = data.get("customer_ids")
    customer_ids = (
        frozenset(v for v in ids if isinstance(v, int) and not isinstance(v, bool))
        if isinstance(ids, list)
        else None
    )
    sort_by = data.get("sort_by")
    title = data.get("title")
    return CustomerFilter(
        segments=names("segments"),
        exclude_segments=names("exclude_segments"),
        owner=owner if isinstance(owner, str) else None,
        churn_risk=bounds("churn_risk"),
        health=bounds("health"),
        engagement=bounds("engagement"),
        unscored=data.get("unscored") is True,
        do_not_contact=dnc if isinstance(dnc, bool) else None,
        customer_ids=customer_ids,
        title=title if isinstance(title, str) else "",
        sort_by=sort_by if isinstance(sort_by, str) else None,
    )
