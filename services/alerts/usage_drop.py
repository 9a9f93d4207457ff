"""The usage-drop rule: product use against the customer's own usual weeks.

Not a fixed threshold: for every customer with product usage, the last two full Monday
weeks (services/usage/weekly.py, summary.py's weeks) are compared with the
``baseline_weeks`` full weeks before them, the customer's usual use. Whole weeks compare
like with like (weekdays with weekends). The measure is active users for a team (a usual
median of at least ``team_users`` active users a week), else sessions.

The score is robust: from the usual weeks' median m and median absolute deviation, the
weekly variance v = max((1.4826 x MAD)^2, m x c), never less than chance's variance of a
count of m arriving in clumps of c (c: the sessions of an active day in the usual weeks;
1 for active users). The chance of a fortnight this low is the lower tail of a negative
binomial (a Poisson when v = m) with the mean 2m and the variance 2v of two usual weeks,
at the last two weeks' total. The rule holds when the customer used the product in at least
``min_baseline_weeks`` of the usual weeks, m >= ``min_baseline_level``, the last two
weeks' average r is at least ``min_drop_percent`` below m, and the chance is at most
``max_chance_percent``.

A workspace with no usage data gives None (the rule is not evaluated: "no usage data").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy.orm import Session

from services.alerts.config import RuleConfig
from services.usage.weekly import WeeklyUsage, full_weeks_to, weekly_usage

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
RECENT_WEEKS = 2
NO_USAGE = "no usage data"
_MAD_TO_SD = 1.4826

# The columns read_usage_drop adds per scored customer (NaN without usage).
USAGE_COLUMNS = ("usage_team", "usage_usual", "usage_recent", "usage_low", "usage_high",
                 "usage_used_weeks", "usage_score")  # fmt: skip


@dataclass(frozen=True)
class DropStats:
    """Per customer of a WeeklyUsage: the measure's usual median, quartiles, the last two
    weeks' average, the weeks used and the score (the chance of so low a fortnight)."""

    team: BoolArray
    usual: FloatArray
    recent: FloatArray
    low: FloatArray
    high: FloatArray
    used_weeks: FloatArray
    score: FloatArray


def drop_stats(weekly: WeeklyUsage, team_users: float) -> DropStats:
    """The comparison for every customer at once (the last RECENT_WEEKS columns are the
    recent weeks, the ones before them the usual weeks)."""
    k = len(weekly.starts) - RECENT_WEEKS
    usual_users = np.median(weekly.active_users[:, :k], axis=1) if k > 0 else np.zeros(0)
    team = usual_users >= team_users
    series = np.where(team[:, None], weekly.active_users, weekly.sessions)
    base, recent = series[:, :k], series[:, k:].mean(axis=1)
    usual = np.median(base, axis=1)
    mad = np.median(np.abs(base - usual[:, None]), axis=1)
    # Sessions come in clumps (several on an active day): chance's variance of a week's
    # count is its mean times the sessions of an active day; people come one at a time.
    days = weekly.days_active[:, :k].sum(axis=1)
    clump = np.where(team, 1.0, np.maximum(base.sum(axis=1) / np.maximum(days, 1), 1.0))
    variance = np.maximum((_MAD_TO_SD * mad) ** 2, usual * clump)
    score = _chance(usual * RECENT_WEEKS, variance * RECENT_WEEKS, recent * RECENT_WEEKS)
    low, high = np.percentile(base, [25, 75], axis=1) if k > 0 else (usual, usual)
    return DropStats(
        team=team,
        usual=usual,
        recent=recent,
        low=np.asarray(low, np.float64),
        high=np.asarray(high, np.float64),
        used_weeks=(base > 0).sum(axis=1).astype(np.float64),
        score=score,
    )


