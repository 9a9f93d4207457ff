"""Per-customer features as of a cutoff day, from data dated on or before it only.

Vectorised over all customers with numpy (bincount over sorted arrays, no per-customer
loop). The same ScoringData is sliced at several cutoffs: T-2h and T-h for the backtest
and training, T for scoring.

Conventions: days are whole UTC days; "in the last w days" means dated in
(cutoff - w, cutoff]; counts are of distinct purchase days unless they say orders;
money is in cents. Missing values are NaN (the classifier handles them natively).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from services.scoring._conversations import (
    CONVERSATION_FEATURES,
    conversation_features,
    has_conversations,
)
from services.scoring._usage import USAGE_FEATURES, usage_features
from services.scoring.data import KIND, SATISFACTION, ScoringData

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

WEEK = 7.0
_NO_ROWS = np.zeros(0, np.int64)

# The classifier's inputs (every column of the features frame is numeric).
MODEL_FEATURES = (
    "recency_days",
    "purchase_days",
    "orders_total",
    "tenure_days",
    "spend_total",
    "avg_order_value",
    "last_order_value",
    "gap_median",
    "gap_mean",
    "gap_std",
    "gap_max",
    "gap_last",
    "overdue_ratio",
    "recency_share",
    "overdue_mean_ratio",
    "purchases_30",
    "purchases_90",
    "purchases_180",
    "purchases_365",
    "purchases_prev_90",
    "spend_90",
    "spend_prev_90",
    "spend_365",
    "spend_trend",
    "purchase_trend",
    "tickets_60",
    "tickets_180",
    "tickets_365",
    "bad_tickets_60",
    "bad_tickets_365",
    "good_tickets_365",
    "days_since_ticket",
    "reviews",
    "review_rating",
    "review_last_rating",
    "review_sentiment",
    "nps_last",
    "sends_90",
    "sends_180",
    "opens_90",
    "opens_180",
    "clicks_180",
    "open_rate_180",
    "click_rate_180",
    "days_since_open",
    "unopened_streak",
    "unsubscribed",
    "days_since_unsubscribe",
    "logins_30",
    "logins_90",
    "days_since_login",
    "touches_180",
    "subscription_active",
    "subscription_cancelled",
    "days_since_subscription_cancel",
    "signup_age_days",
    "bg_p_alive",
    "bg_expected_h",
    "bg_prob_none_h",
    *USAGE_FEATURES,  # all NaN (so left out) on a workspace without product usage
    # All NaN (so left out) without conversations; kept only where they help (churn.py).
    *CONVERSATION_FEATURES,
)


@dataclass(frozen=True)
class Coverage:
    """Which kinds of data the workspace holds up to a cutoff (workspace-wide)."""

    tickets: bool
    rated_tickets: bool
    reviews: bool
    emails: bool
    logins: bool
    subscriptions: bool
    usage: bool = False  # product usage (services/scoring/_usage.py)
    conversations: bool = False  # conversations (services/scoring/_conversations.py)

    @property
    def interactions(self) -> bool:
        return self.tickets or self.reviews or self.emails or self.logins


def _count(cust: npt.NDArray[np.int32], mask: BoolArray | None, n: int) -> FloatArray:
    sel = cust if mask is None else cust[mask]
    return np.bincount(sel, minlength=n).astype(np.float64)


def _sum(
    cust: npt.NDArray[np.int32], values: npt.NDArray[np.generic], mask: BoolArray | None, n: int
) -> FloatArray:
    sel = cust if mask is None else cust[mask]
    vals = values if mask is None else values[mask]
    out: FloatArray = np.bincount(sel, weights=vals.astype(np.float64), minlength=n).astype(
        np.float64
    )
    return out


def _last(
    cust: npt.NDArray[np.int32], values: npt.NDArray[np.generic], mask: BoolArray | None, n: int
) -> FloatArray:
    """Each customer's value on its last selected row (rows sorted by customer, then day)."""
    c = cust if mask is None else cust[mask]
    v = values if mask is None else values[mask]
    out = np.full(n, np.nan)
    if c.size:
        ends = np.flatnonzero(np.r_[c[1:] != c[:-1], True])
        out[c[ends]] = v[ends]
    return out


