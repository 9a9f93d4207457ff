"""Coverage of the 80% intervals on the full CDNOW data.

    .venv/bin/python bench/interval_coverage_cdnow.py [--work DIR]

The CDNOW workspace is built as bench/quality_cdnow.py builds it (one order per customer
and day, imported from a plain orders CSV) and scored through the command line twice:

1. as of 1997-09-30 for 273 days (the split of quality_cdnow.py): how often the orders
   each customer actually placed from 1997-10-01 to 1998-06-30 fall inside
   [predicted_orders_low, predicted_orders_high];
2. as of 1997-06-30 for 365 days, so that the holdout 1997-07-01..1998-06-30 is the
   12 months of the value (at the default value horizon, 12 months): the same for orders,
   and for the revenue actually made against the export's [value_low, value_high].

An 80% interval should hold the truth about 80% of the time, overall and by past
orders (repeat purchase days before the as-of date: 0, 1, 2-3, 4+). Also printed: the
mean width of each interval, and the spread of the churn-risk interval's width (which
sets the confidence label) with the confidence counts.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from quality_cdnow import load_orders, write_orders_csv  # noqa: E402

END = pd.Timestamp("1998-06-30")
RUNS = ((pd.Timestamp("1997-09-30"), 273), (pd.Timestamp("1997-06-30"), 365))
GROUPS = (("0 repeats", 0, 0), ("1 repeat", 1, 1), ("2-3 repeats", 2, 3), ("4+ repeats", 4, 10**9))


def main_py(db: Path, work: Path, *args: str) -> float:
    env = {k: v for k, v in os.environ.items() if k != "ACCOUNT_RADAR_DB"}
    env["ACCOUNT_RADAR_LOG_DIR"] = str(work / "log")
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"main.py {' '.join(args)} failed: {result.stderr.strip()}")
    return time.perf_counter() - started


def truth(orders: pd.DataFrame, as_of: pd.Timestamp, days: int) -> pd.DataFrame:
    """Per customer with an order by as_of: repeat purchase days before, orders and
    revenue in (as_of, as_of + days]."""
    cal = orders[orders["order_date"] <= as_of]
    end = as_of + pd.Timedelta(days=days)
    hold = orders[(orders["order_date"] > as_of) & (orders["order_date"] <= end)]
    frame = pd.DataFrame({"repeats": cal.groupby("customer_id").size() - 1})
    frame["orders"] = hold.groupby("customer_id").size()
    frame["revenue"] = hold.groupby("customer_id")["amount"].sum()
    return frame.fillna(0.0)


def coverage_lines(name: str, actual: np.ndarray, low: np.ndarray, high: np.ndarray,
                   repeats: np.ndarray, unit: str) -> list[str]:  # fmt: skip
    inside = (actual >= low - 1e-9) & (actual <= high + 1e-9)
    lines = [
        f"  {name}: {inside.mean():.1%} inside the 80% interval "
        f"(mean width {np.mean(high - low):,.2f} {unit}; below it {np.mean(actual < low):.1%}, "
        f"above it {np.mean(actual > high):.1%})"
    ]
    for label, lo, hi in GROUPS:
        group = (repeats >= lo) & (repeats <= hi)
        if group.any():
            lines.append(
                f"    {label:<12} {inside[group].mean():6.1%} of {int(group.sum()):>6,} customers, "
                f"mean width {np.mean(high[group] - low[group]):,.2f}"
            )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, help="working folder (default: a new temp folder)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="ar-intervals-"))
    work.mkdir(parents=True, exist_ok=True)
    orders = load_orders()
    orders_csv = work / "cdnow_orders.csv"
    write_orders_csv(orders, orders_csv)
    db = work / "cdnow.radar.sqlite"
    for leftover in work.glob("cdnow.radar.sqlite*"):
        leftover.unlink()
    print(f"import {main_py(db, work, 'import', str(orders_csv)):.1f} s")
    # The earlier as-of date first: the export takes the latest as-of date's run.
    for as_of, days in sorted(RUNS, key=lambda r: r[0]):
        seconds = main_py(
            db, work, "score", "--as-of", as_of.strftime("%Y-%m-%d"), "--horizon-days", str(days)
        )
        out = work / f"scores_{as_of:%Y%m%d}.csv"
        out.unlink(missing_ok=True)
        main_py(db, work, "export", "scores", str(out))
        scores = pd.read_csv(out, encoding="utf-8-sig", dtype={"customer_id": str})
        scores["customer_id"] = scores["customer_id"].astype(int)
        t = truth(orders, as_of, days).join(scores.set_index("customer_id"), how="inner")
        repeats = t["repeats"].to_numpy(int)
        print()
        print(
            f"as of {as_of:%Y-%m-%d}, {days} days ahead: {len(t):,} customers "
            f"(scored in {seconds:.1f} s)"
        )
        lines = coverage_lines(
            f"orders in the {days} days",
            t["orders"].to_numpy(float),
            t["predicted_orders_low"].to_numpy(float),
            t["predicted_orders_high"].to_numpy(float),
            repeats,
            "orders",
        )
        if days == 365:
            lines += coverage_lines(
                "revenue in the 12 months against the CLV interval",
                t["revenue"].to_numpy(float),
                t["value_low"].to_numpy(float),
                t["value_high"].to_numpy(float),
                repeats,
                "dollars",
            )
        print("\n".join(lines))
        width = (t["churn_risk_high"] - t["churn_risk_low"]).to_numpy(float)
        q = np.percentile(width, [10, 25, 50, 75, 90])
        print(
            "  churn-risk interval width: mean {:.3f}; percentiles 10/25/50/75/90: {}".format(
                width.mean(), " / ".join(f"{v:.3f}" for v in q)
            )
        )
        for label, lo, hi in GROUPS:
            group = (repeats >= lo) & (repeats <= hi)
            print(f"    {label:<12} mean width {width[group].mean():.3f}")
        counts = t["confidence"].value_counts()
        print("  confidence: " + ", ".join(f"{k} {int(v):,}" for k, v in counts.items()))
        churned = (t["orders"] == 0).to_numpy()
        risk = t["churn_risk"].to_numpy(float)
        low, high = t["churn_risk_low"].to_numpy(float), t["churn_risk_high"].to_numpy(float)
        print(
            f"  churn: observed no-order rate {churned.mean():.1%}; mean risk {risk.mean():.1%}, "
            f"mean low {low.mean():.1%}, mean high {high.mean():.1%}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
