"""Which customers a filter keeps: the one definition the Customers table applies, a
saved view and a team filter keep, the dashboard sends when one of its figures is
clicked, and a segment rule naming a team filter reads (services/segment_policy).

Every field narrows the list; an empty or None field does not. Ranges are half-open,
``[low, high)``, except that a ``high`` of 1.0 (churn risk) or 100 (scores) includes the
top value, so the bars of a histogram split the customers without overlap or gap.

``filter_mask`` applies a filter to the table's columns (numpy arrays by the keys of
services/usecases/customers.py: "segment", "owner", "churn_risk", "health_score",
"engagement_score", "stage"), whoever read them; a filter is stored as JSON
(``filter_to_json`` / ``filter_from_json``). The search beside a filter is one
definition too (``SEARCH_FIELDS``, ``search_terms``, ``search_haystack``,
``words_match``): every word of the search, anywhere in the account's name (its company,
else its person: services/core/account_names.py), its person, external id, email,
company or owner, without regard to case.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

Range = tuple[float, float]

# The top of each range field: a range ending there includes it.
RANGE_TOPS = {"churn_risk": 1.0, "health": 100.0, "engagement": 100.0}
# The range fields and the columns they read.
RANGE_COLUMNS = {
    "churn_risk": "churn_risk",
    "health": "health_score",
    "engagement": "engagement_score",
}
_NONE = np.array(None, dtype=object)  # compares element-wise with an object array
# The text fields a search looks in (the table's columns of these keys, and "external_id"):
# "name" is the account's name, "person" who stands for it.
SEARCH_FIELDS = ("name", "person", "external_id", "email", "company", "owner")
# Bounds the memory of a search's haystack (4 bytes per character per row).
SEARCH_ROW_CHARS = 160


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
    # Only customers in these lifecycle stages as of the latest scoring (the keys of
    # services/lifecycle/stages.py STAGE_LABELS; "" for customers without a stage).
    stages: frozenset[str] = frozenset()
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


# -- JSON (saved views, team filters) -------------------------------------------------


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
        "stages": sorted(f.stages),
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
        stages=names("stages"),
        customer_ids=customer_ids,
        title=title if isinstance(title, str) else "",
        sort_by=sort_by if isinstance(sort_by, str) else None,
    )


# -- Which rows a filter keeps ---------------------------------------------------------


def filter_mask(
    f: CustomerFilter,
    columns: Mapping[str, np.ndarray],
    ids: np.ndarray,
    do_not_contact: np.ndarray,
) -> np.ndarray | None:
    """The rows of ``columns`` the filter keeps (None: every row), in numpy. ``ids`` are
    the rows' customer ids, ``do_not_contact`` their marks (bool); a column the reader
    has not got (no scores yet, no stages) counts as empty: None or NaN on every row."""
    if f.is_empty:
        return None
    size = len(ids)
    mask = np.ones(size, dtype=bool)

    def text(key: str) -> np.ndarray:
        values = columns.get(key)
        return np.full(size, None, dtype=object) if values is None else values

    if f.segments:
        mask &= _any_of(text("segment"), f.segments)
    if f.exclude_segments:
        mask &= ~_any_of(text("segment"), f.exclude_segments)
    if f.owner is not None:
        mask &= _blank(text("owner")) if not f.owner else text("owner") == f.owner
    if f.stages:
        stages = text("stage")
        keep = _any_of(stages, f.stages - {""})
        mask &= keep | _blank(stages) if "" in f.stages else keep
    ranges: tuple[tuple[str, Range | None], ...] = (
        ("churn_risk", f.churn_risk),
        ("health", f.health),
        ("engagement", f.engagement),
    )
    for field, bounds in ranges:
        if bounds is not None:
            values = columns.get(RANGE_COLUMNS[field])
            if values is None:  # not scored: no value lies in a range
                return np.zeros(size, dtype=bool)
            mask &= in_range(values, bounds, RANGE_TOPS[field])
    if f.unscored:
        risk = columns.get("churn_risk")
        if risk is not None:
            mask &= np.isnan(risk.astype(np.float64))
    if f.do_not_contact is not None:
        mask &= do_not_contact if f.do_not_contact else ~do_not_contact
    if f.customer_ids is not None:
        wanted = np.fromiter(f.customer_ids, dtype=np.int64, count=len(f.customer_ids))
        mask &= np.isin(ids, wanted)
    return mask


def _blank(values: np.ndarray) -> np.ndarray:
    """Which values (an object array) are None or empty text."""
    blank: np.ndarray = np.equal(values, _NONE) | (values == "")
    return blank


def _any_of(values: np.ndarray, names: frozenset[str]) -> np.ndarray:
    """Which values (an object array with None) are one of the names: one element-wise
    comparison per name (np.isin would sort, and None does not sort with text)."""
    mask = np.zeros(len(values), dtype=bool)
    for name in names:
        mask |= values == name
    return mask


# -- The search ------------------------------------------------------------------------


def search_terms(query: str) -> list[str]:
    """The words of a search, lower-case (an empty list: the search keeps everyone)."""
    return [t for t in query.lower().replace("\x1f", " ").split() if t]


def search_row(values: Iterable[object]) -> bytes:
    """One customer's search fields (in ``SEARCH_FIELDS`` order) as one lower-case UTF-8
    row, the fields apart, cut at ``SEARCH_ROW_CHARS``."""
    joined = "\x1f".join(v if isinstance(v, str) else "" for v in values)
    return joined.lower()[:SEARCH_ROW_CHARS].encode()


def search_haystack(fields: Sequence[np.ndarray]) -> np.ndarray:
    """The rows of ``search_row`` for columns of the ``SEARCH_FIELDS`` as fixed-width
    bytes: ``np.strings.find`` then runs in C over the whole column (UTF-8 bytes, not str:
    a quarter of the memory, and a UTF-8 substring match is a text match)."""
    rows = [search_row(values) for values in zip(*fields, strict=True)]
    return np.array(rows, dtype=bytes) if rows else np.array([], dtype="S1")


def words_match(haystack: np.ndarray, terms: Sequence[str]) -> np.ndarray:
    """Which rows of a haystack hold every one of the ``terms`` (``search_terms``)."""
    keep = np.ones(len(haystack), dtype=bool)
    for term in terms:
        keep &= np.strings.find(haystack, term.encode()) >= 0
    return keep


def search_mask(columns: Mapping[str, np.ndarray], query: str) -> np.ndarray | None:
    """The rows of ``columns`` (holding the ``SEARCH_FIELDS``) a search keeps; None for an
    empty search (every row)."""
    terms = search_terms(query)
    if not terms:
        return None
    return words_match(search_haystack([columns[f] for f in SEARCH_FIELDS]), terms)
