"""Scoring benchmark: `score` end to end on a 100,000-customer demo workspace.

    .venv/bin/python bench/bench_score.py [--workspace PATH] [--customers N] [--runs 1]

Builds the demo workspace the first time (``main.py demo --customers N``, about 70 s for
100,000 customers: ~950,000 orders and ~1,000,000 interactions), cached at --workspace.
Each run copies it to a temporary file and times ``main.py --db COPY score`` in a fresh
process, from process start to exit, with the snapshot written: wall seconds, CPU
seconds and the peak memory of that process (os.wait4's rusage). It also
checks that one snapshot per customer was written.

Targets: under 15 s and under 2 GB on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 15.0
TARGET_PEAK_MB = 2048.0


def _customers(path: Path) -> int:
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return int(con.execute("SELECT COUNT(*) FROM customers").fetchone()[0])
        finally:
            con.close()
    except sqlite3.Error:
        return -1


def ensure_workspace(path: Path, customers: int) -> None:
    """Build the demo workspace unless a finished one of that size is there already."""
    if path.exists() and _customers(path) == customers:
        print(f"workspace: {path} ({customers:,} customers, reused)")
        return
    path.unlink(missing_ok=True)
    print(f"building the demo workspace at {path} ({customers:,} customers)...", flush=True)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--db", str(path), "demo", "--customers",
         str(customers), "--no-score"],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    print(f"built in {time.perf_counter() - start:.0f} s")


def time_score(workspace: Path) -> dict[str, float]:
    """Copy the workspace and time one `score` process on the copy."""
    tmp = Path(tempfile.mkdtemp(prefix="ar-bench-score-"))
    try:
        copy = tmp / "bench.radar.sqlite"
        shutil.copyfile(workspace, copy)
        env = {**os.environ, "ACCOUNT_RADAR_LOG_DIR": str(tmp / "log")}
        out_path, err_path = tmp / "stdout.txt", tmp / "stderr.txt"
        with out_path.open("w") as out, err_path.open("w") as err:
            start = time.perf_counter()
            process = subprocess.Popen(
                [sys.executable, str(ROOT / "main.py"), "--db", str(copy), "score"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=err,
            )
            # This process's own figures: RUSAGE_CHILDREN would also hold the demo build's
            # peak when the workspace was built by this run.
            _pid, status, usage = os.wait4(process.pid, 0)
            seconds = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            raise SystemExit(f"score failed ({code}):\n{err_path.read_text()}")
        print(out_path.read_text().rstrip())
        con = sqlite3.connect(copy)
        try:
            snapshots = int(con.execute("SELECT COUNT(*) FROM score_snapshots").fetchone()[0])
            customers = int(con.execute("SELECT customers FROM scoring_runs").fetchone()[0])
        finally:
            con.close()
        if snapshots != customers:
            raise SystemExit(f"{snapshots:,} snapshots written for {customers:,} customers")
        return {
            "seconds": seconds,
            "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "peak_mb": usage.ru_maxrss / 1024.0,  # kB on Linux
            "snapshots": float(snapshots),
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--workspace",
        type=Path,
        default=Path(tempfile.gettempdir()) / "account-radar-bench-score.radar.sqlite",
        help="where the demo workspace is cached (default: in the temp folder)",
    )
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()

    ensure_workspace(args.workspace, args.customers)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average before: {load:.2f} on {os.cpu_count()} CPUs")
    results = []
    for i in range(args.runs):
        print(f"--- run {i + 1} of {args.runs}")
        figures = time_score(args.workspace)
        results.append(figures)
        print(
            f"score: {figures['seconds']:.1f} s wall, {figures['cpu_seconds']:.1f} s CPU, "
            f"peak memory {figures['peak_mb']:,.0f} MB, {figures['snapshots']:,.0f} snapshots"
        )
    best = min(r["seconds"] for r in results)
    peak = max(r["peak_mb"] for r in results)
    ok = best < TARGET_SECONDS and peak < TARGET_PEAK_MB
    print(
        f"best {best:.1f} s (target < {TARGET_SECONDS:.0f} s), peak {peak:,.0f} MB "
        f"(target < {TARGET_PEAK_MB:,.0f} MB): {'met' if ok else 'MISSED'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
