"""Who to contact against a known truth: do the uplift bands cover each customer's true
uplift at their stated 90%, does the estimates' mean sit on the true mean, and is the
ranking offered only when it is earned?

    .venv/bin/python bench/uplift_coverage.py [--seeds 11 7 3 1 2] [--customers 2000]

For each seed the 2,000-customer demo is built (its past outreach has a true uplift per
customer, services/demo/uplift_truth.py), scored on its today, today's alerts raised, and
Who to contact's report computed (services.learn.uplift.uplift_report). Each past
exposure's estimate and 90% band (the models fitted on all of them) is compared with that
customer's true uplift. Printed per seed: the share of bands that hold the truth, the
median band width (points), the mean estimate against the mean true uplift, today's
customers' mean estimate, and the measured average lift (90%), the
Qini coefficient's 90% interval and whether the ranking is offered (``report.ranks``).

Then the A/A run: the same demos with outreach having no effect on anyone (the contacted
arm's true rate equal to the held out's, every true uplift 0): the ranking should not be
offered, and the bands should hold 0.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.workspace import open_workspace, to_url  # noqa: E402
from services.alerts.generate import generate_alerts  # noqa: E402
from services.demo import build_demo  # noqa: E402
from services.demo.outreach import BASELINE_RATE, CONTACTED_RATE  # noqa: E402
from services.learn.uplift import uplift_report  # noqa: E402
from services.learn.uplift_records import UpliftReport  # noqa: E402
from services.scoring.run import score_workspace  # noqa: E402

TODAY = dt.date(2025, 6, 15)
NOW = dt.datetime(2025, 6, 15, 12, tzinfo=dt.UTC)


def _truth(engine: object, customers: tuple[int, ...]) -> np.ndarray:
    with engine.connect() as conn:  # type: ignore[attr-defined]
        rows = conn.execute(text("SELECT id, attributes FROM customers")).all()
    truth = {}
    for cid, attributes in rows:
        values = json.loads(attributes) if isinstance(attributes, str) else attributes
        if values and "demo_outreach" in values:
            truth[int(cid)] = float(values["demo_outreach"]["true_uplift"])
    return np.array([truth[c] for c in customers])


def one(seed: int, customers: int, contacted_rate: float) -> tuple[UpliftReport, np.ndarray]:
    """The report on a fresh demo, and each past exposure's true uplift."""
    with tempfile.TemporaryDirectory() as folder:
        ws = open_workspace(to_url(str(Path(folder) / "demo.radar.sqlite")), backup=False)
        try:
            build_demo(
                ws.engine, customers=customers, seed=seed, today=TODAY,
                contacted_rate=contacted_rate,
            )  # fmt: skip
            summary = score_workspace(ws.engine, as_of=TODAY)
            generate_alerts(ws.engine, summary.run_id)
            report = uplift_report(ws.engine, now=NOW)
            truth = _truth(ws.engine, report.past_customers)
        finally:
            ws.close()
    return report, truth


def _points(share: float | None, digits: int) -> str:
    return "?" if share is None else f"{share * 100:+.{digits}f}"


def line(seed: int, report: UpliftReport, truth: np.ndarray) -> dict[str, float]:
    est = np.array(report.past_uplift)
    low, high = np.array(report.past_low), np.array(report.past_high)
    covered = float(np.mean((low <= truth) & (truth <= high)))
    width = float(np.median(high - low))
    today = np.array([e.uplift for e in report.estimates])
    if not report.enough or report.model_curve is None:
        raise SystemExit(f"seed {seed}: {report.reason or 'no estimate'}")
    qini = f"{report.model_curve.coefficient * 100:>+6.2f} ({_points(report.qini_low, 2)} to "
    qini += f"{_points(report.qini_high, 2)})"
    lift = f"{_points(report.lift, 1):>6} ({_points(report.lift_low, 1)} to "
    lift += f"{_points(report.lift_high, 1)})"
    mean_today = today.mean() * 100 if len(today) else float("nan")
    print(
        f"{seed:>5} {len(truth):>6} {covered:>8.1%} {width * 100:>6.1f} "
        f"{est.mean() * 100:>+9.1f} {truth.mean() * 100:>+9.1f} {mean_today:>+9.1f}   "
        f"{lift} {report.slope or 0:>6.2f} {qini}  {'yes' if report.ranks else 'no'}",
        flush=True,
    )
    return {"covered": covered, "ranks": float(report.ranks)}


HEADER = (
    " seed  past   covered  width  mean est  mean true  mean today  lift (90%)          slope  "
    "Qini per 100 (90%)    ranked"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[11, 7, 3, 1, 2])
    parser.add_argument("--customers", type=int, default=2000)
    args = parser.parse_args()
    started = time.perf_counter()
    for title, rate in (
        (f"True effect: contacted {CONTACTED_RATE:.0%}, held out {BASELINE_RATE:.0%}, "
         "uplift varying by customer", CONTACTED_RATE),
        ("A/A: outreach has no effect (every true uplift 0)", BASELINE_RATE),
    ):  # fmt: skip
        print(f"\n{title}; bands stated at 90%")
        print(HEADER)
        rows = [line(seed, *one(seed, args.customers, rate)) for seed in args.seeds]
        covered = np.mean([r["covered"] for r in rows])
        ranked = int(sum(r["ranks"] for r in rows))
        print(f"  all: {covered:.1%} covered; ranking offered on {ranked} of {len(rows)}")
    print(f"\n{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
