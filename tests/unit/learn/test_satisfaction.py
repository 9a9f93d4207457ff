"""NPS and CSAT on a hand-made book: the months, the owners and the change after outreach
against the holdout, each checked against a direct computation from the definitions
(written out again here, not taken from the service)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import insert
from sqlalchemy.orm import Session

from models.schema import Alert, Interaction, Outreach
from services.learn.satisfaction import satisfaction_report
from services.learn.satisfaction_change import compare_arms, pair_answers
from services.learn.satisfaction_records import (
    CSAT,
    NPS,
    change_headline,
)
from services.settings import set_setting
from tests.unit.alerts.test_alerts_rules import Book, make_book

NOW = dt.datetime(2026, 4, 20, 12, tzinfo=dt.UTC)
SINCE, UNTIL = dt.date(2026, 1, 1), dt.date(2026, 4, 20)
D = dt.timedelta(days=1)


@pytest.fixture
def book(workspace_url: str) -> Iterator[Book]:
    yield from make_book(workspace_url)


def _utc(y: int, m: int, d: int, h: int = 12) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=dt.UTC)


def _rows(book: Book, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    if not rows:
        return []
    with book.engine.begin() as conn:
        return [int(x) for x in conn.execute(insert(model).returning(model.id), rows).scalars()]


def _nps(book: Book, answers: list[tuple[int, dt.datetime, int]]) -> None:
    _rows(book, Interaction, [
        {"customer_id": c, "kind": "nps", "occurred_at": t, "rating": r} for c, t, r in answers
    ])  # fmt: skip


def _tickets(book: Book, tickets: list[tuple[int, dt.datetime, str]]) -> None:
    _rows(book, Interaction, [
        {"customer_id": c, "kind": "ticket", "occurred_at": t, "satisfaction": s}
        for c, t, s in tickets
    ])  # fmt: skip


def _alert(book: Book, cid: int, raised: dt.datetime, *, held: bool, **more: Any) -> int:
    row = {
        "customer_id": cid, "rule_key": "gone_quiet", "severity": "warning", "status": "open",
        "reason": "test", "owner": "Maya", "created_at": raised, "holdout": held,
        "holdout_band": "medium", **more,
    }  # fmt: skip
    return _rows(book, Alert, [row])[0]


def _email(book: Book, cid: int, alert_id: int, sent: dt.datetime) -> None:
    _rows(book, Outreach, [{
        "customer_id": cid, "alert_id": alert_id, "status": "sent", "channel": "email",
        "subject": "Hello", "body": "Hi", "created_at": sent, "sent_at": sent,
    }])  # fmt: skip


# ------------------------------------------------------------------- months and owners

NPS_ANSWERS = (  # (customer name, when, rating)
    ("Ann", _utc(2026, 1, 5), 10), ("Ann", _utc(2026, 1, 25), 6),  # latest: a detractor
    ("Bo", _utc(2026, 1, 9), 9), ("Cy", _utc(2026, 1, 30), 7),
    ("Dee", _utc(2026, 2, 2), 3), ("Ann", _utc(2026, 2, 14), 9), ("Bo", _utc(2026, 2, 28), 8),
    ("Cy", _utc(2026, 3, 3), 10), ("Dee", _utc(2026, 3, 4), 10), ("Dee", _utc(2025, 12, 30), 0),
    ("Bo", _utc(2026, 4, 30), 0),  # after the period
)  # fmt: skip
TICKETS = (
    ("Ann", _utc(2026, 1, 3), "good"), ("Ann", _utc(2026, 1, 4), "good"),
    ("Bo", _utc(2026, 1, 8), "bad"), ("Cy", _utc(2026, 1, 9), "offered"),
    ("Cy", _utc(2026, 2, 9), "Good"), ("Dee", _utc(2026, 3, 19), "bad"),
    ("Dee", _utc(2026, 3, 20), "unoffered"),
)  # fmt: skip
OWNERS = {"Ann": "Maya", "Bo": "Maya", "Cy": "Sam", "Dee": None}


def _by_hand(answers: list[tuple[str, dt.datetime, int]], tickets: list[tuple[str, dt.datetime,
             str]], month: str) -> tuple[float | None, int, float | None, int]:  # fmt: skip
    """(NPS, customers, CSAT, rated tickets) of a month of the period, straight from the
    definitions."""
    answers = [a for a in answers if SINCE <= a[1].date() <= UNTIL]
    tickets = [t for t in tickets if SINCE <= t[1].date() <= UNTIL]
    latest: dict[str, tuple[dt.datetime, int]] = {}
    for who, when, rating in answers:
        if when.strftime("%Y-%m") == month and (who not in latest or when > latest[who][0]):
            latest[who] = (when, rating)
    ratings = [r for _, r in latest.values()]
    nps = None
    if ratings:
        promoters = sum(r >= 9 for r in ratings)
        detractors = sum(r <= 6 for r in ratings)
        nps = 100 * (promoters - detractors) / len(ratings)
    rated = [s.lower() for who, when, s in tickets if when.strftime("%Y-%m") == month
             and s.lower() in ("good", "bad")]  # fmt: skip
    csat = rated.count("good") / len(rated) if rated else None
    return nps, len(ratings), csat, len(rated)


def _fill_months(book: Book) -> dict[str, int]:
    with Session(book.engine) as s, s.begin():
        set_setting(s, "workspace.time_zone", "UTC")
    ids = {name: book.customer(name, owner=owner) for name, owner in OWNERS.items()}
    # Rows in a scrambled order: the figures must not depend on it.
    answers = [(ids[n], t, r) for n, t, r in NPS_ANSWERS]
    _nps(book, [answers[i] for i in np.random.default_rng(3).permutation(len(answers))])
    _tickets(book, [(ids[n], t, s) for n, t, s in reversed(TICKETS)])
    return ids


def test_nps_and_csat_per_month_are_the_definitions(book: Book) -> None:
    _fill_months(book)
    report = satisfaction_report(book.engine, SINCE, UNTIL, now=NOW)
    assert report.months == ("2026-01", "2026-02", "2026-03", "2026-04")
    for score in report.overall:
        nps, answered, csat, rated = _by_hand(list(NPS_ANSWERS), list(TICKETS), score.month)
        assert score.nps_responses == answered, score.month
        assert score.nps == (pytest.approx(nps) if nps is not None else None), score.month
        assert score.csat_responses == rated, score.month
        assert score.csat == (pytest.approx(csat) if csat is not None else None), score.month
    jan = report.overall[0]
    # Ann's latest January answer (6) counts, not her 10: 1 promoter (Bo), 1 detractor
    # (Ann), 1 passive (Cy); 2 tickets of 3 rated good ("offered" is no answer).
    assert (jan.promoters, jan.passives, jan.detractors, jan.nps) == (1, 1, 1, 0.0)
    assert (jan.satisfied, jan.csat_responses) == (2, 3)
    assert report.overall[3].nps is None
    assert report.overall[3].csat is None
    # The whole period: each customer's latest answer in it (Ann 9, Bo 8, Cy 10, Dee 10).
    assert (report.period.nps_responses, report.period.promoters) == (4, 3)
    assert report.period.nps == pytest.approx(75.0)
    assert report.period.csat == pytest.approx(3 / 5)


def test_per_owner_the_customers_of_each_owner(book: Book) -> None:
    _fill_months(book)
    report = satisfaction_report(book.engine, SINCE, UNTIL, now=NOW)
    assert report.owners == ("Maya", "Sam", "Unassigned")
    for owner in report.owners:
        names = {n for n, o in OWNERS.items() if (o or "Unassigned") == owner}
        answers = [a for a in NPS_ANSWERS if a[0] in names]
        tickets = [t for t in TICKETS if t[0] in names]
        for score in report.series(owner):
            nps, answered, csat, rated = _by_hand(answers, tickets, score.month)
            assert (score.nps_responses, score.csat_responses) == (answered, rated)
            assert score.nps == (pytest.approx(nps) if nps is not None else None)
            assert score.csat == (pytest.approx(csat) if csat is not None else None)
    assert report.series("Sam")[0].nps == pytest.approx(0.0)  # Cy's 7: a passive
    assert report.owner_period["Unassigned"].nps == pytest.approx(100.0)  # Dee's 10


def test_the_default_period_is_the_twelve_months_to_this_one(book: Book) -> None:
    _fill_months(book)
    report = satisfaction_report(book.engine, now=NOW)
    assert report.months[0] == "2025-05"
    assert report.months[-1] == "2026-04"
    assert len(report.months) == 12
    december = report.overall[report.months.index("2025-12")]
    assert (december.nps_responses, december.detractors) == (1, 1)  # Dee's 0


# ------------------------------------------------------------------- after outreach


def _arms(book: Book, contacted: list[tuple[int, int]], held: list[tuple[int, int]]) -> None:
    """Alerts raised on 1 February (the contacted emailed two days later), each customer
    answering ``before`` on 10 January and ``after`` on 1 March; decoys around them."""
    raised = _utc(2026, 2, 1)
    for k, (before, after) in enumerate([*contacted, *held]):
        is_held = k >= len(contacted)
        cid = book.customer(f"{'H' if is_held else 'C'}{k}")
        alert = _alert(book, cid, raised, held=is_held)
        if not is_held:
            _email(book, cid, alert, raised + 2 * D)
        _nps(book, [
            (cid, raised - 200 * D, 0),  # before the 180 days: not the "before"
            (cid, _utc(2026, 1, 10), before),
            (cid, raised + 1 * D, 10),  # between the alert and the email (held: "after")
            (cid, _utc(2026, 3, 1), after),
            (cid, _utc(2026, 3, 20), 10),  # a later answer: not the first after
        ] if not is_held else [
            (cid, raised - 200 * D, 0), (cid, _utc(2026, 1, 10), before),
            (cid, _utc(2026, 3, 1), after), (cid, _utc(2026, 3, 20), 10),
        ])  # fmt: skip


def _decoys(book: Book) -> None:
    """Alerts in neither arm: held out but contacted anyway; assigned outreach, never sent."""
    raised = _utc(2026, 2, 1)
    anyway = book.customer("Anyway")
    _alert(book, anyway, raised, held=True, holdout_contacted_at=raised + D)
    never = book.customer("Never")
    _alert(book, never, raised, held=False)
    for cid in (anyway, never):
        _nps(book, [(cid, _utc(2026, 1, 10), 0), (cid, _utc(2026, 3, 1), 10)])


def test_the_change_after_outreach_is_the_difference_of_the_arms(book: Book) -> None:
    contacted = [(5, 8), (6, 7), (7, 9)]  # changes 3, 1, 2: mean 2
    held = [(8, 7), (4, 5)]  # changes -1, 1: mean 0
    _arms(book, contacted, held)
    _decoys(book)
    change = satisfaction_report(book.engine, SINCE, UNTIL, now=NOW).nps_change
    assert (change.contacted.alerts, change.holdout.alerts) == (3, 2)
    assert (change.contacted.paired, change.holdout.paired) == (3, 2)
    assert change.contacted.mean_before == pytest.approx(np.mean([b for b, _ in contacted]))
    assert change.contacted.mean_after == pytest.approx(np.mean([a for _, a in contacted]))
    assert change.contacted.mean_change == pytest.approx(2.0)
    assert change.holdout.mean_change == pytest.approx(0.0)
    assert change.difference == pytest.approx(2.0)
    assert change.low is not None
    assert change.high is not None
    assert change.low <= 2.0 <= change.high
    assert change.contacted.response_rate == 1.0
    # Too few pairs for a verdict: 2 held out, at least 20 needed.
    assert not change.enough
    assert change_headline(change) == "Not enough data: 2 paired answers, at least 20 needed"
    one = dataclasses.replace(change, holdout=dataclasses.replace(change.holdout, paired=1))
    assert change_headline(one) == "Not enough data: 1 paired answer, at least 20 needed"


def test_enough_pairs_give_the_difference_with_its_interval(book: Book) -> None:
    rng = np.random.default_rng(5)
    contacted = [(int(b), int(min(10, b + k % 3))) for k, b in enumerate(rng.integers(3, 8, 24))]
    held = [(int(b), int(b - (k % 2))) for k, b in enumerate(rng.integers(3, 8, 21))]
    _arms(book, contacted, held)
    report = satisfaction_report(book.engine, SINCE, UNTIL, now=NOW)
    change = report.nps_change
    direct = np.mean([a - b for b, a in contacted]) - np.mean([a - b for b, a in held])
    assert change.enough
    assert change.difference == pytest.approx(direct)
    assert change.low is not None
    assert change.high is not None
    assert change.low < direct < change.high
    # A normal approximation of the same interval agrees roughly with the bootstrap's.
    c = np.array([a - b for b, a in contacted], dtype=float)
    h = np.array([a - b for b, a in held], dtype=float)
    se = np.sqrt(c.var() / len(c) + h.var() / len(h))
    assert change.high - change.low == pytest.approx(2 * 1.96 * se, rel=0.25)
    assert change_headline(change).startswith(f"{direct:+.1f} points against the holdout")
    assert report.csat_change.contacted.paired == 0  # no tickets: no CSAT pairs
    assert not report.csat_change.enough


def test_the_comparison_does_not_depend_on_row_order() -> None:
    start = pd.Timestamp("2026-02-01", tz="UTC")
    exposures = pd.DataFrame({
        "alert_id": np.arange(1, 61), "customer_id": np.arange(1, 61),
        "group": ["contacted"] * 35 + ["holdout"] * 25,
        "alert_created": [start] * 60, "start": [start + pd.Timedelta(days=1)] * 60,
    })  # fmt: skip
    rng = np.random.default_rng(9)
    answers = pd.DataFrame({
        "customer_id": np.repeat(np.arange(1, 61), 2),
        "at": np.tile([start - pd.Timedelta(days=20), start + pd.Timedelta(days=20)], 60),
        "value": rng.integers(0, 11, 120).astype(float),
    })  # fmt: skip
    first = compare_arms(NPS, exposures, pair_answers(exposures, answers))
    shuffled = answers.iloc[rng.permutation(120)].reset_index(drop=True)
    flipped = exposures.iloc[::-1].reset_index(drop=True)
    second = compare_arms(NPS, flipped, pair_answers(flipped, shuffled))
    assert first == second
    assert first.enough
    assert first.measure == NPS != CSAT
