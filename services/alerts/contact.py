"""Contact with a customer, on an alert or not: calls, notes, tasks and the
do-not-contact mark (an email sent or exported is recorded once, in
services/outreach/sent.py, which uses the contact helpers here). Each function is one
transaction of its own (an Engine), audited; ``set_do_not_contact_in`` does the same
inside a caller's transaction (a Session; the caller commits). The rules are in
services/alerts/lifecycle.py's docstring.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import Boolean, Engine, bindparam, exists, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from models.base import JSONType, UTCDateTime
from models.schema import Action, Alert, Customer, Interaction
from models.vocab import APP_SOURCE, CALL_CONVERSATION, CALL_OUTCOMES
from services.alerts.config import default_actor
from services.alerts.holdout import NOT_GIVEN as HOLDOUT_NO_REASON
from services.alerts.holdout import mark_contacted as mark_holdout_contacted
from services.alerts.lifecycle import (
    TITLE_LENGTH,
    AlertActionError,
    AlertNotFoundError,
    Doing,
    alert_entity,
    clear_snooze,
    effective_status,
    load_alert,
    moment,
    refuse_held_back,
    unit_of_work,
    within,
)
from services.alerts.records import (
    CALL_OUTCOME_LABELS,
    ActionRecord,
)
from services.core.formatting import format_date

# --- the customer ----------------------------------------------------------------------------


def set_do_not_contact(
    engine: Engine,
    customer_id: int,
    value: bool = True,
    *,
    actor: str | None = None,
    now: dt.datetime | None = None,
) -> bool:
    """Mark a customer do-not-contact (or clear the mark) in a transaction of its own;
    returns whether it changed (see set_do_not_contact_in)."""
    with unit_of_work(engine) as session:
        return set_do_not_contact_in(session, customer_id, value, actor=actor, now=now)


def set_do_not_contact_in(
    session: Session,
    customer_id: int,
    value: bool = True,
    *,
    actor: str | None = None,
    now: dt.datetime | None = None,
    note: str | None = None,
) -> bool:
    """Mark a customer do-not-contact (or clear the mark); returns whether it changed.

    Their alerts stay (the account manager should still know) but the window offers no
    outreach, emails cannot be logged, and no expansion alert is raised for them.
    ``note``: why, in the user's words (optional), kept in the audit and the history.
    """
    when, who = moment(now), actor or default_actor()
    with within(session):
        customer = session.get(Customer, customer_id, with_for_update=True)
        if customer is None:
            raise AlertNotFoundError(f"Customer {customer_id} no longer exists.")
        if bool(customer.do_not_contact) == value:
            return False
        set_customer_field(session, customer_id, "do_not_contact", value, when)
        Doing(session, when, who).audit(
            "customer.do_not_contact",
            ("customer", int(customer_id)),
            {"value": value, "note": (note or "").strip() or None},
        )
        return True


def end_quiet_period_in(
    doing: Doing, customer_id: int, reason: str
) -> tuple[dt.datetime | None, dt.datetime]:
    """End the customer's quiet period after contact now, with the user's reason (audited
    as "customer.quiet_period_ended"); returns the previous and the new end marks.

    Contact up to now no longer holds outreach back nor keeps new alerts from being
    raised; the next conversation or email starts a new quiet period.
    """
    why = _text(reason, "why the quiet period should end")
    customer = doing.session.get(Customer, customer_id, with_for_update=True)
    if customer is None:
        raise AlertNotFoundError(f"Customer {customer_id} no longer exists.")
    before = customer.quiet_override_at
    set_customer_field(doing.session, customer_id, "quiet_override_at", doing.now, doing.now)
    doing.audit("customer.quiet_period_ended", ("customer", int(customer_id)), {"text": why})
    return before, doing.now


def set_customer_field(
    session: Session, customer_id: int, column: str, value: object, now: dt.datetime
) -> None:
    """Write one of the customer's own marks (do_not_contact, quiet_override_at,
    tracking_opted_out_at).

    A textual UPDATE: these marks feed no per-customer rollup, so this write must not mark
    the rollups stale (services/core/rollups.py watches SQLAlchemy UPDATEs of customers and
    would send the customers table to live aggregates)."""
    if column not in ("do_not_contact", "quiet_override_at", "tracking_opted_out_at"):
        raise ValueError(f"not a customer mark: {column}")
    session.execute(
        sql_text(
            f"UPDATE customers SET {column} = :value, updated_at = :now WHERE id = :id"
        ).bindparams(
            bindparam("now", type_=UTCDateTime),
            bindparam("value", type_=Boolean if column == "do_not_contact" else UTCDateTime),
        ),
        {"value": value, "now": now, "id": customer_id},
    )
    customer = session.get(Customer, customer_id)
    if customer is not None:
        session.expire(customer)


def _customer_name(customer: Customer) -> str:
    """The account's name (services/core/account_names.py), read in its session."""
    from sqlalchemy.orm import object_session

    from services.core.account_names import account_name, name_of

    session = object_session(customer)
    if session is None:
        return account_name(customer.company, customer.name, customer.email, int(customer.id))
    return name_of(session, int(customer.id))


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


