"""Publish benchmark: a workspace file copied into an empty PostgreSQL database.

    .venv/bin/python bench/bench_publish.py [--customers 20000] [--workspace PATH]
                                            [--before CHECKOUT] [--check]

Starts a throwaway PostgreSQL server on loopback (Debian's binaries), builds the demo
workspace (cached in the temp folder) unless ``--workspace`` names one, and times
`publish` (schema, rows, indexes, sequences, both checks) in a fresh process: wall
seconds, the process's CPU seconds and the PostgreSQL server's (its backends'). With
``--before`` the same is timed first with the code of another checkout (e.g. a worktree
of main), into a second empty database of the same server. The yardstick, in the same
run: `db backup` of the same file (SQLite's own copy), CPU seconds. ``--check`` compares
every table's row count and checksum on both sides (tests/support/table_digest.py).
No target: a publish must carry a million customers.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHILD = """
import sys, time, resource
sys.path.insert(0, {root!r})
from app.workspace import open_workspace, to_url
from services.team.publish import publish
ws = open_workspace(to_url({path!r}), backup=False)
cpu, wall = time.process_time(), time.perf_counter()
report = publish(ws.engine, {url!r})
cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
ws.close()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print("RESULT", wall, cpu, peak, len(report.problems), sum(report.copied.values()))
for problem in report.problems[:5]:
    print("PROBLEM", problem)
"""


def _ticks(pid: int) -> float:
    """CPU seconds of ``pid`` and of its children it has waited for."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def server_cpu(data: Path) -> float:
    """The PostgreSQL server's CPU seconds so far: the postmaster's with its ended
    backends, plus the running ones."""
    postmaster = int((data / "postmaster.pid").read_text().split()[0])
    total = _ticks(postmaster)
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == postmaster:
                total += _ticks(int(proc.name))
    return total


def time_publish(root: Path, path: Path, url: str, data: Path) -> dict[str, float]:
    before = server_cpu(data)
    proc = subprocess.run(
        [sys.executable, "-c", CHILD.format(root=str(root), path=str(path), url=url)],
        capture_output=True, text=True, cwd=root, timeout=7200,
        env=dict(os.environ, PYTHONPATH=str(root)),
    )  # fmt: skip
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        raise SystemExit(f"the publish failed:\n{proc.stdout}\n{proc.stderr[-3000:]}")
    for line in proc.stdout.splitlines():
        if line.startswith("PROBLEM "):
            print("  ", line)
    time.sleep(1.0)  # the backend has ended: its CPU is in the postmaster's
    wall, cpu, peak, problems, rows = map(float, lines[-1].split()[1:])
    return {"wall": wall, "cpu": cpu, "server": server_cpu(data) - before, "peak": peak,
            "problems": problems, "rows": rows}  # fmt: skip


def yardstick(path: Path) -> float:
    from app.workspace import open_workspace, to_url
    from models.migrate import backup_sqlite

    workspace = open_workspace(to_url(str(path)), backup=False)
    copy = Path(tempfile.mkdtemp(prefix="ar-bench-publish-")) / "copy.radar.sqlite"
    try:
        cpu = time.process_time()
        backup_sqlite(workspace.engine, copy)
        return time.process_time() - cpu
    finally:
        workspace.close()
        copy.unlink(missing_ok=True)


def compare(path: Path, url: str) -> None:
    from app.workspace import open_workspace, to_url
    from tests.support.table_digest import table_digests

    skip = frozenset({"team_members", "settings"})  # the publisher; the personal settings
    digests = []
    for where in (to_url(str(path)), url):
        workspace = open_workspace(where, backup=False)
        try:
            digests.append(table_digests(workspace.engine, skip=skip))
        finally:
            workspace.close()
    here, there = digests
    differ = [t for t in here if here[t] != there.get(t)]
    rows = sum(n for n, _ in here.values())
    verdict = f"DIFFERENT: {', '.join(differ)}" if differ else "every count and checksum the same"
    print(f"checked {len(here)} tables, {rows:,} rows: {verdict}")


def workspace_path(args: argparse.Namespace) -> Path:
    from app.workspace import open_workspace, to_url
    from services.demo import build_demo

    if args.workspace:
        return Path(args.workspace).expanduser().resolve()
    path = Path(tempfile.gettempdir()) / f"bench_publish_{args.customers}.radar.sqlite"
    if not path.exists():
        workspace = open_workspace(to_url(str(path)), backup=False)
        build_demo(workspace.engine, customers=args.customers)
        workspace.close()
    return path


def _line(label: str, run: dict[str, float], stick: float) -> str:
    total = run["cpu"] + run["server"]
    return (f"{label}: {run['wall']:.1f} s wall, CPU {run['cpu']:.1f} s here + "
            f"{run['server']:.1f} s server = {total:.1f} s ({total / stick:.1f}x yardstick), "
            f"{run['rows'] / run['wall']:,.0f} rows/s, peak {run['peak']:.0f} MB, "
            f"problems {run['problems']:.0f}")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--workspace", help="a workspace file to publish (read only)")
    parser.add_argument("--before", help="another checkout whose publish is timed first")
    parser.add_argument("--check", action="store_true", help="compare every table after")
    args = parser.parse_args()
    from tests.support.postgres_server import pg_bin, postgres_server

    path = workspace_path(args)
    bin_dir = pg_bin()
    if bin_dir is None:
        raise SystemExit("PostgreSQL's binaries are not installed (Debian: postgresql)")
    stick = yardstick(path)
    print(f"{path}: yardstick (db backup of the file) {stick:.1f} s CPU")
    with postgres_server(bin_dir) as server:
        runs = []
        if args.before:
            url = server.createdb("before")
            runs.append(("before", time_publish(Path(args.before), path, url, server.data)))
            print(_line(*runs[-1], stick), flush=True)
        url = server.createdb("after")
        runs.append(("after", time_publish(ROOT, path, url, server.data)))
        print(_line(*runs[-1], stick), flush=True)
        if len(runs) == 2:
            ratio = (runs[0][1]["cpu"] + runs[0][1]["server"]) / (
                runs[1][1]["cpu"] + runs[1][1]["server"]
            )
            print(f"before / after, CPU: {ratio:.1f}x; wall "
                  f"{runs[0][1]['wall'] / runs[1][1]['wall']:.1f}x")  # fmt: skip
        if args.check:
            compare(path, url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
