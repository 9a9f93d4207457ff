"""Alert SLAs: by when someone should act on an alert, and whether they did.

Each severity has a number of working days (Monday to Friday, the one rule of
services/core/working_days.py; settings ``sla.<severity>_days``: critical 1, warning 3,
opportunity 5, info 7). The alert
is **due** at the end of that many working days after the local date it was raised on,
in the workspace's time zone (``workspace.time_zone``, see services/core/local_dates.py):
a critical alert raised on a Friday is due at the end of Monday.

The SLA is **met** by the first thing a person does on the alert before it is due: a
call, note or task logged on it, an email sent or exported for it, a status change
(started, snoozed, resolved, dismissed) or a playbook started (:data:`PERSON_ACTIONS`).
Work the app does by itself (escalation tasks, a scoring clearing the condition) does
not count, nor does an action that was undone. An alert nobody acted on is
**overdue** once its due time passes while it is still active; a closed alert (resolved,
dismissed, held back) stops the clock. Nothing is stored: the due time comes from
``alerts.created_at`` and the settings, the first action from the actions, outreach and
audit events already kept.

An alert about a deadline is due no later than the deadline: a "Notice period closing"
alert by the end (local midnight) of the last day for notice, a "Renewal at risk" alert by
the end of the renewal date, when that comes before the severity's working days are up
(:func:`renewal_deadlines`). The deadline is read from the customer's open contracts: the
earliest last day for notice (contracts with a notice period) or renewal date on or after
the day the alert was raised, so an alert that names several contracts is due by the first
of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import Engine, func, or_, select
from sqlalchemy.orm import Session

from models.schema import Action, Alert, AuditEvent, Customer, Outreach
from models.schema.renewals import Contract
from models.vocab import ACTIVE_ALERT_STATUSES, SEVERITIES
from services.alerts.config import RULE_TITLES
from services.alerts.work_records import WorkOverdue
from services.core.account_names import account_name_sql
from services.core.local_dates import workspace_zone
from services.core.working_days import add_working_days as add_working_days
from services.core.working_days import working_days_between as working_days_between
from services.renewals.vocab import OPEN
from services.settings import setting_specs
from services.settings.views import DateSettings, TimeToActSettings

# What a person does on an alert, as audited (services/alerts/actions.py, contact.py,
# services/outreach/sent.py, playbooks.py): status changes, contact and work on it.
PERSON_ACTIONS = (
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
# The audit action of an undo (services/alerts/undo.py); its details name what it undid.
UNDONE = "alert.undone"
# The renewal rules whose alerts are about a deadline (services/alerts/renewal_rules.py,
# which reads pandas: the keys are repeated here for the alert list's quick read).
NOTICE_RULE_KEY, AT_RISK_RULE_KEY = "notice_closing", "renewal_at_risk"
DEADLINE_RULES = (NOTICE_RULE_KEY, AT_RISK_RULE_KEY)
# Who is not a person: the app itself.
APP_ACTORS = ("Account Radar", "escalation", "system")
# The declared defaults (services/settings/sla.py), read from the one declaration.
DEFAULT_DAYS: Mapping[str, int] = {
    spec.key.removeprefix("sla.").removesuffix("_days"): int(spec.default)
    for spec in setting_specs("sla.")
}


@dataclass(frozen=True)
class SlaSettings:
    """Working days per severity and the workspace's zone."""

    days: Mapping[str, int]
    zone: str = "UTC"


@dataclass(frozen=True)
class SlaState:
    """One alert's SLA: ``due_at`` (UTC), ``due_on`` (its local date), when it was first
    acted on, and ``overdue_days`` (working days past due; 0 unless overdue)."""

    due_at: dt.datetime
    due_on: dt.date
    acted_at: dt.datetime | None
    overdue: bool
    overdue_days: int

    @property
    def met(self) -> bool:
        return self.acted_at is not None and self.acted_at <= self.due_at


