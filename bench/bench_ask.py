"""Ask benchmark: every saved question on the 100,000-customer demo workspace.

    .venv/bin/python bench/bench_ask.py [--workspace PATH] [--customers N] [--runs 3]

Builds and scores the demo workspace the first time (``main.py demo --customers N``, a
few minutes), cached at --workspace. Each saved question is answered --runs times
through ``services.ask.library.answer_saved`` (the read-only connection, its views, the
query and the answer's summary), and the median is printed beside the row count, with
the time of the bare query on a plain read-only sqlite3 connection in the same run (the
reference: what the app adds is the difference), and the CPU seconds of the app's answer
(steadier than the wall clock on a shared machine). A question the time limit stops
(Settings ▸ Ask) is reported with the time it ran, not as a crash.

Target: under 1 s per saved question.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 1.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", default="/tmp/account-radar-bench-ask.radar.sqlite")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--target", type=float, default=TARGET_SECONDS, help="seconds (1M: 2)")
    args = parser.parse_args()
    path = Path(args.workspace)
    if not path.exists():
        print(f"building and scoring the demo workspace at {path}...", flush=True)
        subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "--db", str(path), "demo",
             "--customers", str(args.customers)],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
    import sqlite3

    from app.workspace import open_workspace, to_url
    from services.ask.errors import AskError
    from services.ask.library import answer_saved, bind_values, local_today, saved_questions
    from services.ask.views import view_sql
    from services.core.money import money_context

    ws = open_workspace(to_url(str(path)), backup=False)
    today = local_today(ws.engine)
    raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    for name, body in view_sql(money_context("USD", {})).items():
        raw.execute(f"CREATE TEMP VIEW {name} AS {body}")
    worst = worst_cpu = 0.0
    print(f"{'question':<28} {'rows':>6} {'app s':>7} {'app CPU':>7} {'bare s':>7}")
    for q in saved_questions(ws.engine):
        params = {"customer": "42"} if q.id == "customer_360" else None
        app, cpu, bare = [], [], []
        rows, note = 0, ""
        for _ in range(args.runs):
            started, cpu_started = time.perf_counter(), time.process_time()
            try:
                answer = answer_saved(ws.engine, q, params, today=today)
                rows = len(answer.rows)
            except AskError as exc:  # the time limit (Settings ▸ Ask) stopped it
                note = f"  {exc}"
            app.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
            if note:
                bare.append(float("nan"))
                continue
            binds = {"home_currency": "USD", **bind_values(ws.engine, q, params, today)}
            started = time.perf_counter()
            raw.execute(q.sql, binds).fetchmany(1001)
            bare.append(time.perf_counter() - started)
        a, c, b = statistics.median(app), statistics.median(cpu), statistics.median(bare)
        worst, worst_cpu = max(worst, a), max(worst_cpu, c)
        print(f"{q.id:<28} {rows:>6} {a:>7.3f} {c:>7.3f} {b:>7.3f}{note}")
    ws.close()
    verdict = "met" if worst < args.target else "NOT met"
    print(f"slowest {worst:.3f} s, {worst_cpu:.3f} s CPU (target < {args.target:g} s per saved "
          f"question): {verdict}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
