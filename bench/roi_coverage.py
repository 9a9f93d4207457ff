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

and the app's own interval (services.learn.roi._interval, the percentile bootstrap the
Return section and ``report effectiveness`` show, with the report's 1,000 resamples) is
computed on each experiment. Printed per scenario: the share of intervals that hold the
true return (it should be near 95%), the share that include -100% (no effect: what
"No clear effect yet" is said on), and the mean width.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from services.learn.effectiveness import REPORT_RESAMPLES
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


def run(name: str, n1: int, n0: int, p0: float, p1: float, count: int, seed: int) -> None:
    """One scenario: ``count`` experiments, the coverage of their intervals printed."""
    truth = true_roi(n1, p0, p1)
    rng = np.random.default_rng([seed, n1, n0, int(p1 * 1000)])
    covered = unclear = 0
    widths = []
    for i in range(count):
        revenue1 = _revenue(rng, n1, p1)
        cost1 = EMAIL_CENTS + np.where(revenue1 > 0, OFFER_SHARE * revenue1, 0.0)
        contacted = pd.DataFrame({"revenue_cents": revenue1, "cost_cents": cost1})
        held = pd.DataFrame({"revenue_cents": _revenue(rng, n0, p0)})
        low, high = _interval(
            contacted, held, 1.0, 0.0, CONFIDENCE, REPORT_RESAMPLES, np.random.default_rng(i)
        )
        assert low is not None
        assert high is not None
        covered += low <= truth <= high
        unclear += low <= -1.0 <= high
        widths.append(high - low)
    print(
        f"{name:<26} {n1:>5,} vs {n0:>4,}  true ROI {truth * 100:+6.0f}%  "
        f"covered {covered / count * 100:5.1f}% (+/- {_se(covered, count) * 100:.1f})  "
        f"includes -100% {unclear / count * 100:5.1f}%  "
        f"mean width {np.mean(widths) * 100:,.0f} points"
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
        f"Share of the app's {CONFIDENCE * 100:.0f}% ROI intervals that hold the true return "
        f"({args.experiments:,} experiments each, {REPORT_RESAMPLES:,} resamples):"
    )
    for scenario in SCENARIOS:
        run(*scenario, count=args.experiments, seed=args.seed)
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
