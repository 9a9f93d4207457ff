"""Who to contact: each customer's uplift, estimated from the past exposures.

The past exposures are Learn's (services/learn/data.py: the contacted and the held-out
alerts, each customer once, attributed over ``learn.attribution_days`` as Results counts
them); only those whose window has closed teach the model. Each is described by the
features scoring computes (services/scoring/features.py) as of the alert: on the last
day of a fixed weekly grid before the alert was raised, so that nothing the customer did
after the alert is seen, and one feature table serves every alert of a week.

The estimate is computed on demand (a few tenths of a second on a book of thousands of
alerts), never stored: it changes with every closed window and every scoring. Today's
estimates are for the customers with an active alert, described as of the latest
scoring's date (today without one). services/learn/uplift_model.py holds the model and
says how each estimate is shrunk toward the average lift measured on the past exposures
(contacted return rate minus held-out return rate, Newcombe's 90% interval), and
services/learn/uplift_records.py when the estimates may be shown as a ranking
(``UpliftReport.ranks``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from models.vocab import ACTIVE_ALERT_STATUSES
from services.alerts._db import columns, fetch, floats, reading
from services.alerts.inputs import latest_run
from services.alerts.lifecycle import moment
from services.core._stable import stable_hashes, stable_keys
from services.learn.attribution import CONTACTED, attribute
from services.learn.data import load_learn_data
from services.learn.lift import newcombe_interval, proportion_lift
from services.learn.uplift_model import (
    FOLDS,
    Cancelled,
    FloatArray,
    IntArray,
    cross_fitted,
    prepare,
    qini_band,
    qini_curve,
    shrunk_estimates,
    stop_if,
)
from services.learn.uplift_records import (
    DISTRIBUTION_EDGES,
    MIN_CONTACTED,
    MIN_HELD_OUT,
    MIN_RETURNS,
    UpliftBar,
    UpliftEstimate,
    UpliftReport,
    not_enough_words,
)
from services.scoring.data import ScoringData, day_number, load_scoring_data
from services.scoring.features import compute_features
from services.settings.views import LearnSettings

# The model's inputs (a subset of scoring's MODEL_FEATURES that every book has) and
# which of them are counts or amounts (log-scaled).
FEATURES = (
    "recency_days",
    "purchase_days",
    "orders_total",
    "tenure_days",
    "spend_total",
    "avg_order_value",
    "last_order_value",
    "gap_mean",
    "gap_last",
    "overdue_ratio",
    "purchases_365",
    "spend_365",
    "open_rate_180",
    "days_since_open",
)
_LOGGED = np.array([f not in ("overdue_ratio", "open_rate_180") for f in FEATURES])
_WEEK = 7


def uplift_report(
    engine: Engine, now: dt.datetime | None = None, *, cancelled: Cancelled | None = None
) -> UpliftReport:
    """The uplift model's Qini curves on the past exposures and today's estimates.

    ``cancelled`` is asked between the reads and between the refits: once it says True the
    fit stops with UpliftCancelled (closing the window does not wait minutes for a fit at
    a million customers)."""
    when = moment(now)
    with reading(engine) as conn, Session(bind=conn) as session:
        window = LearnSettings.read(session).attribution_days
        data = load_learn_data(session)
        run = latest_run(session)
        counted = attribute(data.exposures, data.orders, window, as_of=when.replace(tzinfo=None))
        past = counted[counted["counted"]].copy()
        past = _stable(conn, past)
        past["risk"] = _risks(conn, past, run.id if run else None)
        active = _active_customers(conn)
        folds = (stable_hashes(conn, past["customer_id"].to_numpy(np.int64)) % FOLDS).astype(
            np.int64
        )
    stop_if(cancelled)
    contacted = (past["group"] == CONTACTED).to_numpy()
    returned = past["reengaged"].to_numpy(bool)
    report = UpliftReport(
        enough=False,
        reason="",
        window_days=window,
        contacted=int(contacted.sum()),
        held_out=int((~contacted).sum()),
        contacted_returns=int((returned & contacted).sum()),
        held_out_returns=int((returned & ~contacted).sum()),
    )
    if not _enough(report):
        return _with(report, reason=not_enough_words(report))
    today = run.as_of if run is not None else when.date()
    stop_if(cancelled)
    scoring = load_scoring_data(engine, until_day=day_number(today))
    stop_if(cancelled)
    x = _past_features(scoring, past)
    scores = cross_fitted(x, contacted, returned, folds, cancelled)
    risks = past["risk"].to_numpy(np.float64)
    stop_if(cancelled)
    now_x = _features_at(scoring, active, day_number(today))
    known = ~np.isnan(now_x).all(axis=1)
    ids, rows = active[known], now_x[known]
    lift, lift_low, lift_high = (
        float(v)
        for v in newcombe_interval(
            report.contacted_returns,
            report.contacted,
            report.held_out_returns,
            report.held_out,
            confidence=0.90,
        )
    )
    pooled = (lift, lift_low, lift_high)
    n = len(x)
    # The past exposures (for checking against a truth) and today's customers: each
    # group's estimates average within the measured lift's interval.
    groups = np.repeat(np.array([0, 1], np.int64), [n, len(rows)])
    uplift, up_low, up_high, slope, slope_se = shrunk_estimates(
        x, contacted, returned, scores, pooled, np.concatenate([x, rows]), groups, cancelled
    )
    estimates = tuple(
        UpliftEstimate(int(c), float(u), float(lo), float(hi))
        for c, u, lo, hi in zip(
            ids.tolist(),
            uplift[n:].tolist(),
            up_low[n:].tolist(),
            up_high[n:].tolist(),
            strict=True,
        )
    )
    low, high = qini_band(scores, contacted, returned, cancelled)
    # The measured lift as every surface states it: Results ▸ Outreach's re-engagement
    # lift (services.learn.lift.proportion_lift, its 95% interval); the bands above pool
    # with its 90% interval, their own level.
    said = proportion_lift(
        report.contacted_returns, report.contacted, report.held_out_returns, report.held_out
    )
    return _with(
        report,
        lift=said.lift,
        lift_low=said.low,
        lift_high=said.high,
        slope=slope,
        slope_se=slope_se,
        past_uplift=tuple(uplift[:n].tolist()),
        past_low=tuple(up_low[:n].tolist()),
        past_high=tuple(up_high[:n].tolist()),
        enough=True,
        model_curve=qini_curve(scores, contacted, returned),
        qini_low=low,
        qini_high=high,
        risk_curve=None if np.isnan(risks).any() else qini_curve(risks, contacted, returned),
        past_alerts=tuple(past["alert_id"].astype(int).tolist()),
        past_customers=tuple(past["customer_id"].astype(int).tolist()),
        past_contacted=tuple(contacted.tolist()),
        past_returned=tuple(returned.tolist()),
        past_scores=tuple(scores.tolist()),
        past_risks=tuple(risks.tolist()),
        estimates=estimates,
        bars=distribution(estimates),
    )


def _with(report: UpliftReport, **changes: object) -> UpliftReport:
    from dataclasses import replace

    return replace(report, **changes)  # type: ignore[arg-type]


def _enough(report: UpliftReport) -> bool:
    return (
        report.contacted >= MIN_CONTACTED
        and report.held_out >= MIN_HELD_OUT
        and report.contacted_returns >= MIN_RETURNS
        and report.held_out_returns >= MIN_RETURNS
        and report.contacted - report.contacted_returns >= MIN_RETURNS
        and report.held_out - report.held_out_returns >= MIN_RETURNS
    )


def _stable(conn: Connection, past: pd.DataFrame) -> pd.DataFrame:
    """The exposures ordered by their customer's stable key (each customer counts once),
    never by ids that follow insertion order."""
    past = past.reset_index(drop=True)
    keys = stable_keys(conn, past["customer_id"].to_numpy(np.int64))
    order = np.argsort(keys.astype(str), kind="stable")
    return past.iloc[order].reset_index(drop=True)


def _risks(conn: Connection, past: pd.DataFrame, run_id: int | None) -> np.ndarray:
    """Each exposure's churn risk: the scoring its alert was raised from, else the
    latest scoring's (NaN: neither)."""
    rows = fetch(
        conn,
        "SELECT a.id, s.churn_risk FROM alerts a JOIN score_snapshots s "
        "ON s.id = a.score_snapshot_id WHERE s.churn_risk IS NOT NULL",
    )
    ids, risk = columns(rows, 2)
    by_alert = dict(zip(ids.astype(np.int64).tolist(), floats(risk).tolist(), strict=True))
    latest: dict[int, float] = {}
    if run_id is not None:
        rows = fetch(
            conn,
            "SELECT customer_id, churn_risk FROM score_snapshots "
            "WHERE scoring_run_id = ? AND churn_risk IS NOT NULL",
            (run_id,),
        )
        cust, risk = columns(rows, 2)
        latest = dict(zip(cust.astype(np.int64).tolist(), floats(risk).tolist(), strict=True))
    return np.array(
        [
            by_alert.get(a, latest.get(c, np.nan))
            for a, c in zip(
                past["alert_id"].astype(int).tolist(),
                past["customer_id"].astype(int).tolist(),
                strict=True,
            )
        ],
        dtype=np.float64,
    )


