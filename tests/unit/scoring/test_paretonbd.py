"""Pareto/NBD: the published CDNOW fit, the likelihood and predictions against numerical
integration and a simulation from the model, weights, units, covariance and errors.

The reference figures: Fader, Hardie & Lee (2005), "Counting your customers the easy way"
(CDNOW 1/10 sample, 2,357 customers, 39-week calibration 1997-01-01..1997-09-30, weeks):
Pareto/NBD r=0.55, alpha=10.58, s=0.61, beta=11.67, log-likelihood -9595.0.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, special

from models.errors import UserFacingError
from services.scoring.paretonbd import (
    ModelFitError,
    ParetoNBDParams,
    expected_purchases,
    fit_covariance,
    fit_paretonbd,
    p_alive,
    paretonbd_log_likelihood,
    prob_no_purchase,
)
from tests.support.cdnow import cdnow_calibration

PUBLISHED = ParetoNBDParams(r=0.55, alpha=10.58, s=0.61, beta=11.67)


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return cdnow_calibration()


@pytest.fixture(scope="module")
def fitted(cdnow: pd.DataFrame) -> ParetoNBDParams:
    return fit_paretonbd(cdnow["x"], cdnow["t_x"], cdnow["T"])


def _total_ll(params: ParetoNBDParams, data: pd.DataFrame) -> float:
    return float(paretonbd_log_likelihood(params, data["x"], data["t_x"], data["T"]).sum())


def test_fit_reproduces_the_published_parameters(
    cdnow: pd.DataFrame, fitted: ParetoNBDParams
) -> None:
    # Within the published rounding (two decimals); the fit gives r=0.5533,
    # alpha=10.5777, s=0.6062, beta=11.6688 and log-likelihood -9594.976.
    for name, published in PUBLISHED.to_dict().items():
        assert getattr(fitted, name) == pytest.approx(published, abs=0.005), name
    ll = _total_ll(fitted, cdnow)
    assert ll == pytest.approx(-9595.0, abs=0.05)
    # The maximum: any nudge of a parameter lowers the likelihood.
    for name in ("r", "alpha", "s", "beta"):
        for factor in (0.99, 1.01):
            nudged = ParetoNBDParams(**{**fitted.to_dict(), name: getattr(fitted, name) * factor})
            assert _total_ll(nudged, cdnow) < ll


def _reference_log_likelihood(p: ParetoNBDParams, x: float, tx: float, big_t: float) -> float:
    """The likelihood's integral form, integrated by scipy.integrate.quad in logs."""
    r, alpha, s, beta = p.r, p.alpha, p.s, p.beta
    const = special.gammaln(r + x) - special.gammaln(r) + r * math.log(alpha) + s * math.log(beta)
    log_alive = -(r + x) * math.log(alpha + big_t) - s * math.log(beta + big_t)

    def log_f(u: float) -> float:
        return -(r + x) * math.log(alpha + u) - (s + 1) * math.log(beta + u)

    if big_t <= tx:
        return const + log_alive
    peak = log_f(tx)
    # Breakpoints at the scales the integrand changes on, so that quad sees its shape.
    scale = min((alpha + tx) / (r + x), (beta + tx) / (s + 1))
    points = [tx + scale * 2.0**k for k in range(-2, 60) if tx + scale * 2.0**k < big_t]
    edges = [tx, *points, big_t]
    area = sum(
        integrate.quad(lambda u: math.exp(log_f(u) - peak), lo, hi, epsabs=0, epsrel=1e-12)[0]
        for lo, hi in zip(edges[:-1], edges[1:], strict=False)
    )
    return const + float(np.logaddexp(log_alive, math.log(s * area) + peak))


@pytest.mark.parametrize(
    "params",
    [
        PUBLISHED,
        ParetoNBDParams(r=0.55, alpha=30.0, s=0.61, beta=2.0),  # alpha >= beta
        ParetoNBDParams(r=2.0, alpha=1.0, s=0.3, beta=50.0),  # alpha < beta
        ParetoNBDParams(r=0.8, alpha=5.0, s=1.5, beta=5.0),  # alpha = beta
        ParetoNBDParams(r=1.0, alpha=0.01, s=5.0, beta=1000.0),  # integer parameters
        ParetoNBDParams(r=0.5, alpha=100.0, s=0.8, beta=0.01),
        ParetoNBDParams(r=0.6, alpha=817.0, s=6.95, beta=0.0686),  # scipy's 2F1 loses digits
    ],
)
def test_likelihood_agrees_with_numerical_integration(params: ParetoNBDParams) -> None:
    # Large x with t_x far before T is where scipy's 2F1 gives up (the module then sums
    # the integral by quadrature), t_x = T where the dropout term vanishes.
    histories = [
        (0, 0, 39),
        (1, 1, 39),
        (2, 30.43, 38.86),
        (10, 5, 60),
        (60, 10, 300),
        (300, 50, 52),
        (2000, 10, 1000),
        (5, 39, 39),
        (5, 38.999, 39),
        (149, 0.01, 39),
    ]
    x, tx, big_t = (np.array(column, dtype=float) for column in zip(*histories, strict=True))
    ours = paretonbd_log_likelihood(params, x, tx, big_t)
    reference = [_reference_log_likelihood(params, *h) for h in histories]
    assert np.all(np.isfinite(ours))
    assert ours == pytest.approx(reference, rel=1e-9, abs=1e-8)


