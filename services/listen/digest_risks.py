"""The digest's line of the risks customers raised in conversations since it was last made.

A conversation counts when it took place in the digest's period, or was imported in it (a
call of last week imported this morning is news today). Each customer is named with the
latest risk they raised, where and when ("Acme Bakery raised cancellation on the Dec 12
call"); the quotes of the latest risks go under the line, in the customer's own words. The
line is there only when a risk was raised: a workspace without conversations reads as
before. A risk of a kind not proven on the listening corpus, or read only by a model, is
left out (services/listen/proven_risks.py).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from models.schema import Customer, ImportRun, Interaction
from services.core.account_names import account_name_sql
from services.core.formatting import format_short_date
from services.listen.proven_risks import raising, workspace_proven
from services.listen.records import DigestLine

SOURCE = "conversations"  # services/importing/conversation_files.py
NAMED = 3  # customers named in the line; the rest are counted
QUOTES = 3
# Where a conversation took place, in words, by its kind.
PLACE = {
    "call": "call",
    "meeting": "meeting",
    "chat": "chat",
    "email_received": "email",
    "email_sent": "email",
    "social": "post",
}


def _risks(attributes: Any, proven: frozenset[str]) -> list[dict[str, Any]]:
    if isinstance(attributes, str):
        try:
            attributes = json.loads(attributes)
        except ValueError:
            return []
    if not isinstance(attributes, dict):
        return []
    return raising(attributes, proven)


def _said(name: str, kind: str, when: dt.datetime, risk: dict[str, Any]) -> str:
    label = str(risk.get("label") or str(risk.get("kind") or "a risk").replace("_", " "))
    return f"{name} {label} on the {format_short_date(when.date())} {PLACE.get(kind, kind)}"


def conversation_risks_line(
    session: Session, start: dt.datetime, now: dt.datetime
) -> DigestLine | None:
    """The risks raised in conversations since ``start`` (None when there were none); only
    risks of a proven kind found by the app's own reading count."""
    proven = workspace_proven(session)
    if not proven:
        return None
    i, r, c = Interaction.__table__.c, ImportRun.__table__.c, Customer.__table__.c
    rows = session.execute(
        select(i.customer_id, account_name_sql(), i.kind, i.occurred_at, i.attributes)
        .join(Customer.__table__, c.id == i.customer_id)
        .outerjoin(ImportRun.__table__, r.id == i.import_run_id)
        .where(
            i.source == SOURCE,
            i.occurred_at <= now,
            or_(i.occurred_at >= start, and_(r.started_at >= start, r.started_at <= now)),
        )
        .order_by(i.occurred_at.desc(), i.id.desc())
    ).all()
    said: dict[int, str] = {}
    quotes: list[str] = []
    for customer_id, name, kind, occurred, attributes in rows:
        risks = _risks(attributes, proven)
        if not risks:
            continue
        when = (
            occurred if isinstance(occurred, dt.datetime) else dt.datetime.fromisoformat(occurred)
        )
        said.setdefault(int(customer_id), _said(str(name), str(kind), when, risks[0]))
        for risk in risks:  # the latest few, each once
            quote = " ".join(str(risk.get("quote") or "").split())
            if quote and quote not in quotes and len(quotes) < QUOTES:
                quotes.append(quote)
    if not said:
        return None
    n = len(said)
    named = list(said.values())[:NAMED]
    more = f"; and {n - NAMED:,} more" if n > NAMED else ""
    text = (
        f"{n:,} {'customer' if n == 1 else 'customers'} raised risks in conversations: "
        + "; ".join(named)
        + more
    )
    return DigestLine("conversation_risks", text, n, frozenset(said), examples=tuple(quotes))
