"""The people of the accounts over time, read once and asked for any day: who was on
record, with which role, who had gone, and when each was last heard from.

``load_history`` reads, up to a moment, every contact, the dated changes to their roles
and presence (contact_changes: a role an import or a user changed, a person who left or
came back) and every record of them:

- two-way interactions (models.vocab.TWO_WAY_KINDS: a call that reached them, a meeting,
  a chat, a ticket, an email they wrote; an email a mail program sent on its own, an
  out-of-office answer, is none: services/mail/automatic.py). An interaction naming no one
  is the account's: its one person's when it has one;
- their own records (services/people/activity.py): the paid orders they placed, the
  tickets they raised and the days they used the product (by their address's key among
  the day's users). An order or ticket naming no one is the person whose address is the
  customer's own, else the account's one person's.

``services.people.signals.people_frame(history, end)`` gives the people as they were
before ``end``: a contact created later is not there yet; each one's role (the user's,
else the CRM's) and the day they left are those before the first change made at or after
``end`` (a change made before contact_changes existed is read as it is now);
``last_two_way`` and ``last_heard`` (two-way or their own records) are the latest day of
contact before ``end``. Every day of contact is read (not only the latest), so that a
replay asks one read for many days.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.schema import Contact, ContactChange, Customer, Interaction, Order, UsageDay
from models.vocab import BOUNCE_KEYS, CALL_CONVERSATION, CALL_OUTCOMES, TWO_WAY_KINDS
from services.core.user_keys import user_key
from services.mail.automatic import is_automatic_email

IntArray = npt.NDArray[np.int64]
_MISSED = tuple(o for o in CALL_OUTCOMES if o != CALL_CONVERSATION)
_SPAN = 1 << 34  # seconds: any moment of five centuries fits beside an owner's number
NONE = np.iinfo(np.int64).min
_OPENING = 120  # characters of an email's text that tell an out-of-office answer
_CHUNK = 1000
# Up to this many accounts (or contacts), their rows are read by id, not the whole table.
_FEW = 2000

__all__ = ["NONE", "Latest", "PeopleHistory", "bounced_on", "load_history", "micros"]


def _seconds(value: object) -> int:
    """A moment (datetime, date, ISO text) in UTC seconds since 1970."""
    if isinstance(value, dt.datetime):
        when = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
        return int(when.timestamp())
    if isinstance(value, dt.date):
        return int(dt.datetime.combine(value, dt.time(), tzinfo=dt.UTC).timestamp())
    text = str(value)
    if len(text) <= 10:
        return _seconds(dt.date.fromisoformat(text))
    return _seconds(dt.datetime.fromisoformat(text.replace("Z", "+00:00")))


def micros(value: object) -> int:
    """A moment in UTC microseconds since 1970 (exact: two moments of one second differ)."""
    if isinstance(value, dt.datetime):
        when = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
        delta = when - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    if isinstance(value, dt.date):
        return _seconds(value) * 1_000_000
    text = str(value)
    if len(text) <= 10:
        return micros(dt.date.fromisoformat(text))
    return micros(dt.datetime.fromisoformat(text.replace("Z", "+00:00")))


def _day(value: object) -> dt.date | None:
    if value is None or value is pd.NaT or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value)
    return dt.date.fromisoformat(text[:10]) if len(text) >= 10 else None


def bounced_on(attributes: object) -> dt.date | None:
    """The day a contact's address bounced, from their attributes (None: it has not)."""
    if isinstance(attributes, str):
        try:
            attributes = json.loads(attributes)
        except ValueError:
            return None
    if not isinstance(attributes, dict):
        return None
    for key in BOUNCE_KEYS:
        value = str(attributes.get(key) or "").strip()
        if len(value) >= 10:
            try:
                return dt.date.fromisoformat(value[:10])
            except ValueError:
                continue
    return None


