"""My work: what one account manager has to do today, and the task actions behind it.

``my_work(engine, user=..., owner=...)`` reads three lists in one snapshot:

- **Tasks**: open tasks (``actions`` of kind task not done), overdue first, then due
  today, then later (by due date, then the oldest first). A task is the user's when
  they created it or when they own its customer or its alert (``owner``: the owner name
  the alert list's "Mine" matches), or when an escalation assigned it to them.
- **Coming back**: alerts snoozed until a date within the next
  ``SNOOZE_HORIZON_DAYS`` days (soonest first), then those snoozed until their
  condition clears. A snooze whose date has come is open again and is not listed.
- **Follow-ups**: alerts in progress where the customer was contacted (a call of any
  outcome, or an email recorded as sent or exported) but nothing at all happened in the
  last ``FOLLOW_UP_DAYS`` days: no contact, no call, note or task on the alert. An
  alert with an open task is left out (the task is the plan, listed above). ``why``
  says the last contact in words.
- **Playbook steps**: the steps of running playbooks due by today, not done or skipped
  (services/alerts/playbooks.py, which also says whose they are).
- **Renewals**: the owner's renewal calls due at a checkpoint, then the calls the model
  disagrees with by the margin (services/alerts/renewal_work.py): those of the owner's
  customers (none without an owner name, as the overdue alerts), or every owner's with
  ``everyone`` (where a team lead looks), each saying whose call it is.

Snoozes and follow-ups are the user's when they own the alert or its customer, or when
they acted on the alert (an audit event in their name). ``everyone=True`` lists every
user's. "Today" is the UTC day, as tasks' due dates count (services.alerts.contact).

``complete_task_with_undo`` and ``reschedule_task`` change one task in a transaction of
their own, audited, and return a services.alerts.records.Undoable that
services.alerts.undo.undo_change takes back (the task's due date and done time).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from models.schema import Action, Alert, AuditEvent, Customer, Escalation, Outreach
from models.vocab import OUTREACH_STATUSES
from services.alerts._db import aware, reading
from services.alerts.config import RULE_TITLES, default_actor
from services.alerts.contact import complete_task_in, load_task, task_entity
from services.alerts.lifecycle import AlertActionError, Doing, moment, unit_of_work
from services.alerts.mentions import work_notices
from services.alerts.playbooks import steps_due
from services.alerts.records import CALL_OUTCOME_LABELS, TaskBefore, Undoable
from services.alerts.renewal_work import renewal_work
from services.alerts.sla import overdue_alerts_in
from services.alerts.work_records import (
    FOLLOW_UP_DAYS,
    SNOOZE_HORIZON_DAYS,
    MyWork,
    WorkFollowUp,
    WorkSnooze,
    WorkTask,
)
from services.core.account_names import account_name_sql, name_of
from services.core.formatting import days_ago, format_date

__all__ = ["complete_task_with_undo", "my_work", "reschedule_task", "reschedule_task_in"]


def my_work(
    engine: Engine,
    *,
    user: str,
    owner: str | None = None,
    everyone: bool = False,
    now: dt.datetime | None = None,
    follow_up_days: int = FOLLOW_UP_DAYS,
) -> MyWork:
    """The user's open tasks, snoozed alerts coming back and follow-ups (module doc)."""
    when = moment(now)
    today = when.date()
    with reading(engine) as conn, Session(bind=conn) as session:
        tasks = _tasks(session, user, owner, everyone, today)
        snoozed = _snoozed(session, user, owner, everyone, when)
        follow_ups = _follow_ups(session, user, owner, everyone, when, follow_up_days)
        notices = work_notices(session, user, owner, everyone)  # services/alerts/mentions.py
        steps = steps_due(session, user=user, owner=owner, everyone=everyone, today=today)
        late = overdue_alerts_in(session, owner, everyone, when)  # services/alerts/sla.py
        renewals, elsewhere = renewal_work(session, owner, everyone, today)  # renewal_work.py
    return MyWork(
        user=user,
        owner=owner,
        everyone=everyone,
        today=today,
        tasks=tasks,
        snoozed=snoozed,
        follow_ups=follow_ups,
        follow_up_days=follow_up_days,
        notices=notices,
        steps=steps,
        overdue_alerts=late,
        renewals=renewals,
        renewals_elsewhere=elsewhere,
    )


def _owned(owner: str | None) -> list[Any]:
    """Conditions: the alert or its customer belongs to the owner name."""
    if not owner:
        return []
    return [Customer.owner == owner, Alert.owner == owner]


