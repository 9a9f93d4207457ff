"""Reading stored scores back: for the customers table, the detail pane, the model report
and the export. SQLAlchemy stays in here; callers get numpy columns, frozen records
(services/core/records.py) or a DataFrame.

"Latest" means the finished scoring run with the latest as-of date (the latest run when
several share it): replaying a past date after scoring today leaves today's scores as
the current ones.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from models.db import translate_db_errors
from models.schema import AuditEvent, Customer, ScoreSnapshot, ScoringRun
from models.score_indexes import TABLE_SCORES
from services.core.account_names import name_map
from services.core.records import (
    CalibrationBin,
    CustomerScores,
    Driver,
    ModelReport,
    ScoreHistoryPoint,
)

if TYPE_CHECKING:
    import pandas as pd

# The customers table's scores: the columns migration 0020's covering index holds.
SCORE_COLUMNS = ("customer_id", *TABLE_SCORES)
# The value columns carry no horizon in their names (stable whatever T, setting
# scoring.clv_months): "value_horizon_months" states the run's T once, on every row.
EXPORT_COLUMNS = (
    "customer_id",
    "name",
    "email",
    "engagement_score",
    "churn_risk",
    "churn_risk_low",
    "churn_risk_high",
    "predicted_orders",
    "predicted_orders_low",
    "predicted_orders_high",
    "predicted_revenue",
    "value",
    "value_low",
    "value_high",
    "value_horizon_months",
    "segment",
    "health_score",
    "confidence",
    "revenue_at_risk",
    "top_driver",
    "as_of",
    "horizon_days",
)
_TEXT_COLUMNS = ("segment", "confidence")
# The snapshot's 80% intervals, in the order scores_frame reads them.
_INTERVAL_COLUMNS = (
    "churn_risk_low",
    "churn_risk_high",
    "predicted_orders_low",
    "predicted_orders_high",
    "clv_12m_low_cents",
    "clv_12m_high_cents",
)


def _latest_run_query() -> Any:
    return (
        select(ScoringRun.id)
        .where(ScoringRun.status == "finished")
        .order_by(ScoringRun.as_of.desc(), ScoringRun.id.desc())
        .limit(1)
    )


def latest_run_id(session: Session) -> int | None:
    """The id of the latest finished scoring run, or None when never scored."""
    value = session.scalar(_latest_run_query())
    return None if value is None else int(value)


def latest_run_stamp(session: Session) -> tuple[int, dt.date, dt.datetime | None] | None:
    """(id, as-of date, when it finished) of the latest finished scoring run, the run the
    screens show; None when never scored. One indexed row: cheap enough to ask often."""
    row = session.execute(
        select(ScoringRun.id, ScoringRun.as_of, ScoringRun.finished_at)
        .where(ScoringRun.status == "finished")
        .order_by(ScoringRun.as_of.desc(), ScoringRun.id.desc())
        .limit(1)
    ).first()
    return None if row is None else (int(row[0]), row[1], row[2])


def latest_scores_columns(
    session: Session, *, aligned: bool = True, customer_ids: np.ndarray | None = None
) -> dict[str, np.ndarray] | None:
    """The latest run's scores aligned with the customers table (ascending customer id),
    read in the caller's transaction.

    Float columns (NaN where a customer has no score: guests, customers added since);
    money columns in cents (float, NaN); "segment" and "confidence" object arrays
    (None). None when the workspace was never scored. aligned=False gives the snapshots'
    own rows instead ("customer_id" then says whose), for a caller that places them on
    customers it has already read; with customer_ids (and aligned=False), only theirs.
    """
    with translate_db_errors():
        return _latest_scores_columns(session.connection(), aligned, customer_ids)


def _latest_scores_columns(
    conn: Connection, aligned: bool, customer_ids: np.ndarray | None = None
) -> dict[str, np.ndarray] | None:
    run_id = conn.execute(_latest_run_query()).scalar()
    if run_id is None:
        return None
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        placeholder = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        sql = window_scores_sql(placeholder)
        if customer_ids is not None:
            # A first screenful's customers (ints from the database, written out).
            listed = ", ".join(str(int(c)) for c in customer_ids) or "NULL"
            sql += f" AND customer_id IN ({listed})"
        cursor.execute(sql, (int(run_id),))
        rows = cursor.fetchall()
    finally:
        cursor.close()
    # Rows straight into an object grid: at a million customers 1.9 s of CPU, where one
    # group_concat text of the numbers parsed by numpy took 2.9 s (SQLite's float to text).
    grid = np.empty((len(rows), len(SCORE_COLUMNS)), dtype=object)
    if rows:  # a run with no snapshots (every customer left out) has nothing to place
        grid[:] = rows
    keys = grid[:, 0].astype(np.int64)
    if not aligned:
        own = {"customer_id": keys}
        for i, name in enumerate(SCORE_COLUMNS[1:], start=1):
            own[name] = grid[:, i] if name in _TEXT_COLUMNS else grid[:, i].astype(np.float64)
        return own
    ids = _customer_ids(conn)
    n = ids.size
    out: dict[str, np.ndarray] = {"customer_id": ids}
    for name in SCORE_COLUMNS[1:]:
        out[name] = np.full(n, None, dtype=object) if name in _TEXT_COLUMNS else np.full(n, np.nan)
    if not rows or n == 0:
        return out
    pos = np.minimum(np.searchsorted(ids, keys), n - 1)
    ok = ids[pos] == keys
    for i, name in enumerate(SCORE_COLUMNS[1:], start=1):
        column = grid[ok, i]
        if name in _TEXT_COLUMNS:
            out[name][pos[ok]] = column
        else:
            out[name][pos[ok]] = column.astype(np.float64)  # None becomes NaN
    return out


def latest_stages(
    session: Session, customer_ids: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray] | None:
    """The latest run's stored lifecycle stages (services/lifecycle/stored.py): the
    customer ids (int64) and their stages' keys (object), only those with a stage; with
    customer_ids, only theirs. None when never scored. A read of its own beside the
    table's scores (the covering index of migration 0020 holds no stage): one column of
    the run's rows, ~0.05 s for 100,000 customers on SQLite."""
    with translate_db_errors():
        conn = session.connection()
        run_id = conn.execute(_latest_run_query()).scalar()
        if run_id is None:
            return None
        if conn.dialect.name == "sqlite" and customer_ids is None:
            # Two texts (both aggregates see the same rows in the same order), not a row
            # per customer: a third of the time on 100,000 customers.
            ids_text, stages_text = conn.exec_driver_sql(
                "SELECT group_concat(customer_id), group_concat(stage) FROM score_snapshots "
                "WHERE scoring_run_id = ? AND stage IS NOT NULL",
                (int(run_id),),
            ).one()
            if not ids_text:
                return np.zeros(0, np.int64), np.empty(0, dtype=object)
            keys = np.fromstring(ids_text, sep=",", dtype=np.int64)
            return keys, np.array(stages_text.split(","), dtype=object)
        query = select(ScoreSnapshot.customer_id, ScoreSnapshot.stage).where(
            ScoreSnapshot.scoring_run_id == int(run_id), ScoreSnapshot.stage.is_not(None)
        )
        if customer_ids is not None:
            query = query.where(ScoreSnapshot.customer_id.in_([int(c) for c in customer_ids]))
        rows = conn.execute(query).all()
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    stages = np.empty(len(rows), dtype=object)
    stages[:] = [r[1] for r in rows]
    return ids, stages


