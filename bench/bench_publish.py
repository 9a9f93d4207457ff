"""Publish benchmark: a demo workspace file copied into an empty PostgreSQL database.

    .venv/bin/python bench/bench_publish.py [--customers 20000]

Starts a throwaway PostgreSQL server on loopback (Debian's binaries), builds the demo
workspace (cached in the temp folder), times `publish` (schema, rows, sequences, both
checks) and, as the reference in the same run, `db backup` of the same file (SQLite's own
copy). No target: issue 20 sets none for publishing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    args = parser.parse_args()
    from app.workspace import open_workspace, to_url
    from models.integrity import check_workspace
    from models.migrate import backup_sqlite
    from services.demo import build_demo
    from services.team.publish import publish
    from tests.support.postgres_server import pg_bin, throwaway_postgres

    path = Path(tempfile.gettempdir()) / f"bench_publish_{args.customers}.radar.sqlite"
    if not path.exists():
        workspace = open_workspace(to_url(str(path)), backup=False)
        build_demo(workspace.engine, customers=args.customers)
        workspace.close()
    workspace = open_workspace(to_url(str(path)), backup=False)
    counts = check_workspace(workspace.engine).counts
    bin_dir = pg_bin()
    if bin_dir is None:
        raise SystemExit("PostgreSQL's binaries are not installed (Debian: postgresql)")
    try:
        with throwaway_postgres(bin_dir, "team") as url:
            started = time.perf_counter()
            report = publish(workspace.engine, url)
            took = time.perf_counter() - started
        copy = Path(tempfile.mkdtemp()) / "copy.radar.sqlite"
        started = time.perf_counter()
        backup_sqlite(workspace.engine, copy)
        reference = time.perf_counter() - started
    finally:
        workspace.close()
    rows = sum(counts.values())
    print(f"{args.customers:,} customers, {counts.get('orders', 0):,} orders, {rows:,} rows")
    print(f"publish to PostgreSQL: {took:.1f} s ({rows / took:,.0f} rows/s), problems: "
          f"{report.problems or 'none'}")  # fmt: skip
    print(
        f"db backup of the same file (reference): {reference:.1f} s; ratio {took / reference:.0f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
