"""Alerts benchmark: alert generation after scoring 100,000 customers, and the alert list.

    .venv/bin/python bench/bench_alerts.py [--workspace PATH] [--customers N] [--runs 1]

The scored demo workspace is cached at --workspace. The first time it is built with
``main.py demo --customers N`` (about 70 s for 100,000 customers) and ``main.py score``
(about 15 s); an unscored 100,000-customer demo already in the temp folder
(``bench100k.radar.sqlite``, e.g. from another benchmark) is copied instead of rebuilt.

Each measurement runs in a fresh process on a copy of the cached workspace with its
alerts removed, and reports the wall seconds of ``generate_alerts`` itself, the whole
process's peak memory (resource.getrusage maxrss, imports included) and what it did:

- default settings (daily cap of 25 new alerts per owner): first run, then the refresh
  run the next scoring makes;
- no daily cap (every alert the rules find is raised: the write-heavy case): first run,
  then the refresh of all of them;
- the alert list (services.alerts.queries.alert_columns) with 100,000 open alerts (the
  rules' alerts topped up with synthetic ones to that number).

Target: under 5 s for generation (first and refresh) on a 2-core machine.

Scaling: ``--scale A B C`` takes scored workspaces of any size (10,000, 100,000
and 1,000,000 customers) and, for each, measures in fresh processes one right after the
other: the yardstick, SQLite reading the rows the rules read (the run's snapshot, every
paid order, the usage rows of the last 90 days, about the weeks Usage drop compares:
counted and summed in C, no Python per row), then ``generate_alerts`` as of ``--now``
(default: the time it starts): its CPU and wall seconds, the process's peak memory, what
it did, and its CPU against the yardstick's. A workspace over 2 GB is measured in place
(its alerts regenerated, nothing else written: no copy of a 10 GB file); smaller ones on
a copy, first with the alerts the last generation raised removed (a first generation),
then as they are (a refresh).

    .venv/bin/python bench/bench_alerts.py --scale W10K W100K W1M
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 5.0
UNSCORED_CACHE = Path(tempfile.gettempdir()) / "bench100k.radar.sqlite"


def _count(path: Path, sql: str) -> int:
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return int(con.execute(sql).fetchone()[0])
        finally:
            con.close()
    except sqlite3.Error:
        return -1


def _main_py(*args: str) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "ACCOUNT_RADAR_LOG_DIR": tempfile.gettempdir()},
    )
    if result.returncode != 0:
        raise SystemExit(f"main.py {' '.join(args)} failed:\n{result.stderr}")


def ensure_workspace(path: Path, customers: int) -> None:
    """A scored demo workspace of that size at ``path`` (built or copied once)."""
    if (
        path.exists()
        and _count(path, "SELECT COUNT(*) FROM customers") == customers
        and _count(path, "SELECT COUNT(*) FROM scoring_runs WHERE status = 'finished'") > 0
    ):
        print(f"workspace: {path} ({customers:,} customers, scored, reused)")
        return
    path.unlink(missing_ok=True)
    start = time.perf_counter()
    if UNSCORED_CACHE.exists() and _count(UNSCORED_CACHE, "SELECT COUNT(*) FROM customers") == (
        customers
    ):
        print(f"copying the demo workspace {UNSCORED_CACHE} to {path}", flush=True)
        shutil.copyfile(UNSCORED_CACHE, path)
    else:
        print(f"building the demo workspace at {path} ({customers:,} customers)...", flush=True)
        _main_py("--db", str(path), "demo", "--customers", str(customers), "--no-score")
    print("scoring it...", flush=True)
    _main_py("--db", str(path), "score")
    print(f"ready in {time.perf_counter() - start:.0f} s")


CHILD = """
import datetime as dt, json, resource, sys, time
sys.path.insert(0, {root!r})
from app.workspace import open_workspace, to_url
from models.db import session_scope
from services.alerts.generate import generate_alerts
from services.settings import set_setting

ws = open_workspace(to_url({db!r}), backup=False)
try:
    with session_scope(ws.sessions) as s:
        set_setting(s, "alerts.daily_cap_per_owner", {cap})
    out = []
    for run in range({runs}):
        start = time.perf_counter()
        result = generate_alerts(ws.engine, now=dt.datetime.now(dt.UTC))
        out.append({{"seconds": time.perf_counter() - start, "created": result.created,
                     "refreshed": result.refreshed, "capped": result.capped}})
finally:
    ws.close()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
