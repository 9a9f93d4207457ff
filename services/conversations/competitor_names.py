"""The vendors customers named while weighing them against us, offered for the workspace's
competitors list (Settings ▸ Sentiment and reasons ▸ Competitors).

The reading finds an evaluation without a list ("a trial with Orbitas Cloud", "Lumenhall
quoted us sixty percent of your number") and keeps the name it read with the risk
(``risks[].name`` in the conversation's attributes). The names not yet on the list are
offered, most often named first; adding one puts it on the list (an audited setting),
so a later mention of it by name alone is read as a competitor too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.schema import Interaction
from services.settings import set_setting
from services.settings.views import ListenSettings

SOURCE = "conversations"  # services/importing/conversation_files.py
MAX_NAME = 80


@dataclass(frozen=True)
class SeenName:
    """A vendor's name as customers said it, in how many conversations, and when last."""

    name: str
    conversations: int
    customers: int
    last_seen: dt.datetime


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _names(attributes: Any) -> list[str]:
    if not isinstance(attributes, dict):
        return []
    found = []
    for risk in attributes.get("risks") or []:
        if isinstance(risk, dict) and risk.get("kind") == "competitor":
            name = " ".join(str(risk.get("name") or "").split())
            if 1 < len(name) <= MAX_NAME:
                found.append(name)
    return found


def seen_names(session: Session, listed: Iterable[str] | None = None) -> list[SeenName]:
    """The vendors named in competitor risks and not on the list (``listed``, else the
    workspace's), most conversations first, then the latest."""
    known = {_key(n) for n in (listed if listed is not None else _listed(session))}
    i = Interaction.__table__.c
    tally: dict[str, tuple[str, set[int], set[int], dt.datetime]] = {}
    rows = session.execute(
        select(i.id, i.customer_id, i.occurred_at, i.attributes).where(i.source == SOURCE)
    )
    for interaction, customer, when, attributes in rows:
        for name in _names(attributes):
            key = _key(name)
            if key in known:
                continue
            shown, talks, people, last = tally.get(key, (name, set(), set(), when))
            talks.add(int(interaction))
            people.add(int(customer))
            tally[key] = (shown, talks, people, max(last, when))
    seen = [SeenName(n, len(t), len(p), last) for n, t, p, last in tally.values()]
    return sorted(seen, key=lambda s: (-s.conversations, -s.last_seen.timestamp(), s.name))


def _listed(session: Session) -> list[str]:
    return list(ListenSettings.read(session).competitors or [])


def add_competitors(session: Session, names: Sequence[str], *, actor: str) -> list[str]:
    """Put ``names`` on the competitors list (those not on it yet), inside the caller's
    transaction; the list as it is then."""
    listed = _listed(session)
    known = {_key(n) for n in listed}
    for name in names:
        cleaned = " ".join(name.split())
        if cleaned and _key(cleaned) not in known:
            listed.append(cleaned)
            known.add(_key(cleaned))
    set_setting(session, "listen.competitors", listed, actor=actor)
    return listed


def offer_words(seen: Sequence[SeenName], shown: int = 5) -> str:
    """ "Named by customers and not on the list: Orbitas Cloud (3 conversations),
    Lumenhall (1)", "" when none."""
    if not seen:
        return ""
    parts = [
        f"{s.name} ({s.conversations} conversation{'s' if s.conversations != 1 else ''})"
        for s in seen[:shown]
    ]
    more = f", and {len(seen) - shown} more" if len(seen) > shown else ""
    return "Named by customers and not on the list: " + ", ".join(parts) + more
