"""The dashboard's definitions, as Ask computes them: one definition per figure.

- **At risk**: churn risk at or above the high-risk rule's threshold (the setting
  ``alerts.high_risk_high_value.min_churn_risk``, 60% by default), not counting the
  customers of the segments in ``services.alerts.risk_bands.NOT_AT_RISK_SEGMENTS`` (Lost):
  risk_bands' one definition (``is_at_risk``, and ``at_risk_sql`` its SQL form), as
  ``services.alerts.dashboard`` and ``report effectiveness`` count them.
- **Revenue at risk**: churn risk x the last 12 months' paid revenue (the score's
  ``revenue_at_risk``), the customer's tile; the dashboard's total is its sum over every
  scored customer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from services.alerts.risk_bands import at_risk_sql as at_risk_sql

if TYPE_CHECKING:  # the questions (and the Ask view through them) load without SQLAlchemy
    from sqlalchemy.orm import Session

HIGH_RISK_RULE = "high_risk_high_value"
THRESHOLD_SETTING = f"alerts.{HIGH_RISK_RULE}.min_churn_risk"
THRESHOLD_DEFAULT = "at_risk_threshold"  # a saved question's parameter default: the setting


def at_risk_threshold(session: Session) -> float:
    """The churn risk (0-1) from which a customer is at risk: the dashboard's threshold."""
    from services.alerts.at_risk import at_risk_threshold as threshold

    return threshold(session)