def _active_customers(conn: Connection) -> IntArray:
    """The customers with an active alert, by id."""
    marks = ", ".join("?" * len(ACTIVE_ALERT_STATUSES))
    rows = fetch(
        conn,
        f"SELECT DISTINCT customer_id FROM alerts WHERE status IN ({marks})",
        ACTIVE_ALERT_STATUSES,
    )
    (ids,) = columns(rows, 1)
    out: IntArray = np.sort(ids.astype(np.int64))
    return out


def _features_at(scoring: ScoringData, customers: IntArray, cutoff: int) -> FloatArray:
    """The model's features of ``customers`` as of ``cutoff`` (NaN rows: not scored)."""
    out = np.full((len(customers), len(FEATURES)), np.nan)
    if len(customers) == 0:
        return out
    table = compute_features(scoring, cutoff)
    where = pd.Index(scoring.customer_ids).get_indexer(customers)
    found = where >= 0
    out[found] = table[list(FEATURES)].to_numpy(np.float64)[where[found]]
    return prepare(out, _LOGGED)


def _past_features(scoring: ScoringData, past: pd.DataFrame) -> FloatArray:
    """Each exposure's features as of the weekly cutoff before its alert."""
    created = pd.to_datetime(past["alert_created"], utc=True).dt.tz_localize(None)
    days = (created.dt.normalize() - pd.Timestamp("1970-01-01")).dt.days.to_numpy(np.int64)
    epoch = day_number(dt.date(1970, 1, 1))
    cutoff = days + epoch - 1
    cutoff = cutoff - (cutoff % _WEEK)
    customers = past["customer_id"].to_numpy(np.int64)
    out = np.full((len(past), len(FEATURES)), np.nan)
    for day in np.unique(cutoff).tolist():
        rows = np.flatnonzero(cutoff == day)
        out[rows] = _features_at(scoring, customers[rows], int(day))
    return out


def distribution(estimates: Sequence[UpliftEstimate]) -> tuple[UpliftBar, ...]:
    """The estimates in bars of DISTRIBUTION_EDGES (points), each with its customers."""
    edges = list(DISTRIBUTION_EDGES)
    points = np.array([e.uplift * 100 for e in estimates])
    ids = np.array([e.customer_id for e in estimates], dtype=np.int64)
    which = np.searchsorted(np.array(edges), points, side="right")
    bars = []
    for k in range(len(edges) + 1):
        low = edges[k - 1] if k > 0 else None
        high = edges[k] if k < len(edges) else None
        bars.append(UpliftBar(low, high, tuple(sorted(ids[which == k].tolist()))))
    return tuple(bars)


def customer_names(engine: Engine, customer_ids: Sequence[int]) -> dict[int, str]:
    """The names of some accounts, by id (for the command line's table), as every screen
    names them (services/core/account_names.py)."""
    from sqlalchemy.orm import Session

    from services.core.account_names import name_map

    with reading(engine) as conn, Session(bind=conn) as session:
        return name_map(session, customer_ids)