def _posterior(
    p: ParetoNBDParams, x: float, tx: float, big_t: float, t: float
) -> tuple[float, float, float, float]:
    """(likelihood, P(alive), E[purchases in t], P(none in t)) by integrating over the
    individual rates: lambda = e^a, mu = e^b, prior Gamma(r, alpha) x Gamma(s, beta)."""
    r, alpha, s, beta = p.r, p.alpha, p.s, p.beta
    log_norm = r * math.log(alpha) + s * math.log(beta) - special.gammaln(r) - special.gammaln(s)

    def individual(lam: float, mu: float, end: float) -> float:
        dead = mu / (lam + mu) * (math.exp(-(lam + mu) * tx) - math.exp(-(lam + mu) * end))
        return lam**x * (math.exp(-(lam + mu) * end) + dead)

    def weight(a: float, b: float) -> float:  # prior density in (log lambda, log mu)
        lam, mu = math.exp(a), math.exp(b)
        return math.exp(log_norm + r * a - alpha * lam + s * b - beta * mu)

    def alive(lam: float, mu: float) -> float:
        return lam**x * math.exp(-(lam + mu) * big_t)

    integrands = (
        lambda b, a: weight(a, b) * individual(math.exp(a), math.exp(b), big_t),
        lambda b, a: weight(a, b) * alive(math.exp(a), math.exp(b)),
        lambda b, a: (
            weight(a, b)
            * alive(math.exp(a), math.exp(b))
            * math.exp(a - b)
            * -math.expm1(-math.exp(b) * t)
        ),
        lambda b, a: weight(a, b) * individual(math.exp(a), math.exp(b), big_t + t),
    )
    # Bounds where the prior and the likelihood leave less than e^-30 outside.
    values = [integrate.dblquad(f, -60, 6, -60, 6, epsabs=0, epsrel=1e-10)[0] for f in integrands]
    likelihood, alive_mass, expected, silent = values
    return likelihood, alive_mass / likelihood, expected / likelihood, silent / likelihood


def test_predictions_agree_with_integration_over_the_rates() -> None:
    params = ParetoNBDParams(r=0.7, alpha=9.0, s=0.9, beta=14.0)
    for x, tx, big_t in ((0, 0, 30.0), (2, 30.43, 38.86), (7, 12.0, 40.0), (4, 25.0, 26.0)):
        likelihood, alive, expected, silent = _posterior(params, x, tx, big_t, t=20.0)
        ll = paretonbd_log_likelihood(params, x, tx, big_t)[0]
        assert ll == pytest.approx(math.log(likelihood), abs=1e-7)
        assert p_alive(params, x, tx, big_t)[0] == pytest.approx(alive, rel=1e-7)
        assert expected_purchases(params, 20.0, x, tx, big_t)[0] == pytest.approx(
            expected, rel=1e-7
        )
        assert prob_no_purchase(params, 20.0, x, tx, big_t)[0] == pytest.approx(silent, rel=1e-7)


def _silent_given_alive(p: ParetoNBDParams, x: float, big_t: float, t: float) -> float:
    """P(no purchase in (T, T+t] | alive at T), the other way round: lambda ~ Gamma(r+x,
    alpha+T) and mu ~ Gamma(s, beta+T) given alive, and the customer stays silent if he
    dies before his next purchase, or neither happens within t:
    E[mu / (lambda+mu)] + E[lambda e^(-(lambda+mu) t) / (lambda+mu)], each written as
    the integral over v of E[mu e^(-(lambda+mu) v)], E[lambda e^(-(lambda+mu) v)]."""
    r, a, s, b = p.r + x, p.alpha + big_t, p.s, p.beta + big_t

    def dies_first(v: float) -> float:
        return s / b * (b / (b + v)) ** (s + 1) * (a / (a + v)) ** r

    def buys_after(v: float) -> float:
        return r / a * (a / (a + v)) ** (r + 1) * (b / (b + v)) ** s

    def buys_after_scaled(w: float) -> float:  # v = t + (a + t) w: the scale of the decay
        return buys_after(t + (a + t) * w) * (a + t)

    first = integrate.quad(dies_first, 0, np.inf, epsabs=0, epsrel=1e-12, limit=200)[0]
    later = integrate.quad(buys_after_scaled, 0, np.inf, epsabs=0, epsrel=1e-12, limit=200)[0]
    return first + later


