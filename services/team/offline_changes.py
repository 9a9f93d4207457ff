"""What was done in an offline copy since it was taken (services/team/offline.py): the
actions sync pushes back to the server (services/team/sync.py), each with a stable key.

Found by comparing the copy with what it was when taken, not by replaying its log, so
that an action undone offline is not pushed at all:

- calls, notes and tasks written in the copy (ids above the highest copied), and emails
  recorded (outreach rows likewise): one change each; a task also "done" when completed;
- tasks of the server completed or rescheduled in the copy (against
  ``offline_task_baseline``);
- alerts whose lifecycle (status, outcome, snooze) is not what it was
  (``offline_alert_baseline``): one transition to the state the copy holds (resolve,
  dismiss, snooze, start, reopen, raise), with the note of the action that led there;
- customers marked (or no longer) do not contact, or whose quiet period was ended
  (``offline_customer_baseline``).

The key of a change is the copy's id, the table, the local id and what makes the change
unique: a new row's creation time (a local id may be used again after an undo), or for
a changed record the id of the copy's audit event that changed it last (a later change
of the same record is another change). Sync records each key in ``sync_receipts``; a key
found there was pushed already.

Customer data (customers, orders, interactions, scores...) is the server's and never
flows up: ``customer_data_changes`` only says what the copy changed of it, in words.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, select, text
from sqlalchemy.orm import Session

from models.base import UTCDateTime
from models.db import make_engine, translate_db_errors
from models.schema import Action, Outreach, SyncReceipt
from models.vocab import APP_SOURCE, OUTREACH_STATUSES
from services.alerts.records import CALL_OUTCOME_LABELS, HELD_BACK, OUTCOME_LABELS
from services.core.formatting import format_date
from services.core.offline_origin import OfflineOrigin, origin_in

# The audit actions of the alert lifecycle a user takes (and the undo that reverses one).
LIFECYCLE_ACTIONS = (
    "alert.started",
    "alert.resolved",
    "alert.dismissed",
    "alert.snoozed",
    "alert.reopened",
    "alert.raised",
    "alert.undone",
)
# The transition that brings an alert to the status the copy holds, and its audit action.
TRANSITION_TO = {
    "resolved": ("resolve", "alert.resolved"),
    "dismissed": ("dismiss", "alert.dismissed"),
    "snoozed": ("snooze", "alert.snoozed"),
    "in_progress": ("start", "alert.started"),
}
# Kinds of change whose record is an alert's lifecycle (conflicts are about these).
TRANSITION_KINDS = ("start", "resolve", "dismiss", "snooze", "reopen", "raise")


@dataclass(frozen=True)
class OfflineChange:
    """One action taken in the copy, to push once."""

    key: str
    kind: str  # call, note, task, task_done, task_rescheduled, a transition, do_not_contact,
    # end_quiet_period, email
    at: dt.datetime  # when it was done in the copy (the server's audit says so too)
    words: str  # what it was, as the report says it
    customer_id: int
    customer: str  # the customer's name in the copy
    alert_id: int | None = None
    action_id: int | None = None  # the copy's id of the call, note or task
    new_row: bool = False  # written in the copy (its id means nothing on the server)
    params: dict[str, Any] = field(default_factory=dict)
    rank: int = 0  # among changes at the same moment: what was written first goes first

    @property
    def sort_key(self) -> tuple[dt.datetime, int, str]:
        return (self.at, self.rank, self.key)


@contextmanager
def copy_session(path: Path) -> Iterator[Session]:
    """A read transaction on the copy at ``path`` (closed afterwards)."""
    engine = make_engine(f"sqlite:///{path}")
    try:
        with (
            translate_db_errors(f"The offline copy {path.name}"),
            Session(engine) as session,
            session.begin(),
        ):
            yield session
    finally:
        engine.dispose()


def offline_changes(session: Session, origin: OfflineOrigin) -> list[OfflineChange]:
    """Every change made in the copy since it was taken, oldest first (in the caller's
    transaction on the copy)."""
    conn = session.connection()
    names = _names(conn)
    found: list[OfflineChange] = []
    found += _new_actions(conn, origin, names)
    found += _changed_tasks(conn, origin, names)
    found += _alert_transitions(conn, origin, names)
    found += _customer_marks(conn, origin, names)
    found += _emails(conn, origin, names)
    return sorted(found, key=lambda c: c.sort_key)


def _stamp(value: dt.datetime) -> str:
    """A moment as digits, for a key: 20261124140503123456."""
    return value.astimezone(dt.UTC).strftime("%Y%m%d%H%M%S%f")


def _names(conn: Connection) -> dict[int, str]:
    """The accounts' names, as every screen names them (services/core/account_names.py)."""
    from sqlalchemy.orm import Session

    from services.core.account_names import name_map

    return name_map(Session(bind=conn))