def _tasks(
    session: Session, user: str, owner: str | None, everyone: bool, today: dt.date
) -> tuple[WorkTask, ...]:
    query = (
        select(
            Action.id,
            Action.customer_id,
            account_name_sql().label("account"),
            Customer.owner,
            Action.title,
            Action.due_date,
            Action.alert_id,
            Alert.rule_key,
            Alert.status,
            Action.created_by,
        )
        .join(Customer, Customer.id == Action.customer_id)
        .outerjoin(Alert, Alert.id == Action.alert_id)
        .where(Action.kind == "task", Action.done_at.is_(None))
    )
    if not everyone:
        mine = [Action.created_by == user, *_owned(owner)]
        if owner:  # an escalation's task is its assignee's (the team lead, the deal's owner)
            mine.append(
                Action.id.in_(select(Escalation.action_id).where(Escalation.assignee == owner))
            )
        query = query.where(or_(*mine))
    found = []
    for row in session.execute(query):
        due = row.due_date or today  # a task always has one; an old row may not
        found.append(
            WorkTask(
                id=int(row.id),
                customer_id=int(row.customer_id),
                customer=row.account,
                title=row.title,
                due_date=due,
                due_in_days=(due - today).days,
                alert_id=int(row.alert_id) if row.alert_id is not None else None,
                alert=RULE_TITLES.get(row.rule_key, row.rule_key) if row.rule_key else None,
                alert_status=row.status,
                created_by=row.created_by,
                owner=row.owner,
            )
        )
    found.sort(key=lambda t: (t.due_date, t.id))
    return tuple(found)


def _acted_on_by(user: str) -> Any:
    """The alert has an audit event in the user's name (they worked on it)."""
    return exists().where(
        AuditEvent.entity_type == "alert",
        AuditEvent.entity_id == Alert.id,
        AuditEvent.actor == user,
    )


def _alerts_of(user: str, owner: str | None, everyone: bool) -> Any:
    query = select(
        Alert.id,
        Alert.customer_id,
        account_name_sql().label("account"),
        Alert.rule_key,
        Alert.reason,
        Alert.owner,
        Customer.owner.label("customer_owner"),
        Alert.snoozed_until,
        Alert.snooze_until_clear,
    ).join(Customer, Customer.id == Alert.customer_id)
    if not everyone:
        query = query.where(or_(_acted_on_by(user), *_owned(owner)))
    return query


def _snoozed(
    session: Session, user: str, owner: str | None, everyone: bool, now: dt.datetime
) -> tuple[WorkSnooze, ...]:
    today = now.date()
    horizon = dt.datetime.combine(
        today + dt.timedelta(days=SNOOZE_HORIZON_DAYS + 1), dt.time(), tzinfo=dt.UTC
    )
    query = _alerts_of(user, owner, everyone).where(
        Alert.status == "snoozed",
        or_(
            Alert.snooze_until_clear.is_(True),
            and_(Alert.snoozed_until > now, Alert.snoozed_until < horizon),
        ),
    )
    found = []
    for row in session.execute(query):
        until = aware(row.snoozed_until) if row.snoozed_until is not None else None
        if until is None and not row.snooze_until_clear:
            continue
        found.append(
            WorkSnooze(
                alert_id=int(row.id),
                customer_id=int(row.customer_id),
                customer=row.account,
                alert=RULE_TITLES.get(row.rule_key, row.rule_key),
                reason=row.reason,
                owner=row.owner or row.customer_owner,
                snoozed_until=until,
                back_in_days=(until.date() - today).days if until is not None else None,
            )
        )
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    found.sort(key=lambda s: (s.snoozed_until or far, s.alert_id))
    return tuple(found)


def _follow_ups(
    session: Session,
    user: str,
    owner: str | None,
    everyone: bool,
    now: dt.datetime,
    days: int,
) -> tuple[WorkFollowUp, ...]:
    open_task = exists().where(
        Action.alert_id == Alert.id, Action.kind == "task", Action.done_at.is_(None)
    )
    candidates = list(
        session.execute(
            _alerts_of(user, owner, everyone).where(Alert.status == "in_progress", ~open_task)
        )
    )
    if not candidates:
        return ()
    customers = {int(r.customer_id) for r in candidates}
    alert_ids = [int(r.id) for r in candidates]
    contacts = _last_contacts(session, customers)
    # The last thing written on each alert: a call, note or task, or a task done.
    activity: dict[int, dt.datetime] = {}
    for alert_id, created, done in session.execute(
        select(Action.alert_id, func.max(Action.created_at), func.max(Action.done_at))
        .where(Action.alert_id.in_(alert_ids))
        .group_by(Action.alert_id)
    ):
        moments = [aware(_stamp(v)) for v in (created, done) if v is not None]
        if alert_id is not None and moments:
            activity[int(alert_id)] = max(moments)
    cutoff = now - dt.timedelta(days=days)
    found = []
    for row in candidates:
        contact = contacts.get(int(row.customer_id))
        if contact is None:
            continue  # never contacted: nothing to chase (it is in the alert list)
        at, said = contact
        latest = max(at, activity.get(int(row.id), at))
        if latest > cutoff:
            continue
        since = (now.date() - at.date()).days
        why = said.format(ago=days_ago(since))
        written = activity.get(int(row.id))
        if written is not None and written > at:
            why += f"; last activity {days_ago((now.date() - written.date()).days)}"
        else:
            why += "; nothing since"
        found.append(
            WorkFollowUp(
                alert_id=int(row.id),
                customer_id=int(row.customer_id),
                customer=row.account,
                alert=RULE_TITLES.get(row.rule_key, row.rule_key),
                owner=row.owner or row.customer_owner,
                last_contact_at=at,
                days_since=since,
                why=why,
            )
        )
    found.sort(key=lambda f: (f.last_contact_at, f.alert_id))
    return tuple(found)