def test_prob_no_purchase_agrees_with_the_alive_and_dead_derivation(
    fitted: ParetoNBDParams,
) -> None:
    for x, tx, big_t in ((0, 0, 38.0), (2, 30.43, 38.86), (10, 20.0, 30.0), (40, 2.0, 39.0)):
        alive = p_alive(fitted, x, tx, big_t)[0]
        for t in (1.0, 39.0, 500.0):
            other = (1 - alive) + alive * _silent_given_alive(fitted, x, big_t, t)
            assert prob_no_purchase(fitted, t, x, tx, big_t)[0] == pytest.approx(other, rel=1e-8)
    # Over an endless horizon the living stay silent only by dying before their next
    # purchase: not 1 - P(alive), as for BG/NBD.
    forever = prob_no_purchase(fitted, 1e12, 2, 30.43, 38.86)[0]
    alive = p_alive(fitted, 2, 30.43, 38.86)[0]
    assert forever > (1 - alive) + 0.01
    assert forever == pytest.approx(
        (1 - alive) + alive * _silent_given_alive(fitted, 2, 38.86, 1e12), rel=1e-8
    )


def _simulate(
    p: ParetoNBDParams, n: int, big_t: float | np.ndarray, horizon: float, seed: int
) -> pd.DataFrame:
    """Customers drawn from the model, first purchase at 0, observed until big_t, and
    their purchases in (big_t, big_t + horizon]. A Poisson process's purchase times,
    given their number, are uniform, so the last of x is the window times U^(1/x)."""
    rng = np.random.default_rng(seed)
    rate = rng.gamma(p.r, 1 / p.alpha, n)
    life = rng.exponential(1 / rng.gamma(p.s, 1 / p.beta, n))
    seen = np.minimum(life, big_t)
    x = rng.poisson(rate * seen).astype(float)
    t_x = np.where(x > 0, seen * rng.random(n) ** (1 / np.maximum(x, 1.0)), 0.0)
    later = rng.poisson(rate * np.clip(life - big_t, 0.0, horizon)).astype(float)
    return pd.DataFrame({"x": x, "t_x": t_x, "T": big_t, "later": later, "alive": life > big_t})


def _assert_close_in_mean(predicted: np.ndarray, realised: np.ndarray, what: str) -> None:
    """The realised outcomes average to the predictions (law of total expectation),
    within four standard errors of the simulation."""
    diff = realised - predicted
    error = diff.std(ddof=1) / math.sqrt(diff.size)
    assert abs(diff.mean()) < 4 * error, (what, diff.mean(), error)


def test_predictions_agree_with_a_simulation_from_the_model() -> None:
    params = ParetoNBDParams(r=0.55, alpha=10.58, s=0.61, beta=11.67)
    horizon = 39.0
    sim = _simulate(params, 200_000, big_t=39.0, horizon=horizon, seed=5)
    x, t_x, big_t = sim["x"].to_numpy(), sim["t_x"].to_numpy(), sim["T"].to_numpy()
    alive = p_alive(params, x, t_x, big_t)
    expected = expected_purchases(params, horizon, x, t_x, big_t)
    silent = prob_no_purchase(params, horizon, x, t_x, big_t)
    realised_silent = (sim["later"] == 0).to_numpy(float)
    # Within groups of customers with similar histories (frequency, and time since the
    # last purchase), the realised averages match the predicted ones.
    quiet = big_t - t_x
    groups = {
        "no repeat": x == 0,
        "one repeat": x == 1,
        "2-4 repeats": (x >= 2) & (x <= 4),
        "5+ repeats": x >= 5,
        "repeat, quiet > 20 weeks": (x > 0) & (quiet > 20),
        "repeat, quiet <= 5 weeks": (x > 0) & (quiet <= 5),
    }
    for name, rows in groups.items():
        assert rows.sum() > 2000, name
        _assert_close_in_mean(alive[rows], sim["alive"].to_numpy(float)[rows], f"alive {name}")
        _assert_close_in_mean(expected[rows], sim["later"].to_numpy()[rows], f"orders {name}")
        _assert_close_in_mean(silent[rows], realised_silent[rows], f"silent {name}")
    # The check is sharp enough to reject the tempting shortcut that ignores dying within
    # the horizon: 1 - P(alive) + P(alive) E[e^(-lambda t)].
    no_purchase_if_immortal = ((params.alpha + big_t) / (params.alpha + big_t + horizon)) ** (
        params.r + x
    )
    shortcut = (1 - alive) + alive * no_purchase_if_immortal
    diff = realised_silent - shortcut
    assert abs(diff.mean()) > 10 * diff.std(ddof=1) / math.sqrt(diff.size)


