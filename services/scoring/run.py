"""Score a workspace: every customer's scores as of a date, stored as one dated snapshot.

``score_workspace`` reads the workspace once (data dated on or before the as-of date
T only), fits BG/NBD and Gamma-Gamma, backtests and trains the churn model
(services/scoring/churn.py), computes engagement, health, RFM segments, confidence and
drivers, and writes one ScoringRun plus one ScoreSnapshot per customer (guests are not
scored) in a single transaction, replacing the snapshots of an earlier run for the same
as-of date and horizon. Cancelling, or any failure, writes nothing.

Figures per customer:
- predicted_orders: expected purchase days in (T, T+H] = P(any order) from the chosen
  churn model x BG/NBD's expected purchase days given at least one (BG/NBD's own
  expectation when BG/NBD is the chosen model);
- predicted_revenue: predicted orders x the Gamma-Gamma expected order value;
- clv_12m: the same customer's expected purchase days in the next 365 days x the same
  expected order value (undiscounted: a 12-month horizon needs no discounting for
  triage). The year's purchase days are the horizon's predicted orders carried along
  BG/NBD's own curve (x E[purchases in 365 days] / E[purchases in H days]): one model
  gives both, so for H <= 365 days predicted_revenue <= clv_12m <= 365/H x
  predicted_revenue holds by construction (BG/NBD's expected purchases grow ever more
  slowly); ``coherent_year`` only guards against rounding;
- revenue_at_risk: ``revenue_at_risk`` (one definition, said in its docstring).
Customers without a paid order by T get the workspace's rate of first orders (see
churn.py) and, for orders and value, that chance of one first order at the average
value; they have low confidence and no segment.

80% intervals of churn risk, predicted orders and clv_12m: services/scoring/intervals.py.

Confidence follows the width of the churn-risk interval (intervals.py: high below 0.25,
medium below 0.5, else low), capped by history: low for the population model (no paid
order, or a first order fewer than "new_customer_days" before T); high only with at
least "high_confidence_days" of tenure and "high_confidence_purchase_days" purchase
days, and at least "min_data_coverage" of the health weight backed by data.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import (
    Connection,
    Engine,
    delete,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from models.base import utcnow
from models.db import translate_db_errors
from models.errors import UserFacingError
from models.schema import Customer, Order, ScoreSnapshot, ScoringRun
from models.vocab import GUEST_EXTERNAL_ID
from services.core.formatting import format_date
from services.core.money import MoneyContext
from services.core.records import ScoringSummary
from services.listen.sentiment import update_text_sentiment
from services.scoring._snapshots import insert_snapshots
from services.scoring.churn import MIN_LABEL_DAYS, ChurnResult, label_window, predict_churn
from services.scoring.data import ScoringData, day_date, day_number, load_scoring_data
from services.scoring.drivers import DriverTable, top_drivers
from services.scoring.engagement import engagement_score
from services.scoring.features import WEEK, bgnbd_summary, compute_features, coverage
from services.scoring.health import health_score
from services.scoring.intervals import (
    LEVEL,
    SAMPLES,
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
from services.scoring.notes import coverage_words, run_notes
from services.scoring.rfm import rfm_segments
from services.settings import (
    ENGAGEMENT_WEIGHTS,
    HEALTH_WEIGHTS,
    MAX_HORIZON_DAYS,
    SCORING_THRESHOLDS,
    config_version,
    get_setting,
)

log = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
ObjArray = npt.NDArray[np.object_]

MODEL_VERSION = "radar-scoring-1"
CLV_DAYS = 365


class ScoringCancelled(Exception):
    """The user cancelled scoring; nothing was written."""


class ScoringError(UserFacingError):
    """Scoring cannot run on this workspace or with these inputs (said in plain words)."""


class NothingToScore(ScoringError):
    """No paid orders yet: a new workspace's state, not a failure (run-daily skips on)."""


