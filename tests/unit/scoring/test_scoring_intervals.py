"""80% intervals (services/scoring/intervals.py) on the CDNOW 1/10 sample.

References: the Laplace standard errors of the BG/NBD fit are those lifetimes'
BetaGeoFitter reports on the same sample (r 0.0126, alpha 0.378, a 0.186, b 0.705),
here on log-parameters by the delta method (se / value).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit, logit

from services.scoring.bgnbd import (
    BGNBDParams,
    GammaGammaParams,
    bgnbd_covariance,
    expected_order_value,
    expected_purchases,
    fit_bgnbd,
    fit_gamma_gamma,
    gamma_gamma_covariance,
    p_alive,
    prob_no_purchase,
)
from services.scoring.intervals import (
    Intervals,
    Uncertainty,
    alive_share,
    customer_intervals,
    quantile_positions,
    simulate,
    uncertainty,
)
from tests.support.cdnow import DATA
from tests.support.cdnow import cdnow_calibration as _cdnow_calibration

HORIZON = 39.0  # weeks: the published holdout period
YEAR = 52.0


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return _cdnow_calibration()


@pytest.fixture(scope="module")
def fits(cdnow: pd.DataFrame) -> tuple[BGNBDParams, GammaGammaParams]:
    return fit_bgnbd(cdnow["x"], cdnow["t_x"], cdnow["T"]), fit_gamma_gamma(cdnow["x"], cdnow["m"])


def _arrays(c: pd.DataFrame) -> tuple[np.ndarray, ...]:
    return tuple(c[k].to_numpy(np.float64) for k in ("x", "t_x", "T", "m"))


def _intervals(
    cdnow: pd.DataFrame, fits: tuple[BGNBDParams, GammaGammaParams], **kw: object
) -> tuple[Intervals, np.ndarray, np.ndarray, np.ndarray]:
    bg, gg = fits
    x, tx, big_t, m = _arrays(cdnow)
    unc = uncertainty(bg, x, tx, big_t, gamma_gamma=gg, repeat_value=m)
    value = expected_order_value(gg, x, m)
    risk = prob_no_purchase(bg, HORIZON, x, tx, big_t)
    orders = expected_purchases(bg, HORIZON, x, tx, big_t)
    clv = expected_purchases(bg, YEAR, x, tx, big_t) * value
    out = customer_intervals(
        unc, x, tx, big_t, np.ones(x.size, bool), t=HORIZON, t_year=YEAR, risk=risk,
        orders=orders, clv=clv, order_value=value, repeat_value=m, **kw,
    )  # fmt: skip
    return out, risk, orders, clv


def test_the_laplace_standard_errors_match_lifetimes(
    cdnow: pd.DataFrame, fits: tuple[BGNBDParams, GammaGammaParams]
) -> None:
    bg, gg = fits
    x, tx, big_t, m = _arrays(cdnow)
    se = np.sqrt(np.diag(bgnbd_covariance(bg, x, tx, big_t)))
    natural = np.array([bg.r, bg.alpha, bg.a, bg.b])
    assert se * natural == pytest.approx([0.012557, 0.378221, 0.185719, 0.705345], rel=0.01)
    gg_se = np.sqrt(np.diag(gamma_gamma_covariance(gg, x, m)))
    assert np.all(np.isfinite(gg_se))
    assert np.all(gg_se > 0)
    assert np.all(gg_se < 1)


def test_the_mixture_weights_reproduce_p_alive(
    cdnow: pd.DataFrame, fits: tuple[BGNBDParams, GammaGammaParams]
) -> None:
    bg, _ = fits
    x, tx, big_t, _m = _arrays(cdnow)
    row = np.ones((1, 1))
    share = alive_share(row * bg.r, row * bg.alpha, row * bg.a, row * bg.b, x, tx, big_t)[:, 0]
    np.testing.assert_allclose(share, p_alive(bg, x, tx, big_t), rtol=1e-10, atol=1e-12)


def test_the_samples_average_to_the_models_expectations(
    cdnow: pd.DataFrame, fits: tuple[BGNBDParams, GammaGammaParams]
) -> None:
    bg, gg = fits
    x, tx, big_t, m = _arrays(cdnow)
    value = expected_order_value(gg, x, m)
    k = 400
    # The customer's own posterior only (no parameter draws): the mean is the model's.
    (s,) = simulate(
        Uncertainty(bg, None, gg, None), x, tx, big_t, t=HORIZON, t_year=YEAR,
        order_value=value, repeat_value=m, k=k,
    )  # fmt: skip
    expected = expected_purchases(bg, HORIZON, x, tx, big_t)
    for group in (x == 0, (x >= 1) & (x <= 3), x >= 4, np.ones(x.size, bool)):
        mean = s.orders[group].mean(axis=1).sum()
        se = np.sqrt((s.orders[group].var(axis=1) / k).sum())
        assert abs(mean - expected[group].sum()) < 4 * se, (mean, expected[group].sum(), se)
    none = prob_no_purchase(bg, HORIZON, x, tx, big_t)
    se = np.sqrt((s.risk.var(axis=1) / k).sum())
    assert abs(s.risk.mean(axis=1).sum() - none.sum()) < 4 * se
    year_value = expected_purchases(bg, YEAR, x, tx, big_t) * value
    se = np.sqrt((s.value_year.var(axis=1) / k).sum())
    assert abs(s.value_year.mean(axis=1).sum() - year_value.sum()) < 4 * se


def test_the_intervals_hold_the_figures_and_repeat_exactly(
    cdnow: pd.DataFrame, fits: tuple[BGNBDParams, GammaGammaParams]
) -> None:
    first, risk, orders, clv = _intervals(cdnow, fits)
    for low, point, high in (
        (first.churn_low, risk, first.churn_high),
        (first.orders_low, orders, first.orders_high),
        (first.clv_low, clv, first.clv_high),
    ):
        assert np.all(low <= point)
        assert np.all(point <= high)
    assert np.all((first.churn_low >= 0) & (first.churn_high <= 1))
    assert np.mean(first.churn_width) > 0.05
    again, *_ = _intervals(cdnow, fits)
    for name in Intervals.__dataclass_fields__:
        assert np.array_equal(getattr(first, name), getattr(again, name)), name
    # Another seed draws other samples: the equality above is not by construction.
    other, *_ = _intervals(cdnow, fits, seed=7)
    assert not np.array_equal(first.clv_high, other.clv_high)


def test_more_orders_at_the_same_recency_narrow_the_risk(
    fits: tuple[BGNBDParams, GammaGammaParams],
) -> None:
    bg, _ = fits
    # Both last ordered 4 weeks ago: one after 12 orders over 30 weeks, one after a
    # single first order.
    x = np.array([11.0, 0.0])
    tx = np.array([30.0, 0.0])
    big_t = np.array([34.0, 4.0])
    unc = Uncertainty(bg, bgnbd_covariance(bg, *_arrays(_cdnow_calibration())[:3]))
    risk = prob_no_purchase(bg, HORIZON, x, tx, big_t)
    orders = expected_purchases(bg, HORIZON, x, tx, big_t)
    out = customer_intervals(
        unc, x, tx, big_t, np.ones(2, bool), t=HORIZON, t_year=YEAR, risk=risk,
        orders=orders, clv=orders * 30.0, order_value=np.full(2, 30.0),
    )  # fmt: skip
    assert out.churn_width[0] < out.churn_width[1]


def test_the_reported_risk_moves_the_interval_in_log_odds(
    cdnow: pd.DataFrame, fits: tuple[BGNBDParams, GammaGammaParams]
) -> None:
    bg, gg = fits
    x, tx, big_t, m = _arrays(cdnow)
    unc = uncertainty(bg, x, tx, big_t)
    value = expected_order_value(gg, x, m)
    orders = expected_purchases(bg, HORIZON, x, tx, big_t)
    base = prob_no_purchase(bg, HORIZON, x, tx, big_t)
    args = (unc, x, tx, big_t, np.ones(x.size, bool))
    kw = dict(t=HORIZON, t_year=YEAR, orders=orders, clv=orders, order_value=value)
    plain = customer_intervals(*args, risk=base, **kw)  # type: ignore[arg-type]
    # A classifier that finds everyone a little riskier: the interval moves up with it.
    riskier = expit(logit(np.clip(base, 1e-9, 1 - 1e-9)) + 0.3)
    moved = customer_intervals(*args, risk=riskier, **kw)  # type: ignore[arg-type]
    # (Risks within 1e-6 of certainty are held there: a hair of float slack.)
    assert np.all(moved.churn_low >= plain.churn_low - 1e-9)
    assert np.all(moved.churn_high >= plain.churn_high - 1e-9)
    assert np.mean(moved.churn_low) > np.mean(plain.churn_low) + 0.01
    assert np.all((moved.churn_low <= riskier) & (riskier <= moved.churn_high))


def test_customers_without_an_order_get_the_population_figures() -> None:
    bg = BGNBDParams(r=0.243, alpha=4.414, a=0.793, b=2.426)
    zeros = np.zeros(3)
    risk = np.array([0.95, 0.5, 0.05])  # chances of a first order 5%, 50%, 95%
    out = customer_intervals(
        Uncertainty(bg, None), zeros, zeros, zeros, np.zeros(3, bool), t=13.0, t_year=YEAR,
        risk=risk, orders=1 - risk, clv=(1 - risk) * 4000, order_value=np.full(3, 4000.0),
        population_value=4000.0,
    )  # fmt: skip
    assert np.array_equal(out.churn_low, risk)
    assert np.array_equal(out.churn_high, risk)
    # The 10th/90th percentiles of one first order or none, widened to hold the figure.
    assert out.orders_low.tolist() == [0.0, 0.0, pytest.approx(0.95)]
    assert out.orders_high.tolist() == [pytest.approx(0.05), 1.0, 1.0]
    assert out.clv_high.tolist() == [pytest.approx(200.0), 4000.0, 4000.0]


def test_quantile_positions() -> None:
    assert quantile_positions(100) == (9, 89)
    assert quantile_positions(10) == (0, 8)


def _holdout_orders(cdnow: pd.DataFrame) -> np.ndarray:
    """Purchase days per customer in the 39 weeks after the calibration period."""
    raw = pd.read_csv(
        DATA / "CDNOW_sample.txt", sep=r"\s+", header=None,
        names=["master_id", "id", "date", "cds", "amount"], dtype={"date": str},
    )  # fmt: skip
    raw["date"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    end = pd.Timestamp("1997-09-30")
    later = raw[(raw["date"] > end) & (raw["date"] <= end + pd.Timedelta(weeks=39))]
    days = later.groupby("id")["date"].nunique()
    return days.reindex(cdnow.index).fillna(0).to_numpy(np.float64)


def test_the_order_intervals_cover_about_80_percent_of_the_holdout(
    cdnow: pd.DataFrame, fits: tuple[BGNBDParams, GammaGammaParams]
) -> None:
    out, *_ = _intervals(cdnow, fits)
    actual = _holdout_orders(cdnow)
    inside = (actual >= out.orders_low) & (actual <= out.orders_high)
    assert 0.75 <= inside.mean() <= 0.95, inside.mean()
    # By past repeat purchases (what is known at the cutoff, not the outcome): the
    # intervals fit the light buyers and the heavy ones alike.
    x = cdnow["x"].to_numpy()
    for group in (x == 0, x == 1, (x >= 2) & (x <= 3), x >= 4):
        assert 0.7 <= inside[group].mean() <= 0.95, (group.sum(), inside[group].mean())
