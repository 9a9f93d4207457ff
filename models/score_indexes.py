"""The score snapshot columns the customers table shows, in the order of the covering
index that serves them (ix_score_snapshots_run_table, migration 0020): the numbers, then
the segment and the confidence."""

from __future__ import annotations

TABLE_SCORES = (
    "engagement_score",
    "churn_risk",
    "health_score",
    "clv_12m_cents",
    "revenue_at_risk_cents",
    "predicted_orders",
    "segment",
    "confidence",
)
