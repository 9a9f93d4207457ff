"""Named RFM segments from recency, frequency and monetary quintile scores.

Scores 1-5 among the customers with at least one paid order by T:

- R: days since the last order, fewest days = 5.
- F: distinct purchase days; M: total paid spend; most = 5.

A score is the quintile of the customer's rank, with ties ranked at their lowest place
(``floor(5 x (rank_min - 1) / n) + 1``), so that the many customers tied at the
bottom (one purchase) all score 1. For R the ranking is on -recency.

Segments from (R, F), with M deciding two cases:

    F:       1                2                  3                  4              5
    R=5  New              Potential Loyalist Potential Loyalist Champions      Champions
    R=4  Promising        Potential Loyalist Potential Loyalist Loyal          Loyal
    R=3  About to Sleep   About to Sleep     Need Attention     Loyal          Loyal
    R=2  Hibernating      Hibernating        At Risk            At Risk        Can't Lose Them
    R=1  Lost             Lost               At Risk            At Risk        Can't Lose Them

- Champions need M >= "champion_min_monetary" (threshold, default 3); below they are Loyal.
- At Risk customers with M = 5 are Can't Lose Them (big spenders gone quiet).
- Overdue repeat buyers: a customer whose days since the last order exceed twice their
  usual (median) gap between orders has R at most 2, whatever the quintile says. Quintiles
  are relative to the population: in a book where most customers are lapsing, 132 days
  can be a middle R, and a weekly buyer silent for 132 days must not read "Loyal" next to
  a high churn risk. This is the same "gone quiet" test as the alert rule.

Customers without a paid order have no segment (None).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from models.vocab import SEGMENTS as SEGMENTS

# GRID[r - 1][f - 1]
GRID = (
    ("Lost", "Lost", "At Risk", "At Risk", "Can't Lose Them"),
    ("Hibernating", "Hibernating", "At Risk", "At Risk", "Can't Lose Them"),
    ("About to Sleep", "About to Sleep", "Need Attention", "Loyal", "Loyal"),
    ("Promising", "Potential Loyalist", "Potential Loyalist", "Loyal", "Loyal"),
    ("New", "Potential Loyalist", "Potential Loyalist", "Champions", "Champions"),
)


def quintile_scores(values: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """1-5 scores: the quintile of each value's lowest rank (higher value, higher score)."""
    n = values.size
    if n == 0:
        return np.zeros(0, np.int64)
    ranks = pd.Series(values).rank(method="min").to_numpy()
    out: npt.NDArray[np.int64] = (np.floor(5.0 * (ranks - 1.0) / n) + 1).astype(np.int64)
    return np.clip(out, 1, 5)


OVERDUE_GAP_MULTIPLE = 2.0


def rfm_scores(
    recency_days: npt.NDArray[np.float64],
    frequency: npt.NDArray[np.float64],
    monetary: npt.NDArray[np.float64],
    usual_gap_days: npt.NDArray[np.float64] | None = None,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """R, F, M scores (1-5) for customers with an order; 0 for the others.

    ``usual_gap_days`` (median days between purchase days, NaN for one-time buyers) caps
    R at 2 for customers overdue by more than twice their usual gap.
    """
    has = ~np.isnan(recency_days) & (frequency > 0)
    r = np.zeros(recency_days.size, np.int64)
    f = np.zeros_like(r)
    m = np.zeros_like(r)
    r[has] = quintile_scores(-recency_days[has])
    if usual_gap_days is not None:
        with np.errstate(invalid="ignore"):
            overdue = has & (recency_days > OVERDUE_GAP_MULTIPLE * usual_gap_days)
        r[overdue] = np.minimum(r[overdue], 2)
    f[has] = quintile_scores(frequency[has])
    m[has] = quintile_scores(monetary[has])
    return r, f, m


def segments(
    r: npt.NDArray[np.int64],
    f: npt.NDArray[np.int64],
    m: npt.NDArray[np.int64],
    *,
    champion_min_monetary: float = 3.0,
) -> npt.NDArray[np.object_]:
    """The segment name of each (R, F, M) score, None where R is 0 (no order)."""
    grid = np.array(GRID, dtype=object)
    has = r > 0
    out = np.full(r.size, None, dtype=object)
    names = grid[np.clip(r, 1, 5) - 1, np.clip(f, 1, 5) - 1]
    names = np.where((names == "Champions") & (m < champion_min_monetary), "Loyal", names)
    names = np.where((names == "At Risk") & (m >= 5), "Can't Lose Them", names)
    out[has] = names[has]
    return out


def rfm_segments(
    features: pd.DataFrame, *, champion_min_monetary: float = 3.0
) -> npt.NDArray[np.object_]:
    """Segment names per customer from the features frame as of T."""
    r, f, m = rfm_scores(
        features["recency_days"].to_numpy(),
        features["purchase_days"].to_numpy(),
        features["spend_total"].to_numpy(),
        features["gap_median"].to_numpy(dtype=np.float64) if "gap_median" in features else None,
    )
    return segments(r, f, m, champion_min_monetary=champion_min_monetary)
