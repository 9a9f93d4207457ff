"""Two people acting on one alert at once: the second is refused with who changed it, when,
and what it is now; never a silent overwrite.

Every change to an alert moves its ``version`` (models/schema/alerts.py): the ORM bumps it on
each UPDATE of an Alert and adds "AND version = <the version read>" to it, and the bulk
UPDATEs bump it in their SQL. What counts as a change: the lifecycle (status, snooze,
outcome, resolved), the owner, whether the condition holds (a scoring marking it
cleared, or finding it met again), a held-out customer contacted anyway, an undo. A
scoring that only refreshes an alert's figures (priority, reason, severity, drivers)
does not move it, nor its ``updated_at``: an action on the card shown before that
scoring overwrites nothing the scoring wrote.

The window sends the version of each alert of the card it showed (``seen_versions``); a
transition (start, resolve, dismiss, snooze, reopen, raise) is refused with
AlertChangedError when one of them changed since:

- before acting (``check_seen``): the version read is not the one shown;
- in the race between that read and the write (``refusing_races``): the version-checked
  UPDATE matches no row and the ORM raises StaleDataError. On PostgreSQL (READ
  COMMITTED) the second of two UPDATEs waits for the first to commit, re-checks its
  WHERE and matches nothing; on SQLite the action takes the write lock before it reads
  (models.db.WRITE_FIRST), so the second waits and its check sees the first's change.

A call, note or task is never refused for someone else's change: it records what
happened (what the user typed is kept) and applies to the state it finds. Undo is
refused the same way when the alert moved since the action (services/alerts/undo.py).

Who and when come from the audit log: the latest event that changed the alert (its
actor, by name; with the database account when the actor is only a login), or the
scoring that changed it last (which writes one event per run, at the alert's
``updated_at``); "You" when it was the same user (another window).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Mapping, Sequence

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from models.schema import Alert, AuditEvent, TeamMember
from services.alerts._db import aware, reading
from services.alerts.config import RULE_TITLES
from services.alerts.lifecycle import AlertNotFoundError, effective_status
from services.alerts.records import (
    HELD_BACK,
    OUTCOME_LABELS,
    STATUS_LABELS,
    AlertChange,
    AlertChangedError,
)
from services.core.formatting import format_date, time_ago
from services.core.profile import actor_person

# The audit actions that change an alert's row (and so its version): the lifecycle, what
# a scoring does to one alert, undo, a held-out customer contacted anyway. Calls, notes,
# tasks and emails change no alert (a call or an email that starts one writes
# "alert.started" too).
CHANGES = (
    "alert.created",
    "alert.started",
    "alert.resolved",
    "alert.dismissed",
    "alert.snoozed",
    "alert.reopened",
    "alert.raised",
    "alert.woke",
    "alert.auto_resolved",
    "alert.undone",
    "alert.holdout_contacted",
    "alert.assigned",  # services/alerts/assign.py
)
# A scoring's one event (services/alerts/generate.py), at the time it wrote.
SCORING = "alerts.generated"
NOTHING_CHANGED = "Nothing was changed; the card shows its new state."
NOT_UNDONE = "It changed since, so it was not undone; the card shows its new state."


def state_words(alert: Alert, now: dt.datetime) -> str:
    """The alert's state as the card says it: "resolved (won back)", "in progress",
    "snoozed until Mar 7, 2026", "open; its condition no longer holds"."""
    status = effective_status(alert, now)
    words = STATUS_LABELS.get(status, status).lower()
    if status == "resolved" and alert.outcome:
        words += f" ({OUTCOME_LABELS.get(alert.outcome, alert.outcome).lower()})"
    elif status == "snoozed" and alert.snooze_until_clear:
        words += " until the condition clears"
    elif status == "snoozed" and alert.snoozed_until is not None:
        words += f" until {format_date(aware(alert.snoozed_until).date())}"
    elif status == HELD_BACK:
        words += " by the daily cap"
    if alert.cleared_at is not None and status in ("open", "in_progress", "snoozed"):
        words += "; its condition no longer holds in the latest scores"
    return words


def check_seen(
    session: Session,
    alerts: Sequence[Alert],
    seen: Mapping[int, int],
    *,
    now: dt.datetime,
    actor: str,
) -> None:
    """Refuse (AlertChangedError) when an alert's version is not the one the user saw
    (``seen``: alert id -> version; alerts not in it are not checked)."""
    for alert in alerts:
        shown = seen.get(int(alert.id))
        if shown is not None and int(shown) != int(alert.version):
            raise changed_error(session, alert, now=now, actor=actor, card=len(alerts) > 1)


def changed_error(
    session: Session,
    alert: Alert,
    *,
    now: dt.datetime,
    actor: str,
    card: bool = False,
    undo: bool = False,
    error: type[AlertChangedError] = AlertChangedError,
) -> AlertChangedError:
    """The refusal for an alert that changed since the user saw it: who changed it and
    when (the audit log), what it is now, and that nothing was changed (``undo``: that
    the action was not undone). ``card``: the alert is one of several on the card."""
    by, at, scoring = _last_change(session, alert, actor)
    state = state_words(alert, now)
    if scoring and alert.owner:
        state += f", owned by {alert.owner}"
    subject = "this alert"
    if card:
        subject = f"the {RULE_TITLES.get(alert.rule_key, alert.rule_key)} alert of this card"
    ago = time_ago(at, now) if at is not None else "since"
    if by is not None:
        head = f"{by} changed {subject} {ago}"
    else:
        head = f"{subject[:1].upper()}{subject[1:]} changed {ago}"
    message = f"{head}: it is now {state}. {NOT_UNDONE if undo else NOTHING_CHANGED}"
    change = AlertChange(
        alert_id=int(alert.id),
        version=int(alert.version),
        status=effective_status(alert, now),
        outcome=alert.outcome,
        state=state,
        changed_by=by,
        changed_at=aware(at) if at is not None else None,
    )
    return error(message, change)


@contextlib.contextmanager
def refusing_races(
    engine: Engine,
    read: Mapping[int, int],
    *,
    now: dt.datetime,
    actor: str,
    undo: bool = False,
    error: type[AlertChangedError] = AlertChangedError,
) -> Iterator[None]:
    """Around a unit of work that changes alerts: a version-checked UPDATE that matched
    nothing (someone changed the alert between this work's read and its write) becomes
    the same refusal as ``check_seen``'s, said from the state committed since.

    ``read``: the version of each alert as the work read it (filled in by the work)."""
    try:
        yield
    except StaleDataError as exc:
        with reading(engine) as conn, Session(bind=conn) as session:
            ids = list(read)
            for alert_id in ids:
                alert = session.get(Alert, alert_id)
                if alert is None:
                    raise AlertNotFoundError(
                        f"Alert {alert_id} no longer exists (the workspace may have been "
                        "rebuilt); refresh the list."
                    ) from exc
                if int(alert.version) != int(read[alert_id]):
                    refusal = changed_error(
                        session,
                        alert,
                        now=now,
                        actor=actor,
                        card=len(ids) > 1,
                        undo=undo,
                        error=error,
                    )
                    raise refusal from exc
        raise  # no alert moved: not a race this module knows (a bug, logged as one)


def _last_change(
    session: Session, alert: Alert, me: str
) -> tuple[str | None, dt.datetime | None, bool]:
    """Who changed the alert last, in words, and when; and whether it was a scoring.
    (None, updated_at, False) when the log does not say (a change made outside the app)."""
    updated = aware(alert.updated_at) if alert.updated_at is not None else None
    event = session.execute(
        select(AuditEvent.actor, AuditEvent.db_user, AuditEvent.occurred_at)
        .where(
            AuditEvent.entity_type == "alert",
            AuditEvent.entity_id == alert.id,
            AuditEvent.action.in_(CHANGES),
        )
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(1)
    ).first()
    scoring = None
    if alert.updated_at is not None:
        scoring = session.execute(
            select(AuditEvent.actor, AuditEvent.db_user, AuditEvent.occurred_at)
            .where(AuditEvent.action == SCORING, AuditEvent.occurred_at == alert.updated_at)
            .order_by(AuditEvent.id.desc())
            .limit(1)
        ).first()
    if scoring is not None and (event is None or aware(scoring[2]) > aware(event[2])):
        return "A scoring", aware(scoring[2]), True
    if event is not None and aware(event[2]) == updated:
        return _person(session, event[0], event[1], me), aware(event[2]), False
    return None, updated, False


def _person(session: Session, actor: str, db_user: str | None, me: str) -> str:
    """The actor of an event in words: "You" for the user acting now; a login that the
    team's list knows by name, by that name."""
    if actor == me:
        return "You"
    name = actor_person(actor, db_user)
    if db_user and name != actor_person(actor):
        # Only a login: the shared workspace's member list may know them by name.
        known = session.scalar(select(TeamMember.owner_name).where(TeamMember.db_role == db_user))
        if known:
            return str(known)
    return name
