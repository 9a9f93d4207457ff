"""80% intervals of churn risk, predicted orders and the value, per customer.

Two sources of uncertainty are sampled together, K = SAMPLES draws per customer:

- the population parameters: BG/NBD's log(r, alpha, a, b) (and Gamma-Gamma's
  log(p, q - 1, v)) drawn from the Laplace approximation N(theta_hat, inverse Hessian)
  of the fit (bgnbd.bgnbd_covariance); each draw k serves every customer's k-th sample;
- the customer's own latent purchase rate lambda and dropout probability p, drawn from
  their exact BG/NBD posterior given (x, t_x, T). That posterior is a two-component
  mixture: "alive at T", weight B(a, b+x) / (alpha+T)^(r+x) (up to common factors),
  lambda ~ Gamma(r+x, rate alpha+T), p ~ Beta(a, b+x); and "dropped out right after the
  last purchase" (x > 0 only), weight B(a+1, b+x-1) / (alpha+t_x)^(r+x),
  lambda ~ Gamma(r+x, rate alpha+t_x), p ~ Beta(a+1, b+x-1). The alive share is
  bgnbd.p_alive.

From each sample:
- orders in the next t weeks: 0 when dead; alive, min(N, D) with N ~ Poisson(lambda t)
  and D ~ Geometric(p) on {1, 2, ...} (the customer drops out right after purchase D);
- the chance of no order in the horizon given (lambda, p), the state averaged out:
  1 - P(alive | lambda, p) (1 - e^(-lambda t)), with P(alive | lambda, p) =
  (1-p) e^(-lambda T) / ((1-p) e^(-lambda T) + p e^(-lambda t_x)) for x > 0, else 1
  (averaging over the state rather than drawing it keeps the distribution of the risk
  from being split between "surely dead" and "alive", whose quantiles say little);
- the value: orders over the value horizon's days (CLV_DAYS at 12 months) x the order
  value: with a Gamma-Gamma fit, the customer's spend rate nu ~ Gamma(q + p x, rate
  v + x m) and the sum of n orders ~ Gamma(n p, rate nu); without one, n times the
  customer's expected order value.

Intervals are the 10th and 90th percentiles of the samples, widened where needed to
hold the reported figure. The reported churn risk comes from the chosen model (maybe
the classifier), so the risk interval is the sampled one moved in log-odds so that its
mean falls on the reported risk. Customers without a paid order get the population
figures: their risk is the workspace's rate (no interval), their orders and value the
10th/90th percentiles of one Bernoulli first order at that rate.

Everything is seeded (SEED) and drawn in a fixed order, chunk by chunk: the same data
give the same intervals to the last digit.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import special

from services.scoring.bgnbd import (
    BGNBDParams,
    GammaGammaParams,
    bgnbd_covariance,
    gamma_gamma_covariance,
)
from services.scoring.data import ScoringData

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

# Draws per customer: 64 keep the 10th and 90th percentiles within a few points of the
# exact ones, and 100,000 customers within about 2 s of CPU (100 draws took 3.5 s).
SAMPLES = 64
SEED = 20_261_123
LEVEL = 0.8
CHUNK = 4_000
THREADS = 2
# Draws of log-parameters stay in the box the fits use.
_LOG_BOX = (-12.0, 14.0)
_EPS = 1e-6
# Confidence from the width of the 80% churn-risk interval (in probability points).
HIGH_CONFIDENCE_WIDTH = 0.25
MEDIUM_CONFIDENCE_WIDTH = 0.5
_P_CLIP = 1e-12


@dataclass(frozen=True)
class Uncertainty:
    """What the sampling needs besides the customers: the fits and their covariances
    (None: that part of the parameter uncertainty is left out)."""

    bgnbd: BGNBDParams
    bgnbd_cov: FloatArray | None
    gamma_gamma: GammaGammaParams | None = None
    gamma_gamma_cov: FloatArray | None = None


@dataclass(frozen=True)
class Samples:
    """K samples per customer (rows: customers of one chunk, columns: samples)."""

    rows: slice
    orders: npt.NDArray[np.int64]  # orders in the horizon
    risk: FloatArray  # P(no order in the horizon | lambda, p, parameters)
    orders_year: npt.NDArray[np.int64]  # orders in the CLV window
    value_year: FloatArray  # value of those orders (the caller's unit)


@dataclass(frozen=True)
class Intervals:
    """80% intervals per customer (NaN where not computed)."""

    churn_low: FloatArray
    churn_high: FloatArray
    orders_low: FloatArray
    orders_high: FloatArray
    clv_low: FloatArray
    clv_high: FloatArray

    @property
    def churn_width(self) -> FloatArray:
        """Width of the churn-risk interval."""
        width: FloatArray = self.churn_high - self.churn_low
        return width


def uncertainty(
    bgnbd: BGNBDParams,
    x: FloatArray,
    tx: FloatArray,
    big_t: FloatArray,
    *,
    penalizer: float = 0.0,
    gamma_gamma: GammaGammaParams | None = None,
    repeat_value: FloatArray | None = None,
    gamma_gamma_penalizer: float = 0.0,
) -> Uncertainty:
    """The fits with their Laplace covariances on the customers they were fitted to."""
    cov = bgnbd_covariance(bgnbd, x, tx, big_t, penalizer=penalizer)
    gg_cov = None
    if gamma_gamma is not None and repeat_value is not None:
        gg_cov = gamma_gamma_covariance(
            gamma_gamma, x, np.nan_to_num(repeat_value), penalizer=gamma_gamma_penalizer
        )
    return Uncertainty(bgnbd, cov, gamma_gamma, gg_cov)


def _draw(
    theta: FloatArray, cov: FloatArray | None, k: int, rng: np.random.Generator
) -> FloatArray:
    """k draws of log-parameters from N(theta, cov) (theta itself k times without cov)."""
    if cov is None:
        return np.tile(theta, (k, 1))
    values, vectors = np.linalg.eigh(0.5 * (cov + cov.T))
    root = vectors * np.sqrt(np.maximum(values, 0.0))
    draws: FloatArray = theta + rng.standard_normal((k, theta.size)) @ root.T
    return np.clip(draws, *_LOG_BOX)


@dataclass(frozen=True)
class _Draws:
    """The k parameter draws, as (1, k) rows that broadcast against customers."""

    r: FloatArray
    alpha: FloatArray
    a: FloatArray
    b: FloatArray
    gg: tuple[FloatArray, FloatArray, FloatArray] | None  # p, q, v


def _parameter_draws(unc: Uncertainty, k: int, seed: int) -> _Draws:
    rng = np.random.default_rng([seed, 0])
    p = unc.bgnbd
    theta = _draw(np.log([p.r, p.alpha, p.a, p.b]), unc.bgnbd_cov, k, rng)
    r, alpha, a, b = (np.exp(theta[:, i])[None, :] for i in range(4))
    gg = unc.gamma_gamma
    gg_draws = None
    if gg is not None:
        g = np.exp(_draw(np.log([gg.p, gg.q - 1.0, gg.v]), unc.gamma_gamma_cov, k, rng))
        gg_draws = (g[None, :, 0], 1.0 + g[None, :, 1], g[None, :, 2])
    return _Draws(r, alpha, a, b, gg_draws)


def alive_share(
    r: FloatArray,
    alpha: FloatArray,
    a: FloatArray,
    b: FloatArray,
    x: FloatArray,
    tx: FloatArray,
    big_t: FloatArray,
) -> FloatArray:
    """Weight of the "alive" component of the posterior mixture, for parameters given as
    (1, k) rows and customers as 1-d arrays: (customers, k). It equals bgnbd.p_alive."""
    xc, txc, tc = x[:, None], tx[:, None], big_t[:, None]
    xu, inv = np.unique(x, return_inverse=True)
    xu = xu[:, None]
    inv = inv.ravel()
    with np.errstate(invalid="ignore", divide="ignore"):
        # B(a, b+x) / (alpha+T)^(r+x) against B(a+1, b+x-1) / (alpha+t_x)^(r+x): the
        # factors common to both components cancel.
        beta_alive = special.betaln(a, b + xu)
        beta_dead = np.where(xu > 0, special.betaln(a + 1, np.maximum(b + xu - 1, 1e-300)), 0)
        log_odds = (
            beta_alive[inv] - beta_dead[inv] - (r + xc) * (np.log(alpha + tc) - np.log(alpha + txc))
        )
    result: FloatArray = np.where(xc > 0, special.expit(log_odds), 1.0)
    return result


def _gamma(rng: np.random.Generator, shape: FloatArray) -> FloatArray:
    """Gamma(shape, 1) draws in single precision (a quarter faster; ample for quantiles
    of 64 samples), returned as float64."""
    draws: FloatArray = rng.standard_gamma(shape.astype(np.float32), dtype=np.float32).astype(
        np.float64
    )
    return draws


def _chunk(
    d: _Draws,
    rng: np.random.Generator,
    x: FloatArray,
    tx: FloatArray,
    big_t: FloatArray,
    t: float,
    t_year: float,
    order_value: FloatArray,
    mean_value: FloatArray,
) -> tuple[npt.NDArray[np.int64], FloatArray, npt.NDArray[np.int64], FloatArray]:
    """(orders, risk, orders over the year, value over the year) for one chunk."""
    r, alpha, a, b = d.r, d.alpha, d.a, d.b
    xc, txc, tc = x[:, None], tx[:, None], big_t[:, None]
    rx = r + xc
    share = alive_share(r, alpha, a, b, x, tx, big_t)
    alive = rng.random(share.shape) < share
    lam = _gamma(rng, rx) / (alpha + np.where(alive, tc, txc))
    dead = (~alive).astype(np.float64)
    g1 = _gamma(rng, a + dead)
    g2 = _gamma(rng, b + xc - dead)
    with np.errstate(invalid="ignore", divide="ignore"):
        drop = np.nan_to_num(np.clip(g1 / (g1 + g2), _P_CLIP, 1 - _P_CLIP), nan=0.5)
        # P(alive | lambda, p) of a customer with repeat purchases, from its log-odds.
        alive_given = np.where(
            xc > 0, special.expit(np.log1p(-drop) - np.log(drop) - lam * (tc - txc)), 1.0
        )
    risk: FloatArray = 1.0 + alive_given * np.expm1(-lam * t)
    # The purchase after which the customer drops out, D ~ Geometric(p) on {1, 2, ...},
    # by inversion (twice as fast as numpy's sampler at these sizes).
    last = 1.0 + np.floor(np.log1p(-rng.random(drop.shape)) / np.log1p(-drop))
    orders = np.where(alive, np.minimum(rng.poisson(lam * t), last), 0).astype(np.int64)
    orders_year = np.where(alive, np.minimum(rng.poisson(lam * t_year), last), 0).astype(np.int64)
    if d.gg is not None:
        gp, gq, gv = d.gg
        nu = _gamma(rng, gq + gp * xc) / (gv + xc * mean_value[:, None])
        value: FloatArray = _gamma(rng, orders_year * gp) / nu
    else:
        value = orders_year * order_value[:, None]
    return orders, risk, orders_year, value


def simulate(
    unc: Uncertainty,
    x: FloatArray,
    tx: FloatArray,
    big_t: FloatArray,
    *,
    t: float,
    t_year: float,
    order_value: FloatArray,
    repeat_value: FloatArray | None = None,
    k: int = SAMPLES,
    seed: int = SEED,
    chunk: int = CHUNK,
    threads: int = THREADS,
) -> Iterator[Samples]:
    """Samples for customers with a purchase (x, t_x, T in weeks; t, t_year in weeks),
    chunk by chunk, in order. ``order_value`` is each customer's expected order value
    (used without a Gamma-Gamma fit); ``repeat_value`` the mean repeat-order value.

    Chunk i draws from its own generator seeded (seed, i + 1), so two threads can share
    the work (numpy's samplers release the GIL) and give the same numbers as one.
    """
    draws = _parameter_draws(unc, k, seed)
    mean_value = np.nan_to_num(repeat_value) if repeat_value is not None else np.zeros(x.size)
    slices = [slice(s, min(s + chunk, x.size)) for s in range(0, x.size, chunk)]

    def run(i: int) -> Samples:
        rows = slices[i]
        rng = np.random.default_rng([seed, i + 1])
        orders, risk, orders_year, value = _chunk(
            draws, rng, x[rows], tx[rows], big_t[rows], t, t_year, order_value[rows],
            mean_value[rows],
        )  # fmt: skip
        return Samples(rows, orders, risk, orders_year, value)

    if len(slices) < 2 or threads < 2:
        yield from (run(i) for i in range(len(slices)))
        return
    with ThreadPoolExecutor(max_workers=threads) as pool:
        yield from pool.map(run, range(len(slices)))


def quantile_positions(k: int) -> tuple[int, int]:
    """Positions of the 10th and 90th percentiles among k sorted samples (the inverse
    of the empirical distribution: the smallest sample with at least that share)."""
    tail = (1.0 - LEVEL) / 2.0
    return max(math.ceil(tail * k - 1e-9) - 1, 0), min(math.ceil((1 - tail) * k - 1e-9) - 1, k - 1)


def _bounds(values: npt.NDArray[Any]) -> tuple[FloatArray, FloatArray]:
    """10th and 90th percentiles of each row (a continuous figure such as the risk)."""
    lo, hi = quantile_positions(values.shape[1])
    part = np.partition(values, (lo, hi), axis=1)
    return part[:, lo].astype(np.float64), part[:, hi].astype(np.float64)


def _bounds_with_atoms(values: npt.NDArray[Any]) -> tuple[FloatArray, FloatArray]:
    """An 80% interval of each row for a figure with atoms (order counts, and the value
    of no order at all): the 10th percentile, then the smallest upper end that holds
    80% of the samples from there.

    Plain 10th/90th percentiles would hold 90% of a customer who most likely buys
    nothing (the 10th percentile is 0, and nothing lies below it); measured on CDNOW
    the orders of 91% of customers fell inside them.
    """
    k = values.shape[1]
    lo, _ = quantile_positions(k)
    if values.dtype.kind == "i":
        # Counts: numpy sorts small integers by radix, far faster than a comparison sort.
        ordered: npt.NDArray[Any] = np.sort(
            np.minimum(values, np.iinfo(np.int16).max).astype(np.int16), axis=1
        )
    else:
        ordered = np.sort(values, axis=1)
    low = ordered[:, lo]
    below = (ordered < low[:, None]).sum(axis=1)
    top = np.minimum(below + math.ceil(LEVEL * k - 1e-9) - 1, k - 1)
    high = np.take_along_axis(ordered, top[:, None], axis=1)[:, 0]
    return low.astype(np.float64), high.astype(np.float64)


def _logit(p: FloatArray) -> FloatArray:
    result: FloatArray = special.logit(np.clip(p, _EPS, 1 - _EPS))
    return result


@dataclass(frozen=True)
class Sampled:
    """What the samples say, before the reported figures are known: the risk's mean
    and 10th/90th percentiles, and the order and value intervals (NaN: no paid order)."""

    has: BoolArray
    risk_mean: FloatArray
    risk_low: FloatArray
    risk_high: FloatArray
    orders_low: FloatArray
    orders_high: FloatArray
    value_low: FloatArray
    value_high: FloatArray


def sample_intervals(
    unc: Uncertainty,
    x: FloatArray,
    tx: FloatArray,
    big_t: FloatArray,
    has: BoolArray,
    *,
    t: float,
    t_year: float,
    order_value: FloatArray,
    repeat_value: FloatArray | None = None,
    k: int = SAMPLES,
    seed: int = SEED,
    threads: int = THREADS,
) -> Sampled:
    """The sampling half of customer_intervals: needs the fits, not the churn model, so
    scoring runs it while the classifier trains."""
    n = x.size
    columns = {name: np.full(n, np.nan) for name in Sampled.__dataclass_fields__ if name != "has"}
    idx = np.flatnonzero(has)
    for s in simulate(
        unc,
        x[idx],
        tx[idx],
        big_t[idx],
        t=t,
        t_year=t_year,
        order_value=order_value[idx],
        repeat_value=repeat_value[idx] if repeat_value is not None else None,
        k=k,
        seed=seed,
        threads=threads,
    ):
        rows = idx[s.rows]
        columns["risk_mean"][rows] = s.risk.mean(axis=1)
        columns["risk_low"][rows], columns["risk_high"][rows] = _bounds(s.risk)
        columns["orders_low"][rows], columns["orders_high"][rows] = _bounds_with_atoms(s.orders)
        columns["value_low"][rows], columns["value_high"][rows] = _bounds_with_atoms(s.value_year)
    return Sampled(has=has, **columns)


def finish_intervals(
    sampled: Sampled,
    *,
    risk: FloatArray,
    orders: FloatArray,
    clv: FloatArray,
    population_value: float = 0.0,
) -> Intervals:
    """The intervals around the reported figures: the risk's sampled spread moved in
    log-odds onto the reported risk; the population figures for customers without a
    paid order; every interval widened where needed to hold its figure."""
    has = sampled.has
    # The sampled spread, moved in log-odds onto the reported risk.
    shift = _logit(risk) - _logit(sampled.risk_mean)
    out = {
        "churn_low": np.where(has, special.expit(_logit(sampled.risk_low) + shift), risk),
        "churn_high": np.where(has, special.expit(_logit(sampled.risk_high) + shift), risk),
        "orders_low": sampled.orders_low.copy(),
        "orders_high": sampled.orders_high.copy(),
        "clv_low": sampled.value_low.copy(),
        "clv_high": sampled.value_high.copy(),
    }
    none = ~has
    if none.any():
        # One first order or none: the 10th and 90th percentiles of that chance.
        chance = 1.0 - risk[none]
        tail = (1.0 - LEVEL) / 2.0
        out["orders_low"][none] = np.where(chance > 1 - tail, 1.0, 0.0)
        out["orders_high"][none] = np.where(chance > tail, 1.0, 0.0)
        out["clv_low"][none] = out["orders_low"][none] * population_value
        out["clv_high"][none] = out["orders_high"][none] * population_value
    for name, point in (("churn", risk), ("orders", orders), ("clv", clv)):
        low, high = out[f"{name}_low"], out[f"{name}_high"]
        ok = np.isfinite(point)
        low[ok] = np.fmin(low[ok], point[ok])
        high[ok] = np.fmax(high[ok], point[ok])
    return Intervals(**out)


def customer_intervals(
    unc: Uncertainty,
    x: FloatArray,
    tx: FloatArray,
    big_t: FloatArray,
    has: BoolArray,
    *,
    t: float,
    t_year: float,
    risk: FloatArray,
    orders: FloatArray,
    clv: FloatArray,
    order_value: FloatArray,
    repeat_value: FloatArray | None = None,
    population_value: float = 0.0,
    k: int = SAMPLES,
    seed: int = SEED,
) -> Intervals:
    """80% intervals around the reported risk, orders and CLV of every customer.

    Arrays cover every customer; ``has`` marks those with a paid order (the others get
    the population figures). Each interval holds the reported figure.
    """
    sampled = sample_intervals(
        unc, x, tx, big_t, has, t=t, t_year=t_year, order_value=order_value,
        repeat_value=repeat_value, k=k, seed=seed,
    )  # fmt: skip
    return finish_intervals(
        sampled, risk=risk, orders=orders, clv=clv, population_value=population_value
    )


def confidence_from_width(
    width: FloatArray,
    high_below: float = HIGH_CONFIDENCE_WIDTH,
    medium_below: float = MEDIUM_CONFIDENCE_WIDTH,
) -> npt.NDArray[np.int64]:
    """2 (high), 1 (medium) or 0 (low) from the width of the churn-risk interval."""
    w = np.nan_to_num(width, nan=1.0)
    result: npt.NDArray[np.int64] = np.where(w < high_below, 2, np.where(w < medium_below, 1, 0))
    return result


# --- the check on the backtest -------------------------------------------------------------

BACKTEST_CUSTOMERS = 20_000


@dataclass(frozen=True)
class IntervalBacktest:
    """How often the orders placed in (cutoff, cutoff + days] fell inside the 80%
    interval made at the cutoff (on at most BACKTEST_CUSTOMERS customers)."""

    cutoff: int  # day number
    days: int
    customers: int
    coverage: float  # share inside
    above: float  # share with more orders than the interval's upper end
    mean_width: float

    def to_dict(self) -> dict[str, float | int]:
        """The figures by name, for the scoring run's record."""
        return {
            "days": self.days,
            "customers": self.customers,
            "coverage_orders": round(self.coverage, 4),
            "above": round(self.above, 4),
            "mean_width_orders": round(self.mean_width, 3),
        }


def backtest_orders(
    data: ScoringData, cutoff: int, days: int, *, k: int = SAMPLES, seed: int = SEED
) -> IntervalBacktest | None:
    """Intervals of the orders in ``days`` made as of ``cutoff`` (BG/NBD fitted there),
    against the orders placed; None when the model cannot be fitted at the cutoff.
    Customers are an evenly spaced subset when there are more than BACKTEST_CUSTOMERS."""
    from services.scoring.bgnbd import ModelFitError, expected_purchases
    from services.scoring.features import (
        WEEK,
        bgnbd_summary,
        lifetime_features,
        purchases_in,
    )
    from services.scoring.lifetime import fit_lifetime

    features = lifetime_features(data, cutoff)
    try:
        fit = fit_lifetime(features, gamma_gamma=False)
    except ModelFitError:
        return None
    x, tx, big_t, has = bgnbd_summary(features)
    idx = np.flatnonzero(has)
    if not idx.size:
        return None
    if idx.size > BACKTEST_CUSTOMERS:
        idx = idx[np.linspace(0, idx.size - 1, BACKTEST_CUSTOMERS).astype(np.int64)]
    unc = uncertainty(fit.bgnbd, x[has], tx[has], big_t[has], penalizer=fit.penalizer)
    t = days / WEEK
    xs, txs, ts = x[idx], tx[idx], big_t[idx]
    sampled = sample_intervals(
        unc, xs, txs, ts, np.ones(idx.size, bool), t=t, t_year=t,
        order_value=np.zeros(idx.size), k=k, seed=seed, threads=1,
    )  # fmt: skip
    point = expected_purchases(fit.bgnbd, t, xs, txs, ts)
    low = np.fmin(sampled.orders_low, point)
    high = np.fmax(sampled.orders_high, point)
    actual = purchases_in(data, cutoff, days)[idx]
    inside = (actual >= low) & (actual <= high)
    return IntervalBacktest(
        cutoff=cutoff,
        days=days,
        customers=int(idx.size),
        coverage=float(inside.mean()),
        above=float((actual > high).mean()),
        mean_width=float(np.mean(high - low)),
    )
