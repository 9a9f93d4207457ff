"""A hand-made history for the relationship signals' replay (services/alerts/signal_replay.py)
whose figures can be counted by hand, on the alert tests' Book (days counted back from its
NOW, June 15, 2025 at noon):

- 24 accounts, Acct00 to Acct23, each with a champion and a user on record for 400 days,
  each heard from every 30 days by a meeting, and an order every 20 days (none lapses).
  Acct{i}'s champion leaves (gone from the Salesforce export) 300 - 7i days ago, from 300
  to 139 days ago, and stops being met; its contract term ends 30 days after: lost
  (churned) for the even i, renewed for the odd. So Champion left finds the 24 leavers, all
  judged, 12 of them followed by a lost renewal within 90 days: precision 50 %; and each
  lost renewal had the signal 24 to 30 days before it: recall 100 %.
- Fresh: its champion left 5 days ago (a finding not judged yet, the alert of today).

Nothing else holds: the users are met every month, no one is new, and an account whose
champion left has one person on record.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from sqlalchemy import Engine, insert

from models.schema import Contact, Contract, Interaction, Order

ACCOUNTS = 24
TODAY = dt.date(2025, 6, 15)
NOW = dt.datetime(2025, 6, 15, 12, 0, tzinfo=dt.UTC)


class BookLike(Protocol):
    """What the history needs of tests/unit/alerts/test_alerts_rules.Book."""

    engine: Engine

    def customer(self, name: str, *, company: str | None = None) -> int: ...


def gone_days(i: int) -> int:
    """How many days before NOW account ``i``'s champion left."""
    return 300 - 7 * i


def _at(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def plant(book: BookLike) -> dict[str, int]:
    """The accounts (module docstring); each account's customer id by name."""
    ids: dict[str, int] = {}
    contacts: list[dict[str, Any]] = []
    for i in range(ACCOUNTS + 1):
        name = f"Acct{i:02d}" if i < ACCOUNTS else "Fresh"
        ids[name] = book.customer(f"{name} buyer", company=name)
        gone = gone_days(i) if i < ACCOUNTS else 5
        for who, role in (("Cham", "champion"), ("User", "user")):
            address = f"{who.lower()}@{name.lower()}.example.com"
            contacts.append(
                {"customer_id": ids[name], "source": "salesforce", "external_id": f"{who}{i}",
                 "name": f"{who} {name}", "email": address, "email_normalized": address,
                 "role": role, "created_at": _at(400),
                 "left_on": _at(gone).date() if role == "champion" else None}
            )  # fmt: skip
    with book.engine.begin() as conn:
        rows = conn.execute(insert(Contact).returning(Contact.id, Contact.role), contacts).all()
        people = iter(rows)
        meetings, orders, terms = [], [], []
        for i, (name, cid) in enumerate(ids.items()):
            champion, user = next(people)[0], next(people)[0]
            gone = gone_days(i) if i < ACCOUNTS else 5
            for days in range(395, 0, -30):
                meetings.append({"customer_id": cid, "contact_id": user, "kind": "meeting",
                                 "occurred_at": _at(days)})  # fmt: skip
                if days > gone:
                    meetings.append({"customer_id": cid, "contact_id": champion,
                                     "kind": "meeting", "occurred_at": _at(days)})  # fmt: skip
            for k, days in enumerate(range(390, 0, -20)):
                orders.append({"customer_id": cid, "source": "shop", "external_id": f"{name}-{k}",
                               "order_date": _at(days), "amount_cents": 50_000,
                               "status": "paid"})  # fmt: skip
            if i < ACCOUNTS:
                end = (NOW - dt.timedelta(days=gone - 30)).date()
                lost = i % 2 == 0
                terms.append({"customer_id": cid, "source": "crm", "external_id": f"T-{name}",
                              "start_date": end - dt.timedelta(days=364), "end_date": end,
                              "amount_cents": 1_200_000,
                              "outcome": "churned" if lost else "renewed",
                              "decided_on": end})  # fmt: skip
        conn.execute(insert(Interaction), meetings)
        conn.execute(insert(Order), orders)
        conn.execute(insert(Contract), terms)
    return ids