def window_sort_scores(session: Session) -> tuple[np.ndarray, np.ndarray] | None:
    """The latest run's customer ids and revenue at risk in cents (float64), the customers
    table's default order, read as two texts of numbers (SQLite) rather than a million
    rows; snapshots with no revenue at risk are left out. None when never scored."""
    with translate_db_errors():
        conn = session.connection()
        run_id = conn.execute(_latest_run_query()).scalar()
        if run_id is None:
            return None
        if conn.dialect.name != "sqlite":
            rows = conn.exec_driver_sql(
                "SELECT customer_id, revenue_at_risk_cents FROM score_snapshots "
                "WHERE scoring_run_id = %(run)s AND revenue_at_risk_cents IS NOT NULL",
                {"run": int(run_id)},
            ).all()
            grid = np.array(rows, dtype=np.float64).reshape(len(rows), 2)
            return grid[:, 0].astype(np.int64), grid[:, 1]
        # Both aggregates see the same rows in the same order: the two lists line up.
        ids, cents = conn.exec_driver_sql(
            "SELECT group_concat(customer_id), group_concat(revenue_at_risk_cents) "
            "FROM score_snapshots WHERE scoring_run_id = ? AND revenue_at_risk_cents IS NOT NULL",
            (int(run_id),),
        ).one()
    if not ids:
        return np.zeros(0, np.int64), np.zeros(0, np.float64)
    return (
        np.fromstring(ids, sep=",", dtype=np.int64),
        # Integer affinity: whole numbers, parsed as such (cheaper than as floats).
        np.fromstring(cents, sep=",", dtype=np.int64).astype(np.float64),
    )


