"""The scores of every customer as of one date, computed and not stored.

``compute_scores`` is the middle of services.scoring.run.score_workspace (the one scoring
definition): the features as of T, BG/NBD and Gamma-Gamma, the churn model
(services/scoring/churn.py), the 80% intervals, engagement, health, segments, confidence,
revenue at risk. ``score_workspace`` stores what it returns as a scoring run; the alert
replay (services/learn/alert_replay.py) scores past dates with it and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy.orm import Session

from services.core.clv_words import DEFAULT_CLV_MONTHS, clv_days
from services.scoring._threads import one_blas_thread
from services.scoring.churn import (
    MIN_LABEL_DAYS,
    ChurnResult,
    Progress,
    label_window,
    predict_churn,
)
from services.scoring.data import ScoringData
from services.scoring.engagement import engagement_score
from services.scoring.features import WEEK, bgnbd_summary, compute_features, coverage
from services.scoring.health import health_score
from services.scoring.intervals import (
    IntervalBacktest,
    Intervals,
    Sampled,
    backtest_orders,
    confidence_from_width,
    finish_intervals,
    sample_intervals,
    uncertainty,
)
from services.scoring.lifetime import (
    LifetimeFit,
    alive,
    expected_in,
    fit_lifetime,
    order_values,
)
from services.scoring.rfm import rfm_segments
from services.scoring.value_check import ValueCheck, check_value, with_value_scale
from services.settings import (
    ENGAGEMENT_WEIGHTS,
    HEALTH_WEIGHTS,
    SCORING_THRESHOLDS,
    config_version,
)
from services.settings.views import ScoringSettings

FloatArray = npt.NDArray[np.float64]
ObjArray = npt.NDArray[np.object_]

CLV_DAYS = 365


@dataclass(frozen=True)
class ScoringConfig:
    """The scoring settings of a workspace, defaults filled in."""

    horizon_days: int
    engagement_weights: dict[str, float]
    health_weights: dict[str, float]
    thresholds: dict[str, float]
    config_version: int
    clv_months: int = DEFAULT_CLV_MONTHS  # T: the "T-month value" (setting scoring.clv_months)


def read_config(session: Session) -> ScoringConfig:
    """The workspace's scoring settings (partial dicts are completed with the defaults)."""
    scoring = ScoringSettings.read(session)
    return ScoringConfig(
        horizon_days=scoring.horizon_days,
        engagement_weights={**ENGAGEMENT_WEIGHTS, **scoring.engagement_weights},
        health_weights={**HEALTH_WEIGHTS, **scoring.health_weights},
        thresholds={**SCORING_THRESHOLDS, **scoring.thresholds},
        config_version=config_version(session),
        clv_months=scoring.clv_months,
    )


# --- per-customer scores -------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerScores:
    """Every customer's scores as of one date, in the order of the scoring data."""

    churn: FloatArray
    engagement: FloatArray
    engagement_points: dict[str, FloatArray]
    health: FloatArray
    health_points: dict[str, FloatArray]
    p_alive: FloatArray
    predicted_orders: FloatArray
    predicted_revenue: FloatArray  # cents
    clv: FloatArray  # cents
    at_risk: FloatArray  # cents
    order_value: FloatArray  # cents
    segment: ObjArray
    confidence: ObjArray
    intervals: Intervals