def started_by_contact(doing: Doing, alert: Alert, reason: str = "contacted the customer") -> bool:
    """An open alert moves to in progress when the customer is contacted (or called);
    returns whether it moved."""
    if effective_status(alert, doing.now) != "open":
        return False
    clear_snooze(alert)
    doing.move(alert, "in_progress", "alert.started", {"note": reason})
    return True


def _add_action(
    session: Session,
    alert: Alert,
    *,
    kind: str,
    text: str,
    actor: str,
    now: dt.datetime,
    due: dt.date | None = None,
    outcome: str | None = None,
) -> Action:
    action = Action(
        customer_id=alert.customer_id,
        alert_id=alert.id,
        kind=kind,
        title=_title(text),
        body=text if "\n" in text or len(text) > TITLE_LENGTH else None,
        outcome=outcome,
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
    status: str | None = None,
) -> int:
    """The same contact as an interaction, so that the customer's timeline shows it;
    returns its id.

    ``alert`` may be None for an email sent outside any alert (then ``customer_id`` says
    whose); ``status`` is a call's outcome. Written as text SQL on purpose: calls, notes
    and emails feed no per-customer rollup (those count paid orders, open tickets and open
    deals), so this write must not mark the rollups stale the way services/core/rollups.py
    marks every SQLAlchemy write to ``interactions``.
    """
    customer = alert.customer_id if alert is not None else customer_id
    alert_ref = {"alert_id": int(alert.id)} if alert is not None else {}
    row = session.execute(
        sql_text(
            "INSERT INTO interactions (customer_id, kind, occurred_at, channel, subject, text, "
            "status, source, external_id, attributes) VALUES (:customer, :kind, :now, "
            ":channel, :subject, :body, :status, :source, :key, :attributes) RETURNING id"
        ).bindparams(bindparam("now", type_=UTCDateTime), bindparam("attributes", type_=JSONType)),
        {
            "customer": customer,
            "kind": kind,
            "now": now,
            "channel": {"call": "phone", "email_sent": "email"}.get(kind),
            "subject": subject,
            "body": body,
            "status": status,
            "source": APP_SOURCE,
            # A key of its own, random so no two workspaces share one: a CRM file that
            # carries it back (services/crm_files) is the same activity, never a new one.
            "key": "radar-" + secrets.token_hex(8),
            "attributes": {"by": actor, **alert_ref, **refs},
        },
    ).one()
    return int(row[0])


@dataclass(frozen=True)
class Logged:
    """What logging a call or note wrote: the action and its timeline entry."""

    action: Action
    interaction_id: int


def log_in(
    doing: Doing, alert: Alert, kind: str, text: str, *, outcome: str | None = None
) -> Logged:
    """A call or note on an alert (any status but held back), inside the caller's
    transaction: the action, its interaction (the timeline) and the audit event.

    A call has an outcome (models.vocab.CALL_OUTCOMES, default a conversation) and moves an
    open alert to in progress; only a conversation counts as contact (the quiet period
    and the cool-down: services.alerts.contact_times.contact_times). A call needs no text when
    it did not reach the customer ("Left a voicemail" is said by the outcome).
    """
    if kind == "call":
        outcome = outcome or CALL_CONVERSATION
        if outcome not in CALL_OUTCOMES:
            choices = ", ".join(CALL_OUTCOME_LABELS[o].lower() for o in CALL_OUTCOMES)
            raise AlertActionError(f"'{outcome}' is not what came of a call; one of {choices}.")
        spoke = outcome == CALL_CONVERSATION
        said = (text or "").strip() if not spoke else _text(text, "what was said on the call")
        said = said or CALL_OUTCOME_LABELS[outcome]
        audit_action = "alert.call_logged"
    elif kind == "note":
        outcome, said, audit_action = None, _text(text, "the note"), "alert.note_added"
    else:
        raise AlertActionError(f"Cannot log '{kind}': log a call or a note.")
    refuse_held_back(alert, f"log a {kind}")
    action = _add_action(
        doing.session,
        alert,
        kind=kind,
        text=said,
        actor=doing.actor,
        now=doing.now,
        outcome=outcome,
    )
    interaction = _log_interaction(
        doing.session,
        alert,
        kind=kind,
        subject=action.title,
        body=action.body,
        actor=doing.actor,
        now=doing.now,
        refs={"action_id": int(action.id)},
        status=outcome,
    )
    details = {"action_id": int(action.id), "text": said, "outcome": outcome}
    doing.audit(audit_action, alert_entity(alert), details)
    if kind == "call" and outcome == CALL_CONVERSATION:
        holdout_contacted(doing, int(alert.customer_id), "a conversation by phone")
    return Logged(action, interaction)


