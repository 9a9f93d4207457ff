"""The alert lifecycle on real SQLite files: refresh without duplicates, cleared
conditions, snoozes, every user transition and its audit event, the cool-down after
contact, the daily cap, do-not-contact and unsubscribed customers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from services.alerts.actions import apply_alert_action
from services.alerts.contact import (
    add_note,
    complete_task,
    create_task,
    log_call,
    set_do_not_contact,
)
from services.alerts.detail import alert_detail
from services.alerts.generate import AlertsCancelled
from services.alerts.lifecycle import (
    AlertActionError,
    AlertNotFoundError,
    dismiss_in,
    reopen_in,
    resolve_in,
    snooze_in,
    start_in,
    transition_alert,
)
from services.alerts.queries import alert_columns, alert_counts
from services.core.formatting import format_date
from services.core.rollups import refresh_rollups
from services.outreach.sent import log_email_sent
from services.usecases.customer_detail import load_customer_detail
from tests.support.databases import stored_datetime, stored_json
from tests.unit.alerts.test_alerts_rules import (
    NOW,
    TODAY,
    Book,
    make_book,
    only,
)

LATER = NOW + dt.timedelta(days=1)


@pytest.fixture
def book(workspace_url: str) -> Iterator[Book]:
    yield from make_book(workspace_url)


def audit(book: Book, entity_id: int | None = None) -> list[tuple[Any, ...]]:
    where = "" if entity_id is None else f"WHERE entity_type = 'alert' AND entity_id = {entity_id}"
    with book.engine.connect() as conn:
        return [
            (r.actor, r.action, stored_json(r.details) if r.details else None, r.occurred_at)
            for r in conn.execute(
                text(
                    f"SELECT actor, action, details, occurred_at FROM audit_events {where} "
                    "ORDER BY id"
                )
            )
        ]


def late_ticket_book(book: Book, *names: str) -> list[int]:
    """Customers with one open ticket 5 days old each (the SLA rule holds for them)."""
    only(book, "ticket_past_sla")
    ids = [book.customer(n) for n in names]
    for cid in ids:
        book.interaction(cid, "ticket", 5, status="open")
    return ids


def solve_tickets(book: Book, cid: int) -> None:
    with book.engine.begin() as conn:
        conn.execute(text(f"UPDATE interactions SET status = 'solved' WHERE customer_id = {cid}"))


def one_alert(book: Book) -> int:
    (alert,) = book.alerts()
    return int(alert["id"])


# ----------------------------------------------------------------------- generation


def test_the_next_scoring_refreshes_the_alert_and_never_duplicates_it(book: Book) -> None:
    (ada,) = late_ticket_book(book, "Ada")
    book.score({ada: {"churn": 0.4, "clv": 100}})
    first = book.generate()
    (before,) = book.alerts()
    book.interaction(ada, "ticket", 6, status="pending")
    run = book.score({ada: {"churn": 0.8, "clv": 100}}, drivers=[{"text": "new", "weight": 1}])
    second = book.generate(now=LATER)
    (after,) = book.alerts()
    assert (first.created, second.created, second.refreshed) == (1, 0, 1)
    assert after["id"] == before["id"]
    assert after["created_at"] == before["created_at"]
    assert after["reason"].startswith("2 tickets unresolved")
    assert after["priority_cents"] == 8000
    assert before["priority_cents"] == 4000
    with book.engine.connect() as conn:
        snapshot = conn.execute(
            text(f"SELECT id FROM score_snapshots WHERE scoring_run_id = {run}")
        ).scalar()
    assert after["score_snapshot_id"] == snapshot
    assert stored_json(after["drivers"]) == [{"text": "new", "weight": 1}]
    actions = [a for _, a, _, _ in audit(book)]
    assert actions.count("alert.created") == 1
    assert actions.count("alerts.generated") == 2


def test_a_cleared_alert_stays_open_and_is_marked_until_it_holds_again(book: Book) -> None:
    (ada,) = late_ticket_book(book, "Ada")
    book.score({ada: {}})
    book.generate()
    solve_tickets(book, ada)
    result = book.generate(now=LATER)
    (alert,) = book.alerts()
    assert result.cleared == 1
    assert alert["status"] == "open"
    assert alert["cleared_at"] is not None
    columns = alert_columns(book.engine, now=LATER)
    assert list(columns["condition_cleared"]) == [True]
    book.interaction(ada, "ticket", 4, status="open")
    book.generate(now=LATER)
    (alert,) = book.alerts()
    assert alert["cleared_at"] is None
    assert len(book.alerts()) == 1


def test_snoozed_until_clear_is_resolved_by_the_app_when_the_condition_clears(
    book: Book,
) -> None:
    (ada,) = late_ticket_book(book, "Ada")
    book.score({ada: {}})
    book.generate()
    alert_id = one_alert(book)
    transition_alert(book.engine, alert_id, snooze_in, until_clear=True, actor="maya", now=NOW)
    book.generate(now=LATER)  # still holds: stays snoozed
    assert book.alerts()[0]["status"] == "snoozed"
    assert list(alert_columns(book.engine, now=LATER)["id"]) == []  # hidden from the list
    solve_tickets(book, ada)
    result = book.generate(now=LATER)
    (alert,) = book.alerts()
    assert result.auto_resolved == 1
    assert (alert["status"], alert["outcome"]) == ("resolved", "condition_cleared")
    assert alert["snooze_until_clear"] == 0
    assert alert["resolved_at"] is not None
    events = audit(book, alert_id)
    assert ("Account Radar", "alert.auto_resolved") in [(who, a) for who, a, _, _ in events]
    assert events[-1][2] == {"from": "snoozed", "to": "resolved", "outcome": "condition_cleared"}
    # Closed by the app, not by a user: the rule may raise it again at once.
    book.interaction(ada, "ticket", 4, status="open")
    assert book.generate(now=LATER).created == 1


def test_a_snooze_until_a_date_hides_the_alert_until_that_day(book: Book) -> None:
    (ada,) = late_ticket_book(book, "Ada")
    book.score({ada: {}})
    book.generate()
    alert_id = one_alert(book)
    state = transition_alert(
        book.engine, alert_id, snooze_in, until=TODAY + dt.timedelta(days=3), now=NOW
    )
    assert state.status == "snoozed"
    assert state.snoozed_until == dt.datetime(2025, 6, 18, tzinfo=dt.UTC)
    two_days = NOW + dt.timedelta(days=2)
    assert len(alert_columns(book.engine, now=two_days)["id"]) == 0
    assert alert_counts(book.engine, now=two_days).by_status["snoozed"] == 1
    four_days = NOW + dt.timedelta(days=4)
    listed = alert_columns(book.engine, now=four_days)
    assert list(listed["id"]) == [alert_id]
    assert list(listed["status"]) == ["open"]
    assert alert_detail(book.engine, alert_id, now=four_days).status == "open"
    # The next generation stores it as open again, audited.
    result = book.generate(now=four_days)
    assert result.woken == 1
    assert book.alerts()[0]["status"] == "open"
    assert book.alerts()[0]["snoozed_until"] is None
    assert audit(book, alert_id)[-1][1:3] == ("alert.woke", {"from": "snoozed", "to": "open"})


def test_alerts_follow_the_latest_scores_only(book: Book) -> None:
    (ada,) = late_ticket_book(book, "Ada")
    assert book.generate().skipped == "the workspace is not scored"
    latest = book.score({ada: {}})
    past = book.score({ada: {}}, as_of=TODAY - dt.timedelta(days=40))
    replay = book.generate(run_id=past)
    assert replay.skipped is not None
    assert "Jun 15, 2025" in replay.skipped  # the app's one date style
    assert book.alerts() == []
    assert book.generate(run_id=latest).created == 1


def test_cancelling_writes_nothing(book: Book) -> None:
    (ada,) = late_ticket_book(book, "Ada")
    book.score({ada: {}})
    seen: list[str] = []

    def cancelled() -> bool:
        return "Saving the alerts" in seen

    with pytest.raises(AlertsCancelled):
        book.generate(progress=lambda f, m: seen.append(m), cancelled=cancelled)
    assert book.alerts() == []
    assert [e for e in audit(book) if e[1].startswith("alert")] == []


# ------------------------------------------------------------------------ transitions


def test_every_transition_is_validated_and_audited(book: Book) -> None:
    (ada,) = late_ticket_book(book, "Ada")
    book.score({ada: {}})
    book.generate()
    alert_id = one_alert(book)
    state = transition_alert(book.engine, alert_id, start_in, actor="maya", now=NOW)
    assert state.status == "in_progress"
    with pytest.raises(AlertActionError, match="in progress"):
        transition_alert(book.engine, alert_id, start_in, actor="maya", now=NOW)
    with pytest.raises(AlertActionError, match="already"):
        transition_alert(book.engine, alert_id, reopen_in, actor="maya", now=NOW)
    with pytest.raises(AlertActionError, match="not an outcome"):
        transition_alert(
            book.engine, alert_id, resolve_in, outcome="victory", actor="maya", now=NOW
        )
    state = transition_alert(
        book.engine,
        alert_id,
        resolve_in,
        outcome="won_back",
        note="Called; reordered.",
        actor="maya",
        now=LATER,
    )
    assert (state.status, state.outcome) == ("resolved", "won_back")
    for transition in (
        lambda: transition_alert(book.engine, alert_id, start_in, actor="maya", now=LATER),
        lambda: transition_alert(book.engine, alert_id, dismiss_in, actor="maya", now=LATER),
        lambda: transition_alert(
            book.engine, alert_id, resolve_in, outcome="lost", actor="maya", now=LATER
        ),
        lambda: transition_alert(
            book.engine,
            alert_id,
            snooze_in,
            until=TODAY + dt.timedelta(days=9),
            actor="maya",
            now=LATER,
        ),
    ):
        with pytest.raises(AlertActionError, match="resolved; reopen it first"):
            transition()
    state = transition_alert(book.engine, alert_id, reopen_in, actor="dan", now=LATER)
    assert (state.status, state.outcome) == ("open", None)
    state = transition_alert(
        book.engine, alert_id, dismiss_in, note="duplicate", actor="dan", now=LATER
    )
    assert state.status == "dismissed"
    events = audit(book, alert_id)
    assert [(who, action, details) for who, action, details, _ in events] == [
        ("Account Radar", "alert.created", {"to": "open"}),
        ("maya", "alert.started", {"from": "open", "to": "in_progress"}),
        (
            "maya",
            "alert.resolved",
            {
                "from": "in_progress",
                "to": "resolved",
                "outcome": "won_back",
                "note": "Called; reordered.",
            },
        ),
        ("dan", "alert.reopened", {"from": "resolved", "to": "open"}),
        ("dan", "alert.dismissed", {"from": "open", "to": "dismissed", "note": "duplicate"}),
    ]
    assert stored_datetime([when for *_, when in events][-1]) == dt.datetime(2025, 6, 16, 12)
    history = alert_detail(book.engine, alert_id, now=LATER).history
    assert [e.what for e in history] == [
        "Raised",
        "Started",
        "Resolved: won back: Called; reordered.",
        "Reopened",
        "Dismissed: duplicate",
    ]
    with pytest.raises(AlertNotFoundError, match="no longer exists"):
        transition_alert(book.engine, 999, start_in, actor="maya", now=NOW)


def test_snooze_checks_its_arguments(book: Book) -> None:
    (ada,) = late_ticket_book(book, "Ada")
    book.score({ada: {}})
    book.generate()
    alert_id = one_alert(book)
    with pytest.raises(AlertActionError, match=rf"a day after today \({format_date(TODAY)}\)"):
        transition_alert(book.engine, alert_id, snooze_in, until=TODAY, now=NOW)
    with pytest.raises(AlertActionError, match="not both"):
        transition_alert(
            book.engine, alert_id, snooze_in, until=TODAY + dt.timedelta(days=2), until_clear=True
        )
    with pytest.raises(AlertActionError, match="not both"):
        transition_alert(book.engine, alert_id, snooze_in)
    solve_tickets(book, ada)
    book.generate(now=LATER)
    with pytest.raises(AlertActionError, match="already cleared"):
        transition_alert(book.engine, alert_id, snooze_in, until_clear=True, now=LATER)
    assert book.alerts()[0]["status"] == "open"


def test_a_user_closed_alert_is_not_raised_again_for_a_while(book: Book) -> None:
    ada, bo = late_ticket_book(book, "Ada", "Bo")
    book.score({ada: {}, bo: {}})
    book.generate()
    ada_alert, bo_alert = (a["id"] for a in book.alerts())
    transition_alert(book.engine, ada_alert, dismiss_in, actor="maya", now=NOW)
    transition_alert(book.engine, bo_alert, resolve_in, outcome="lost", actor="maya", now=NOW)
    held = book.generate(now=LATER)
    assert (held.created, held.held_back) == (0, 2)
    # After the 30 days, the rules may raise them again.
    month = NOW + dt.timedelta(days=31)
    assert book.generate(now=month).created == 2
    # Reopening the old one would make two active alerts of one rule: refused.
    with pytest.raises(AlertActionError, match="already active"):
        transition_alert(book.engine, ada_alert, reopen_in, actor="maya", now=month)


def test_cool_down_after_contact(book: Book) -> None:
    called, emailed, imported_call, quiet = late_ticket_book(book, "Ada", "Bo", "Cy", "Di")
    book.set("alerts.cooldown_days", 14)
    book.call_logged(called, 3)
    book.email_sent(emailed, 13)
    book.interaction(imported_call, "call", 1)
    book.interaction(quiet, "email_sent", 1)  # a campaign email is not contact
    book.score({c: {} for c in (called, emailed, imported_call, quiet)})
    result = book.generate()
    assert book.keys() == {(quiet, "ticket_past_sla")}
    assert result.cooled_down == 3
    # Two days later Bo's email is 15 days old: Bo gets the alert, the others still wait.
    result = book.generate(now=NOW + dt.timedelta(days=2))
    assert book.keys() == {(quiet, "ticket_past_sla"), (emailed, "ticket_past_sla")}
    assert result.cooled_down == 2


def test_daily_cap_per_owner_keeps_the_highest_priorities(book: Book) -> None:
    only(book, "ticket_past_sla")
    book.set("alerts.daily_cap_per_owner", 2)
    maya = [book.customer(f"Maya's {k}", owner="Maya") for k in range(5)]
    dan = [book.customer(f"Dan's {k}", owner="Dan") for k in range(2)]
    nobody = [book.customer(f"Nobody's {k}", owner=None) for k in range(3)]
    for cid in maya + dan + nobody:
        book.interaction(cid, "ticket", 5, status="open")
    clv = {cid: 100.0 * (k + 1) for k, cid in enumerate(maya + dan + nobody)}
    book.score({cid: {"churn": 0.5, "clv": value} for cid, value in clv.items()})
    result = book.generate()
    raised = book.keys()
    assert {c for c, _ in raised} == {maya[4], maya[3], *dan, nobody[2], nobody[1]}
    assert result.capped == 4
    assert result.created == 6
    # The same day, the cap is used up; the next day the next ones come.
    assert book.generate(now=NOW + dt.timedelta(hours=6)).created == 0
    next_day = book.generate(now=LATER)
    assert next_day.created == 3
    assert {c for c, _ in book.keys("ticket_past_sla")} >= {maya[2], maya[1], nobody[0]}


# ---------------------------------------------------------- contact, actions, suppression


def test_do_not_contact_and_unsubscribed_customers_get_no_outreach(book: Book) -> None:
    ada, bo, cy = late_ticket_book(book, "Ada", "Bo", "Cy")
    book.set("alerts.cooldown_days", 14)
    book.interaction(bo, "unsubscribe", 20)
    book.score({c: {} for c in (ada, bo, cy)})
    book.generate()
    ids = {a["customer_id"]: a["id"] for a in book.alerts()}
    with book.engine.begin() as conn:
        refresh_rollups(Session(bind=conn))  # the rows written above marked them stale
    assert set_do_not_contact(book.engine, ada, actor="maya", now=NOW) is True
    assert set_do_not_contact(book.engine, ada, actor="maya", now=NOW) is False  # no change
    columns = alert_columns(book.engine, now=NOW)
    flags = {
        int(c): (bool(d), bool(u))
        for c, d, u in zip(
            columns["customer_id"],
            columns["do_not_contact"],
            columns["unsubscribed"],
            strict=True,
        )
    }
    assert flags == {ada: (True, False), bo: (False, True), cy: (False, False)}
    detail = alert_detail(book.engine, ids[ada], now=NOW)
    assert detail.do_not_contact
    assert detail.outreach_blocked == "Ada asked not to be contacted."
    assert detail.recommendation.title == "Act without outreach"
    assert "unsubscribed" in (alert_detail(book.engine, ids[bo], now=NOW).outreach_blocked or "")
    with pytest.raises(AlertActionError, match="asked not to be contacted"):
        log_email_sent(book.engine, ids[ada], "We miss you", actor="maya", now=NOW)
    with pytest.raises(AlertActionError, match="unsubscribed"):
        log_email_sent(book.engine, ids[bo], "We miss you", actor="maya", now=NOW)
    outreach_id = log_email_sent(book.engine, ids[cy], "We miss you", actor="maya", now=NOW)
    assert outreach_id > 0
    # The email counts as contact: the customer is in the quiet period now.
    detail = alert_detail(book.engine, ids[cy], now=NOW)
    assert detail.status == "in_progress"
    assert detail.last_contact_at == NOW
    assert detail.outreach_blocked is not None
    assert "quiet period" in detail.outreach_blocked
    # The do-not-contact change is in the audit log, and the flag (which feeds no rollup)
    # leaves the per-customer rollups fresh.
    assert ("maya", "customer.do_not_contact", {"value": True}) in [e[:3] for e in audit(book)]
    with book.engine.connect() as conn:
        stale = conn.execute(
            text("SELECT value FROM settings WHERE key = 'rollups.stale'")
        ).scalar()
    assert stored_json(stale) is False


def test_calls_notes_and_tasks(book: Book) -> None:
    (ada,) = late_ticket_book(book, "Ada")
    book.score({ada: {}})
    book.generate()
    alert_id = one_alert(book)
    note = add_note(book.engine, alert_id, "Prefers email.", actor="maya", now=NOW)
    assert note.kind == "note"
    assert book.alerts()[0]["status"] == "open"
    with pytest.raises(AlertActionError, match="Write what was said"):
        log_call(book.engine, alert_id, "   ", actor="maya", now=NOW)
    call = log_call(book.engine, alert_id, "Left a voicemail.\nWill retry.", actor="maya", now=NOW)
    assert (call.kind, call.title, call.body) == (
        "call",
        "Left a voicemail.",
        "Left a voicemail.\nWill retry.",
    )
    assert book.alerts()[0]["status"] == "in_progress"  # the call started the work
    yesterday = TODAY - dt.timedelta(days=1)
    # The date in the app's one style ("Mar 7, 2026"), not ISO.
    with pytest.raises(AlertActionError, match=f"The due date {format_date(yesterday)} has"):
        create_task(book.engine, alert_id, "Call back", yesterday, now=NOW)
    task = create_task(book.engine, alert_id, "Call back", TODAY + dt.timedelta(days=2), now=NOW)
    assert task.due_date == TODAY + dt.timedelta(days=2)
    assert task.done_at is None
    done = complete_task(book.engine, task.id, actor="maya", now=LATER)
    assert done.done_at == LATER
    with pytest.raises(AlertActionError, match="already done"):
        complete_task(book.engine, task.id, actor="maya", now=LATER)
    detail = alert_detail(book.engine, alert_id, now=LATER)
    assert [a.kind for a in detail.actions] == ["task", "call", "note"]
    # The call and the note are interactions too: the customer's timeline shows them.
    timeline = load_customer_detail(book.engine, ada).timeline
    assert sorted((e.kind, e.title) for e in timeline if e.kind in ("call", "note")) == [
        ("call", "Call · Left a voicemail."),
        ("note", "Note · Prefers email."),
    ]
    assert detail.last_contact_at == NOW  # the call
    assert [e.action for e in detail.history][-4:] == [
        "alert.call_logged",
        "alert.started",
        "alert.task_created",
        "alert.task_done",
    ]
    assert detail.history[-2].what == "Task (due Jun 17, 2025): Call back"


def test_the_window_entry_point_applies_actions_by_name(book: Book) -> None:
    (ada,) = late_ticket_book(book, "Ada")
    book.score({ada: {}})
    book.generate()
    alert_id = one_alert(book)
    apply_alert_action(book.engine, alert_id, "log", kind="call", text="Spoke", actor="maya")
    apply_alert_action(
        book.engine, alert_id, "task", text="Send sizes", due=dt.date(2999, 1, 1), actor="maya"
    )
    apply_alert_action(book.engine, alert_id, "snooze", until_clear=True, actor="maya")
    apply_alert_action(book.engine, alert_id, "do_not_contact", actor="maya")
    apply_alert_action(book.engine, alert_id, "resolve", outcome="other", note="n", actor="maya")
    (alert,) = book.alerts()
    assert (alert["status"], alert["outcome"]) == ("resolved", "other")
    with pytest.raises(AlertActionError, match="Unknown action"):
        apply_alert_action(book.engine, alert_id, "explode", actor="maya")
    with pytest.raises(AlertActionError, match="call or a note"):
        apply_alert_action(book.engine, alert_id, "log", kind="fax", text="x", actor="maya")
    with book.engine.connect() as conn:
        dnc = conn.execute(text(f"SELECT do_not_contact FROM customers WHERE id = {ada}")).scalar()
    assert dnc == 1
