"""The best time to reach out: the slots of the weekday and hours, the floor, a best named
only when its interval clears the rest's, on the hand-made book of
tests/support/reach_book.py (SQLite and PostgreSQL), answered by replies, by returns (a
paid order within the attribution window after the email) or by either."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from app.workspace import open_workspace
from models.schema import Order
from services.lifecycle.reach import reach_report, reach_times, slot_of
from services.lifecycle.reach_records import (
    ReachReport,
    best_words,
    hint_for,
    measure_note,
    send_at_words,
)
from services.replies.records import SentEmail
from tests.support.reach_book import MONDAY, SINCE, UNTIL, fill_reach_book

UTC = ZoneInfo("UTC")


def _email(n: int, at: str, replied: bool) -> SentEmail:
    sent = dt.datetime.fromisoformat(at)
    return SentEmail(n, n, "x@example.com", "Hi", "", "", "", sent,
                     sent + dt.timedelta(hours=3) if replied else None)  # fmt: skip


@pytest.mark.parametrize(
    ("at", "zone", "slot"),
    [
        ("2025-03-04 10:00", "UTC", (1, 9)),  # Tuesday 9–11
        ("2025-03-04 09:00", "UTC", (1, 9)),
        ("2025-03-04 08:59", "UTC", (1, 7)),
        ("2025-03-04 00:30", "UTC", (0, 23)),  # Monday 23–1
        ("2025-03-04 09:00", "Europe/Berlin", (1, 9)),  # 10:00 in Berlin
        ("2025-03-04 08:00", "America/New_York", (1, 3)),  # 3:00 in New York
    ],
)
def test_an_email_s_slot_is_its_local_weekday_and_two_hours(
    at: str, zone: str, slot: tuple[int, int]
) -> None:
    assert slot_of(dt.datetime.fromisoformat(at), ZoneInfo(zone)) == slot


def test_a_best_is_named_only_when_it_clears_the_rest() -> None:
    tuesday = [_email(i, "2025-03-04 10:00", i < 30) for i in range(60)]
    thursday = [_email(100 + i, "2025-03-06 15:00", i < 8) for i in range(60)]
    (group,) = reach_times(tuesday + thursday, UTC, 20)
    assert group.best is not None
    assert group.best.label == "Tuesday 9–11"
    assert best_words(group) == (
        "Best reached: Tuesday 9–11, 30 of 60 replied (50%, likely 38% to 62%), against 13% "
        "(likely 7% to 24%, 8 of 60) at other times; more than chance among 2 times "
        "(two-proportion test, p < 0.001)."
    )
    close = [_email(200 + i, "2025-03-06 15:00", i < 26) for i in range(60)]
    (group,) = reach_times(tuesday + close, UTC, 20)
    assert group.best is None
    assert best_words(group).startswith("No time stands out: Tuesday 9–11 50% (likely 38%")


def test_under_the_floor_it_is_too_few_to_say() -> None:
    emails = [_email(i, "2025-03-04 10:00", True) for i in range(19)]
    emails += [_email(50 + i, "2025-03-06 15:00", False) for i in range(19)]
    (group,) = reach_times(emails, UTC, 20)
    assert group.best is None
    assert best_words(group) == (
        "Too few emails to compare times (38 emails in all): even mornings against "
        "afternoons need 20 emails each."
    )


@pytest.fixture
def report(workspace_url: str) -> Iterator[ReachReport]:
    ws = open_workspace(workspace_url, backup=False)
    fill_reach_book(ws.engine)
    yield reach_report(ws.engine, SINCE, UNTIL)
    ws.close()


def test_the_book_s_best_times(report: ReachReport) -> None:
    whole = report.group("all", "All customers")
    assert whole is not None
    assert report.measure == "either"  # the default; the book has no orders: replies only
    assert (whole.sent, whole.answered) == (130, 47)
    assert whole.best is not None
    assert (whole.best.label, whole.best.sent, whole.best.answered) == ("Tuesday 9–11", 60, 30)
    monday = next(s for s in whole.slots if s.weekday == 0)
    assert (monday.sent, monday.answered) == (10, 9)  # the best rate, but too few
    champions = report.group("segment", "Champions")
    assert champions is not None
    assert champions.best is not None
    assert (champions.best.sent, champions.best.answered) == (40, 25)
    hibernating = report.group("segment", "Hibernating")
    assert hibernating is not None
    assert hibernating.best is None
    assert best_words(hibernating).startswith("No time stands out: Tuesday 9–11 25% (likely")


def test_the_composer_s_hint(report: ReachReport) -> None:
    assert hint_for(report, "Champions", None) == (
        "Best reached: Tuesday 9–11, 25 of 40 replied or came back after (62%, likely 47% "
        "to 76%), against 10% (likely 4% to 23%, 4 of 40) at other times; more than chance "
        "among 2 times (two-proportion test, p < 0.001) (Champions customers)."
    )
    # Hibernating's own 40 emails allow an answer: no time stands out for them.
    assert hint_for(report, "Hibernating", None).startswith("No time stands out: Tuesday")
    assert hint_for(report, "Hibernating", None).endswith("(Hibernating customers).")
    # A customer of no segment or stage: all customers'.
    assert hint_for(report, None, None).startswith("Best reached: Tuesday 9–11, 30 of 60")
    assert hint_for(report, None, None).endswith("(all customers).")


def test_the_review_queue_s_send_times(workspace_url: str) -> None:
    from models.schema import BatchDraft, DraftBatch
    from services.lifecycle.reach import batch_send_times

    ws = open_workspace(workspace_url, backup=False)
    try:
        today = dt.date.today()
        # Six weeks back: the attribution window of every email has closed.
        ids = fill_reach_book(ws.engine, today - dt.timedelta(days=today.weekday() + 42))
        # n1 is a Champion (the first batch); n130 is not scored (the Monday batch).
        with Session(ws.engine) as s, s.begin():
            batch = DraftBatch(title="Win back")
            s.add(batch)
            s.flush()
            for n, key in enumerate(("n1", "n130")):
                s.add(BatchDraft(batch_id=batch.id, position=n, customer_id=ids[key]))
            batch_id = int(batch.id)
        report = reach_report(ws.engine)  # the default period: the last 11 months
        assert send_at_words(report, "Champions", None) == (
            "Send at: Tuesday 9–11, when Champions customers answer best (25 of 40 replied "
            "or came back after); your choice."
        )
        assert send_at_words(report, "Hibernating", None) == ""  # none stands out
        assert send_at_words(report, None, None).startswith(
            "Send at: Tuesday 9–11, when all customers answer best (30 of 60 replied or came"
        )
        # Two answers in the batch: the line above is all customers', and the Champion's
        # own time is said under their draft alone.
        summary, rows = batch_send_times(ws.engine, batch_id)
        assert summary == hint_for(report, None, None) + (
            " A draft whose segment or stage has a time of its own names it."
        )
        assert rows == {ids["n1"]: send_at_words(report, "Champions", None)}
    finally:
        ws.close()


@pytest.fixture
def returns_url(workspace_url: str) -> str:
    ws = open_workspace(workspace_url, backup=False)
    try:
        fill_reach_book(ws.engine, answer="return")
    finally:
        ws.close()
    return workspace_url


def _report(url: str, measure: str) -> ReachReport:
    ws = open_workspace(url, backup=False)
    try:
        return reach_report(ws.engine, SINCE, UNTIL, measure=measure)
    finally:
        ws.close()


@pytest.mark.parametrize("measure", ["return", "either"])
def test_returns_single_out_a_time(returns_url: str, measure: str) -> None:
    """No reply at all: the customers who came back (a paid order two days after) name
    Tuesday 9–11; the refunded orders and those 31 days after do not count."""
    report = _report(returns_url, measure)
    whole = report.group("all", "All customers")
    assert whole is not None
    assert (whole.sent, whole.answered) == (130, 47)
    assert whole.best is not None
    assert (whole.best.label, whole.best.sent, whole.best.answered) == ("Tuesday 9–11", 60, 30)
    verb = "came back after" if measure == "return" else "replied or came back after"
    assert best_words(whole) == (
        f"Best reached: Tuesday 9–11, 30 of 60 {verb} (50%, likely 38% to 62%), against 24% "
        "(likely 16% to 35%, 17 of 70) at other times; more than chance among 2 times "
        "(two-proportion test, p = 0.001)."
    )
    hibernating = report.group("segment", "Hibernating")
    assert hibernating is not None
    assert hibernating.best is None  # 5 of 20 against 4 of 20
    assert hint_for(report, "Champions", None) == (
        f"Best reached: Tuesday 9–11, 25 of 40 {verb} (62%, likely 47% to 76%), against 10% "
        "(likely 4% to 23%, 4 of 40) at other times; more than chance among 2 times "
        "(two-proportion test, p < 0.001) (Champions "
        "customers)."
    )
    assert hint_for(report, "Hibernating", None).startswith("No time stands out")
    assert send_at_words(report, None, None) == (
        f"Send at: Tuesday 9–11, when all customers answer best (30 of 60 {verb}); your choice."
    )
    assert "not proof the email brought it" in measure_note(report)


def test_replies_alone_name_no_time_when_only_returns_answered(returns_url: str) -> None:
    report = _report(returns_url, "reply")
    whole = report.group("all", "All customers")
    assert whole is not None
    assert (whole.sent, whole.answered, whole.best) == (130, 0, None)
    assert best_words(whole) == "No replies yet to learn from (130 emails, none answered)."
    assert hint_for(report, "Champions", None) == (
        "No replies yet to learn from (80 emails, none answered) (Champions customers)."
    )
    assert send_at_words(report, "Champions", None) == ""


def test_returns_that_do_not_single_out_a_time(workspace_url: str) -> None:
    """Returns spread evenly over the Tuesday and the Thursday (as many came back after
    each): no best time, in the words, the hint and the send-at suggestion."""
    ws = open_workspace(workspace_url, backup=False)
    try:
        ids = fill_reach_book(ws.engine, answer="return")
        with Session(ws.engine) as s, s.begin():
            # 22 more of the Thursday batches' customers (n65 to n86: Champions who had
            # not come back) come back the day after: 30 of the 60, as on the Tuesday.
            thursday = dt.datetime.combine(MONDAY + dt.timedelta(days=3), dt.time(15))
            for n in [*range(65, 101), *range(105, 121)][:22]:
                s.add(Order(customer_id=ids[f"n{n}"], source="t", external_id=f"late-{n}",
                            order_date=thursday + dt.timedelta(days=1), amount_cents=900,
                            status="paid"))  # fmt: skip
    finally:
        ws.close()
    report = _report(workspace_url, "either")
    whole = report.group("all", "All customers")
    assert whole is not None
    thursday_slot = next(s for s in whole.slots if s.weekday == 3)
    assert (thursday_slot.sent, thursday_slot.answered) == (60, 30)
    assert whole.best is None
    assert best_words(whole).startswith("No time stands out: ")
    assert send_at_words(report, None, None) == ""
    assert hint_for(report, None, None) == best_words(whole)[:-1] + " (all customers)."


def test_an_email_whose_window_is_open_is_left_out(returns_url: str) -> None:
    """As of five days after the week, no email's 30 days have passed: the return and
    either measures leave every one out (and say how many); replies do not wait."""
    ws = open_workspace(returns_url, backup=False)
    try:
        now = dt.datetime(2025, 3, 12, tzinfo=dt.UTC)
        early = reach_report(ws.engine, SINCE, UNTIL, measure="either", now=now)
        replies = reach_report(ws.engine, SINCE, UNTIL, measure="reply", now=now)
    finally:
        ws.close()
    assert early.groups == ()
    assert early.waiting == 130
    assert "130 emails of the last 30 days left out" in measure_note(early)
    assert replies.waiting == 0
    whole = replies.group("all", "All customers")
    assert whole is not None
    assert whole.sent == 130
