"""The Lapse coming rule: the chance of no order before the lapse point, from the scoring
run's BG/NBD fit and the customer's own history, computed the way the definition says
(checked against bgnbd.prob_no_purchase called directly), and the rule raised on a real
workspace only for customers likely to lapse with the notice still to go."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from models.schema import ScoringRun
from services.alerts.lapse import lapse_chance, run_bgnbd
from services.core.formatting import format_date, format_percent
from services.scoring.bgnbd import BGNBDParams, prob_no_purchase
from tests.unit.alerts.test_alerts_rules import TODAY, Book, by_customer, make_book, only

PARAMS = BGNBDParams(r=0.8, alpha=12.0, a=0.6, b=2.5)
H = 90


def _features(histories: list[list[int]], cutoff: int = 0) -> pd.DataFrame:
    """Scoring's purchase columns for purchase days given as day numbers (cutoff 0)."""
    rows = []
    for days in histories:
        if not days:
            rows.append((0, np.nan, np.nan, np.nan, np.nan))
            continue
        first, last = min(days), max(days)
        rows.append((len(set(days)), first, last, cutoff - first, cutoff - last))
    return pd.DataFrame(
        rows, columns=["purchase_days", "first_day", "last_day", "tenure_days", "recency_days"]
    )


def test_the_chance_is_bgnbd_no_purchase_until_the_lapse_point() -> None:
    histories = [
        list(range(-200, -39, 10)),  # every 10 days, quiet for 40
        list(range(-200, -4, 10)),  # every 10 days, the last 10 days ago
        [-60],  # one purchase day, 60 days ago
        [-300, -120],  # quiet for 120 days: lapsed
        [],  # never bought
    ]
    features = _features(histories)
    got = lapse_chance(features, PARAMS, H)
    for k, days in enumerate(histories[:3]):
        x = len(set(days)) - 1
        tx = (max(days) - min(days)) / 7
        big_t = -min(days) / 7
        left = (H + max(days)) / 7  # H - recency days, in weeks
        want = float(prob_no_purchase(PARAMS, left, x, tx, big_t).item())
        assert got[k] == pytest.approx(want, rel=1e-12)
        assert 0 < got[k] < 1
    assert got[3] == 1.0  # already lapsed: the lapse has come
    assert np.isnan(got[4])
    assert np.isnan(lapse_chance(features, None, H)).all()
    assert np.isnan(lapse_chance(features, PARAMS, 0)).all()


def test_the_chance_rises_as_a_customer_stays_quiet() -> None:
    # The same buyer (every 7 days for a year) seen 7, 21, 35, ... 84 days after the last.
    quiet = list(range(7, 90, 14))
    features = pd.concat(
        [_features([list(range(-365, -q + 1, 7))[-52:]], cutoff=0) for q in quiet],
        ignore_index=True,
    )
    chance = lapse_chance(features, PARAMS, H)
    assert (np.diff(chance) > 0).all()
    # A weekly buyer quiet for 84 days has all but lapsed; one quiet a week has not.
    assert chance[-1] > 0.9 > 0.5 > chance[0]


def test_the_stored_fit_is_read_back_or_none() -> None:
    assert run_bgnbd({"bgnbd": PARAMS.to_dict()}) == PARAMS
    assert run_bgnbd(None) is None
    assert run_bgnbd({"bgnbd": {"r": 1.0}}) is None
    assert run_bgnbd({"bgnbd": "broken"}) is None


@pytest.fixture
def book(workspace_url: str) -> Iterator[Book]:
    yield from make_book(workspace_url)


def test_lapse_coming_warns_with_the_notice_still_to_go(book: Book) -> None:
    only(book, "lapse_coming")
    frequent = book.customer("Ada Frequent")  # every 5 days, quiet for 55: 35 days left
    recent = book.customer("Bo Recent")  # every 10 days, last order 4 days ago
    late = book.customer("Cy Late")  # every 10 days, quiet for 75: only 15 days left
    lapsed = book.customer("Di Lapsed")  # quiet for 120 days: already lapsed
    never = book.customer("Ed Never")  # no order
    book.orders(frequent, [float(d) for d in range(200, 54, -5)], cents=4000)
    book.orders(recent, [float(d) for d in range(164, 3, -10)], cents=4000)
    book.orders(late, [float(d) for d in range(235, 74, -10)], cents=4000)
    book.orders(lapsed, [300.0, 200.0, 120.0], cents=4000)
    people = (frequent, recent, late, lapsed, never)
    run = book.score({c: {"churn": 0.5, "clv": 400.0} for c in people}, horizon=H)
    with Session(book.engine) as s, s.begin():
        s.execute(
            update(ScoringRun)
            .where(ScoringRun.id == run)
            .values(params={"bgnbd": PARAMS.to_dict(), "time_unit": "weeks"})
        )
    book.set("alerts.lapse_coming.min_chance_percent", 60)
    book.set("alerts.lapse_coming.notice_days", 30)
    book.generate()
    alerts = by_customer(book, "lapse_coming")
    # The same chance computed directly from the orders' days (as of the run's date).
    features = _features(
        [
            [-d for d in range(200, 54, -5)],
            [-d for d in range(164, 3, -10)],
            [-d for d in range(235, 74, -10)],
        ]
    )
    chance = lapse_chance(features, PARAMS, H)
    assert chance[0] >= 0.6 > chance[1]  # Ada likely to lapse; Bo bought days ago
    assert chance[2] >= 0.6  # Cy too, but with 15 days left: no longer an early warning
    assert set(alerts) == {frequent}
    alert = alerts[frequent]
    assert alert["severity"] == "warning"
    due = format_date(TODAY + dt.timedelta(days=35))
    assert alert["reason"] == (
        f"{format_percent(chance[0])} chance of no order before {due}, when 90 days will "
        "have passed since the last one (35 days from now)"
    )
    # What is at stake: the chance x the last 12 months' revenue the rules weigh ($400).
    assert alert["priority_cents"] == round(chance[0] * 40_000)
    # A shorter notice lets Cy in; a higher bar than Ada's chance leaves nobody.
    book.set("alerts.lapse_coming.notice_days", 14)
    book.generate()
    assert book.keys("lapse_coming") == {(frequent, "lapse_coming"), (late, "lapse_coming")}
    book.set("alerts.lapse_coming.min_chance_percent", 99)
    result = book.generate()
    assert result.matches.get("lapse_coming", 0) == 0
    # No longer holding, the open alerts are marked cleared (as every rule's are).
    assert all(a["cleared_at"] is not None for a in by_customer(book, "lapse_coming").values())


def test_lapse_coming_needs_the_runs_fit(book: Book) -> None:
    only(book, "lapse_coming")
    frequent = book.customer("Ada Frequent")
    book.orders(frequent, [float(d) for d in range(200, 54, -5)])
    book.score({frequent: {"churn": 0.9}}, horizon=H)  # a run with no stored parameters
    result = book.generate()
    assert by_customer(book, "lapse_coming") == {}
    assert "lapse_coming" not in result.matches  # not evaluated, and the run says why
    assert result.not_evaluated["lapse_coming"] == "no repeat-purchase model in the scoring run"