def _latest_event(
    conn: Connection, origin: OfflineOrigin, entity: str, entity_id: int, actions: Sequence[str]
) -> tuple[int, str, dt.datetime, dict[str, Any]] | None:
    """The copy's last audit event of these actions on one record, made in the copy."""
    marks = ", ".join(f":a{i}" for i in range(len(actions)))
    statement = text(
        "SELECT id, action, occurred_at, details FROM audit_events WHERE entity_type = :entity "
        f"AND entity_id = :entity_id AND id > :after AND action IN ({marks}) "
        "ORDER BY id DESC LIMIT 1"
    ).columns(occurred_at=UTCDateTime)
    values: dict[str, Any] = {f"a{i}": a for i, a in enumerate(actions)}
    values.update(entity=entity, entity_id=entity_id, after=origin.max_ids.get("audit_events", 0))
    row = conn.execute(statement, values).first()
    if row is None:
        return None
    details = row.details
    if isinstance(details, str):
        try:
            details = json.loads(details)
        except ValueError:
            details = {}
    return (
        int(row.id),
        str(row.action),
        row.occurred_at,
        details if isinstance(details, dict) else {},
    )


def _text(action: Action) -> str:
    return action.body or action.title


def _new_actions(
    conn: Connection, origin: OfflineOrigin, names: dict[int, str]
) -> list[OfflineChange]:
    out = []
    with Session(bind=conn) as session:
        rows = session.scalars(
            select(Action).where(Action.id > origin.max_ids.get("actions", 0)).order_by(Action.id)
        ).all()
        for action in rows:
            who = names.get(int(action.customer_id), f"customer {action.customer_id}")
            key = f"{origin.copy_id}:actions:{action.id}:{_stamp(action.created_at)}"
            said = _text(action)
            if action.kind == "call":
                came = CALL_OUTCOME_LABELS.get(action.outcome or "", "Call").lower()
                words = f"Call with {who} ({came}): {action.title}"
                params: dict[str, Any] = {"text": said, "outcome": action.outcome}
            elif action.kind == "note":
                words = f"Note on {who}: {action.title}"
                params = {"text": said}
            elif action.kind == "task":
                due = action.due_date
                words = f"Task for {who}: {action.title}" + (
                    f" (due {format_date(due)})" if due else ""
                )
                params = {"text": said, "due": due}
            else:
                continue
            out.append(
                OfflineChange(
                    key=key,
                    kind=action.kind,
                    at=action.created_at,
                    words=words,
                    customer_id=int(action.customer_id),
                    customer=who,
                    alert_id=action.alert_id,
                    action_id=int(action.id),
                    new_row=True,
                    params=params,
                )
            )
            if action.kind == "task" and action.done_at is not None:
                out.append(
                    OfflineChange(
                        key=f"{key}:done",
                        kind="task_done",
                        at=action.done_at,
                        words=f"Task done for {who}: {action.title}",
                        customer_id=int(action.customer_id),
                        customer=who,
                        alert_id=action.alert_id,
                        action_id=int(action.id),
                        new_row=True,
                        rank=1,
                    )
                )
    return out


