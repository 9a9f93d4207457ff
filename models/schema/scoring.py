"""The scoring runs and the scores each one gave every customer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, JSONType, UTCDateTime, utcnow
from models.schema.keys import fk
from models.score_indexes import TABLE_SCORES_INDEX


class ScoringRun(Base):
    """One scoring run: as-of date, horizon, fitted parameters, chosen model and backtest."""

    __tablename__ = "scoring_runs"
    __table_args__ = (Index("ix_scoring_runs_asof", "as_of", "horizon_days"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[dt.date] = mapped_column(Date)
    horizon_days: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="running")
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    customers: Mapped[int] = mapped_column(Integer, default=0)
    model_version: Mapped[str | None] = mapped_column(String(64))
    chosen_model: Mapped[str | None] = mapped_column(String(32))
    # The workspace configuration version the run used (settings changes bump it).
    config_version: Mapped[int] = mapped_column(Integer, default=0)
    # Fitted parameters: BG/NBD, Gamma-Gamma, classifier summary.
    params: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # Backtest on the most recent complete horizon: AUC, Brier, calibration table, lift.
    backtest: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    notes: Mapped[str | None] = mapped_column(Text)


class ScoreSnapshot(Base):
    """One customer's scores as of a date for a horizon; kept over time for trends."""

    __tablename__ = "score_snapshots"
    __table_args__ = (
        Index("ix_score_snapshots_customer_asof", "customer_id", "as_of"),
        Index("ix_score_snapshots_asof", "as_of", "horizon_days"),
        TABLE_SCORES_INDEX,  # one run's scores as the customers table shows them (0020)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    as_of: Mapped[dt.date] = mapped_column(Date)
    horizon_days: Mapped[int] = mapped_column(Integer)
    engagement_score: Mapped[float | None] = mapped_column(Float)
    churn_risk: Mapped[float | None] = mapped_column(Float)
    predicted_orders: Mapped[float | None] = mapped_column(Float)
    predicted_revenue_cents: Mapped[int | None] = mapped_column(BigInteger)
    clv_12m_cents: Mapped[int | None] = mapped_column(BigInteger)
    segment: Mapped[str | None] = mapped_column(String(64))
    health_score: Mapped[float | None] = mapped_column(Float)
    confidence: Mapped[str | None] = mapped_column(String(8))
    drivers: Mapped[list[Any] | dict[str, Any] | None] = mapped_column(JSONType)
    model_version: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    scoring_run_id: Mapped[int | None] = fk("scoring_runs", nullable=True)
    p_alive: Mapped[float | None] = mapped_column(Float)
    revenue_at_risk_cents: Mapped[int | None] = mapped_column(BigInteger)
    # Per-component contributions (engagement, health) and model figures: the explanation.
    components: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # 80% intervals (services/scoring/intervals.py); NULL in snapshots scored before them.
    churn_risk_low: Mapped[float | None] = mapped_column(Float)
    churn_risk_high: Mapped[float | None] = mapped_column(Float)
    predicted_orders_low: Mapped[float | None] = mapped_column(Float)
    predicted_orders_high: Mapped[float | None] = mapped_column(Float)
    clv_12m_low_cents: Mapped[int | None] = mapped_column(BigInteger)
    clv_12m_high_cents: Mapped[int | None] = mapped_column(BigInteger)
    # The customer's lifecycle stage as of the run (services/lifecycle/stages.py's keys),
    # stored after the scores; NULL before it is stored, or with no stage.
    stage: Mapped[str | None] = mapped_column(String(16))
