"""Product usage in scoring: the daily sessions read with the rest of ScoringData, and the
usage features of a cutoff (services/usage/summary.py's "last 30 days").

Features, in the last 30 days (cutoff - 30, cutoff] and the 30 before; all NaN when the
workspace holds no usage dated on or before the cutoff (the churn model then drops them,
as it drops every column without values), 0 for a customer with no use:

- usage_sessions_30, usage_sessions_prev_30: sessions;
- usage_days_30: days with use;
- usage_trend: (sessions in the last 30 + 1) / (sessions in the 30 before + 1);
- usage_days_since_active: days since the last day with use (NaN for a customer who
  never used the product).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from services.usage.summary import RECENT_DAYS

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

USAGE_FEATURES = (
    "usage_sessions_30",
    "usage_sessions_prev_30",
    "usage_days_30",
    "usage_trend",
    "usage_days_since_active",
)
_EPOCH_JULIAN = 2440587.5


def usage_features(
    cust: npt.NDArray[np.int32], day: npt.NDArray[np.int32], sessions: FloatArray, n: int,
    cutoff: int,
) -> dict[str, FloatArray]:  # fmt: skip
    """The usage features of every customer (positions 0..n-1) as of ``cutoff``."""
    seen = day <= cutoff
    if not seen.any():
        return {name: np.full(n, np.nan) for name in USAGE_FEATURES}
    c, age, s = cust[seen], cutoff - day[seen], sessions[seen]
    recent = age < RECENT_DAYS
    before = (age >= RECENT_DAYS) & (age < 2 * RECENT_DAYS)
    s30 = np.bincount(c[recent], s[recent], n).astype(np.float64)
    prev = np.bincount(c[before], s[before], n).astype(np.float64)
    last = np.full(n, -np.inf)
    np.maximum.at(last, c, day[seen].astype(np.float64))
    return {
        "usage_sessions_30": s30,
        "usage_sessions_prev_30": prev,
        "usage_days_30": _distinct_days(c[recent], day[seen][recent], n),
        "usage_trend": (s30 + 1.0) / (prev + 1.0),
        "usage_days_since_active": np.where(np.isfinite(last), cutoff - last, np.nan),
    }


def _distinct_days(cust: npt.NDArray[np.int32], day: npt.NDArray[np.int32], n: int) -> FloatArray:
    """Days with use per customer (a day of two sources counts once)."""
    # Sorted, then each first of equal keys: np.unique hashes these keys instead, and
    # their low bits (the day) take few values, so a million customers' 30 days took
    # seconds of collisions where sorting takes a few hundredths.
    pairs = np.sort(cust.astype(np.int64) * (1 << 32) + day.astype(np.int64))
    pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]] if pairs.size else pairs
    return np.bincount((pairs >> 32).astype(np.int64), minlength=n).astype(np.float64)