def test_weights_give_the_same_fit_as_expanded_rows(
    cdnow: pd.DataFrame, fitted: ParetoNBDParams
) -> None:
    compressed = cdnow.groupby(["x", "t_x", "T"]).size().reset_index(name="n")
    assert len(compressed) < len(cdnow)
    by_weight = fit_paretonbd(
        compressed["x"], compressed["t_x"], compressed["T"], weights=compressed["n"]
    )
    doubled = pd.concat([cdnow.iloc[:500], cdnow])
    weights = np.ones(len(cdnow))
    weights[:500] = 2
    expanded = fit_paretonbd(doubled["x"], doubled["t_x"], doubled["T"])
    weighted = fit_paretonbd(cdnow["x"], cdnow["t_x"], cdnow["T"], weights=weights)
    for name in ("r", "alpha", "s", "beta"):
        assert getattr(by_weight, name) == pytest.approx(getattr(fitted, name), rel=1e-5)
        assert getattr(weighted, name) == pytest.approx(getattr(expanded, name), rel=1e-5)
    assert weighted.r != pytest.approx(fitted.r, rel=1e-3)  # the weights did something


def test_fit_does_not_depend_on_the_time_unit(cdnow: pd.DataFrame) -> None:
    for penalizer in (0.0, 0.01):
        weeks = fit_paretonbd(cdnow["x"], cdnow["t_x"], cdnow["T"], penalizer=penalizer)
        days = fit_paretonbd(cdnow["x"], cdnow["t_x"] * 7, cdnow["T"] * 7, penalizer=penalizer)
        assert days.alpha == pytest.approx(weeks.alpha * 7, rel=1e-4)
        assert days.beta == pytest.approx(weeks.beta * 7, rel=1e-4)
        assert (days.r, days.s) == pytest.approx((weeks.r, weeks.s), rel=1e-4)
        alive_weeks = p_alive(weeks, cdnow["x"], cdnow["t_x"], cdnow["T"])
        alive_days = p_alive(days, cdnow["x"], cdnow["t_x"] * 7, cdnow["T"] * 7)
        assert alive_days == pytest.approx(alive_weeks, abs=1e-5)


def test_penalizer_shrinks_towards_one(cdnow: pd.DataFrame, fitted: ParetoNBDParams) -> None:
    mean_t = cdnow["T"].mean()

    def distance(p: ParetoNBDParams) -> float:  # alpha, beta in units of the mean T
        return float(np.sum(np.log([p.r, p.alpha / mean_t, p.s, p.beta / mean_t]) ** 2))

    shrunk = fit_paretonbd(cdnow["x"], cdnow["t_x"], cdnow["T"], penalizer=0.05)
    assert distance(shrunk) < distance(fitted)
    assert _total_ll(shrunk, cdnow) < _total_ll(fitted, cdnow)


def test_thin_data_raises_a_plain_model_fit_error() -> None:
    assert issubclass(ModelFitError, UserFacingError)
    with pytest.raises(ModelFitError, match="at least 20 customers"):
        fit_paretonbd([1, 0, 2], [3.0, 0, 5], [10.0, 10, 10])
    with pytest.raises(ModelFitError, match="with a repeat order"):
        fit_paretonbd(np.zeros(50), np.zeros(50), np.full(50, 10.0))
    with pytest.raises(ValueError, match="recency <= T"):
        p_alive(PUBLISHED, 2, 10.0, 5.0)
    with pytest.raises(ValueError, match="horizon t must be non-negative"):
        prob_no_purchase(PUBLISHED, -1, 0, 0, 5.0)