def _changed_tasks(
    conn: Connection, origin: OfflineOrigin, names: dict[int, str]
) -> list[OfflineChange]:
    """Tasks of the server completed or rescheduled in the copy."""
    ids = [
        int(r[0])
        for r in conn.exec_driver_sql(
            "SELECT a.id FROM actions a JOIN offline_task_baseline b ON b.action_id = a.id "
            "WHERE a.done_at IS NOT b.done_at OR a.due_date IS NOT b.due_date"
        ).all()
    ]
    if not ids:
        return []
    out = []
    with Session(bind=conn) as session:
        baseline = {
            int(r[0]): (r[1], r[2])
            for r in conn.exec_driver_sql(
                "SELECT action_id, due_date, done_at FROM offline_task_baseline WHERE action_id "
                f"IN ({', '.join(str(i) for i in ids)})"
            ).all()
        }
        for task in session.scalars(select(Action).where(Action.id.in_(ids)).order_by(Action.id)):
            who = names.get(int(task.customer_id), f"customer {task.customer_id}")
            key = f"{origin.copy_id}:actions:{task.id}:{_stamp(task.created_at)}"
            due_then, done_then = baseline[int(task.id)]
            if task.done_at is not None and done_then is None:
                out.append(
                    OfflineChange(
                        key=f"{key}:done",
                        kind="task_done",
                        at=task.done_at,
                        words=f"Task done for {who}: {task.title}",
                        customer_id=int(task.customer_id),
                        customer=who,
                        alert_id=task.alert_id,
                        action_id=int(task.id),
                        rank=1,
                    )
                )
            due_now = task.due_date.isoformat() if task.due_date else None
            if due_now != due_then and task.due_date is not None:
                event = _latest_event(
                    conn, origin, "alert" if task.alert_id else "action",
                    int(task.alert_id or task.id), ("alert.task_rescheduled",),
                )  # fmt: skip
                version = f"@{event[0]}" if event else f":{due_now}"
                out.append(
                    OfflineChange(
                        key=f"{key}:due{version}",
                        kind="task_rescheduled",
                        at=event[2] if event else task.created_at,
                        words=f"Task for {who} moved to {format_date(task.due_date)}: {task.title}",
                        customer_id=int(task.customer_id),
                        customer=who,
                        alert_id=task.alert_id,
                        action_id=int(task.id),
                        params={"due": task.due_date},
                    )
                )
    return out


_ALERT_STATE = text(
    "SELECT a.id, a.customer_id, a.status, a.outcome, a.snoozed_until, a.snooze_until_clear, "
    "a.updated_at, a.rule_key, b.status AS was FROM alerts a JOIN offline_alert_baseline b "
    "ON b.alert_id = a.id WHERE a.status IS NOT b.status OR a.outcome IS NOT b.outcome OR "
    "a.snoozed_until IS NOT b.snoozed_until OR a.snooze_until_clear IS NOT b.snooze_until_clear "
    "ORDER BY a.id"
).columns(snoozed_until=UTCDateTime, updated_at=UTCDateTime)


def _alert_transitions(
    conn: Connection, origin: OfflineOrigin, names: dict[int, str]
) -> list[OfflineChange]:
    """One transition per alert whose lifecycle the copy changed: to where it is now."""
    from services.alerts.config import RULE_TITLES

    out = []
    for row in conn.execute(_ALERT_STATE).all():
        status = str(row.status)
        if status == HELD_BACK:
            continue  # nobody moves an alert to held back: a scoring does
        if status in TRANSITION_TO:
            kind, audit = TRANSITION_TO[status]
        elif status == "open":
            kind, audit = ("raise", "alert.raised") if row.was == HELD_BACK else (
                "reopen", "alert.reopened"
            )  # fmt: skip
        else:
            continue
        customer_id = int(row.customer_id)
        who = names.get(customer_id, f"customer {customer_id}")
        event = _latest_event(conn, origin, "alert", int(row.id), LIFECYCLE_ACTIONS)
        note = None
        if event is not None and event[1] == audit:
            note = event[3].get("note")
        params: dict[str, Any] = {"note": note}
        rule = RULE_TITLES.get(str(row.rule_key), "alert").lower()
        what = f"{who}'s alert ({rule})"
        if kind == "resolve":
            params["outcome"] = row.outcome
            label = OUTCOME_LABELS.get(str(row.outcome), str(row.outcome)).lower()
            words = f"Resolved {what}: {label}"
        elif kind == "snooze":
            until = row.snoozed_until.date() if row.snoozed_until is not None else None
            params.update(until=until, until_clear=bool(row.snooze_until_clear))
            when = f"until {format_date(until)}" if until else "until the condition clears"
            words = f"Snoozed {what} {when}"
        else:
            verb = {"dismiss": "Dismissed", "start": "Started work on", "reopen": "Reopened"}
            words = f"{verb.get(kind, 'Raised')} {what}"
        version = f"@{event[0]}" if event else f"@{status}:{_stamp(row.updated_at)}"
        out.append(
            OfflineChange(
                key=f"{origin.copy_id}:alerts:{row.id}{version}",
                kind=kind,
                at=event[2] if event else row.updated_at,
                words=words,
                customer_id=customer_id,
                customer=who,
                alert_id=int(row.id),
                params=params,
                rank=2,  # after a call written at the same moment (it may start the alert)
            )
        )
    return out


