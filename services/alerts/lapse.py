"""Early warning or win-back: whether a customer has already lapsed when a risk alert is raised.

A customer lapses on the day they have gone the churn horizon H (scoring.horizon_days)
without a paid order (services/learn/replay_records.DEFINITIONS, the early-warning replay's
lapse point). A risk alert raised before that day is an early warning: there is still time
to keep the customer. One raised after it (Gone quiet and High risk, high value hold on
customers quiet for months) is a win-back case: the alert stays, its reason says so, and
the daily cap gives early warnings their room first (services/alerts/generate._admit,
services/learn/replay_metrics.admit).

The Lapse coming rule reads, per customer not lapsed yet, the chance that the lapse
comes: that they place no order before the day they will have gone H days without one
(``lapse_chance``, from the scoring run's BG/NBD fit and the customer's own history).

Plain numpy/pandas over the rules' inputs (services.alerts.inputs.AlertInputs); reads
nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from services.alerts.segment_values import threshold
from services.core.formatting import format_date, format_percent
from services.scoring.bgnbd import BGNBDParams, prob_no_purchase
from services.scoring.features import WEEK, bgnbd_summary
from services.settings import ALERT_RULES

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]

# The rules whose alerts warn of a lapse (models.vocab.ALERT_QUEUES' "risk" queue).
RISK_RULES = frozenset(rule.key for rule in ALERT_RULES if rule.queue == "risk")
# What a risk alert's reason ends with when its customer has already lapsed.
WIN_BACK_WORDS = "lapsed: a win-back case"
LAPSE_RULE = "lapse_coming"


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


def lapse_chance(features: pd.DataFrame, params: BGNBDParams | None, horizon: int) -> FloatArray:
    """Per customer, the chance of no paid order before their lapse point: BG/NBD's P(no
    purchase in the next H - recency days | x, t_x, T) (services.scoring.bgnbd), from the
    purchase columns of scoring's features (purchase_days, first_day, last_day,
    tenure_days, recency_days). 1 for a customer already lapsed; NaN for one with no paid
    order, or when there is no fit (``params`` None) or no horizon."""
    n = len(features)
    out = np.full(n, np.nan)
    if params is None or horizon <= 0 or n == 0:
        return out
    x, tx, big_t, has = bgnbd_summary(features)
    recency = features["recency_days"].to_numpy(np.float64)
    lapsed = has & already_lapsed(recency, horizon)
    ahead = has & ~lapsed
    if ahead.any():
        left = (horizon - recency[ahead]) / WEEK
        out[ahead] = prob_no_purchase(params, left, x[ahead], tx[ahead], big_t[ahead])
    out[lapsed] = 1.0
    return out


def run_bgnbd(params: dict[str, object] | None) -> BGNBDParams | None:
    """The BG/NBD fit a scoring run stored (its parameters' "bgnbd"), or None."""
    stored = (params or {}).get("bgnbd")
    if not isinstance(stored, dict):
        return None
    try:
        return BGNBDParams(**{k: float(stored[k]) for k in ("r", "alpha", "a", "b")})
    except (KeyError, TypeError, ValueError):
        return None


def lapse_coming(
    customers: pd.DataFrame, rule: Any, as_of: dt.date, horizon: int, value: FloatArray
) -> tuple[BoolArray, list[str], FloatArray]:
    """The Lapse coming rule over the rules' inputs (``customers``: lapse_chance,
    recency_days): which customers it holds for (a chance of no order before the lapse
    point of at least min_chance_percent, with notice_days or more still to go), its
    reasons in words, and what is at stake (the chance x ``value``, the revenue the rules
    weigh: the last 12 months' paid revenue)."""
    chance = customers["lapse_chance"].to_numpy(np.float64)
    left = horizon - customers["recency_days"].to_numpy(np.float64)
    # The chance's floor is the customer's segment's own where it sets one.
    least = threshold(
        customers, LAPSE_RULE, "min_chance_percent", float(rule["min_chance_percent"])
    )
    with np.errstate(invalid="ignore"):
        holds: BoolArray = (
            np.isfinite(chance)
            & (chance >= least / 100.0 - 1e-9)
            & (left >= int(rule["notice_days"]))
        )
    said = [
        f"{format_percent(chance[r])} chance of no order before "
        f"{format_date(as_of + dt.timedelta(days=int(left[r])))}, when {horizon} days will have "
        f"passed since the last one ({int(left[r])} days from now)"
        for r in np.flatnonzero(holds).tolist()
    ]
    return holds, said, chance * value
