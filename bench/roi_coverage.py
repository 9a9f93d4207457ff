"""Coverage of the return on outreach's 95% interval, on simulated experiments whose true
return is known.

    .venv/bin/python bench/roi_coverage.py [--experiments 400] [--seed 1]

Each experiment draws a contacted group and a held-out group (a 10% holdout and a
smaller one) whose revenue in the attribution window is skewed as a shop's is: most
customers order nothing, those who order spend a log-normal amount (median $60, a long
tail of big spenders). Outreach raises the chance of ordering by a known amount; each
contacted customer costs an email, and each who orders redeems an offer worth 10% of the
order. The true return is worked out from the model's expectations:

    ROI = (n1 x (E[revenue | contacted] - E[revenue | held out]) - E[cost]) / E[cost]

and the app's intervals are computed on each experiment, with the report's 1,000
resamples: the return's (services.learn.roi._interval, the studentised bootstrap the
Return section and ``report effectiveness`` show) and the revenue lift per customer's
(services.learn.lift.bootstrap_revenue_lift, whose interval x the contacted is the
incremental revenue's), each beside the plain percentile bootstrap they replaced (each
group resampled on its own). Printed per scenario and method: the share of intervals
that hold the truth (it should be near 95%), for the return the share that include -100%
(no effect: what "No clear effect yet" is said on), and the mean width.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import time

import numpy as np
import pandas as pd

from services.learn.effectiveness import REPORT_RESAMPLES
from services.learn.lift import bootstrap_mean_difference, bootstrap_revenue_lift
from services.learn.roi import _interval

MEDIAN_ORDER_CENTS = 6_000.0
SIGMA = 1.2  # log-normal spread: mean / median = exp(sigma^2 / 2), about 2.05
EMAIL_CENTS = 200.0
OFFER_SHARE = 0.10
CONFIDENCE = 0.95

# name, contacted, held out, chance of ordering held out, contacted
SCENARIOS = (
    ("10% holdout, clear lift", 1_800, 200, 0.15, 0.22),
    ("10% holdout, small lift", 900, 100, 0.15, 0.18),
    ("50 held out, small lift", 450, 50, 0.15, 0.18),
    ("no effect at all", 900, 100, 0.15, 0.15),
)


def _revenue(rng: np.random.Generator, n: int, chance: float) -> np.ndarray:
    orders = rng.random(n) < chance
    spent = MEDIAN_ORDER_CENTS * rng.lognormal(0.0, SIGMA, n)
    return np.where(orders, spent, 0.0)


def true_roi(n1: int, p0: float, p1: float) -> float:
    """The return the model's expectations give (margin 100%: revenue counts)."""
    mean_order = MEDIAN_ORDER_CENTS * float(np.exp(SIGMA**2 / 2))
    gain = n1 * (p1 - p0) * mean_order
    cost = n1 * (EMAIL_CENTS + p1 * OFFER_SHARE * mean_order)
    return (gain - cost) / cost


def true_lift(p0: float, p1: float) -> float:
    """The revenue lift per customer the model's expectations give."""
    return (p1 - p0) * MEDIAN_ORDER_CENTS * float(np.exp(SIGMA**2 / 2))


def percentile_roi_interval(
    contacted: pd.DataFrame, held: pd.DataFrame, resamples: int, rng: np.random.Generator
) -> tuple[float, float]:
    """The percentile bootstrap of the return (margin 100%, no team cost), each group
    resampled on its own: the method the app used before, for the comparison."""
    revenue1 = contacted["revenue_cents"].to_numpy(np.float64)
    cost1 = contacted["cost_cents"].to_numpy(np.float64)
    revenue0 = held["revenue_cents"].to_numpy(np.float64)
    n1, n0 = len(revenue1), len(revenue0)
    pick1 = rng.integers(0, n1, size=(resamples, n1))
    pick0 = rng.integers(0, n0, size=(resamples, n0))
    gain = (revenue1[pick1].mean(axis=1) - revenue0[pick0].mean(axis=1)) * n1
    cost = cost1[pick1].sum(axis=1)
    tail = (1.0 - CONFIDENCE) / 2.0
    low, high = np.quantile((gain - cost) / cost, [tail, 1.0 - tail])
    return float(low), float(high)


