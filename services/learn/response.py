"""Time to action: how long alerts waited for a person, and how many were acted on in time.

**First action** and **within target** are the alert SLA's (services/alerts/sla.py,
defined once there): the first thing a person did about the alert (a status change, a
call, note or task on it, an email sent or exported for it, a playbook started; not
what the app does by itself), and whether it came before the alert was due, at the end
of its severity's working days (settings ``sla.<severity>_days``, or ``targets``) after
the local day it was raised. An alert counts towards the share once it was acted on or
it fell due; one closed (resolved or dismissed) before it was due without an action
counts in neither part (nothing was left to do).

**Resolution** is when the alert was resolved or dismissed (``alerts.resolved_at``), by a
person or automatically.

Times are reported as the median and the 80th percentile (nearest rank: 80% of the
alerts were acted on within it), overall, per owner, per rule and per month raised.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Iterable, Mapping
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from models.db import translate_db_errors
from models.schema import Alert
from services.alerts.sla import (
    DEFAULT_DAYS,
    SlaSettings,
    due_at,
    first_actions,
    renewal_deadlines,
    sla_settings,
    working_days_between,
)
from services.core.local_dates import workspace_zone
from services.learn.response_records import (
    AlertTiming,
    ResponseReport,
    ResponseSummary,
    duration_text,
    share_text,
)
from services.settings import ALERT_RULES
from services.settings.views import DateSettings

__all__ = [
    "AlertTiming",
    "ResponseReport",
    "ResponseSummary",
    "duration_text",
    "response_report",
    "share_text",
    "working_days_between",
]

# The SLA's working days per severity when the settings are not read (tests, callers).
DEFAULT_TARGET_DAYS: Mapping[str, int] = DEFAULT_DAYS
RESPONSE_GROUPS = ("owner", "rule", "month")
UNASSIGNED = "Unassigned"


def percentile_80(values: list[float]) -> float | None:
    """The nearest-rank 80th percentile: the smallest value at least 80% are within."""
    if not values:
        return None
    ranked = sorted(values)
    return ranked[max(0, math.ceil(0.8 * len(ranked)) - 1)]


def _hours(later: dt.datetime, earlier: dt.datetime) -> float:
    return max(0.0, (later - earlier).total_seconds() / 3600.0)


def summarise(timings: Iterable[AlertTiming]) -> ResponseSummary:
    """The summary of these alerts' clocks."""
    rows = list(timings)
    acted = [t for t in rows if t.first_action_at is not None]
    resolved = [t for t in rows if t.resolved_at is not None]
    first = [_hours(t.first_action_at, t.raised_at) for t in acted if t.first_action_at]
    done = [_hours(t.resolved_at, t.raised_at) for t in resolved if t.resolved_at]
    return ResponseSummary(
        alerts=len(rows),
        acted_ids=tuple(t.alert_id for t in acted),
        first_action_median=statistics.median(first) if first else None,
        first_action_p80=percentile_80(first),
        resolved_ids=tuple(t.alert_id for t in resolved),
        resolution_median=statistics.median(done) if done else None,
        resolution_p80=percentile_80(done),
        within_ids=tuple(t.alert_id for t in rows if t.within_target is True),
        missed_ids=tuple(t.alert_id for t in rows if t.within_target is False),
    )


def _utc(stamp: dt.datetime) -> dt.datetime:
    return stamp.replace(tzinfo=dt.UTC) if stamp.tzinfo is None else stamp.astimezone(dt.UTC)


def _within(
    acted: dt.datetime | None, closed: dt.datetime | None, due: dt.datetime, now: dt.datetime
) -> bool | None:
    """Acted on before it was due (True), due and not acted on (False), or neither yet
    (None: not due yet, or closed before it was due without an action)."""
    if acted is not None:
        return acted <= due
    if now >= due and (closed is None or closed > due):
        return False
    return None


def alert_timings(
    session: Session,
    targets: Mapping[str, int],
    zone: ZoneInfo,
    now: dt.datetime,
) -> list[AlertTiming]:
    """Every alert's clock (alerts held back by the daily cap never reached anyone)."""
    alerts = list(
        session.scalars(select(Alert).where(Alert.status != "held_back").order_by(Alert.id))
    )
    first = first_actions(session, [int(a.id) for a in alerts])
    # A renewal alert's target is no later than its deadline, as its card says.
    deadlines = renewal_deadlines(session, [int(a.id) for a in alerts], zone.key)
    sla = SlaSettings(targets, zone.key)
    out = []
    for alert in alerts:
        raised = _utc(alert.created_at)
        acted = first.get(int(alert.id))
        closed = _utc(alert.resolved_at) if alert.resolved_at else None
        if alert.status not in ("resolved", "dismissed"):
            closed = None
        out.append(
            AlertTiming(
                alert_id=int(alert.id),
                customer_id=int(alert.customer_id),
                owner=alert.owner or UNASSIGNED,
                rule_key=alert.rule_key,
                severity=alert.severity,
                raised_at=raised,
                month=raised.astimezone(zone).strftime("%Y-%m"),
                first_action_at=acted,
                resolved_at=closed,
                within_target=_within(
                    acted,
                    closed,
                    due_at(raised, alert.severity, sla, deadlines.get(int(alert.id))),
                    now,
                ),
            )
        )
    return out


def response_report(
    engine: Engine,
    since: dt.date | None = None,
    until: dt.date | None = None,
    *,
    targets: Mapping[str, int] | None = None,
    now: dt.datetime | None = None,
) -> ResponseReport:
    """Time to first action and to resolution of the alerts raised from ``since`` to
    ``until`` (local dates, both included), with the share acted on within ``targets``
    (working days per severity; default: the SLA settings, ``sla.<severity>_days``)."""
    with translate_db_errors(), Session(engine) as session:
        zone = ZoneInfo(workspace_zone(DateSettings.read(session).time_zone))
        chosen = {**sla_settings(session).days, **(targets or {})}
        timings = alert_timings(session, chosen, zone, now or dt.datetime.now(dt.UTC))
    kept = [
        t
        for t in timings
        if (since is None or t.raised_at.astimezone(zone).date() >= since)
        and (until is None or t.raised_at.astimezone(zone).date() <= until)
    ]
    keys = {"owner": lambda t: t.owner, "rule": lambda t: t.rule_key, "month": lambda t: t.month}
    groups: dict[str, dict[str, ResponseSummary]] = {}
    for name in RESPONSE_GROUPS:
        parts: dict[str, list[AlertTiming]] = {}
        for t in kept:
            parts.setdefault(keys[name](t), []).append(t)
        groups[name] = {key: summarise(parts[key]) for key in sorted(parts)}
    titles = {rule.key: rule.title for rule in ALERT_RULES}
    return ResponseReport(summarise(kept), groups, chosen, since, until, tuple(kept), titles)
