"""BG/NBD and Gamma-Gamma: the published CDNOW fits, the predictions, weights and errors.

The reference figures: Fader, Hardie & Lee (2005), "Counting your customers the easy way:
an alternative to the Pareto/NBD model" (CDNOW 1/10 sample, 2,357 customers, 39-week
calibration period 1997-01-01..1997-09-30, weeks): r=0.243, alpha=4.414, a=0.793,
b=2.426, log-likelihood -9582.4; E[X(39) | x=2, t_x=30.43, T=38.86] = 1.226 (Fader &
Hardie's note on implementing the BG/NBD model in Excel). Gamma-Gamma: Fader, Hardie &
Lee (2005), "RFM and CLV: using iso-value curves" / Hardie's note 025, on the same sample
(946 customers with a repeat purchase, monetary value = mean of the repeat purchases in
the calibration period): p=6.25, q=3.74, v=15.44.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from models.errors import UserFacingError
from services.scoring.bgnbd import (
    BGNBDParams,
    GammaGammaParams,
    ModelFitError,
    bgnbd_log_likelihood,
    expected_order_value,
    expected_purchases,
    expected_purchases_new,
    fit_bgnbd,
    fit_gamma_gamma,
    gamma_gamma_log_likelihood,
    p_alive,
    prob_no_purchase,
)
from tests.support.cdnow import cdnow_calibration
from tests.support.paths import DATA as TEST_DATA

DATA = TEST_DATA / "cdnow"
PUBLISHED = BGNBDParams(r=0.243, alpha=4.414, a=0.793, b=2.426)


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return cdnow_calibration()


@pytest.fixture(scope="module")
def fitted(cdnow: pd.DataFrame) -> BGNBDParams:
    return fit_bgnbd(cdnow["x"], cdnow["t_x"], cdnow["T"])


def test_calibration_summary_is_the_published_one(cdnow: pd.DataFrame) -> None:
    assert len(cdnow) == 2357
    assert int((cdnow["x"] > 0).sum()) == 946
    first = cdnow.loc[1]  # the first customer of the sample: 3 purchase days by week 39
    assert (first["x"], round(first["t_x"], 2), round(first["T"], 2)) == (2, 30.43, 38.86)
    # The summary distributed with the data (x, t_x, T, mean repeat value, to 2 decimals).
    reference = pd.read_csv(DATA / "cdnow_customers_summary_with_transactions.csv", index_col=0)
    assert np.array_equal(cdnow["x"].to_numpy(), reference["x"].to_numpy())
    for ours, theirs in (("t_x", "t_x"), ("T", "T"), ("m", "zbar")):
        assert np.abs(cdnow[ours].to_numpy() - reference[theirs].to_numpy()).max() <= 0.0051


def test_bgnbd_fit_reproduces_the_published_parameters(
    cdnow: pd.DataFrame, fitted: BGNBDParams
) -> None:
    for name, published in PUBLISHED.to_dict().items():
        assert getattr(fitted, name) == pytest.approx(published, rel=2e-3), name
    ll = bgnbd_log_likelihood(fitted, cdnow["x"], cdnow["t_x"], cdnow["T"]).sum()
    assert ll == pytest.approx(-9582.4, abs=0.1)
    # The maximum: any nudge of a parameter lowers the likelihood.
    for name in ("r", "alpha", "a", "b"):
        nudged = BGNBDParams(**{**fitted.to_dict(), name: getattr(fitted, name) * 1.01})
        assert bgnbd_log_likelihood(nudged, cdnow["x"], cdnow["t_x"], cdnow["T"]).sum() < ll


def test_gamma_gamma_fit_reproduces_the_published_parameters(cdnow: pd.DataFrame) -> None:
    params = fit_gamma_gamma(cdnow["x"], cdnow["m"])
    assert params.p == pytest.approx(6.25, abs=0.006)
    assert params.q == pytest.approx(3.74, abs=0.006)
    assert params.v == pytest.approx(15.44, abs=0.006)
    # lifetimes' example fits the same customers from a summary rounded to cents and
    # reports v=15.45; its conditional expected values are reproduced within 0.1%.
    population = expected_order_value(params, 0, 0.0)[0]
    assert population == pytest.approx(params.p * params.v / (params.q - 1))
    assert population == pytest.approx(35.171, rel=1e-3)
    first = expected_order_value(params, 2, 22.35)[0]  # customer 1: x=2, mean 22.35
    assert first == pytest.approx(24.6586, rel=1e-3)
    mean_all = expected_order_value(params, cdnow["x"], cdnow["m"]).mean()
    assert mean_all == pytest.approx(35.253, rel=1e-3)


def test_conditional_expectation_matches_the_published_value(fitted: BGNBDParams) -> None:
    assert expected_purchases(PUBLISHED, 39, 2, 30.43, 38.86)[0] == pytest.approx(1.226, abs=2e-3)
    assert expected_purchases(fitted, 39, 2, 30.43, 38.86)[0] == pytest.approx(1.226, abs=2e-3)


def test_expectation_agrees_with_the_untransformed_formula() -> None:
    """The Euler-transformed hypergeometric term equals the paper's form (eq. 10)."""
    from scipy.special import hyp2f1

    params = BGNBDParams(r=0.9, alpha=6.0, a=1.7, b=3.2)
    x = np.array([0.0, 1, 3, 8])
    t_x = np.array([0.0, 4, 20, 30])
    big_t = np.array([10.0, 25, 31, 33])
    t = 20.0
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    z = t / (alpha + big_t + t)
    bracket = 1 - ((alpha + big_t) / (alpha + big_t + t)) ** (r + x) * hyp2f1(
        r + x, b + x, a + b + x - 1, z
    )
    alive_odds = np.where(x > 0, a / (b + x - 1) * ((alpha + big_t) / (alpha + t_x)) ** (r + x), 0)
    paper = (a + b + x - 1) / (a - 1) * bracket / (1 + alive_odds)
    assert expected_purchases(params, t, x, t_x, big_t) == pytest.approx(paper, rel=1e-9)
    z_new = t / (alpha + t)
    new = (a + b - 1) / (a - 1) * (1 - (1 - z_new) ** r * hyp2f1(r, b, a + b - 1, z_new))
    assert expected_purchases_new(params, t)[0] == pytest.approx(new, rel=1e-9)
    assert new > 0


