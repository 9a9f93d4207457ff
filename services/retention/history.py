"""Each customer's history as retention reads it: the dates and home-currency amounts of
their paid orders, or their subscriptions' spans and monthly amounts, with the questions
the report asks of them (active at a moment, revenue over a span)."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache

__all__ = ["OrderHistory", "Period", "SubscriptionHistory", "add_months", "month_start"]

# A subscription's amount per interval, as a monthly amount.
PER_MONTH = {"month": 1.0, "year": 1 / 12, "week": 52 / 12, "day": 365 / 12}
# Statuses of a subscription that has ended (its end: canceled_at, else the period end).
ENDED = frozenset({"canceled", "cancelled", "ended", "expired", "incomplete_expired"})


def month_start(day: dt.date) -> dt.date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


@lru_cache(maxsize=256)  # a report asks it of a few dates, once per customer
def year_before(day: dt.date) -> dt.date:
    """The same date a year earlier (Feb 29: Feb 28)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after ``day``'s (before, when negative)."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """A period's moments: its first day and the day after its last (``end``), the start
    of the same length of time before it, and the year before each moment."""

    first: dt.date
    end: dt.date
    before: dt.date
    first_since: dt.date
    end_since: dt.date

    @classmethod
    def of(cls, first: dt.date, end: dt.date) -> Period:
        months = (end.year - first.year) * 12 + end.month - first.month
        return cls(first, end, add_months(first, -months), year_before(first), year_before(end))


@dataclass
class OrderHistory:
    """One customer's paid orders by local date, oldest first; ``cents`` in home hundredths
    (0 for an order with no exchange rate: it counts as a purchase, not as money)."""

    days: list[dt.date] = field(default_factory=list)
    cents: list[int] = field(default_factory=list)
    _sums: list[int] | None = None

    def add(self, day: dt.date, cents: int) -> None:
        self.days.append(day)
        self.cents.append(cents)

    def sort(self) -> None:
        pairs = sorted(zip(self.days, self.cents, strict=True))
        self.days = [d for d, _ in pairs]
        self.cents = [c for _, c in pairs]
        sums = [0]
        for cents in self.cents:
            sums.append(sums[-1] + cents)
        self._sums = sums

    def active(self, moment: dt.date) -> bool:
        """A paid order in the 12 months before ``moment``."""
        lo = bisect_left(self.days, year_before(moment))
        return lo < bisect_left(self.days, moment)

    def revenue(self, first: dt.date, end: dt.date) -> int:
        """Paid revenue from ``first`` up to ``end`` (not included)."""
        sums = self._sums or [0]
        return sums[bisect_left(self.days, end)] - sums[bisect_left(self.days, first)]

    def figures(self, period: Period) -> tuple[bool, int, int] | None:
        """None when not active at the period's start; else whether still active at its
        end, the revenue in the same length of time before it and in it (the report asks
        this of every customer and month: three bisections, no more)."""
        days, sums = self.days, self._sums or [0]
        at_first = bisect_left(days, period.first)
        if not at_first or days[at_first - 1] < period.first_since:
            return None
        at_end = bisect_left(days, period.end)
        kept = at_end > 0 and days[at_end - 1] >= period.end_since
        then = sums[at_first] - sums[bisect_left(days, period.before)]
        return kept, then, sums[at_end] - sums[at_first]


@dataclass(frozen=True)
class Span:
    """One subscription: from its start's date up to its end's (None: still running)."""

    first: dt.date
    end: dt.date | None
    monthly_cents: int

    def covers(self, moment: dt.date) -> bool:
        return self.first <= moment and (self.end is None or self.end > moment)


@dataclass
class SubscriptionHistory:
    """One customer's subscriptions."""

    spans: list[Span] = field(default_factory=list)

    def active(self, moment: dt.date) -> bool:
        """A subscription started on or before ``moment`` and not ended by it."""
        return any(s.covers(moment) for s in self.spans)

    def monthly(self, moment: dt.date) -> int:
        """The monthly recurring amount of the subscriptions active at ``moment``."""
        return sum(s.monthly_cents for s in self.spans if s.covers(moment))

    @property
    def first(self) -> dt.date | None:
        return min((s.first for s in self.spans), default=None)

    def figures(self, period: Period) -> tuple[bool, int, int] | None:
        """None when not active at the period's start; else whether still active at its
        end, and the monthly amount at its start and at its end."""
        if not self.active(period.first):
            return None
        return self.active(period.end), self.monthly(period.first), self.monthly(period.end)


def subscription_end(
    status: str | None,
    canceled: dt.date | None,
    period_end: dt.date | None,
    at_period_end: bool,
) -> dt.date | None:
    """When a subscription stops: at its period's end when it cancels then, else when it
    was cancelled, else at the period's end of an ended one; None while it runs."""
    if at_period_end and period_end is not None:
        return period_end
    if canceled is not None:
        return canceled
    if (status or "").lower() in ENDED:
        return period_end
    return None


def monthly_cents(amount: int | None, interval: str | None) -> float:
    """An amount per ``interval`` as an amount per month (no interval: a month)."""
    return float(amount or 0) * PER_MONTH.get((interval or "month").lower(), 1.0)