@dataclass(frozen=True)
class ScoringConfig:
    """The scoring settings of a workspace, defaults filled in."""

    horizon_days: int
    engagement_weights: dict[str, float]
    health_weights: dict[str, float]
    thresholds: dict[str, float]
    config_version: int


def read_config(session: Session) -> ScoringConfig:
    """The workspace's scoring settings (partial dicts are completed with the defaults)."""
    return ScoringConfig(
        horizon_days=int(get_setting(session, "scoring.horizon_days")),
        engagement_weights={
            **ENGAGEMENT_WEIGHTS,
            **get_setting(session, "scoring.engagement_weights"),
        },
        health_weights={**HEALTH_WEIGHTS, **get_setting(session, "scoring.health_weights")},
        thresholds={**SCORING_THRESHOLDS, **get_setting(session, "scoring.thresholds")},
        config_version=config_version(session),
    )


def _import_models() -> None:
    """Import what the churn model needs (it is then only looked up where it is used)."""
    import sklearn.ensemble  # noqa: F401
    import sklearn.isotonic  # noqa: F401
    import sklearn.linear_model  # noqa: F401
    import sklearn.metrics  # noqa: F401
    import sklearn.model_selection  # noqa: F401
    import threadpoolctl  # noqa: F401


def score_workspace(
    engine: Engine,
    *,
    as_of: dt.date | None = None,
    horizon_days: int | None = None,
    progress: Callable[[float, str], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ScoringSummary:
    """Score every (non-guest) customer as of ``as_of`` (default today, UTC) and store it.

    Writes one ScoringRun and one ScoreSnapshot per customer in one transaction;
    raises ScoringCancelled (nothing written) when ``cancelled()`` turns true, and
    ScoringError/UserFacingError in plain words when the workspace cannot be scored.
    """
    from services.core.access import require_whole_workspace

    require_whole_workspace(engine, "scoring")
    clock = time.perf_counter()
    started = utcnow()

    def step(fraction: float, message: str) -> None:
        if cancelled is not None and cancelled():
            raise ScoringCancelled("Scoring was cancelled; the workspace is unchanged.")
        if progress is not None:
            progress(fraction, message)

    as_of = as_of or dt.datetime.now(dt.UTC).date()
    no_orders = NothingToScore(
        f"There are no paid orders dated on or before {as_of.isoformat()}, so there is "
        "nothing to score yet. Import orders first, or choose a later --as-of date."
    )
    with translate_db_errors(), Session(engine) as session:
        config = read_config(session)
        # Refused before any progress is reported: the command line prints one line.
        if not _has_paid_orders(session, as_of):
            raise no_orders
    horizon = int(horizon_days if horizon_days is not None else config.horizon_days)
    if not 1 <= horizon <= MAX_HORIZON_DAYS:
        raise ScoringError(
            f"The horizon must be between 1 and {MAX_HORIZON_DAYS:,} days (got {horizon})."
        )
    t_day = day_number(as_of)
    step(0.0, "Reading the workspace")
    update_text_sentiment(engine, cancelled=cancelled)  # new or changed texts only
    # scikit-learn takes over a second to import: it loads while the workspace is read.
    warm = threading.Thread(target=_import_models, name="scoring-imports", daemon=True)
    warm.start()
    with translate_db_errors():
        data = load_scoring_data(engine, until_day=t_day)
    if data.p_day.size == 0:
        raise no_orders

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
        sampling = pool.submit(_interval_sampler(features, fit, horizon))
        checking = pool.submit(_interval_check, data, t_day, horizon)
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
        sampled, check = sampling.result(), checking.result()
    scores = _customer_scores(data, features, fit, churn, cover, config, horizon, sampled)
    step(0.76, "Explaining the scores")
    drivers = top_drivers(features, churn.risk)

    notes = run_notes(churn, fit, scores.confidence)
    if check is not None:
        notes.append(
            f"80% ranges checked on the backtest: the orders of {check.coverage:.0%} of "
            f"{check.customers:,} customers in the {check.days} days after "
            f"{format_date(day_date(check.cutoff))} fell inside the range made that day "
            + coverage_words(check.coverage)
        )
    left_out = MoneyContext(data.currency).left_out_note(data.left_out)
    if left_out:
        notes.append(left_out)
    params: dict[str, Any] = {
        "currency": data.currency,
        "time_unit": "weeks",
        "bgnbd": fit.bgnbd.to_dict(),
        "bgnbd_penalizer": fit.penalizer,
        "paretonbd": churn.pnbd_params,
        "gamma_gamma": fit.gamma_gamma.to_dict() if fit.gamma_gamma is not None else None,
        "population_order_value_cents": round(fit.population_order_value, 2),
        "classifier": churn.classifier,
        "chosen_model": churn.chosen,
        "reason": churn.reason,
        "label_days": churn.label_days,
        "bridged": churn.bridged,
        "intervals": {
            "level": LEVEL,
            "samples": SAMPLES,
            "backtest": check.to_dict() if check is not None else None,
        },
        "engagement_weights": config.engagement_weights,
        "health_weights": config.health_weights,
        "thresholds": config.thresholds,
        "data": {
            "customers": data.n,
            "purchase_days": int(data.p_day.size),
            "interactions": int(data.i_day.size),
            "subscriptions": int(data.s_cust.size),
        },
    }
    step(0.8, "Saving the scores")
    with translate_db_errors(), engine.begin() as conn:
        run_id = _write(
            conn,
            data=data,
            as_of=as_of,
            horizon=horizon,
            started=started,
            config=config,
            churn=churn,
            params=params,
            notes=notes,
            scores=scores,
            drivers=drivers,
            step=step,
        )
        # Last chance to cancel: the rollback leaves the workspace as it was.
        step(0.99, "Saving the scores")
    seconds = time.perf_counter() - clock
    if progress is not None:
        progress(1.0, "Scores ready")
    backtest = churn.backtest
    cutoff = backtest.get("cutoff")
    return ScoringSummary(
        run_id=run_id,
        as_of=as_of,
        horizon_days=horizon,
        customers=data.n,
        chosen_model=churn.chosen,
        auc=backtest.get("auc"),
        brier=backtest.get("brier"),
        lift_top_decile=backtest.get("lift_top_decile"),
        bridged=churn.bridged,
        seconds=seconds,
        reason=churn.reason,
        baseline=dict(backtest.get("models", {})),
        backtest_cutoff=dt.date.fromisoformat(cutoff) if cutoff else None,
        backtest_horizon_days=backtest.get("label_days"),
        bgnbd=fit.bgnbd.to_dict(),
        gamma_gamma=fit.gamma_gamma.to_dict() if fit.gamma_gamma is not None else {},
        paretonbd=dict(churn.pnbd_params or {}),
        notes=tuple(n for n in notes if n not in (churn.reason, churn.bridged)),
        importance=dict((churn.classifier or {}).get("importance", {})),
        currency=data.currency,
        orders_backtest=dict(backtest.get("orders", {})),
    )


def _has_paid_orders(session: Session, as_of: dt.date) -> bool:
    """True when a (non-guest) customer has a paid order dated on or before ``as_of``."""
    end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    found = session.scalar(
        select(Order.id)
        .join(Customer, Customer.id == Order.customer_id)
        .where(
            Order.status == "paid",
            Order.order_date < end,
            or_(Customer.external_id.is_(None), Customer.external_id != GUEST_EXTERNAL_ID),
        )
        .limit(1)
    )
    return found is not None


# --- per-customer scores -------------------------------------------------------------------


@dataclass(frozen=True)
class _Scores:
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


def _customer_scores(
    data: ScoringData,
    features: pd.DataFrame,
    fit: LifetimeFit,
    churn: ChurnResult,
    cover: Any,
    config: ScoringConfig,
    horizon: int,
    sampled: Sampled,
) -> _Scores:
    has = features["purchase_days"].to_numpy() > 0
    value = order_values(features, fit)
    expected_h = expected_in(features, fit, horizon)
    expected_year = expected_in(features, fit, CLV_DAYS)
    q_h = churn.bgnbd_risk if churn.bgnbd_risk is not None else np.full(len(features), np.nan)
    orders, year = forecast_orders(churn.risk, has, expected_h, q_h, expected_year, horizon)
    year = coherent_year(orders, year, horizon)
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
    return _Scores(
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
) -> tuple[FloatArray, FloatArray]:
    """Expected purchase days in the horizon and in the next 365 days, from one model.

    Horizon: P(any order in it) from the chosen churn model (1 - ``risk``) x BG/NBD's
    expected purchase days given at least one (``expected_h`` / (1 - ``q_h``)). With
    BG/NBD chosen this is BG/NBD's own expectation; with the classifier it moves orders
    to the customers the classifier expects to buy (on CDNOW and the demo it lowers the
    error per customer). Year: the horizon's figure carried along BG/NBD's curve (x
    ``expected_year`` / ``expected_h``), a ratio between 1 and 365/H whenever H <= 365.
    Customers without a paid order (``has`` false): the chance of one first order.
    """
    first_chance = 1.0 - risk
    with np.errstate(divide="ignore", invalid="ignore"):
        given_any = np.where(1.0 - q_h > 1e-9, expected_h / (1.0 - q_h), 1.0)
        growth = np.where(expected_h > 0, expected_year / expected_h, CLV_DAYS / horizon)
    given_any = np.maximum(np.nan_to_num(given_any, nan=1.0), 1.0)
    growth = np.nan_to_num(growth, nan=1.0, posinf=1.0)
    orders: FloatArray = np.where(has, first_chance * given_any, first_chance)
    year: FloatArray = np.where(has, orders * growth, first_chance)
    return orders, year


def coherent_year(orders: FloatArray, year: FloatArray, horizon: int) -> FloatArray:
    """The year's expected purchase days kept within what the horizon's allow: at least
    the horizon's (when it is within a year) and at most 365/H times them (a last guard
    against rounding: the model meets both on its own)."""
    if horizon > CLV_DAYS:
        return year
    out: FloatArray = np.clip(year, orders, orders * (CLV_DAYS / horizon))
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
    features: pd.DataFrame, fit: LifetimeFit, horizon: int
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
            t_year=CLV_DAYS / WEEK,
            order_value=value,
            repeat_value=repeat_value,
            threads=1,  # beside the churn model's two OpenMP threads
        )

    return run


# --- writing ------------------------------------------------------------------------------


def _num(values: FloatArray, digits: int) -> list[float | None]:
    """Rounded floats, None for NaN (JSON and SQL NULL)."""
    rounded = np.round(values.astype(np.float64), digits)
    out = rounded.astype(object)
    out[np.isnan(rounded)] = None
    result: list[float | None] = out.tolist()
    return result


def _cents(values: FloatArray) -> list[int | None]:
    """Whole cents as Python ints, None for NaN."""
    values = values.astype(np.float64)
    out = np.rint(np.nan_to_num(values)).astype(np.int64).astype(object)
    out[np.isnan(values)] = None
    result: list[int | None] = out.tolist()
    return result


def _json_objects(columns: dict[str, FloatArray], digits: int) -> list[str]:
    """One JSON object per row of numeric columns (null for NaN), by pandas' C encoder."""
    text = pd.DataFrame(columns).to_json(orient="records", lines=True, double_precision=digits)
    return str(text).splitlines()


def _components_json(scores: _Scores) -> list[str]:
    """{"engagement": {component: points}, "health": {...}} per customer (null = missing)."""
    engagement = _json_objects(scores.engagement_points, 2)
    health = _json_objects(scores.health_points, 2)
    return [
        '{"engagement":' + e + ',"health":' + h + "}"
        for e, h in zip(engagement, health, strict=True)
    ]


def _drivers_json(drivers: DriverTable) -> list[str]:
    """The drivers as JSON lists of {"text", "direction", "weight"}, heaviest first.

    Driver texts are made of fixed words, numbers and month names (drivers.py), so they
    hold no quotes or backslashes that would need escaping.
    """
    slots = []
    for i in range(drivers.text.shape[1]):
        texts = drivers.text[:, i].tolist()
        directions = drivers.direction[:, i].tolist()
        weights = drivers.weight[:, i].astype(str).tolist()
        slots.append(
            [
                f'{{"text":"{t}","direction":"{d}","weight":{w}}}'
                for t, d, w in zip(texts, directions, weights, strict=True)
            ]
        )
    # Drivers fill the slots from the first; an empty text ends the list.
    counts = (drivers.text != "").sum(axis=1).tolist()
    return ["[" + ",".join(parts[:k]) + "]" for k, *parts in zip(counts, *slots, strict=True)]


def _write(
    conn: Connection,
    *,
    data: ScoringData,
    as_of: dt.date,
    horizon: int,
    started: dt.datetime,
    config: ScoringConfig,
    churn: ChurnResult,
    params: dict[str, Any],
    notes: list[str],
    scores: _Scores,
    drivers: DriverTable,
    step: Callable[[float, str], None],
) -> int:
    finished = utcnow()
    # Snapshots of an earlier run for the same day and horizon are replaced.
    conn.execute(
        update(ScoringRun)
        .where(
            ScoringRun.as_of == as_of,
            ScoringRun.horizon_days == horizon,
            ScoringRun.status == "finished",
        )
        .values(status="replaced")
    )
    conn.execute(
        delete(ScoreSnapshot).where(
            ScoreSnapshot.as_of == as_of, ScoreSnapshot.horizon_days == horizon
        )
    )
    with Session(bind=conn) as session:
        run = ScoringRun(
            as_of=as_of,
            horizon_days=horizon,
            status="finished",
            started_at=started,
            finished_at=finished,
            customers=data.n,
            model_version=MODEL_VERSION,
            chosen_model=churn.chosen,
            config_version=config.config_version,
            params=params,
            backtest=churn.backtest or None,
            notes="\n".join(notes) or None,
        )
        session.add(run)
        session.flush()
        run_id = int(run.id)

    components = _components_json(scores)
    columns: dict[str, list[Any]] = {
        "customer_id": data.customer_ids.tolist(),
        "engagement_score": _num(scores.engagement, 1),
        "churn_risk": _num(scores.churn, 4),
        "predicted_orders": _num(scores.predicted_orders, 3),
        "predicted_revenue_cents": _cents(scores.predicted_revenue),
        "clv_12m_cents": _cents(scores.clv),
        "segment": scores.segment.tolist(),
        "health_score": _num(scores.health, 1),
        "confidence": scores.confidence.tolist(),
        "drivers": _drivers_json(drivers),
        "p_alive": _num(scores.p_alive, 4),
        "revenue_at_risk_cents": _cents(scores.at_risk),
        "components": components,
        "churn_risk_low": _num(scores.intervals.churn_low, 4),
        "churn_risk_high": _num(scores.intervals.churn_high, 4),
        "predicted_orders_low": _num(scores.intervals.orders_low, 3),
        "predicted_orders_high": _num(scores.intervals.orders_high, 3),
        "clv_12m_low_cents": _cents(scores.intervals.clv_low),
        "clv_12m_high_cents": _cents(scores.intervals.clv_high),
    }
    constants: dict[str, Any] = {
        "as_of": as_of,
        "horizon_days": horizon,
        "model_version": MODEL_VERSION,
        "created_at": finished,
        "scoring_run_id": run_id,
    }
    insert_snapshots(conn, columns, constants, data.n, step)
    return run_id
