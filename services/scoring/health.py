"""Health score 0-100: a configurable weighted blend that re-weights missing components.

Components (each 0-100, from the features as of T; "missing" = no data to judge):

- recency:          days since the last order against the customer's usual gap (the
                    median gap between purchase days; the workspace's median gap for
                    customers with one purchase day; at least 7 days): 100 up to the
                    usual gap, then halved for every further usual gap. Missing
                    without an order.
- frequency:        100 x (1 - exp(-purchase days in the last 365 days / 3)): 1 -> 28,
                    3 -> 63, 6 -> 86. Missing without an order.
- satisfaction:     tickets rated good/bad in the last 365 days, 100 x (good + 1) /
                    (good + bad + 2); the last NPS answer x 10 when there is one (the
                    mean of both when both exist). Missing without either.
- email_engagement: the open rate of the emails of the last 180 days, 100 at a 50% open
                    rate or more; 0 once unsubscribed. Missing when no email was sent.
- review_sentiment: the mean star rating, (rating - 1) / 4 x 100 (or the mean review
                    sentiment, (s + 1) / 2 x 100, for reviews without stars). Missing
                    without reviews.
- ticket_volume:    inverse: 100 x 0.5 ** (tickets in the last 180 days). Missing when
                    the workspace holds no tickets at all.

- product_usage:    100 x (0.5 x (1 - exp(-sessions in the last 30 days / 8)) + 0.5 x
                    min(1, (sessions in the last 30 + 1) / (sessions in the 30 before +
                    1))): the level of use and its trend. Missing for a customer who
                    never used the product; counted in the total weight only on a
                    workspace with product usage data.
- conversations:    what the customer said in the conversations of the last 90 days
                    (services/scoring/_conversations.py): their mean sentiment, (s + 1) /
                    2 x 100 (50 when none was read), halved for every conversation in
                    which they raised a risk, and at most 20 once they raised cancellation
                    or said our contact is leaving. Missing for a customer with no such
                    conversation; counted in the total weight only on a workspace with
                    conversations.

health = sum(w_c x s_c) / sum(w_c) over the components present. The weights come from
"scoring.health_weights" (defaults recency 30, frequency 20, satisfaction 20, email
engagement 10, review sentiment 10, ticket volume 10, product usage 15, conversations 15).
``coverage`` = the share of the total weight that had data (product usage and
conversations counted only on a workspace with them); low coverage lowers the confidence
(see run.py).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from services.scoring.features import Coverage

FloatArray = npt.NDArray[np.float64]

COMPONENTS = (
    "recency",
    "frequency",
    "satisfaction",
    "email_engagement",
    "review_sentiment",
    "ticket_volume",
    "product_usage",
    "conversations",
)
USAGE_SCALE = 8.0
MIN_USUAL_GAP_DAYS = 7.0
FULL_OPEN_RATE = 0.5
SAID_LEAVING_CAP = 20.0  # the conversations component once they said they are leaving


def usual_gap(features: pd.DataFrame) -> FloatArray:
    """Each customer's usual gap between purchase days (the workspace median as fallback)."""
    own = features["gap_median"].to_numpy()
    known = own[~np.isnan(own)]
    fallback = float(np.median(known)) if known.size else 30.0
    out: FloatArray = np.maximum(np.where(np.isnan(own), fallback, own), MIN_USUAL_GAP_DAYS)
    return out


