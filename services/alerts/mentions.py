"""Mentions and hand-overs that wait in a teammate's My work until they mark them seen.

A note (or a call's words) that names a teammate with an at sign ("@Priya Shah", or
"@Priya" when one teammate only has that first name) is audited as "note.mentioned" on
the customer (naming the note's action), once per teammate named but the writer. An
assignment (services/alerts/assign.py) is audited as "customer.assigned". Both show in the named
person's My work ("Mentioned by Sam: ...", "Assigned to you by Sam: ...") until they mark
them seen ("notice.seen", naming the event): nothing of the schema changes.

A mention whose note was undone (the action is gone) is no longer listed; an assignment
is listed while the customer is still the person's.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from models.schema import Action, AuditEvent, Customer
from services.alerts._db import aware
from services.alerts.assign import ASSIGNED, teammates_in
from services.alerts.config import default_actor
from services.alerts.lifecycle import AlertActionError, Doing, moment, unit_of_work
from services.alerts.work_records import WorkNotice
from services.core.account_names import name_of
from services.core.profile import actor_person

MENTIONED = "note.mentioned"
SEEN = "notice.seen"
_WORD = r"[\w.'-]"
_END = r"(?![\w]|[.'-]\w)"  # a name ends before a space or a closing full stop
_AT = re.compile(rf"(?<!{_WORD})@")
_END_RE = re.compile(_END)
_FIRST = re.compile(rf"{_WORD}+")


def find_mentions(text: str, names: Sequence[str]) -> list[str]:
    """The teammates ``text`` names with an at sign, in the order of ``names``: a full
    name, or a first name that only one teammate has."""
    if "@" not in text or not names:
        return []
    # One pass over the at signs, each looked up in a dict: a note's save stays quick in
    # a book with a thousand owners (one search of the text per teammate did not).
    by_length: dict[int, dict[str, list[str]]] = {}
    firsts: dict[str, list[str]] = {}
    for name in names:
        by_length.setdefault(len(name), {}).setdefault(name.lower(), []).append(name)
        firsts.setdefault(name.split()[0].casefold(), []).append(name)
    lengths = sorted(by_length, reverse=True)
    found: set[str] = set()
    for at in _AT.finditer(text):
        start = at.end()
        for length in lengths:
            said = text[start : start + length]
            if len(said) < length:
                continue
            named = by_length[length].get(said.lower())
            if named and _END_RE.match(text, start + length):
                found.update(named)
        word = _FIRST.match(text, start)
        if word:
            owners = firsts.get(word.group().rstrip(".'-").casefold(), [])
            if len(owners) == 1:
                found.add(owners[0])
    return [n for n in names if n in found]


def mention_in(doing: Doing, action: Action) -> list[str]:
    """Audit the teammates a call's or note's text mentions (not the writer), inside the
    caller's transaction; returns their names."""
    text = action.body or action.title or ""
    if "@" not in text:
        return []
    writer = actor_person(doing.actor).casefold()
    named = [n for n in find_mentions(text, teammates_in(doing.session)) if n.casefold() != writer]
    for name in named:
        doing.audit(
            MENTIONED,
            # On the customer: in a shared workspace whoever sees the customer sees it.
            ("customer", int(action.customer_id)),
            {
                "to": name,
                "action_id": int(action.id),
                "alert_id": action.alert_id,
                "text": text,
            },
        )
    return named


def _mine(to: Any, names: set[str], everyone: bool) -> bool:
    return everyone or (isinstance(to, str) and to.casefold() in names)


def work_notices(
    session: Session, user: str, owner: str | None, everyone: bool
) -> tuple[WorkNotice, ...]:
    """The mentions and assignments waiting for the user (their name, or ``owner``), or
    everyone's, newest first; those marked seen are left out."""
    names = {n.casefold() for n in (owner, actor_person(user)) if n}
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action.in_((MENTIONED, ASSIGNED)))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    ).all()
    waiting = [e for e in events if _mine((e.details or {}).get("to"), names, everyone)]
    if not waiting:
        return ()
    seen = _seen(session, [int(e.id) for e in waiting])
    notices: list[WorkNotice] = []
    for event in waiting:
        if int(event.id) in seen:
            continue
        notice = _notice(session, event)
        if notice is not None and not _own_doing(notice, names, everyone):
            notices.append(notice)
    return tuple(notices)


def _own_doing(notice: WorkNotice, names: set[str], everyone: bool) -> bool:
    """A customer someone took themselves (or the reader gave themselves) is no news to
    them: no "Assigned to you by" their own name."""
    by = notice.by.casefold()
    return by == notice.to.casefold() or (not everyone and by in names)


def _seen(session: Session, ids: Iterable[int]) -> set[int]:
    wanted = set(ids)
    events = session.scalars(
        select(AuditEvent.entity_id).where(
            AuditEvent.action == SEEN, AuditEvent.entity_type == "audit_event"
        )
    )
    return {int(i) for i in events if i is not None and int(i) in wanted}


def _notice(session: Session, event: AuditEvent) -> WorkNotice | None:
    details = event.details or {}
    by = actor_person(event.actor, event.db_user)
    to = str(details.get("to") or "")
    if event.action == MENTIONED:
        action = session.get(Action, int(details.get("action_id") or 0))
        # The note undone (SQLite may give its id to a later one: written at its own time).
        if action is None or aware(action.created_at) != aware(event.occurred_at):
            return None
        customer_id = int(action.customer_id)
        alert_id = action.alert_id
        what, text = f"Mentioned by {by}", str(details.get("text") or action.body or "")
    else:
        customer_id = int(event.entity_id or 0)
        alerts = details.get("alerts") or []
        alert_id = int(alerts[0]) if alerts else None
        what, text = f"Assigned to you by {by}", ""
    customer = session.get(Customer, customer_id)
    if customer is None:
        return None
    if event.action == ASSIGNED and (customer.owner or "").casefold() != to.casefold():
        return None  # it has moved on since
    name = name_of(session, customer_id)
    return WorkNotice(
        event_id=int(event.id),
        kind="mention" if event.action == MENTIONED else "assigned",
        what=what,
        by=by,
        to=to,
        customer_id=customer_id,
        customer=name,
        alert_id=alert_id,
        text=" ".join(text.split()),
        at=aware(event.occurred_at),
    )


def mark_notice_seen(
    engine: Engine,
    event_id: int,
    *,
    actor: str | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Mark a mention or an assignment seen: it leaves My work (audited)."""
    when, who = moment(now), actor or default_actor()
    with unit_of_work(engine) as session:
        event = session.get(AuditEvent, event_id)
        if event is None or event.action not in (MENTIONED, ASSIGNED):
            raise AlertActionError("That mention is gone; refresh My work.")
        if _seen(session, [event_id]):
            return
        Doing(session, when, who).audit(SEEN, ("audit_event", event_id), {"what": event.action})