def customer_scores(
    data: ScoringData,
    features: pd.DataFrame,
    fit: LifetimeFit,
    churn: ChurnResult,
    cover: Any,
    config: ScoringConfig,
    horizon: int,
    sampled: Sampled,
) -> CustomerScores:
    has = features["purchase_days"].to_numpy() > 0
    value = order_values(features, fit)
    expected_h = expected_in(features, fit, horizon)
    value_days = clv_days(config.clv_months)
    expected_year = expected_in(features, fit, value_days)
    q_h = churn.bgnbd_risk if churn.bgnbd_risk is not None else np.full(len(features), np.nan)
    orders, year = forecast_orders(
        churn.risk, has, expected_h, q_h, expected_year, horizon, value_days
    )
    year = coherent_year(orders, year, horizon, value_days)
    p_alive = alive(features, fit)
    engagement, e_points = engagement_score(features, config.engagement_weights)
    health, h_points, share = health_score(features, cover, config.health_weights)
    segment = rfm_segments(
        features, champion_min_monetary=config.thresholds["champion_min_monetary"]
    )
    tenure = np.nan_to_num(features["tenure_days"].to_numpy(), nan=0.0)
    days = features["purchase_days"].to_numpy()
    th = config.thresholds
    high = (tenure >= th["high_confidence_days"]) & (days >= th["high_confidence_purchase_days"])
    by_history = np.where(high & (share >= th["min_data_coverage"]), 2, 1)
    by_history = np.where(churn.population, 0, by_history)
    clv = year * value
    intervals = finish_intervals(
        sampled,
        risk=churn.risk,
        orders=orders,
        clv=clv,
        population_value=fit.population_order_value,
    )
    at_risk = revenue_at_risk(churn.risk, features["spend_365"].to_numpy(np.float64))
    unpriced = unpriced_customers(data, len(features))
    if unpriced.any():
        # Money never silently zero: a customer with an order in a currency that has no
        # exchange rate gets no money figure at all (empty, with the run's note), rather
        # than one that counts that order as worth nothing.
        value, clv, at_risk = (np.where(unpriced, np.nan, a) for a in (value, clv, at_risk))
        intervals = replace(
            intervals,
            clv_low=np.where(unpriced, np.nan, intervals.clv_low),
            clv_high=np.where(unpriced, np.nan, intervals.clv_high),
        )
    # Confidence follows the width of the churn-risk interval; history length and data
    # coverage stay a ceiling (a customer with little history is never high).
    by_width = confidence_from_width(intervals.churn_width)
    levels = np.array(["low", "medium", "high"], dtype=object)
    confidence = levels[np.minimum(by_history, by_width)]
    return CustomerScores(
        churn=churn.risk,
        engagement=engagement,
        engagement_points=e_points,
        health=health,
        health_points=h_points,
        p_alive=p_alive,
        predicted_orders=orders,
        predicted_revenue=orders * value,
        clv=clv,
        at_risk=at_risk,
        order_value=value,
        segment=segment,
        confidence=confidence,
        intervals=intervals,
    )


def unpriced_customers(data: ScoringData, count: int) -> npt.NDArray[np.bool_]:
    """Which customers have a paid order in a currency with no exchange rate (none when
    the data says nothing of it)."""
    if data.unpriced.size == count:
        return data.unpriced
    return np.zeros(count, bool)


def priced_only(features: pd.DataFrame, unpriced: npt.NDArray[np.bool_]) -> pd.DataFrame:
    """The features with the order values of ``unpriced`` customers unknown (NaN), so the
    value model learns from priced purchases only."""
    if not unpriced.any():
        return features
    out = features.copy()
    out.loc[out.index[unpriced], ["avg_order_value", "repeat_value"]] = np.nan
    return out


def forecast_orders(
    risk: FloatArray,
    has: npt.NDArray[np.bool_],
    expected_h: FloatArray,
    q_h: FloatArray,
    expected_year: FloatArray,
    horizon: int,
    value_days: int = CLV_DAYS,
) -> tuple[FloatArray, FloatArray]:
    """Expected purchase days in the horizon and in the next 365 days, from one model.

    Horizon: P(any order in it) from the chosen churn model (1 - ``risk``) x BG/NBD's
    expected purchase days given at least one (``expected_h`` / (1 - ``q_h``)). With
    BG/NBD chosen this is BG/NBD's own expectation; with the classifier it moves orders
    to the customers the classifier expects to buy (on CDNOW and the demo it lowers the
    error per customer). Year: the horizon's figure carried along BG/NBD's curve (x
    ``expected_year`` / ``expected_h``), a ratio between 1 and D/H whenever H <= D, D the
    value's horizon in days (``value_days``: T months, 365 for the default 12).
    Customers without a paid order (``has`` false): the chance of one first order.
    """
    first_chance = 1.0 - risk
    with np.errstate(divide="ignore", invalid="ignore"):
        given_any = np.where(1.0 - q_h > 1e-9, expected_h / (1.0 - q_h), 1.0)
        growth = np.where(expected_h > 0, expected_year / expected_h, value_days / horizon)
    given_any = np.maximum(np.nan_to_num(given_any, nan=1.0), 1.0)
    growth = np.nan_to_num(growth, nan=1.0, posinf=1.0)
    orders: FloatArray = np.where(has, first_chance * given_any, first_chance)
    year: FloatArray = np.where(has, orders * growth, first_chance)
    return orders, year


def coherent_year(
    orders: FloatArray, year: FloatArray, horizon: int, value_days: int = CLV_DAYS
) -> FloatArray:
    """The year's expected purchase days kept within what the horizon's allow: at least
    the horizon's (when it is within a year) and at most 365/H times them (a last guard
    against rounding: the model meets both on its own)."""
    if horizon > value_days:
        return year
    out: FloatArray = np.clip(year, orders, orders * (value_days / horizon))
    return out


def revenue_at_risk(churn_risk: FloatArray, spend_365: FloatArray) -> FloatArray:
    """Revenue at risk (cents): what the customer paid over the last 12 months, times the
    chance that they place no order within the horizon (their churn risk)."""
    # The last year's paid revenue is a fact, not a forecast: a one-time buyer lost long
    # ago has nothing left at risk, a loyal customer who is slipping has a lot.
    out: FloatArray = np.clip(churn_risk, 0.0, 1.0) * np.nan_to_num(spend_365, nan=0.0)
    return out


