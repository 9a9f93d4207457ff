"""Score a workspace: every customer's scores as of a date, stored as one dated snapshot.

``score_workspace`` reads the workspace once (data dated on or before the as-of date
T only), fits BG/NBD and Gamma-Gamma, backtests and trains the churn model
(services/scoring/churn.py), computes engagement, health, RFM segments, confidence and
drivers, and writes one ScoringRun plus one ScoreSnapshot per customer known by T
(services/scoring/known.py: from their signup or first order on; guests are not scored)
in a single transaction, replacing the snapshots of an earlier run for the same
as-of date and horizon. Cancelling, or any failure, writes nothing.

Figures per customer:
- predicted_orders: expected purchase days in (T, T+H] = P(any order) from the chosen
  churn model x BG/NBD's expected purchase days given at least one (BG/NBD's own
  expectation when BG/NBD is the chosen model);
- predicted_revenue: predicted orders x the Gamma-Gamma expected order value;
- the value (stored as clv_12m_cents whatever its horizon): the same customer's expected
  purchase days in the next D days of the value horizon (setting scoring.clv_months,
  services/core/clv_words.py: 12 months by default, D = 365) x the same expected order
  value (undiscounted: a horizon of a few years needs no discounting for triage). Those
  purchase days are the horizon's predicted orders carried along BG/NBD's own curve
  (x E[purchases in D days] / E[purchases in H days]): one model gives both, so for
  H <= D predicted_revenue <= value <= D/H x predicted_revenue holds by construction
  (BG/NBD's expected purchases grow ever more slowly); ``coherent_year`` only guards
  against rounding;
- revenue_at_risk: ``revenue_at_risk`` (one definition, said in its docstring).
Customers without a paid order by T get the workspace's rate of first orders (see
churn.py) and, for orders and value, that chance of one first order at the average
value; they have low confidence and no segment.

80% intervals of churn risk, predicted orders and the value: services/scoring/intervals.py.

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
from services.core.writing import workspace_writer
from services.listen.sentiment import update_text_sentiment
from services.scoring._snapshots import insert_snapshots, write_cache
from services.scoring.churn import ChurnResult
from services.scoring.compute import (  # the names scoring's callers know from here too
    CLV_DAYS,
    CustomerScores,
    ScoringConfig,
    coherent_year,
    compute_scores,
    forecast_orders,
    priced_only,
    read_config,
    revenue_at_risk,
    unpriced_customers,
)
from services.scoring.data import ScoringData, day_date, day_number, load_scoring_data
from services.scoring.drivers import DriverTable, top_drivers
from services.scoring.intervals import LEVEL, SAMPLES
from services.scoring.notes import coverage_words, run_notes
from services.settings import MAX_HORIZON_DAYS

__all__ = [
    "CLV_DAYS",
    "ScoringCancelled",
    "ScoringConfig",
    "ScoringError",
    "NothingToScore",
    "coherent_year",
    "forecast_orders",
    "priced_only",
    "read_config",
    "revenue_at_risk",
    "score_workspace",
    "unpriced_customers",
]

log = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
ObjArray = npt.NDArray[np.object_]
IntArray = npt.NDArray[np.intp]

MODEL_VERSION = "radar-scoring-1"


class ScoringCancelled(Exception):
    """The user cancelled scoring; nothing was written."""


class ScoringError(UserFacingError):
    """Scoring cannot run on this workspace or with these inputs (said in plain words)."""


class NothingToScore(ScoringError):
    """No paid orders yet: a new workspace's state, not a failure (run-daily skips on)."""


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
    """Score every (non-guest) customer known by ``as_of`` (default today, UTC) and store it.

    Writes one ScoringRun and one ScoreSnapshot per customer in one transaction;
    raises ScoringCancelled (nothing written) when ``cancelled()`` turns true, and
    ScoringError/UserFacingError in plain words when the workspace cannot be scored
    (WorkspaceBusy while an import or an undo holds it: services/core/writing.py).
    """
    from services.core.access import require_whole_workspace

    require_whole_workspace(engine, "scoring")
    # From the first read to the last write: an import or an undo meanwhile would leave
    # scores of customers that are gone.
    with workspace_writer(engine, "scoring"):
        return _score_workspace(
            engine, as_of=as_of, horizon_days=horizon_days, progress=progress, cancelled=cancelled
        )


def _score_workspace(
    engine: Engine,
    *,
    as_of: dt.date | None,
    horizon_days: int | None,
    progress: Callable[[float, str], None] | None,
    cancelled: Callable[[], bool] | None,
) -> ScoringSummary:
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

    computed = compute_scores(data, t_day, horizon, config, step)
    fit, churn, scores = computed.fit, computed.churn, computed.scores
    check, value_check = computed.check, computed.value_check
    step(0.76, "Explaining the scores")
    drivers = top_drivers(computed.features, churn.risk, data.conversations.names)
    del computed  # the features frame (a million customers: 700 MB) is not written

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
        "value_check": value_check.to_dict() if value_check else None,
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
        "clv_months": config.clv_months,  # T: what clv_12m_cents holds (the T-month value)
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
    # The larger page cache for the earlier snapshots' delete too.
    with translate_db_errors(), engine.begin() as conn, write_cache(conn):
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
        stale_sources=_stale_sources(engine, as_of),
    )


