"""What each figure of the dashboard opens: the customer filter or alert query that
finds exactly what the figure counts, with a title in words.

"At risk" has one meaning: a churn risk at or above the workspace's threshold, not
counting the customers already Lost (services.alerts.records.NOT_AT_RISK_SEGMENTS).
Histogram bands are services.alerts.records.HISTOGRAM_EDGES and alert ages
ALERT_AGE_BUCKETS, as the service counts them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from services.alerts.records import (
    ALERT_AGE_BUCKETS,
    HISTOGRAM_EDGES,
    NOT_AT_RISK_SEGMENTS,
    SEVERITIES,
    SEVERITY_LABELS,
    STAKE_NAMES,
)
from services.core.formatting import format_percent
from views.item_models.alert_list_data import AlertListData, query_filter
from views.item_models.alert_query import AlertQuery
from views.item_models.customer_filters import CustomerFilter

# Lists of customers open with the most revenue at risk first.
RISK_SORT = "revenue_at_risk"
NOT_COUNTED = " or ".join(sorted(NOT_AT_RISK_SEGMENTS))  # "Lost"
# Every scored customer: the churn risk range holds them all (the top value included).
ALL_SCORED = (0.0, 1.0)
# A band's filter field per histogram (HISTOGRAM_EDGES' names).
_BAND_FIELDS = {
    "churn_risk": "churn_risk",
    "health_score": "health",
    "engagement_score": "engagement",
}


def at_risk_wording(threshold: float) -> str:
    """What "at risk" counts: "churn risk 60% or more, not counting Lost"."""
    return f"churn risk {format_percent(threshold)} or more, not counting {NOT_COUNTED}"


def at_risk_filter(threshold: float) -> CustomerFilter:
    """The customers at risk: the headline's count, most revenue at risk first."""
    return CustomerFilter(
        churn_risk=(threshold, 1.0),
        exclude_segments=frozenset(NOT_AT_RISK_SEGMENTS),
        title=f"Customers at risk: {at_risk_wording(threshold)}",
        sort_by=RISK_SORT,
    )


def scored_filter() -> CustomerFilter:
    """Every customer the latest scoring scored."""
    return CustomerFilter(churn_risk=ALL_SCORED, title="Scored customers", sort_by=RISK_SORT)


def revenue_at_risk_filter() -> CustomerFilter:
    """The customers whose revenue at risk the tile adds up: every scored one."""
    return CustomerFilter(
        churn_risk=ALL_SCORED,
        title=f"{STAKE_NAMES['risk'].capitalize()}: every scored customer, the most first",
        sort_by=RISK_SORT,
    )


def band_filter(score: str, band: int) -> CustomerFilter:
    """The customers of one band of a histogram (``score`` a HISTOGRAM_EDGES name):
    "Customers with health 40-50", "Customers with churn risk 60-70%"."""
    edges = HISTOGRAM_EDGES[score]
    low, high = float(edges[band]), float(edges[band + 1])
    if score == "churn_risk":
        words = f"churn risk {low * 100:.0f}-{high * 100:.0f}%"
    else:
        words = f"{score.removesuffix('_score')} {low:.0f}-{high:.0f}"
    field = _BAND_FIELDS[score]
    return CustomerFilter(
        **{field: (low, high)},  # type: ignore[arg-type]
        title=f"Customers with {words}",
        sort_by=RISK_SORT,
    )


def segment_filter(segment: str) -> CustomerFilter:
    """The scored customers of one segment."""
    return CustomerFilter(
        segments=frozenset({segment}), title=f"Customers in segment {segment}", sort_by=RISK_SORT
    )


def open_alerts_query() -> AlertQuery:
    """Every open alert (open or in progress, the dashboard's "open"): its cards."""
    return AlertQuery(status="active", title="Cards of open alerts")


def severity_query(severity: str) -> AlertQuery:
    """The cards of open alerts whose most urgent alert has one severity: "Warning cards
    of open alerts"."""
    return AlertQuery(
        severities=frozenset({severity}),
        status="active",
        title=f"{SEVERITY_LABELS[severity]} cards of open alerts",
    )


def age_words(first: int, last: int | None) -> str:
    """An age range of ALERT_AGE_BUCKETS in words: "8-30 days ago"."""
    if last is None:
        return f"over {first - 1} days ago"
    if last == 0:
        return "less than a day ago"
    return f"{first}-{last} days ago"


def age_query(bucket: int, severity: str | None) -> AlertQuery:
    """The open alerts of one age bucket (ALERT_AGE_BUCKETS' index), of one severity or
    all, in cards by their most urgent alert: "Critical cards of alerts raised 8-30 days
    ago", "Cards of alerts raised 8-30 days ago"."""
    _label, first, last = ALERT_AGE_BUCKETS[bucket]
    who = f"{SEVERITY_LABELS[severity]} cards" if severity else "Cards"
    return AlertQuery(
        severities=frozenset({severity}) if severity else frozenset(),
        status="active",
        min_age_days=first,
        max_age_days=last,
        title=f"{who} of alerts raised {age_words(first, last)}",
    )


def reason_filter(label: str, customer_ids: frozenset[int], period: str) -> CustomerFilter:
    """The customers whose negative tickets or reviews fall under a learned reason."""
    return CustomerFilter(
        customer_ids=customer_ids,
        title=f"Customers who complained about “{label}”, {period}",
        sort_by=RISK_SORT,
    )


def negative_month_filter(month_words: str, customer_ids: frozenset[int]) -> CustomerFilter:
    """The customers who wrote a month's negative tickets and reviews."""
    return CustomerFilter(
        customer_ids=customer_ids,
        title=f"Customers with negative tickets or reviews in {month_words}",
        sort_by=RISK_SORT,
    )


@dataclass(frozen=True)
class OpenCards:
    """The dashboard's alert figures, in cards (a customer's alerts of one queue, the rows
    of the Alerts tab): each is the number of rows the list its figure opens shows."""

    total: int  # every open card: the tile's figure (open_alerts_query)
    alerts: int  # the open alerts on them
    by_severity: dict[str, int]  # severity_query: cards by their most urgent alert
    # ALERT_AGE_BUCKETS' index -> severity -> cards of the alerts raised in that bucket
    by_age: tuple[dict[str, int], ...]


def open_cards(data: AlertListData) -> OpenCards:
    """Count what every alert figure of the dashboard opens, with the list's own filter
    (query_filter) over the list's own data: a bar says as many cards as its list shows.
    A severity's list is its query's cards of that severity (the chips' narrowing), so
    one grouping per age bucket counts every severity of it."""

    def by_severity(query: AlertQuery) -> dict[str, int]:
        cards = data.cards(query_filter(query), with_severity=False)
        counts = np.bincount(
            cards.severity[cards.severity < len(SEVERITIES)], minlength=len(SEVERITIES)
        )
        return {s: int(counts[i]) for i, s in enumerate(SEVERITIES)}

    every = data.cards(query_filter(open_alerts_query()))
    return OpenCards(
        total=len(every),
        alerts=int(every.count.sum()) if len(every) else 0,
        by_severity=by_severity(open_alerts_query()),
        by_age=tuple(by_severity(age_query(i, None)) for i in range(len(ALERT_AGE_BUCKETS))),
    )
