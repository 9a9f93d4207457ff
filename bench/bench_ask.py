"""Ask benchmark: every saved question on the 100,000-customer demo workspace.

    .venv/bin/python bench/bench_ask.py [--workspace PATH] [--customers N] [--runs 3]
        [--target 2] [--today YYYY-MM-DD] [--dump ROWS.json]

Builds and scores the demo workspace the first time (``main.py demo --customers N``, a
few minutes), cached at --workspace. Each saved question is answered --runs times
through ``services.ask.library.answer_saved`` (the read-only connection, its views, the
query and the answer's summary), and the median is printed beside the row count, with
the time of the bare query on a plain read-only sqlite3 connection in the same run (the
reference: what the app adds is the difference; "x bare", the ratio), and the CPU seconds
of the app's answer
(steadier than the wall clock on a shared machine). A question the time limit stops
(Settings ▸ Ask) is reported with the time it ran, not as a crash.

``--dump`` writes every row of every question instead (through the same read-only door,
with the row and time limits lifted), so that two builds' answers can be compared whole:
``cmp`` the two files. ``--today`` fixes the date the questions count back from.

Target: under 1 s per saved question (a million customers: --target 2).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 1.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", default="/tmp/account-radar-bench-ask.radar.sqlite")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--target", type=float, default=TARGET_SECONDS, help="seconds (1M: 2)")
    parser.add_argument("--today", help="YYYY-MM-DD: the date questions count back from")
    parser.add_argument("--dump", help="write every row of every question to this JSON file")
    parser.add_argument("--questions", help="only these question ids (comma-separated)")
    args = parser.parse_args()
    path = Path(args.workspace)
    if not path.exists():
        print(f"building and scoring the demo workspace at {path}...", flush=True)
        subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "--db", str(path), "demo",
             "--customers", str(args.customers)],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
    from app.workspace import open_workspace, to_url
    from services.ask.library import local_today

    ws = open_workspace(to_url(str(path)), backup=False)
    only = set(args.questions.split(",")) if args.questions else None
    today = dt.date.fromisoformat(args.today) if args.today else local_today(ws.engine)
    try:
        if args.dump:
            dump(ws.engine, today, Path(args.dump), only)
        else:
            measure(ws.engine, path, today, args.runs, args.target, only)
    finally:
        ws.close()
    return 0


def _params(question_id: str) -> dict[str, str] | None:
    return {"customer": "42"} if question_id == "customer_360" else None


def measure(
    engine: Any, path: Path, today: dt.date, runs: int, target: float, only: set[str] | None
) -> None:
    """Print each question's median wall and CPU seconds, and the bare query's."""
    import sqlite3

    from sqlalchemy.orm import Session

    from services.ask.errors import AskError
    from services.ask.library import answer_saved, bind_values, saved_questions
    from services.ask.views import view_sql
    from services.core.money import money_context
    from services.core.rollups import marked_current

    with Session(engine) as session:  # the views read the rollups' last order when current
        current = marked_current(session)
    raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    for name, body in view_sql(money_context("USD", {}), rollups_current=current).items():
        raw.execute(f"CREATE TEMP VIEW {name} AS {body}")
    worst = worst_cpu = 0.0
    print(f"today {today}, target {target:g} s per question")
    print(f"{'question':<28} {'rows':>6} {'app s':>7} {'app CPU':>7} {'bare s':>7} {'x bare':>6} "
          f"{'target':>7}")  # fmt: skip
    for q in saved_questions(engine):
        if only and q.id not in only:
            continue
        params = _params(q.id)
        app, cpu, bare = [], [], []
        rows, note = 0, ""
        for _ in range(runs):
            started, cpu_started = time.perf_counter(), time.process_time()
            try:
                answer = answer_saved(engine, q, params, today=today)
                rows = len(answer.rows)
            except AskError as exc:  # the time limit (Settings ▸ Ask) stopped it
                note = f"  {exc}"
            app.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
            if note:
                bare.append(float("nan"))
                continue
            binds = {"home_currency": "USD", **bind_values(engine, q, params, today)}
            started = time.perf_counter()
            raw.execute(q.sql, binds).fetchmany(1001)
            bare.append(time.perf_counter() - started)
        a, c, b = statistics.median(app), statistics.median(cpu), statistics.median(bare)
        worst, worst_cpu = max(worst, a), max(worst_cpu, c)
        ok = "met" if a < target and not note else "NOT met"
        ratio = f"{a / b:>6.2f}" if b > 0 else f"{'-':>6}"  # the app against the bare query
        print(f"{q.id:<28} {rows:>6} {a:>7.3f} {c:>7.3f} {b:>7.3f} {ratio} {ok:>7}{note}",
              flush=True)  # fmt: skip
    verdict = "met" if worst < target else "NOT met"
    print(f"slowest {worst:.3f} s, {worst_cpu:.3f} s CPU (target < {target:g} s per saved "
          f"question): {verdict}")  # fmt: skip


def dump(engine: Any, today: dt.date, out: Path, only: set[str] | None) -> None:
    """Write every row of every saved question (limits lifted) to ``out`` as JSON; a
    question that fails anyway (its parameter's choices past their own time limit) is
    written with its error."""
    from sqlalchemy.orm import Session

    from services.ask.errors import AskError
    from services.ask.library import bind_values, dialect_sql, saved_questions
    from services.ask.readonly import run_query
    from services.core.money import load_money_context

    with Session(engine) as session:
        home = load_money_context(session).home
    answers: dict[str, Any] = {"today": today.isoformat()}
    for q in saved_questions(engine):
        if only and q.id not in only:
            continue
        started = time.process_time()
        try:
            binds = {"home_currency": home, **bind_values(engine, q, _params(q.id), today)}
            result = run_query(
                engine, dialect_sql(q.sql, "sqlite"), binds, row_limit=10**8, time_limit_s=3600
            )
        except AskError as exc:
            answers[q.id] = {"error": str(exc)}
            print(f"{q.id:<28} {time.process_time() - started:>7.2f} s CPU  {exc}", flush=True)
            continue
        answers[q.id] = {"columns": list(result.columns), "rows": [list(r) for r in result.rows]}
        print(f"{q.id:<28} {len(result.rows):>8} rows {time.process_time() - started:>7.2f} s CPU",
              flush=True)  # fmt: skip
    out.write_text(json.dumps(answers, default=str, sort_keys=True))


if __name__ == "__main__":
    raise SystemExit(main())
