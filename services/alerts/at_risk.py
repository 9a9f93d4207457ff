"""Who is at risk, over many customers at once, with the workspace's threshold.

The definition is risk_bands' (``is_at_risk``, ``NOT_AT_RISK_SEGMENTS``): a churn risk at
or above the high-risk rule's threshold (setting
alerts.high_risk_high_value.min_churn_risk, 60% by default), not counting the Lost
segment. The dashboard, the lifecycle stages and the review packs all count it here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from services.alerts.risk_bands import NOT_AT_RISK_SEGMENTS

__all__ = ["at_risk_mask", "at_risk_threshold", "lost_mask"]


def at_risk_threshold(session: Session) -> float:
    """The churn risk (0-1) from which a customer is at risk: the high-risk rule's."""
    from services.alerts.config import read_alert_config

    config = read_alert_config(session)
    return float(config.rule("high_risk_high_value")["min_churn_risk"]) / 100.0


def lost_mask(segment: Any) -> np.ndarray:
    """True for the customers whose segment is never counted at risk (Lost)."""
    result: np.ndarray = np.isin(np.asarray(segment, dtype=object), list(NOT_AT_RISK_SEGMENTS))
    return result


def at_risk_mask(churn: Any, segment: Any, threshold: float) -> np.ndarray:
    """True for each customer at risk: scored, churn risk >= threshold, not Lost."""
    risk = np.asarray(churn, dtype=float)
    result: np.ndarray = ~np.isnan(risk) & (np.nan_to_num(risk) >= threshold) & ~lost_mask(segment)
    return result