def _chance(mean: FloatArray, variance: FloatArray, observed: FloatArray) -> FloatArray:
    """P(X <= observed) for X negative binomial with the mean and variance (Poisson where
    the variance is not above the mean).

    scipy.stats' nbinom.cdf and poisson.cdf are the regularised incomplete beta and
    gamma functions underneath (betainc(n, k + 1, p) and pdtr(k, m), the same values to
    the last bit); scipy.special takes a fifth of scipy.stats' import time, and each
    customer's tail is computed once, by the distribution it has."""
    from scipy import special

    k = np.floor(observed + 1e-9)
    mean = np.maximum(mean, 1e-9)
    over = variance > mean * (1 + 1e-6)
    tail = np.zeros(k.shape, np.float64)
    size = mean[over] ** 2 / (variance[over] - mean[over])
    with np.errstate(divide="ignore", invalid="ignore"):
        tail[over] = special.betainc(size, k[over] + 1, size / (size + mean[over]))
        tail[~over] = special.pdtr(k[~over], mean[~over])
    return np.clip(tail, 0.0, 1.0)


def read_usage_drop(
    session: Session, ids: npt.NDArray[np.int64], as_of: dt.date, rule: RuleConfig
) -> pd.DataFrame | None:
    """USAGE_COLUMNS for the customers ``ids`` as of a day (one read); None when the
    workspace holds no usage in the weeks read."""
    return usage_frame(read_weeks(session, as_of, rule), ids, rule)


def read_weeks(session: Session, as_of: dt.date, rule: RuleConfig) -> WeeklyUsage:
    """The weeks the rule compares as of a day (one read)."""
    weeks = int(rule["baseline_weeks"]) + RECENT_WEEKS
    return weekly_usage(session, last_week=full_weeks_to(as_of), weeks=weeks)


def usage_frame(
    weekly: WeeklyUsage, ids: npt.NDArray[np.int64], rule: RuleConfig
) -> pd.DataFrame | None:
    """USAGE_COLUMNS for the customers ``ids`` from their weeks; None when there is no
    usage in them."""
    if weekly.customers.size == 0:
        return None
    stats = drop_stats(weekly, float(rule["team_users"]))
    rows, found = weekly.rows_of(ids)
    frame = pd.DataFrame(index=range(ids.size))
    for name, values in zip(
        USAGE_COLUMNS,
        (stats.team, stats.usual, stats.recent, stats.low, stats.high, stats.used_weeks,
         stats.score),
        strict=True,
    ):  # fmt: skip
        column = np.full(ids.size, np.nan)
        column[found] = np.asarray(values, np.float64)[rows[found]]
        frame[name] = column
    return frame


def drop_holds(frame: pd.DataFrame, rule: RuleConfig) -> BoolArray:
    """Which rows of a USAGE_COLUMNS frame meet the rule."""
    usual = frame["usage_usual"].to_numpy(np.float64)
    recent = frame["usage_recent"].to_numpy(np.float64)
    with np.errstate(invalid="ignore"):
        return np.asarray(
            (frame["usage_used_weeks"].to_numpy(np.float64) >= int(rule["min_baseline_weeks"]))
            & (usual >= float(rule["min_baseline_level"]))
            & (recent <= usual * (1.0 - float(rule["min_drop_percent"]) / 100.0) + 1e-9)
            & (
                frame["usage_score"].to_numpy(np.float64)
                <= float(rule["max_chance_percent"]) / 100.0 + 1e-12
            ),
            dtype=bool,
        )


def _about(value: float) -> str:
    """A weekly figure in words: whole numbers, a decimal below 1.5."""
    if value >= 1.5 or value == 0:
        return f"{value:.0f}"
    return f"{value:.1f}".rstrip("0").rstrip(".")


def drop_reason(row: pd.Series) -> str:
    """'active users fell from about 12 a week to 3 in the last two weeks (usual for this
    customer: 10-14)'; sessions for a customer watched by sessions."""
    measure = "active users" if row["usage_team"] else "sessions"
    low, high = _about(row["usage_low"]), _about(row["usage_high"])
    usual = low if low == high else f"{low}-{high}"
    return (
        f"{measure} fell from about {_about(row['usage_usual'])} a week to "
        f"{_about(row['usage_recent'])} in the last two weeks (usual for this customer: {usual})"
    )


def usage_drop(frame: pd.DataFrame | None, rule: RuleConfig) -> tuple[BoolArray, list[str]]:
    """The rule over a USAGE_COLUMNS frame: which rows hold and, for those, the reason."""
    if frame is None:
        return np.zeros(0, dtype=bool), []
    mask = drop_holds(frame, rule)
    return mask, [drop_reason(frame.iloc[r]) for r in np.flatnonzero(mask).tolist()]