def sla_settings(session: Session) -> SlaSettings:
    """The SLA settings, read through the policy-aware resolver."""
    days = TimeToActSettings.read(session).by_severity()
    return SlaSettings(days, workspace_zone(DateSettings.read(session).time_zone))


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def due_at(
    created_at: dt.datetime,
    severity: str,
    settings: SlaSettings,
    deadline: dt.date | None = None,
) -> dt.datetime:
    """When an alert raised at ``created_at`` is due (UTC): the end (local midnight) of
    its severity's working days after the local day it was raised on, or of the
    ``deadline``'s day when that is earlier (a deadline before the day raised is ignored)."""
    zone = ZoneInfo(settings.zone)
    raised_on = _aware(created_at).astimezone(zone).date()
    days = int(settings.days.get(severity, DEFAULT_DAYS.get(severity, 3)))
    due_on = add_working_days(raised_on, days)
    if deadline is not None and raised_on <= deadline < due_on:
        due_on = deadline
    end = dt.datetime.combine(due_on + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return end.astimezone(dt.UTC)


def sla_state(
    created_at: dt.datetime,
    severity: str,
    status: str,
    acted_at: dt.datetime | None,
    settings: SlaSettings,
    now: dt.datetime,
    deadline: dt.date | None = None,
) -> SlaState:
    """The SLA of one alert (module doc: met, overdue, a closed alert stops the clock;
    due by the end of ``deadline``'s day at the latest)."""
    due = due_at(created_at, severity, settings, deadline)
    zone = ZoneInfo(settings.zone)
    due_on = (due - dt.timedelta(microseconds=1)).astimezone(zone).date()
    acted = _aware(acted_at) if acted_at is not None else None
    overdue = acted is None and status in ACTIVE_ALERT_STATUSES and _aware(now) >= due
    late = working_days_between(due_on, _aware(now).astimezone(zone).date()) if overdue else 0
    return SlaState(due, due_on, acted, overdue, max(late, 1) if overdue else 0)


def first_actions(session: Session, alert_ids: Iterable[int]) -> dict[int, dt.datetime]:
    """When a person first acted on each alert (module doc), for those acted on."""
    ids = sorted({int(i) for i in alert_ids})
    out: dict[int, dt.datetime] = {}

    def keep(rows: Iterable[Any]) -> None:
        for aid, when in rows:
            if aid is None or when is None:
                continue
            when = _aware(when)
            if int(aid) not in out or when < out[int(aid)]:
                out[int(aid)] = when

    # Few alerts: looked up by id; many (the whole list): every acted-on alert at once.
    wanted = set(ids)
    chunks: list[list[int] | None] = [None]
    if len(ids) <= 2000:
        chunks = [ids[i : i + 500] for i in range(0, len(ids), 500)]
    for chunk in chunks:
        keep(_first_action_rows(session, chunk))
    # An action that was undone (Ctrl+Z) did not happen: those alerts are read again
    # without it, so the due line comes back as it was before.
    undone = sorted(_undone_alerts(session, ids if len(ids) <= 2000 else None) & wanted)
    for i in range(0, len(undone), 500):
        chunk = undone[i : i + 500]
        for aid in chunk:
            out.pop(aid, None)
        keep(_first_action_rows(session, chunk, audit=False))
        keep(_kept_audit_rows(session, chunk))
    return {k: v for k, v in out.items() if k in wanted}


def _undone_alerts(session: Session, ids: list[int] | None) -> set[int]:
    """The alerts (of ``ids``; None: any) that have an undone action."""
    query = select(AuditEvent.entity_id).where(
        AuditEvent.entity_type == "alert", AuditEvent.action == UNDONE
    )
    found: set[int] = set()
    chunks: list[list[int] | None] = (
        [None] if ids is None else [ids[i : i + 500] for i in range(0, len(ids), 500)]
    )
    for chunk in chunks:
        q = query if chunk is None else query.where(AuditEvent.entity_id.in_(chunk))
        found.update(int(aid) for (aid,) in session.execute(q.distinct()) if aid is not None)
    return found


def _kept_audit_rows(session: Session, chunk: list[int]) -> list[tuple[int, dt.datetime]]:
    """(alert id, earliest time) of the person actions audited on ``chunk`` that were
    not undone: each "alert.undone" cancels the latest earlier action it names."""
    rows = session.execute(
        select(AuditEvent.entity_id, AuditEvent.action, AuditEvent.occurred_at,
               AuditEvent.details)
        .where(AuditEvent.entity_type == "alert", AuditEvent.entity_id.in_(chunk),
               AuditEvent.action.in_((*PERSON_ACTIONS, UNDONE)),
               AuditEvent.actor.not_in(APP_ACTORS))
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    ).all()  # fmt: skip
    done: dict[int, list[tuple[str, dt.datetime]]] = {}
    for aid, action, when, details in rows:
        kept = done.setdefault(int(aid), [])
        if action != UNDONE:
            kept.append((action, when))
            continue
        undid = details.get("undid") if isinstance(details, dict) else None
        for k in range(len(kept) - 1, -1, -1):
            if kept[k][0] == undid:
                del kept[k]
                break
    return [(aid, min(when for _a, when in kept)) for aid, kept in done.items() if kept]


def _first_action_rows(
    session: Session, chunk: list[int] | None, *, audit: bool = True
) -> list[Any]:
    """(alert id, earliest time) of the three sources, for ``chunk`` (None: every alert);
    without ``audit``, of the actions and outreach alone."""

    def only(column: Any) -> Any:
        return column.in_(chunk) if chunk is not None else column.is_not(None)

    return [
        *session.execute(
            select(Action.alert_id, func.min(Action.created_at))
            .where(only(Action.alert_id),
                   Action.created_by.is_(None) | Action.created_by.not_in(APP_ACTORS))
            .group_by(Action.alert_id)
        ).all(),
        *session.execute(
            select(Outreach.alert_id, func.min(func.coalesce(Outreach.sent_at,
                                                             Outreach.created_at)))
            .where(only(Outreach.alert_id), Outreach.status.in_(("sent", "exported")))
            .group_by(Outreach.alert_id)
        ).all(),
        *(session.execute(
            select(AuditEvent.entity_id, func.min(AuditEvent.occurred_at))
            .where(AuditEvent.entity_type == "alert", only(AuditEvent.entity_id),
                   AuditEvent.action.in_(PERSON_ACTIONS),
                   AuditEvent.actor.not_in(APP_ACTORS))
            .group_by(AuditEvent.entity_id)
        ).all() if audit else ()),
    ]  # fmt: skip


def sla_states(
    session: Session,
    alerts: Iterable[tuple[int, dt.datetime, str, str]],
    now: dt.datetime,
) -> dict[int, SlaState]:
    """The SLA of each ``(id, created_at, severity, status)``."""
    rows = list(alerts)
    settings = sla_settings(session)
    acted = first_actions(session, (r[0] for r in rows))
    deadlines = renewal_deadlines(session, (r[0] for r in rows), settings.zone)
    return {
        int(aid): sla_state(
            created, severity, status, acted.get(int(aid)), settings, now, deadlines.get(int(aid))
        )  # fmt: skip
        for aid, created, severity, status in rows
    }


def renewal_deadlines(session: Session, alert_ids: Iterable[int], zone: str) -> dict[int, dt.date]:
    """The deadline of each renewal alert of ``alert_ids`` (module doc): for "Notice period
    closing" the earliest last day for notice (renewal date - notice days) of the
    customer's open contracts with a notice period, for "Renewal at risk" the earliest
    renewal date, on or after the local day the alert was raised; alerts without one are
    left out."""
    ids = sorted({int(i) for i in alert_ids})
    out: dict[int, dt.date] = {}
    local = ZoneInfo(zone)
    for i in range(0, len(ids), 500):
        rows = session.execute(
            select(Alert.id, Alert.rule_key, Alert.created_at, Contract.end_date,
                   Contract.notice_days)
            .join(Contract, Contract.customer_id == Alert.customer_id)
            .where(Alert.id.in_(ids[i : i + 500]), Alert.rule_key.in_(DEADLINE_RULES),
                   Contract.outcome == OPEN)
        ).all()  # fmt: skip
        for aid, rule, created, end, notice in rows:
            if rule == NOTICE_RULE_KEY and not notice:
                continue
            deadline = end - dt.timedelta(days=int(notice or 0)) if rule == NOTICE_RULE_KEY else end
            if deadline < _aware(created).astimezone(local).date():
                continue
            if int(aid) not in out or deadline < out[int(aid)]:
                out[int(aid)] = deadline
    return out


def due_words(state: SlaState | None, today: dt.date) -> str:
    """The card's short mark: "Overdue 2 d", "Due today", "" otherwise."""
    if state is None or state.acted_at is not None:
        return ""
    if state.overdue:
        return f"Overdue {state.overdue_days} d"
    return "Due today" if state.due_on == today else ""


def due_header(state: SlaState | None) -> str:
    """The action pane's line: "Due Fri, Nov 27", "Overdue since Fri, Nov 27"."""
    if state is None or state.acted_at is not None:
        return ""
    day = f"{state.due_on:%a, %b} {state.due_on.day}"
    return f"Overdue since {day}" if state.overdue else f"Due {day}"


def sla_columns(
    engine: Engine,
    ids: Any,
    created_at: Any,
    severity: Any,
    status: Any,
    now: dt.datetime | None = None,
) -> tuple[list[str], list[bool]]:
    """For the alert list: each alert's card mark (``due_words``) and whether it is
    overdue, in the order given (only active alerts are looked at)."""
    now = now or dt.datetime.now(dt.UTC)
    n = len(ids)
    words, overdue = [""] * n, [False] * n
    active = [k for k in range(n) if str(status[k]) in ACTIVE_ALERT_STATUSES]
    if not active:
        return words, overdue
    states, settings = _column_states(engine, ids, created_at, severity, status, now, active)
    today = now.astimezone(ZoneInfo(settings.zone)).date()
    for k, state in states.items():
        words[k], overdue[k] = due_words(state, today), state.overdue
    return words, overdue


def due_cells(
    engine: Engine,
    ids: Any,
    created_at: Any,
    severity: Any,
    status: Any,
    now: dt.datetime | None = None,
) -> list[str]:
    """For the ``alerts`` command: each active alert's due day as the card's header says
    it ("Sat, Nov 28"), "overdue 2 d" past it, "" once acted on or closed; in the order
    given."""
    now = now or dt.datetime.now(dt.UTC)
    cells = [""] * len(ids)
    active = [k for k in range(len(ids)) if str(status[k]) in ACTIVE_ALERT_STATUSES]
    if not active:
        return cells
    states, _settings = _column_states(engine, ids, created_at, severity, status, now, active)
    for k, state in states.items():
        if state.acted_at is not None:
            continue
        day = f"{state.due_on:%a, %b} {state.due_on.day}"
        cells[k] = f"overdue {state.overdue_days} d" if state.overdue else day
    return cells


def due_columns(
    engine: Engine,
    ids: Any,
    created_at: Any,
    severity: Any,
    status: Any,
    now: dt.datetime | None = None,
) -> tuple[list[dt.date | None], list[bool]]:
    """For the alerts export: the local day by whose end each alert is due (the card's
    "Due Tue, Dec 1") and whether it is overdue, in the order given: the card's own SLA
    (``sla_state``)."""
    now = now or dt.datetime.now(dt.UTC)
    n = len(ids)
    due: list[dt.date | None] = [None] * n
    overdue = [False] * n
    if not n:
        return due, overdue
    states, _settings = _column_states(
        engine, ids, created_at, severity, status, now, list(range(n))
    )
    for k, state in states.items():
        due[k] = state.due_on
        overdue[k] = state.overdue
    return due, overdue


def _column_states(
    engine: Engine,
    ids: Any,
    created_at: Any,
    severity: Any,
    status: Any,
    now: dt.datetime,
    rows: list[int],
) -> tuple[dict[int, SlaState], SlaSettings]:
    """The SLA of the alerts at positions ``rows`` of the columns, by position."""
    with Session(engine) as session:
        settings = sla_settings(session)
        acted = first_actions(session, (int(ids[k]) for k in rows))
        deadlines = renewal_deadlines(session, (int(ids[k]) for k in rows), settings.zone)
    # Naive UTC datetimes, as the list holds them (numpy: the list's read needs no pandas).
    created = np.asarray(created_at, dtype="datetime64[us]")
    states: dict[int, SlaState] = {}
    for k in rows:
        if np.isnat(created[k]):
            continue
        stamp = created[k].item()
        states[k] = sla_state(stamp, str(severity[k]), str(status[k]),
                              acted.get(int(ids[k])), settings, now,
                              deadlines.get(int(ids[k])))  # fmt: skip
    return states, settings


def overdue_alerts_in(
    session: Session, owner: str | None, everyone: bool, now: dt.datetime
) -> tuple[WorkOverdue, ...]:
    """My work's overdue alerts: active alerts whose customer or alert belongs to
    ``owner`` (every owner's with ``everyone``), past due with no action, most overdue
    first, then the most severe."""
    if not owner and not everyone:
        return ()
    query = (
        select(Alert.id, Alert.customer_id, account_name_sql(), Alert.rule_key,
               Alert.severity, Alert.status, Alert.created_at)
        .join(Customer, Customer.id == Alert.customer_id)
        .where(Alert.status.in_(("open", "in_progress")), Alert.created_at < now)
    )  # fmt: skip
    if not everyone:
        query = query.where(or_(Customer.owner == owner, Alert.owner == owner))
    rows = session.execute(query).all()
    states = sla_states(session, [(r[0], r[6], r[4], r[5]) for r in rows], now)
    rank = {s: k for k, s in enumerate(SEVERITIES)}
    out = [
        WorkOverdue(int(aid), int(cid), name,
                    RULE_TITLES.get(rule, rule), severity, states[int(aid)].due_at,
                    states[int(aid)].overdue_days, due_header(states[int(aid)]))
        for aid, cid, name, rule, severity, _status, _created in rows
        if states[int(aid)].overdue
    ]  # fmt: skip
    out.sort(key=lambda o: (-o.overdue_days, rank.get(o.severity, 9), o.alert_id))
    return tuple(out)