print(json.dumps({{"runs": out, "peak_mb": peak}}))
"""

LIST_CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from app.workspace import open_workspace, to_url
from services.alerts.queries import alert_columns, alert_counts

ws = open_workspace(to_url({db!r}), backup=False)
try:
    times = []
    for _ in range(3):
        start = time.perf_counter()
        columns = alert_columns(ws.engine, statuses=None)
        times.append(time.perf_counter() - start)
    start = time.perf_counter()
    alert_counts(ws.engine)
    counts = time.perf_counter() - start
finally:
    ws.close()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
print(json.dumps({{"rows": len(columns["id"]), "seconds": times, "counts": counts,
                  "peak_mb": peak}}))
"""


def _fresh_copy(workspace: Path, folder: Path) -> Path:
    """A copy of the workspace without any alert (as before its first generation)."""
    copy = folder / "bench.radar.sqlite"
    shutil.copyfile(workspace, copy)
    con = sqlite3.connect(copy)
    with con:
        con.execute("DELETE FROM audit_events WHERE entity_type IN ('alert', 'scoring_run')")
        con.execute("DELETE FROM alerts")
    con.close()
    return copy


def _child(code: str) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "ACCOUNT_RADAR_LOG_DIR": tempfile.gettempdir()},
    )
    if result.returncode != 0:
        raise SystemExit(f"the measurement failed:\n{result.stderr}")
    figures: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def time_generation(workspace: Path, cap: int) -> dict[str, object]:
    """First and refresh generation in one fresh process on an alert-free copy."""
    tmp = Path(tempfile.mkdtemp(prefix="ar-bench-alerts-"))
    try:
        copy = _fresh_copy(workspace, tmp)
        return _child(CHILD.format(root=str(ROOT), db=str(copy), cap=cap, runs=2))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def time_list(workspace: Path, target_rows: int) -> dict[str, object]:
    """The alert list with ``target_rows`` open alerts."""
    tmp = Path(tempfile.mkdtemp(prefix="ar-bench-alerts-"))
    try:
        copy = _fresh_copy(workspace, tmp)
        _child(CHILD.format(root=str(ROOT), db=str(copy), cap=0, runs=1))
        con = sqlite3.connect(copy)
        with con:
            have = int(con.execute("SELECT COUNT(*) FROM alerts").fetchone()[0])
            # Synthetic open alerts of a rule the first scoring cannot raise, one per
            # customer, up to the target.
            con.execute(
                "INSERT INTO alerts (customer_id, rule_key, severity, status, reason, "
                "priority_cents, owner, snooze_until_clear, created_at, updated_at) "
                "SELECT id, 'engagement_drop', 'info', 'open', "
                "'engagement score down from 70 to 50 since 2026-01-01', id % 50000, owner, "
                "0, '2026-01-01 09:00:00.000000', '2026-01-01 09:00:00.000000' "
                "FROM customers ORDER BY id LIMIT ?",
                (max(target_rows - have, 0),),
            )
        con.close()
        return _child(LIST_CHILD.format(root=str(ROOT), db=str(copy)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


SCALE_CHILD = """
import datetime as dt, json, resource, sys, time
sys.path.insert(0, {root!r})
from app.workspace import open_workspace, to_url
from services.alerts.generate import generate_alerts

ws = open_workspace(to_url({db!r}), backup=False)
try:
    cpu, start = time.process_time(), time.perf_counter()
    result = generate_alerts(ws.engine, now=dt.datetime.fromisoformat({now!r}))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - start
finally:
    ws.close()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
print(json.dumps({{"cpu": cpu, "wall": wall, "peak_mb": peak, "created": result.created,
                  "refreshed": result.refreshed, "capped": result.capped}}))
"""

YARDSTICK_CHILD = """
import json, sqlite3, time
con = sqlite3.connect("file:" + {db!r} + "?mode=ro", uri=True)
run = con.execute("SELECT id FROM scoring_runs WHERE status = 'finished' "
                  "ORDER BY as_of DESC, id DESC LIMIT 1").fetchone()[0]
cpu, start = time.process_time(), time.perf_counter()
con.execute("SELECT count(*), sum(churn_risk), sum(engagement_score), sum(clv_12m_cents), "
            "sum(revenue_at_risk_cents) FROM score_snapshots WHERE scoring_run_id = ?",
            (run,)).fetchall()
con.execute("SELECT count(*), sum(julianday(order_date)), sum(amount_cents) FROM orders "
            "WHERE status = 'paid'").fetchall()
con.execute("SELECT count(*), sum(sessions), sum(active_users), sum(length(users)) "
            "FROM usage_days WHERE day BETWEEN date((SELECT as_of FROM scoring_runs "
            "WHERE id = ?), '-90 days') AND (SELECT as_of FROM scoring_runs WHERE id = ?)",
            (run, run)).fetchall()
print(json.dumps({{"cpu": time.process_time() - cpu, "wall": time.perf_counter() - start}}))
"""

IN_PLACE_BYTES = 2 * 1024**3


def _without_new_alerts(workspace: Path, folder: Path) -> Path:
    """A copy of the workspace without the alerts its last generation raised (those
    created on the day of its latest one) nor that generation's audit events."""
    copy = folder / "bench.radar.sqlite"
    shutil.copyfile(workspace, copy)
    con = sqlite3.connect(copy)
    with con:
        day = con.execute("SELECT substr(max(created_at), 1, 10) FROM alerts").fetchone()[0]
        con.execute(
            "DELETE FROM audit_events WHERE entity_type IN ('alert', 'scoring_run') "
            "AND occurred_at >= ?",
            (day,),
        )
        con.execute("DELETE FROM alerts WHERE created_at >= ?", (day,))
    con.close()
    return copy


def scale(workspaces: list[Path], now: str) -> None:
    """The yardstick and the generation on each workspace, smallest first."""
    print(f"generation as of {now}; CPU seconds (wall), peak = the process's maximum RSS")
    for path in workspaces:
        customers = _count(path, "SELECT COUNT(*) FROM customers")
        stick = _child(YARDSTICK_CHILD.format(db=str(path)))
        print(
            f"{customers:>9,} customers: yardstick (SQLite reading the rows) "
            f"{stick['cpu']:.2f} s ({stick['wall']:.2f} s)",
            flush=True,
        )
        runs: list[tuple[str, Path]] = []
        tmp = Path(tempfile.mkdtemp(prefix="ar-bench-alerts-"))
        try:
            if path.stat().st_size > IN_PLACE_BYTES:
                runs.append(("refresh, in place", path))
            else:
                runs.append(("first generation", _without_new_alerts(path, tmp)))
                copy = tmp / "as-is.radar.sqlite"
                shutil.copyfile(path, copy)
                runs.append(("refresh", copy))
            for label, db in runs:
                got = _child(SCALE_CHILD.format(root=str(ROOT), db=str(db), now=now))
                ratio = float(got["cpu"]) / max(float(stick["cpu"]), 1e-9)  # type: ignore[arg-type]
                print(
                    f"    {label}: {got['cpu']:.2f} s ({got['wall']:.2f} s), "
                    f"{ratio:.1f}x the yardstick's CPU, peak {got['peak_mb']:,.0f} MB; "
                    f"{got['created']:,} raised, {got['refreshed']:,} refreshed, "
                    f"{got['capped']:,} held back by the cap",
                    flush=True,
                )
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--workspace",
        type=Path,
        default=Path(tempfile.gettempdir()) / "account-radar-bench-alerts.radar.sqlite",
        help="where the scored demo workspace is cached (default: in the temp folder)",
    )
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--scale",
        type=Path,
        nargs="+",
        metavar="WORKSPACE",
        help="scored workspaces to measure the generation on, smallest first (see above)",
    )
    parser.add_argument("--now", help="the generation's time, ISO 8601 (default: now)")
    args = parser.parse_args()
    if args.scale:
        scale(args.scale, args.now or dt.datetime.now(dt.UTC).isoformat())
        return 0

    ensure_workspace(args.workspace, args.customers)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average before: {load:.2f} on {os.cpu_count()} CPUs")
    worst = 0.0
    peak = 0.0
    for i in range(args.runs):
        print(f"--- run {i + 1} of {args.runs}")
        for label, cap in (("default settings (cap 25 per owner per day)", 25), ("no cap", 0)):
            figures = time_generation(args.workspace, cap)
            first, refresh = figures["runs"]  # type: ignore[misc]
            print(
                f"{label}: first run {first['seconds']:.2f} s ({first['created']:,} raised, "
                f"{first['capped']:,} over the cap); refresh {refresh['seconds']:.2f} s "
                f"({refresh['refreshed']:,} refreshed, {refresh['created']:,} raised); "
                f"peak memory {figures['peak_mb']:,.0f} MB"
            )
            worst = max(worst, first["seconds"], refresh["seconds"])
            peak = max(peak, float(figures["peak_mb"]))  # type: ignore[arg-type]
    listed = time_list(args.workspace, args.customers)
    seconds = listed["seconds"]
    print(
        f"alert list of {listed['rows']:,} open alerts: {min(seconds):.2f} s "  # type: ignore[type-var]
        f"(first {seconds[0]:.2f} s), counts {listed['counts']:.3f} s, "  # type: ignore[index]
        f"peak memory {listed['peak_mb']:,.0f} MB"
    )
    ok = worst < TARGET_SECONDS
    print(
        f"slowest generation {worst:.2f} s (target < {TARGET_SECONDS:.0f} s), peak memory "
        f"{peak:,.0f} MB: {'met' if ok else 'MISSED'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
