"""What each person at an account did: the orders they placed, the tickets they raised and
the last day they used the product.

People-level records name their person (``orders.contact_id``, ``interactions.contact_id``:
services/importing/person_records.py) and roll up to the account as before. Product use is
kept per account and day with short keys of the people active that day
(``usage_days.users``, services/importing/usage/aggregate.py ``user_key``): a person's
last day is the last day their address's key is among them, so it is known where the
analytics export names users by email (Segment, Mixpanel and Amplitude usually do), and
not otherwise.

A customer with no contacts rows is its own one person: its activity is the account's. At
an account with contacts, a record naming nobody is the person whose address is the
customer's own (the account's first contact), when one is; else nobody's.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from models.db import translate_db_errors
from models.schema import Contact, Customer, Interaction, Order, UsageDay
from services.core.user_keys import user_key

__all__ = ["Activity", "activity_of", "activity_words", "read_activity"]

PAID = ("paid",)


@dataclass(frozen=True)
class Activity:
    """One person's records at the account."""

    orders: int = 0
    spend_cents: int = 0
    last_order: dt.date | None = None
    tickets: int = 0
    last_ticket: dt.date | None = None
    last_used: dt.date | None = None


def _day(value: object) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _latest(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    return b if a is None else a if b is None else max(a, b)


def _users(value: object) -> Iterable[str]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return ()
    return value if isinstance(value, list) else ()


def _last_used(session: Session, customer_id: int, keys: dict[str, int]) -> dict[int, dt.date]:
    """The last day each person (by their address's key) was active."""
    found: dict[int, dt.date] = {}
    u = UsageDay.__table__.c
    rows = session.execute(
        select(u.day, u.users).where(u.customer_id == customer_id, u.users.is_not(None))
    )
    for day, users in rows:
        when = _day(day)
        if when is None:
            continue
        for key in _users(users):
            contact = keys.get(str(key))
            if contact is not None and (contact not in found or when > found[contact]):
                found[contact] = when
    return found


def activity_of(session: Session, customer_id: int) -> dict[int | None, Activity]:
    """Each contact's activity at the account (None: the account's own, when it has no
    contacts rows)."""
    c = Contact.__table__.c
    contacts = session.execute(
        select(c.id, c.email_normalized).where(c.customer_id == customer_id)
    ).all()
    own = not contacts
    # The records naming nobody are the account's own person's: the contact whose address
    # is the customer's (a shop's buyer who is also its champion), when there is one.
    cu = Customer.__table__.c
    address = session.execute(
        select(cu.email_normalized).where(cu.id == customer_id)
    ).scalar_one_or_none()
    holder = next((int(cid) for cid, email in contacts if address and email == address), None)

    def slot_of(contact: int | None) -> int | None:
        return None if own else holder if contact is None else contact

    o = Order.__table__.c
    orders: dict[int | None, tuple[int, int, dt.date | None]] = {}
    order_rows = session.execute(
        select(
            o.contact_id,
            func.count(),
            func.coalesce(func.sum(o.amount_cents), 0),
            func.max(o.order_date),
        )
        .where(o.customer_id == customer_id, o.status.in_(PAID))
        .group_by(o.contact_id)
    )
    for contact, count, spend, last in order_rows:
        slot = slot_of(contact)
        before = orders.get(slot, (0, 0, None))
        orders[slot] = (
            before[0] + int(count),
            before[1] + int(spend),
            _latest(before[2], _day(last)),
        )
    i = Interaction.__table__.c
    tickets: dict[int | None, tuple[int, dt.date | None]] = {}
    ticket_rows = session.execute(
        select(i.contact_id, func.count(), func.max(i.occurred_at))
        .where(i.customer_id == customer_id, i.kind == "ticket")
        .group_by(i.contact_id)
    )
    for contact, count, last in ticket_rows:
        slot = slot_of(contact)
        prior = tickets.get(slot, (0, None))
        tickets[slot] = (prior[0] + int(count), _latest(prior[1], _day(last)))
    keys = {user_key(str(email)): int(cid) for cid, email in contacts if email}
    used = _last_used(session, customer_id, keys) if keys else {}
    if own:
        u = UsageDay.__table__.c
        last = session.execute(
            select(func.max(u.day)).where(u.customer_id == customer_id)
        ).scalar_one_or_none()
        used_own = _day(last)
    people: list[int | None] = [None] if own else [int(cid) for cid, _ in contacts]
    out: dict[int | None, Activity] = {}
    for person in people:
        count, spend, last_order = orders.get(person, (0, 0, None))
        ticket_count, last_ticket = tickets.get(person, (0, None))
        out[person] = Activity(
            orders=count,
            spend_cents=spend,
            last_order=last_order,
            tickets=ticket_count,
            last_ticket=last_ticket,
            last_used=used_own if own else used.get(person) if person is not None else None,
        )
    return out


def read_activity(engine: Engine, customer_id: int) -> dict[int | None, Activity]:
    """activity_of in a connection of its own."""
    with translate_db_errors(), Session(engine) as session:
        return activity_of(session, customer_id)


def _plural(n: int, one: str) -> str:
    return f"{n:,} {one}" + ("" if n == 1 else "s")


def activity_words(activity: Activity | None) -> str:
    """ "3 orders · 1 ticket · used 4 Nov 2026", "" when none."""
    if activity is None:
        return ""
    parts = []
    if activity.orders:
        parts.append(_plural(activity.orders, "order"))
    if activity.tickets:
        parts.append(_plural(activity.tickets, "ticket"))
    if activity.last_used is not None:
        parts.append(f"used {activity.last_used.day} {activity.last_used:%b %Y}")
    return " · ".join(parts)