def _stamp(value: Any) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))


def _last_contacts(session: Session, customers: set[int]) -> dict[int, tuple[dt.datetime, str]]:
    """Each customer's last call (any outcome) or recorded email, and how it is said
    ("Called {ago} (no answer)": ``ago`` is filled in by the caller)."""
    last: dict[int, tuple[dt.datetime, str]] = {}

    def keep(customer_id: int, at: dt.datetime, said: str) -> None:
        if customer_id not in last or at > last[customer_id][0]:
            last[customer_id] = (at, said)

    ids = sorted(customers)
    for cid, at, outcome in session.execute(
        select(Action.customer_id, Action.created_at, Action.outcome).where(
            Action.kind == "call", Action.customer_id.in_(ids)
        )
    ):
        label = CALL_OUTCOME_LABELS.get(outcome or "connected", "")
        keep(int(cid), aware(at), f"Called {{ago}} ({label.lower()})" if label else "Called {ago}")
    sent = func.coalesce(Outreach.sent_at, Outreach.created_at)
    for cid, at in session.execute(
        select(Outreach.customer_id, sent).where(
            Outreach.customer_id.in_(ids), Outreach.status.in_(OUTREACH_STATUSES)
        )
    ):
        keep(int(cid), aware(_stamp(at)), "Emailed {ago}")
    return last


# --- changing a task -------------------------------------------------------------------------


def _customer_name(session: Session, customer_id: int) -> str:
    return name_of(session, customer_id)


def complete_task_with_undo(
    engine: Engine,
    action_id: int,
    *,
    actor: str | None = None,
    now: dt.datetime | None = None,
) -> Undoable:
    """Mark a task done (audited "alert.task_done"); returns what undoing it restores."""
    when, who = moment(now), actor or default_actor()
    with unit_of_work(engine) as session:
        task = complete_task_in(Doing(session, when, who), action_id)
        session.flush()
        name = _customer_name(session, int(task.customer_id))
        return Undoable(
            label=f"Completed task for {name}: {task.title}",
            undid="alert.task_done",
            customer_id=int(task.customer_id),
            tasks=(TaskBefore(int(task.id), task.due_date, None, task.due_date, task.done_at),),
        )


def reschedule_task_in(doing: Doing, action_id: int, due: dt.date) -> tuple[Action, dt.date | None]:
    """Move an open task to another due date (today or later, UTC) inside the caller's
    transaction, audited "alert.task_rescheduled"; returns the task and its due date before."""
    if due < doing.now.date():
        raise AlertActionError(
            f"The due date {format_date(due)} has passed; choose today or a later day."
        )
    task = load_task(doing.session, action_id)
    if task.done_at is not None:
        raise AlertActionError("This task is already done; it cannot be rescheduled.")
    before = task.due_date
    if before == due:
        raise AlertActionError(f"The task is already due on {format_date(due)}.")
    task.due_date = due
    details = {
        "action_id": int(task.id),
        "text": task.title,
        "from": before.isoformat() if before is not None else None,
        "due": due.isoformat(),
    }
    doing.audit("alert.task_rescheduled", task_entity(task), details)
    return task, before


def reschedule_task(
    engine: Engine,
    action_id: int,
    due: dt.date,
    *,
    actor: str | None = None,
    now: dt.datetime | None = None,
) -> Undoable:
    """Move an open task to another due date (today or later, UTC), audited
    "alert.task_rescheduled"; returns what undoing it restores."""
    when, who = moment(now), actor or default_actor()
    with unit_of_work(engine) as session:
        task, before = reschedule_task_in(Doing(session, when, who), action_id, due)
        session.flush()
        name = _customer_name(session, int(task.customer_id))
        return Undoable(
            label=f"Rescheduled task for {name} to {format_date(due)}",
            undid="alert.task_rescheduled",
            customer_id=int(task.customer_id),
            tasks=(TaskBefore(int(task.id), before, None, due, None),),
        )