def holdout_contacted(doing: Doing, customer_id: int, reason: str | None) -> list[int]:
    """A held-out customer contacted anyway: mark their holdout alerts (Learn counts the
    customer in neither group) and audit each; nothing for a customer in no holdout."""
    marked = mark_holdout_contacted(doing.session, customer_id, doing.now, reason)
    for alert_id in marked:
        details = {"reason": (reason or "").strip() or HOLDOUT_NO_REASON}
        doing.audit("alert.holdout_contacted", ("alert", alert_id), details)
    return marked


def log_call(
    engine: Engine,
    alert_id: int,
    text: str,
    *,
    outcome: str = CALL_CONVERSATION,
    actor: str | None = None,
    now: dt.datetime | None = None,
) -> ActionRecord:
    """Log a call with the customer against an alert: what came of it (a conversation,
    a voicemail, no answer, a wrong number) and what was said.

    A conversation counts as contact (no new alert for the customer during the
    cool-down, no outreach in the quiet period); every call moves an open alert to in
    progress (someone is working on it).
    """
    when, who = moment(now), actor or default_actor()
    with unit_of_work(engine) as session:
        alert = load_alert(session, alert_id)
        doing = Doing(session, when, who)
        logged = log_in(doing, alert, "call", text, outcome=outcome)
        started_by_contact(doing, alert, call_reason(outcome))
        return _record(logged.action)


def call_reason(outcome: str | None) -> str:
    """Why a call moved an alert to in progress, as the history says it."""
    if outcome in (None, CALL_CONVERSATION):
        return "contacted the customer"
    return f"called the customer ({CALL_OUTCOME_LABELS.get(outcome or '', outcome)})".lower()


def add_note(
    engine: Engine,
    alert_id: int,
    text: str,
    *,
    actor: str | None = None,
    now: dt.datetime | None = None,
) -> ActionRecord:
    """Add a note to an alert (any status but held back); the status does not change."""
    when, who = moment(now), actor or default_actor()
    with unit_of_work(engine) as session:
        alert = load_alert(session, alert_id)
        return _record(log_in(Doing(session, when, who), alert, "note", text).action)


def task_in(doing: Doing, alert: Alert, text: str, due: dt.date) -> Action:
    """A task with a due date (today or later, UTC) on an alert, inside the caller's
    transaction."""
    said = _text(text, "what the task is")
    if due < doing.now.date():
        raise AlertActionError(
            f"The due date {format_date(due)} has passed; choose today or a later day."
        )
    refuse_held_back(alert, "add a task")
    action = _add_action(
        doing.session, alert, kind="task", text=said, actor=doing.actor, now=doing.now, due=due
    )
    details = {"action_id": int(action.id), "text": action.title, "due": due.isoformat()}
    doing.audit("alert.task_created", alert_entity(alert), details)
    return action


def create_task(
    engine: Engine,
    alert_id: int,
    text: str,
    due: dt.date,
    *,
    actor: str | None = None,
    now: dt.datetime | None = None,
) -> ActionRecord:
    """Create a task with a due date (today or later, UTC) for an alert."""
    when, who = moment(now), actor or default_actor()
    with unit_of_work(engine) as session:
        alert = load_alert(session, alert_id)
        return _record(task_in(Doing(session, when, who), alert, text, due))


def complete_task(
    engine: Engine,
    action_id: int,
    *,
    actor: str | None = None,
    now: dt.datetime | None = None,
) -> ActionRecord:
    """Mark a task done."""
    when, who = moment(now), actor or default_actor()
    with unit_of_work(engine) as session:
        return _record(complete_task_in(Doing(session, when, who), action_id))


def load_task(session: Session, action_id: int) -> Action:
    """An open or done task, locked for a change; refused when it no longer exists."""
    action = session.get(Action, action_id, with_for_update=True)
    if action is None or action.kind != "task":
        raise AlertNotFoundError(f"Task {action_id} no longer exists.")
    return action


def task_entity(action: Action) -> tuple[str, int]:
    """What a task's audit events are about: its alert, else the task itself."""
    return ("alert", int(action.alert_id)) if action.alert_id else ("action", int(action.id))


def complete_task_in(doing: Doing, action_id: int) -> Action:
    """Mark a task done inside the caller's transaction (audited "alert.task_done")."""
    action = load_task(doing.session, action_id)
    if action.done_at is not None:
        raise AlertActionError("This task is already done.")
    action.done_at = doing.now
    doing.audit(
        "alert.task_done", task_entity(action), {"action_id": int(action_id), "text": action.title}
    )
    return action