def _interval_check(data: ScoringData, t_day: int, horizon: int) -> IntervalBacktest | None:
    """Coverage of the order intervals on the backtest window (T-h, T] of churn.py."""
    first = data.first_purchase_day()
    h = label_window(horizon, 0 if first is None else t_day - first)
    return backtest_orders(data, t_day - h, h) if h >= MIN_LABEL_DAYS else None


def _interval_sampler(
    features: pd.DataFrame, fit: LifetimeFit, horizon: int, value_days: int = CLV_DAYS
) -> Callable[[], Sampled]:
    """The draws behind the 80% intervals (services/scoring/intervals.py), as a call on
    numpy arrays only, safe to run on a worker thread."""
    x, tx, big_t, has = bgnbd_summary(features)
    repeat_value = np.nan_to_num(features["repeat_value"].to_numpy(np.float64))
    value = order_values(features, fit)

    def run() -> Sampled:
        unc = uncertainty(
            fit.bgnbd,
            x[has],
            tx[has],
            big_t[has],
            penalizer=fit.penalizer,
            gamma_gamma=fit.gamma_gamma,
            repeat_value=repeat_value[has],
            gamma_gamma_penalizer=fit.gamma_gamma_penalizer,
        )
        return sample_intervals(
            unc,
            x,
            tx,
            big_t,
            has,
            t=horizon / WEEK,
            t_year=value_days / WEEK,
            order_value=value,
            repeat_value=repeat_value,
            threads=1,  # beside the churn model's two OpenMP threads
        )

    return run


def _scaled_values(sampled: Sampled, scale: float) -> Sampled:
    """The sampled 12-month value ranges times the value check's factor (drawn before it
    was known), so that they hold the values it scales."""
    if scale == 1.0:
        return sampled
    return replace(
        sampled, value_low=sampled.value_low * scale, value_high=sampled.value_high * scale
    )


@dataclass(frozen=True)
class Computed:
    """What scoring computes as of one date (services.scoring.run stores it)."""

    features: pd.DataFrame
    fit: LifetimeFit
    churn: ChurnResult
    scores: CustomerScores
    check: IntervalBacktest | None
    value_check: ValueCheck | None = None


def compute_scores(
    data: ScoringData,
    t_day: int,
    horizon: int,
    config: ScoringConfig,
    step: Progress,
    *,
    check: bool = True,
) -> Computed:
    """Every customer's scores as of day ``t_day`` from ``data`` (dated up to it), over a
    ``horizon`` of days; ``check``: also the intervals' backtest (for the run's notes)."""
    with one_blas_thread():
        return _compute_scores(data, t_day, horizon, config, step, check=check)


def _compute_scores(
    data: ScoringData,
    t_day: int,
    horizon: int,
    config: ScoringConfig,
    step: Progress,
    *,
    check: bool,
) -> Computed:
    step(0.12, "Computing customer features")
    features = compute_features(data, t_day)
    cover = coverage(data, t_day)
    step(0.18, "Fitting BG/NBD and Gamma-Gamma")
    unpriced = unpriced_customers(data, len(features))
    # The value of a purchase is learned from the customers whose orders all have a price
    # in the home currency: an order with no exchange rate is a purchase of unknown value.
    fit = fit_lifetime(priced_only(features, unpriced))
    # The intervals' samples need the fits only: drawn on a worker while the churn
    # model trains (numpy's samplers leave the interpreter free).
    with ThreadPoolExecutor(max_workers=1) as pool:
        # The arrays are taken here: the churn model adds columns to ``features``.
        sampling = pool.submit(
            _interval_sampler(features, fit, horizon, clv_days(config.clv_months))
        )
        checking = pool.submit(_interval_check, data, t_day, horizon) if check else None
        # The value of a purchase day, checked on the backtest window (value_check.py).
        valuing = pool.submit(check_value, data, t_day, horizon, unpriced)
        churn = predict_churn(
            data,
            features,
            fit,
            as_of=t_day,
            horizon=horizon,
            new_customer_days=config.thresholds["new_customer_days"],
            min_training_customers=int(config.thresholds["min_training_customers"]),
            progress=step,
        )
        step(0.7, "Computing engagement, health and segments")
        sampled = sampling.result()
        checked = checking.result() if checking is not None else None
        value_check = valuing.result()
    fit = with_value_scale(fit, value_check)
    sampled = _scaled_values(sampled, fit.value_scale)
    scores = customer_scores(data, features, fit, churn, cover, config, horizon, sampled)
    return Computed(
        features=features,
        fit=fit,
        churn=churn,
        scores=scores,
        check=checked,
        value_check=value_check,
    )
