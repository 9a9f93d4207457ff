"""The figures of one checkable run from its customers' checks (records.DEFINITIONS says
each in words): totals and bias, mean absolute errors, the churn risk's AUC, Brier score
and calibration, and the baselines' figures beside them. No database here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple

from services.accuracy.records import Bin, CustomerCheck, RunCheck

__all__ = ["auc", "calibration", "run_check"]

# Below this many customers, calibration has five bins instead of ten.
FEW_CUSTOMERS = 200


def _bias(predicted: float, actual: float) -> float | None:
    return (predicted - actual) / actual if actual else None


def _mae(pairs: Sequence[tuple[float, float]]) -> float | None:
    return sum(abs(p - a) for p, a in pairs) / len(pairs) if pairs else None


def auc(scores: Sequence[float], outcomes: Sequence[bool]) -> float | None:
    """The ROC AUC of ``scores`` for ``outcomes``; None unless both outcomes occur."""
    if len(set(outcomes)) < 2:
        return None
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score([int(o) for o in outcomes], list(scores)))


def calibration(risks: Sequence[float], outcomes: Sequence[bool]) -> tuple[Bin, ...]:
    """The customers by churn risk in equal-sized bins, lowest risk first."""
    pairs = sorted(zip(risks, outcomes, strict=True))
    if not pairs:
        return ()
    count = min(10 if len(pairs) >= FEW_CUSTOMERS else 5, len(pairs))
    bins = []
    for i in range(count):
        part = pairs[i * len(pairs) // count : (i + 1) * len(pairs) // count]
        bins.append(Bin(part[0][0], part[-1][0], len(part), sum(r for r, _ in part) / len(part),
                        sum(1 for _, o in part if o) / len(part)))  # fmt: skip
    return tuple(bins)


class _Churn(NamedTuple):
    auc: float | None = None
    baseline_auc: float | None = None
    brier: float | None = None
    churn_rate: float | None = None
    bins: tuple[Bin, ...] = ()


def _churn(customers: Sequence[CustomerCheck], horizon: int) -> _Churn:
    rated = [c for c in customers if c.churn_risk is not None]
    if not rated:
        return _Churn()
    risks = [float(c.churn_risk or 0.0) for c in rated]
    outcomes = [c.churned for c in rated]
    # No order ever before: ranked as the least recent of all.
    longest = max((c.recency_days or 0 for c in rated), default=0) + horizon + 1
    recency = [float(longest if c.recency_days is None else c.recency_days) for c in rated]
    return _Churn(
        auc(risks, outcomes),
        auc(recency, outcomes),
        sum((r - o) ** 2 for r, o in zip(risks, outcomes, strict=True)) / len(rated),
        sum(outcomes) / len(rated),
        calibration(risks, outcomes),
    )


def run_check(
    run_id: int, as_of: dt.date, horizon_days: int, customers: Sequence[CustomerCheck]
) -> RunCheck:
    """The run's figures from its customers' checks."""
    orders = [(float(c.predicted_orders), float(c.actual_orders))
              for c in customers if c.predicted_orders is not None]  # fmt: skip
    past = [(c.past_orders * horizon_days / 365, float(c.actual_orders))
            for c in customers if c.predicted_orders is not None]  # fmt: skip
    money = [(float(c.predicted_cents), float(c.actual_cents))
             for c in customers if c.predicted_cents is not None]  # fmt: skip
    predicted_orders = sum(p for p, _ in orders)
    actual_orders = int(sum(a for _, a in orders))
    predicted_cents = int(sum(p for p, _ in money))
    actual_cents = int(sum(a for _, a in money))
    churn = _churn(customers, horizon_days)
    return RunCheck(
        run_id=run_id,
        as_of=as_of,
        horizon_days=horizon_days,
        customers=tuple(customers),
        predicted_orders=predicted_orders,
        actual_orders=actual_orders,
        orders_bias=_bias(predicted_orders, actual_orders),
        orders_mae=_mae(orders),
        baseline_orders_mae=_mae(past),
        predicted_cents=predicted_cents,
        actual_cents=actual_cents,
        revenue_bias=_bias(predicted_cents, actual_cents),
        revenue_mae=_mae(money),
        auc=churn.auc,
        baseline_auc=churn.baseline_auc,
        brier=churn.brier,
        churn_rate=churn.churn_rate,
        bins=churn.bins,
    )
