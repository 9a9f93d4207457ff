"""The model check's records (services/accuracy/report.py reads them, measures.py works
out their figures): frozen, so that the window's worker and the command line hand them on
as they are."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

__all__ = [
    "DEFINITIONS",
    "AccuracyReport",
    "Bin",
    "CustomerCheck",
    "PendingRun",
    "RunCheck",
]

# Each measure in words, once: the report, the command line and the window say these.
DEFINITIONS: tuple[tuple[str, str], ...] = (
    (
        "Checkable",
        "a run whose horizon (as of + horizon days) has passed: on or before the newest "
        "paid order of the workspace, or today when that is earlier.",
    ),
    ("Window", "the days after the run's as-of date up to the end of its horizon, included."),
    ("Actual orders", "the customer's paid orders in the window."),
    ("Actual revenue", "those orders' amounts in the home currency."),
    ("Churned", "a customer with no paid order in the window."),
    ("Bias", "(predicted - actual) / actual over all the run's customers; + is too high."),
    ("MAE", "the mean absolute error per customer (|predicted - actual|, averaged)."),
    (
        "AUC",
        "the chance that a customer who churned had a higher churn risk than one who did "
        "not (0.5: no better than a coin; 1: perfect).",
    ),
    ("Brier", "the mean of (churn risk - churned)², churned 1 or 0; lower is better."),
    (
        "Baselines",
        "churn: the days since the customer's last paid order at the as-of date, ranked as "
        "a churn risk; orders: their paid orders in the year before, scaled to the horizon. "
        "The model beats its baseline when its AUC is higher and its orders MAE lower.",
    ),
    (
        "Calibration",
        "the customers in ten bins of churn risk (five below 200 customers): the mean risk "
        "predicted against the share that churned.",
    ),
)


class CustomerCheck(NamedTuple):  # a tuple: a workspace's runs make many of them
    """One customer of one run: what the snapshot predicted, what they then did, and what
    the baselines read from before the as-of date."""

    customer_id: int
    predicted_orders: float | None
    actual_orders: int
    predicted_cents: int | None  # home hundredths (None: not predicted or no rate)
    actual_cents: int
    churn_risk: float | None
    recency_days: int | None  # days since the last paid order at the as-of date
    past_orders: int  # paid orders in the year before the as-of date

    @property
    def churned(self) -> bool:
        return self.actual_orders == 0


class Bin(NamedTuple):
    """One calibration bin: its customers' mean churn risk against their churn rate."""

    low: float
    high: float
    customers: int
    predicted: float
    observed: float


@dataclass(frozen=True)
class RunCheck:
    """One checkable scoring run and its figures (see DEFINITIONS); a figure is None when
    it cannot be worked out (no customer predicted, or only one outcome for the AUC)."""

    run_id: int
    as_of: dt.date
    horizon_days: int
    customers: tuple[CustomerCheck, ...]
    predicted_orders: float
    actual_orders: int
    orders_bias: float | None
    orders_mae: float | None
    baseline_orders_mae: float | None
    predicted_cents: int
    actual_cents: int
    revenue_bias: float | None
    revenue_mae: float | None
    auc: float | None
    baseline_auc: float | None
    brier: float | None
    churn_rate: float | None
    bins: tuple[Bin, ...]
    # Whether the run's churn model used what customers said in conversations, and why, in
    # words (services/scoring/_conversation_check.py); "" when it had none to try.
    conversations: str = ""

    @property
    def end(self) -> dt.date:
        """The last day of its window."""
        return self.as_of + dt.timedelta(days=self.horizon_days)

    @property
    def scored(self) -> int:
        return len(self.customers)

    @property
    def beats_churn_baseline(self) -> bool | None:
        if self.auc is None or self.baseline_auc is None:
            return None
        return self.auc > self.baseline_auc

    @property
    def beats_orders_baseline(self) -> bool | None:
        if self.orders_mae is None or self.baseline_orders_mae is None:
            return None
        return self.orders_mae < self.baseline_orders_mae


@dataclass(frozen=True)
class PendingRun:
    """A scoring run whose horizon has not passed yet: checkable on ``checkable_on``."""

    run_id: int
    as_of: dt.date
    horizon_days: int

    @property
    def checkable_on(self) -> dt.date:
        return self.as_of + dt.timedelta(days=self.horizon_days)


@dataclass(frozen=True)
class AccuracyReport:
    """Every finished scoring run, oldest first: the checkable ones with their figures, the
    others with the day they will be."""

    cutoff: dt.date | None  # the last day known: the newest paid order or today
    cutoff_by: str  # "the newest order" or "today"
    currency: str
    runs: tuple[RunCheck, ...]
    pending: tuple[PendingRun, ...]
    money_note: str | None = None
    names: Mapping[int, str] = field(default_factory=dict)

    @property
    def latest(self) -> RunCheck | None:
        return self.runs[-1] if self.runs else None

    def run(self, run_id: int) -> RunCheck | None:
        return next((r for r in self.runs if r.run_id == run_id), None)