def _customer_marks(
    conn: Connection, origin: OfflineOrigin, names: dict[int, str]
) -> list[OfflineChange]:
    statement = text(
        "SELECT c.id, c.do_not_contact, b.do_not_contact AS dnc_then, c.quiet_override_at, "
        "b.quiet_override_at AS quiet_then, c.updated_at FROM customers c JOIN "
        "offline_customer_baseline b ON b.customer_id = c.id WHERE c.do_not_contact IS NOT "
        "b.do_not_contact OR c.quiet_override_at IS NOT b.quiet_override_at ORDER BY c.id"
    ).columns(quiet_override_at=UTCDateTime, updated_at=UTCDateTime)
    out = []
    for row in conn.execute(statement).all():
        customer_id = int(row.id)
        who = names.get(customer_id, f"customer {customer_id}")
        base = f"{origin.copy_id}:customers:{customer_id}"
        if bool(row.do_not_contact) != bool(row.dnc_then):
            value = bool(row.do_not_contact)
            event = _latest_event(
                conn, origin, "customer", customer_id, ("customer.do_not_contact",)
            )
            version = f"@{event[0]}" if event else f":{int(value)}:{_stamp(row.updated_at)}"
            out.append(
                OfflineChange(
                    key=f"{base}:do_not_contact{version}",
                    kind="do_not_contact",
                    at=event[2] if event else row.updated_at,
                    words=(
                        f"Marked {who} do not contact" if value else f"Allowed contact with {who}"
                    ),
                    customer_id=customer_id,
                    customer=who,
                    params={"value": value},
                )
            )
        ended = row.quiet_override_at
        if ended is not None and (row.quiet_then is None or _later(ended, row.quiet_then)):
            event = _latest_event(
                conn, origin, "customer", customer_id, ("customer.quiet_period_ended",)
            )
            version = f"@{event[0]}" if event else f":{_stamp(row.quiet_override_at)}"
            reason = str(event[3].get("text") or "") if event else ""
            out.append(
                OfflineChange(
                    key=f"{base}:quiet{version}",
                    kind="end_quiet_period",
                    at=event[2] if event else row.quiet_override_at,
                    words=f"Ended the quiet period of {who}" + (f": {reason}" if reason else ""),
                    customer_id=customer_id,
                    customer=who,
                    params={"reason": reason or "ended in the offline copy"},
                )
            )
    return out


def _later(value: dt.datetime, stored: Any) -> bool:
    """Whether ``value`` is later than a stored timestamp (text on SQLite)."""
    try:
        then = dt.datetime.fromisoformat(str(stored)).replace(tzinfo=dt.UTC)
    except ValueError:
        return True
    return value > then


