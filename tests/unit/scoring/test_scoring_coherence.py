"""One model of a customer's future (issue §2) and a stable customer order (issue §3), as
properties of the scoring functions:

- for any BG/NBD fit, history, churn risk and horizon H <= 365 days, the predicted orders
  over H and the 12-month orders that services/scoring/run.py derives satisfy
  orders(H) <= orders(year) <= 365/H x orders(H) *before* the last guard (so the guard
  is not what makes it hold); the order value multiplies both, so revenue follows;
- revenue at risk is one function, ranking a slipping loyal customer above a one-time
  buyer lost long ago;
- the customers' order is a function of their keys, not of the order they were stored in.

The same on real data: tests/unit/scoring/test_scoring_run.py (the demo) and
tests/unit/scoring/test_scoring_row_order.py (CDNOW in five row orders).
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from services.core._stable import stable_order
from services.core.clv_words import MAX_CLV_MONTHS, clv_days
from services.scoring.bgnbd import BGNBDParams, expected_purchases, prob_no_purchase
from services.scoring.features import WEEK
from services.scoring.run import CLV_DAYS, coherent_year, forecast_orders, revenue_at_risk

positive = st.floats(min_value=0.01, max_value=50.0, allow_nan=False)
history = st.tuples(
    st.integers(min_value=0, max_value=60),  # repeat purchase days
    st.floats(min_value=0.0, max_value=1.0),  # t_x as a share of T
    st.floats(min_value=0.2, max_value=260.0),  # T, weeks
)


@settings(max_examples=300, deadline=None)
@given(
    r=positive,
    alpha=positive,
    a=positive,
    b=positive,
    customers=st.lists(history, min_size=1, max_size=8),
    risks=st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=8, max_size=8),
    horizon=st.integers(min_value=1, max_value=CLV_DAYS),
)
def test_the_year_holds_the_horizon_and_at_most_365_over_h_times_it(
    r: float,
    alpha: float,
    a: float,
    b: float,
    customers: list[tuple[int, float, float]],
    risks: list[float],
    horizon: int,
) -> None:
    params = BGNBDParams(r, alpha, a, b)
    x = np.array([c[0] for c in customers], dtype=np.float64)
    big_t = np.array([c[2] for c in customers])
    # Repeat purchases are on other days than the first: t_x is at least a day.
    share = np.array([c[1] for c in customers])
    tx = np.where(x > 0, np.clip(share * big_t, 1 / WEEK, big_t), 0.0)
    risk = np.array(risks[: x.size])
    has = np.ones(x.size, dtype=bool)
    e_h = expected_purchases(params, horizon / WEEK, x, tx, big_t)
    q_h = prob_no_purchase(params, horizon / WEEK, x, tx, big_t)
    e_year = expected_purchases(params, CLV_DAYS / WEEK, x, tx, big_t)
    orders, year = forecast_orders(risk, has, e_h, q_h, e_year, horizon)
    assert np.all(np.isfinite(orders))
    assert np.all(np.isfinite(year))
    slack = 1e-9 * (1.0 + year)
    assert np.all(orders <= year + slack)
    assert np.all(year <= CLV_DAYS / horizon * orders + slack)
    # More risk, fewer orders: the churn model and the forecast agree.
    assert np.all(orders <= (1.0 - risk) * np.maximum(e_h / np.maximum(1 - q_h, 1e-9), 1) + 1e-9)
    # The guard leaves a coherent year as it is.
    assert np.allclose(coherent_year(orders, year, horizon), year, rtol=1e-9, atol=0)


@settings(max_examples=100, deadline=None)
@given(
    risks=st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=1, max_size=20),
    horizon=st.integers(min_value=1, max_value=CLV_DAYS),
)
def test_customers_without_an_order_get_the_same_chance_over_the_year(
    risks: list[float], horizon: int
) -> None:
    risk = np.array(risks)
    nan = np.full(risk.size, np.nan)
    orders, year = forecast_orders(risk, np.zeros(risk.size, bool), nan, nan, nan, horizon)
    assert np.allclose(orders, 1.0 - risk)
    assert np.allclose(year, orders)


@settings(max_examples=200, deadline=None)
@given(
    r=positive,
    alpha=positive,
    a=positive,
    b=positive,
    customers=st.lists(history, min_size=1, max_size=8),
    risks=st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=8, max_size=8),
    months=st.integers(min_value=1, max_value=MAX_CLV_MONTHS),
    share=st.floats(min_value=0.01, max_value=1.0),
)
def test_the_t_month_value_holds_the_horizon_and_at_most_t_over_h_times_it(
    r: float,
    alpha: float,
    a: float,
    b: float,
    customers: list[tuple[int, float, float]],
    risks: list[float],
    months: int,
    share: float,
) -> None:
    """The invariant for any value horizon T (setting scoring.clv_months): for h <= T
    months, predicted orders over h <= orders over T <= (T x 30.4 / h) x orders over h."""
    days = clv_days(months)
    horizon = max(1, int(share * days))
    params = BGNBDParams(r, alpha, a, b)
    x = np.array([c[0] for c in customers], dtype=np.float64)
    big_t = np.array([c[2] for c in customers])
    tx = np.where(x > 0, np.clip(np.array([c[1] for c in customers]) * big_t, 1 / WEEK, big_t), 0.0)
    risk = np.array(risks[: x.size])
    e_h = expected_purchases(params, horizon / WEEK, x, tx, big_t)
    q_h = prob_no_purchase(params, horizon / WEEK, x, tx, big_t)
    e_t = expected_purchases(params, days / WEEK, x, tx, big_t)
    orders, value = forecast_orders(risk, np.ones(x.size, bool), e_h, q_h, e_t, horizon, days)
    slack = 1e-9 * (1.0 + value)
    assert np.all(orders <= value + slack)
    assert np.all(value <= days / horizon * orders + slack)
    assert np.allclose(coherent_year(orders, value, horizon, days), value, rtol=1e-9, atol=0)


def test_the_guard_clamps_an_incoherent_year_and_leaves_long_horizons() -> None:
    orders = np.array([1.0, 1.0, 1.0])
    year = np.array([0.5, 2.0, 9.0])
    assert coherent_year(orders, year, 90).tolist() == [1.0, 2.0, CLV_DAYS / 90]
    assert coherent_year(orders, year, 400).tolist() == year.tolist()
    # Over 24 months (730 days), at most 730/90 times the horizon's.
    assert coherent_year(orders, np.array([0.5, 2.0, 7.0]), 90, clv_days(24)).tolist() == [
        1.0,
        2.0,
        7.0,
    ]
    assert coherent_year(np.array([1.0]), np.array([20.0]), 90, clv_days(24)).tolist() == [
        clv_days(24) / 90
    ]


def test_revenue_at_risk_ranks_a_slipping_loyal_customer_above_a_lost_one_time_buyer() -> None:
    # A one-time $39 buyer whose only order is older than a year, sure to be lost; a
    # loyal customer who paid $1,200 over the last year and is slipping; a recent
    # one-time $39 buyer who will probably not come back.
    risk = np.array([0.98, 0.35, 0.9])
    spend_365 = np.array([0.0, 120_000.0, 3_900.0])
    at_risk = revenue_at_risk(risk, spend_365)
    assert at_risk[0] == 0.0
    assert at_risk[1] == 0.35 * 120_000.0
    assert at_risk[1] > at_risk[2] > at_risk[0]
    # Never more than what the customer paid over the last year; unknown spend is none.
    assert np.all(at_risk <= spend_365)
    assert revenue_at_risk(np.array([0.5]), np.array([np.nan])).tolist() == [0.0]


@settings(max_examples=100, deadline=None)
@given(
    keys=st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=40, unique=True),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_the_customer_order_follows_the_keys_not_the_rows(keys: list[str], seed: int) -> None:
    # The same customers stored in another order get other internal ids: the customers
    # still come out in the same order of keys.
    rng = np.random.default_rng(seed)
    shuffled = [keys[i] for i in rng.permutation(len(keys))]
    first = np.array(keys, dtype=object)
    second = np.array(shuffled, dtype=object)
    ids = np.arange(1, len(keys) + 1, dtype=np.int64)
    assert first[stable_order(first, ids)].tolist() == second[stable_order(second, ids)].tolist()


def test_the_customer_order_is_not_the_id_order() -> None:
    keys = np.array([f"cdnow\x1f{i}" for i in range(1, 201)], dtype=object)
    order = stable_order(keys, np.arange(1, 201, dtype=np.int64))
    assert sorted(order.tolist()) == list(range(200))
    assert order.tolist() != list(range(200))