def test_expectation_is_continuous_through_a_equal_one() -> None:
    x, t_x, big_t = np.array([0.0, 2.0]), np.array([0.0, 30.0]), np.array([38.0, 38.0])
    at_one = expected_purchases(BGNBDParams(0.25, 4.4, 1.0, 2.4), 39, x, t_x, big_t)
    below = expected_purchases(BGNBDParams(0.25, 4.4, 0.999, 2.4), 39, x, t_x, big_t)
    above = expected_purchases(BGNBDParams(0.25, 4.4, 1.001, 2.4), 39, x, t_x, big_t)
    assert np.all(np.isfinite(at_one))
    assert np.all((np.minimum(below, above) <= at_one) & (at_one <= np.maximum(below, above)))


def test_p_alive_and_prob_no_purchase_are_probabilities_with_the_right_shape(
    cdnow: pd.DataFrame, fitted: BGNBDParams
) -> None:
    x, t_x, big_t = cdnow["x"], cdnow["t_x"], cdnow["T"]
    alive = p_alive(fitted, x, t_x, big_t)
    assert np.all((alive >= 0) & (alive <= 1))
    assert np.all(alive[x.to_numpy() == 0] == 1.0)
    # Longer silence since the last purchase: less likely alive.
    quiet = p_alive(fitted, 3, 10, np.array([12.0, 20.0, 40.0, 80.0]))
    assert np.all(np.diff(quiet) < 0)
    # Extreme inputs stay finite.
    extreme = p_alive(fitted, 500, 0.5, 500.0)
    assert 0.0 <= extreme[0] < 1e-12
    none = prob_no_purchase(fitted, 39, x, t_x, big_t)
    assert np.all((none >= 0) & (none <= 1))
    assert np.all(prob_no_purchase(fitted, 0, x, t_x, big_t) == pytest.approx(1.0))
    longer = prob_no_purchase(fitted, np.array([1.0, 10, 100, 1000]), 4, 20, 30)
    assert np.all(np.diff(longer) < 0)
    # Over an endless horizon only the dead stay silent.
    forever = prob_no_purchase(fitted, 1e9, 4, 20, 30)[0]
    assert forever == pytest.approx(1 - p_alive(fitted, 4, 20, 30)[0], abs=1e-6)