def _customer_ids(conn: Connection) -> np.ndarray:
    """Every customer's id, ascending, int64."""
    if conn.dialect.name == "sqlite":
        # One text of numbers: a million ids without a million Python rows.
        text = conn.exec_driver_sql("SELECT group_concat(id) FROM customers").scalar()
        if not text:
            return np.zeros(0, np.int64)
        return np.sort(np.fromstring(text, sep=",", dtype=np.int64))
    ids = np.array(conn.execute(select(Customer.id).order_by(Customer.id)).scalars().all())
    return ids.astype(np.int64) if ids.size else np.zeros(0, np.int64)


def window_scores_sql(placeholder: str = "?") -> str:
    """The read of one run's scores for the customers table (the run's id bound to the
    placeholder), served by the covering index ix_score_snapshots_run_table alone
    (migration 0020): a tenth of the pages the snapshot rows take."""
    return (
        f"SELECT {', '.join(SCORE_COLUMNS)} FROM score_snapshots "
        f"WHERE scoring_run_id = {placeholder}"
    )


# --- one customer ----------------------------------------------------------------------------


def _drivers(value: Any) -> tuple[Driver, ...]:
    items = _json(value) or []
    drivers = []
    for item in items:
        if isinstance(item, dict) and item.get("text"):
            drivers.append(
                Driver(
                    text=str(item["text"]),
                    direction=str(item.get("direction") or "risk"),
                    weight=float(item.get("weight") or 0.0),
                )
            )
    return tuple(drivers)


def _components(value: Any) -> dict[str, dict[str, float]]:
    data = _json(value) or {}
    out: dict[str, dict[str, float]] = {}
    for group in ("engagement", "health"):
        parts = data.get(group) if isinstance(data, dict) else None
        if isinstance(parts, dict):
            out[group] = {k: float(v) for k, v in parts.items() if v is not None}
    return out


def _json(value: Any) -> Any:
    # The JSON type decodes stored text; raw text (another writer) is decoded here.
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def _as_record(
    row: ScoreSnapshot, previous: CustomerScores | None, currency: str = "USD", months: int = 12
) -> CustomerScores:
    return CustomerScores(
        as_of=row.as_of,
        horizon_days=row.horizon_days,
        engagement_score=row.engagement_score,
        churn_risk=row.churn_risk,
        health_score=row.health_score,
        predicted_orders=row.predicted_orders,
        predicted_revenue_cents=row.predicted_revenue_cents,
        clv_12m_cents=row.clv_12m_cents,
        revenue_at_risk_cents=row.revenue_at_risk_cents,
        p_alive=row.p_alive,
        segment=row.segment,
        confidence=row.confidence,
        drivers=_drivers(row.drivers),
        components=_components(row.components),
        previous=previous,
        currency=currency,
        churn_risk_low=row.churn_risk_low,
        churn_risk_high=row.churn_risk_high,
        predicted_orders_low=row.predicted_orders_low,
        predicted_orders_high=row.predicted_orders_high,
        clv_12m_low_cents=row.clv_12m_low_cents,
        clv_12m_high_cents=row.clv_12m_high_cents,
        clv_months=months,
    )


def customer_scores(session: Session, customer_id: int) -> CustomerScores | None:
    """A customer's latest snapshot, with the one before it (same horizon) for trends."""
    with translate_db_errors():
        latest = session.scalars(
            select(ScoreSnapshot)
            .where(ScoreSnapshot.customer_id == customer_id)
            .order_by(ScoreSnapshot.as_of.desc(), ScoreSnapshot.id.desc())
            .limit(1)
        ).first()
        if latest is None:
            return None
        before = session.scalars(
            select(ScoreSnapshot)
            .where(
                ScoreSnapshot.customer_id == customer_id,
                ScoreSnapshot.horizon_days == latest.horizon_days,
                ScoreSnapshot.as_of < latest.as_of,
            )
            .order_by(ScoreSnapshot.as_of.desc(), ScoreSnapshot.id.desc())
            .limit(1)
        ).first()
        currency = run_currency(session, latest.scoring_run_id)
        previous = (
            _as_record(before, None, currency, value_months(session, before.scoring_run_id))
            if before is not None
            else None
        )
        return _as_record(latest, previous, currency, value_months(session, latest.scoring_run_id))


