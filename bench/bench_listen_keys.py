"""Two costs of ``main.py score`` outside the scoring: the sentiment pass when
no text changed, and the customers' stable keys.

    .venv/bin/python bench/bench_listen_keys.py WORKSPACE [WORKSPACE ...] [--runs 2]

Each workspace is opened read-only (``mode=ro``: nothing is written, so the shared
million-customer file may be given). In one process, one after the other, best of
--runs, CPU seconds (``time.process_time``, SQLite runs in the process) and wall:

- yardstick: reading the four customer columns the keys are made of
  (``SELECT id, source, external_id, email_normalized FROM customers``);
- keys before: the f-string and dict ``stable_keys`` of main (copied below), and after:
  services.core._stable.stable_keys; every key and every hash compared, in a shuffled
  id order with an id that has no customer row, and the customers known by neither a
  source id nor an email counted;
- sentiment before: the pass's query of main (every text with no imported sentiment,
  checked against its hash), and after: the pass's candidates when nothing changed since
  the last complete pass (the watermark is the file's own newest row: what the pass
  stores after a complete pass). Rows returned by each are printed.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, create_engine, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from models.schema import Customer  # noqa: E402
from services.core._stable import stable_keys  # noqa: E402
from services.listen import sentiment  # noqa: E402


def keys_before(conn: Connection, customer_ids: Any) -> Any:
    """stable_keys as it was on main (services/core/_stable.py before its vectorised version)."""
    c = Customer.__table__.c
    rows = conn.execute(
        select(c.id, c.source, c.external_id, c.email_normalized).order_by(c.id)
    ).all()
    by_id = {
        int(i): f"{src}\x1f{ext}" if ext is not None else f"{src}\x1e{mail or f'#{i}'}"
        for i, src, ext, mail in rows
    }
    return np.array([by_id.get(int(i), f"#{int(i)}") for i in customer_ids], dtype=object)


def yardstick(conn: Connection, _ids: Any) -> Any:
    return conn.execute(
        text("SELECT id, source, external_id, email_normalized FROM customers ORDER BY id")
    ).all()


def sentiment_before(conn: Connection, since: int) -> list[Any]:
    """The pass's query on main: a walk over every text."""
    kinds = ", ".join(f"'{k}'" for k in sentiment.TEXT_KINDS)
    return conn.execute(
        text(
            "SELECT id, subject, text, text_sentiment_hash FROM interactions "
            f"WHERE kind IN ({kinds}) AND sentiment IS NULL "
            "AND (text IS NOT NULL OR subject IS NOT NULL) "
            "AND (text_sentiment_hash IS NULL OR id IN (SELECT row_id FROM import_changes "
            "WHERE table_name = 'interactions' AND import_run_id > :since))"
        ),
        {"since": since},
    ).all()


def sentiment_after(conn: Connection, since: int, last_import: int) -> list[Any]:
    """The pass's candidates after a complete pass that saw the file as it is."""
    mark = sentiment._mark(conn)
    stored = {"version": sentiment.SENTIMENT_VERSION, "top": mark.top, "print": mark.print}
    real = sentiment._stored_mark
    sentiment._stored_mark = lambda _conn: stored  # type: ignore[assignment]
    try:
        return sentiment._candidates(conn, since, last_import, sentiment._mark(conn))
    finally:
        sentiment._stored_mark = real  # type: ignore[assignment]


def best(runs: int, fn: Callable[[], Any]) -> tuple[float, float, Any]:
    cpu, wall, out = float("inf"), float("inf"), None
    for _ in range(runs):
        c0, w0 = time.process_time(), time.perf_counter()
        out = fn()
        cpu = min(cpu, time.process_time() - c0)
        wall = min(wall, time.perf_counter() - w0)
    return cpu, wall, out


def bench(path: Path, runs: int) -> None:
    engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    with engine.connect() as conn:
        ids = np.array(conn.execute(text("SELECT id FROM customers")).scalars().all())
        order = np.random.default_rng(41).permutation(np.append(ids, ids.max() + 7))
        nobody = conn.execute(
            text(
                "SELECT count(*) FROM customers WHERE external_id IS NULL "
                "AND coalesce(email_normalized, '') = ''"
            )
        ).scalar()
        checked = conn.execute(
            text("SELECT value FROM settings WHERE key = 'listen.sentiment_checked_import'")
        ).scalar()
        since = int(checked) if checked not in (None, "") else 0
        last_import = conn.execute(text("SELECT max(id) FROM import_runs")).scalar() or 0
        print(f"{path.name}: {ids.size:,} customers ({nobody:,} with no source id nor email)")
        yard = best(runs, lambda: yardstick(conn, order))
        old = best(runs, lambda: keys_before(conn, order))
        new = best(runs, lambda: stable_keys(conn, order))
        same = old[2].shape == new[2].shape and bool((old[2] == new[2]).all())
        hashes = np.array_equal(pd.util.hash_array(old[2]), pd.util.hash_array(new[2]))
        print(f"  keys: {order.size:,} compared, every key equal: {same}, every hash: {hashes}")
        for name, (cpu, wall, _) in (
            ("yardstick", yard),
            ("keys before", old),
            ("keys after", new),
        ):
            print(f"  {name:<18} {cpu:7.3f} s CPU {wall:7.3f} s wall  {cpu / yard[0]:5.2f}x")
        s_old = best(runs, lambda: sentiment_before(conn, since))
        s_new = best(runs, lambda: sentiment_after(conn, since, last_import))
        for name, (cpu, wall, rows) in (("sentiment before", s_old), ("sentiment after", s_new)):
            print(
                f"  {name:<18} {cpu:7.3f} s CPU {wall:7.3f} s wall  {cpu / yard[0]:5.2f}x"
                f"  {len(rows):,} rows"
            )
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workspaces", nargs="+", type=Path)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    for path in args.workspaces:
        bench(path, args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
