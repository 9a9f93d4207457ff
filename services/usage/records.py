"""Product usage as plain records (no database): what services/usage/summary.py reads a
customer's usage into, and what the customer pane is handed (views import these, never the
summary module, which queries)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class UsagePeriod:
    """Usage summed over a period (a week, the last 30 days)."""

    start: dt.date
    end: dt.date  # inclusive
    active_users: int = 0
    sessions: int = 0
    logins: int = 0
    minutes: float = 0.0
    events: int = 0
    documents_viewed: int = 0
    features: dict[str, int] = field(default_factory=dict)
    days_active: int = 0


@dataclass(frozen=True)
class UsageSummary:
    """A customer's usage as of a day: the last 30 days, the 30 before them, the weeks
    (oldest first, ending with the week of ``as_of``), and the features used out of the
    ones the workspace saw in the last 90 days."""

    as_of: dt.date
    recent: UsagePeriod
    previous: UsagePeriod
    weeks: tuple[UsagePeriod, ...]
    features_used: tuple[str, ...]
    features_seen: tuple[str, ...]
    last_active: dt.date | None


@dataclass(frozen=True)
class CustomerUsage:
    """What the customer pane shows of product usage: whether the workspace holds any at
    all (no usage anywhere: no section), and this customer's summary (None: none recorded
    for them)."""

    workspace_has_usage: bool
    summary: UsageSummary | None = None
    # The workspace's features seen were not read yet (the summary's features_seen is
    # empty meanwhile): WorkspaceFeatures follows, read apart because at a million
    # customers it is the slow part.
    features_pending: bool = False


@dataclass(frozen=True)
class WorkspaceFeatures:
    """The features any customer used in the 90 days to ``as_of`` (the usage summary's
    ``features_seen``), read apart from one customer's usage."""

    as_of: dt.date
    names: tuple[str, ...]
