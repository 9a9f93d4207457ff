"""The reason a user gives when dismissing, resolving or marking do not contact: kept in
the audit event's detail, shown in the alert's history, and still undone by Ctrl+Z."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from services.alerts.actions import apply_card_action, mark_do_not_contact
from services.alerts.detail import alert_detail
from services.alerts.undo import undo_change
from tests.support.databases import stored_json
from tests.unit.alerts.test_alerts_rules import NOW, Book, make_book
from tests.unit.alerts.test_alerts_undo import late_ticket, two_rules

LATER = NOW + dt.timedelta(minutes=5)


@pytest.fixture
def book(workspace_url: str) -> Iterator[Book]:
    yield from make_book(workspace_url)


def audit(book: Book, action: str, entity_id: int) -> list[dict]:
    with book.engine.connect() as conn:
        found = conn.execute(
            text(
                "SELECT details FROM audit_events WHERE action = :a AND entity_id = :e ORDER BY id"
            ),
            {"a": action, "e": entity_id},
        )
        return [stored_json(d) for (d,) in found]


def history(book: Book, alert: int) -> list[str]:
    return [e.what for e in alert_detail(book.engine, alert, now=LATER).history]


def test_a_dismissal_keeps_its_reason_on_every_alert_of_the_card_and_undoes(book: Book) -> None:
    _cid, ids = two_rules(book, "Ava")
    change = apply_card_action(
        book.engine, ids, "dismiss", note="  Duplicate of the ticket alert ", actor="maya", now=NOW
    )
    for alert in ids:
        assert audit(book, "alert.dismissed", alert) == [
            {"from": "open", "to": "dismissed", "note": "Duplicate of the ticket alert"}
        ]
    assert "Dismissed: Duplicate of the ticket alert" in history(book, ids[0])
    undo_change(book.engine, change, actor="maya", now=LATER)
    with book.engine.connect() as conn:
        statuses = conn.execute(text(f"SELECT status FROM alerts WHERE id IN {tuple(ids)}"))
        assert {s for (s,) in statuses} == {"open"}
    # The reason stays in the audit after the undo; the history says both.
    assert "Dismissed: Duplicate of the ticket alert" in history(book, ids[0])
    assert "Undone: Dismissed Ava" in history(book, ids[0])


def test_an_empty_reason_is_no_reason(book: Book) -> None:
    _cid, alert = late_ticket(book, "Bo")
    apply_card_action(book.engine, [alert], "dismiss", note="   ", now=NOW)
    assert audit(book, "alert.dismissed", alert) == [{"from": "open", "to": "dismissed"}]
    assert "Dismissed" in history(book, alert)


def test_a_resolution_keeps_its_outcome_and_reason(book: Book) -> None:
    _cid, alert = late_ticket(book, "Cy")
    apply_card_action(
        book.engine, [alert], "resolve", outcome="won_back", note="Ordered again", now=NOW
    )
    assert audit(book, "alert.resolved", alert) == [
        {"from": "open", "to": "resolved", "outcome": "won_back", "note": "Ordered again"}
    ]
    assert "Resolved: won back: Ordered again" in history(book, alert)


def test_do_not_contact_keeps_its_reason_from_either_tab_and_undoes(book: Book) -> None:
    cid, alert = late_ticket(book, "Dee")
    # The Alerts tab's X: an action on the card.
    change = apply_card_action(
        book.engine, [alert], "do_not_contact", note="Asked on the phone", now=NOW
    )
    assert audit(book, "customer.do_not_contact", cid) == [
        {"value": True, "note": "Asked on the phone"}
    ]
    assert "Marked do not contact: Asked on the phone" in history(book, alert)
    undo_change(book.engine, change, now=NOW + dt.timedelta(minutes=1))
    # The Customers tab's Do not contact…: the customer's own pane.
    again = mark_do_not_contact(book.engine, cid, True, note="Complaint by email", now=LATER)
    assert again.label == "Marked Dee do not contact"
    assert audit(book, "customer.do_not_contact", cid)[-1] == {
        "value": True,
        "note": "Complaint by email",
    }
    assert "Marked do not contact: Complaint by email" in history(book, alert)
    undo_change(book.engine, again, now=LATER + dt.timedelta(minutes=1))
    with book.engine.connect() as conn:
        assert conn.execute(
            text(f"SELECT do_not_contact FROM customers WHERE id = {cid}")
        ).scalar_one() in (0, False)
