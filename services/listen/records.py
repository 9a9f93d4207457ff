"""What the Listen report (services/listen/report.py) and the digest
(services/listen/digest.py) hold, for the views: plain data, no database."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from services.core.formatting import format_date


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


@dataclass(frozen=True)
class DigestLine:
    """One line: what it says, how many, and what a click opens."""

    key: str
    text: str
    count: int
    customer_ids: frozenset[int] = frozenset()
    opens: str = "customers"  # "customers", "my_work" or "notice" (a warning: opens nothing)
    examples: tuple[str, ...] = ()  # customers' own words (ticket subjects): data


@dataclass(frozen=True)
class Digest:
    """What changed since the start of ``since`` (a local day) until ``until``.

    ``built_on``: the local day the workspace was built (a demo, or its first import)
    when that was after the start of ``since``: nothing existed then, so the digest
    covers the workspace since it was built, and says so."""

    since: dt.date
    until: dt.datetime
    lines: tuple[DigestLine, ...] = field(default_factory=tuple)
    built_on: dt.date | None = None

    @property
    def quiet(self) -> bool:
        """Nothing happened."""
        return all(line.count == 0 for line in self.lines)

    @property
    def title(self) -> str:
        """'Since Nov 24, 2026', a heading ('Since the workspace was built on Nov 26, 2026')."""
        return self.since_text[:1].upper() + self.since_text[1:]

    @property
    def since_text(self) -> str:
        """'since Nov 24, 2026', within a sentence (the month keeps its capital)."""
        if self.built_on is not None:
            return f"since the workspace was built on {format_date(self.built_on)}"
        return f"since {format_date(self.since)}"

    @property
    def window_title(self) -> str:
        """The window's name for it: 'Since yesterday', unless the workspace is newer."""
        return "Since the workspace was built" if self.built_on is not None else "Since yesterday"
