"""The window's single entry point for what a user does to an alert card: one action by
name on the card's alerts (services/alerts/lifecycle.py for the transitions,
services/alerts/contact.py for contact), in one transaction, returning what undoing it
restores (services/alerts/undo.py).

A card is one customer's alerts of one queue (risk, growth or pipeline): the list shows
them as one card with several reasons. A transition (start, resolve, dismiss, snooze,
reopen, raise) applies to every alert of the card it can apply to, and is refused only
when it applies to none; a call, note or task is written once, on the card's first
alert (the most urgent), and a call moves every open alert of the card to in progress.

Two people at once (services/alerts/conflict.py): the window sends the version of each
alert it showed (``seen_versions``), and a transition on an alert that changed since is
refused with AlertChangedError, changing nothing, whether the change came before this
action read the alert or in the moment between that read and its write. A call, note or
task records what happened and is not refused for someone else's change. Without
``seen_versions`` (the command line, scripts) an action applies to the state it finds,
and only the race between its own read and write refuses it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import object_session

from models.schema import Alert, Customer
from services.alerts.config import default_actor
from services.alerts.conflict import check_seen, refusing_races
from services.alerts.contact import (
    call_reason,
    end_quiet_period_in,
    log_in,
    set_do_not_contact_in,
    started_by_contact,
    task_in,
)
from services.alerts.lifecycle import (
    AlertActionError,
    Doing,
    dismiss_in,
    load_alert,
    moment,
    raise_in,
    reopen_in,
    resolve_in,
    snooze_in,
    start_in,
    unit_of_work,
)
from services.alerts.mentions import mention_in
from services.alerts.playbooks import start_playbook_in, stop_playbook_in
from services.alerts.records import (
    CALL_OUTCOME_LABELS,
    OUTCOME_LABELS,
    AlertBefore,
    MarkBefore,
    Undoable,
)
from services.core.account_names import AccountName, account_of, name_of

ACTIONS = (
    "start",
    "resolve",
    "dismiss",
    "reopen",
    "raise",
    "snooze",
    "do_not_contact",
    "end_quiet_period",
    "log",
    "task",
    "playbook",
    "stop_playbook",
)

TRANSITIONS: dict[str, tuple[Callable[..., None], tuple[str, ...], str, str]] = {
    # action: (transition, its parameters, what it did in words, its audit action)
    "start": (start_in, ("note",), "Started", "alert.started"),
    "resolve": (resolve_in, ("outcome", "note"), "Resolved", "alert.resolved"),
    "dismiss": (dismiss_in, ("note",), "Dismissed", "alert.dismissed"),
    "reopen": (reopen_in, ("note",), "Reopened", "alert.reopened"),
    "raise": (raise_in, ("note", "customer_id"), "Raised", "alert.raised"),
    "snooze": (snooze_in, ("until", "until_clear", "note"), "Snoozed", "alert.snoozed"),
}


def apply_alert_action(
    engine: Engine,
    alert_id: int,
    action: str,
    *,
    actor: str | None = None,
    now: dt.datetime | None = None,
    seen_version: int | None = None,
    **params: Any,
) -> Undoable:
    """One action on one alert (a card of one alert); see apply_card_action
    (``seen_version``: the alert's version as the user saw it)."""
    seen = {alert_id: seen_version} if seen_version is not None else None
    return apply_card_action(
        engine, (alert_id,), action, actor=actor, now=now, seen_versions=seen, **params
    )


def apply_card_action(
    engine: Engine,
    alert_ids: Sequence[int],
    action: str,
    *,
    actor: str | None = None,
    now: dt.datetime | None = None,
    seen_versions: Mapping[int, int] | None = None,
    **params: Any,
) -> Undoable:
    """Apply one action by name to a card's alerts (what the window's action pane sends),
    in one transaction; returns what undoing it restores.

    ``seen_versions``: each alert's version as the user saw it (alert id -> version); a
    transition on an alert that changed since is refused (AlertChangedError, nothing
    changed). The race between this action's read and its write is refused the same way,
    with or without them.

    ``start``; ``resolve`` (outcome, note); ``dismiss`` (note); ``reopen``; ``raise`` (a
    held-back alert into the queue; customer_id: whose alert the user saw); ``snooze``
    (until: date, or until_clear=True); ``do_not_contact`` (value, default True; note);
    ``end_quiet_period`` (reason); ``log`` (kind: "call" or "note", text; outcome for a
    call); ``task`` (text, due: date); ``playbook`` (key; holdout_reason for a held-out
    customer); ``stop_playbook`` (run_id: the card's running playbook; note: why, optional).
    """
    if not alert_ids:
        raise AlertActionError("No alert is selected.")
    if action not in ACTIONS:
        raise AlertActionError(f"Unknown action '{action}'; one of {', '.join(ACTIONS)}.")
    when, who = moment(now), actor or default_actor()
    transition = action in TRANSITIONS
    read: dict[int, int] = {}  # the versions this action read (for the race)
    with (
        refusing_races(engine, read, now=when, actor=who),
        unit_of_work(engine, write_first=True) as session,
    ):
        doing = Doing(session, when, who)
        # A transition reads without a lock: its version-checked UPDATE refuses it if
        # someone changed the alert meanwhile. A call, note or task waits for the row
        # instead (PostgreSQL) and applies to what it finds, never refused for that.
        alerts = [load_alert(session, int(i), lock=not transition) for i in alert_ids]
        read.update((int(a.id), int(a.version)) for a in alerts)
        customer_id = int(alerts[0].customer_id)
        if any(int(a.customer_id) != customer_id for a in alerts):
            raise AlertActionError("These alerts belong to different customers; act on one.")
        customer = session.get(Customer, customer_id)
        account = account_of(session, customer_id)
        name = account.name if account is not None else f"customer {customer_id}"
        if transition:
            saw = params.get("customer_id")  # raise: whose held-back alert the user saw
            if saw is None or int(saw) == customer_id:  # (else raise_in says it was replaced)
                check_seen(session, alerts, seen_versions or {}, now=when, actor=who)
            return _transition(doing, alerts, action, name, params)
        if action == "do_not_contact":
            value = bool(params.get("value", True))
            note = params.get("note")
            return _mark_do_not_contact(doing, customer, customer_id, name, value, note)
        if action == "end_quiet_period":
            was, ended = end_quiet_period_in(doing, customer_id, str(params.get("reason", "")))
            return Undoable(
                label=f"Ended the quiet period of {name}",
                undid="customer.quiet_period_ended",
                customer_id=customer_id,
                marks=(MarkBefore("quiet_override_at", was, ended),),
            )
        if action == "log":  # a call is with the account's person, when it has one
            called = _called(account) if account is not None else name
            return _log(doing, alerts, name, params, called)
        if action == "playbook":  # services/alerts/playbooks.py
            reason = params.get("holdout_reason")
            key = str(params.get("key", ""))
            return start_playbook_in(doing, alerts, key, name, holdout_reason=reason)
        if action == "stop_playbook":
            run_id, note = int(params.get("run_id", 0)), str(params.get("note") or "")
            return stop_playbook_in(doing, run_id, name, note, customer_id=customer_id)
        # action == "task"
        due = params.get("due")
        if not isinstance(due, dt.date):
            raise AlertActionError("Give the task a due date.")
        task = task_in(doing, alerts[0], str(params.get("text", "")), due)
        return Undoable(
            label=f"Task for {name}: {task.title}",
            undid="alert.task_created",
            customer_id=customer_id,
            action_ids=(int(task.id),),
        )


def mark_do_not_contact(
    engine: Engine,
    customer_id: int,
    value: bool,
    *,
    actor: str | None = None,
    now: dt.datetime | None = None,
    note: str | None = None,
) -> Undoable:
    """Mark a customer do not contact (value True) or lift the mark (False), from the
    customer's own pane, in one audited transaction (``note``: why, optional, kept in
    the audit); returns what undoing it restores."""
    when, who = moment(now), actor or default_actor()
    with unit_of_work(engine) as session:
        customer = session.get(Customer, customer_id)
        name = name_of(session, customer_id)
        doing = Doing(session, when, who)
        return _mark_do_not_contact(doing, customer, customer_id, name, value, note)


def set_tracking_consent_undoable(
    engine: Engine,
    customer_id: int,
    opted_out: bool,
    *,
    actor: str | None = None,
    now: dt.datetime | None = None,
) -> Undoable:
    """Record that the customer opted out of activity tracking (or back in), from the
    customer's own pane, audited (services/people/tracking.py); returns what undoing it
    restores."""
    from services.people.tracking import set_tracking_consent

    when, who = moment(now), actor or default_actor()
    with unit_of_work(engine) as session:
        customer = session.get(Customer, customer_id)
        name = name_of(session, customer_id)
        before = customer.tracking_opted_out_at if customer is not None else None
    if not set_tracking_consent(engine, customer_id, opted_out=opted_out, actor=who, now=when):
        raise AlertActionError(
            f"{name} has already opted out of activity tracking."
            if opted_out
            else f"{name} has not opted out of activity tracking."
        )
    label = (
        f"Opted {name} out of activity tracking"
        if opted_out
        else f"Opted {name} back in to activity tracking"
    )
    return Undoable(
        label=label,
        undid="customer.tracking_consent",
        customer_id=customer_id,
        marks=(MarkBefore("tracking_opted_out_at", before, when if opted_out else None),),
    )


def end_quiet_period(
    engine: Engine,
    customer_id: int,
    reason: str,
    *,
    actor: str | None = None,
    now: dt.datetime | None = None,
) -> Undoable:
    """End a customer's quiet period after contact now, with the user's reason, from the
    customer's own pane (no alert needed), audited; returns what undoing it restores."""
    when, who = moment(now), actor or default_actor()
    with unit_of_work(engine) as session:
        name = name_of(session, customer_id)
        was, ended = end_quiet_period_in(Doing(session, when, who), customer_id, reason)
        return Undoable(
            label=f"Ended the quiet period of {name}",
            undid="customer.quiet_period_ended",
            customer_id=customer_id,
            marks=(MarkBefore("quiet_override_at", was, ended),),
        )


def _mark_do_not_contact(
    doing: Doing,
    customer: Customer | None,
    customer_id: int,
    name: str,
    value: bool,
    note: str | None = None,
) -> Undoable:
    before = bool(customer.do_not_contact) if customer is not None else False
    if not set_do_not_contact_in(
        doing.session, customer_id, value, actor=doing.actor, now=doing.now, note=note
    ):
        raise AlertActionError(
            f"{name} is already marked do not contact."
            if value
            else f"{name} is not marked do not contact."
        )
    label = f"Marked {name} do not contact" if value else f"Allowed contact with {name}"
    return Undoable(
        label=label,
        undid="customer.do_not_contact",
        customer_id=customer_id,
        marks=(MarkBefore("do_not_contact", before, value),),
    )


def _before(alert: Alert) -> AlertBefore:
    return AlertBefore(
        alert_id=int(alert.id),
        status=alert.status,
        outcome=alert.outcome,
        snoozed_until=alert.snoozed_until,
        snooze_until_clear=bool(alert.snooze_until_clear),
        resolved_at=alert.resolved_at,
        changed_at=alert.updated_at,
    )


def _with_change_time(before: AlertBefore, alert: Alert) -> AlertBefore:
    """The before-state with the alert's updated_at and version as stored by the change
    (read back, after the flush): an undo is refused once either moved."""
    session = object_session(alert)
    if session is not None:
        session.refresh(alert, ["updated_at", "version"])
    return AlertBefore(
        alert_id=before.alert_id,
        status=before.status,
        outcome=before.outcome,
        snoozed_until=before.snoozed_until,
        snooze_until_clear=before.snooze_until_clear,
        resolved_at=before.resolved_at,
        changed_at=alert.updated_at,
        version=int(alert.version),
    )


def _transition(
    doing: Doing, alerts: list[Alert], action: str, name: str, params: dict[str, Any]
) -> Undoable:
    """The transition on every alert of the card it applies to (refused if none)."""
    change, accepted, done, audited = TRANSITIONS[action]
    arguments = {k: v for k, v in params.items() if k in accepted}
    changed: list[tuple[AlertBefore, Alert]] = []
    refusal: AlertActionError | None = None
    for alert in alerts:
        before = _before(alert)
        try:
            change(doing, alert, **arguments)
        except AlertActionError as exc:
            refusal = refusal or exc
            continue
        changed.append((before, alert))
    if not changed:
        assert refusal is not None
        raise refusal
    doing.session.flush()
    label = f"{done} {name}"
    if action == "resolve":
        outcome = str(params.get("outcome"))
        label += f" ({OUTCOME_LABELS.get(outcome, outcome).lower()})"
    return Undoable(
        label=label,
        undid=audited,
        customer_id=int(alerts[0].customer_id),
        alerts=tuple(_with_change_time(before, alert) for before, alert in changed),
    )


def _called(account: AccountName) -> str:
    """Whom a call on the account was with, as its label says it: "Dana Cole (decision
    maker) of Willow Creek Clinic", or the account when it is its person."""
    person = account.person_line
    return f"{person} of {account.name}" if person else account.name


def _log(
    doing: Doing, alerts: list[Alert], name: str, params: dict[str, Any], called: str
) -> Undoable:
    """A call or note on the card's first alert; a call starts the card's open alerts."""
    kind = str(params.get("kind", "note"))
    befores = [_before(alert) for alert in alerts]
    outcome = params.get("outcome")
    logged = log_in(doing, alerts[0], kind, str(params.get("text", "")), outcome=outcome)
    mention_in(doing, logged.action)  # "@Priya": waits in her My work
    started: list[tuple[AlertBefore, Alert]] = []
    if kind == "call":
        for before, alert in zip(befores, alerts, strict=True):
            if started_by_contact(doing, alert, call_reason(logged.action.outcome)):
                started.append((before, alert))
    doing.session.flush()
    if kind == "call":
        said = CALL_OUTCOME_LABELS.get(logged.action.outcome or "", "Call")
        label = f"Call with {called}: {said.lower()}"
    else:
        label = f"Note on {name}"
    return Undoable(
        label=label,
        undid="alert.call_logged" if kind == "call" else "alert.note_added",
        customer_id=int(alerts[0].customer_id),
        alerts=tuple(_with_change_time(before, alert) for before, alert in started),
        action_ids=(int(logged.action.id),),
        interaction_ids=(logged.interaction_id,),
    )
