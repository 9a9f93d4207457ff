"""What counts as hearing from a person, for the relationship rules (SQLite and
PostgreSQL): an order they placed, a ticket they raised and a day they used the product
count beside two-way interactions, for Key contact gone dark and Single-threaded; an order
naming no one is the person's whose address is the customer's own; an out-of-office answer
(an email a mail program sent on its own) is no contact; and a champion or decision maker
never heard from at all says so, in the signals and on the People tab."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert
from sqlalchemy.orm import Session

from models.schema import Order, UsageDay
from services.core.user_keys import user_key
from services.people.contacts import read_people
from services.people.signals import read_people_signals
from tests.support.relationship_book import _contact, prove_signals
from tests.unit.alerts.test_alerts_rules import NOW, TODAY, Book, at, book, by_customer
from tests.unit.alerts.test_relationship import only_relationships

__all__ = ["book"]  # the fixture, used by name


def _order(book: Book, cid: int, contact: int | None, days_ago: float) -> None:
    with book.engine.begin() as conn:
        conn.execute(
            insert(Order),
            [{"customer_id": cid, "contact_id": contact, "source": "shop",
              "external_id": f"O-{cid}-{days_ago}", "order_date": at(days_ago),
              "amount_cents": 90_000, "status": "paid"}],
        )  # fmt: skip


def _used(book: Book, cid: int, email: str, days_ago: int) -> None:
    with book.engine.begin() as conn:
        conn.execute(
            insert(UsageDay),
            [{"customer_id": cid, "source": "segment", "day": (NOW - dt.timedelta(days=days_ago))
              .date(), "events": 12, "active_users": 1, "users": [user_key(email)]}],
        )  # fmt: skip


def test_their_own_orders_tickets_and_use_are_contact(book: Book) -> None:
    only_relationships(book)
    e = book.engine
    ids = {n: book.customer(f"{n} buyer", company=n) for n in ("Lux", "Mox", "Oak", "Pim")}
    # Nix: the champion's address is the customer's own: an order naming no one is hers.
    ids["Nix"] = book.customer("Nia Nox", company="Nix", email="nia@nox.example.com")
    people = {
        "Lux": _contact(e, NOW, ids["Lux"], "Lia Lux", "champion"),
        "Mox": _contact(e, NOW, ids["Mox"], "Max Mox", "champion"),
        "Nix": _contact(e, NOW, ids["Nix"], "Nia Nox", "champion", email="nia@nox.example.com"),
        "Oak": _contact(e, NOW, ids["Oak"], "Ora Oak", "champion"),
        "Pim": _contact(e, NOW, ids["Pim"], "Pia Pim", "champion"),
    }
    for name, person in people.items():
        _contact(e, NOW, ids[name], f"Ada {name}", "user")  # a second person: no lone one
        book.interaction(ids[name], "meeting", 100, contact_id=person)
    _order(book, ids["Lux"], people["Lux"], 10)
    book.interaction(ids["Mox"], "ticket", 5, contact_id=people["Mox"], subject="Sizes")
    _order(book, ids["Nix"], None, 20)
    _used(book, ids["Oak"], "ora@oak.example.com", 3)
    book.score({cid: {"churn": 0.1, "clv": 100.0} for cid in ids.values()})
    prove_signals(e, TODAY)
    book.generate()
    dark = {c: a["reason"] for c, a in by_customer(book, "key_contact_dark").items()}
    # Only Pia, met 100 days ago and nothing of hers since, has gone dark.
    assert dark == {ids["Pim"]: "Pia Pim (champion) not heard from in 100 days (last on Mar 7, "
                                "2025)"}  # fmt: skip
    with Session(e) as s:
        heard = read_people_signals(s, list(ids.values()), NOW).set_index("contact_id")
    assert heard.loc[people["Lux"], "last_heard"].date() == at(10).date()
    assert heard.loc[people["Nix"], "last_heard"].date() == at(20).date()
    assert heard.loc[people["Oak"], "last_heard"].date() == at(3).date()
    assert heard.loc[people["Lux"], "last_two_way"].date() == at(100).date()


def test_an_order_of_the_second_person_makes_an_account_not_single_threaded(book: Book) -> None:
    only_relationships(book)
    e = book.engine
    ids = {n: book.customer(f"{n} buyer", company=n) for n in ("Rex", "Sun")}
    for name, cid in ids.items():
        book.interaction(cid, "meeting", 10, contact_id=_contact(e, NOW, cid, f"Ray {name}",
                                                                  "champion"))  # fmt: skip
        second = _contact(e, NOW, cid, f"Rob {name}", "user")
        book.interaction(cid, "meeting", 200, contact_id=second)
        if name == "Rex":
            _order(book, cid, second, 5)  # Rob of Rex placed an order five days ago
    book.score({cid: {"churn": 0.1, "clv": 5000.0} for cid in ids.values()})
    prove_signals(e, TODAY)
    book.generate()
    assert set(by_customer(book, "single_threaded")) == {ids["Sun"]}


def test_an_out_of_office_answer_is_no_contact(book: Book) -> None:
    only_relationships(book)
    e = book.engine
    cid = book.customer("Quo buyer", company="Quo")
    qi = _contact(e, NOW, cid, "Qi Quo", "champion")
    _contact(e, NOW, cid, "Abe Quo", "user")
    book.interaction(cid, "meeting", 100, contact_id=qi)
    # Outlook's answer five days ago (marked by its headers), and one titled so.
    book.interaction(cid, "email_received", 5, contact_id=qi, subject="Your order",
                     attributes={"auto_submitted": "auto-submitted: auto-replied"})  # fmt: skip
    book.interaction(cid, "email_received", 4, contact_id=qi, subject="Automatic reply: Hi")
    book.score({cid: {"churn": 0.1, "clv": 100.0}})
    prove_signals(e, TODAY)
    book.generate()
    assert by_customer(book, "key_contact_dark")[cid]["reason"].startswith(
        "Qi Quo (champion) not heard from in 100 days"
    )


def test_a_key_person_never_heard_from_says_so(book: Book) -> None:
    e = book.engine
    cid = book.customer("Sol buyer", company="Sol")
    sue = _contact(e, NOW, cid, "Sue Sol", "champion")
    sid = _contact(e, NOW, cid, "Sid Sol", "decision_maker")
    ann = _contact(e, NOW, cid, "Ann Sol", "user")
    now = dt.datetime.now(dt.UTC)  # the People tab reads the people as of now
    book.interaction(cid, "meeting", -((now - NOW).days - 3), contact_id=sue)
    with Session(e) as s:
        frame = read_people_signals(s, [cid], now).set_index("contact_id")
    assert list(frame.loc[[sue, sid, ann], "never_heard"]) == [False, True, True]
    status = {p.name: p.status for p in read_people(e, cid)}
    # A user never heard from is no concern of the signals: only a champion or decision maker.
    assert status == {"Sue Sol": "", "Sid Sol": "never heard from", "Ann Sol": ""}
