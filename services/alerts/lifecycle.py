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
  status. ``record_email`` also records an email sent or exported from the app's composer
  (with or without an alert; services.outreach.sent). Calls, notes and emails are also
  written as interactions (source "account_radar"), so that the customer's timeline shows
  them; calls and emails count as contact for the cool-down. An email is refused for
  customers who asked not to be contacted or who unsubscribed from emails; both are kept
  out of outreach (the alert list flags them).
- Every change writes an audit event (who: ``actor``, by default the OS user name; when:
  ``now``, by default the current time) in the same transaction as the change.

Every function takes an Engine (one transaction of its own, committed) or a Session
(the caller's transaction; the caller commits) and returns frozen records, never ORM
objects.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, bindparam, exists, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from models.base import JSONType, UTCDateTime, utcnow
from models.db import translate_db_errors
from models.errors import UserFacingError
from models.schema import Action, Alert, AuditEvent, Customer, Interaction, Outreach
from models.vocab import OUTREACH_STATUSES
from services.alerts._db import aware
from services.alerts.config import default_actor
from services.alerts.inputs import APP_SOURCE
from services.alerts.records import (
    ACTIVE_STATUSES,
    HELD_BACK,
    OUTCOME_LABELS,
    OUTCOMES,
    STATUS_LABELS,
    ActionRecord,
    AlertState,
)

TITLE_LENGTH = 255


class AlertActionError(UserFacingError):
    """A transition or action that is not possible now; the message says why."""


class AlertNotFoundError(AlertActionError):
    """The alert (or customer, or task) does not exist any more."""


@contextlib.contextmanager
def _unit(target: Engine | Session) -> Iterator[Session]:
    """One transaction: the caller's (Session) or a new one committed here (Engine)."""
    if isinstance(target, Session):
        with translate_db_errors():
            yield target
            target.flush()
        return
    with (
        translate_db_errors(),
        Session(target, expire_on_commit=False) as session,
        session.begin(),
    ):
        yield session


def _now(now: dt.datetime | None) -> dt.datetime:
    return aware(now) if now is not None else utcnow()


def _load(session: Session, alert_id: int) -> Alert:
    alert = session.get(Alert, alert_id, with_for_update=True)
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
class _Doing:
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
        alert.updated_at = self.now
        self.audit(action, _entity(alert), {"from": before, "to": to, **details})


def _entity(alert: Alert) -> tuple[str, int]:
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


def _refuse_held_back(alert: Alert, doing: str) -> None:
    """Calls, notes and tasks belong to alerts in the queue: a held-back alert is not one
    yet (and the next scoring replaces it, which would orphan what was logged on it)."""
    if alert.status == HELD_BACK:
        raise _refuse(alert, HELD_BACK, doing)


def _note(note: str | None) -> str | None:
    text = (note or "").strip()
    return text or None


# --- transitions ---------------------------------------------------------------------------


def start_alert(
    target: Engine | Session,
    alert_id: int,
    *,
    note: str | None = None,
    actor: str | None = None,
    now: dt.datetime | None = None,
) -> AlertState:
    """Open (or snoozed) -> in progress: someone is working on it."""
    when, who = _now(now), actor or default_actor()
    with _unit(target) as session:
        alert = _load(session, alert_id)
        status = effective_status(alert, when)
        if status not in ("open", "snoozed"):
            raise _refuse(alert, status, "start it")
        _clear_snooze(alert)
        _Doing(session, when, who).move(
            alert, "in_progress", "alert.started", {"note": _note(note)}
        )
        return _state(alert)


def resolve_alert(
    target: Engine | Session,
    alert_id: int,
    outcome: str,
    *,
    note: str | None = None,
    actor: str | None = None,
    now: dt.datetime | None = None,
) -> AlertState:
    """Open, in progress or snoozed -> resolved, with an outcome (won_back, lost,
    no_action_needed, other)."""
    if outcome not in OUTCOMES:
        choices = ", ".join(OUTCOME_LABELS[o].lower() for o in OUTCOMES)
        raise AlertActionError(f"'{outcome}' is not an outcome; choose one of {choices}.")
    when, who = _now(now), actor or default_actor()
    with _unit(target) as session:
        alert = _load(session, alert_id)
        status = effective_status(alert, when)
        if status not in ACTIVE_STATUSES:
            raise _refuse(alert, status, "resolve it")
        _clear_snooze(alert)
        alert.outcome = outcome
        alert.resolved_at = when
        _Doing(session, when, who).move(
            alert, "resolved", "alert.resolved", {"outcome": outcome, "note": _note(note)}
        )
        return _state(alert)


def dismiss_alert(
    target: Engine | Session,
    alert_id: int,
    *,
    note: str | None = None,
    actor: str | None = None,
    now: dt.datetime | None = None,
) -> AlertState:
    """Open, in progress or snoozed -> dismissed (not worth acting on)."""
    when, who = _now(now), actor or default_actor()
    with _unit(target) as session:
        alert = _load(session, alert_id)
        status = effective_status(alert, when)
        if status not in ACTIVE_STATUSES:
            raise _refuse(alert, status, "dismiss it")
        _clear_snooze(alert)
        alert.outcome = None
        alert.resolved_at = when
        _Doing(session, when, who).move(
            alert, "dismissed", "alert.dismissed", {"note": _note(note)}
        )
        return _state(alert)


def snooze_alert(
    target: Engine | Session,
    alert_id: int,
    *,
    until: dt.date | None = None,
    until_clear: bool = False,
    note: str | None = None,
    actor: str | None = None,
    now: dt.datetime | None = None,
) -> AlertState:
    """Open, in progress or snoozed -> snoozed until a date (a day after today, UTC; the
    alert comes back when that day begins) or until the rule's condition clears."""
    when, who = _now(now), actor or default_actor()
    if (until is None) == (not until_clear):
        raise AlertActionError("Snooze until a date, or until the condition clears (not both).")
    if until is not None and until <= when.date():
        raise AlertActionError(
            f"Snooze until a day after today ({when.date().isoformat()}); "
            f"{until.isoformat()} is not."
        )
    with _unit(target) as session:
        alert = _load(session, alert_id)
        status = effective_status(alert, when)
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
        _Doing(session, when, who).move(alert, "snoozed", "alert.snoozed", details)
        return _state(alert)


def reopen_alert(
    target: Engine | Session,
    alert_id: int,
    *,
    note: str | None = None,
    actor: str | None = None,
    now: dt.datetime | None = None,
) -> AlertState:
    """Resolved, dismissed or snoozed -> open again."""
    when, who = _now(now), actor or default_actor()
    with _unit(target) as session:
        alert = _load(session, alert_id)
        status = effective_status(alert, when)
        if status in ("open", "in_progress"):
            raise AlertActionError(
                f"Cannot reopen it: this alert is {STATUS_LABELS[status].lower()} already."
            )
        if status == HELD_BACK:
            raise _refuse(alert, status, "reopen it")
        if status not in ACTIVE_STATUSES:
            other = session.scalar(
                select(Alert.id).where(
                    Alert.customer_id == alert.customer_id,
                    Alert.rule_key == alert.rule_key,
                    Alert.status.in_(ACTIVE_STATUSES),
                    Alert.id != alert.id,
                )
            )
            if other is not None:
                raise AlertActionError(
                    f"Cannot reopen it: the same alert is already active for this customer "
                    f"(alert {other}); work on that one."
                )
        _clear_snooze(alert)
        alert.outcome = None
        alert.resolved_at = None
        _Doing(session, when, who).move(alert, "open", "alert.reopened", {"note": _note(note)})
        return _state(alert)


def raise_alert(
    target: Engine | Session,
    alert_id: int,
    *,
    note: str | None = None,
    customer_id: int | None = None,
    actor: str | None = None,
    now: dt.datetime | None = None,
) -> AlertState:
    """Held back by the daily cap -> open: the user wants it in today's queue after all.

    ``customer_id``: whose alert the user saw; refused if the id is now another
    customer's (a scoring elsewhere replaced the held-back alerts since the list loaded).
    """
    when, who = _now(now), actor or default_actor()
    with _unit(target) as session:
        alert = _load(session, alert_id)
        if customer_id is not None and int(alert.customer_id) != int(customer_id):
            raise AlertNotFoundError(
                "This held-back alert was replaced by a later scoring; refresh the list "
                "and raise it again."
            )
        status = effective_status(alert, when)
        if status != HELD_BACK:
            label = STATUS_LABELS.get(status, status).lower()
            raise AlertActionError(f"Cannot raise it: this alert is {label}, not held back.")
        other = session.scalar(
            select(Alert.id).where(
                Alert.customer_id == alert.customer_id,
                Alert.rule_key == alert.rule_key,
                Alert.status.in_(ACTIVE_STATUSES),
                Alert.id != alert.id,
            )
        )
        if other is not None:
            raise AlertActionError(
                f"Cannot raise it: the same alert is already active for this customer "
                f"(alert {other}); work on that one."
            )
        _Doing(session, when, who).move(alert, "open", "alert.raised", {"note": _note(note)})
        return _state(alert)


def _clear_snooze(alert: Alert) -> None:
    alert.snoozed_until = None
    alert.snooze_until_clear = False


# --- the customer ----------------------------------------------------------------------------


def set_do_not_contact(
    target: Engine | Session,
    customer_id: int,
    value: bool = True,
    *,
    actor: str | None = None,
    now: dt.datetime | None = None,
) -> bool:
    """Mark a customer do-not-contact (or clear the mark); returns whether it changed.

    Their alerts stay (the account manager should still know) but the window offers no
    outreach, emails cannot be logged, and no expansion alert is raised for them.
    """
    when, who = _now(now), actor or default_actor()
    with _unit(target) as session:
        customer = session.get(Customer, customer_id, with_for_update=True)
        if customer is None:
            raise AlertNotFoundError(f"Customer {customer_id} no longer exists.")
        if bool(customer.do_not_contact) == value:
            return False
        # A textual UPDATE: the flag feeds no per-customer rollup, so this write must not
        # mark the rollups stale (services/rollups.py watches SQLAlchemy UPDATEs of
        # customers and would send the customers table to live aggregates).
        session.execute(
            sql_text(
                "UPDATE customers SET do_not_contact = :value, updated_at = :now WHERE id = :id"
            ).bindparams(bindparam("now", type_=UTCDateTime)),
            {"value": value, "now": when, "id": customer_id},
        )
        session.expire(customer)
        _Doing(session, when, who).audit(
            "customer.do_not_contact", ("customer", int(customer_id)), {"value": value}
        )
        return True


def _customer_name(customer: Customer) -> str:
    return customer.name or customer.email or f"Customer {customer.id}"


def _unsubscribed(session: Session, customer_id: int) -> bool:
    return bool(
        session.scalar(
            select(
                exists().where(
                    Interaction.customer_id == customer_id, Interaction.kind == "unsubscribe"
                )
            )
        )
    )


# --- actions ---------------------------------------------------------------------------------


def _record(action: Action) -> ActionRecord:
    return ActionRecord(
        id=int(action.id),
        customer_id=int(action.customer_id),
        alert_id=action.alert_id,
        kind=action.kind,
        title=action.title,
        body=action.body,
        due_date=action.due_date,
        done_at=action.done_at,
        created_by=action.created_by,
        created_at=action.created_at,
    )


def _text(text: str, what: str) -> str:
    clean = (text or "").strip()
    if not clean:
        raise AlertActionError(f"Write {what} first.")
    return clean


def _title(text: str) -> str:
    first = text.splitlines()[0].strip()
    return first if len(first) <= TITLE_LENGTH else first[: TITLE_LENGTH - 1] + "…"


def _started_by_contact(session: Session, alert: Alert, now: dt.datetime, actor: str) -> None:
    if effective_status(alert, now) == "open":
        _clear_snooze(alert)
        _Doing(session, now, actor).move(
            alert, "in_progress", "alert.started", {"note": "contacted the customer"}
        )


def _add_action(
    session: Session,
    alert: Alert,
    *,
    kind: str,
    text: str,
    actor: str,
    now: dt.datetime,
    due: dt.date | None = None,
) -> Action:
    action = Action(
        customer_id=alert.customer_id,
        alert_id=alert.id,
        kind=kind,
        title=_title(text),
        body=text if "\n" in text or len(text) > TITLE_LENGTH else None,
        due_date=due,
        created_by=actor,
        created_at=now,
    )
    session.add(action)
    session.flush()
    return action


def _log_interaction(
    session: Session,
    alert: Alert | None,
    *,
    kind: str,
    subject: str,
    body: str | None,
    actor: str,
    now: dt.datetime,
    refs: dict[str, int],
    customer_id: int | None = None,
) -> None:
    """The same contact as an interaction, so that the customer's timeline shows it.

    ``alert`` may be None for an email sent outside any alert (then ``customer_id`` says
    whose). Written as text SQL on purpose: calls, notes and emails feed no per-customer
    rollup (those count paid orders, open tickets and open deals), so this write must not
    mark the rollups stale the way services/rollups.py marks every SQLAlchemy write to
    ``interactions``.
    """
    customer = alert.customer_id if alert is not None else customer_id
    alert_ref = {"alert_id": int(alert.id)} if alert is not None else {}
    session.execute(
        sql_text(
            "INSERT INTO interactions (customer_id, kind, occurred_at, channel, subject, text, "
            "source, attributes) VALUES (:customer, :kind, :now, :channel, :subject, :body, "
            ":source, :attributes)"
        ).bindparams(bindparam("now", type_=UTCDateTime), bindparam("attributes", type_=JSONType)),
        {
            "customer": customer,
            "kind": kind,
            "now": now,
            "channel": {"call": "phone", "email_sent": "email"}.get(kind),
            "subject": subject,
            "body": body,
            "source": APP_SOURCE,
            "attributes": {"by": actor, **alert_ref, **refs},
        },
    )


def log_call(
    target: Engine | Session,
    alert_id: int,
    text: str,
    *,
    actor: str | None = None,
    now: dt.datetime | None = None,
) -> ActionRecord:
    """Log a call with the customer (what was said) against an alert.

    The call counts as contact: no new alert is raised for the customer during the
    cool-down. An open alert moves to in progress.
    """
    said = _text(text, "what was said on the call")
    return _log_contact(target, alert_id, "call", said, "alert.call_logged", actor, now)


def add_note(
    target: Engine | Session,
    alert_id: int,
    text: str,
    *,
    actor: str | None = None,
    now: dt.datetime | None = None,
) -> ActionRecord:
    """Add a note to an alert (any status but held back); the status does not change."""
    said = _text(text, "the note")
    return _log_contact(target, alert_id, "note", said, "alert.note_added", actor, now)


def _log_contact(
    target: Engine | Session,
    alert_id: int,
    kind: str,
    said: str,
    audit_action: str,
    actor: str | None,
    now: dt.datetime | None,
) -> ActionRecord:
    """A call or note: the action, its interaction (the timeline) and the audit event; a
    call is contact, so an open alert moves to in progress."""
    when, who = _now(now), actor or default_actor()
    with _unit(target) as session:
        alert = _load(session, alert_id)
        _refuse_held_back(alert, f"log a {kind}")
        action = _add_action(session, alert, kind=kind, text=said, actor=who, now=when)
        _log_interaction(
            session,
            alert,
            kind=kind,
            subject=action.title,
            body=action.body,
            actor=who,
            now=when,
            refs={"action_id": int(action.id)},
        )
        _Doing(session, when, who).audit(
            audit_action, _entity(alert), {"action_id": int(action.id), "text": said}
        )
        if kind == "call":
            _started_by_contact(session, alert, when, who)
        return _record(action)


def create_task(
    target: Engine | Session,
    alert_id: int,
    text: str,
    due: dt.date,
    *,
    actor: str | None = None,
    now: dt.datetime | None = None,
) -> ActionRecord:
    """Create a task with a due date (today or later, UTC) for an alert."""
    when, who = _now(now), actor or default_actor()
    said = _text(text, "what the task is")
    if due < when.date():
        raise AlertActionError(
            f"The due date {due.isoformat()} has passed; choose today or a later day."
        )
    with _unit(target) as session:
        alert = _load(session, alert_id)
        _refuse_held_back(alert, "add a task")
        action = _add_action(session, alert, kind="task", text=said, actor=who, now=when, due=due)
        details = {"action_id": int(action.id), "text": action.title, "due": due.isoformat()}
        _Doing(session, when, who).audit("alert.task_created", _entity(alert), details)
        return _record(action)


def complete_task(
    target: Engine | Session,
    action_id: int,
    *,
    actor: str | None = None,
    now: dt.datetime | None = None,
) -> ActionRecord:
    """Mark a task done."""
    when, who = _now(now), actor or default_actor()
    with _unit(target) as session:
        action = session.get(Action, action_id, with_for_update=True)
        if action is None or action.kind != "task":
            raise AlertNotFoundError(f"Task {action_id} no longer exists.")
        if action.done_at is not None:
            raise AlertActionError("This task is already done.")
        action.done_at = when
        entity = ("alert", int(action.alert_id)) if action.alert_id else ("action", action_id)
        _Doing(session, when, who).audit(
            "alert.task_done", entity, {"action_id": int(action_id), "text": action.title}
        )
        return _record(action)


def log_email_sent(
    target: Engine | Session,
    alert_id: int,
    subject: str,
    *,
    body: str | None = None,
    actor: str | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Record an email sent to the customer (outside the app) against an alert; returns
    the outreach id. Refused for do-not-contact and unsubscribed customers. Counts as
    contact for the cool-down; an open alert moves to in progress."""
    with _unit(target) as session:
        alert = _load(session, alert_id)
        return record_email(
            session,
            int(alert.customer_id),
            alert_id=alert_id,
            subject=subject,
            body=body,
            actor=actor,
            now=now,
        )


def record_email(
    target: Engine | Session,
    customer_id: int,
    *,
    alert_id: int | None,
    subject: str,
    body: str | None = None,
    status: str = "sent",
    recipient: str | None = None,
    provider: str | None = None,
    model: str | None = None,
    template: str | None = None,
    actor: str | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Record an email to a customer, sent or exported (handed to the user's mail
    program), with or without an alert, in one transaction; returns the outreach id.

    Writes the outreach row (recipient: the customer's address unless given; who wrote
    it: provider and model, or template), an ``email_sent`` interaction (the timeline;
    contact for the cool-down) and an audit event; an open alert moves to in progress.
    Refused, writing nothing, for do-not-contact and unsubscribed customers and for an
    alert of another customer.
    """
    if status not in OUTREACH_STATUSES:
        raise AlertActionError(f"'{status}' is not an email status; use sent or exported.")
    when, who = _now(now), actor or default_actor()
    title = _text(subject, "the email's subject")
    with _unit(target) as session:
        alert = _load(session, alert_id) if alert_id is not None else None
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise AlertNotFoundError(f"Customer {customer_id} no longer exists.")
        if alert is not None and alert.customer_id != customer.id:
            raise AlertActionError(
                f"Alert {alert_id} belongs to another customer; no email was logged."
            )
        if alert is not None and alert.status == HELD_BACK:
            # The email may be out already: it is kept as the customer's, not tied to an
            # alert that is not in the queue (the next scoring replaces held-back alerts).
            alert = None
        name = _customer_name(customer)
        if customer.do_not_contact:
            raise AlertActionError(f"{name} asked not to be contacted; no email was logged.")
        if _unsubscribed(session, customer.id):
            raise AlertActionError(f"{name} unsubscribed from emails; no email was logged.")
        outreach = Outreach(
            customer_id=customer.id,
            alert_id=alert.id if alert is not None else None,
            channel="email",
            status=status,
            recipient=(recipient or "").strip() or customer.email,
            subject=_title(title),
            body=body,
            provider=provider,
            model=model,
            template=template,
            created_at=when,
            sent_at=when,
        )
        session.add(outreach)
        session.flush()
        _log_interaction(
            session,
            alert,
            kind="email_sent",
            subject=outreach.subject or title,
            body=body,
            actor=who,
            now=when,
            refs={"outreach_id": int(outreach.id)},
            customer_id=int(customer.id),
        )
        details = {
            "outreach_id": int(outreach.id),
            "text": outreach.subject,
            "status": status if status != "sent" else None,
        }
        doing = _Doing(session, when, who)
        if alert is not None:
            doing.audit("alert.email_logged", _entity(alert), details)
            _started_by_contact(session, alert, when, who)
        else:
            doing.audit("customer.email_logged", ("customer", int(customer.id)), details)
        return int(outreach.id)


# --- one entry point for the window ---------------------------------------------------------

ACTIONS = ("start", "resolve", "dismiss", "reopen", "snooze", "do_not_contact", "log", "task")


def apply_alert_action(
    target: Engine | Session,
    alert_id: int,
    action: str,
    *,
    actor: str | None = None,
    now: dt.datetime | None = None,
    **params: Any,
) -> None:
    """Apply one action by name (what the window's action pane sends), in one transaction.

    ``start``; ``resolve`` (outcome, note); ``dismiss`` (note); ``reopen``; ``raise`` (a
    held-back alert into the queue); ``snooze``
    (until: date, or until_clear=True); ``do_not_contact`` (value, default True);
    ``log`` (kind: "call" or "note", text); ``task`` (text, due: date).
    """
    who: dict[str, Any] = {"actor": actor, "now": now}
    if action == "start":
        start_alert(target, alert_id, note=params.get("note"), **who)
    elif action == "resolve":
        resolve_alert(target, alert_id, params["outcome"], note=params.get("note"), **who)
    elif action == "dismiss":
        dismiss_alert(target, alert_id, note=params.get("note"), **who)
    elif action == "reopen":
        reopen_alert(target, alert_id, note=params.get("note"), **who)
    elif action == "raise":
        raise_alert(
            target,
            alert_id,
            note=params.get("note"),
            customer_id=params.get("customer_id"),
            **who,
        )
    elif action == "snooze":
        snooze_alert(
            target,
            alert_id,
            until=params.get("until"),
            until_clear=bool(params.get("until_clear", False)),
            note=params.get("note"),
            **who,
        )
    elif action == "do_not_contact":
        with _unit(target) as session:
            customer_id = _load(session, alert_id).customer_id
            set_do_not_contact(session, customer_id, bool(params.get("value", True)), **who)
    elif action == "log":
        kind = params.get("kind", "note")
        if kind == "call":
            log_call(target, alert_id, params.get("text", ""), **who)
        elif kind == "note":
            add_note(target, alert_id, params.get("text", ""), **who)
        else:
            raise AlertActionError(f"Cannot log '{kind}': log a call or a note.")
    elif action == "task":
        due = params.get("due")
        if not isinstance(due, dt.date):
            raise AlertActionError("Give the task a due date.")
        create_task(target, alert_id, params.get("text", ""), due, **who)
    else:
        raise AlertActionError(f"Unknown action '{action}'; one of {', '.join(ACTIONS)}.")
