"""Learn benchmark: the effectiveness report over 100,000 customers and 20,000 emails.

    .venv/bin/python bench/bench_learn_report.py [--customers N] [--emails M] [--runs 3]

The workspace (bench/learn_seed.py: customers, three orders each, a scoring, ~23,400
alerts with a 10% holdout, the emails and the orders that follow them) is built once and
cached in the temp folder. Each run times ``effectiveness_report`` (overall, then broken
down by template) and prints the wall seconds (and the process's CPU seconds, steadier on a
busy machine) and the ratio to the target (under 1 s).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 1.0
NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--emails", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs (other work slows it)")

    from app.workspace import open_workspace, to_url
    from bench.learn_seed import seed_learn_workspace
    from services.learn.effectiveness import effectiveness_report

    path = Path(tempfile.gettempdir()) / f"bench_learn_{args.customers}_{args.emails}.radar.sqlite"
    if not path.exists():
        start = time.perf_counter()
        building = path.with_suffix(".building")
        building.unlink(missing_ok=True)
        open_workspace(to_url(str(building)), backup=False).close()
        seed_learn_workspace(building, customers=args.customers, emails=args.emails, now=NOW)
        building.rename(path)
        print(f"built {path} in {time.perf_counter() - start:.1f} s")
    else:
        print(f"workspace: {path} (cached)")
    workspace = open_workspace(to_url(str(path)), backup=False)
    try:
        for by in (None, "template"):
            times, cpu = [], []
            for _ in range(args.runs):
                start, start_cpu = time.perf_counter(), time.process_time()
                report = effectiveness_report(workspace.engine, by=by, now=NOW)
                times.append(time.perf_counter() - start)
                cpu.append(time.process_time() - start_cpu)
            best = min(times)
            lift = report.overall.lift
            print(
                f"effectiveness_report(by={by}): best {best:.3f} s wall of {args.runs} "
                f"(runs: {', '.join(f'{t:.3f}' for t in times)}), best {min(cpu):.3f} s CPU; "
                f"{best / TARGET_SECONDS:.2f}x the {TARGET_SECONDS:.0f} s target"
            )
        print(
            f"  {report.exposures:,} exposures; contacted {lift.contacted.customers.count:,} "
            f"({(lift.contacted.rate or 0):.1%}), held out {lift.holdout.customers.count:,} "
            f"({(lift.holdout.rate or 0):.1%}); lift {(lift.lift or 0) * 100:+.1f} points "
            f"[{(lift.low or 0) * 100:+.1f}, {(lift.high or 0) * 100:+.1f}] (true +8.0)"
        )
    finally:
        workspace.close()


if __name__ == "__main__":
    main()
