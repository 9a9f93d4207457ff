"""The retention report's records (services/retention/report.py computes them): frozen,
so that the window's worker and the command line hand them on as they are."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from services.retention.kpi_records import AcquisitionReport, IncentiveReport

__all__ = [
    "BASES",
    "BREAKDOWNS",
    "COHORT_SIZES",
    "DEFINITIONS",
    "SMALL_GROUP",
    "Member",
    "RetentionGroup",
    "RetentionReport",
]

# What makes a customer active, and what their revenue is (the report's basis).
BASES = ("orders", "subscriptions")
BASIS_LABELS = {"orders": "Repeat purchases", "subscriptions": "Subscriptions"}
# How the report breaks the customers at the start down.
BREAKDOWNS = ("month", "cohort", "segment", "owner")
BREAKDOWN_LABELS = {"month": "Month", "cohort": "Cohort", "segment": "Segment", "owner": "Owner"}
# A cohort is the month or the quarter of a customer's first purchase or subscription.
COHORT_SIZES = ("quarter", "month")
# Below this many customers at the start, a group's rates are shown as not solid yet.
SMALL_GROUP = 20
NO_OWNER = "No owner"
NOT_SCORED = "Not scored"
NO_COHORT = "No first date"

# Each measure in words, once: the report, the command line and the window say these.
DEFINITIONS: tuple[tuple[str, str], ...] = (
    (
        "Active (repeat purchases)",
        "a customer with a paid order in the 12 months before that moment.",
    ),
    (
        "Active (subscriptions)",
        "a customer with a subscription started and not yet ended at that moment.",
    ),
    ("At start", "the customers active when the period starts."),
    ("Retained", "of those, the customers still active when the period ends."),
    ("Churned", "of those, the customers no longer active when the period ends."),
    ("Retention rate", "retained / at start; the churn rate is 1 - the retention rate."),
    (
        "Revenue (repeat purchases)",
        "paid orders in the home currency; the period's revenue of the customers at start "
        "is set against their revenue in the same length of time just before it (for a "
        "year: this year's revenue from last year's customers).",
    ),
    (
        "Revenue (subscriptions)",
        "the recurring amount, turned into a monthly amount, of the customers at start: "
        "at the end of the period against at its start.",
    ),
    (
        "Net revenue retention (NRR)",
        "their revenue now / their revenue before, growth included.",
    ),
    (
        "Gross revenue retention (GRR)",
        "the same with each customer's revenue now capped at their revenue before: "
        "losses and shrinking only, never above 100%.",
    ),
)


class Member(NamedTuple):  # a tuple: the largest workspaces make a million of them
    """One customer at the start of a group's period: kept or not, and their revenue in
    home hundredths before and in the period (see DEFINITIONS)."""

    customer_id: int
    retained: bool
    before_cents: int
    now_cents: int


@dataclass(frozen=True)
class RetentionGroup:
    """The customers at the start of one period (or of one part of it) and what became
    of them."""

    key: str
    label: str
    members: tuple[Member, ...]
    first_day: dt.date
    last_day: dt.date

    @property
    def at_start(self) -> int:
        return len(self.members)

    @property
    def retained(self) -> int:
        return sum(1 for m in self.members if m.retained)

    @property
    def churned(self) -> int:
        return self.at_start - self.retained

    @property
    def small(self) -> bool:
        """Too few customers at the start for its rates to be solid."""
        return self.at_start < SMALL_GROUP

    @property
    def retention_rate(self) -> float | None:
        return self.retained / self.at_start if self.members else None

    @property
    def churn_rate(self) -> float | None:
        rate = self.retention_rate
        return None if rate is None else 1.0 - rate

    @property
    def revenue_before_cents(self) -> int:
        return sum(m.before_cents for m in self.members)

    @property
    def revenue_now_cents(self) -> int:
        return sum(m.now_cents for m in self.members)

    @property
    def revenue_kept_cents(self) -> int:
        """The period's revenue with each customer capped at their revenue before."""
        return sum(min(m.now_cents, m.before_cents) for m in self.members)

    @property
    def grr(self) -> float | None:
        before = self.revenue_before_cents
        return self.revenue_kept_cents / before if before > 0 else None

    @property
    def nrr(self) -> float | None:
        before = self.revenue_before_cents
        return self.revenue_now_cents / before if before > 0 else None

    def customer_ids(self, which: str = "at_start") -> tuple[int, ...]:
        """The customers behind a figure: at_start, retained or churned."""
        if which == "retained":
            return tuple(m.customer_id for m in self.members if m.retained)
        if which == "churned":
            return tuple(m.customer_id for m in self.members if not m.retained)
        return tuple(m.customer_id for m in self.members)


@dataclass(frozen=True)
class RetentionReport:
    """Retention over a run of whole months: the whole period, each month, and the whole
    period's customers at start by cohort, segment and owner."""

    basis: str
    cohort_size: str
    first_day: dt.date
    last_day: dt.date  # included
    currency: str
    overall: RetentionGroup
    months: tuple[RetentionGroup, ...]
    by_cohort: tuple[RetentionGroup, ...]
    by_segment: tuple[RetentionGroup, ...]
    by_owner: tuple[RetentionGroup, ...]
    segments_as_of: dt.date | None  # the scoring whose segments are used
    has_orders: bool
    has_subscriptions: bool
    money_note: str | None = None  # amounts left out for want of an exchange rate
    as_of: dt.date | None = None  # the day it was read: a period ending later is to date
    # The first and last day with orders (or subscriptions; last None: one still runs).
    data_span: tuple[dt.date, dt.date | None] | None = None
    names: Mapping[int, str] = field(default_factory=dict)
    # The cost figures (services/retention/kpis.py): None when there is nothing to count.
    incentives: IncentiveReport | None = None
    acquisition: AcquisitionReport | None = None

    def breakdown(self, by: str) -> tuple[RetentionGroup, ...]:
        """The groups of one of BREAKDOWNS."""
        return {
            "month": self.months,
            "cohort": self.by_cohort,
            "segment": self.by_segment,
            "owner": self.by_owner,
        }[by]

    @property
    def segments_note(self) -> str:
        """Which scoring's segments the segment breakdown uses, in words."""
        if self.segments_as_of is None:
            return "Not scored yet: every customer is counted as Not scored."
        when = f"{self.segments_as_of:%b} {self.segments_as_of.day}, {self.segments_as_of.year}"
        if self.segments_as_of > self.first_day:
            return (
                f"Segments of the scoring of {when}, after the period started (none is older): "
                "a customer lost during the period may already show as Lost."
            )
        return f"Segments of the scoring of {when}, at the period's start."

    @property
    def revenue_note(self) -> str:
        """How to read the monthly revenue retention of this basis."""
        if self.basis == "orders":
            return (
                "Month by month, revenue retention on repeat purchases swings with when "
                "customers happen to buy: read the whole period's."
            )
        return "Subscription revenue: the monthly recurring amount at the end against the start."

    @property
    def has_data(self) -> bool:
        """The basis has anything to count (orders or subscriptions)."""
        return self.has_orders if self.basis == "orders" else self.has_subscriptions
