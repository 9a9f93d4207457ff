"""The model check on the hand-made book of tests/support/accuracy_book.py, on SQLite and
on PostgreSQL: every figure against the sums written out by hand below."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from app.workspace import open_workspace
from services.accuracy.measures import auc
from services.accuracy.report import accuracy_report
from services.accuracy.wording import empty_words, verdict
from tests.support.accuracy_book import fill_accuracy_book

R = 90 / 365  # a year's orders scaled to the 90-day horizon


@pytest.fixture
def book(workspace_url: str) -> Iterator[tuple[Engine, dict[str, int]]]:
    ws = open_workspace(workspace_url, backup=False)
    ids = fill_accuracy_book(ws.engine)
    yield ws.engine, ids
    ws.close()


def test_auc_on_a_tiny_set_by_hand() -> None:
    # Churned risks 0.9 and 0.4, kept 0.5 and 0.1: of the 4 pairs, 3 put the churned
    # higher (0.9 > 0.5, 0.9 > 0.1, 0.4 > 0.1), so 3/4; a tie counts a half.
    assert auc([0.9, 0.4, 0.5, 0.1], [True, True, False, False]) == pytest.approx(0.75)
    assert auc([0.5, 0.5], [True, False]) == pytest.approx(0.5)
    assert auc([0.2, 0.3], [True, True]) is None  # one outcome only


def test_the_first_run_by_hand(book) -> None:  # type: ignore[no-untyped-def]
    engine, ids = book
    report = accuracy_report(engine)
    run = report.runs[0]
    assert run.run_id == ids["run 2025-01-01"]
    assert (run.as_of, run.end, run.scored) == (dt.date(2025, 1, 1), dt.date(2025, 4, 1), 12)
    by_id = {c.customer_id: c for c in run.customers}
    # C's order on the window's last day counts, G's a day late does not; H's refunded
    # order is no order; B's order in pounds counts as an order but not as money.
    assert by_id[ids["C"]].actual_orders == 1
    assert by_id[ids["G"]].churned
    assert (by_id[ids["H"]].actual_orders, by_id[ids["H"]].actual_cents) == (1, 8000)
    assert (by_id[ids["B"]].actual_orders, by_id[ids["B"]].actual_cents) == (2, 15000)
    assert by_id[ids["I"]].recency_days is None
    assert (by_id[ids["E"]].recency_days, by_id[ids["K"]].past_orders) == (335, 3)
    # Orders: predicted 2+1+1+.5+.5+.2+.3+1+0+.4+2+.1 = 9, actual 2+2+1+1+1+3 = 10.
    assert run.predicted_orders == pytest.approx(9.0)
    assert run.actual_orders == 10
    assert run.orders_bias == pytest.approx(-0.1)
    # |errors|: 0 1 0 .5 .5 .2 .3 0 0 .4 1 .1 = 4 over 12 customers.
    assert run.orders_mae == pytest.approx(4 / 12)
    # The past year's rate (orders 2 1 1 1 1 0 1 2 0 1 3 1, times R) against the actual:
    # (2-2R)+(2-R)+(1-R)+R+(1-R)+0+R+(1-2R)+0+R+(3-3R)+R = 10 - 6R.
    assert run.baseline_orders_mae == pytest.approx((10 - 6 * R) / 12)
    # Revenue: predicted $700, actual 200+150+50+40+80+60 = $580; |errors| $220.
    assert (run.predicted_cents, run.actual_cents) == (70_000, 58_000)
    assert run.revenue_bias == pytest.approx(120 / 580)
    assert run.revenue_mae == pytest.approx(22_000 / 12)
    # Churned D F G I J L (risks .4 .7 .8 .9 .5 .25) against kept A B C E H K (.1 .2 .3
    # .6 .35 .05): 5+6+6+6+5+3 = 31 of 36 pairs put the churned higher.
    assert run.auc == pytest.approx(31 / 36)
    # Recency (churned 10 580 184 never 245 275, kept 31 61 91 335 21 1; never ranks
    # last): 1+6+5+6+5+5 = 28 of 36.
    assert run.baseline_auc == pytest.approx(28 / 36)
    # Brier: kept .01+.04+.09+.36+.1225+.0025 = .625; churned .36+.09+.04+.01+.25+.5625
    # = 1.3125; (.625 + 1.3125) / 12.
    assert run.brier == pytest.approx(1.9375 / 12)
    assert run.churn_rate == pytest.approx(0.5)
    assert run.beats_churn_baseline
    assert run.beats_orders_baseline
    assert verdict(run).startswith("Beat its baseline on churn (AUC 0.86 vs 0.78")


def test_calibration_in_five_bins_when_few(book) -> None:  # type: ignore[no-untyped-def]
    engine, _ids = book
    run = accuracy_report(engine).runs[0]
    # By risk: K A | B L | C H D | J E | F G I, churned L, D, J, F G I.
    assert [b.customers for b in run.bins] == [2, 2, 3, 2, 3]
    assert [b.predicted for b in run.bins] == pytest.approx([0.075, 0.225, 0.35, 0.55, 0.8])
    assert [b.observed for b in run.bins] == pytest.approx([0, 0.5, 1 / 3, 0.5, 1])


def test_the_second_run_misses_its_churn_baseline(book) -> None:  # type: ignore[no-untyped-def]
    engine, ids = book
    report = accuracy_report(engine)
    run = report.runs[1]
    assert run.run_id == ids["run 2025-04-01"]
    assert run.scored == 6
    # Orders: predicted 4.5, actual A1 G1 K2 = 4; |errors| 0 .5 .5 0 1 .5 = 2.5.
    assert run.orders_bias == pytest.approx(0.125)
    assert run.orders_mae == pytest.approx(2.5 / 6)
    # Past year 4 3 2 1 6 1: (1-4R)+3R+2R+(1-R)+(2-6R)+R = 4 - 5R.
    assert run.baseline_orders_mae == pytest.approx((4 - 5 * R) / 6)
    # Revenue: predicted $350, actual 100+30+40 = $170; |errors| 0+50+50+20+0+60 = $180.
    assert run.revenue_bias == pytest.approx(180 / 170)
    assert run.revenue_mae == pytest.approx(18_000 / 6)
    # Churned B C M (.2 .1 .15) all below kept A G K (.6 .7 .3): AUC 0. Recency: churned
    # 22 0 31, kept 31 274 27: only M against K (31 > 27) and M against A (a tie, a half).
    assert run.auc == pytest.approx(0.0)
    assert run.baseline_auc == pytest.approx(1.5 / 9)
    # Brier: kept .36+.49+.09, churned .64+.81+.7225: 3.1125 / 6.
    assert run.brier == pytest.approx(3.1125 / 6)
    assert run.beats_churn_baseline is False
    assert run.beats_orders_baseline
    assert verdict(run).startswith("Did not beat its baseline on churn")


def test_which_runs_are_checkable(book) -> None:  # type: ignore[no-untyped-def]
    engine, ids = book
    report = accuracy_report(engine, today=dt.date(2026, 1, 1))
    # The newest paid order (K's of Sep 1, 2025) is earlier than today: it is the limit.
    assert (report.cutoff, report.cutoff_by) == (dt.date(2025, 9, 1), "the newest order")
    assert [p.run_id for p in report.pending] == [ids["run 2025-08-01"]]
    assert report.pending[0].checkable_on == dt.date(2025, 10, 30)
    assert report.money_note is not None
    assert "GBP" in report.money_note
    # Read on Jun 1, 2025, today is the limit: only the first run's horizon has passed.
    early = accuracy_report(engine, today=dt.date(2025, 6, 1))
    assert (early.cutoff, early.cutoff_by) == (dt.date(2025, 6, 1), "today")
    assert [r.run_id for r in early.runs] == [ids["run 2025-01-01"]]
    assert len(early.pending) == 2
    # On Mar 1, 2025 no run can be checked yet: the words say when the first will be.
    none = accuracy_report(engine, today=dt.date(2025, 3, 1))
    assert none.runs == ()
    assert empty_words(none) == (
        f"No scoring run has passed its horizon yet: the first, run {ids['run 2025-01-01']} "
        "as of Jan 1, 2025, can be checked on Apr 1, 2025."
    )
    # One run asked for: that run only.
    one = accuracy_report(engine, run_id=ids["run 2025-04-01"])
    assert [r.run_id for r in one.runs] == [ids["run 2025-04-01"]]
    assert not one.pending