class Tally:
    """Intervals against one truth: how many hold it, include a value, and how wide."""

    def __init__(self, truth: float, no_effect: float) -> None:
        self.truth, self.no_effect = truth, no_effect
        self.count = self.covered = self.unclear = 0
        self.widths: list[float] = []

    def add(self, low: float | None, high: float | None) -> None:
        assert low is not None
        assert high is not None
        self.count += 1
        self.covered += low <= self.truth <= high
        self.unclear += low <= self.no_effect <= high
        self.widths.append(high - low)

    def share(self) -> str:
        error = _se(self.covered, self.count) * 100
        return f"{self.covered / self.count * 100:5.1f}% (+/- {error:.1f})"


def run(name: str, n1: int, n0: int, p0: float, p1: float, count: int, seed: int) -> None:
    """One scenario: ``count`` experiments, the coverage of their intervals printed."""
    truth, lift = true_roi(n1, p0, p1), true_lift(p0, p1)
    rng = np.random.default_rng([seed, n1, n0, int(p1 * 1000)])
    roi_new, roi_old = Tally(truth, -1.0), Tally(truth, -1.0)
    lift_new, lift_old = Tally(lift, 0.0), Tally(lift, 0.0)
    for i in range(count):
        revenue1 = _revenue(rng, n1, p1)
        cost1 = EMAIL_CENTS + np.where(revenue1 > 0, OFFER_SHARE * revenue1, 0.0)
        contacted = pd.DataFrame({"revenue_cents": revenue1, "cost_cents": cost1})
        revenue0 = _revenue(rng, n0, p0)
        held = pd.DataFrame({"revenue_cents": revenue0})
        roi_new.add(
            *_interval(
                contacted, held, 1.0, 0.0, CONFIDENCE, REPORT_RESAMPLES, np.random.default_rng(i)
            )
        )
        roi_old.add(
            *percentile_roi_interval(contacted, held, REPORT_RESAMPLES, np.random.default_rng(i))
        )
        for tally, method in (
            (lift_new, bootstrap_revenue_lift),
            (lift_old, bootstrap_mean_difference),
        ):
            lifted = method(revenue1, revenue0, CONFIDENCE, REPORT_RESAMPLES, i)
            tally.add(lifted.low_cents, lifted.high_cents)
    print(f"{name} ({n1:,} contacted, {n0:,} held out)")
    print(
        f"  return, true {truth * 100:+.0f}%:  bootstrap-t {roi_new.share()}, "
        f"includes -100% {roi_new.unclear / count * 100:.1f}%, "
        f"mean width {np.mean(roi_new.widths) * 100:,.0f} points;  "
        f"percentile {roi_old.share()}, includes -100% {roi_old.unclear / count * 100:.1f}%, "
        f"mean width {np.mean(roi_old.widths) * 100:,.0f} points"
    )
    print(
        f"  revenue lift, true ${lift / 100:,.2f} a customer:  bootstrap-t {lift_new.share()}, "
        f"mean width ${np.mean(lift_new.widths) / 100:,.2f};  "
        f"percentile {lift_old.share()}, mean width ${np.mean(lift_old.widths) / 100:,.2f}"
    )


def _se(hits: int, count: int) -> float:
    share = hits / count
    return float(np.sqrt(share * (1 - share) / count))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiments", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    print(
        f"Share of the app's {CONFIDENCE * 100:.0f}% intervals that hold the true return and "
        f"revenue lift ({args.experiments:,} experiments each, {REPORT_RESAMPLES:,} resamples), "
        "the app's bootstrap-t beside the percentile bootstrap:"
    )
    for scenario in SCENARIOS:
        run(*scenario, count=args.experiments, seed=args.seed)
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
