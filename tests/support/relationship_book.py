"""A small hand-made book of business accounts and their people, each account with one
known relationship story, for exact tests of the relationship rules
(services/alerts/_relationship.py). Days are counted back from the test's NOW (June 15,
2025 at noon); the scores are the alert tests' hand-written ones.

- Acme: champion Ann Lee gone from the Salesforce export 10 days ago; no other champion
  (Bob, the decision maker, and Cat, a user, were heard from lately): critical.
- Brio: champion Dee Moss's address bounced 5 days ago; Eve Park, another champion,
  remains: a warning.
- Cora: decision maker Fay Ruiz's address listed under Dune 3 days ago; champion Gus
  remains: a warning.
- Echo: champion Hal Ito last heard from 70 days ago (Ida, the decision maker, never).
- Fox: the book's most valuable account; of its three people only Jay Kim was heard from
  in 90 days (Kit 200 days ago, Lou never).
- Gem: the same as Fox but of little value: nothing.
- Hub: decision maker Max Orr added 5 days ago to an account known for a year, not met
  yet; Ned Ames heard from 3 days ago.
- Ivy: a B2C customer, their own one person (no contacts rows), quiet for months: nothing.
- Jot: champion Joy Tan left 100 days ago (outside the 30-day window): nothing.
- Kit: one person on record, champion Kay Lo; the account's last call (naming no one, so
  hers) was 90 days ago: gone dark.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from models.base import utcnow
from models.schema import Contact
from services.alerts._relationship import RULES
from services.alerts.config import RULE_TITLES
from services.alerts.signal_proofs import data_key, keep_signals
from services.alerts.signal_records import OUTCOMES, SignalFigures, SignalReport
from services.scoring.compute import read_config

# Each story's value (the scores' clv in dollars) where it matters.
VALUES = {"Fox": 5000.0, "Acme": 3000.0, "Brio": 2000.0}
ACCOUNTS = ("Acme", "Brio", "Cora", "Dune", "Echo", "Fox", "Gem", "Hub", "Ivy", "Jot", "Kit")


class BookLike(Protocol):
    """What the story needs of tests/unit/alerts/test_alerts_rules.Book."""

    engine: Engine

    def customer(self, name: str, *, company: str | None = None) -> int: ...

    def interaction(self, cid: int, kind: str, days_ago: float, **fields: Any) -> None: ...


def _contact(
    engine: Engine,
    now: dt.datetime,
    cid: int,
    name: str,
    role: str | None,
    *,
    created_days: float = 365,
    left_days: int | None = None,
    bounced_days: int | None = None,
    email: str | None = None,
) -> int:
    first = name.split()[0].lower()
    address = email or f"{first}@{name.split()[-1].lower()}.example.com"
    attributes = None
    if bounced_days is not None:
        day = (now - dt.timedelta(days=bounced_days)).date()
        attributes = {"EmailBouncedDate": f"{day.isoformat()}T08:00:00.000Z"}
    with engine.begin() as conn:
        result = conn.execute(
            insert(Contact).returning(Contact.id),
            [
                {
                    "customer_id": cid,
                    "source": "salesforce",
                    "external_id": f"003-{cid}-{first}",
                    "name": name,
                    "email": address,
                    "email_normalized": address.lower(),
                    "role": role,
                    "created_at": now - dt.timedelta(days=created_days),
                    "left_on": (now - dt.timedelta(days=left_days)).date()
                    if left_days is not None
                    else None,
                    "attributes": attributes,
                }
            ],
        )
        return int(result.scalar_one())


def plant(book: BookLike, now: dt.datetime) -> dict[str, int]:
    """The accounts and their people (module docstring); each account's customer id."""
    ids = {name: book.customer(f"{name} buyer", company=name) for name in ACCOUNTS}
    e = book.engine

    def heard(cid: int, contact: int | None, days: float, kind: str = "meeting") -> None:
        book.interaction(cid, kind, days, contact_id=contact)

    acme = ids["Acme"]
    ann = _contact(e, now, acme, "Ann Lee", "champion", left_days=10)
    heard(acme, ann, 40)
    heard(acme, _contact(e, now, acme, "Bob Cole", "decision_maker"), 5, "call")
    heard(acme, _contact(e, now, acme, "Cat Diaz", "user"), 20, "email_received")
    brio = ids["Brio"]
    _contact(e, now, brio, "Dee Moss", "champion", bounced_days=5)
    heard(brio, _contact(e, now, brio, "Eve Park", "champion"), 4)
    heard(brio, _contact(e, now, brio, "Abe Park", "user"), 6)
    cora, dune = ids["Cora"], ids["Dune"]
    _contact(e, now, cora, "Fay Ruiz", "decision_maker")
    heard(cora, _contact(e, now, cora, "Gus Hale", "champion"), 8)
    heard(cora, _contact(e, now, cora, "Amy Hale", "user"), 9)
    _contact(e, now, dune, "Fay Ruiz", None, created_days=3)
    echo = ids["Echo"]
    heard(echo, _contact(e, now, echo, "Hal Ito", "champion"), 70, "call")
    _contact(e, now, echo, "Ida Vance", "decision_maker")
    for name in ("Fox", "Gem"):
        cid = ids[name]
        heard(cid, _contact(e, now, cid, f"Jay {name}", "champion"), 10)
        heard(cid, _contact(e, now, cid, f"Kit {name}", "user"), 200)
        _contact(e, now, cid, f"Lou {name}", "billing")
    hub = ids["Hub"]
    heard(hub, _contact(e, now, hub, "Ned Ames", "champion"), 3)
    _contact(e, now, hub, "Max Orr", "decision_maker", created_days=5)
    book.interaction(ids["Ivy"], "call", 200)
    jot = ids["Jot"]
    _contact(e, now, jot, "Joy Tan", "champion", left_days=100)
    heard(jot, _contact(e, now, jot, "Ray Tan", "user"), 2)
    heard(jot, _contact(e, now, jot, "Sue Tan", "user"), 2)
    _contact(e, now, ids["Kit"], "Kay Lo", "champion")
    book.interaction(ids["Kit"], "call", 90)
    return ids


def prove_signals(engine: Engine, as_of: dt.date, *, hits: int = 40, judged: int = 40) -> None:
    """Keep, for the workspace's data as it is now, a replay of the signals up to
    ``as_of`` in which each signal's ``hits`` of ``judged`` findings were right: the
    generation then takes it as measured (services/alerts/signal_proofs.py). The signals'
    own replay has its tests (tests/unit/alerts/test_signal_replay.py); this book is too
    small a history to prove anything."""
    with Session(engine) as session, session.begin():
        horizon = read_config(session).horizon_days
        figures = tuple(
            SignalFigures(rule, RULE_TITLES[rule], outcome, judged, judged, hits, 0, 0, (), 0, 0)
            for rule in RULES
            for outcome in OUTCOMES
        )
        report = SignalReport(
            as_of=as_of, start=as_of - dt.timedelta(weeks=51), weeks=52, horizon_days=horizon,
            accounts=0, with_contracts=0, figures=figures, has_contracts=False,
            data_key=data_key(session, as_of, horizon), computed_at=utcnow(),
        )  # fmt: skip
        keep_signals(session, report, actor="test")
