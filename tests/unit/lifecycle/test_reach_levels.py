"""The best time's fallback: each group answers at the finest level its emails allow
(weekday and two hours, else weekday and half day, else weekday, else mornings against
afternoons), names a time only when its interval lies wholly above the rest's, says "No
time stands out" first otherwise, and a segment too small for any level follows all
customers. The counts of each case are built so that one level, and only it, answers."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from services.lifecycle.reach import cells_of, reach_times
from services.lifecycle.reach_records import (
    ReachReport,
    best_words,
    hint_for,
    queue_words,
    send_at_words,
)
from services.replies.records import SentEmail

UTC = ZoneInfo("UTC")
TUESDAY, THURSDAY = "2025-03-04", "2025-03-06"  # a Monday is 2025-03-03


def _emails(start: int, day: str, hours: list[int], each: int, replied: int) -> list[SentEmail]:
    """``each`` emails at each of ``hours`` on ``day``; the first ``replied`` of them (in
    all) replied to."""
    out = []
    for hour in hours:
        for _ in range(each):
            n = start + len(out)
            sent = dt.datetime.fromisoformat(f"{day} {hour:02d}:00")
            reply = sent + dt.timedelta(hours=3) if len(out) < replied else None
            out.append(SentEmail(n, n, "x@example.com", "Hi", "", "", "", sent, reply))
    return out


def _week(day: str, hour: int, each: int, replied: int, start: int) -> list[SentEmail]:
    """``each`` emails at ``hour`` on each of the four weekdays from Monday; ``replied``
    replied to, spread over them in turn."""
    monday = dt.date(2025, 3, 3)
    out: list[SentEmail] = []
    for d in range(4):
        date = (monday + dt.timedelta(days=d)).isoformat()
        share = replied // 4 + (1 if d < replied % 4 else 0)
        out += _emails(start + len(out), date, [hour], each, share)
    return out


CASES = {
    # Two slots of 30 each: the finest level answers.
    "slot": (
        _emails(0, TUESDAY, [10], 30, 25) + _emails(100, THURSDAY, [15], 30, 3),
        "Tuesday 9–11",
    ),
    # Three slots of 10 each on Tuesday morning and on Thursday afternoon: no slot reaches
    # 20, each half day has 30.
    "half": (
        _emails(0, TUESDAY, [7, 9, 11], 10, 25) + _emails(100, THURSDAY, [13, 15, 17], 10, 3),
        "Tuesday morning (0–12)",
    ),
    # Ten in the morning and ten in the afternoon of each day: no half day reaches 20,
    # each weekday has 20.
    "weekday": (
        _emails(0, TUESDAY, [9, 15], 10, 18) + _emails(100, THURSDAY, [9, 15], 10, 2),
        "Tuesday",
    ),
    # Five at 9:00 and five at 15:00 on each of four weekdays: no weekday reaches 20 (10
    # each), mornings and afternoons have 20 each.
    "daypart": (
        _week(TUESDAY, 9, 5, 18, 0) + _week(THURSDAY, 15, 5, 2, 100),
        "Mornings (0–12)",
    ),
}


@pytest.mark.parametrize("level", list(CASES))
def test_each_level_answers_when_the_finer_ones_cannot(level: str) -> None:
    emails, label = CASES[level]
    (group,) = reach_times(emails, UTC, 20)
    assert group.level == level
    assert group.best is not None
    assert group.best.label == label
    assert group.top is group.best
    rest = group.rest
    assert rest is not None
    assert (rest.sent, rest.answered) == (
        group.sent - group.best.sent,
        group.answered - group.best.answered,
    )
    assert group.best.interval[0] > rest.interval[1]  # wholly above the rest's
    assert best_words(group).startswith(f"Best reached: {label}, ")


def test_the_words_of_each_level() -> None:
    (group,) = reach_times(CASES["half"][0], UTC, 20)
    assert best_words(group) == (
        "Best reached: Tuesday morning (0–12), 25 of 30 replied (83%, likely 66% to 93%), "
        "against 10% (likely 3% to 26%, 3 of 30) at other times; more than chance among 2 times "
        "(two-proportion test, p < 0.001)."
    )
    (group,) = reach_times(CASES["daypart"][0], UTC, 20)
    assert [c.label for c in group.counted] == ["Afternoons (12–24)", "Mornings (0–12)"]


def test_an_email_s_time_at_each_level() -> None:
    at = dt.datetime(2025, 3, 4, 12, 30)  # Tuesday 12:30 UTC, 13:30 in Berlin
    assert cells_of(at, UTC) == {
        "slot": "Tuesday 11–13",
        "half": "Tuesday afternoon (12–24)",
        "weekday": "Tuesday",
        "daypart": "Afternoons (12–24)",
    }
    assert cells_of(dt.datetime(2025, 3, 4, 0, 30), UTC)["half"] == "Tuesday morning (0–12)"
    assert cells_of(at, ZoneInfo("America/New_York"))["half"] == "Tuesday morning (0–12)"


def test_too_few_at_every_level() -> None:
    emails = _emails(0, TUESDAY, [10], 19, 19) + _emails(100, THURSDAY, [15], 19, 0)
    (group,) = reach_times(emails, UTC, 20)
    assert (group.level, group.top, group.best) == (None, None, None)
    assert best_words(group) == (
        "Too few emails to compare times (38 emails in all): even mornings against "
        "afternoons need 20 emails each."
    )


def test_a_book_with_no_difference_says_no_time_stands_out() -> None:
    """As many answered on the Tuesday as on the Thursday: the no-effect words first, with
    the best time's rate and interval against the rest's."""
    emails = _emails(0, TUESDAY, [10], 40, 10) + _emails(100, THURSDAY, [15], 40, 10)
    (group,) = reach_times(emails, UTC, 20)
    assert group.level == "slot"
    assert group.best is None
    assert group.top is not None
    words = best_words(group)
    assert words.startswith("No time stands out: ")
    assert words == (
        "No time stands out: Thursday 15–17 25% (likely 14% to 40%, 10 of 40) against 25% "
        "(likely 14% to 40%, 10 of 40) at other times; the likely ranges overlap."
    )


def test_a_difference_the_intervals_cannot_tell_is_not_named() -> None:
    """50% against 30%, 40 emails each: the likely ranges overlap, so no time is named
    even though one rate is higher."""
    emails = _emails(0, TUESDAY, [10], 40, 20) + _emails(100, THURSDAY, [15], 40, 12)
    (group,) = reach_times(emails, UTC, 20)
    assert group.best is None
    assert best_words(group).startswith("No time stands out: Tuesday 9–11 50% (likely 35%")


def _report(
    emails: list[SentEmail], segments: dict[int, str], stages: dict[int, str] | None = None
) -> ReachReport:
    groups = reach_times(emails, UTC, 20, {"segment": segments, "stage": stages or {}})
    return ReachReport(dt.date(2025, 1, 1), dt.date(2025, 6, 30), "UTC", 20, groups)


def test_a_segment_with_too_few_emails_follows_all_customers() -> None:
    emails = CASES["slot"][0]
    # Five of the Tuesday's customers are Lost, and in the Renewal stage: too few for any
    # level of their own.
    report = _report(emails, {n: "Lost" for n in range(5)}, {n: "Renewal" for n in range(5)})
    renewal = report.group("stage", "Renewal")
    assert renewal is not None
    assert best_words(renewal).endswith("need 20 emails each. Their drafts use all customers'.")
    lost = report.group("segment", "Lost")
    assert lost is not None
    assert lost.level is None
    assert best_words(lost).endswith("Their drafts use their stage's, else all customers'.")
    hint = hint_for(report, "Lost", None)
    assert hint.startswith("Best reached: Tuesday 9–11, 25 of 30 replied")
    assert hint.endswith("(two-proportion test, p < 0.001) (all customers).")
    assert send_at_words(report, "Lost", None) == (
        "Send at: Tuesday 9–11, when all customers answer best (25 of 30 replied); your choice."
    )
    # The batch's customers all follow all customers: one line, theirs.
    assert hint_for(report, "Lost", "Renewal") == hint
    assert queue_words(report, [("Lost", "Renewal"), (None, None)]) == hint


def test_a_segment_with_its_own_answer_keeps_it() -> None:
    """Everyone names Tuesday 9–11; Loyal (the Thursday's 30 and 20 more on a Tuesday) has
    two times of 20 emails or more: their own answer, though it names no time."""
    emails = CASES["slot"][0] + _emails(200, TUESDAY, [10], 20, 5)
    segments = {n: "Loyal" for n in [*range(100, 130), *range(200, 220)]}
    report = _report(emails, segments)
    loyal = report.group("segment", "Loyal")
    assert loyal is not None
    assert loyal.level == "slot"
    assert loyal.best is None  # 5 of 20 against 3 of 30: no time stands out for them
    assert hint_for(report, "Loyal", None).startswith("No time stands out: Tuesday 9–11 25%")
    assert hint_for(report, "Loyal", None).endswith("(Loyal customers).")
    assert send_at_words(report, "Loyal", None) == ""


def test_the_best_of_many_times_must_beat_chance_too() -> None:
    """Twenty slots of 20 emails (Monday to Friday at 9, 11, 13 and 15): Monday 9–11 9 of
    20, every other 4 of 20. Its interval (26% to 66%) clears the rest's (16% to 24%), but
    the best of twenty is often this high by chance: the two-proportion test (p = 0.004)
    does not pass 0.025 / 20, so no time is named. At 12 of 20 it does."""
    monday = dt.date(2025, 3, 3)

    def book(top_replied: int) -> list[SentEmail]:
        out: list[SentEmail] = []
        for d in range(5):
            day = (monday + dt.timedelta(days=d)).isoformat()
            for hour in (9, 11, 13, 15):
                replied = top_replied if (d, hour) == (0, 9) else 4
                out += _emails(len(out), day, [hour], 20, replied)
        return out

    (group,) = reach_times(book(9), UTC, 20)
    assert (group.level, len(group.counted)) == ("slot", 20)
    assert group.top is not None
    assert group.top.label == "Monday 9–11"
    rest = group.rest
    assert rest is not None
    assert group.top.interval[0] > rest.interval[1]
    assert group.best is None
    assert best_words(group) == (
        "No time stands out: Monday 9–11 45% (likely 26% to 66%, 9 of 20) against 20% "
        "(likely 16% to 24%, 76 of 380) at other times; the best of 20 times is often this "
        "high by chance (two-proportion test, p = 0.004, needs below 0.0013)."
    )
    (group,) = reach_times(book(12), UTC, 20)
    assert group.best is not None
    assert group.best.label == "Monday 9–11"
    assert best_words(group).endswith(
        "; more than chance among 20 times (two-proportion test, p < 0.001)."
    )
