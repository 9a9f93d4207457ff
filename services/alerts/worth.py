"""What a lapse warning is worth acting on: the queue's order for the rules that read the
orders.

The rules that warn of a lapse from the orders (ORDER_RULES: High risk, high value; Lapse
coming; Churn risk rising; Engagement drop; Gone quiet) rank their alerts by the same
figure, the customer's *worth*:

    worth = chance x (value + weight x typical value)

- chance: the chance that the customer places no order before their lapse point
  (services/alerts/lapse.lapse_chance, from the scoring run's BG/NBD fit; the churn risk
  where there is none);
- value: the customer's T-month value as scored (clv_cents);
- typical value: the median T-month value of the customers not lapsed yet;
- weight (setting ``alerts.reach_weight``): how much each lapse counts beyond its value.
  0 ranks by the value at stake alone (the big accounts first); a large weight by the
  chance alone (the most lapses caught).

A warning is raised only for a customer whose chance is at least the floor (setting
``alerts.lapse_floor_percent``): below it, the alert is not worth the call. Customers
already lapsed (win-back cases) are not floored: their chance is 1; nor is a critical
alert (High risk, high value at its default severity): no customer who meets the critical
rule is hidden. Among the early
warnings, those with less than Lapse coming's notice left come after the others: there
is little time left to act (``short_notice``).

Both settings, when no one has set them, take the values the last Early-warning replay
chose on the workspace's own history (services/learn/replay_worth.py): the most lapsing
customers warned with notice such that the queue warns at least as many as the recency
rule with that notice and more value than the same customers ranked by value.

Usage drop and Negative experience rank by their own evidence (services/alerts/rules.py).
Plain numpy/pandas; reads nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:  # pandas is imported where a frame is built: the alert list's read
    # (services/alerts/config.py imports this module) runs without it.
    import pandas as pd

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]

ORDER_RULES = frozenset(
    {"high_risk_high_value", "lapse_coming", "risk_rising", "engagement_drop", "gone_quiet"}
)
FLOOR_SETTING = "alerts.lapse_floor_percent"
WEIGHT_SETTING = "alerts.reach_weight"
# Until a replay has chosen (and no one has set them).
FALLBACK_FLOOR_PERCENT = 70
FALLBACK_WEIGHT = 20.0


@dataclass(frozen=True)
class Worth:
    """The floor (a chance, 0-1) and the weight of each lapse, with where they come from."""

    floor: float = FALLBACK_FLOOR_PERCENT / 100.0
    weight: float = FALLBACK_WEIGHT
    source: str = "built-in"  # "set", "replay" or "built-in"
    # alerts.priority_uses_lower_bound: where the churn risk stands in for the chance, the
    # low end of its 80% interval (a customer at risk only because little is known ranks
    # lower).
    uses_lower_bound: bool = False


def chances(customers: pd.DataFrame, low: bool = False) -> FloatArray:
    """Per customer: the lapse chance, else the churn risk (``low``: the low end of its
    interval where one is known; NaN: neither)."""
    chance = customers["lapse_chance"].to_numpy(np.float64) if "lapse_chance" in customers else None
    churn = customers["churn"].to_numpy(np.float64)
    if low and "churn_low" in customers:
        bound = customers["churn_low"].to_numpy(np.float64)
        churn = np.where(np.isfinite(bound), bound, churn)
    out: FloatArray
    if chance is None:
        out = churn.copy()
        return out
    out = np.where(np.isfinite(chance), chance, churn)
    return out


def typical_value(customers: pd.DataFrame, horizon: int) -> float:
    """The median T-month value (cents) of the customers not lapsed yet (1 when none)."""
    value = customers["clv_cents"].to_numpy(np.float64)
    recency = customers["recency_days"].to_numpy(np.float64)
    with np.errstate(invalid="ignore"):
        live = np.isfinite(value) & np.isfinite(recency) & (recency < max(horizon, 1))
    if not live.any():
        return 1.0
    return max(float(np.median(value[live])), 1.0)


def worth_of(customers: pd.DataFrame, horizon: int, weight: float, low: bool = False) -> FloatArray:
    """Per customer, the worth in cents (module docstring); 0 where the chance is unknown."""
    value = np.maximum(np.nan_to_num(customers["clv_cents"].to_numpy(np.float64)), 0.0)
    chance = np.nan_to_num(chances(customers, low))
    out: FloatArray = chance * (value + weight * typical_value(customers, horizon))
    return out


def short_notice(
    candidates: pd.DataFrame, customers: pd.DataFrame, horizon: int, notice: int
) -> BoolArray:
    """Which candidates are order warnings on a customer not lapsed yet with fewer than
    ``notice`` days left before the lapse point."""
    if candidates.empty or horizon <= 0 or "recency_days" not in customers:
        return np.zeros(len(candidates), bool)
    import pandas as pd

    left = pd.Series(
        horizon - customers["recency_days"].to_numpy(np.float64),
        index=customers["customer_id"].to_numpy(np.int64),
    )
    rows = left.reindex(candidates["customer_id"].to_numpy(np.int64)).to_numpy(np.float64)
    with np.errstate(invalid="ignore"):
        out: BoolArray = (
            candidates["rule_key"].isin(ORDER_RULES).to_numpy()
            & np.isfinite(rows)
            & (rows > 0)
            & (rows < notice)
        )
    return out


def rank_by_worth(
    candidates: pd.DataFrame, customers: pd.DataFrame, horizon: int, worth: Worth
) -> pd.DataFrame:
    """The candidates with the order warnings' priority set to their customer's worth and
    those below the floor left out (win-back cases kept: their chance is 1)."""
    if candidates.empty:
        return candidates
    import pandas as pd

    ids = customers["customer_id"].to_numpy(np.int64)
    by_id = pd.DataFrame(
        {
            "worth": worth_of(customers, horizon, worth.weight, worth.uses_lower_bound),
            "chance": chances(customers),
        },
        index=ids,
    )
    rows = by_id.reindex(candidates["customer_id"].to_numpy(np.int64))
    order = candidates["rule_key"].isin(ORDER_RULES).to_numpy()
    chance = rows["chance"].to_numpy(np.float64)
    # A critical alert is never floored: no customer who meets the critical rule is hidden
    # (as the daily cap never holds one back); it is ranked by its worth all the same.
    critical = (candidates["severity"] == "critical").to_numpy()
    with np.errstate(invalid="ignore"):
        below = order & ~critical & ~(np.nan_to_num(chance) >= worth.floor - 1e-9)
    priority = candidates["priority_cents"].to_numpy(np.int64).copy()
    priority[order] = np.rint(np.nan_to_num(rows["worth"].to_numpy(np.float64)[order]))
    return candidates.assign(priority_cents=priority)[~below].reset_index(drop=True)
