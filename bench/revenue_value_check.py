"""Predicted revenue against what was bought, with and without the value check.

    .venv/bin/python bench/revenue_value_check.py [--skip-cdnow] [--skip-demo] [--seed 11]

The value check (services/scoring/value_check.py) multiplies the expected value of a
purchase day by the ratio it measures on the churn backtest's window, before T. This
scores, each way (the check's factor, and the factor held at 1):

- CDNOW, the full file, as of 1997-09-30 over 273 days (bench/bench_row_order.py's split):
  the predicted revenue against the holdout's, the holdout AUC of churn risk and the
  customers breaking revenue(h) <= 12-month value <= 365/h x revenue(h);
- the 2,000-customer demo (seed 11, built to 2025-06-15), scored over 90 days as of
  three earlier dates (90, 180 and 270 days before), each against the revenue of the 90
  days that followed.

The holdouts are read for the figures only; the check sees data up to the as-of date.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEMO_TODAY = dt.date(2025, 6, 15)
DEMO_HORIZON = 90
DEMO_BACK = (90, 180, 270)


@contextmanager
def without_check() -> Iterator[None]:
    """Scoring with the value check's factor held at 1."""
    from services.scoring import compute

    real = getattr(compute, "check_value")  # noqa: B009 (imported there, not exported)
    setattr(compute, "check_value", lambda *args, **kwargs: None)  # noqa: B010
    try:
        yield
    finally:
        setattr(compute, "check_value", real)  # noqa: B010


def _both(score: Callable[[], dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    with without_check():
        before = score()
    return [("factor 1 (before)", before), ("value check", score())]


def cdnow() -> None:
    from sklearn.metrics import roc_auc_score
    from sqlalchemy import text

    from bench.bench_row_order import (
        AS_OF,
        HORIZON,
        build_workspace,
        holdout_truth,
        read_lines,
        scores_of,
    )
    from services.scoring.run import score_workspace

    lines = read_lines()
    truth = holdout_truth(lines)
    with tempfile.TemporaryDirectory() as folder:
        ws = build_workspace(lines, Path(folder) / "cdnow.radar.sqlite")

        def score() -> dict[str, Any]:
            started = time.perf_counter()
            score_workspace(ws.engine, as_of=AS_OF, horizon_days=HORIZON)
            seconds = time.perf_counter() - started
            s = scores_of(ws).reindex(truth.index)
            revenue = s["revenue_cents"].to_numpy(np.float64)
            clv = s["clv_cents"].to_numpy(np.float64)
            with ws.engine.connect() as conn:
                params = conn.execute(
                    text("SELECT params FROM scoring_runs ORDER BY id DESC LIMIT 1")
                ).scalar_one()
            stored = json.loads(params) if isinstance(params, str) else params
            check = (stored or {}).get("value_check")
            return {
                "bias": revenue.sum() / truth["holdout_cents"].sum() - 1,
                "auc": roc_auc_score(truth["churned"], s["churn_risk"].astype(float)),
                "incoherent": _incoherent(revenue, clv, HORIZON),
                "seconds": seconds,
                "scale": check["scale"] if check else 1.0,
            }

        try:
            rows = _both(score)
        finally:
            ws.close()
    print(f"CDNOW, as of {AS_OF}, {HORIZON} days:")
    for name, r in rows:
        print(
            f"  {name:>17}: revenue {r['bias']:+.1%}  AUC {r['auc']:.4f}  factor "
            f"{r['scale']:.3f}  incoherent {r['incoherent']}  {r['seconds']:.1f} s",
            flush=True,
        )


def _incoherent(revenue: Any, clv: Any, horizon: int) -> int:
    """Customers breaking revenue(h) <= 12-month value <= 365/h x revenue(h) (a cent of
    rounding each way)."""
    ratio = 365 / horizon
    return int(np.sum((clv < revenue - 1) | (clv > ratio * revenue + 1 + ratio)))


def demo(seed: int) -> None:
    from sqlalchemy import text

    from app.workspace import open_workspace, to_url
    from models.vocab import GUEST_EXTERNAL_ID
    from services.demo import build_demo
    from services.scoring.run import score_workspace

    print(f"demo, 2,000 customers, seed {seed}, {DEMO_HORIZON} days:")
    with tempfile.TemporaryDirectory() as folder:
        ws = open_workspace(to_url(str(Path(folder) / "demo.radar.sqlite")), backup=False)
        try:
            build_demo(ws.engine, customers=2000, seed=seed, today=DEMO_TODAY)
            for back in DEMO_BACK:
                as_of = DEMO_TODAY - dt.timedelta(days=back)
                end = as_of + dt.timedelta(days=DEMO_HORIZON)
                with ws.engine.connect() as conn:
                    actual = float(
                        conn.execute(
                            text(
                                "SELECT COALESCE(SUM(o.amount_cents), 0) FROM orders o "
                                "JOIN customers c ON c.id = o.customer_id "
                                "WHERE o.status = 'paid' AND o.order_date >= :a "
                                "AND o.order_date < :b AND (c.external_id IS NULL "
                                "OR c.external_id != :guest)"
                            ),
                            {
                                "a": as_of + dt.timedelta(days=1),
                                "b": end + dt.timedelta(days=1),
                                "guest": GUEST_EXTERNAL_ID,
                            },
                        ).scalar_one()
                    )

                def score(as_of: dt.date = as_of, actual: float = actual) -> dict[str, Any]:
                    score_workspace(ws.engine, as_of=as_of, horizon_days=DEMO_HORIZON)
                    with ws.engine.connect() as conn:
                        predicted = float(
                            conn.execute(
                                text(
                                    "SELECT SUM(predicted_revenue_cents) FROM score_snapshots "
                                    "WHERE as_of = :d"
                                ),
                                {"d": as_of},
                            ).scalar_one()
                        )
                    return {"bias": predicted / actual - 1}

                rows = _both(score)
                print(
                    f"  as of {as_of}: "
                    + "  ".join(f"{name} {r['bias']:+.1%}" for name, r in rows),
                    flush=True,
                )
        finally:
            ws.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-cdnow", action="store_true")
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    if not args.skip_cdnow:
        cdnow()
    if not args.skip_demo:
        demo(args.seed)


if __name__ == "__main__":
    main()