def _simulate(params: BGNBDParams, n: int, big_t: float, horizon: float, seed: int) -> pd.DataFrame:
    """Customers drawn from the BG/NBD model, first purchase at 0, observed until big_t."""
    rng = np.random.default_rng(seed)
    rate = rng.gamma(params.r, 1 / params.alpha, n)
    drop = rng.beta(params.a, params.b, n)
    now = np.zeros(n)
    active = np.ones(n, dtype=bool)  # still buying and before big_t + horizon
    x, t_x, later = np.zeros(n), np.zeros(n), np.zeros(n)
    alive_at_t = np.ones(n, dtype=bool)
    while active.any():
        idx = np.flatnonzero(active)
        now[idx] += rng.exponential(1 / rate[idx])
        past_end = now[idx] > big_t + horizon
        active[idx[past_end]] = False
        idx = idx[~past_end]
        in_calibration = now[idx] <= big_t
        x[idx[in_calibration]] += 1
        t_x[idx[in_calibration]] = now[idx[in_calibration]]
        later[idx[~in_calibration]] += 1
        dies = rng.random(idx.size) < drop[idx]  # dropout right after a repeat purchase
        alive_at_t[idx[dies & in_calibration]] = False
        active[idx[dies]] = False
    return pd.DataFrame({"x": x, "t_x": t_x, "T": big_t, "later": later, "alive": alive_at_t})


def test_predictions_agree_with_a_simulation_from_the_model() -> None:
    params = BGNBDParams(r=0.8, alpha=6.0, a=0.8, b=2.5)
    sim = _simulate(params, 60_000, big_t=40.0, horizon=30.0, seed=3)
    x, t_x, big_t = sim["x"], sim["t_x"], sim["T"]
    silent = (sim["later"] == 0).to_numpy()
    # Customers without a repeat purchase share one (x, t_x, T): a sharp check.
    zero = (x == 0).to_numpy()
    assert zero.sum() > 5000
    predicted_zero = prob_no_purchase(params, 30.0, 0, 0, 40.0)[0]
    assert silent[zero].mean() == pytest.approx(predicted_zero, abs=0.015)
    # Everyone: the mean prediction equals the observed rate (law of total probability).
    assert prob_no_purchase(params, 30.0, x, t_x, big_t).mean() == pytest.approx(
        silent.mean(), abs=0.01
    )
    assert p_alive(params, x, t_x, big_t).mean() == pytest.approx(sim["alive"].mean(), abs=0.01)
    expected = expected_purchases(params, 30.0, x, t_x, big_t)
    assert expected.mean() == pytest.approx(sim["later"].mean(), rel=0.04)
    # And the model refits to the parameters it was simulated from.
    refit = fit_bgnbd(x, t_x, big_t)
    for name, true in params.to_dict().items():
        assert getattr(refit, name) == pytest.approx(true, rel=0.1), name


def test_weights_give_the_same_fit_as_expanded_rows(cdnow: pd.DataFrame) -> None:
    compressed = cdnow.groupby(["x", "t_x", "T"]).size().reset_index(name="n")
    assert len(compressed) < len(cdnow)
    by_weight = fit_bgnbd(
        compressed["x"], compressed["t_x"], compressed["T"], weights=compressed["n"]
    )
    doubled = pd.concat([cdnow.iloc[:500], cdnow])
    weights = np.ones(len(cdnow))
    weights[:500] = 2
    expanded = fit_bgnbd(doubled["x"], doubled["t_x"], doubled["T"])
    weighted = fit_bgnbd(cdnow["x"], cdnow["t_x"], cdnow["T"], weights=weights)
    for name, published in PUBLISHED.to_dict().items():
        assert getattr(by_weight, name) == pytest.approx(published, rel=2e-3)
        assert getattr(weighted, name) == pytest.approx(getattr(expanded, name), rel=1e-5)
    gg_weights = np.ones(len(cdnow))
    gg_weights[:500] = 2
    gg_expanded = fit_gamma_gamma(doubled["x"], doubled["m"])
    gg_weighted = fit_gamma_gamma(cdnow["x"], cdnow["m"], weights=gg_weights)
    for name in ("p", "q", "v"):
        assert getattr(gg_weighted, name) == pytest.approx(getattr(gg_expanded, name), rel=1e-5)


