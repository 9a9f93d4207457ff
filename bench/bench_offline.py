"""Take-offline benchmark: a manager's offline copy of a 100,000-customer shared workspace.

    .venv/bin/python bench/bench_offline.py [--customers 100000] [--owner "Maya Thompson"]
    .venv/bin/python bench/bench_offline.py --url postgresql+psycopg://USER@HOST/DB

Builds the scored demo workspace (cached in the temp folder: a few minutes the first time),
starts a throwaway PostgreSQL server on loopback (Debian's binaries), publishes the demo
to it (services/team/publish.py), then times ``take_offline`` (the last 24 months of
orders and interactions): once as the superuser, who sees every customer, and with
``--owner`` once more as a manager who sees only their book. ``--url`` skips the build
and the publish and takes the copy from a server that holds one already.

The target: a manager's copy (a book of about 20,000 customers) in under 30 s.

Who sees what: ``--owner`` adds a manager whose book is NAME's customers through the
team's roles (services/team/security.py), so the copy goes through the real row-level
security policies and measures their cost.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_S = 30.0
MANAGER_ROLE = "bench_manager"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--owner", metavar="NAME", help='a manager\'s book, e.g. "Maya Thompson"')
    parser.add_argument("--url", help="take from this server (already published) instead")
    parser.add_argument("--months", type=int, default=24)
    args = parser.parse_args()

    from tests.support.postgres_server import pg_bin, postgres_server

    if args.url:
        _takes(args.url, args)
        return 0
    demo = _demo(args.customers)
    bin_dir = pg_bin()
    if bin_dir is None:
        raise SystemExit("PostgreSQL's binaries are not installed (Debian: postgresql)")
    with postgres_server(bin_dir) as server:
        url = server.createdb("team")
        from app.workspace import open_workspace, to_url
        from services.team.publish import publish

        workspace = open_workspace(to_url(str(demo)), backup=False)
        try:
            started = time.perf_counter()
            report = publish(workspace.engine, url)
            print(f"published the demo in {time.perf_counter() - started:.0f} s", flush=True)
            if report.problems:
                raise SystemExit(f"the publish had problems: {report.problems}")
        finally:
            workspace.close()
        _takes(url, args)
    return 0


def _demo(customers: int) -> Path:
    """The scored demo with its alerts (as `python main.py demo` builds it), cached."""
    path = Path(tempfile.gettempdir()) / f"bench_offline_{customers}.radar.sqlite"
    if path.exists():
        return path
    from app.workspace import open_workspace, to_url
    from services.demo import build_demo
    from services.usecases.refresh import score_and_alert

    print(f"building a {customers:,}-customer demo (once) at {path}", flush=True)
    partial = path.with_name(path.name + ".building")
    partial.unlink(missing_ok=True)
    workspace = open_workspace(to_url(str(partial)), backup=False)
    try:
        build_demo(workspace.engine, customers=customers)
        score_and_alert(workspace.engine)
        with workspace.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        workspace.close()
    partial.replace(path)
    return path


def _takes(url: str, args: argparse.Namespace) -> None:
    from sqlalchemy.engine import make_url

    folder = Path(tempfile.mkdtemp(prefix="bench-offline-"))
    _take(url, folder / "everything.radar.sqlite", args.months, "everyone (the superuser)")
    if args.owner:
        manager = _manager(url, args.owner)
        book = make_url(url).set(username=MANAGER_ROLE, password=None)
        _take(
            book.render_as_string(hide_password=False),
            folder / "book.radar.sqlite",
            args.months,
            f"{args.owner}'s book (the team's row-level security)",
            target=True,
        )
        print(f"(role {manager} left on the server)")


def _manager(url: str, owner: str) -> str:
    """A manager's database account whose book is ``owner``'s customers, through the
    team's real roles and row-level security (services/team/security.py)."""
    from models.db import make_engine
    from services.team.security import add_user

    admin = make_engine(url)
    try:
        add_user(admin, MANAGER_ROLE, "manager", owner_of=owner)
    finally:
        admin.dispose()
    return MANAGER_ROLE


def _take(url: str, path: Path, months: int, who: str, *, target: bool = False) -> None:
    from models.db import make_engine
    from services.team.offline import take_offline

    server = make_engine(url)
    try:
        copy = take_offline(server, path, months=months)
    finally:
        server.dispose()
    rows = sum(copy.copied.values())
    if target:
        verdict = "under" if copy.seconds < TARGET_S else "OVER"
        said = f"{verdict} the {TARGET_S:.0f} s target"
    else:
        said = "the whole workspace: the target is for one manager's book"
    print(
        f"take offline as {who}: {copy.customers:,} customers, {rows:,} rows "
        f"(orders {copy.copied.get('orders', 0):,}, interactions "
        f"{copy.copied.get('interactions', 0):,}, alerts {copy.copied.get('alerts', 0):,}), "
        f"{copy.size_bytes / 1e6:,.0f} MB in {copy.seconds:.1f} s "
        f"({rows / copy.seconds:,.0f} rows/s; {said})",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