def _emails(conn: Connection, origin: OfflineOrigin, names: dict[int, str]) -> list[OfflineChange]:
    out = []
    with Session(bind=conn) as session:
        rows = session.scalars(
            select(Outreach)
            .where(
                Outreach.id > origin.max_ids.get("outreach", 0),
                Outreach.status.in_(OUTREACH_STATUSES),
            )
            .order_by(Outreach.id)
        ).all()
        for email in rows:
            who = names.get(int(email.customer_id), f"customer {email.customer_id}")
            how = "Email to" if email.status == "sent" else "Email (from your mail app) to"
            out.append(
                OfflineChange(
                    key=f"{origin.copy_id}:outreach:{email.id}:{_stamp(email.created_at)}",
                    kind="email",
                    at=email.sent_at or email.created_at,
                    words=f"{how} {who}: {email.subject or '(no subject)'}",
                    customer_id=int(email.customer_id),
                    customer=who,
                    alert_id=email.alert_id,
                    new_row=True,
                    params={
                        "subject": email.subject or "",
                        "body": email.body,
                        "status": email.status,
                        "recipient": email.recipient,
                        "provider": email.provider,
                        "model": email.model,
                        "template": email.template,
                        "goal": email.goal,
                        "tone": email.tone,
                        "variant": email.variant,
                        "edited": email.edited,
                    },
                    rank=1,
                )
            )
    return out


# --- customer data: never pushed --------------------------------------------------------------

_CUSTOMER_DATA = (
    ("customers", "customer", "customers"),
    ("orders", "order", "orders"),
    ("opportunities", "opportunity", "opportunities"),
    ("subscriptions", "subscription", "subscriptions"),
    ("customer_identities", "customer id", "customer ids"),
    ("score_snapshots", "score", "scores"),
    ("alerts", "alert raised by a scoring", "alerts raised by a scoring"),
)


def customer_data_changes(session: Session, origin: OfflineOrigin) -> list[str]:
    """What the copy changed of the customer data (imports or scorings run on the copy),
    in words: it is never sent to the server."""
    conn = session.connection()
    found = []
    for table, one, many in _CUSTOMER_DATA:
        n = conn.exec_driver_sql(
            f'SELECT COUNT(*) FROM "{table}" WHERE id > ?', (origin.max_ids.get(table, 0),)
        ).scalar_one()
        if n:
            found.append(f"{n:,} {one if n == 1 else many} added")
    n = conn.execute(
        text(
            "SELECT COUNT(*) FROM interactions WHERE id > :after AND NOT (source = :app AND kind "
            "IN ('call', 'note', 'email_sent'))"
        ),
        {"after": origin.max_ids.get("interactions", 0), "app": APP_SOURCE},
    ).scalar_one()
    if n:
        found.append(f"{n:,} {'interaction' if n == 1 else 'interactions'} imported")
    # A customer's own fields edited (its marks are actions; they bump updated_at too).
    n = conn.execute(
        text(
            "SELECT COUNT(*) FROM customers c JOIN offline_customer_baseline b ON b.customer_id "
            "= c.id WHERE c.updated_at > :taken AND c.do_not_contact IS b.do_not_contact AND "
            "c.quiet_override_at IS b.quiet_override_at"
        ).bindparams(bindparam("taken", type_=UTCDateTime)),
        {"taken": origin.taken_at},
    ).scalar_one()
    if n:
        found.append(f"{n:,} {'customer' if n == 1 else 'customers'} edited")
    return found


# --- what is still to push -------------------------------------------------------------------


def pushed_keys(server: Engine, keys: Sequence[str]) -> dict[str, str | None]:
    """The receipts on the server among ``keys``: key -> what the push came to."""
    found: dict[str, str | None] = {}
    with Session(server) as session:
        for start in range(0, len(keys), 500):
            chunk = list(keys[start : start + 500])
            rows = session.execute(
                select(SyncReceipt.key, SyncReceipt.result).where(SyncReceipt.key.in_(chunk))
            ).all()
            found.update({str(k): r for k, r in rows})
    return found


def unsynced_actions(path: Path, server: Engine) -> list[str]:
    """The actions of the copy at ``path`` not yet pushed to ``server``, in words."""
    with copy_session(path) as session:
        origin = origin_in(session)
        if origin is None:
            return []
        changes = offline_changes(session, origin)
    if not changes:
        return []
    with translate_db_errors("The shared workspace"):
        done = pushed_keys(server, [c.key for c in changes])
    return [c.words for c in changes if c.key not in done]
