"""My work (services/alerts/work.py): the user's open tasks overdue first, snoozes coming
back, follow-ups gone quiet, and completing or rescheduling a task with its undo; on
real SQLite files, through the services the window calls."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from services.alerts.actions import apply_alert_action
from services.alerts.config import RULE_TITLES
from services.alerts.detail import alert_detail
from services.alerts.lifecycle import AlertActionError
from services.alerts.undo import UndoRefusedError, undo_change
from services.alerts.work import complete_task_with_undo, my_work, reschedule_task
from tests.support.databases import stored_date
from tests.unit.alerts.test_alerts_rules import NOW, Book, make_book, only

DAY = dt.timedelta(days=1)
TODAY = NOW.date()


@pytest.fixture
def book(workspace_url: str) -> Iterator[Book]:
    yield from make_book(workspace_url)


def alerted(book: Book, *names: str, owner: str | None = "Maya") -> dict[str, int]:
    """Customers with a late ticket, scored and alerted: name -> alert id."""
    only(book, "ticket_past_sla")
    ids = {name: book.customer(name, owner=owner) for name in names}
    for cid in ids.values():
        book.interaction(cid, "ticket", 5, status="open")
    book.score({cid: {"churn": 0.5, "clv": 200} for cid in ids.values()})
    book.generate()
    by_customer = {int(a["customer_id"]): int(a["id"]) for a in book.alerts()}
    return {name: by_customer[cid] for name, cid in ids.items()}


def task(book: Book, alert: int, what: str, due: dt.date, actor: str = "maya") -> int:
    change = apply_alert_action(
        book.engine, alert, "task", text=what, due=due, actor=actor, now=NOW
    )
    return change.action_ids[0]


def one(book: Book, sql: str) -> Any:
    with book.engine.connect() as conn:
        return conn.execute(text(sql)).one()


# ----------------------------------------------------------------------------- tasks


def test_tasks_come_overdue_first_then_today_then_later(book: Book) -> None:
    alerts = alerted(book, "Ada", "Bo", "Cy")
    task(book, alerts["Cy"], "Send the new catalogue", TODAY + 5 * DAY)
    task(book, alerts["Ada"], "Call about the late ticket", TODAY + 1 * DAY)
    task(book, alerts["Bo"], "Check the refund went out", TODAY + 2 * DAY)

    work = my_work(book.engine, user="maya", now=NOW + 2 * DAY)

    assert [(t.customer, t.due_in_days) for t in work.tasks] == [("Ada", -1), ("Bo", 0), ("Cy", 3)]
    assert (work.overdue, work.due_today) == (1, 1)
    assert [t.customer for t in work.due_tasks] == ["Ada", "Bo"]
    first = work.tasks[0]
    assert first.title == "Call about the late ticket"
    assert first.alert_id == alerts["Ada"]
    assert first.alert == RULE_TITLES["ticket_past_sla"]
    assert first.alert_status == "open"


def test_tasks_are_mine_by_author_or_by_owner_and_everyone_shows_all(book: Book) -> None:
    alerts = alerted(book, "Ada", "Bo")
    task(book, alerts["Ada"], "Maya's task", TODAY, actor="maya")
    task(book, alerts["Bo"], "Lee's task", TODAY, actor="lee")

    def titles(**kw: Any) -> list[str]:
        return sorted(t.title for t in my_work(book.engine, now=NOW, **kw).tasks)

    assert titles(user="lee") == ["Lee's task"]
    assert titles(user="zed") == []
    # Both customers are Maya's: "Mine" as owner Maya lists both.
    assert titles(user="zed", owner="Maya") == ["Lee's task", "Maya's task"]
    assert titles(user="zed", everyone=True) == ["Lee's task", "Maya's task"]


def test_a_done_task_leaves_the_list(book: Book) -> None:
    alerts = alerted(book, "Ada")
    action = task(book, alerts["Ada"], "Call", TODAY)
    complete_task_with_undo(book.engine, action, actor="maya", now=NOW)
    assert my_work(book.engine, user="maya", now=NOW).tasks == ()


# --------------------------------------------------------------------------- snoozes


def test_snoozes_coming_back_within_a_week_soonest_first_then_until_clear(book: Book) -> None:
    alerts = alerted(book, "Ada", "Bo", "Cy", "Di")
    for name, until in (
        ("Ada", TODAY + 5 * DAY),
        ("Bo", TODAY + 2 * DAY),
        ("Cy", TODAY + 20 * DAY),
    ):
        apply_alert_action(book.engine, alerts[name], "snooze", until=until, now=NOW)
    apply_alert_action(book.engine, alerts["Di"], "snooze", until_clear=True, now=NOW)

    work = my_work(book.engine, user="nobody", owner="Maya", now=NOW)

    assert [(s.customer, s.back_in_days) for s in work.snoozed] == [
        ("Bo", 2),
        ("Ada", 5),
        ("Di", None),  # until the condition clears; Cy comes back in 20 days: not listed
    ]
    # A snooze whose day has come is open again: no longer "coming back".
    later = my_work(book.engine, user="nobody", owner="Maya", now=NOW + 3 * DAY)
    assert [s.customer for s in later.snoozed] == ["Ada", "Di"]


def test_a_snooze_is_mine_when_i_snoozed_it(book: Book) -> None:
    alerts = alerted(book, "Ada", owner=None)
    apply_alert_action(
        book.engine, alerts["Ada"], "snooze", until=TODAY + DAY, actor="lee", now=NOW
    )
    assert [s.customer for s in my_work(book.engine, user="lee", now=NOW).snoozed] == ["Ada"]
    assert my_work(book.engine, user="maya", now=NOW).snoozed == ()


# ------------------------------------------------------------------------ follow-ups


def test_an_alert_in_progress_gone_quiet_after_a_call_is_a_follow_up(book: Book) -> None:
    alerts = alerted(book, "Ada", "Bo", "Cy", "Di")
    for name in alerts:
        apply_alert_action(
            book.engine, alerts[name], "log", kind="call", outcome="no_answer", text="", now=NOW
        )
    # Bo has a plan (an open task); Cy got a note since; Di was called again lately.
    task(book, alerts["Bo"], "Try again", TODAY + 20 * DAY)
    apply_alert_action(
        book.engine, alerts["Cy"], "log", kind="note", text="Asked", now=NOW + 5 * DAY
    )
    apply_alert_action(
        book.engine, alerts["Di"], "log", kind="call", text="Spoke", now=NOW + 6 * DAY
    )

    work = my_work(book.engine, user="nobody", owner="Maya", now=NOW + 10 * DAY)

    assert [f.customer for f in work.follow_ups] == ["Ada"]
    (ada,) = work.follow_ups
    assert ada.days_since == 10
    assert ada.why == "Called 10 days ago (no answer); nothing since"
    # Within the week after the call, nothing to chase yet.
    assert my_work(book.engine, user="nobody", owner="Maya", now=NOW + 6 * DAY).follow_ups == ()


def test_an_email_is_contact_for_a_follow_up(book: Book) -> None:
    from services.outreach.sent import log_email_sent

    alerts = alerted(book, "Ada")
    log_email_sent(book.engine, alerts["Ada"], "Your order", actor="lee", now=NOW)
    work = my_work(book.engine, user="lee", now=NOW + 8 * DAY)
    assert [f.why for f in work.follow_ups] == ["Emailed 8 days ago; nothing since"]


# ------------------------------------------------------------- changing a task, undo


def test_completing_a_task_is_undone_by_undo_change(book: Book) -> None:
    alerts = alerted(book, "Ada")
    action = task(book, alerts["Ada"], "Call about the ticket", TODAY)
    change = complete_task_with_undo(book.engine, action, actor="maya", now=NOW + DAY)
    assert change.label == "Completed task for Ada: Call about the ticket"
    assert one(book, f"SELECT done_at FROM actions WHERE id = {action}")[0] is not None

    message = undo_change(book.engine, change, actor="maya", now=NOW + 2 * DAY)

    assert message.startswith("Undone: completed task for Ada")
    assert one(book, f"SELECT done_at FROM actions WHERE id = {action}")[0] is None
    assert [t.id for t in my_work(book.engine, user="maya", now=NOW + 2 * DAY).tasks] == [action]
    complete_task_with_undo(book.engine, action, now=NOW + 2 * DAY)
    with pytest.raises(AlertActionError, match="already done"):
        complete_task_with_undo(book.engine, action, now=NOW + 2 * DAY)


def test_rescheduling_validates_audits_and_undoes(book: Book) -> None:
    alerts = alerted(book, "Ada")
    action = task(book, alerts["Ada"], "Call", TODAY + DAY)
    with pytest.raises(AlertActionError, match="has passed"):
        reschedule_task(book.engine, action, TODAY - DAY, now=NOW)
    with pytest.raises(AlertActionError, match="already due"):
        reschedule_task(book.engine, action, TODAY + DAY, now=NOW)

    change = reschedule_task(book.engine, action, TODAY + 9 * DAY, actor="maya", now=NOW)

    assert change.label == "Rescheduled task for Ada to Jun 24, 2025"
    due = one(book, f"SELECT due_date FROM actions WHERE id = {action}")[0]
    assert stored_date(due) == dt.date(2025, 6, 24)
    audit = one(
        book,
        "SELECT actor, entity_type, entity_id FROM audit_events "
        "WHERE action = 'alert.task_rescheduled'",
    )
    assert tuple(audit) == ("maya", "alert", alerts["Ada"])
    history = [e.what for e in alert_detail(book.engine, alerts["Ada"], now=NOW).history]
    assert "Task rescheduled to Jun 24, 2025: Call" in history

    undo_change(book.engine, change, actor="maya", now=NOW)
    due = one(book, f"SELECT due_date FROM actions WHERE id = {action}")[0]
    assert stored_date(due) == dt.date(2025, 6, 16)


def test_undo_of_a_reschedule_is_refused_once_the_task_changed_again(book: Book) -> None:
    alerts = alerted(book, "Ada")
    action = task(book, alerts["Ada"], "Call", TODAY + DAY)
    change = reschedule_task(book.engine, action, TODAY + 3 * DAY, now=NOW)
    complete_task_with_undo(book.engine, action, now=NOW)
    with pytest.raises(UndoRefusedError, match="changed since"):
        undo_change(book.engine, change, now=NOW)
    with pytest.raises(AlertActionError, match="already done"):
        reschedule_task(book.engine, action, TODAY + 4 * DAY, now=NOW)
