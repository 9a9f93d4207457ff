"""The Learn figures for a set of attributed exposures, in all or broken down by a column.

Takes the table ``attribution.attribute`` returns; only the counted exposures are used
(each customer once, from their first exposure). A breakdown by a column (rule, goal,
owner, segment...) reads that column on the analysed exposure, so a customer reached by
two rules counts under the first one only. Time to re-engagement is over the re-engaged
customers of a group: the median in days (as decimals), and the counts per week of the
window by day number, ``floor(days)``: days 0-6, 7-13, ..., the last week holding what is
left up to the window's last day (days 28-30 for a 30-day window).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from services.learn.attribution import CONTACTED, DEFAULT_WINDOW_DAYS, HOLDOUT, counted_arrays
from services.learn.lift import (
    DEFAULT_CONFIDENCE,
    DEFAULT_RESAMPLES,
    ProportionLift,
    RevenueLift,
    WonBack,
    bootstrap_revenue_lift,
    proportion_lift,
    won_back,
)


@dataclass(frozen=True)
class TimeToReengagement:
    """How long re-engagement took: the median and the counts per week of the window."""

    reengaged: int
    median_days: float | None
    week_first_days: tuple[int, ...]
    week_counts: tuple[int, ...]


@dataclass(frozen=True)
class LearnRow:
    """Every Learn figure for one slice of the exposures (``key`` None: all of them)."""

    key: Hashable | None
    rates: ProportionLift
    revenue: RevenueLift
    won_back: WonBack
    time_contacted: TimeToReengagement
    time_holdout: TimeToReengagement


def time_to_reengagement(
    days: npt.ArrayLike, window_days: int = DEFAULT_WINDOW_DAYS
) -> TimeToReengagement:
    """Median days to re-engagement and counts per week bucket; NaN (not re-engaged) ignored."""
    values = np.asarray(days, dtype=np.float64)
    values = values[~np.isnan(values)]
    if np.any((values < 0) | (values > window_days)):
        raise ValueError(f"days to re-engagement must lie within 0 to {window_days}")
    weeks = window_days // 7 + 1
    counts = np.bincount(np.floor(values).astype(np.int64) // 7, minlength=weeks)
    return TimeToReengagement(
        reengaged=len(values),
        median_days=float(np.median(values)) if len(values) else None,
        week_first_days=tuple(range(0, 7 * weeks, 7)),
        week_counts=tuple(int(c) for c in counts),
    )


def learn_summary(
    attributed: pd.DataFrame,
    window_days: int = DEFAULT_WINDOW_DAYS,
    confidence: float = DEFAULT_CONFIDENCE,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
    key: Hashable | None = None,
) -> LearnRow:
    """Rates, lift, revenue lift, won-back revenue and time to re-engagement of the counted."""
    arrays = counted_arrays(attributed)
    engaged1, days1, revenue1 = arrays[CONTACTED]
    engaged0, days0, revenue0 = arrays[HOLDOUT]
    rates = proportion_lift(
        int(engaged1.sum()), len(engaged1), int(engaged0.sum()), len(engaged0), confidence
    )
    revenue = bootstrap_revenue_lift(revenue1, revenue0, confidence, resamples, seed)
    return LearnRow(
        key=key,
        rates=rates,
        revenue=revenue,
        won_back=won_back(revenue1, engaged1, rates, revenue),
        time_contacted=time_to_reengagement(days1, window_days),
        time_holdout=time_to_reengagement(days0, window_days),
    )


def learn_breakdown(
    attributed: pd.DataFrame,
    by: str,
    window_days: int = DEFAULT_WINDOW_DAYS,
    confidence: float = DEFAULT_CONFIDENCE,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
) -> list[LearnRow]:
    """One ``learn_summary`` per value of the column ``by`` (missing values: key None)."""
    if by not in attributed.columns:
        raise ValueError(f"no column {by!r} to break the figures down by")
    counted = attributed[attributed["counted"]]
    rows = []
    # Sorted by the text of the key so that the order is stable whatever the key's type.
    for value, part in sorted(
        counted.groupby(by, dropna=False, sort=False), key=lambda item: str(item[0])
    ):
        key = None if pd.isna(value) else value
        rows.append(learn_summary(part, window_days, confidence, resamples, seed, key=key))
    return rows
