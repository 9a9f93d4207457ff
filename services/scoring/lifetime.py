"""BG/NBD and Gamma-Gamma at a cutoff: fit on the features frame, add their outputs.

The models themselves live in services/scoring/bgnbd.py; this module prepares their
inputs (weeks, repeat purchase days), compresses identical customers for the fit,
retries a thin fit with a small penalty, and turns the fits into per-customer figures.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from services.scoring.bgnbd import (
    BGNBDParams,
    GammaGammaParams,
    ModelFitError,
    expected_order_value,
    expected_purchases,
    fit_bgnbd,
    fit_gamma_gamma,
    p_alive,
    prob_no_purchase,
)
from services.scoring.features import WEEK, bgnbd_summary
from services.scoring.paretonbd import ParetoNBDParams, fit_paretonbd
from services.scoring.paretonbd import prob_no_purchase as pareto_no_purchase

log = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
# Tried in turn when a fit fails: no penalty first (the published estimates), then a
# small one that keeps thin or odd histories finite.
PENALIZERS = (0.0, 0.001, 0.01)
PARETO_SAMPLE = 30_000


@dataclass(frozen=True)
class LifetimeFit:
    """Fitted BG/NBD (weeks) and Gamma-Gamma (cents) parameters at one cutoff."""

    bgnbd: BGNBDParams
    gamma_gamma: GammaGammaParams | None
    penalizer: float
    population_order_value: float  # mean cents per purchase day, the fallback value
    notes: tuple[str, ...] = ()
    gamma_gamma_penalizer: float = 0.0
    # The backtest's factor on the value of a purchase day (services/scoring/value_check.py)
    value_scale: float = 1.0


def _distinct_histories(
    features: pd.DataFrame, sample: int | None = None
) -> tuple[FloatArray, FloatArray, FloatArray, npt.NDArray[np.int64]]:
    """The distinct (x, t_x, T) histories in weeks of the customers with a purchase (of a
    fixed random ``sample`` of them when there are more), and how many share each."""
    x, tx, big_t, has = bgnbd_summary(features)
    if sample is not None and int(has.sum()) > sample:
        rows = np.flatnonzero(has)
        keep = np.sort(np.random.default_rng(0).choice(rows, size=sample, replace=False))
        has = np.zeros_like(has)
        has[keep] = True
    # Identical (x, t_x, T) rows in whole days are common (one-time buyers of the same
    # day): fit each distinct row once, weighted by how many customers share it.
    # Packed into one integer per customer (x, t_x and T in whole days, each < 2**20).
    key = (
        x[has].astype(np.int64) << 40
        | np.rint(tx[has] * WEEK).astype(np.int64) << 20
        | np.rint(big_t[has] * WEEK).astype(np.int64)
    )
    uniq, counts = np.unique(key, return_counts=True)
    ux = (uniq >> 40).astype(np.float64)
    utx = ((uniq >> 20) & 0xFFFFF).astype(np.float64) / WEEK
    ubig_t = (uniq & 0xFFFFF).astype(np.float64) / WEEK
    return ux, utx, ubig_t, counts.astype(np.int64)


def fit_lifetime(features: pd.DataFrame, *, gamma_gamma: bool = True) -> LifetimeFit:
    """Fit BG/NBD (and Gamma-Gamma) on every customer with a purchase by the cutoff.

    The backtest cutoffs need BG/NBD only (``gamma_gamma=False``). Raises ModelFitError
    (plain words) when even a penalised BG/NBD fit fails.
    """
    x, _, _, has = bgnbd_summary(features)
    ux, utx, ubig_t, counts = _distinct_histories(features)
    error: ModelFitError | None = None
    params: BGNBDParams | None = None
    penalizer = 0.0
    for penalizer in PENALIZERS:
        try:
            params = fit_bgnbd(ux, utx, ubig_t, weights=counts, penalizer=penalizer)
            break
        except ModelFitError as exc:
            if error is None:
                error = exc
    if params is None:
        assert error is not None
        raise error
    notes: list[str] = []
    if penalizer > 0:
        notes.append(f"the BG/NBD fit needed a small penalty ({penalizer}) to converge")

    avg = features["avg_order_value"].to_numpy()
    # The workspace's average value of a purchase day, over the customers whose orders
    # all have a price (an order with no exchange rate leaves a customer's value unknown).
    priced = avg[has & np.isfinite(avg)]
    population = float(priced.mean()) if priced.size else 0.0
    gg: GammaGammaParams | None = None
    gg_used = 0.0
    repeat_value = features["repeat_value"].to_numpy()
    ok = has & (x > 0) & (np.nan_to_num(repeat_value) > 0)
    for gg_penalizer in PENALIZERS if gamma_gamma else ():
        try:
            gg = fit_gamma_gamma(x[ok], repeat_value[ok], penalizer=gg_penalizer)
            gg_used = gg_penalizer
            break
        except ModelFitError as exc:
            log.info("Gamma-Gamma fit failed (penalizer %s): %s", gg_penalizer, exc)
    if gg is None and gamma_gamma:
        notes.append(
            "the order-value model could not be fitted; expected order values are each "
            "customer's own average (the workspace average for one-time buyers)"
        )
    return LifetimeFit(
        bgnbd=params,
        gamma_gamma=gg,
        penalizer=penalizer,
        population_order_value=population,
        notes=tuple(notes),
        gamma_gamma_penalizer=gg_used,
    )


@dataclass(frozen=True)
class LifetimeOutputs:
    """Per-customer BG/NBD and Gamma-Gamma figures (NaN for customers with no purchase)."""

    p_alive: FloatArray
    expected: FloatArray  # expected purchase days in the window
    prob_none: FloatArray  # P(no purchase in the window)
    order_value: FloatArray  # expected value of one purchase day, cents


def lifetime_outputs(features: pd.DataFrame, fit: LifetimeFit, days: float) -> LifetimeOutputs:
    """BG/NBD P(alive), expected purchases and P(none) over ``days``, and order values."""
    x, tx, big_t, has = bgnbd_summary(features)
    n = x.size
    alive = np.full(n, np.nan)
    expected = np.full(n, np.nan)
    none = np.full(n, np.nan)
    if has.any():
        t = days / WEEK
        alive[has] = p_alive(fit.bgnbd, x[has], tx[has], big_t[has])
        expected[has] = expected_purchases(fit.bgnbd, t, x[has], tx[has], big_t[has])
        none[has] = prob_no_purchase(fit.bgnbd, t, x[has], tx[has], big_t[has])
    return LifetimeOutputs(alive, expected, none, order_values(features, fit))


def alive(features: pd.DataFrame, fit: LifetimeFit) -> FloatArray:
    """BG/NBD P(alive) at the cutoff per customer (NaN without a purchase)."""
    x, tx, big_t, has = bgnbd_summary(features)
    out = np.full(x.size, np.nan)
    if has.any():
        out[has] = p_alive(fit.bgnbd, x[has], tx[has], big_t[has])
    return out


def prob_none(features: pd.DataFrame, fit: LifetimeFit, days: float) -> FloatArray:
    """BG/NBD P(no purchase in the next ``days``) per customer (NaN without a purchase)."""
    x, tx, big_t, has = bgnbd_summary(features)
    out = np.full(x.size, np.nan)
    if has.any():
        out[has] = prob_no_purchase(fit.bgnbd, days / WEEK, x[has], tx[has], big_t[has])
    return out


def expected_in(features: pd.DataFrame, fit: LifetimeFit, days: float) -> FloatArray:
    """BG/NBD expected purchase days in the next ``days`` (NaN without a purchase)."""
    x, tx, big_t, has = bgnbd_summary(features)
    out = np.full(x.size, np.nan)
    if has.any():
        out[has] = expected_purchases(fit.bgnbd, days / WEEK, x[has], tx[has], big_t[has])
    return out


def order_values(features: pd.DataFrame, fit: LifetimeFit) -> FloatArray:
    """Expected value (cents) of a customer's next purchase day (times the fit's
    ``value_scale`` for customers with a purchase, whose values the backtest checked)."""
    x, _, _, has = bgnbd_summary(features)
    repeat_value = np.nan_to_num(features["repeat_value"].to_numpy())
    if fit.gamma_gamma is not None:
        values = expected_order_value(fit.gamma_gamma, x, np.where(x > 0, repeat_value, 0.0))
    else:
        own = features["avg_order_value"].to_numpy()
        values = np.where(x > 0, own, fit.population_order_value)
    out: FloatArray = np.where(has, values * fit.value_scale, fit.population_order_value)
    return out


def add_model_features(features: pd.DataFrame, fit: LifetimeFit, days: float) -> None:
    """Fill the classifier's BG/NBD and Gamma-Gamma columns for a window of ``days``."""
    out = lifetime_outputs(features, fit, days)
    features["bg_p_alive"] = out.p_alive
    features["bg_expected_h"] = out.expected
    features["bg_prob_none_h"] = out.prob_none
    features["gg_order_value"] = out.order_value


def fit_pareto(features: pd.DataFrame) -> ParetoNBDParams | None:
    """Pareto/NBD (weeks) on the customers with a purchase by the cutoff (a fixed random
    PARETO_SAMPLE of them in a larger book: four parameters need no more, and its fit
    costs ten times BG/NBD's), or None when even a penalised fit fails (it is a
    candidate churn model, never the only one)."""
    ux, utx, ubig_t, counts = _distinct_histories(features, PARETO_SAMPLE)
    for penalizer in PENALIZERS:
        try:
            return fit_paretonbd(ux, utx, ubig_t, weights=counts, penalizer=penalizer)
        except ModelFitError as exc:
            log.info("Pareto/NBD fit failed (penalizer %s): %s", penalizer, exc)
    return None


def pareto_prob_none(features: pd.DataFrame, params: ParetoNBDParams, days: float) -> FloatArray:
    """Pareto/NBD P(no purchase in the next ``days``) per customer (NaN without a purchase)."""
    x, tx, big_t, has = bgnbd_summary(features)
    out = np.full(x.size, np.nan)
    if has.any():
        out[has] = pareto_no_purchase(params, days / WEEK, x[has], tx[has], big_t[has])
    return out