def _first(
    cust: npt.NDArray[np.int32], values: npt.NDArray[np.generic], mask: BoolArray | None, n: int
) -> FloatArray:
    """Each customer's value on its first selected row (rows sorted by customer, then day)."""
    c = cust if mask is None else cust[mask]
    v = values if mask is None else values[mask]
    out = np.full(n, np.nan)
    if c.size:
        starts = np.flatnonzero(np.r_[True, c[1:] != c[:-1]])
        out[c[starts]] = v[starts]
    return out


def _divide(a: FloatArray, b: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out: FloatArray = np.where(b > 0, a / np.where(b > 0, b, 1.0), np.nan)
    return out


def _gap_stats(
    cust: npt.NDArray[np.int32], day: npt.NDArray[np.int32], n: int
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Median, standard deviation, maximum and last gap (days) between purchase days."""
    same = cust[1:] == cust[:-1]
    gaps = (day[1:] - day[:-1])[same].astype(np.float64)
    gcust = cust[1:][same]
    median = np.full(n, np.nan)
    std = np.full(n, np.nan)
    biggest = np.full(n, np.nan)
    last = _last(gcust, gaps, None, n)
    if gaps.size:
        # Sorted by customer, then gap: one integer key (gaps are whole days < 2**24).
        key = np.sort(gcust.astype(np.int64) << 24 | np.minimum(gaps, 2**24 - 1).astype(np.int64))
        sg, sc = (key & (2**24 - 1)).astype(np.float64), (key >> 24).astype(np.int32)
        counts = np.bincount(sc, minlength=n)
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
        has = counts > 0
        lo = starts[has] + (counts[has] - 1) // 2
        hi = starts[has] + counts[has] // 2
        median[has] = 0.5 * (sg[lo] + sg[hi])
        biggest[has] = sg[starts[has] + counts[has] - 1]
        total = np.bincount(sc, weights=sg, minlength=n).astype(np.float64)
        squares = np.bincount(sc, weights=sg * sg, minlength=n).astype(np.float64)
        mean = _divide(total, counts.astype(np.float64))
        var = _divide(squares, counts.astype(np.float64)) - mean * mean
        std[has] = np.sqrt(np.maximum(var[has], 0.0))
    return median, std, biggest, last


def coverage(data: ScoringData, cutoff: int) -> Coverage:
    """Which kinds of data exist on or before the cutoff."""
    seen = data.i_day <= cutoff
    kinds = set(np.unique(data.i_kind[seen]).tolist())
    rated = bool(
        np.any(
            seen
            & (data.i_kind == KIND["ticket"])
            & np.isin(data.i_sat, (SATISFACTION["good"], SATISFACTION["bad"]))
        )
    )
    return Coverage(
        tickets=KIND["ticket"] in kinds,
        rated_tickets=rated,
        reviews=KIND["review"] in kinds,
        emails=KIND["email_sent"] in kinds,
        logins=KIND["login"] in kinds,
        subscriptions=bool(np.any(np.nan_to_num(data.s_start, nan=np.inf) <= cutoff)),
        usage=bool(np.any(data.u_day <= cutoff)),
        conversations=has_conversations(data.conversations, cutoff),
    )


def lifetime_features(data: ScoringData, cutoff: int) -> pd.DataFrame:
    """The purchase columns of compute_features only, as of ``cutoff``: what the lifetime
    models are fitted on (services/scoring/lifetime.py), at a fraction of the cost and
    memory of every feature (the backtests of the intervals and of the order values)."""
    return pd.DataFrame(_purchase_features(data, cutoff), copy=False)


def _purchase_features(data: ScoringData, cutoff: int) -> dict[str, FloatArray]:
    """The features of the paid orders dated on or before ``cutoff``, by name."""
    n = data.n
    f: dict[str, FloatArray] = {}
    m = data.p_day <= cutoff
    pc, pday, pamount = data.p_cust[m], data.p_day[m], data.p_amount[m]
    purchase_days = _count(pc, None, n)
    first = _first(pc, pday, None, n)
    last = _last(pc, pday, None, n)
    spend = _sum(pc, pamount, None, n)
    first_value = _first(pc, pamount, None, n)
    f["recency_days"] = cutoff - last
    f["purchase_days"] = purchase_days
    f["orders_total"] = _sum(pc, data.p_orders[m], None, n)
    f["tenure_days"] = cutoff - first
    f["first_day"] = first
    f["last_day"] = last
    f["spend_total"] = spend
    f["avg_order_value"] = _divide(spend, purchase_days)
    f["last_order_value"] = _last(pc, pamount, None, n)
    # Gamma-Gamma's monetary value: the mean of the repeat purchase days (first left out).
    f["repeat_value"] = _divide(spend - np.nan_to_num(first_value), purchase_days - 1)
    median, std, biggest, last_gap = _gap_stats(pc, pday, n)
    f["gap_median"] = median
    f["gap_mean"] = _divide(last - first, purchase_days - 1)
    f["gap_std"] = std
    f["gap_max"] = biggest
    f["gap_last"] = last_gap
    f["overdue_ratio"] = _divide(f["recency_days"], np.maximum(median, 1.0))
    # Scale-free forms of recency: they mean the same at a training cutoff with a short
    # history and at T with a longer one, where days alone would fall outside the range
    # the classifier saw.
    f["recency_share"] = _divide(f["recency_days"], f["tenure_days"])
    f["overdue_mean_ratio"] = _divide(f["recency_days"], np.maximum(f["gap_mean"], 1.0))
    age = cutoff - pday
    for w in (30, 90, 180, 365):
        f[f"purchases_{w}"] = _count(pc, age < w, n)
    prev = (age >= 90) & (age < 180)
    f["purchases_prev_90"] = _count(pc, prev, n)
    f["spend_90"] = _sum(pc, pamount, age < 90, n)
    f["spend_prev_90"] = _sum(pc, pamount, prev, n)
    f["spend_365"] = _sum(pc, pamount, age < 365, n)
    f["spend_trend"] = _divide(f["spend_90"] - f["spend_prev_90"], f["spend_prev_90"])
    f["purchase_trend"] = f["purchases_90"] - f["purchases_prev_90"]
    return f


def compute_features(data: ScoringData, cutoff: int) -> pd.DataFrame:  # noqa: PLR0915
    """One row per customer (aligned with data.customer_ids): features as of ``cutoff``.

    Only rows dated on or before the cutoff are read. The BG/NBD and Gamma-Gamma
    columns are NaN here; add_model_features fills them once the models are fitted.
    """
    n = data.n
    f = _purchase_features(data, cutoff)

    # --- interactions (each kind's rows only: a fraction of the million rows) ------------
    def rows(*kinds: str) -> npt.NDArray[np.int64]:
        parts = [data.kind_rows.get(KIND[k], _NO_ROWS) for k in kinds]
        idx = parts[0] if len(parts) == 1 else np.sort(np.concatenate(parts))
        return idx[data.i_day[idx] <= cutoff]

    t = rows("ticket")
    tc, tage, tsat = data.i_cust[t], cutoff - data.i_day[t], data.i_sat[t]
    bad = tsat == SATISFACTION["bad"]
    good = tsat == SATISFACTION["good"]
    for w in (60, 180, 365):
        f[f"tickets_{w}"] = _count(tc, tage < w, n)
    f["bad_tickets_60"] = _count(tc, bad & (tage < 60), n)
    f["bad_tickets_180"] = _count(tc, bad & (tage < 180), n)
    f["bad_tickets_365"] = _count(tc, bad & (tage < 365), n)
    f["good_tickets_365"] = _count(tc, good & (tage < 365), n)
    f["days_since_ticket"] = cutoff - _last(tc, data.i_day[t], None, n)

    r = rows("review")
    rc, rating, sentiment = data.i_cust[r], data.i_rating[r], data.i_sentiment[r]
    rated = ~np.isnan(rating)
    f["reviews"] = _count(rc, None, n)
    f["review_rating"] = _divide(_sum(rc, rating, rated, n), _count(rc, rated, n))
    f["review_last_rating"] = _last(rc, rating, rated, n)
    felt = ~np.isnan(sentiment)
    f["review_sentiment"] = _divide(_sum(rc, sentiment, felt, n), _count(rc, felt, n))
    p_nps = rows("nps")
    f["nps_last"] = _last(
        data.i_cust[p_nps], data.i_rating[p_nps], ~np.isnan(data.i_rating[p_nps]), n
    )

    e = rows("email_sent")
    ec, eday = data.i_cust[e], data.i_day[e]
    eage = cutoff - eday
    o = rows("email_open")
    oc, oage = data.i_cust[o], cutoff - data.i_day[o]
    k = rows("email_click")
    kc, kage = data.i_cust[k], cutoff - data.i_day[k]
    f["sends_30"] = _count(ec, eage < 30, n)
    f["sends_90"] = _count(ec, eage < 90, n)
    f["sends_180"] = _count(ec, eage < 180, n)
    f["opens_90"] = _count(oc, oage < 90, n)
    f["opens_180"] = _count(oc, oage < 180, n)
    f["clicks_90"] = _count(kc, kage < 90, n)
    f["clicks_180"] = _count(kc, kage < 180, n)
    f["open_rate_180"] = np.minimum(_divide(f["opens_180"], f["sends_180"]), 1.0)
    f["click_rate_180"] = np.minimum(_divide(f["clicks_180"], f["sends_180"]), 1.0)
    ok = rows("email_open", "email_click")
    last_open = _last(data.i_cust[ok], data.i_day[ok], None, n)
    f["days_since_open"] = cutoff - last_open
    # Emails sent in the last 180 days after the last open or click: outreach fatigue.
    last_open_of_row = np.nan_to_num(last_open, nan=-np.inf)[ec]
    f["unopened_streak"] = _count(ec, (eage < 180) & (eday > last_open_of_row), n)
    f["first_send_180"] = _first(ec, eday, eage < 180, n)
    u = rows("unsubscribe")
    f["unsubscribed"] = (_count(data.i_cust[u], None, n) > 0).astype(np.float64)
    f["days_since_unsubscribe"] = cutoff - _last(data.i_cust[u], data.i_day[u], None, n)
    g = rows("login")
    gc, gage = data.i_cust[g], cutoff - data.i_day[g]
    f["logins_30"] = _count(gc, gage < 30, n)
    f["logins_90"] = _count(gc, gage < 90, n)
    f["days_since_login"] = cutoff - _last(gc, data.i_day[g], None, n)
    m_touch = rows("call", "meeting")
    f["touches_180"] = _count(data.i_cust[m_touch], cutoff - data.i_day[m_touch] < 180, n)

    # --- subscriptions (from their dates: the stored status is today's, not the cutoff's)
    started = np.nan_to_num(data.s_start, nan=np.inf) <= cutoff
    cancel = np.nan_to_num(data.s_cancel, nan=np.inf)
    active = started & (cancel > cutoff)
    cancelled = cancel <= cutoff
    f["subscription_active"] = (_count(data.s_cust, active, n) > 0).astype(np.float64)
    f["subscription_cancelled"] = (_count(data.s_cust, cancelled, n) > 0).astype(np.float64)
    latest_cancel = np.full(n, -np.inf)
    if cancelled.any():
        np.maximum.at(latest_cancel, data.s_cust[cancelled], cancel[cancelled])
    f["days_since_subscription_cancel"] = np.where(
        np.isfinite(latest_cancel), cutoff - latest_cancel, np.nan
    )

    signup = np.where(data.signup_day <= cutoff, data.signup_day, np.nan)
    f["signup_age_days"] = cutoff - signup
    for name in ("bg_p_alive", "bg_expected_h", "bg_prob_none_h", "gg_order_value"):
        f[name] = np.full(n, np.nan)
    f.update(usage_features(data.u_cust, data.u_day, data.u_sessions, n, cutoff))
    f.update(conversation_features(data.conversations, n, cutoff))
    return pd.DataFrame(f, copy=False)


def bgnbd_summary(features: pd.DataFrame) -> tuple[FloatArray, FloatArray, FloatArray, BoolArray]:
    """BG/NBD inputs in weeks: (x repeat purchase days, t_x, T) and who has a purchase."""
    has = features["purchase_days"].to_numpy() > 0
    x = np.where(has, features["purchase_days"].to_numpy() - 1, 0.0)
    tx = np.where(has, (features["last_day"] - features["first_day"]).to_numpy() / WEEK, 0.0)
    big_t = np.where(has, features["tenure_days"].to_numpy() / WEEK, 0.0)
    return x, tx, big_t, has


def labels_no_purchase(data: ScoringData, cutoff: int, days: int) -> BoolArray:
    """True for customers with no paid order in (cutoff, cutoff + days]."""
    window = (data.p_day > cutoff) & (data.p_day <= cutoff + days)
    bought: BoolArray = np.bincount(data.p_cust[window], minlength=data.n) > 0
    return ~bought


def purchases_in(data: ScoringData, cutoff: int, days: int) -> FloatArray:
    """Distinct purchase days per customer in (cutoff, cutoff + days]."""
    window = (data.p_day > cutoff) & (data.p_day <= cutoff + days)
    return np.bincount(data.p_cust[window], minlength=data.n).astype(np.float64)
