"""The records of time to action (services/learn/response.py computes them) and their
wording: plain data, free of the database, so views can show them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class AlertTiming:
    """One alert's clock: when raised, first acted on and resolved (UTC)."""

    alert_id: int
    customer_id: int
    owner: str
    rule_key: str
    severity: str
    raised_at: dt.datetime
    month: str
    first_action_at: dt.datetime | None
    resolved_at: dt.datetime | None
    within_target: bool | None  # None: not yet due (or closed by itself in time)


@dataclass(frozen=True)
class ResponseSummary:
    """Times to first action and to resolution of a set of alerts, in hours."""

    alerts: int
    acted_ids: tuple[int, ...]
    first_action_median: float | None
    first_action_p80: float | None
    resolved_ids: tuple[int, ...]
    resolution_median: float | None
    resolution_p80: float | None
    within_ids: tuple[int, ...]
    missed_ids: tuple[int, ...]

    @property
    def due(self) -> int:
        return len(self.within_ids) + len(self.missed_ids)

    @property
    def within_share(self) -> float | None:
        return len(self.within_ids) / self.due if self.due else None


@dataclass(frozen=True)
class ResponseReport:
    """Time to action overall and per owner, rule and month raised."""

    overall: ResponseSummary
    groups: dict[str, dict[str, ResponseSummary]]
    targets: Mapping[str, int]
    since: dt.date | None = None
    until: dt.date | None = None
    timings: tuple[AlertTiming, ...] = field(default=(), repr=False)
    rule_titles: Mapping[str, str] = field(default_factory=dict)

    def key_label(self, group: str, key: str) -> str:
        """How a group's key reads: a rule by its title, an owner or month as it is."""
        return self.rule_titles.get(key, key) if group == "rule" else key

    def customer_ids(self, alert_ids: tuple[int, ...]) -> tuple[int, ...]:
        """The customers of these alerts, each once, in id order."""
        wanted = set(alert_ids)
        return tuple(sorted({t.customer_id for t in self.timings if t.alert_id in wanted}))


def duration_text(hours: float | None) -> str:
    """A wait as people say it: "40 min", "5 h", "2.5 d" ("–" when there is none)."""
    if hours is None:
        return "–"
    if hours < 1:
        return f"{max(1, round(hours * 60))} min"
    if hours < 48:
        return f"{round(hours)} h"
    days = hours / 24
    return f"{days:.1f} d".replace(".0 d", " d") if days < 10 else f"{round(days)} d"


def share_text(share: float | None) -> str:
    """A share as a whole percentage ("–" when nothing counts yet)."""
    return "–" if share is None else f"{round(share * 100)}%"