def test_probabilities_and_expectations_have_the_right_shape(
    cdnow: pd.DataFrame, fitted: ParetoNBDParams
) -> None:
    x, t_x, big_t = cdnow["x"], cdnow["t_x"], cdnow["T"]
    alive = p_alive(fitted, x, t_x, big_t)
    assert np.all((alive > 0) & (alive <= 1))
    # Unlike BG/NBD, a customer without a repeat purchase may have died: P(alive) < 1,
    # lower the longer ago the first purchase.
    assert np.all(alive[x.to_numpy() == 0] < 1)
    quiet = p_alive(fitted, 3, 10, np.array([12.0, 20.0, 40.0, 80.0]))
    assert np.all(np.diff(quiet) < 0)
    assert 0.0 <= p_alive(fitted, 2000, 0.5, 2000.0)[0] < 1e-12
    assert np.all(prob_no_purchase(fitted, 0, x, t_x, big_t) == pytest.approx(1.0))
    longer = prob_no_purchase(fitted, np.array([1.0, 10, 100, 1000]), 4, 20, 30)
    assert np.all(np.diff(longer) < 0)
    more = expected_purchases(fitted, np.array([1.0, 10, 100, 1000]), 4, 20, 30)
    assert np.all(np.diff(more) > 0)
    assert np.all(expected_purchases(fitted, 0, x, t_x, big_t) == 0)
    # s = 1 is a removable singularity of the expectation.
    history = (2.0, 20.0, 30.0)
    at_one = expected_purchases(ParetoNBDParams(0.5, 10.0, 1.0, 12.0), 39, *history)[0]
    below = expected_purchases(ParetoNBDParams(0.5, 10.0, 1.0 - 1e-6, 12.0), 39, *history)[0]
    above = expected_purchases(ParetoNBDParams(0.5, 10.0, 1.0 + 1e-6, 12.0), 39, *history)[0]
    assert min(below, above) <= at_one <= max(below, above)


def test_covariance_matches_the_spread_of_refits(
    cdnow: pd.DataFrame, fitted: ParetoNBDParams
) -> None:
    x, t_x, big_t = cdnow["x"], cdnow["t_x"], cdnow["T"]
    cov = fit_covariance(fitted, x, t_x, big_t)
    assert cov.shape == (4, 4)
    assert np.allclose(cov, cov.T)
    assert np.all(np.linalg.eigvalsh(cov) > 0)
    # Twice the customers, half the variance; and the same in days as in weeks.
    assert fit_covariance(fitted, x, t_x, big_t, weights=np.full(len(x), 2.0)) == pytest.approx(
        cov / 2, rel=1e-4
    )
    days = ParetoNBDParams(fitted.r, fitted.alpha * 7, fitted.s, fitted.beta * 7)
    assert fit_covariance(days, x, t_x * 7, big_t * 7) == pytest.approx(cov, rel=1e-4)
    # Refits on samples drawn from the fitted model, with CDNOW's observation periods:
    # the refits scatter as each sample's own covariance says. (At CDNOW itself the
    # covariance is narrower, by 15-35%: the real data carry more information than the
    # model's draws.)
    rng = np.random.default_rng(21)
    logs, variances = [], []
    for _ in range(24):
        periods = rng.choice(big_t.to_numpy(), size=len(big_t))
        sample = _simulate(fitted, len(big_t), periods, horizon=0.0, seed=int(rng.integers(1e9)))
        refit = fit_paretonbd(sample["x"], sample["t_x"], sample["T"])
        logs.append(np.log(list(refit.to_dict().values())))
        variances.append(np.diag(fit_covariance(refit, sample["x"], sample["t_x"], sample["T"])))
    spread = np.std(np.array(logs), axis=0, ddof=1)
    ratio = spread / np.sqrt(np.mean(variances, axis=0))
    # 24 refits estimate a standard deviation within about 15%: three times that.
    assert np.all((ratio > 0.55) & (ratio < 1.45)), ratio


def test_fit_on_rounded_times_then_exact_reaches_the_exact_optimum(
    cdnow: pd.DataFrame, fitted: ParetoNBDParams, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Many distinct histories (continuous times) are fitted on rounded times first and
    # finished on the exact ones; force that path on the sample.
    import services.scoring.paretonbd as paretonbd

    monkeypatch.setattr(paretonbd, "_EXACT_LIMIT", 0)
    rounded_first = fit_paretonbd(cdnow["x"], cdnow["t_x"], cdnow["T"])
    for name in ("r", "alpha", "s", "beta"):
        assert getattr(rounded_first, name) == pytest.approx(getattr(fitted, name), rel=1e-5)
    # The rounding alone would leave it elsewhere: the exact steps did the work.
    grid = paretonbd._ROUNDING_GRID * cdnow["T"].mean()
    rounded = fit_paretonbd(
        cdnow["x"], np.round(cdnow["t_x"] / grid) * grid, np.round(cdnow["T"] / grid) * grid
    )
    assert (
        max(abs(getattr(rounded, name) / getattr(fitted, name) - 1) for name in ("r", "s", "beta"))
        > 1e-4
    )
