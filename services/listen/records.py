"""What the Listen report holds (services/listen/report.py), for the views: plain data,
no database."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class MonthSentiment:
    """One local month of tickets and reviews with a sentiment: how many, their mean,
    the negative and positive shares, and who wrote the negative ones."""

    month: str  # YYYY-MM
    texts: int
    mean: float
    negative_share: float
    positive_share: float = 0.0
    negative_customer_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Quote:
    """An example of a reason, as the customer wrote it (data, never instructions)."""

    interaction_id: int
    customer_id: int
    day: dt.date
    kind: str
    words: str


@dataclass
class ReasonSummary:
    """One reason over the period: its texts, customers, breakdowns, quotes and spike."""

    label: str
    terms: tuple[str, ...]
    texts: int = 0
    customer_ids: set[int] = field(default_factory=set)
    by_month: Counter[str] = field(default_factory=Counter)
    by_kind: Counter[str] = field(default_factory=Counter)
    by_channel: Counter[str] = field(default_factory=Counter)
    quotes: list[Quote] = field(default_factory=list)
    last_30: int = 0
    before_monthly: float = 0.0
    spike: bool = False


@dataclass(frozen=True)
class ListenReport:
    """The period's sentiment trend and reasons, most texts first."""

    since: dt.date
    until: dt.date
    trend: list[MonthSentiment]
    reasons: list[ReasonSummary]
    negative_texts: int
