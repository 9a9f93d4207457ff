"""Time to action: how long alerts waited for a person, and how many were acted on in time.

**First action** on an alert is the first thing a person did about it: a status change
(started, snoozed, resolved, dismissed, a playbook started) or a contact or piece of work
(a call, email or note logged, a task created or done, an email sent from the alert, a
held-out customer contacted). It is the earliest of the alert's audit events in
:data:`FIRST_ACTION_EVENTS`, its actions (``actions.created_at``) and its sent emails
(``outreach.sent_at``). What the software does by itself (raising, assigning, waking,
auto-resolving an alert whose condition cleared) is not an action.

**Resolution** is when the alert was resolved or dismissed (``alerts.resolved_at``), by a
person or automatically.

**Within target**: an alert of severity *s* is acted on in time when its first action
falls within ``targets[s]`` working days (Monday to Friday) of the day it was raised,
both days taken as local dates in the workspace's time zone: raised on Friday and acted
on on Monday is one working day. An alert counts towards the share once it was acted on
or its target has passed; one resolved automatically before its target without an action
counts in neither part (nothing was left to do). :func:`working_days_between` is the
only place that counts days, so the alert SLA's own calendar can replace it.

Times are reported as the median and the 80th percentile (nearest rank: 80% of the
alerts were acted on within it), overall, per owner, per rule and per month raised.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Iterable, Mapping
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from models.db import translate_db_errors
from models.schema import Action, Alert, AuditEvent, Outreach
from services.core.local_dates import TIME_ZONE_SETTING, workspace_zone
from services.learn.response_records import (
    AlertTiming,
    ResponseReport,
    ResponseSummary,
    duration_text,
    share_text,
)
from services.settings import ALERT_RULES, get_setting

__all__ = [
    "AlertTiming",
    "ResponseReport",
    "ResponseSummary",
    "duration_text",
    "response_report",
    "share_text",
    "working_days_between",
]

FIRST_ACTION_EVENTS = (
    "alert.started",
    "alert.snoozed",
    "alert.resolved",
    "alert.dismissed",
    "alert.call_logged",
    "alert.email_logged",
    "alert.note_added",
    "alert.task_created",
    "alert.task_done",
    "alert.playbook_started",
    "alert.holdout_contacted",
)
DEFAULT_TARGET_DAYS: Mapping[str, int] = {
    "critical": 1,
    "warning": 3,
    "opportunity": 5,
    "info": 7,
}
RESPONSE_GROUPS = ("owner", "rule", "month")
UNASSIGNED = "Unassigned"


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days (Monday to Friday) after ``start`` up to and including ``end``: 0 the
    same day, 1 from Friday to Monday; negative never (an earlier ``end`` gives 0)."""
    if end <= start:
        return 0
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for n in range(1, rest + 1):
        if (start + dt.timedelta(days=weeks * 7 + n)).weekday() < 5:
            count += 1
    return count


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


def _first_actions(session: Session) -> dict[int, dt.datetime]:
    """The earliest action of each alert that has one (see the module docstring)."""
    sources = (
        select(AuditEvent.entity_id, func.min(AuditEvent.occurred_at))
        .where(AuditEvent.entity_type == "alert", AuditEvent.action.in_(FIRST_ACTION_EVENTS))
        .group_by(AuditEvent.entity_id),
        select(Action.alert_id, func.min(Action.created_at))
        .where(Action.alert_id.is_not(None))
        .group_by(Action.alert_id),
        select(Outreach.alert_id, func.min(Outreach.sent_at))
        .where(Outreach.alert_id.is_not(None), Outreach.sent_at.is_not(None))
        .group_by(Outreach.alert_id),
    )
    first: dict[int, dt.datetime] = {}
    for query in sources:
        for alert_id, stamp in session.execute(query):
            if alert_id is None or stamp is None:
                continue
            stamp = _utc(stamp)
            if int(alert_id) not in first or stamp < first[int(alert_id)]:
                first[int(alert_id)] = stamp
    return first


def _within(
    raised: dt.date,
    acted: dt.date | None,
    target: int,
    today: dt.date,
    closed_in_time: bool,
) -> bool | None:
    if acted is not None:
        return working_days_between(raised, acted) <= target
    if working_days_between(raised, today) > target and not closed_in_time:
        return False
    return None


def alert_timings(
    session: Session,
    targets: Mapping[str, int],
    zone: ZoneInfo,
    now: dt.datetime,
) -> list[AlertTiming]:
    """Every alert's clock (alerts held back by the daily cap never reached anyone)."""
    first = _first_actions(session)
    today = now.astimezone(zone).date()
    out = []
    query = select(Alert).where(Alert.status != "held_back").order_by(Alert.id)
    for alert in session.scalars(query):
        raised = _utc(alert.created_at)
        acted = first.get(int(alert.id))
        closed = _utc(alert.resolved_at) if alert.resolved_at else None
        if alert.status not in ("resolved", "dismissed"):
            closed = None
        target = int(targets.get(alert.severity, DEFAULT_TARGET_DAYS.get(alert.severity, 7)))
        raised_day = raised.astimezone(zone).date()
        closed_in_time = closed is not None and (
            working_days_between(raised_day, closed.astimezone(zone).date()) <= target
        )
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
                    raised_day,
                    acted.astimezone(zone).date() if acted else None,
                    target,
                    today,
                    closed_in_time,
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
    (working days per severity; default :data:`DEFAULT_TARGET_DAYS`)."""
    chosen = {**DEFAULT_TARGET_DAYS, **(targets or {})}
    with translate_db_errors(), Session(engine) as session:
        zone = ZoneInfo(workspace_zone(get_setting(session, TIME_ZONE_SETTING)))
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