def health_components(features: pd.DataFrame, coverage: Coverage) -> dict[str, FloatArray]:
    """Each component's 0-100 sub-score per customer (NaN where it is missing)."""
    has_order = features["purchase_days"].to_numpy() > 0
    recency = features["recency_days"].to_numpy()
    ratio = recency / usual_gap(features)
    with np.errstate(invalid="ignore", over="ignore"):
        rec = np.where(ratio <= 1.0, 100.0, 100.0 * 0.5 ** (ratio - 1.0))
    rec = np.where(has_order, rec, np.nan)
    freq = np.where(
        has_order, 100.0 * (1.0 - np.exp(-features["purchases_365"].to_numpy() / 3.0)), np.nan
    )

    good = features["good_tickets_365"].to_numpy()
    bad = features["bad_tickets_365"].to_numpy()
    rated = good + bad
    tickets = np.where(rated > 0, 100.0 * (good + 1.0) / (rated + 2.0), np.nan)
    nps = np.clip(features["nps_last"].to_numpy(), 0.0, 10.0) * 10.0
    satisfaction = np.where(
        np.isnan(tickets), nps, np.where(np.isnan(nps), tickets, 0.5 * (tickets + nps))
    )

    sends = features["sends_180"].to_numpy()
    unsubscribed = features["unsubscribed"].to_numpy() > 0
    rate = np.minimum(features["open_rate_180"].to_numpy() / FULL_OPEN_RATE, 1.0) * 100.0
    email = np.where(unsubscribed, 0.0, np.where(sends > 0, rate, np.nan))

    stars = features["review_rating"].to_numpy()
    sentiment = features["review_sentiment"].to_numpy()
    review = np.where(
        ~np.isnan(stars),
        (np.clip(stars, 1.0, 5.0) - 1.0) / 4.0 * 100.0,
        (np.clip(sentiment, -1.0, 1.0) + 1.0) / 2.0 * 100.0,
    )
    volume = (
        100.0 * 0.5 ** features["tickets_180"].to_numpy()
        if coverage.tickets
        else np.full(len(features), np.nan)
    )
    used = features["usage_days_since_active"].notna().to_numpy()
    s30 = np.nan_to_num(features["usage_sessions_30"].to_numpy())
    prev = np.nan_to_num(features["usage_sessions_prev_30"].to_numpy())
    level = 1.0 - np.exp(-s30 / USAGE_SCALE)
    trend = np.minimum((s30 + 1.0) / (prev + 1.0), 1.0)
    return {
        "conversations": _conversations(features),
        "product_usage": np.where(used, 100.0 * (0.5 * level + 0.5 * trend), np.nan),
        "recency": rec,
        "frequency": freq,
        "satisfaction": satisfaction,
        "email_engagement": email,
        "review_sentiment": review,
        "ticket_volume": volume,
    }


def _conversations(features: pd.DataFrame) -> FloatArray:
    """The conversations component (NaN without a conversation to judge)."""
    felt = features["conv_sentiment_90"].to_numpy()
    risks = np.nan_to_num(features["conv_risks_90"].to_numpy())
    leaving = np.nan_to_num(features["conv_cancellation_90"].to_numpy()) + np.nan_to_num(
        features["conv_champion_leaving_90"].to_numpy()
    )
    base = np.where(np.isnan(felt), 50.0, (np.clip(felt, -1.0, 1.0) + 1.0) / 2.0 * 100.0)
    score = base * 0.5**risks
    score = np.where(leaving > 0, np.minimum(score, SAID_LEAVING_CAP), score)
    out: FloatArray = np.where(~np.isnan(felt) | (risks > 0), score, np.nan)
    return out


def health_score(
    features: pd.DataFrame, coverage: Coverage, weights: dict[str, float]
) -> tuple[FloatArray, dict[str, FloatArray], FloatArray]:
    """(score 0-100 or NaN, points per component, coverage 0..1) per customer.

    The points of the components present add up to the score.
    """
    parts = health_components(features, coverage)
    n = len(features)
    counted = tuple(
        c
        for c in COMPONENTS
        if (c != "product_usage" or coverage.usage)
        and (c != "conversations" or coverage.conversations)
    )
    total_weight = sum(float(weights.get(c, 0.0)) for c in counted)
    available = np.zeros(n)
    for name in counted:
        available += np.where(np.isnan(parts[name]), 0.0, float(weights.get(name, 0.0)))
    points: dict[str, FloatArray] = {}
    score = np.zeros(n)
    with np.errstate(invalid="ignore", divide="ignore"):
        for name in counted:
            w = float(weights.get(name, 0.0))
            value = np.where(available > 0, w * parts[name] / available, np.nan)
            points[name] = value
            score += np.nan_to_num(value)
        share = available / total_weight if total_weight > 0 else np.zeros(n)
    score = np.where(available > 0, np.clip(score, 0.0, 100.0), np.nan)
    # Without product usage or conversations, the points read as before they existed.
    return score, points, share
