"""What a user does with an alert: each transition in one transaction, audited.

Statuses and transitions (anything else is refused with a plain AlertActionError):

    open ──start──> in_progress
    open / in_progress / snoozed ──resolve(outcome)──> resolved
    open / in_progress / snoozed ──dismiss──> dismissed
    open / in_progress / snoozed ──snooze(until a date | until the condition clears)──> snoozed
    resolved / dismissed / snoozed ──reopen──> open

- Outcomes: won_back, lost, no_action_needed, other. ``resolved_at`` is set when an
  alert is resolved or dismissed (a closed alert holds its rule back for the customer for
  "alerts.realert_days"); reopening clears it and the outcome.
- A snooze until a date hides the alert from the working list until that date begins
  (UTC); then it reads "open" again (the next alert generation also stores it so). A
  snooze "until the condition clears" lasts until a scoring finds the rule no longer
  met; the alert is then resolved by the app (outcome "condition_cleared"). Snoozing an
  alert whose condition has already cleared is refused: resolve it instead.
- Reopening is refused while another active alert of the same rule exists for the
  customer (one active alert per customer and rule).
- Logging a call or an email moves an open alert to in progress. Notes and tasks keep the
  status. ``contact.record_email`` also records an email sent or exported from the composer
  (with or without an alert; services.outreach.sent). Calls, notes and emails are also
  written as interactions (source "account_radar"), so that the customer's timeline shows
  them; calls and emails count as contact for the cool-down. An email is refused for
  customers who asked not to be contacted or who unsubscribed from emails; both are kept
  out of outreach (the alert list flags them).
- Every change writes an audit event (who: ``actor``, by default the OS user name; when:
  ``now``, by default the current time) in the same transaction as the change.

Each action is a unit of work: it takes an Engine, runs in one transaction of its own
(committed, or rolled back on error) and returns frozen records, never ORM objects; the
few that also run inside a caller's transaction have a ``..._in(session)`` form
(services.alerts.contact). Contact (calls, notes, tasks, emails, do-not-contact) is in
services/alerts/contact.py; the window's single entry point, apply_alert_action, in
services/alerts/actions.py.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, attributes

from models.base import utcnow
from models.db import WRITE_FIRST, translate_db_errors
from models.schema import Alert, AuditEvent
from services.alerts._db import aware
from services.alerts.config import default_actor
from services.alerts.holdout import draw_for_raised
from services.alerts.records import (
    ACTIVE_STATUSES,
    HELD_BACK,
    OUTCOME_LABELS,
    OUTCOMES,
    STATUS_LABELS,
    AlertState,
)

# Defined with the records (the window tells the refusals apart, and views import no
# SQLAlchemy); the services import it from here as before.
from services.alerts.records import AlertActionError as AlertActionError
from services.core.formatting import format_date

TITLE_LENGTH = 255


class AlertNotFoundError(AlertActionError):
    """The alert (or customer, or task) does not exist any more."""


@contextlib.contextmanager
def unit_of_work(engine: Engine, *, write_first: bool = False) -> Iterator[Session]:
    """One transaction of its own: committed here, rolled back on an error.

    ``write_first``: on SQLite, take the write lock before the first read
    (models.db.WRITE_FIRST), for work that checks what it read before writing."""
    bind = engine.execution_options(**{WRITE_FIRST: True}) if write_first else engine
    with (
        translate_db_errors(),
        Session(bind, expire_on_commit=False) as session,
        session.begin(),
    ):
        yield session


@contextlib.contextmanager
def within(session: Session) -> Iterator[Session]:
    """The caller's transaction: changes flushed here, committed by the caller."""
    with translate_db_errors():
        yield session
        session.flush()


def moment(now: dt.datetime | None) -> dt.datetime:
    return aware(now) if now is not None else utcnow()


def load_alert(session: Session, alert_id: int, *, lock: bool = True) -> Alert:
    """The alert, locked for this transaction on PostgreSQL (``lock``); refused when it
    no longer exists. Unlocked, a concurrent change is caught by the version-checked
    UPDATE instead (StaleDataError: services/alerts/conflict.py)."""
    alert = session.get(Alert, alert_id, with_for_update=lock)
    if alert is None:
        raise AlertNotFoundError(
            f"Alert {alert_id} no longer exists (the workspace may have been rebuilt); "
            "refresh the list."
        )
    return alert


def effective_status(alert: Alert, now: dt.datetime) -> str:
    """The status as the user sees it: a snooze whose date has come reads "open"."""
    until = alert.snoozed_until
    if alert.status == "snoozed" and until is not None and aware(until) <= now:
        return "open"
    return alert.status


