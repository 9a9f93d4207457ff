"""Early warning or win-back: whether a customer has already lapsed when a risk alert is raised.

A customer lapses on the day they have gone the churn horizon H (scoring.horizon_days)
without a paid order (services/learn/replay_records.DEFINITIONS, the early-warning replay's
lapse point). A risk alert raised before that day is an early warning: there is still time
to keep the customer. One raised after it (Gone quiet and High risk, high value hold on
customers quiet for months) is a win-back case: the alert stays, its reason says so, and
the daily cap gives early warnings their room first (services/alerts/generate._admit,
services/learn/replay_metrics.admit).

Plain numpy/pandas over the rules' inputs (services.alerts.inputs.AlertInputs); reads
nothing.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from services.settings import ALERT_RULES

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]

# The rules whose alerts warn of a lapse (models.vocab.ALERT_QUEUES' "risk" queue).
RISK_RULES = frozenset(rule.key for rule in ALERT_RULES if rule.queue == "risk")
# What a risk alert's reason ends with when its customer has already lapsed.
WIN_BACK_WORDS = "lapsed: a win-back case"


def already_lapsed(recency_days: FloatArray, horizon: int) -> BoolArray:
    """Which customers have gone ``horizon`` days or more without a paid order (never
    those with no paid order, NaN, nor any when the horizon is unknown, 0)."""
    recency = np.asarray(recency_days, np.float64)
    if horizon <= 0:
        return np.zeros(recency.size, bool)
    with np.errstate(invalid="ignore"):
        out: BoolArray = np.isfinite(recency) & (recency >= horizon)
    return out


def win_back_mask(candidates: pd.DataFrame, customers: pd.DataFrame, horizon: int) -> BoolArray:
    """Which rows of ``candidates`` (customer_id, rule_key) are risk alerts on a customer
    already lapsed (``customers``: customer_id, recency_days, as the rules read them)."""
    if candidates.empty or horizon <= 0 or "recency_days" not in customers:
        return np.zeros(len(candidates), bool)
    ids = customers["customer_id"].to_numpy(np.int64)
    lapsed = ids[already_lapsed(customers["recency_days"].to_numpy(np.float64), horizon)]
    out: BoolArray = candidates["rule_key"].isin(RISK_RULES).to_numpy() & np.isin(
        candidates["customer_id"].to_numpy(np.int64), lapsed
    )
    return out


def say_win_back(candidates: pd.DataFrame, customers: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """The candidates with the reason of each risk alert on a lapsed customer ending in
    WIN_BACK_WORDS ("no order in 140 days; usual gap 30 days; lapsed: a win-back case")."""
    late = win_back_mask(candidates, customers, horizon)
    if not late.any():
        return candidates
    out = candidates.copy()
    out.loc[late, "reason"] = out.loc[late, "reason"].astype(str) + f"; {WIN_BACK_WORDS}"
    return out
