"""The dashboard's figures (``dashboard``) from the latest scores and the alerts: the
at-risk share, revenue at risk, alerts by severity and age, score distributions,
segments, and trends over the stored scorings.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from models.vocab import SEVERITIES
from services.alerts._db import STATUS_SQL, columns, fetch, reading, stamp, timestamps
from services.alerts.at_risk import at_risk_mask, at_risk_threshold, lost_mask
from services.alerts.inputs import latest_run
from services.alerts.lifecycle import moment
from services.alerts.records import (
    ALERT_AGE_BUCKETS,
    HISTOGRAM_EDGES,
    AgeBucket,
    Dashboard,
    Histogram,
    SegmentFigures,
    TrendPoint,
)
from services.alerts.risk_bands import at_risk_sql
from services.scoring.queries import latest_scores_columns
from services.scoring.rfm import SEGMENTS


def dashboard(engine: Engine, *, now: dt.datetime | None = None) -> Dashboard | None:
    """The dashboard's figures from the latest scores and the alerts; None when the
    workspace was never scored.

    "At risk" means a churn risk at or above the high-risk rule's threshold (setting
    alerts.high_risk_high_value.min_churn_risk, 60% by default), not counting the
    customers of segment Lost (risk_bands.at_risk_sql and is_at_risk), in the headline and in the
    trend alike. Alert ages are whole days (records.ALERT_AGE_BUCKETS, as the alert list
    counts them); score bands are records.HISTOGRAM_EDGES. Trends have one point per
    stored scoring of the latest horizon (its latest run per as-of date).
    """
    when = moment(now)
    with reading(engine) as conn, Session(bind=conn) as session:
        run = latest_run(session)
        if run is None:
            return None
        threshold = at_risk_threshold(session)
        scores = latest_scores_columns(session)
        assert scores is not None
        churn = scores["churn_risk"]
        scored = ~np.isnan(churn)
        at_risk = np.nan_to_num(scores["revenue_at_risk_cents"])
        high_risk = scored & (np.nan_to_num(churn) >= threshold)
        gone = lost_mask(scores["segment"])
        risky = at_risk_mask(churn, scores["segment"], threshold)
        at = stamp(conn, when)
        status = STATUS_SQL
        severity_rows = fetch(
            conn,
            f"SELECT a.severity, a.created_at FROM alerts a WHERE {status} IN ('open', "
            "'in_progress')",
            (at,),
        )
        alerted = {
            int(c)
            for (c,) in fetch(
                conn,
                f"SELECT DISTINCT a.customer_id FROM alerts a WHERE {status} IN ('open', "
                "'in_progress')",
                (at,),
            )
        }
        trend_rows = fetch(
            conn,
            "SELECT r.id, r.as_of, COUNT(*), AVG(s.churn_risk), "
            f"AVG(CASE WHEN {at_risk_sql('s.churn_risk', 's.segment', '?')} "
            "THEN 1.0 ELSE 0.0 END), "
            "SUM(s.revenue_at_risk_cents), AVG(s.engagement_score), AVG(s.health_score) "
            "FROM score_snapshots s JOIN scoring_runs r ON r.id = s.scoring_run_id "
            "WHERE r.status = 'finished' AND r.horizon_days = ? GROUP BY r.id, r.as_of "
            "ORDER BY r.as_of, r.id",
            (threshold, run.horizon_days),
        )
    ids = scores["customer_id"]
    in_alert = np.isin(ids, np.fromiter(alerted, np.int64, count=len(alerted)))
    severity, created = columns(severity_rows, 2)
    customers = int(scored.sum())
    return Dashboard(
        as_of=run.as_of,
        horizon_days=run.horizon_days,
        customers=customers,
        at_risk_threshold=threshold,
        at_risk_customers=int(risky.sum()),
        at_risk_share=float(risky.sum()) / customers if customers else 0.0,
        revenue_at_risk_cents=int(round(float(at_risk[scored].sum()))),
        alerted_revenue_at_risk_cents=int(round(float(at_risk[scored & in_alert].sum()))),
        alerts_by_severity={name: int(np.sum(severity == name)) for name in SEVERITIES},
        alerts_by_age=_age_buckets(severity, created, when),
        distributions=_distributions(scores),
        segments=_segments(scores["segment"], at_risk),
        trend=_trend(trend_rows),
        lost_at_risk_customers=int((high_risk & gone).sum()),
    )


def _age_buckets(severity: Any, created: Any, when: dt.datetime) -> tuple[AgeBucket, ...]:
    """The open alerts by age (records.ALERT_AGE_BUCKETS), each by severity."""
    # Whole days of 24 hours since raised, as the alert list counts them (never below 0).
    age_days = (
        np.maximum(
            (pd.Timestamp(when) - timestamps(created)).total_seconds().to_numpy() // 86_400, 0
        )
        if len(created)
        else np.zeros(0)
    )
    buckets = []
    for label, low, high in ALERT_AGE_BUCKETS:
        inside = age_days >= low if high is None else (age_days >= low) & (age_days <= high)
        picked = severity[inside]
        buckets.append(AgeBucket(label, {name: int(np.sum(picked == name)) for name in SEVERITIES}))
    return tuple(buckets)


def _distributions(scores: Any) -> dict[str, Histogram]:
    """The scores' histograms, on the bands of records.HISTOGRAM_EDGES."""
    distributions = {}
    for name, edges in HISTOGRAM_EDGES.items():
        values = scores[name]
        # Explicit edges: each band [low, high), the last one with its top value.
        counts, _ = np.histogram(values[~np.isnan(values)], bins=np.asarray(edges))
        distributions[name] = Histogram(edges=edges, counts=tuple(int(c) for c in counts))
    return distributions


def _segments(segment: Any, at_risk: Any) -> tuple[SegmentFigures, ...]:
    """Each segment with customers: how many, and their revenue at risk."""
    return tuple(
        SegmentFigures(
            segment=name,
            customers=int(np.sum(segment == name)),
            revenue_at_risk_cents=int(round(float(at_risk[segment == name].sum()))),
        )
        for name in SEGMENTS
        if np.any(segment == name)
    )


def _trend(trend_rows: Any) -> tuple[TrendPoint, ...]:
    """One point per as-of date, oldest first: the latest run of a day wins."""
    by_day: dict[dt.date, TrendPoint] = {}
    for run_id, as_of, count, mean, share, risk, engagement, health in trend_rows:
        day = as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(str(as_of))
        by_day[day] = TrendPoint(  # the latest run of a day wins
            as_of=day,
            run_id=int(run_id),
            customers=int(count),
            mean_churn_risk=_float(mean),
            at_risk_share=_float(share),
            revenue_at_risk_cents=int(round(float(risk or 0))),
            mean_engagement=_float(engagement),
            mean_health=_float(health),
        )
    return tuple(by_day[d] for d in sorted(by_day))


def _float(value: Any) -> float | None:
    return None if value is None else float(value)