@dataclass(frozen=True)
class Doing:
    """Who does what when, inside one transaction: writes the audit events."""

    session: Session
    now: dt.datetime
    actor: str

    def audit(self, action: str, entity: tuple[str, int], details: dict[str, Any]) -> None:
        self.session.add(
            AuditEvent(
                occurred_at=self.now,
                actor=self.actor,
                action=action,
                entity_type=entity[0],
                entity_id=entity[1],
                details={k: v for k, v in details.items() if v is not None},
            )
        )

    def move(self, alert: Alert, to: str, action: str, details: dict[str, Any]) -> None:
        """Change the alert's status and audit it ("from" is the status the user saw)."""
        before = effective_status(alert, self.now)
        alert.status = to
        touch(alert, self.now)
        self.audit(action, alert_entity(alert), {"from": before, "to": to, **details})


def touch(alert: Alert, when: dt.datetime) -> None:
    """The alert changed at ``when``: its updated_at is the time of the change's audit
    event (which says who changed it: services/alerts/conflict.py), even when it already
    held that time (else the column's onupdate would write the clock's own time)."""
    alert.updated_at = when
    attributes.flag_modified(alert, "updated_at")


def alert_entity(alert: Alert) -> tuple[str, int]:
    return ("alert", int(alert.id))


def _state(alert: Alert) -> AlertState:
    return AlertState(
        id=int(alert.id),
        status=alert.status,
        outcome=alert.outcome,
        snoozed_until=alert.snoozed_until,
        snooze_until_clear=bool(alert.snooze_until_clear),
        updated_at=alert.updated_at,
    )


def _refuse(alert: Alert, status: str, doing: str) -> AlertActionError:
    label = STATUS_LABELS.get(status, status).lower()
    if status == HELD_BACK:
        return AlertActionError(
            f"Cannot {doing}: this alert is held back by the daily cap; raise it first."
        )
    if status in ("resolved", "dismissed"):
        return AlertActionError(f"Cannot {doing}: this alert is {label}; reopen it first.")
    return AlertActionError(f"Cannot {doing}: this alert is {label}.")


def refuse_held_back(alert: Alert, doing: str) -> None:
    """Calls, notes and tasks belong to alerts in the queue: a held-back alert is not one
    yet (and the next scoring replaces it, which would orphan what was logged on it)."""
    if alert.status == HELD_BACK:
        raise _refuse(alert, HELD_BACK, doing)


def _note(note: str | None) -> str | None:
    text = (note or "").strip()
    return text or None


# --- transitions ---------------------------------------------------------------------------
#
# Each transition has two forms: ``start_in(doing, alert, ...)`` checks and changes one
# alert inside the caller's transaction (services.alerts.actions applies one to every
# alert of a card in one transaction), and ``transition_alert(engine, alert_id, start_in,
# ...)`` is the same as a unit of work of its own.


def start_in(doing: Doing, alert: Alert, *, note: str | None = None) -> None:
    """Open (or snoozed) -> in progress: someone is working on it."""
    status = effective_status(alert, doing.now)
    if status not in ("open", "snoozed"):
        raise _refuse(alert, status, "start it")
    clear_snooze(alert)
    doing.move(alert, "in_progress", "alert.started", {"note": _note(note)})


def resolve_in(doing: Doing, alert: Alert, *, outcome: str, note: str | None = None) -> None:
    """Open, in progress or snoozed -> resolved, with an outcome."""
    if outcome not in OUTCOMES:
        choices = ", ".join(OUTCOME_LABELS[o].lower() for o in OUTCOMES)
        raise AlertActionError(f"'{outcome}' is not an outcome; choose one of {choices}.")
    status = effective_status(alert, doing.now)
    if status not in ACTIVE_STATUSES:
        raise _refuse(alert, status, "resolve it")
    clear_snooze(alert)
    alert.outcome = outcome
    alert.resolved_at = doing.now
    doing.move(alert, "resolved", "alert.resolved", {"outcome": outcome, "note": _note(note)})


def dismiss_in(doing: Doing, alert: Alert, *, note: str | None = None) -> None:
    """Open, in progress or snoozed -> dismissed (not worth acting on)."""
    status = effective_status(alert, doing.now)
    if status not in ACTIVE_STATUSES:
        raise _refuse(alert, status, "dismiss it")
    clear_snooze(alert)
    alert.outcome = None
    alert.resolved_at = doing.now
    doing.move(alert, "dismissed", "alert.dismissed", {"note": _note(note)})