def run_currency(session: Session, run_id: int | None) -> str:
    """The currency a scoring run's money is in (runs from before currencies: the home
    currency now)."""
    from services.core.money import load_money_context

    params = session.scalar(select(ScoringRun.params).where(ScoringRun.id == run_id))
    params = _json(params)
    if isinstance(params, dict) and params.get("currency"):
        return str(params["currency"])
    return load_money_context(session).home


def value_months(session: Session, run_id: int | None = None) -> int:
    """T of a scoring run's T-month value (the latest finished run by default; 12 when
    never scored or for runs made before the setting): what its value is named after."""
    from services.core.clv_words import run_clv_months

    if run_id is None:
        run_id = session.scalar(_latest_run_query())
    params = session.scalar(select(ScoringRun.params).where(ScoringRun.id == run_id))
    params = _json(params)
    return run_clv_months(params if isinstance(params, dict) else None)


def score_history(session: Session, customer_id: int) -> tuple[ScoreHistoryPoint, ...]:
    """A customer's snapshots over time (the horizon of the latest one), oldest first."""
    with translate_db_errors():
        horizon = session.scalar(
            select(ScoreSnapshot.horizon_days)
            .where(ScoreSnapshot.customer_id == customer_id)
            .order_by(ScoreSnapshot.as_of.desc(), ScoreSnapshot.id.desc())
            .limit(1)
        )
        if horizon is None:
            return ()
        rows = session.execute(
            select(
                ScoreSnapshot.as_of,
                ScoreSnapshot.engagement_score,
                ScoreSnapshot.churn_risk,
                ScoreSnapshot.health_score,
                ScoringRun.config_version,
            )
            .outerjoin(ScoringRun, ScoringRun.id == ScoreSnapshot.scoring_run_id)
            .where(
                ScoreSnapshot.customer_id == customer_id,
                ScoreSnapshot.horizon_days == horizon,
            )
            .order_by(ScoreSnapshot.as_of, ScoreSnapshot.id)
        ).all()
    by_day: dict[dt.date, ScoreHistoryPoint] = {}
    for as_of, engagement, churn, health, version in rows:  # the last of a day wins
        by_day[as_of] = ScoreHistoryPoint(
            as_of=as_of,
            engagement_score=engagement,
            churn_risk=churn,
            health_score=health,
            config_version=int(version or 0),
        )
    return tuple(by_day.values())


# --- runs -------------------------------------------------------------------------------


def config_changes(session: Session) -> tuple[tuple[dt.date, int], ...]:
    """(date, config_version) of every scoring or alert setting change, oldest first."""
    rows = session.execute(
        select(AuditEvent.occurred_at, AuditEvent.details)
        .where(AuditEvent.action == "settings.changed")
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    ).all()
    out = []
    for occurred_at, details in rows:
        version = (details or {}).get("config_version") if isinstance(details, dict) else None
        if version is not None:
            out.append((occurred_at.date(), int(version)))
    return tuple(out)


