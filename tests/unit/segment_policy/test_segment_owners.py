"""The owner per segment reaches the customers: a customer without an owner takes the
owner their segment's rule names when an import creates them, after a scoring (the RFM
segment is known then) and when the rule is set; an owner a person or a file set is
kept, and so is "no owner" chosen on purpose (the Assign action) or a rule's owner taken
back (its undo). Each is audited as the rule's. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.schema import AuditEvent, Customer
from services.alerts.assign import assign_customer
from services.alerts.detail import describe_event
from services.alerts.undo import undo_change
from services.importing.run import run_import
from services.segment_policy import give_rule_owners
from services.segment_policy.owners import RULE_ASSIGNED
from services.usecases.owners import owners_from_rules, undoable
from tests.unit.alerts.test_alerts_rules import NOW, Book, make_book

GOLD_DANA = {"kind": "tier", "name": "Gold", "values": {"alerts.unassigned_owner": "Dana"}}
CHAMPIONS_RITA = {
    "kind": "segment",
    "name": "Champions",
    "values": {"alerts.unassigned_owner": "Rita"},
}


@pytest.fixture
def book(workspace_url: str) -> Iterator[Book]:
    yield from make_book(workspace_url)


def customer(book: Book, name: str, owner: str | None, tier: str) -> int:
    cid = book.customer(name, owner=owner)
    with Session(book.engine) as s, s.begin():
        s.get(Customer, cid).tier = tier  # type: ignore[union-attr]
    return cid


def owners(book: Book) -> dict[str, str | None]:
    with Session(book.engine) as s:
        return {str(n): o for n, o in s.execute(select(Customer.name, Customer.owner))}


def rule_events(book: Book) -> list[tuple[int, dict[str, Any]]]:
    with Session(book.engine) as s:
        rows = s.execute(
            select(AuditEvent.entity_id, AuditEvent.details)
            .where(AuditEvent.action == RULE_ASSIGNED)
            .order_by(AuditEvent.id)
        )
        return [(int(i), dict(d or {})) for i, d in rows]


def write_customers(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, ["customer_id", "email", "name", "tier", "owner"])
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_an_import_gives_its_new_customers_their_tiers_owner(book: Book, tmp_path: Path) -> None:
    book.set("segments.rules", [GOLD_DANA])
    path = write_customers(
        tmp_path / "customers.csv",
        [
            {"customer_id": "c1", "email": "a@x.test", "name": "Ada", "tier": "Gold", "owner": ""},
            {"customer_id": "c2", "email": "b@x.test", "name": "Bo", "tier": "Gold", "owner": "Ev"},
            {"customer_id": "c3", "email": "c@x.test", "name": "Cy", "tier": "Bronze", "owner": ""},
        ],
    )
    report = run_import(book.engine, [path], kind="customers")
    (file,) = report.files
    assert file.landed, file.error
    assert owners(book) == {"Ada": "Dana", "Bo": "Ev", "Cy": None}
    assert "1 new customer given their segment's owner" in file.notes
    ((cid, details),) = rule_events(book)
    assert details == {"to": "Dana", "rule": "Tier: Gold"}
    # The customer's history says where the owner came from.
    words = describe_event(RULE_ASSIGNED, details)
    assert words == "Assigned to Dana from the rule Tier: Gold"
    with Session(book.engine) as s:
        assert s.get(Customer, cid).name == "Ada"  # type: ignore[union-attr]


def test_a_rule_set_later_gives_the_owner_and_keeps_every_owner_set(book: Book) -> None:
    ada = customer(book, "Ada", None, "Gold")
    customer(book, "Bo", "Eve", "Gold")
    customer(book, "Cy", None, "Silver")
    assert owners_from_rules(book.engine).count == 0  # no rule names an owner yet
    book.set("segments.rules", [GOLD_DANA])
    given = owners_from_rules(book.engine, actor="lead")
    assert given.customers == ((ada, "Dana"),)
    assert given.by_rule == {"Tier: Gold": 1}
    assert owners(book) == {"Ada": "Dana", "Bo": "Eve", "Cy": None}
    # Once given, the owner is the customer's: a second pass gives nothing.
    assert owners_from_rules(book.engine).count == 0
    with Session(book.engine) as s:
        actors = s.scalars(select(AuditEvent.actor).where(AuditEvent.action == RULE_ASSIGNED))
        assert list(actors) == ["lead"]


def test_no_owner_chosen_on_purpose_is_kept(book: Book) -> None:
    ada = customer(book, "Ada", "Eve", "Gold")
    bo = customer(book, "Bo", "Eve", "Gold")
    assign_customer(book.engine, ada, None, actor="lead", now=NOW)  # "No owner"
    with Session(book.engine) as s:
        s.get(Customer, bo).owner = None  # type: ignore[union-attr]  (emptied, not by a person)
        s.commit()
    book.set("segments.rules", [GOLD_DANA])
    given = owners_from_rules(book.engine)
    assert given.customers == ((bo, "Dana"),)
    assert owners(book) == {"Ada": None, "Bo": "Dana"}
    with Session(book.engine) as s:
        (said,) = s.scalars(
            select(AuditEvent.details).where(
                AuditEvent.action == "customer.assigned", AuditEvent.entity_id == ada
            )
        ).all()
    assert describe_event("customer.assigned", said) == "Left without an owner (was Eve)"
    # A person's assignment later ends it: the rule may give Ada an owner again after.
    assign_customer(book.engine, ada, "Eve", actor="lead", now=NOW)
    assign_customer(book.engine, ada, None, actor="lead", now=NOW)
    assert owners_from_rules(book.engine).count == 0


def test_undoing_the_rules_owners_takes_them_back_for_good(book: Book) -> None:
    ada = customer(book, "Ada", None, "Gold")
    bo = customer(book, "Bo", None, "Gold")
    book.set("segments.rules", [GOLD_DANA])
    given = owners_from_rules(book.engine)
    change = undoable(given)
    assert change is not None
    assert change.label == "Gave 2 customers their segment's owner"
    assert undo_change(book.engine, change, actor="lead").startswith("Undone: gave 2")
    assert owners(book) == {"Ada": None, "Bo": None}
    with Session(book.engine) as s:
        undone = s.scalars(
            select(AuditEvent.entity_id).where(AuditEvent.action == "customer.undone")
        )
        assert sorted(undone) == [ada, bo]
    # The same rule does not give Dana back; another owner for the segment is given.
    assert owners_from_rules(book.engine).count == 0
    book.set("segments.rules", [{**GOLD_DANA, "values": {"alerts.unassigned_owner": "Ravi"}}])
    assert owners_from_rules(book.engine).count == 2
    assert owners(book) == {"Ada": "Ravi", "Bo": "Ravi"}


def test_after_a_scoring_an_rfm_segments_owner_is_given(book: Book) -> None:
    ada = book.customer("Ada", owner=None)
    bo = book.customer("Bo", owner=None)
    book.set("segments.rules", [CHAMPIONS_RITA])
    # Not scored yet: nobody is in an RFM segment.
    assert owners_from_rules(book.engine).count == 0
    book.set("segments.rules", [])
    book.score(
        {
            ada: {"churn": 0.7, "clv": 1000.0, "segment": "Champions"},
            bo: {"churn": 0.7, "clv": 1000.0, "segment": "Loyal"},
        }
    )
    book.generate()
    ada_alerts = book.alerts(f"WHERE customer_id = {ada}")
    assert ada_alerts
    assert {a["owner"] for a in ada_alerts} == {None}
    book.set("segments.rules", [CHAMPIONS_RITA])
    with Session(book.engine) as s, s.begin():
        given = give_rule_owners(s, None, actor="scoring")
    assert given.customers == ((ada, "Rita"),)
    assert owners(book) == {"Ada": "Rita", "Bo": None}
    # Ada's open alerts went to Rita too, audited as the rule's.
    assert {a["owner"] for a in book.alerts(f"WHERE customer_id = {ada}")} == {"Rita"}
    ((cid, details),) = rule_events(book)
    assert cid == ada
    assert details == {
        "to": "Rita",
        "rule": "Champions",
        "alerts": sorted(a["id"] for a in ada_alerts),
    }
    with Session(book.engine) as s:
        moved = s.scalars(
            select(AuditEvent.details).where(AuditEvent.action == "alert.assigned")
        ).all()
    assert moved == [{"to": "Rita", "rule": "Champions"}] * len(ada_alerts)
