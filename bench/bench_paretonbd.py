"""Speed and quality of the Pareto/NBD model (services/scoring/paretonbd.py).

    .venv/bin/python bench/bench_paretonbd.py [--repeat N]

1. Full CDNOW (tests/data/cdnow/CDNOW_master.txt, 23,570 customers, same-day purchases
   merged, calibration 1997-01-01..1997-09-30 in weeks): the fit on the summary
   compressed to distinct (x, t_x, T) rows with weights, the fit on the uncompressed
   rows, the covariance of the log-parameters; seconds and fitted parameters.
2. A synthetic population of 100,000 customers drawn from the model (first purchases
   spread over a year): fit seconds and parameters, and the seconds of P(alive),
   expected purchases and P(no purchase) for all of them.
3. Quality on the full CDNOW split: churn score = P(no purchase in the 273 days =
   39 weeks after 1997-09-30), label = no purchase in 1997-10-01..1998-06-30; ROC AUC
   and Brier score, and for expected purchases the RMSE, Pearson correlation and
   aggregate bias against the holdout purchase days.
Each timing is the best of --repeat runs.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from services.scoring.paretonbd import (  # noqa: E402
    ParetoNBDParams,
    expected_purchases,
    fit_covariance,
    fit_paretonbd,
    p_alive,
    prob_no_purchase,
)

MASTER = ROOT / "tests" / "data" / "cdnow" / "CDNOW_master.txt"
AS_OF = pd.Timestamp("1997-09-30")
HOLDOUT_END = pd.Timestamp("1998-06-30")
HORIZON_WEEKS = 273 / 7.0


def best_of(repeat: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def cdnow_summary() -> pd.DataFrame:
    """Per customer: x, t_x, T in weeks at 1997-09-30, and holdout purchase days."""
    raw = pd.read_csv(MASTER, sep=r"\s+", dtype={"customer_id": str, "date": str})
    raw["order_date"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    days = raw[["customer_id", "order_date"]].drop_duplicates()
    cal = days[days["order_date"] <= AS_OF]
    hold = days[(days["order_date"] > AS_OF) & (days["order_date"] <= HOLDOUT_END)]
    by = cal.groupby("customer_id")["order_date"]
    first, last = by.min(), by.max()
    frame = pd.DataFrame(
        {
            "x": (by.size() - 1).astype(float),
            "t_x": (last - first).dt.days / 7.0,
            "T": (AS_OF - first).dt.days / 7.0,
        }
    )
    frame["holdout"] = hold.groupby("customer_id").size().reindex(frame.index).fillna(0.0)
    return frame


def simulate(params: ParetoNBDParams, n: int, seed: int) -> pd.DataFrame:
    """Customers drawn from the model, first purchases spread over 52 weeks before T."""
    rng = np.random.default_rng(seed)
    rate = rng.gamma(params.r, 1 / params.alpha, n)
    death = rng.gamma(params.s, 1 / params.beta, n)
    life = rng.exponential(1 / death)
    big_t = rng.uniform(1.0, 52.0, n)
    seen = np.minimum(life, big_t)
    x = rng.poisson(rate * seen).astype(float)
    with np.errstate(divide="ignore"):
        t_x = np.where(x > 0, seen * rng.random(n) ** (1 / np.maximum(x, 1)), 0.0)
    return pd.DataFrame({"x": x, "t_x": t_x, "T": big_t})


def roc_auc(score: np.ndarray[Any, Any], label: np.ndarray[Any, Any]) -> float:
    """ROC AUC by the rank-sum (ties get their mean rank)."""
    ranks = pd.Series(score).rank(method="average").to_numpy()
    positives = label.astype(bool)
    n_pos, n_neg = positives.sum(), (~positives).sum()
    return float((ranks[positives].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    cdnow = cdnow_summary()
    compressed = cdnow.groupby(["x", "t_x", "T"]).size().reset_index(name="n")
    print(f"CDNOW: {len(cdnow):,} customers, {len(compressed):,} distinct (x, t_x, T) rows")
    seconds, params = best_of(
        args.repeat,
        lambda: fit_paretonbd(
            compressed["x"], compressed["t_x"], compressed["T"], weights=compressed["n"]
        ),
    )
    print(f"  fit, compressed rows:   {seconds:.3f} s  {fmt(params)}")
    seconds, full = best_of(
        args.repeat, lambda: fit_paretonbd(cdnow["x"], cdnow["t_x"], cdnow["T"])
    )
    print(f"  fit, one row each:      {seconds:.3f} s  {fmt(full)}")
    seconds, cov = best_of(
        args.repeat,
        lambda: fit_covariance(
            params, compressed["x"], compressed["t_x"], compressed["T"], compressed["n"]
        ),
    )
    errors = ", ".join(f"{v:.4f}" for v in np.sqrt(np.diag(cov)))
    print(f"  covariance:             {seconds:.3f} s  standard errors of the logs: {errors}")

    truth = ParetoNBDParams(r=0.55, alpha=10.58, s=0.61, beta=11.67)
    sim = simulate(truth, 100_000, seed=7)
    print(f"Synthetic, {len(sim):,} customers drawn from {fmt(truth)}")
    seconds, fitted = best_of(args.repeat, lambda: fit_paretonbd(sim["x"], sim["t_x"], sim["T"]))
    print(f"  fit:                    {seconds:.3f} s  {fmt(fitted)}")
    x, t_x, big_t = sim["x"], sim["t_x"], sim["T"]
    for name, fn in (
        ("P(alive)", lambda: p_alive(fitted, x, t_x, big_t)),
        ("expected purchases", lambda: expected_purchases(fitted, 39.0, x, t_x, big_t)),
        ("P(no purchase)", lambda: prob_no_purchase(fitted, 39.0, x, t_x, big_t)),
    ):
        seconds, _ = best_of(args.repeat, fn)
        print(f"  {name + ':':23} {seconds:.3f} s")

    x, t_x, big_t = cdnow["x"], cdnow["t_x"], cdnow["T"]
    risk = prob_no_purchase(params, HORIZON_WEEKS, x, t_x, big_t)
    expected = expected_purchases(params, HORIZON_WEEKS, x, t_x, big_t)
    actual = cdnow["holdout"].to_numpy()
    silent = (actual == 0).astype(float)
    rmse = float(np.sqrt(np.mean((expected - actual) ** 2)))
    corr = float(np.corrcoef(expected, actual)[0, 1])
    bias = float(expected.sum() / actual.sum() - 1)
    print(
        "CDNOW holdout 1997-10-01..1998-06-30 (273 days): "
        f"{int(silent.sum()):,} of {len(silent):,} customers made no purchase"
    )
    print(
        f"  P(no purchase in 39 weeks): AUC {roc_auc(risk, silent):.4f}  "
        f"Brier {float(np.mean((risk - silent) ** 2)):.4f}  "
        f"mean {risk.mean():.4f} (observed {silent.mean():.4f})"
    )
    print(f"  expected purchase days: RMSE {rmse:.3f}  correlation {corr:.3f}  bias {bias:+.1%}")


def fmt(params: ParetoNBDParams) -> str:
    return " ".join(f"{k}={v:.4f}" for k, v in params.to_dict().items())


if __name__ == "__main__":
    main()
