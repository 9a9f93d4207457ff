"""An independent check of a CDNOW scores export: labels from the raw file, no project code.

    .venv/bin/python bench/eval_cdnow_export.py SCORES.csv [--master CDNOW_master.txt]
                     [--as-of 1997-09-30] [--horizon-days 273] [--json OUT.json]

SCORES.csv is what `python main.py export scores SCORES.csv` writes after `import` of a
plain orders CSV of the CDNOW master and `score --as-of 1997-09-30 --horizon-days 273`
(bench/quality_cdnow.py builds that workspace). This script reads only that CSV and
the raw CDNOW_master.txt (whitespace-separated: customer id, YYYYMMDD date, CDs,
dollars), with the standard library and numpy: it imports nothing from the project,
pandas or scikit-learn, so a mistake there cannot hide in both measurements.

The truth, per customer of the master with a purchase on or before the as-of date:
- holdout orders: distinct purchase days in (as_of, as_of + horizon] - the dates are
  calendar dates with no time of day or zone, and a customer's purchases on one day
  are one order, as in the BG/NBD literature (CDNOW has 69,659 lines on 67,591 days);
- churned: no purchase day in that window.

Figures: ROC AUC of churn_risk against churned (midranks for ties: the export rounds
churn_risk to 4 decimals), Brier score, and for predicted_orders against holdout
orders: RMSE, Pearson correlation and the aggregate bias (sum predicted - sum actual) /
sum actual. Customers of the export missing from the master, or the other way round,
are counted and left out.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
MASTER = ROOT / "tests" / "data" / "cdnow" / "CDNOW_master.txt"


def read_master(path: Path) -> list[tuple[int, dt.date]]:
    """(customer id, purchase date) per line of the raw file; a header line is skipped."""
    rows = []
    with path.open(encoding="ascii") as handle:
        for line in handle:
            parts = line.split()
            if not parts or not parts[0].isdigit():
                continue
            day = dt.date(int(parts[1][:4]), int(parts[1][4:6]), int(parts[1][6:8]))
            rows.append((int(parts[0]), day))
    return rows


def truth(
    rows: list[tuple[int, dt.date]], as_of: dt.date, horizon_days: int
) -> tuple[dict[int, int], int]:
    """Holdout purchase days per customer with a purchase by ``as_of``; lines in the
    holdout (before same-day lines are merged)."""
    end = as_of + dt.timedelta(days=horizon_days)
    calibrated = {c for c, day in rows if day <= as_of}
    days: dict[int, set[dt.date]] = {c: set() for c in calibrated}
    lines = 0
    for c, day in rows:
        if as_of < day <= end and c in days:
            days[c].add(day)
            lines += 1
    return {c: len(d) for c, d in days.items()}, lines


def read_export(path: Path) -> dict[int, tuple[float, float]]:
    """customer_id -> (churn_risk, predicted_orders) from a scores export."""
    out = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            out[int(row["customer_id"])] = (
                float(row["churn_risk"]),
                float(row["predicted_orders"]),
            )
    return out


def midranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n, tied values sharing the mean of their ranks."""
    order = np.argsort(values, kind="mergesort")
    ranks = np.empty(values.size, dtype=np.float64)
    sorted_values = values[order]
    start = 0
    while start < values.size:
        stop = start
        while stop + 1 < values.size and sorted_values[stop + 1] == sorted_values[start]:
            stop += 1
        ranks[order[start : stop + 1]] = (start + stop) / 2.0 + 1.0
        start = stop + 1
    return ranks


def roc_auc(positive: np.ndarray, score: np.ndarray) -> float:
    """P(a random positive scores above a random negative), ties counting one half
    (the Mann-Whitney U statistic over n_pos * n_neg)."""
    ranks = midranks(score)
    n_pos = int(positive.sum())
    n_neg = positive.size - n_pos
    u = ranks[positive].sum() - n_pos * (n_pos + 1) / 2.0
    return float(u / (n_pos * n_neg))


def evaluate(export: dict[int, tuple[float, float]], holdout: dict[int, int]) -> dict[str, float]:
    """The figures over the customers in both the export and the truth."""
    ids = sorted(set(export) & set(holdout))
    risk = np.array([export[c][0] for c in ids])
    predicted = np.array([export[c][1] for c in ids])
    actual = np.array([holdout[c] for c in ids], dtype=np.float64)
    churned = actual == 0
    error = predicted - actual
    p_dev = predicted - predicted.mean()
    a_dev = actual - actual.mean()
    return {
        "customers": float(len(ids)),
        "export_only": float(len(set(export) - set(holdout))),
        "truth_only": float(len(set(holdout) - set(export))),
        "churn_rate": float(churned.mean()),
        "auc": roc_auc(churned, risk),
        "brier": float(np.mean((risk - churned) ** 2)),
        "rmse_orders": float(math.sqrt(np.mean(error**2))),
        "corr_orders": float((p_dev @ a_dev) / math.sqrt((p_dev @ p_dev) * (a_dev @ a_dev))),
        "bias_orders": float((predicted.sum() - actual.sum()) / actual.sum()),
        "predicted_orders": float(predicted.sum()),
        "actual_orders": float(actual.sum()),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scores", type=Path, help="the CSV `export scores` wrote")
    parser.add_argument("--master", type=Path, default=MASTER, help="the raw CDNOW_master.txt")
    parser.add_argument("--as-of", default="1997-09-30", help="the scoring date, YYYY-MM-DD")
    parser.add_argument("--horizon-days", type=int, default=273)
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()
    as_of = dt.date.fromisoformat(args.as_of)
    rows = read_master(args.master)
    holdout, lines = truth(rows, as_of, args.horizon_days)
    f = evaluate(read_export(args.scores), holdout)
    end = as_of + dt.timedelta(days=args.horizon_days)
    print(
        f"{args.master.name}: {len(rows):,} lines; {len(holdout):,} customers with a purchase "
        f"on or before {as_of}; holdout {as_of + dt.timedelta(days=1)}..{end}: "
        f"{lines:,} lines on {sum(holdout.values()):,} customer-days"
    )
    print(
        f"{args.scores.name}: {int(f['customers']):,} customers evaluated, "
        f"{int(f['export_only'])} only in the export, {int(f['truth_only'])} only in the master"
    )
    print(
        f"ROC AUC {f['auc']:.4f}  Brier {f['brier']:.4f}  (churn rate {f['churn_rate']:.2%})\n"
        f"orders: RMSE {f['rmse_orders']:.4f}  correlation {f['corr_orders']:.4f}  "
        f"bias {f['bias_orders']:+.2%} ({f['predicted_orders']:,.0f} predicted, "
        f"{f['actual_orders']:,.0f} actual)"
    )
    if args.json:
        args.json.write_text(json.dumps(f, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
