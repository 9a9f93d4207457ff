"""Playbooks: the steps' dates, what stops a playbook by itself, undo, the
holdout's guard and the custom playbooks' setting, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from services.alerts.actions import apply_card_action
from services.alerts.detail import alert_detail
from services.alerts.lifecycle import AlertActionError
from services.alerts.playbooks import (
    HoldoutWordNeededError,
    complete_step,
    playbook_choices,
    stop_cleared_runs,
)
from services.alerts.undo import UndoRefusedError, undo_change
from services.alerts.work import my_work
from services.settings import validate_setting
from services.settings.playbooks import PlaybookTextError, parse_custom
from tests.unit.alerts.test_alerts_rules import NOW, Book, make_book
from tests.unit.alerts.test_alerts_undo import late_ticket, rows

DAY = dt.timedelta(days=1)


@pytest.fixture
def book(workspace_url: str) -> Iterator[Book]:
    yield from make_book(workspace_url)


def start(book: Book, alert: int, key: str = "win_back", **params: object) -> object:
    return apply_card_action(
        book.engine, (alert,), "playbook", key=key, actor="maya", now=NOW, **params
    )


def steps(book: Book) -> list[tuple[int, str, dt.date]]:
    found = rows(book, "SELECT day_offset, kind, due_date FROM playbook_steps ORDER BY position")
    return [(int(d), str(k), d2 if isinstance(d2, dt.date) else dt.date.fromisoformat(d2))
            for d, k, d2 in found]  # fmt: skip


def run_state(book: Book) -> tuple[object, object]:
    (found,) = rows(book, "SELECT stopped_at, stop_reason FROM playbook_runs")
    return found[0], found[1]


def test_steps_fall_due_on_their_days_and_show_in_my_work(book: Book) -> None:
    cid, alert = late_ticket(book, "Ada")
    start(book, alert)
    today = NOW.date()  # a Sunday: the steps count working days, as the time to act
    assert steps(book) == [
        (0, "email", today),
        (3, "call", today + 3 * DAY),  # Wednesday
        (10, "task", today + 12 * DAY),  # Friday, two weeks on (not Wednesday)
    ]
    # Day 0: the email only; day 4: the call too (the email still waits, overdue).
    work = my_work(book.engine, user="maya", now=NOW)
    assert [(s.kind, s.due_in_days) for s in work.steps] == [("email", 0)]
    later = my_work(book.engine, user="maya", now=NOW + 4 * DAY)
    assert [(s.kind, s.due_in_days) for s in later.steps] == [("email", -4), ("call", -1)]
    assert later.steps[0].playbook == "Win-back"
    assert later.steps[0].customer_id == cid
    # Not the steps of someone else's customer started by someone else.
    assert my_work(book.engine, user="ben", owner="Zoe", now=NOW).steps == ()
    # The card shows it, with its next step.
    shown = alert_detail(book.engine, alert, now=NOW).playbook
    assert shown is not None
    assert shown.name == "Win-back"
    assert (shown.next_kind, shown.next_due, shown.steps_left) == ("email", today, 3)


def test_done_and_skipped_steps_leave_my_work_and_the_last_finishes_it(book: Book) -> None:
    _cid, alert = late_ticket(book, "Ada")
    start(book, alert)
    when = NOW + 12 * DAY
    first, second, third = my_work(book.engine, user="maya", now=when).steps
    complete_step(book.engine, first.id, actor="maya", now=when)
    complete_step(book.engine, second.id, skip=True, actor="maya", now=when)
    assert [s.id for s in my_work(book.engine, user="maya", now=when).steps] == [third.id]
    change = complete_step(book.engine, third.id, actor="maya", now=when)
    assert run_state(book)[1] == "finished"
    with pytest.raises(AlertActionError, match="stopped"):
        complete_step(book.engine, third.id, actor="maya", now=when)
    # Undo puts the last step back, and the playbook runs again.
    undo_change(book.engine, change, actor="maya", now=when)
    assert run_state(book) == (None, None)
    assert [s.id for s in my_work(book.engine, user="maya", now=when).steps] == [third.id]
    actions = [r[0] for r in rows(book, "SELECT action FROM audit_events ORDER BY id")]
    assert "alert.playbook_step_done" in actions
    assert "alert.playbook_step_skipped" in actions


def test_undo_removes_a_playbook_started_until_a_step_is_done(book: Book) -> None:
    _cid, alert = late_ticket(book, "Ada")
    change = start(book, alert)
    undo_change(book.engine, change, actor="maya", now=NOW)  # type: ignore[arg-type]
    assert rows(book, "SELECT COUNT(*) FROM playbook_runs") == [(0,)]
    assert rows(book, "SELECT COUNT(*) FROM playbook_steps") == [(0,)]
    again = start(book, alert)
    (step, *_rest) = my_work(book.engine, user="maya", now=NOW).steps
    complete_step(book.engine, step.id, actor="maya", now=NOW)
    with pytest.raises(UndoRefusedError, match="moved on"):
        undo_change(book.engine, again, actor="maya", now=NOW)  # type: ignore[arg-type]
    assert rows(book, "SELECT COUNT(*) FROM playbook_runs") == [(1,)]


def test_one_playbook_per_customer_none_for_do_not_contact(book: Book) -> None:
    cid, alert = late_ticket(book, "Ada")
    start(book, alert)
    with pytest.raises(AlertActionError, match="already has a playbook running: Win-back"):
        start(book, alert, "renewal_save")
    with book.engine.begin() as conn:
        conn.execute(text(f"UPDATE customers SET do_not_contact = true WHERE id = {cid}"))
    assert stop_cleared_runs(book.engine, now=NOW + DAY) == 1
    assert run_state(book)[1] == "do_not_contact"
    with pytest.raises(AlertActionError, match="do not contact"):
        start(book, alert, "renewal_save")


def test_an_order_after_the_start_stops_it(book: Book) -> None:
    cid, alert = late_ticket(book, "Ada")
    book.orders(cid, [20])  # before the start: it does not count
    start(book, alert)
    assert stop_cleared_runs(book.engine, now=NOW + DAY) == 0
    with book.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO orders (customer_id, external_id, source, order_date, "
                "amount_cents, currency, status) VALUES "
                f"({cid}, 'late', 't', :when, 900, 'USD', 'paid')"
            ),
            {"when": (NOW + DAY).replace(tzinfo=None)},
        )
    assert stop_cleared_runs(book.engine, now=NOW + 2 * DAY) == 1
    assert run_state(book)[1] == "ordered"
    assert my_work(book.engine, user="maya", now=NOW + 5 * DAY).steps == ()
    (said,) = rows(book, "SELECT details FROM audit_events WHERE action = 'alert.playbook_stopped'")
    assert "the customer ordered" in str(said[0])


def test_closing_the_alert_stops_it(book: Book) -> None:
    _cid, alert = late_ticket(book, "Ada")
    start(book, alert)
    apply_card_action(book.engine, (alert,), "dismiss", actor="maya", now=NOW)
    assert stop_cleared_runs(book.engine, now=NOW) == 1
    assert run_state(book)[1] == "alert_closed"
    with pytest.raises(AlertActionError, match="not open"):
        start(book, alert)


def test_a_held_out_customer_needs_a_reason(book: Book) -> None:
    cid, alert = late_ticket(book, "Ada")
    with book.engine.begin() as conn:
        conn.execute(
            text(f"UPDATE alerts SET holdout = true, holdout_band = 'medium' WHERE id = {alert}")
        )
    with pytest.raises(HoldoutWordNeededError, match="holdout"):
        start(book, alert)
    assert rows(book, "SELECT COUNT(*) FROM playbook_runs") == [(0,)]
    start(book, alert, holdout_reason="They asked for a call")
    (marked,) = rows(book, f"SELECT holdout_contact_reason FROM alerts WHERE id = {alert}")
    assert "They asked for a call" in str(marked[0])
    assert "Win-back" in str(marked[0])
    assert rows(book, f"SELECT COUNT(*) FROM playbook_runs WHERE customer_id = {cid}") == [(1,)]


def test_custom_playbooks_from_the_setting(book: Book) -> None:
    book.set("playbooks.custom", "Trial follow-up: day 0 email Thank them; day 2 call Ask")
    choices = {c.key: c for c in playbook_choices(book.engine)}
    assert set(choices) >= {"win_back", "onboarding", "renewal_save", "custom:Trial follow-up"}
    assert choices["custom:Trial follow-up"].steps == (
        "Day 0 · email: Thank them",
        "Day 2 · call: Ask",
    )
    _cid, alert = late_ticket(book, "Ada")
    start(book, alert, "custom:Trial follow-up")
    assert [(d, k) for d, k, _ in steps(book)] == [(0, "email"), (2, "call")]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("Trial: day 0 letter Hi", "'letter' is not a kind of step"),
        ("Trial day 0 email Hi", "line 1: start with the playbook's name"),
        ("\nTrial: day 400 call Hi", "line 2: day 400 is not between 0 and 365"),
        ("Win-back: day 0 call Hi", "already a playbook named 'Win-back'"),
        ("Trial: soon call Hi", "is not a step"),
    ],
)
def test_custom_playbooks_that_do_not_read_say_where_and_why(text: str, says: str) -> None:
    with pytest.raises(PlaybookTextError, match=says):
        parse_custom(text)
    problem = validate_setting("playbooks.custom", text)
    assert problem is not None
    assert says in problem
    assert validate_setting("playbooks.custom", "# a comment\n\nT: 0 call Hi; 3 task Check") is None