def model_report(session: Session, run_id: int | None = None) -> ModelReport | None:
    """A scoring run's models and backtest (the latest finished run by default)."""
    with translate_db_errors():
        if run_id is None:
            run_id = latest_run_id(session)
            if run_id is None:
                return None
        run = session.get(ScoringRun, run_id)
        if run is None:
            return None
        changes = config_changes(session)
    params = run.params or {}
    backtest = run.backtest or {}
    cutoff = backtest.get("cutoff")
    calibration = tuple(
        CalibrationBin(
            predicted=float(b["predicted"]), observed=float(b["observed"]), count=int(b["count"])
        )
        for b in backtest.get("calibration", [])
    )
    models = backtest.get("models", {})
    baseline = {
        name: {k: float(v) for k, v in figures.items()}
        for name, figures in models.items()
        if name != run.chosen_model
    }
    return ModelReport(
        run_id=run.id,
        as_of=run.as_of,
        horizon_days=run.horizon_days,
        finished_at=run.finished_at or run.started_at,
        customers=run.customers,
        chosen_model=run.chosen_model or "",
        model_version=run.model_version or "",
        config_version=run.config_version,
        backtest_cutoff=dt.date.fromisoformat(cutoff) if cutoff else None,
        auc=backtest.get("auc"),
        brier=backtest.get("brier"),
        lift_top_decile=backtest.get("lift_top_decile"),
        baseline=baseline,
        calibration=calibration,
        bgnbd=dict(params.get("bgnbd") or {}),
        gamma_gamma=dict(params.get("gamma_gamma") or {}),
        bridged=params.get("bridged"),
        # The reason and the bridging have fields of their own.
        notes=tuple(
            line
            for line in (run.notes or "").splitlines()
            if line.strip() and line not in (params.get("reason"), params.get("bridged"))
        ),
        config_changes=changes,
        reason=str(params.get("reason") or ""),
        backtest_horizon_days=backtest.get("label_days"),
        currency=str(params.get("currency") or "USD"),
        orders_backtest=dict(backtest.get("orders") or {}),
        paretonbd=dict(params.get("paretonbd") or {}),
    )


def scores_frame(session: Session, run_id: int | None = None) -> pd.DataFrame:
    """One row per customer of a run (the latest by default) with the export columns
    of docs/design.md section 10; money in major units. Empty when never scored."""
    import pandas as pd

    with translate_db_errors():
        if run_id is None:
            run_id = latest_run_id(session)
        if run_id is None:
            return pd.DataFrame(columns=list(EXPORT_COLUMNS))
        top_driver = ScoreSnapshot.drivers[(0, "text")].as_string()
        rows = session.execute(
            select(
                Customer.external_id,
                Customer.email,
                Customer.id,
                Customer.name,
                ScoreSnapshot.engagement_score,
                ScoreSnapshot.churn_risk,
                ScoreSnapshot.predicted_orders,
                ScoreSnapshot.predicted_revenue_cents,
                ScoreSnapshot.clv_12m_cents,
                ScoreSnapshot.segment,
                ScoreSnapshot.health_score,
                ScoreSnapshot.confidence,
                ScoreSnapshot.revenue_at_risk_cents,
                top_driver,
                ScoreSnapshot.as_of,
                ScoreSnapshot.horizon_days,
                *(getattr(ScoreSnapshot, c) for c in _INTERVAL_COLUMNS),
            )
            .join(Customer, Customer.id == ScoreSnapshot.customer_id)
            .where(ScoreSnapshot.scoring_run_id == run_id)
            .order_by(Customer.id)
        ).all()
        months = value_months(session, run_id)
        named = name_map(session)  # the accounts' names (services/core/account_names.py)
    frame = pd.DataFrame(
        rows,
        columns=[
            "external_id",
            "email",
            "id",
            "name",
            "engagement_score",
            "churn_risk",
            "predicted_orders",
            "predicted_revenue_cents",
            "clv_12m_cents",
            "segment",
            "health_score",
            "confidence",
            "revenue_at_risk_cents",
            "top_driver",
            "as_of",
            "horizon_days",
            *_INTERVAL_COLUMNS,
        ],
    )
    frame["name"] = [named.get(int(i), n) for i, n in zip(frame["id"], frame["name"], strict=True)]
    # The source's external id, else the email, else our own id (never blank).
    key = frame["external_id"].where(frame["external_id"].notna(), frame["email"])
    frame["customer_id"] = key.where(key.notna(), frame["id"].astype(str))
    for cents, major in (
        ("predicted_revenue_cents", "predicted_revenue"),
        ("clv_12m_cents", "value"),
        ("revenue_at_risk_cents", "revenue_at_risk"),
        ("clv_12m_low_cents", "value_low"),
        ("clv_12m_high_cents", "value_high"),
    ):
        frame[major] = pd.to_numeric(frame[cents], errors="coerce").astype(float) / 100.0
    # The stored clv_12m_* columns hold the value over the run's T months, whatever T.
    frame["value_horizon_months"] = months
    for name in ("engagement_score", "churn_risk", "predicted_orders", "health_score") + (
        _INTERVAL_COLUMNS[:4]
    ):
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype(float)
    return frame.loc[:, list(EXPORT_COLUMNS)].reset_index(drop=True)