def check_snooze(now: dt.datetime, until: dt.date | None, until_clear: bool) -> None:
    """Refuse a snooze that is neither until a later day nor until the condition clears."""
    if (until is None) == (not until_clear):
        raise AlertActionError("Snooze until a date, or until the condition clears (not both).")
    if until is not None and until <= now.date():
        raise AlertActionError(
            f"Snooze until a day after today ({format_date(now.date())}); "
            f"{format_date(until)} is not."
        )


def snooze_in(
    doing: Doing,
    alert: Alert,
    *,
    until: dt.date | None = None,
    until_clear: bool = False,
    note: str | None = None,
) -> None:
    """Open, in progress or snoozed -> snoozed until a date (a day after today, UTC; the
    alert comes back when that day begins) or until the rule's condition clears."""
    check_snooze(doing.now, until, until_clear)
    status = effective_status(alert, doing.now)
    if status not in ACTIVE_STATUSES:
        raise _refuse(alert, status, "snooze it")
    if until_clear and alert.cleared_at is not None:
        raise AlertActionError(
            "The condition of this alert has already cleared in the latest scores; "
            "resolve it instead of snoozing."
        )
    alert.snoozed_until = (
        dt.datetime.combine(until, dt.time(), tzinfo=dt.UTC) if until is not None else None
    )
    alert.snooze_until_clear = until_clear
    details = {
        "until": until.isoformat() if until else None,
        "until_clear": True if until_clear else None,
        "note": _note(note),
    }
    doing.move(alert, "snoozed", "alert.snoozed", details)


def _other_active(session: Session, alert: Alert) -> int | None:
    """Another active alert of the same customer and rule (one may be active at a time)."""
    return session.scalar(
        select(Alert.id).where(
            Alert.customer_id == alert.customer_id,
            Alert.rule_key == alert.rule_key,
            Alert.status.in_(ACTIVE_STATUSES),
            Alert.id != alert.id,
        )
    )


def reopen_in(doing: Doing, alert: Alert, *, note: str | None = None) -> None:
    """Resolved, dismissed or snoozed -> open again."""
    status = effective_status(alert, doing.now)
    if status in ("open", "in_progress"):
        raise AlertActionError(
            f"Cannot reopen it: this alert is {STATUS_LABELS[status].lower()} already."
        )
    if status == HELD_BACK:
        raise _refuse(alert, status, "reopen it")
    if status not in ACTIVE_STATUSES:
        other = _other_active(doing.session, alert)
        if other is not None:
            raise AlertActionError(
                f"Cannot reopen it: the same alert is already active for this customer "
                f"(alert {other}); work on that one."
            )
    clear_snooze(alert)
    alert.outcome = None
    alert.resolved_at = None
    doing.move(alert, "open", "alert.reopened", {"note": _note(note)})


def raise_in(
    doing: Doing, alert: Alert, *, note: str | None = None, customer_id: int | None = None
) -> None:
    """Held back by the daily cap -> open: the user wants it in today's queue after all.

    ``customer_id``: whose alert the user saw; refused if the id is now another
    customer's (a scoring elsewhere replaced the held-back alerts since the list loaded).
    """
    if customer_id is not None and int(alert.customer_id) != int(customer_id):
        raise AlertNotFoundError(
            "This held-back alert was replaced by a later scoring; refresh the list "
            "and raise it again."
        )
    status = effective_status(alert, doing.now)
    if status != HELD_BACK:
        label = STATUS_LABELS.get(status, status).lower()
        raise AlertActionError(f"Cannot raise it: this alert is {label}, not held back.")
    other = _other_active(doing.session, alert)
    if other is not None:
        raise AlertActionError(
            f"Cannot raise it: the same alert is already active for this customer "
            f"(alert {other}); work on that one."
        )
    doing.move(alert, "open", "alert.raised", {"note": _note(note)})
    held_out = draw_for_raised(doing.session, alert)
    if held_out is not None:
        doing.audit("alert.held_out", alert_entity(alert), held_out)


def transition_alert(
    engine: Engine,
    alert_id: int,
    change: Callable[..., None],
    *,
    actor: str | None = None,
    now: dt.datetime | None = None,
    **params: Any,
) -> AlertState:
    """One transition of one alert as a unit of work of its own: ``change`` is the
    transition (start_in, resolve_in, dismiss_in, snooze_in, reopen_in, raise_in) and
    ``params`` its parameters, e.g. ``transition_alert(engine, 7, resolve_in,
    outcome="won_back")``."""
    when, who = moment(now), actor or default_actor()
    with unit_of_work(engine) as session:
        alert = load_alert(session, alert_id)
        change(Doing(session, when, who), alert, **params)
        return _state(alert)


def clear_snooze(alert: Alert) -> None:
    alert.snoozed_until = None
    alert.snooze_until_clear = False
