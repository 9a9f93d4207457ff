"""The best time to reach out: the slots of the weekday and hours, the floor, a best named
only when its interval clears every other, on the hand-made book of
tests/support/reach_book.py (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest

from app.workspace import open_workspace
from services.lifecycle.reach import reach_report, reach_times, slot_of
from services.lifecycle.reach_records import ReachReport, best_words, hint_for
from services.replies.records import SentEmail
from tests.support.reach_book import SINCE, UNTIL, fill_reach_book

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


def test_a_best_is_named_only_when_it_clears_every_other_slot() -> None:
    tuesday = [_email(i, "2025-03-04 10:00", i < 30) for i in range(60)]
    thursday = [_email(100 + i, "2025-03-06 15:00", i < 8) for i in range(60)]
    (group,) = reach_times(tuesday + thursday, UTC, 20)
    assert group.best is not None
    assert group.best.label == "Tuesday 9–11"
    assert best_words(group) == (
        "Best reached: Tuesday 9–11, 30 replies of 60 (50%, likely 38% to 62%)."
    )
    close = [_email(200 + i, "2025-03-06 15:00", i < 26) for i in range(60)]
    (group,) = reach_times(tuesday + close, UTC, 20)
    assert group.best is None
    assert best_words(group).startswith("No best time: the likely reply rates")


def test_under_the_floor_it_is_too_few_to_say() -> None:
    emails = [_email(i, "2025-03-04 10:00", True) for i in range(19)]
    emails += [_email(50 + i, "2025-03-06 15:00", False) for i in range(19)]
    (group,) = reach_times(emails, UTC, 20)
    assert group.best is None
    assert best_words(group).startswith("Too few to say")


@pytest.fixture
def report(workspace_url: str) -> Iterator[ReachReport]:
    ws = open_workspace(workspace_url, backup=False)
    fill_reach_book(ws.engine)
    yield reach_report(ws.engine, SINCE, UNTIL)
    ws.close()


def test_the_book_s_best_times(report: ReachReport) -> None:
    whole = report.group("all", "All customers")
    assert whole is not None
    assert (whole.sent, whole.replied) == (130, 47)
    assert whole.best is not None
    assert (whole.best.label, whole.best.sent, whole.best.replied) == ("Tuesday 9–11", 60, 30)
    monday = next(s for s in whole.slots if s.weekday == 0)
    assert (monday.sent, monday.replied) == (10, 9)  # the best rate, but too few
    champions = report.group("segment", "Champions")
    assert champions is not None
    assert champions.best is not None
    assert (champions.best.sent, champions.best.replied) == (40, 25)
    hibernating = report.group("segment", "Hibernating")
    assert hibernating is not None
    assert hibernating.best is None
    assert best_words(hibernating).startswith("No best time")


def test_the_composer_s_hint(report: ReachReport) -> None:
    assert hint_for(report, "Champions", None) == (
        "Best reached: Tuesday 9–11, 25 replies of 40 (62%, likely 47% to 76%) "
        "(Champions customers)."
    )
    # Hibernating names none: everyone's best is offered instead.
    assert hint_for(report, "Hibernating", None).startswith("Best reached: Tuesday 9–11, 30")


def test_the_review_queue_s_send_times(workspace_url: str) -> None:
    from sqlalchemy.orm import Session

    from models.schema import BatchDraft, DraftBatch
    from services.lifecycle.reach import batch_send_times
    from services.lifecycle.reach_records import send_at_words

    ws = open_workspace(workspace_url, backup=False)
    try:
        today = dt.date.today()
        ids = fill_reach_book(ws.engine, today - dt.timedelta(days=today.weekday() + 14))
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
            "Send at: Tuesday 9–11, when Champions customers answer best (25 replies of 40); "
            "your choice."
        )
        assert send_at_words(report, "Hibernating", None).startswith(
            "Send at: Tuesday 9–11, when customers answer best (30 replies of 60)"
        )
        assert batch_send_times(ws.engine, batch_id) == {
            ids["n1"]: send_at_words(report, "Champions", None),
            ids["n130"]: send_at_words(report, None, None),  # everyone's
        }
    finally:
        ws.close()
