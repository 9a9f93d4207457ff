"""The alert queue against its target, on the demo and on CDNOW, through the command line.

    .venv/bin/python bench/alert_queue_target.py [--work DIR] [--skip-cdnow]

Builds the 2,000-customer demo (seed 11) and a workspace of the full CDNOW file (its
orders imported as a plain CSV, one order per customer and day), then runs
`report alerts` on each (52 weeks, the default weekly budget of 25 alerts per owner) and
prints the part of the report that holds the target: within the budget, with Lapse
coming's notice (30 days), the lapsing customers the lapse warnings warned and their value
when warned, beside the recency rule with that notice at the same weekly volume, ranked
longest quiet first and by value, and the floor and weight the replay chose. About 4
minutes for the demo and 5 for CDNOW on 2 cores.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))


def run(db: Path, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--db", str(db), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"main.py {' '.join(args)} failed:\n{result.stderr[-2000:]}")
    return result.stdout


def target_part(report: str) -> str:
    """From 'Within the budget of' to the line before 'Not replayed'."""
    lines = report.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Within the budget of"))
    end = next(i for i, line in enumerate(lines) if line.startswith("Not replayed"))
    return "\n".join(lines[start:end]).rstrip()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", type=Path, help="working folder (default: a new temp folder)")
    parser.add_argument("--skip-cdnow", action="store_true")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="queue-target-"))
    work.mkdir(parents=True, exist_ok=True)
    books: list[tuple[str, Path]] = []
    demo = work / "demo.radar.sqlite"
    if not demo.exists():
        run(demo, "demo", "--customers", "2000", "--seed", "11")
    books.append(("The 2,000-customer demo (seed 11)", demo))
    if not args.skip_cdnow:
        import quality_cdnow

        cdnow = work / "cdnow.radar.sqlite"
        if not cdnow.exists():
            orders = work / "cdnow_orders.csv"
            quality_cdnow.write_orders_csv(quality_cdnow.load_orders(), orders)
            run(cdnow, "import", str(orders))
        books.append(("CDNOW, all 23,570 customers", cdnow))
    for title, db in books:
        clock = time.perf_counter()
        report = run(db, "report", "alerts")
        print(f"== {title}: report alerts in {time.perf_counter() - clock:.0f} s")
        print(target_part(report))
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
