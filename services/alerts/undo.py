"""Undo: put back what one user action changed (a services.alerts.records.Undoable), in
one transaction, audited.

What is restored: the lifecycle fields of the alerts the action moved (status, outcome,
snooze, resolved time); the customer's marks it set (do not contact, the end of a quiet
period); the tasks it changed (due date, done time); the playbook steps it did or
skipped (services/alerts/playbooks.py); a conversation's reading (its attributes). What
it wrote is removed: the call, note or task (the audit keeps what it said), its entry in
the customer's timeline, a playbook it started, and an owner's renewal call
(services/alerts/renewal_calls.py).

An undo is refused, changing nothing, when something changed the same records since
(another action, someone else's, a scoring that changed the alert, the same customer
marked again): the message says so and what to do instead. For an alert it says who
changed it, when and what it is now (UndoChangedError, services/alerts/conflict.py): an
undo never takes back someone else's change. The audit log keeps both the action and its
undoing ("alert.undone" or "customer.undone", with the action undone and its words).
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import Engine, delete, update
from sqlalchemy.orm import Session

from models.schema import Action, Alert, Customer, Interaction
from services.alerts._db import aware
from services.alerts.assign import set_owner_in
from services.alerts.config import default_actor
from services.alerts.conflict import changed_error, refusing_races
from services.alerts.contact import set_customer_field
from services.alerts.lifecycle import (
    AlertActionError,
    Doing,
    alert_entity,
    moment,
    touch,
    unit_of_work,
)
from services.alerts.playbooks import undo_playbooks_in
from services.alerts.records import (
    AlertBefore,
    AlertChangedError,
    AttributesBefore,
    MarkBefore,
    TaskBefore,
    Undoable,
)
from services.alerts.renewal_calls import undo_calls_in
from services.people.contacts import remove_contact_in, set_role_in


class UndoRefusedError(AlertActionError):
    """The records changed since the action: undoing it would overwrite that change."""


class UndoChangedError(UndoRefusedError, AlertChangedError):
    """The alert changed since the action (someone else acted on it, or a scoring):
    the message says who, when and what it is now; ``change`` carries it."""


def undo_change(
    engine: Engine,
    change: Undoable,
    *,
    actor: str | None = None,
    now: dt.datetime | None = None,
) -> str:
    """Undo one action; returns what was undone in words ("Undone: dismissed Chiara
    Sato"). Raises UndoRefusedError (nothing changed) when that is no longer possible."""
    if not change.can_undo:
        raise UndoRefusedError(f"{change.label} cannot be undone: {change.reason}")
    if change.owners:  # an assignment: whose it was comes back (services/alerts/assign.py)
        return _undo_assignment(engine, change, actor=actor, now=now)
    if change.team_filter is not None:
        return _undo_team_filter(engine, change, actor=actor)
    when, who = moment(now), actor or default_actor()
    read = {b.alert_id: b.version for b in change.alerts if b.version is not None}
    with (
        refusing_races(engine, read, now=when, actor=who, undo=True, error=UndoChangedError),
        unit_of_work(engine, write_first=True) as session,
    ):
        doing = Doing(session, when, who)
        card = len(change.alerts) > 1
        alerts = [_check_alert(doing, before, card=card) for before in change.alerts]
        _check_written(session, change)
        for mark in change.marks:
            _check_mark(session, change.customer_id, mark)
        tasks = [_check_task(session, before) for before in change.tasks]
        details = {"undid": change.undid, "text": change.label}
        for alert, before in zip(alerts, change.alerts, strict=True):
            _restore(alert, before, when)
            doing.audit("alert.undone", alert_entity(alert), details)
        if change.interaction_ids:
            session.execute(delete(Interaction).where(Interaction.id.in_(change.interaction_ids)))
        if change.action_ids:
            session.execute(delete(Action).where(Action.id.in_(change.action_ids)))
        for mark in change.marks:
            set_customer_field(session, change.customer_id, mark.column, mark.before, when)
        for task, was in zip(tasks, change.tasks, strict=True):
            task.due_date = was.due_date
            task.done_at = was.done_at
        _undo_playbooks(session, change)
        if change.renewal_call_ids:
            undo_calls_in(session, change.renewal_call_ids)
        for contact_id, before_role in change.contact_roles:
            set_role_in(session, contact_id, before_role, who)
        for contact_id in change.contacts_added:
            remove_contact_in(session, contact_id, who)
        for kept in change.attributes:
            _put_attributes_back(session, kept)
        if not change.alerts:
            doing.audit("customer.undone", ("customer", change.customer_id), details)
        return f"Undone: {change.label[:1].lower()}{change.label[1:]}"


def _put_attributes_back(session: Session, kept: AttributesBefore) -> None:
    row = session.get(Interaction, kept.interaction_id, with_for_update=True)
    if row is None:
        raise UndoRefusedError("The conversation no longer exists; nothing was undone.")
    if json.dumps(row.attributes, sort_keys=True) != kept.after:
        raise _changed_since("The conversation's reading")
    session.execute(
        update(Interaction)
        .where(Interaction.id == kept.interaction_id)
        .values(attributes=json.loads(kept.before))
    )


def _undo_playbooks(session: Session, change: Undoable) -> None:
    try:
        undo_playbooks_in(session, change)
    except UndoRefusedError:
        raise
    except AlertActionError as exc:  # refused: the whole undo is rolled back
        raise UndoRefusedError(str(exc)) from exc


def _changed_since(what: str) -> UndoRefusedError:
    return UndoRefusedError(
        f"{what} changed since, so it was not undone; look at it again and act on it anew."
    )


def _same_moment(a: dt.datetime | None, b: dt.datetime | None) -> bool:
    if a is None or b is None:
        return a is b
    return aware(a) == aware(b)


def _check_alert(doing: Doing, before: AlertBefore, *, card: bool) -> Alert:
    alert = doing.session.get(Alert, before.alert_id, with_for_update=True)
    if alert is None:
        raise UndoRefusedError(
            "The alert no longer exists (the workspace may have been rebuilt); nothing was undone."
        )
    moved = before.version is not None and int(alert.version) != before.version
    if moved or not _same_moment(alert.updated_at, before.changed_at):
        raise changed_error(
            doing.session,
            alert,
            now=doing.now,
            actor=doing.actor,
            card=card,
            undo=True,
            error=UndoChangedError,
        )
    return alert


def _check_written(session: Session, change: Undoable) -> None:
    for action_id in change.action_ids:
        action = session.get(Action, action_id, with_for_update=True)
        if action is None:
            raise UndoRefusedError("That call, note or task no longer exists; nothing was undone.")
        if action.kind == "task" and action.done_at is not None:
            raise _changed_since("The task (it was completed)")


def _check_mark(session: Session, customer_id: int, mark: MarkBefore) -> None:
    customer = session.get(Customer, customer_id, with_for_update=True)
    if customer is None:
        raise UndoRefusedError(f"Customer {customer_id} no longer exists; nothing was undone.")
    now_value = getattr(customer, mark.column)
    if isinstance(mark.after, bool):
        same = bool(now_value) == mark.after
    else:
        same = _same_moment(now_value, mark.after)
    if not same:
        raise _changed_since("The customer's mark")


def _check_task(session: Session, before: TaskBefore) -> Action:
    task = session.get(Action, before.action_id, with_for_update=True)
    if task is None or task.kind != "task":
        raise UndoRefusedError("The task no longer exists; nothing was undone.")
    if task.due_date != before.after_due_date or not _same_moment(
        task.done_at, before.after_done_at
    ):
        raise _changed_since("The task")
    return task


def _restore(alert: Alert, before: AlertBefore, now: dt.datetime) -> None:
    alert.status = before.status
    alert.outcome = before.outcome
    alert.snoozed_until = before.snoozed_until
    alert.snooze_until_clear = before.snooze_until_clear
    alert.resolved_at = before.resolved_at
    touch(alert, now)


def _undo_team_filter(engine: Engine, change: Undoable, *, actor: str | None) -> str:
    """Share the deleted team filter again where it stood (the setting's change is
    audited as any is); refused, changing nothing, when one of its name exists again."""
    from services.segment_policy.team_filters import find_filter, list_filters, save_filter

    kept = change.team_filter
    assert kept is not None
    with unit_of_work(engine, write_first=True) as session:
        again = find_filter(list_filters(session), kept.name)
        if again is not None:
            raise UndoRefusedError(
                f"A team filter named “{again.name}” was shared since, so the deleted one "
                "was not put back; nothing was changed."
            )
        save_filter(session, kept.name, kept.conditions, kept.search,
                    actor=actor or default_actor(), position=kept.position)  # fmt: skip
    return f"Undone: {change.label[:1].lower()}{change.label[1:]}"


def _undo_assignment(
    engine: Engine,
    change: Undoable,
    *,
    actor: str | None = None,
    now: dt.datetime | None = None,
) -> str:
    """Give the customer and its alerts back to whoever had them; refused, changing
    nothing, when one of them was assigned again since (audited as an undo)."""
    when, who = moment(now), actor or default_actor()
    with unit_of_work(engine, write_first=True) as session:
        doing = Doing(session, when, who)
        details = {"undid": change.undid, "text": change.label}
        for owner in change.owners:
            row: Customer | Alert | None = (
                session.get(Customer, owner.id, with_for_update=True)
                if owner.entity == "customer"
                else session.get(Alert, owner.id, with_for_update=True)
            )
            if row is None or row.owner != owner.after:
                raise UndoRefusedError(
                    "It was assigned again since, so it was not undone; look at it again."
                )
        customers = [o for o in change.owners if o.entity == "customer"]
        for owner in change.owners:
            if owner.entity == "customer":
                set_owner_in(session, owner.id, owner.before, when)
                if len(customers) > 1:  # a segment rule's assignment of many customers
                    # "was": the owner taken back, which that rule does not give again
                    # (services/segment_policy/owners.py).
                    doing.audit(
                        "customer.undone", ("customer", owner.id), {**details, "was": owner.after}
                    )
                continue
            alert = session.get(Alert, owner.id)
            assert alert is not None
            alert.owner = owner.before
            touch(alert, when)
            doing.audit("alert.undone", alert_entity(alert), details)
        if len(customers) <= 1:
            was = {**details, "was": _was(change)}
            doing.audit("customer.undone", ("customer", change.customer_id), was)
    return f"Undone: {change.label[:1].lower()}{change.label[1:]}"


def _was(change: Undoable) -> str | None:
    """The customer's owner the assignment gave, which its undoing takes back."""
    return next((o.after for o in change.owners if o.entity == "customer"), None)
