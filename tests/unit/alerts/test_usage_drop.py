"""The usage-drop rule on hand-made usage histories: a decaying account is alerted with the
right words, a stable noisy one, a seasonal one, one with too little baseline and one with
no usage are not; a workspace with no usage says so; the vectorised evaluation equals a
direct computation per customer from services/usage/summary.py's weeks."""

from __future__ import annotations

import datetime as dt
import statistics

import numpy as np
import pytest
from scipy import stats as sps
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from models.schema import UsageDay
from services.alerts.config import read_alert_config
from services.alerts.usage_drop import NO_USAGE, read_usage_drop
from services.usage.summary import weeks_of
from services.usage.weekly import full_weeks_to, weekly_usage
from tests.unit.alerts.test_alerts_rules import TODAY, Book, book, by_customer, only

__all__ = ["book"]  # the fixture, used by name

# TODAY (2025-06-15) is a Sunday: its week is the last full one.
LAST_MONDAY = dt.date(2025, 6, 9)


def monday(weeks_back: int) -> dt.date:
    return LAST_MONDAY - dt.timedelta(weeks=weeks_back)


def weekly(book: Book, cid: int, sessions: list[int], users: list[int] | None = None) -> None:
    """Usage rows for the weeks ending with the last full one (oldest first): each week's
    sessions spread over Wednesday and Saturday; ``users`` active people a week."""
    rows = []
    for k, count in enumerate(sessions):
        start = monday(len(sessions) - 1 - k)
        people = (users or [1] * len(sessions))[k]
        for offset, part in ((2, count // 2), (5, count - count // 2)):
            if part == 0:
                continue
            keys = [f"u{j + 1}" for j in range(people)]
            rows.append(
                {
                    "customer_id": cid,
                    "source": "app",
                    "day": start + dt.timedelta(days=offset),
                    "sessions": part,
                    "events": part * 3,
                    "active_users": len(keys),
                    "users": keys,
                }  # fmt: skip
            )
    with book.engine.begin() as conn:
        conn.execute(insert(UsageDay), rows)


def daily(book: Book, cid: int, days: dict[dt.date, tuple[int, list[str]]]) -> None:
    with book.engine.begin() as conn:
        conn.execute(
            insert(UsageDay),
            [
                {
                    "customer_id": cid,
                    "source": "app",
                    "day": d,
                    "sessions": s,
                    "events": s,
                    "active_users": len(u),
                    "users": u,
                }  # fmt: skip
                for d, (s, u) in days.items()
            ],
        )


def test_a_decaying_account_is_alerted_in_words_and_the_others_are_not(book: Book) -> None:
    only(book, "usage_drop")
    decaying = book.customer("Ada Decaying")
    team = book.customer("Bo Team")
    noisy = book.customer("Cy Noisy")
    seasonal = book.customer("Di Seasonal")
    newcomer = book.customer("Ed Newcomer")
    idle = book.customer("Flo Without Usage")
    weekly(book, decaying, [9, 8, 10, 7, 9, 11, 8, 9, 10, 8, 1, 1])
    weekly(book, team, [40] * 12, users=[12] * 10 + [3, 3])
    weekly(book, noisy, [5, 12, 7, 9, 3, 10, 6, 11, 8, 7, 5, 6])
    weekly(book, seasonal, [12, 3] * 5 + [3, 3])  # every other week busy, two quiet
    weekly(book, newcomer, [0, 0, 0, 0, 0, 0, 0, 9, 10, 9, 0, 0])
    book.score({c: {"churn": 0.3, "clv": 500.0} for c in (decaying, team, noisy, seasonal,
                                                          newcomer, idle)})  # fmt: skip
    result = book.generate()
    alerts = by_customer(book, "usage_drop")
    assert set(alerts) == {decaying, team}
    assert alerts[decaying]["reason"] == (
        "sessions fell from about 9 a week to 1 in the last two weeks "
        "(usual for this customer: 8-10)"
    )
    assert alerts[team]["reason"] == (
        "active users fell from about 12 a week to 3 in the last two weeks "
        "(usual for this customer: 12)"
    )
    assert alerts[decaying]["severity"] == "warning"
    assert result.matches["usage_drop"] == 2
    assert "usage_drop" not in result.not_evaluated


def test_weekdays_and_weekends_compare_like_with_like(book: Book) -> None:
    """A weekend user is not alerted on a quiet weekday: whole weeks are compared, and the
    current, unfinished week is left out."""
    only(book, "usage_drop")
    weekender = book.customer("Gus Weekender")
    days = {}
    for k in range(12):
        saturday = monday(k) + dt.timedelta(days=5)
        days[saturday] = (4, ["u1"])
        days[saturday + dt.timedelta(days=1)] = (4, ["u1"])
    daily(book, weekender, days)
    book.score({weekender: {}}, as_of=TODAY + dt.timedelta(days=3))  # a Wednesday
    book.generate(now=dt.datetime(2025, 6, 18, 12, tzinfo=dt.UTC))
    assert by_customer(book, "usage_drop") == {}


def test_a_workspace_with_no_usage_leaves_the_rule_unevaluated(book: Book) -> None:
    only(book, "usage_drop")
    cid = book.customer("Hal Buyer")
    book.orders(cid, [10, 40])
    book.score({cid: {"churn": 0.9, "clv": 900.0}})
    result = book.generate()
    assert result.not_evaluated == {"usage_drop": NO_USAGE}
    assert "Not checked: Usage drop (no usage data)." in result.lines()
    assert "usage_drop" not in result.matches
    assert by_customer(book, "usage_drop") == {}


def _direct(rows: list[UsageDay], as_of: dt.date, params: dict[str, float]) -> dict[str, float]:
    """The rule's figures for one customer, from summary.weeks_of and plain Python."""
    k = int(params["baseline_weeks"])
    weeks = weeks_of(rows, full_weeks_to(as_of) + dt.timedelta(days=6), k + 2)
    team = statistics.median(w.active_users for w in weeks[:k]) >= params["team_users"]
    values = [float(w.active_users if team else w.sessions) for w in weeks]
    base, recent = values[:k], sum(values[k:]) / 2
    usual = statistics.median(base)
    mad = statistics.median(abs(v - usual) for v in base)
    days = sum(w.days_active for w in weeks[:k])
    clump = 1.0 if team else max(sum(base) / max(days, 1), 1.0)
    variance = max((1.4826 * mad) ** 2, usual * clump) * 2
    mean = max(usual * 2, 1e-9)
    if variance > mean * (1 + 1e-6):
        size = mean**2 / (variance - mean)
        chance = sps.nbinom.cdf(np.floor(recent * 2 + 1e-9), size, size / (size + mean))
    else:
        chance = sps.poisson.cdf(np.floor(recent * 2 + 1e-9), mean)
    return {"usage_team": float(team), "usage_usual": usual, "usage_recent": recent,
            "usage_used_weeks": float(sum(v > 0 for v in base)),
            "usage_score": float(chance)}  # fmt: skip


@pytest.mark.parametrize("seed", [1, 2])
def test_the_vectorised_rule_equals_a_direct_computation(book: Book, seed: int) -> None:
    rng = np.random.default_rng(seed)
    ids = [book.customer(f"Cust {k}") for k in range(12)]
    start = LAST_MONDAY - dt.timedelta(weeks=13)
    for n, cid in enumerate(ids):
        people = 1 if n % 3 else 6
        days = {}
        for d in range(13 * 7 + 10):  # past the last full week too (left out)
            if rng.random() < (0.5 if n % 4 else 0.15):
                who = sorted({f"u{j}" for j in rng.integers(1, people + 1, 2).tolist()})
                days[start + dt.timedelta(days=d)] = (int(rng.integers(1, 6)), who)
        daily(book, cid, days)
    with Session(book.engine) as session:
        rule = read_alert_config(session).rule("usage_drop")
        frame = read_usage_drop(session, np.array(ids), TODAY, rule)
        assert frame is not None
        for row, cid in enumerate(ids):
            rows = list(session.scalars(select(UsageDay).where(UsageDay.customer_id == cid)))
            direct = _direct(rows, TODAY, rule.params)
            for name, value in direct.items():
                assert frame[name][row] == pytest.approx(value, rel=1e-9, abs=1e-12), (cid, name)


def test_weekly_usage_counts_people_once_as_summary_does(book: Book) -> None:
    cid = book.customer("Ida Team")
    week = monday(0)
    daily(book, cid, {week: (3, ["a", "b"]), week + dt.timedelta(days=1): (2, ["b", "c"]),
                      week + dt.timedelta(days=8): (1, ["z"])})  # fmt: skip
    with Session(book.engine) as session:
        got = weekly_usage(session, last_week=week, weeks=2)
        rows = list(session.scalars(select(UsageDay)))
    expected = weeks_of(rows, week + dt.timedelta(days=6), 2)
    assert got.customers.tolist() == [cid]
    assert got.active_users[0].tolist() == [w.active_users for w in expected] == [0, 3]
    assert got.sessions[0].tolist() == [w.sessions for w in expected] == [0, 5]
    assert got.days_active[0].tolist() == [w.days_active for w in expected] == [0, 2]


def test_a_collapse_in_use_of_a_paying_account_is_ranked_by_its_own_evidence(book: Book) -> None:
    """With a daily cap of 2, two 1-star reviews of customers at 90% churn risk compete with a
    usage collapse of an account whose order model says 0% risk: ranked by revenue at risk the
    collapse ($0) was always held back; ranked by its own evidence (the chance the fortnight
    is not chance x the account's value) it is raised."""
    only(book, "usage_drop")
    book.set("alerts.negative_experience.enabled", True)
    book.set("alerts.daily_cap_per_owner", 2)
    decaying = book.customer("Ada Decaying")
    unhappy = [book.customer(f"Unhappy {k}") for k in range(3)]
    weekly(book, decaying, [9, 8, 10, 7, 9, 11, 8, 9, 10, 8, 1, 1])
    for cid in unhappy:
        book.interaction(cid, "review", 5, rating=1)
    scores = {c: {"churn": 0.9, "clv": 300.0} for c in unhappy}
    scores[decaying] = {"churn": 0.0, "clv": 500.0}
    book.score(scores)
    book.generate()
    usage = by_customer(book, "usage_drop")
    assert usage[decaying]["status"] == "open"
    assert usage[decaying]["priority_cents"] >= 0.99 * 500_00
    unhappy_open = [a for a in by_customer(book, "negative_experience").values()
                    if a["status"] == "open"]  # fmt: skip
    assert len(unhappy_open) == 1  # the cap: two a day, the collapse first