class Latest:
    """The latest moment of each owner's events before a given moment, over events read
    once (owners are row positions; moments UTC seconds)."""

    def __init__(self, owners: Sequence[int] | IntArray, moments: Sequence[int] | IntArray):
        o = np.asarray(owners, dtype=np.int64)
        t = np.asarray(moments, dtype=np.int64)
        self.keys = np.unique(o * _SPAN + t) if o.size else np.zeros(0, np.int64)

    def before(self, owners: IntArray, end: int) -> IntArray:
        """Per owner, the latest moment before ``end`` (``NONE``: none)."""
        if not self.keys.size or not owners.size:
            return np.full(owners.size, NONE, dtype=np.int64)
        at = np.searchsorted(self.keys, owners * _SPAN + end, side="left") - 1
        found = self.keys[np.maximum(at, 0)]
        ok = (at >= 0) & (found // _SPAN == owners)
        return np.where(ok, found % _SPAN, NONE).astype(np.int64)


@dataclass(frozen=True)
class _Changes:
    """One field's dated changes, by contact position: the value each had before."""

    pos: IntArray  # contact positions, sorted with ``at``
    at: IntArray  # the change's moment, UTC microseconds
    before: npt.NDArray[np.object_]

    def value(self, current: npt.NDArray[np.object_], end: int) -> npt.NDArray[np.object_]:
        """Each contact's value before ``end`` (microseconds): the before-value of its
        first change at or after ``end``, else its value now."""
        out = current.copy()
        later = self.at >= end
        if not later.any():
            return out
        positions, first = np.unique(self.pos[later], return_index=True)
        out[positions] = self.before[later][first]
        return out


@dataclass(frozen=True)
class PeopleHistory:
    """Every contact and their records, read once up to a moment (module docstring)."""

    contacts: pd.DataFrame  # one row per contact; "pos" is its position
    changes: dict[str, _Changes]
    two_way: Latest  # by contact position
    heard: Latest  # their own records, by contact position
    account_two_way: Latest  # naming no one, by account position
    account_heard: Latest  # orders and tickets naming no one, by account position
    accounts: IntArray  # customer id of each account position
    moved: tuple[IntArray, list[str]]  # per contact: first later listing elsewhere, where


def load_history(
    session: Session, end: dt.datetime, customer_ids: Sequence[int] | None = None
) -> PeopleHistory:
    """The contacts and their records dated before ``end`` (every account's, or those of
    ``customer_ids`` only: an address listed elsewhere is still found); a read inside
    the caller's transaction, no query per customer."""
    contacts = _contacts(session, end, customer_ids)
    accounts = np.unique(contacts["customer_id"].to_numpy(dtype=np.int64))
    contacts["account"] = np.searchsorted(accounts, contacts["customer_id"].to_numpy())
    moved = _moves(session, contacts)
    if customer_ids is not None:
        wanted = {int(c) for c in customer_ids}
        contacts = contacts[contacts["customer_id"].isin(wanted)].reset_index(drop=True)
        moved = (moved[0][contacts["pos"].to_numpy()], [moved[1][p] for p in contacts["pos"]])
        contacts["pos"] = np.arange(len(contacts), dtype=np.int64)
    pos_of = dict(zip(contacts["contact_id"].tolist(), contacts["pos"].tolist(), strict=True))
    account_pos = {int(c): k for k, c in enumerate(accounts.tolist())}
    ids = sorted({int(c) for c in contacts["customer_id"].tolist()})
    two, account_two = _two_way(session, ids, end, pos_of, account_pos)
    heard, account_heard = _own_records(session, ids, end, contacts, pos_of, account_pos)
    return PeopleHistory(
        contacts=contacts,
        changes=_changes(session, pos_of),
        two_way=two,
        heard=heard,
        account_two_way=account_two,
        account_heard=account_heard,
        accounts=accounts,
        moved=moved,
    )


def _contact_rows(
    session: Session, end: dt.datetime, customer_ids: Sequence[int] | None
) -> list[Any]:
    """The contacts created before ``end``: every one, or, for a few accounts, theirs and
    those elsewhere with the same addresses (what their moves are read from)."""
    c = Contact.__table__.c
    query = select(
        c.id, c.customer_id, c.name, c.email, c.email_normalized, c.role, c.user_role,
        c.source, c.created_at, c.left_on, c.attributes,
    ).where(c.created_at < end)  # fmt: skip
    if customer_ids is None or len(set(customer_ids)) > _FEW:
        return list(session.execute(query.order_by(c.id)).all())
    found: dict[int, Any] = {}
    ids = sorted({int(x) for x in customer_ids})
    for start in range(0, len(ids), _CHUNK):
        for row in session.execute(query.where(c.customer_id.in_(ids[start : start + _CHUNK]))):
            found[int(row.id)] = row
    keys = sorted({str(r.email_normalized) for r in found.values() if r.email_normalized})
    for start in range(0, len(keys), _CHUNK):
        part = keys[start : start + _CHUNK]
        for row in session.execute(query.where(c.email_normalized.in_(part))):
            found[int(row.id)] = row
    return [found[k] for k in sorted(found)]


def _contacts(
    session: Session, end: dt.datetime, customer_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    rows = _contact_rows(session, end, customer_ids)
    cu = Customer.__table__.c
    ids = sorted({int(r.customer_id) for r in rows})
    own: dict[int, str] = {}
    for start in range(0, len(ids), _CHUNK):
        part = ids[start : start + _CHUNK]
        for cid, address, email in session.execute(
            select(cu.id, cu.email_normalized, cu.email).where(cu.id.in_(part))
        ):
            own[int(cid)] = address or (email or "").strip().lower()
    frame = pd.DataFrame(
        {
            "contact_id": np.array([int(r.id) for r in rows], dtype=np.int64),
            "customer_id": np.array([int(r.customer_id) for r in rows], dtype=np.int64),
            "name": [r.name or "" for r in rows],
            "email": [r.email or "" for r in rows],
            "key": [r.email_normalized or "" for r in rows],
            "role_now": np.array([r.role for r in rows], dtype=object),
            "user_role_now": np.array([r.user_role for r in rows], dtype=object),
            "left_now": np.array([_day(r.left_on) for r in rows], dtype=object),
            "source": [r.source or "" for r in rows],
            "created_us": np.array([micros(r.created_at) for r in rows], dtype=np.int64),
            "bounced_on": [bounced_on(r.attributes) for r in rows],
        }
    )
    frame["holder"] = [
        bool(key) and own.get(int(cid), "") == key
        for cid, key in zip(frame["customer_id"], frame["key"], strict=True)
    ]
    frame["pos"] = np.arange(len(frame), dtype=np.int64)
    return frame


def _changes(session: Session, pos_of: dict[int, int]) -> dict[str, _Changes]:
    """Each field's changes to the contacts read, by position: all of them, those made
    after a day too (a contact's value on a day is the one before the first change made
    at or after it; its value now, after the last)."""
    x = ContactChange.__table__.c
    by_field: dict[str, list[tuple[int, int, str | None]]] = {}
    query = select(x.contact_id, x.field, x.before, x.changed_at)
    ids = sorted(pos_of)
    parts = (
        [query.where(x.contact_id.in_(ids[k : k + _CHUNK])) for k in range(0, len(ids), _CHUNK)]
        if len(ids) <= _FEW
        else [query]
    )
    for part in parts:
        for contact_id, field, before, at in session.execute(part):
            pos = pos_of.get(int(contact_id))
            if pos is not None:
                by_field.setdefault(str(field), []).append((pos, micros(at), before))
    out: dict[str, _Changes] = {}
    for field in ("role", "user_role", "left_on"):
        rows = sorted(by_field.get(field, []), key=lambda r: (r[0], r[1]))
        values: list[Any] = [_day(b) if field == "left_on" else b or None for *_, b in rows]
        before = np.empty(len(values), dtype=object)
        before[:] = values
        out[field] = _Changes(
            np.array([p for p, _, _ in rows], dtype=np.int64),
            np.array([t for _, t, _ in rows], dtype=np.int64),
            before,
        )
    return out


def _two_way(
    session: Session,
    ids: list[int],
    end: dt.datetime,
    pos_of: dict[int, int],
    account_pos: dict[int, int],
) -> tuple[Latest, Latest]:
    """The two-way interactions before ``end``, by person and (naming no one) by account;
    an email a mail program sent on its own is none."""
    i = Interaction.__table__.c
    reached = (i.kind != "call") | i.status.is_(None) | i.status.not_in(_MISSED)
    people: tuple[list[int], list[int]] = ([], [])
    account: tuple[list[int], list[int]] = ([], [])

    def put(contact: Any, customer: Any, at: Any) -> None:
        pos = pos_of.get(int(contact)) if contact is not None else None
        if pos is not None:
            people[0].append(pos)
            people[1].append(_seconds(at))
        elif contact is None and int(customer) in account_pos:
            account[0].append(account_pos[int(customer)])
            account[1].append(_seconds(at))

    others = tuple(k for k in TWO_WAY_KINDS if k != "email_received")
    day = func.date(i.occurred_at)  # every day of contact: a replay asks for any day
    for start in range(0, len(ids), _CHUNK):
        part = ids[start : start + _CHUNK]
        for contact, customer, at in session.execute(
            select(i.contact_id, i.customer_id, day)
            .where(i.customer_id.in_(part), i.kind.in_(others), reached, i.occurred_at < end)
            .group_by(i.contact_id, i.customer_id, day)
        ):
            put(contact, customer, at)
        emails = session.execute(
            select(
                i.contact_id, i.customer_id, i.occurred_at, i.subject,
                func.substr(i.text, 1, _OPENING),
                i.attributes["auto_submitted"].as_string(),
            ).where(i.customer_id.in_(part), i.kind == "email_received", i.occurred_at < end)
        )  # fmt: skip
        for contact, customer, at, subject, opening, marker in emails:
            if not is_automatic_email(subject or "", opening or "", (), marker or ""):
                put(contact, customer, _day(at))
    return Latest(*people), Latest(*account)


def _own_records(
    session: Session,
    ids: list[int],
    end: dt.datetime,
    contacts: pd.DataFrame,
    pos_of: dict[int, int],
    account_pos: dict[int, int],
) -> tuple[Latest, Latest]:
    """The paid orders, tickets and product use of each person before ``end``; orders and
    tickets naming no one by account."""
    o, i, u = Order.__table__.c, Interaction.__table__.c, UsageDay.__table__.c
    people: tuple[list[int], list[int]] = ([], [])
    account: tuple[list[int], list[int]] = ([], [])
    keys = {
        user_key(str(email)): int(pos)
        for email, pos in zip(contacts["email"], contacts["pos"], strict=True)
        if email
    }
    for start in range(0, len(ids), _CHUNK):
        part = ids[start : start + _CHUNK]
        ordered, raised = func.date(o.order_date), func.date(i.occurred_at)
        reads = (
            select(o.contact_id, o.customer_id, ordered)
            .where(o.customer_id.in_(part), o.status == "paid", o.order_date < end)
            .group_by(o.contact_id, o.customer_id, ordered),
            select(i.contact_id, i.customer_id, raised)
            .where(i.customer_id.in_(part), i.kind == "ticket", i.occurred_at < end)
            .group_by(i.contact_id, i.customer_id, raised),
        )
        for query in reads:
            for contact, customer, at in session.execute(query):
                if at is None:
                    continue
                pos = pos_of.get(int(contact)) if contact is not None else None
                if pos is not None:
                    people[0].append(pos)
                    people[1].append(_seconds(at))
                elif contact is None and int(customer) in account_pos:
                    account[0].append(account_pos[int(customer)])
                    account[1].append(_seconds(at))
        if not keys:
            continue
        last_day = (end - dt.timedelta(microseconds=1)).date()
        for day, users in session.execute(
            select(u.day, u.users).where(
                u.customer_id.in_(part), u.users.is_not(None), u.day <= last_day
            )
        ):
            listed = json.loads(users) if isinstance(users, str) else users
            for key in listed if isinstance(listed, list) else ():
                pos = keys.get(str(key))
                if pos is not None:
                    people[0].append(pos)
                    people[1].append(_seconds(day))
    return Latest(*people), Latest(*account)


def _moves(session: Session, contacts: pd.DataFrame) -> tuple[IntArray, list[str]]:
    """Per contact, the moment their address was first listed under another account after
    they were added (``NONE``: never), and that account's name."""
    first: dict[int, tuple[int, int]] = {}
    by_key: dict[str, list[tuple[int, int]]] = {}
    for key, created, customer in zip(
        contacts["key"], contacts["created_us"], contacts["customer_id"], strict=True
    ):
        if key:
            by_key.setdefault(str(key), []).append((int(created), int(customer)))
    for pos, key, created, customer in zip(
        contacts["pos"], contacts["key"], contacts["created_us"], contacts["customer_id"],
        strict=True,
    ):  # fmt: skip
        later = [(w, o) for w, o in by_key.get(str(key), []) if o != customer and w > created]
        if key and later:
            first[int(pos)] = min(later)
    when = np.full(len(contacts), NONE, dtype=np.int64)
    target = {pos: other for pos, (_w, other) in first.items()}
    for pos, (moment, _other) in first.items():
        when[pos] = moment
    names: dict[int, str] = {}
    wanted = sorted(set(target.values()))
    cu = Customer.__table__.c
    for start in range(0, len(wanted), _CHUNK):
        part = wanted[start : start + _CHUNK]
        for cid, company, name in session.execute(
            select(cu.id, cu.company, cu.name).where(cu.id.in_(part))
        ):
            names[int(cid)] = company or name or f"customer {cid}"
    where = [names.get(target[p], "") if p in target else "" for p in range(len(contacts))]
    return when, where