def test_penalizer_shrinks_towards_one(cdnow: pd.DataFrame, fitted: BGNBDParams) -> None:
    mean_t = cdnow["T"].mean()

    def distance(p: BGNBDParams) -> float:  # alpha in units of the mean T, as penalised
        return float(np.sum(np.log([p.r, p.alpha / mean_t, p.a, p.b]) ** 2))

    shrunk = fit_bgnbd(cdnow["x"], cdnow["t_x"], cdnow["T"], penalizer=0.05)
    assert distance(shrunk) < distance(fitted)
    gg = fit_gamma_gamma(cdnow["x"], cdnow["m"], penalizer=0.05)
    free = fit_gamma_gamma(cdnow["x"], cdnow["m"])
    assert gg.q > 1
    assert abs(np.log(gg.p)) < abs(np.log(free.p))


def test_fits_do_not_depend_on_the_units(cdnow: pd.DataFrame, fitted: BGNBDParams) -> None:
    for penalizer in (0.0, 0.01):
        weeks = fit_bgnbd(cdnow["x"], cdnow["t_x"], cdnow["T"], penalizer=penalizer)
        days = fit_bgnbd(cdnow["x"], cdnow["t_x"] * 7, cdnow["T"] * 7, penalizer=penalizer)
        assert days.alpha == pytest.approx(weeks.alpha * 7, rel=1e-4)
        for name in ("r", "a", "b"):
            assert getattr(days, name) == pytest.approx(getattr(weeks, name), rel=1e-4)
        dollars = fit_gamma_gamma(cdnow["x"], cdnow["m"], penalizer=penalizer)
        # Cents of a business selling $50,000 orders: values far from 1 still fit.
        large = fit_gamma_gamma(cdnow["x"], cdnow["m"] * 100_000, penalizer=penalizer)
        assert large.v == pytest.approx(dollars.v * 100_000, rel=1e-4)
        assert (large.p, large.q) == pytest.approx((dollars.p, dollars.q), rel=1e-4)


def test_fit_of_100k_customers_is_fast() -> None:
    params = BGNBDParams(r=0.5, alpha=5.0, a=0.8, b=2.5)
    sim = _simulate(params, 100_000, big_t=52.0, horizon=0.0, seed=11)
    rng = np.random.default_rng(1)
    # Spread first purchases over the year, as real data would (many distinct rows).
    start = rng.uniform(0, 50, len(sim))
    big_t = sim["T"].to_numpy() - start
    keep = sim["t_x"].to_numpy() <= big_t
    began = time.perf_counter()
    fit = fit_bgnbd(sim["x"][keep], sim["t_x"][keep], big_t[keep])
    seconds = time.perf_counter() - began
    assert fit.r > 0
    assert fit.alpha > 0
    assert seconds < 3.0  # typically ~0.3 s; generous for a busy machine


def test_thin_data_raises_a_plain_model_fit_error() -> None:
    assert issubclass(ModelFitError, UserFacingError)
    with pytest.raises(ModelFitError, match="at least 20 customers"):
        fit_bgnbd([1, 0, 2], [3.0, 0, 5], [10.0, 10, 10])
    with pytest.raises(ModelFitError, match="with a repeat order"):
        fit_bgnbd(np.zeros(50), np.zeros(50), np.full(50, 10.0))
    with pytest.raises(ModelFitError, match="repeat order"):
        fit_gamma_gamma([1, 2, 0], [10.0, 12.0, 0.0])
    with pytest.raises(ModelFitError, match="same value"):
        fit_gamma_gamma(np.ones(30), np.full(30, 25.0))


def test_inconsistent_summaries_are_rejected_as_bugs() -> None:
    with pytest.raises(ValueError, match="recency <= T"):
        p_alive(PUBLISHED, 2, 10.0, 5.0)  # recency after T
    with pytest.raises(ValueError, match="horizon t must be non-negative"):
        expected_purchases(PUBLISHED, -1, 0, 0, 5.0)
    with pytest.raises(ValueError, match="must be finite"):
        fit_bgnbd([1.0, np.nan], [1, 1], [2, 2])


def test_gamma_gamma_likelihood_is_maximal_at_the_fit(cdnow: pd.DataFrame) -> None:
    repeat = cdnow[cdnow["x"] > 0]
    params = fit_gamma_gamma(repeat["x"], repeat["m"])
    best = gamma_gamma_log_likelihood(params, repeat["x"], repeat["m"]).sum()
    for name in ("p", "q", "v"):
        nudged = GammaGammaParams(**{**params.to_dict(), name: getattr(params, name) * 1.01})
        assert gamma_gamma_log_likelihood(nudged, repeat["x"], repeat["m"]).sum() < best
