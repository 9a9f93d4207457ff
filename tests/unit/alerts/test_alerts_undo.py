"""Calls with an outcome, the quiet period a user ends, actions on a card of several
alerts, and undo: on real SQLite files, through the services the window calls."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from services.alerts.actions import apply_alert_action, apply_card_action
from services.alerts.detail import alert_detail
from services.alerts.lifecycle import AlertActionError
from services.alerts.records import Undoable
from services.alerts.undo import UndoRefusedError, undo_change
from tests.support.databases import stored_json
from tests.unit.alerts.test_alerts_rules import NOW, Book, make_book, only

LATER = NOW + dt.timedelta(minutes=5)


@pytest.fixture
def book(workspace_url: str) -> Iterator[Book]:
    yield from make_book(workspace_url)


def late_ticket(book: Book, name: str) -> tuple[int, int]:
    """A customer with a ticket past its SLA, scored and alerted: (customer, alert)."""
    only(book, "ticket_past_sla")
    cid = book.customer(name)
    book.interaction(cid, "ticket", 5, status="open")
    book.score({cid: {"churn": 0.5, "clv": 200}})
    book.generate()
    (alert,) = book.alerts(f"WHERE customer_id = {cid}")
    return cid, int(alert["id"])


def two_rules(book: Book, name: str) -> tuple[int, list[int]]:
    """A customer with two risk alerts (late ticket and a negative experience)."""
    cid = book.customer(name)
    book.interaction(cid, "ticket", 5, status="open", satisfaction="bad")
    book.interaction(cid, "ticket", 4, status="open", satisfaction="bad")
    book.score({cid: {"churn": 0.5, "clv": 200}})
    book.generate()
    alerts = book.alerts(f"WHERE customer_id = {cid}")
    assert {a["rule_key"] for a in alerts} >= {"ticket_past_sla", "negative_experience"}
    return cid, [int(a["id"]) for a in alerts]


def row(book: Book, sql: str) -> Any:
    with book.engine.connect() as conn:
        return conn.execute(text(sql)).one()


def rows(book: Book, sql: str) -> list[Any]:
    with book.engine.connect() as conn:
        return list(conn.execute(text(sql)))


def status(book: Book, alert_id: int) -> str:
    return str(row(book, f"SELECT status FROM alerts WHERE id = {alert_id}")[0])


# ----------------------------------------------------------------------- call outcomes


def test_only_a_conversation_starts_the_quiet_period(book: Book) -> None:
    cid, alert = late_ticket(book, "Ada")
    book.set("alerts.cooldown_days", 14)  # after late_ticket, which turns it off
    apply_alert_action(
        book.engine, alert, "log", kind="call", outcome="voicemail", text="", actor="maya", now=NOW
    )
    detail = alert_detail(book.engine, alert, now=NOW)
    # An attempt is work on the alert, but not contact: outreach stays open.
    assert detail.status == "in_progress"
    assert detail.outreach_blocked is None
    assert detail.last_contact_at is None
    (call,) = rows(book, f"SELECT kind, outcome, title FROM actions WHERE customer_id = {cid}")
    assert tuple(call) == ("call", "voicemail", "Left a voicemail")
    (timeline,) = rows(
        book, f"SELECT kind, status FROM interactions WHERE customer_id = {cid} AND kind = 'call'"
    )
    assert tuple(timeline) == ("call", "voicemail")
    assert detail.history[-1].what == "Started: called the customer (left a voicemail)"
    assert "Call (left a voicemail)" in [e.what for e in detail.history]

    apply_alert_action(
        book.engine,
        alert,
        "log",
        kind="call",
        outcome="connected",
        text="Talked about the late parcel",
        actor="maya",
        now=LATER,
    )
    detail = alert_detail(book.engine, alert, now=LATER)
    assert detail.last_contact_at == LATER
    assert detail.outreach_blocked is not None
    assert "quiet period" in detail.outreach_blocked


def test_a_conversation_needs_what_was_said_and_outcomes_are_checked(book: Book) -> None:
    _cid, alert = late_ticket(book, "Bo")
    with pytest.raises(AlertActionError, match="what was said"):
        apply_alert_action(book.engine, alert, "log", kind="call", outcome="connected", text=" ")
    with pytest.raises(AlertActionError, match="not what came of a call"):
        apply_alert_action(book.engine, alert, "log", kind="call", outcome="busy", text="x")
    assert rows(book, "SELECT id FROM actions") == []


def test_missed_calls_do_not_hold_new_alerts_back(book: Book) -> None:
    only(book, "ticket_past_sla")
    book.set("alerts.cooldown_days", 14)
    missed, spoke = book.customer("Missed"), book.customer("Spoke")
    for cid in (missed, spoke):
        book.interaction(cid, "ticket", 5, status="open")
    # Calls imported or logged: a voicemail is no contact, a call without a status is.
    book.interaction(missed, "call", 1, status="voicemail")
    book.interaction(spoke, "call", 1)
    book.score({c: {} for c in (missed, spoke)})
    result = book.generate()
    assert book.keys() == {(missed, "ticket_past_sla")}
    assert result.cooled_down == 1


# ------------------------------------------------------------------ the quiet period


def test_ending_the_quiet_period_needs_a_reason_and_lets_alerts_and_outreach_back(
    book: Book,
) -> None:
    cid, alert = late_ticket(book, "Cy")
    book.set("alerts.cooldown_days", 14)
    apply_alert_action(
        book.engine, alert, "log", kind="call", outcome="connected", text="Spoke", now=NOW
    )
    assert alert_detail(book.engine, alert, now=NOW).outreach_blocked is not None
    with pytest.raises(AlertActionError, match="why the quiet period"):
        apply_alert_action(book.engine, alert, "end_quiet_period", reason="  ", now=NOW)
    change = apply_alert_action(
        book.engine,
        alert,
        "end_quiet_period",
        reason="They asked for the offer by email",
        actor="maya",
        now=LATER,
    )
    detail = alert_detail(book.engine, alert, now=LATER)
    assert detail.outreach_blocked is None
    assert detail.last_contact_at is None
    ended = [e for e in detail.history if e.action == "customer.quiet_period_ended"]
    assert [e.what for e in ended] == ["Quiet period ended: They asked for the offer by email"]
    assert ended[0].who == "maya"
    # Undone, the quiet period is back.
    undo_change(book.engine, change, actor="maya", now=LATER + dt.timedelta(minutes=1))
    assert alert_detail(book.engine, alert, now=LATER).outreach_blocked is not None
    assert row(book, f"SELECT quiet_override_at FROM customers WHERE id = {cid}")[0] is None


# --------------------------------------------------------------------------- cards


def test_a_card_action_applies_to_every_alert_it_can_and_is_undone_whole(book: Book) -> None:
    _cid, ids = two_rules(book, "Di")
    apply_alert_action(book.engine, ids[0], "start", now=NOW)  # one is in progress already
    change = apply_card_action(book.engine, ids, "dismiss", actor="maya", now=LATER)
    assert [status(book, i) for i in ids] == ["dismissed", "dismissed"]
    assert change.label == "Dismissed Di"
    assert {a.status for a in change.alerts} == {"in_progress", "open"}
    message = undo_change(book.engine, change, actor="maya", now=LATER + dt.timedelta(minutes=1))
    assert message == "Undone: dismissed Di"
    assert [status(book, i) for i in ids] == ["in_progress", "open"]
    resolved = rows(book, f"SELECT resolved_at FROM alerts WHERE id IN ({ids[0]}, {ids[1]})")
    assert [r[0] for r in resolved] == [None, None]
    undone = rows(book, "SELECT entity_id, actor, details FROM audit_events "
                        "WHERE action = 'alert.undone' ORDER BY entity_id")  # fmt: skip
    assert [(r[0], r[1]) for r in undone] == [(ids[0], "maya"), (ids[1], "maya")]
    assert stored_json(undone[0][2]) == {"undid": "alert.dismissed", "text": "Dismissed Di"}


def test_a_transition_no_alert_of_the_card_allows_is_refused(book: Book) -> None:
    _cid, ids = two_rules(book, "Ed")
    apply_card_action(book.engine, ids, "start", now=NOW)
    with pytest.raises(AlertActionError, match="Cannot start it"):
        apply_card_action(book.engine, ids, "start", now=LATER)


def test_a_call_on_a_card_is_written_once_and_starts_every_open_alert(book: Book) -> None:
    cid, ids = two_rules(book, "Flo")
    change = apply_card_action(
        book.engine, ids, "log", kind="call", outcome="no_answer", text="", actor="maya", now=NOW
    )
    assert [status(book, i) for i in ids] == ["in_progress", "in_progress"]
    assert len(rows(book, f"SELECT id FROM actions WHERE customer_id = {cid}")) == 1
    assert change.label == "Call with Flo: no answer"
    undo_change(book.engine, change, actor="maya", now=LATER)
    assert [status(book, i) for i in ids] == ["open", "open"]
    assert rows(book, f"SELECT id FROM actions WHERE customer_id = {cid}") == []
    calls = f"SELECT id FROM interactions WHERE customer_id = {cid} AND kind = 'call'"
    assert rows(book, calls) == []


def test_alerts_of_two_customers_are_not_one_card(book: Book) -> None:
    _a, first = late_ticket(book, "Gus")
    _b, second = late_ticket(book, "Hal")
    with pytest.raises(AlertActionError, match="different customers"):
        apply_card_action(book.engine, [first, second], "dismiss", now=NOW)
    assert (status(book, first), status(book, second)) == ("open", "open")


# ---------------------------------------------------------------------------- undo


def test_undo_snooze_resolve_task_note_and_do_not_contact(book: Book) -> None:
    cid, alert = late_ticket(book, "Ida")
    steps: list[tuple[str, dict[str, Any]]] = [
        ("snooze", {"until": (NOW + dt.timedelta(days=7)).date()}),
        ("resolve", {"outcome": "won_back"}),
        ("task", {"text": "Call back", "due": NOW.date()}),
        ("log", {"kind": "note", "text": "Prefers email"}),
        ("do_not_contact", {}),
    ]
    for k, (action, params) in enumerate(steps):
        when = NOW + dt.timedelta(minutes=k)
        before = row(book, f"SELECT status, outcome, snoozed_until FROM alerts WHERE id={alert}")
        dnc = row(book, f"SELECT do_not_contact FROM customers WHERE id = {cid}")[0]
        change = apply_alert_action(book.engine, alert, action, actor="maya", now=when, **params)
        assert change.can_undo
        undo_change(book.engine, change, actor="maya", now=when + dt.timedelta(seconds=30))
        after = row(book, f"SELECT status, outcome, snoozed_until FROM alerts WHERE id={alert}")
        assert tuple(after) == tuple(before), action
        assert row(book, f"SELECT do_not_contact FROM customers WHERE id = {cid}")[0] == dnc
    assert rows(book, "SELECT id FROM actions") == []
    history = [e.what for e in alert_detail(book.engine, alert, now=NOW).history]
    assert "Undone: Marked Ida do not contact" in history
    assert "Undone: Task for Ida: Call back" in history


def test_undo_is_refused_when_the_alert_changed_since(book: Book) -> None:
    _cid, alert = late_ticket(book, "Jo")
    dismissed = apply_alert_action(book.engine, alert, "dismiss", now=NOW)
    apply_alert_action(book.engine, alert, "reopen", now=LATER)
    with pytest.raises(UndoRefusedError, match="changed since"):
        undo_change(book.engine, dismissed, now=LATER + dt.timedelta(minutes=1))
    assert status(book, alert) == "open"  # the reopen stands


def test_a_completed_task_is_not_removed_by_undoing_its_creation(book: Book) -> None:
    from services.alerts.contact import complete_task

    _cid, alert = late_ticket(book, "Kim")
    change = apply_alert_action(
        book.engine, alert, "task", text="Send samples", due=NOW.date(), now=NOW
    )
    complete_task(book.engine, change.action_ids[0], now=LATER)
    with pytest.raises(UndoRefusedError, match="completed"):
        undo_change(book.engine, change, now=LATER)
    assert len(rows(book, "SELECT id FROM actions")) == 1


def test_what_cannot_be_taken_back_says_why() -> None:
    sent = Undoable(label="Emailed Lu", undid="alert.email_logged", customer_id=1,
                    reason="the email has gone out")  # fmt: skip
    assert not sent.can_undo
    with pytest.raises(UndoRefusedError, match="gone out"):
        undo_change(None, sent)  # type: ignore[arg-type]  # refused before any database work
