"""The alert replay adds what is new instead of redoing the year: ``main.py report alerts``
on the demo workspace, timed as a person runs it (a fresh process each time).

    .venv/bin/python bench/bench_replay.py [--workspace PATH] [--customers 2000] [--weeks 52]
    .venv/bin/python bench/bench_replay.py --smoke        # 40 customers, 4 weeks (the suite)

On a copy of the workspace (built with ``main.py demo`` when absent) as it was on a
Wednesday (its paid orders after that day left out, the Wednesday at least four days
before its last order and today), with a cache folder of its own, five runs:

1. **first**: nothing kept, every week scored: the yardstick, measured in the same run;
2. **unchanged**: at once again, nothing changed in the workspace (the kept report);
3. **next day**: a paid order dated Thursday added (a day's import), then replayed: the
   same weeks, whose scores and results are read back, the lapses counted a day further;
4. **full**: the same data replayed with nothing kept (``--again``, the kept weeks and
   results removed), whose figures must equal those of 3 (printed: identical or not);
5. **next week**: orders dated Friday to Sunday added, then replayed: a new Sunday, so the
   year moves on by a week: one week scored, the rules evaluated on it, and every week
   admitted again (the alerts admitted each week depend on those before).

Each run prints its wall time and its ratio to the first. Targets: the first within 60 s
on the 2,000-customer demo, the unchanged run within 5 s and the next day's within 10 s
(the next week's too).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGETS = {"first": 60.0, "unchanged": 5.0, "next day": 10.0, "next week": 10.0}
WEDNESDAY = 2  # date.weekday()
SMOKE_CUSTOMERS = 40
SMOKE_WEEKS = 4
TIMING = ("computed_at", "seconds", "data_key")


def _environment(home: str) -> dict[str, str]:
    env = dict(os.environ, HOME=home, XDG_DATA_HOME=f"{home}/data")
    env["ACCOUNT_RADAR_LOG_DIR"] = f"{home}/log"
    env["ACCOUNT_RADAR_CACHE_DIR"] = f"{home}/cache"
    env["ACCOUNT_RADAR_CONFIG_DIR"] = f"{home}/config"
    env.pop("ACCOUNT_RADAR_DB", None)
    return env


def _build(path: Path, customers: int, env: dict[str, str]) -> None:
    print(f"Building a {customers:,}-customer demo workspace at {path}…", flush=True)
    subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--db", str(path), "demo",
         "--customers", str(customers)],
        env=env, check=True, capture_output=True, cwd=ROOT,
    )  # fmt: skip


def _replay(db: Path, weeks: int, env: dict[str, str], *, again: bool = False) -> tuple[float, Any]:
    """``report alerts`` in a fresh process: its wall time and its JSON."""
    command = [sys.executable, str(ROOT / "main.py"), "--db", str(db), "report", "alerts",
               "--weeks", str(weeks), "--format", "json"]  # fmt: skip
    began = time.perf_counter()
    done = subprocess.run(
        [*command, *(["--again"] if again else [])],
        env=env, capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"report alerts failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return seconds, json.loads(done.stdout)


def _figures(value: Any) -> Any:
    """``value`` without when and how long it was computed."""
    if isinstance(value, dict):
        return {k: _figures(v) for k, v in value.items() if k not in TIMING}
    if isinstance(value, list):
        return [_figures(v) for v in value]
    return value


def _engine(db: Path) -> Any:
    from sqlalchemy import create_engine

    return create_engine(f"sqlite:///{db}")


def _as_of_a_wednesday(db: Path) -> dt.date:
    """Leave out the paid orders after the Wednesday at least four days before the last
    paid order and today (the workspace as it was on that day); that Wednesday."""
    from sqlalchemy import delete, func, select
    from sqlalchemy.orm import Session

    from models.schema import Order

    engine = _engine(db)
    try:
        with Session(engine) as s, s.begin():
            latest = s.scalar(select(func.max(Order.order_date)).where(Order.status == "paid"))
            last = min(dt.datetime.fromisoformat(str(latest)).date(), dt.date.today())
            day = last - dt.timedelta(days=4)
            day -= dt.timedelta(days=(day.weekday() - WEDNESDAY) % 7)
            after = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
            s.execute(delete(Order).where(Order.status == "paid", Order.order_date >= after))
    finally:
        engine.dispose()
    return day


def _add_orders(db: Path, days: list[dt.date]) -> None:
    """A paid order on each of ``days``, by the customer of the latest paid order."""
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from models.schema import Order

    engine = _engine(db)
    try:
        with Session(engine) as s, s.begin():
            latest = s.scalar(select(func.max(Order.order_date)).where(Order.status == "paid"))
            buyer = s.scalar(select(Order.customer_id).where(Order.order_date == latest).limit(1))
            for day in days:
                s.add(Order(customer_id=buyer, external_id=f"bench-{day}", source="bench",
                            order_date=dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC),
                            amount_cents=4200, status="paid"))  # fmt: skip
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workspace", type=Path, help="the demo workspace (built if absent)")
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--smoke", action="store_true", help="a tiny workspace, four weeks")
    args = parser.parse_args(argv)
    customers = SMOKE_CUSTOMERS if args.smoke else args.customers
    weeks = SMOKE_WEEKS if args.smoke else args.weeks
    with tempfile.TemporaryDirectory(prefix="ar-replay-") as home:
        env = _environment(home)
        source = args.workspace or Path(home) / f"demo{customers}.radar.sqlite"
        if not source.exists():
            _build(source, customers, env)
        db = Path(home) / "replayed.radar.sqlite"
        shutil.copyfile(source, db)
        wednesday = _as_of_a_wednesday(db)
        times: dict[str, float] = {}
        times["first"], _ = _replay(db, weeks, env)
        times["unchanged"], _ = _replay(db, weeks, env)
        _add_orders(db, [wednesday + dt.timedelta(days=1)])
        times["next day"], added = _replay(db, weeks, env)
        shutil.rmtree(Path(home) / "cache", ignore_errors=True)
        times["full"], full = _replay(db, weeks, env, again=True)
        _add_orders(db, [wednesday + dt.timedelta(days=n) for n in (2, 3, 4)])
        times["next week"], moved = _replay(db, weeks, env)
    same = _figures(added) == _figures(full)
    print(f"{customers:,}-customer demo workspace as on {wednesday:%a %Y-%m-%d}, {weeks} weeks; "
          f"a day's order added, then the days to Sunday {moved['end']}:")  # fmt: skip
    print(f"{'run':<12}{'seconds':>9}{'x first':>9}   target")
    met = same
    for name, seconds in times.items():
        target = TARGETS.get(name)
        ok = target is None or seconds <= target
        met &= ok
        said = f"{target:.0f} s {'ok' if ok else 'OVER'}" if target else "(the yardstick again)"
        print(f"{name:<12}{seconds:9.1f}{seconds / times['first']:9.2f}   {said}")
    print(f"next day's figures and the full replay's: {'identical' if same else 'DIFFERENT'}")
    print("every target met" if met else "a target is missed")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
