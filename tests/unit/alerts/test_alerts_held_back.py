"""Alerts the daily cap per owner leaves out are kept as held back, listed, and can be
raised now."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from services.alerts.actions import apply_alert_action
from services.alerts.detail import alert_detail
from services.alerts.lifecycle import (
    AlertActionError,
    AlertNotFoundError,
    start_in,
    transition_alert,
)
from services.alerts.queries import alert_columns, alert_counts, alerts_export_frame
from services.outreach.sent import record_email
from tests.support.databases import stored_json
from tests.unit.alerts.test_alerts_rules import NOW, Book, make_book, only


@pytest.fixture
def book(workspace_url: str) -> Iterator[Book]:
    yield from make_book(workspace_url)


def late_tickets(book: Book, n: int) -> list[int]:
    """``n`` customers of Maya's with a ticket past its SLA (a warning each), the later
    ones worth more (so the cap keeps the last)."""
    only(book, "ticket_past_sla")
    late = [book.customer(f"Late {k}", owner="Maya") for k in range(n)]
    for cid in late:
        book.interaction(cid, "ticket", 5, status="open")
    book.score({c: {"churn": 0.5, "clv": 100.0 + 10 * k} for k, c in enumerate(late)})
    return late


def statuses(book: Book) -> dict[int, str]:
    return {a["customer_id"]: a["status"] for a in book.alerts()}


def test_the_cap_holds_alerts_back_and_keeps_them(book: Book) -> None:
    late = late_tickets(book, 3)
    book.set("alerts.daily_cap_per_owner", 1)
    result = book.generate()
    assert result.created == 1
    assert result.capped == 2
    # The highest priority is raised; the other two are kept, held back, not lost.
    assert statuses(book) == {late[2]: "open", late[0]: "held_back", late[1]: "held_back"}
    counts = alert_counts(book.engine, now=NOW)
    assert counts.by_status["held_back"] == 2
    assert counts.by_status["open"] == 1
    assert sum(counts.by_severity.values()) == 1  # held back is not work
    listed = alert_columns(book.engine, statuses=("held_back",), now=NOW)
    assert sorted(listed["customer_id"].tolist()) == sorted(late[:2])
    assert set(listed["reason"].tolist()) != {""}
    # Exports count raised alerts only.
    assert alerts_export_frame(book.engine, now=NOW)["alert_id"].tolist() == [
        a["id"] for a in book.alerts("WHERE status = 'open'")
    ]


def test_scoring_again_the_same_day_holds_them_again_without_duplicates(book: Book) -> None:
    late_tickets(book, 3)
    book.set("alerts.daily_cap_per_owner", 1)
    book.generate()
    again = book.generate(now=NOW + dt.timedelta(hours=3))
    assert again.created == 0
    assert again.capped == 2
    assert len(book.alerts("WHERE status = 'held_back'")) == 2
    assert len(book.alerts()) == 3


def test_the_next_day_held_back_alerts_are_raised_as_the_cap_allows(book: Book) -> None:
    late = late_tickets(book, 3)
    book.set("alerts.daily_cap_per_owner", 1)
    book.generate()
    result = book.generate(now=NOW + dt.timedelta(days=1))
    assert result.created == 1
    assert statuses(book) == {late[2]: "open", late[1]: "open", late[0]: "held_back"}


def test_a_held_back_alert_whose_condition_cleared_is_dropped(book: Book) -> None:
    late = late_tickets(book, 3)
    book.set("alerts.daily_cap_per_owner", 1)
    book.generate()
    with book.engine.begin() as conn:
        conn.execute(
            text("UPDATE interactions SET status = 'solved' WHERE customer_id = :c"), {"c": late[0]}
        )
    book.generate(now=NOW + dt.timedelta(hours=1))
    assert statuses(book) == {late[2]: "open", late[1]: "held_back"}


def test_raise_now_puts_it_in_the_queue_and_audits_it(book: Book) -> None:
    late = late_tickets(book, 3)
    book.set("alerts.daily_cap_per_owner", 1)
    # The history below is the cap's alone (tests/unit/learn/test_holdout.py draws on raise).
    book.set("learn.holdout_percent", 0)
    book.generate()
    held = book.alerts(f"WHERE customer_id = {late[0]}")[0]
    with pytest.raises(AlertActionError, match="held back by the daily cap; raise it first"):
        transition_alert(book.engine, held["id"], start_in, actor="Maya")
    apply_alert_action(book.engine, held["id"], "raise", actor="Maya")
    assert book.alerts(f"WHERE id = {held['id']}")[0]["status"] == "open"
    with book.engine.connect() as conn:
        events = conn.execute(
            text(
                "SELECT actor, details FROM audit_events WHERE action = 'alert.raised' "
                "AND entity_id = :id"
            ),
            {"id": held["id"]},
        ).all()
    assert len(events) == 1
    assert events[0][0] == "Maya"
    assert stored_json(events[0][1])["from"] == "held_back"
    with pytest.raises(AlertActionError, match="not held back"):
        apply_alert_action(book.engine, held["id"], "raise", actor="Maya")
    # Its history says so in words (the window's HISTORY list).
    history = alert_detail(book.engine, held["id"], now=NOW).history
    assert [(e.who, e.what) for e in history] == [
        ("Maya", "Raised now (it was held back by the daily cap)")
    ]
    # Raised, it is work like any other: it counts and can be started.
    transition_alert(book.engine, held["id"], start_in, actor="Maya")
    # A later scoring the same day keeps it and holds back only the last one.
    book.generate(now=NOW + dt.timedelta(hours=2))
    assert statuses(book) == {late[2]: "open", late[0]: "in_progress", late[1]: "held_back"}


def test_no_cap_holds_nothing_back(book: Book) -> None:
    late_tickets(book, 3)
    result = book.generate()
    assert result.created == 3
    assert result.capped == 0
    assert book.alerts("WHERE status = 'held_back'") == []


def test_calls_notes_and_tasks_wait_until_a_held_back_alert_is_raised(book: Book) -> None:
    """Nothing is logged against an alert that is not in the queue: the next scoring
    replaces held-back alerts, and a call or task tied to one would lose its alert (and
    its audit trail would name an id a new alert can take)."""
    late = late_tickets(book, 3)
    book.set("alerts.daily_cap_per_owner", 1)
    book.generate()
    held = book.alerts(f"WHERE customer_id = {late[0]}")[0]["id"]
    due = NOW.date() + dt.timedelta(days=2)
    for action, params in (
        ("log", {"kind": "call", "text": "Talked about the late ticket"}),
        ("log", {"kind": "note", "text": "Waiting on support"}),
        ("task", {"text": "Call back", "due": due}),
    ):
        with pytest.raises(AlertActionError, match="held back by the daily cap; raise it first"):
            apply_alert_action(book.engine, held, action, actor="Maya", now=NOW, **params)
    with book.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM actions").scalar() == 0
        assert (
            conn.execute(
                text(
                    "SELECT COUNT(*) FROM audit_events "
                    "WHERE entity_type = 'alert' AND entity_id = :id"
                ),
                {"id": held},
            ).scalar()
            == 0
        )
    # Raised, it takes a call like any open alert (and the call starts it).
    apply_alert_action(book.engine, held, "raise", actor="Maya", now=NOW)
    apply_alert_action(book.engine, held, "log", actor="Maya", now=NOW, kind="call", text="Talked")
    assert book.alerts(f"WHERE id = {held}")[0]["status"] == "in_progress"


def test_an_email_sent_on_a_held_back_alert_is_kept_as_the_customers(book: Book) -> None:
    """The email may have gone out already: it is recorded, for the customer, and the
    held-back alert is left as it was."""
    late = late_tickets(book, 3)
    book.set("alerts.daily_cap_per_owner", 1)
    book.generate()
    held = book.alerts(f"WHERE customer_id = {late[0]}")[0]["id"]
    outreach_id = record_email(
        book.engine, late[0], alert_id=held, subject="About your ticket", actor="Maya", now=NOW
    )
    with book.engine.connect() as conn:
        row = conn.execute(
            text("SELECT customer_id, alert_id FROM outreach WHERE id = :id"), {"id": outreach_id}
        ).one()
    assert tuple(row) == (late[0], None)
    assert book.alerts(f"WHERE id = {held}")[0]["status"] == "held_back"


def test_the_workspace_vocabulary_knows_held_back() -> None:
    """The table's documented statuses are the ones the alert services write."""
    from models.vocab import ALERT_STATUSES
    from services.alerts.records import STATUSES

    assert sorted(ALERT_STATUSES) == sorted(STATUSES)


