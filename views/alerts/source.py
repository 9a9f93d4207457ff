"""What the alerts window needs from a workspace, as a protocol: app/ implements it.

Like :class:`views.customers.source.CustomerSource`, every method may be slow and touch the
database: views call them only inside operations of the job runner. They return numpy
columns and the frozen records below, never live ORM objects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from services.alerts.records import (
    OUTCOME_LABELS,
    OUTCOMES,
    SEVERITIES,
    SEVERITY_LABELS,
    STATUS_LABELS,
    STATUSES,
    Recommendation,
)

# The columns load_alert_columns returns (numpy arrays of equal length):
#   id (int64), customer_id (int64), customer (object: name, else email), company,
#   severity, status, rule (human title), rule_key, reason, owner, segment (object),
#   priority_cents (int64), created_at (datetime64[s], UTC), snoozed_until
#   (datetime64[s], NaT when not snoozed), do_not_contact (bool).
ALERT_COLUMNS = (
    "id",
    "customer_id",
    "customer",
    "company",
    "severity",
    "status",
    "rule",
    "rule_key",
    "reason",
    "owner",
    "segment",
    "priority_cents",
    "created_at",
    "snoozed_until",
    "do_not_contact",
)

# The vocabularies and the recommendation record are the alert services' own (a module
# that imports the standard library only, so views may load it): one definition each.
__all__ = [
    "ALERT_COLUMNS",
    "OUTCOMES",
    "OUTCOME_LABELS",
    "SEVERITIES",
    "SEVERITY_LABELS",
    "STATUSES",
    "STATUS_LABELS",
    "AlertDetail",
    "AlertEvent",
    "AlertSource",
    "Recommendation",
]


@dataclass(frozen=True)
class AlertEvent:
    """One line of an alert's history (from the audit log)."""

    when: dt.datetime
    who: str
    what: str


@dataclass(frozen=True)
class AlertDetail:
    """One alert with what the action pane shows beside it."""

    id: int
    customer_id: int
    customer: str
    severity: str
    status: str
    rule: str
    reason: str
    drivers: tuple[str, ...]
    priority_cents: int
    owner: str | None
    created_at: dt.datetime
    snoozed_until: dt.datetime | None
    snooze_until_clear: bool
    outcome: str | None
    do_not_contact: bool
    # Why outreach is not offered (do not contact, unsubscribed, cool-down), or None.
    outreach_blocked: str | None
    recommendation: Recommendation
    history: tuple[AlertEvent, ...] = field(default_factory=tuple)
    currency: str = "USD"  # of priority_cents (the workspace's home currency)


class AlertSource(Protocol):
    """Alerts of one open workspace: the list, one alert, its transitions, the dashboard."""

    @property
    def user(self) -> str:
        """Who the audit log names for what this window does (the OS user)."""
        ...

    def load_alert_columns(self) -> Mapping[str, Any]:
        """Every alert as columns (ALERT_COLUMNS), any order."""
        ...

    def load_alert_detail(self, alert_id: int) -> AlertDetail: ...

    def apply_alert_action(self, alert_id: int, action: str, **params: Any) -> None:
        """One transition or action, in one transaction; raises a plain error when refused.

        Actions: ``start``; ``resolve`` (outcome, note); ``dismiss`` (note); ``reopen``;
        ``snooze`` (until: date, or until_clear=True); ``do_not_contact``;
        ``log`` (kind: "call" or "note", text); ``task`` (text, due: date).
        """
        ...

    def load_dashboard(self) -> Any:
        """The dashboard's figures (views.dashboard.pane.DashboardData), or None unscored."""
        ...
