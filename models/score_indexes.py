"""The customers table's scores of one run, read from an index (migration 0020).

The window's latest scores (services/scoring/queries.py) read the snapshot columns the
table shows for one scoring run. A snapshot row is ~600 bytes with its drivers and
components, its entry here ~60: a million customers' scores read a tenth of the pages
from the index alone (ScoreSnapshot's, models/schema/scoring.py).
"""

from __future__ import annotations

from sqlalchemy import Index

# The numbers the table shows, then the segment and the confidence.
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
TABLE_SCORES_INDEX = Index(
    "ix_score_snapshots_run_table", "scoring_run_id", "customer_id", *TABLE_SCORES
)