def _stale_sources(engine: Engine, as_of: dt.date) -> tuple[str, ...]:
    """The late or stale sources' sentences when the scores are of the present (as of
    yesterday or later): a scoring as of a past date used only what came before it."""
    from services.freshness.report import freshness_report

    now = dt.datetime.now(dt.UTC)
    if as_of < now.date() - dt.timedelta(days=1):
        return ()
    return freshness_report(engine, now=now).notice_lines


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


def _components_json(scores: CustomerScores, rows: IntArray) -> list[str]:
    """{"engagement": {component: points}, "health": {...}} per customer of ``rows``
    (null = missing)."""
    engagement = _json_objects({k: v[rows] for k, v in scores.engagement_points.items()}, 2)
    health = _json_objects({k: v[rows] for k, v in scores.health_points.items()}, 2)
    return [
        '{"engagement":' + e + ',"health":' + h + "}"
        for e, h in zip(engagement, health, strict=True)
    ]


def _drivers_json(drivers: DriverTable, rows: IntArray) -> list[str]:
    """The drivers of the customers of ``rows`` as JSON lists of {"text", "direction",
    "weight"}, heaviest first.

    Driver texts are made of fixed words, numbers and month names (drivers.py), so they
    hold no quotes or backslashes that would need escaping.
    """
    text, direction, weight = drivers.text[rows], drivers.direction[rows], drivers.weight[rows]
    slots = []
    for i in range(text.shape[1]):
        texts = text[:, i].tolist()
        directions = direction[:, i].tolist()
        weights = weight[:, i].astype(str).tolist()
        slots.append(
            [
                f'{{"text":"{t}","direction":"{d}","weight":{w}}}'
                for t, d, w in zip(texts, directions, weights, strict=True)
            ]
        )
    # Drivers fill the slots from the first; an empty text ends the list.
    counts = (text != "").sum(axis=1).tolist()
    return ["[" + ",".join(parts[:k]) + "]" for k, *parts in zip(counts, *slots, strict=True)]


def _snapshot_columns(
    customer_ids: npt.NDArray[np.int64], scores: CustomerScores, drivers: DriverTable
) -> Callable[[int, int], dict[str, list[Any]]]:
    """The snapshot columns of the customers from ``start`` to ``stop``, as Python values:
    built a chunk at a time, so a million customers never hold them all at once.

    Rows come in the order of the customer ids (not the scoring's stable order): the
    index on (customer_id, as_of) and the customers' key then take them in sequence
    instead of at random, so SQLite's pages are not read and spilled again and again (with
    the larger page cache, a million customers' insert took 44.5 -> 19.8 s of CPU)."""
    order = np.argsort(customer_ids, kind="stable")

    def chunk(start: int, stop: int) -> dict[str, list[Any]]:
        rows = order[start:stop]
        s, iv = scores, scores.intervals
        return {
            "customer_id": customer_ids[rows].tolist(),
            "engagement_score": _num(s.engagement[rows], 1),
            "churn_risk": _num(s.churn[rows], 4),
            "predicted_orders": _num(s.predicted_orders[rows], 3),
            "predicted_revenue_cents": _cents(s.predicted_revenue[rows]),
            "clv_12m_cents": _cents(s.clv[rows]),
            "segment": s.segment[rows].tolist(),
            "health_score": _num(s.health[rows], 1),
            "confidence": s.confidence[rows].tolist(),
            "drivers": _drivers_json(drivers, rows),
            "p_alive": _num(s.p_alive[rows], 4),
            "revenue_at_risk_cents": _cents(s.at_risk[rows]),
            "components": _components_json(s, rows),
            "churn_risk_low": _num(iv.churn_low[rows], 4),
            "churn_risk_high": _num(iv.churn_high[rows], 4),
            "predicted_orders_low": _num(iv.orders_low[rows], 3),
            "predicted_orders_high": _num(iv.orders_high[rows], 3),
            "clv_12m_low_cents": _cents(iv.clv_low[rows]),
            "clv_12m_high_cents": _cents(iv.clv_high[rows]),
        }

    return chunk


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
    scores: CustomerScores,
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

    constants: dict[str, Any] = {
        "as_of": as_of,
        "horizon_days": horizon,
        "model_version": MODEL_VERSION,
        "created_at": finished,
        "scoring_run_id": run_id,
    }
    insert_snapshots(
        conn, _snapshot_columns(data.customer_ids, scores, drivers), constants, data.n, step
    )
    return run_id
