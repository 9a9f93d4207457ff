"""Since yesterday's "Assigned to you" line: the customers someone else handed to the reader
(the "customer.assigned" events of services/alerts/assign.py) since the digest's start,
still theirs now. Only in the reader's digest: the window's, with its Who I am name."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.schema import AuditEvent, Customer
from services.core.account_names import account_name_sql
from services.core.profile import actor_person
from services.listen.records import DigestLine

ASSIGNED = "customer.assigned"  # the assignment's audit action (services/alerts/assign.py)
NAMES = 3  # customers named in the line


def assigned_line(session: Session, to: str, start: dt.datetime, now: dt.datetime) -> DigestLine:
    """'Assigned to you: Chiara Sato, Ada Lo': the customers assigned to ``to`` since
    ``start`` and still theirs."""
    events = session.execute(
        select(
            AuditEvent.entity_id, AuditEvent.details, AuditEvent.actor, AuditEvent.db_user
        ).where(
            AuditEvent.action == ASSIGNED,
            AuditEvent.occurred_at >= start,
            AuditEvent.occurred_at <= now,
        )
    ).all()
    wanted = to.casefold()
    ids = {
        int(e[0])
        for e in events
        if str((e[1] or {}).get("to", "")).casefold() == wanted
        # A customer the reader took themselves is no news to them.
        and actor_person(str(e[2] or ""), e[3]).casefold() != wanted
    }
    customers = (
        session.execute(
            select(Customer.id, account_name_sql().label("name"), Customer.owner)
            .where(Customer.id.in_(ids))
            .order_by(account_name_sql())
        ).all()
        if ids
        else []
    )
    mine = [c for c in customers if (c.owner or "").casefold() == wanted]
    names = [str(c.name) for c in mine]
    if not names:
        return DigestLine("assigned_to_you", "Nothing new assigned to you", 0)
    text = "Assigned to you: " + ", ".join(names[:NAMES])
    if len(names) > NAMES:
        text += f" and {len(names) - NAMES:,} more"
    return DigestLine("assigned_to_you", text, len(names), frozenset(int(c.id) for c in mine))