def test_a_held_back_alert_keeps_its_id_while_it_stays_held_back(book: Book) -> None:
    """A scoring refreshes the held-back alerts in place: a window still showing one (a
    scoring ran elsewhere) raises that customer's alert, never another's that took its
    id. Only the ones no longer held back go."""
    late = late_tickets(book, 4)
    book.set("alerts.daily_cap_per_owner", 1)
    book.generate()
    before = {a["customer_id"]: a["id"] for a in book.alerts("WHERE status = 'held_back'")}
    assert sorted(before) == sorted(late[:3])
    # Late 1's ticket is solved; Late 0 is now worth the most of the held back.
    with book.engine.begin() as conn:
        conn.execute(
            text("UPDATE interactions SET status = 'solved' WHERE customer_id = :c"), {"c": late[1]}
        )
    book.score({c: {"churn": 0.5, "clv": 500.0 if c == late[0] else 100.0} for c in late})
    book.generate(now=NOW + dt.timedelta(hours=1))
    after = {a["customer_id"]: a["id"] for a in book.alerts("WHERE status = 'held_back'")}
    assert after == {late[0]: before[late[0]], late[2]: before[late[2]]}
    # Refreshed from the new scores, not left as they were.
    (row,) = book.alerts(f"WHERE id = {before[late[0]]}")
    assert row["priority_cents"] == 25_000
    # The raised alert is still Late 3's, and no one else's alert took a held-back id.
    assert statuses(book) == {late[3]: "open", late[0]: "held_back", late[2]: "held_back"}


def test_raise_now_from_a_stale_list_never_raises_another_customers_alert(book: Book) -> None:
    """The window says whose alert it showed: if the id is now another customer's (a
    scoring elsewhere replaced the held-back alerts), nothing is raised."""
    late = late_tickets(book, 3)
    book.set("alerts.daily_cap_per_owner", 1)
    book.generate()
    held = book.alerts(f"WHERE customer_id = {late[0]}")[0]["id"]
    with pytest.raises(AlertNotFoundError, match="replaced by a later scoring; refresh"):
        apply_alert_action(book.engine, held, "raise", actor="Maya", customer_id=late[1])
    assert statuses(book)[late[0]] == "held_back"
    apply_alert_action(book.engine, held, "raise", actor="Maya", customer_id=late[0])
    assert statuses(book)[late[0]] == "open"
