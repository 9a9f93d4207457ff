"""Publish benchmark: a demo workspace file copied into an empty PostgreSQL database.

    .venv/bin/python bench/bench_publish.py [--customers 20000]

Starts a throwaway PostgreSQL server on loopback (Debian's binaries), builds the demo
workspace (cached in the temp folder), times `publish` (schema, rows, sequences, both
checks) and, as the reference in the same run, `db backup` of the same file (SQLite's own
copy). No target: issue 20 sets none for publishing.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def start_postgres() -> tuple[str, callable]:  # type: ignore[valid-type]
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise SystemExit("PostgreSQL's binaries are not installed (Debian: postgresql)")
    bin_dir = Path(found[-1]).parent
    root = Path(tempfile.mkdtemp(prefix="radar-pg-bench-"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    prefix: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        root.chmod(0o755)
        prefix = ["runuser", "-u", "postgres", "--"]

    def pg(*args: str) -> None:
        subprocess.run([*prefix, *args], check=True, capture_output=True, timeout=300)

    data = root / "data"
    pg(str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "radar")
    pg(str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-l", str(root / "log"),
       "-o", f"-p {port} -k {root} -c listen_addresses=127.0.0.1", "start")  # fmt: skip
    pg(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "radar", "team")

    def stop() -> None:
        pg(str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-m", "immediate", "stop")
        shutil.rmtree(root, ignore_errors=True)

    return f"postgresql+psycopg://radar@127.0.0.1:{port}/team", stop


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    args = parser.parse_args()
    from app.workspace import open_workspace, to_url
    from models.integrity import check_workspace
    from models.migrate import backup_sqlite
    from services.demo import build_demo
    from services.team.publish import publish

    path = Path(tempfile.gettempdir()) / f"bench_publish_{args.customers}.radar.sqlite"
    if not path.exists():
        workspace = open_workspace(to_url(str(path)), backup=False)
        build_demo(workspace.engine, customers=args.customers)
        workspace.close()
    workspace = open_workspace(to_url(str(path)), backup=False)
    counts = check_workspace(workspace.engine).counts
    url, stop = start_postgres()
    try:
        started = time.perf_counter()
        report = publish(workspace.engine, url)
        took = time.perf_counter() - started
        copy = Path(tempfile.mkdtemp()) / "copy.radar.sqlite"
        started = time.perf_counter()
        backup_sqlite(workspace.engine, copy)
        reference = time.perf_counter() - started
    finally:
        workspace.close()
        stop()
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
