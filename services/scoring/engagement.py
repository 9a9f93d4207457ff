"""Engagement score 0-100: a transparent weighted sum of components, kept per customer.

Each component is a sub-score between 0 and 1 computed from the features as of T:

- recency:     0.5 ** (days since the last paid order / 90): 1 today, 0.5 after 90
               days, 0.25 after 180; 0 without an order.
- frequency:   1 - exp(-purchase days in the last 365 days / 4): 1 purchase day ->
               0.22, 4 -> 0.63, 12 -> 0.95.
- monetary:    the percentile of the customer's 12-month spend among customers who
               spent something in those 12 months (0 without spend).
- interaction: 1 - exp(-(opens + 2 x clicks + logins in the last 90 days) / 4). Only
               for customers the workspace has email or login data about (an email
               sent to them in 180 days, or a login ever); otherwise left out.
- usage:       1 - exp(-product sessions in the last 30 days / 8): 2 -> 0.22, 8 -> 0.63,
               24 -> 0.95. Only for customers who ever used the product (a workspace
               with product usage data); otherwise left out.
- fatigue:     a penalty for outreach that goes unanswered: emails sent in the last
               180 days after the customer's last open or click; 0 for 2 or fewer,
               rising to 1 at 6 or more: clip((n - 2) / 4, 0, 1).

score = 100 x sum(w_c x s_c) / sum(w_c) over the positive components present, minus
w_fatigue x fatigue; clipped to 0..100. Weights come from the workspace setting
"scoring.engagement_weights" (defaults recency 35, frequency 25, monetary 15,
interaction 15, usage 15, fatigue 10; usage counts only where present, so a workspace
without usage data scores as before). The stored points per component add up to the score
(before clipping); the fatigue points are negative.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

FloatArray = npt.NDArray[np.float64]

POSITIVE = ("recency", "frequency", "monetary", "interaction", "usage")
RECENCY_HALF_LIFE_DAYS = 90.0
FREQUENCY_SCALE = 4.0
INTERACTION_SCALE = 4.0
USAGE_SCALE = 8.0
FATIGUE_FREE_SENDS = 2.0
FATIGUE_FULL_SENDS = 6.0


def engagement_components(features: pd.DataFrame) -> dict[str, FloatArray]:
    """Each component's 0..1 sub-score per customer (NaN where it does not apply)."""
    recency = features["recency_days"].to_numpy()
    spend = features["spend_365"].to_numpy()
    spenders = spend > 0
    monetary = np.zeros(spend.size)
    if spenders.any():
        # Percentile among spenders: the share of spenders spending at most as much.
        ordered = np.sort(spend[spenders])
        monetary[spenders] = np.searchsorted(ordered, spend[spenders], side="right") / ordered.size
    has_channel = (features["sends_180"].to_numpy() > 0) | features[
        "days_since_login"
    ].notna().to_numpy()
    touches = (
        features["opens_90"].to_numpy()
        + 2.0 * features["clicks_90"].to_numpy()
        + features["logins_90"].to_numpy()
    )
    interaction = np.where(has_channel, 1.0 - np.exp(-touches / INTERACTION_SCALE), np.nan)
    unanswered = features["unopened_streak"].to_numpy()
    fatigue = np.clip(
        (unanswered - FATIGUE_FREE_SENDS) / (FATIGUE_FULL_SENDS - FATIGUE_FREE_SENDS), 0.0, 1.0
    )
    used = features["usage_days_since_active"].notna().to_numpy()
    sessions = features["usage_sessions_30"].to_numpy()
    return {
        "recency": np.where(np.isnan(recency), 0.0, 0.5 ** (recency / RECENCY_HALF_LIFE_DAYS)),
        "usage": np.where(used, 1.0 - np.exp(-np.nan_to_num(sessions) / USAGE_SCALE), np.nan),
        "frequency": 1.0 - np.exp(-features["purchases_365"].to_numpy() / FREQUENCY_SCALE),
        "monetary": monetary,
        "interaction": interaction,
        "fatigue": fatigue,
    }


def engagement_score(
    features: pd.DataFrame, weights: dict[str, float]
) -> tuple[FloatArray, dict[str, FloatArray]]:
    """The 0-100 score and each component's points (NaN where the component is missing)."""
    parts = engagement_components(features)
    n = len(features)
    available_weight = np.zeros(n)
    for name in POSITIVE:
        available_weight += np.where(np.isnan(parts[name]), 0.0, float(weights.get(name, 0.0)))
    points: dict[str, FloatArray] = {}
    total = np.zeros(n)
    with np.errstate(invalid="ignore", divide="ignore"):
        for name in POSITIVE:
            w = float(weights.get(name, 0.0))
            value = np.where(
                available_weight > 0, 100.0 * w * parts[name] / available_weight, np.nan
            )
            points[name] = value
            total += np.nan_to_num(value)
    if np.isnan(points["usage"]).all():
        del points["usage"]  # no product usage: the points read as before it existed
    points["fatigue"] = -float(weights.get("fatigue", 0.0)) * parts["fatigue"]
    total += points["fatigue"]
    return np.clip(total, 0.0, 100.0), points
