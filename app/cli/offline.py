"""workspace take-offline and workspace sync-back: an offline copy of a shared workspace
(services/team/offline.py) and its actions pushed back (services/team/sync.py).

Registered under the ``workspace`` command of app/cli/team.py.
"""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from app.cli.errors import EXIT_FAILURE, EXIT_OK, CommandError
from app.cli.output import output_file

TAKE_EPILOG = """\
Copies what your database account can see of the shared workspace into a workspace file
of its own, for working without the server (on a plane): your customers with their
scores, alerts, tasks and emails, and the orders and interactions of the last --months
months. The file is written whole or not at all; a copy there already is replaced only
when it has nothing left to sync back. The password can be in the URL, in PGPASSWORD or
in ~/.pgpass (it is never stored in the copy)."""

SYNC_EPILOG = """\
Sends what was done in the copy (calls, notes, tasks, snoozes, resolutions, do-not-contact
marks, emails) to the server it came from, once each, then refreshes the copy from the
server. An alert someone changed on the server meanwhile is not overwritten: it is listed.
Customer data is never sent: it comes from the server only. Exit code 1 when something
could not be sent (the copy then keeps it: run sync-back again)."""


def register_actions(actions: argparse._SubParsersAction[Any]) -> None:
    """Add take-offline and sync-back to the ``workspace`` command's actions."""
    take = actions.add_parser(
        "take-offline",
        help="copy your part of a shared workspace into a file, to work without the server",
        epilog=TAKE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    take.add_argument(
        "--from",
        dest="source",
        required=True,
        metavar="URL",
        help="the shared workspace: postgresql+psycopg://USER@HOST[:PORT]/DB",
    )
    # A database of its own: it replaces only an earlier offline copy with nothing left to
    # sync back (services/team/offline.py), so it has no --force.
    take.add_argument(
        "--to", dest="target", type=output_file, required=True, metavar="FILE", help="the copy"
    )
    take.add_argument(
        "--months",
        type=int,
        default=24,
        metavar="N",
        help="orders and interactions of the last N months (default 24)",
    )
    sync = actions.add_parser(
        "sync-back",
        help="send what was done in an offline copy to the server, then refresh the copy",
        epilog=SYNC_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sync.add_argument("--copy", required=True, metavar="FILE", help="the offline copy")
    sync.add_argument(
        "--to",
        dest="target",
        metavar="URL",
        help="the shared workspace (default: the one the copy was taken from)",
    )
    sync.add_argument(
        "--no-refresh", action="store_true", help="send only; leave the copy as it is"
    )


def cmd_take_offline(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Take the copy; print what it holds."""
    from pathlib import Path

    from models.db import make_engine
    from services.team.offline import refuse_other_file, take_offline

    if args.months < 1:
        raise CommandError("--months must be 1 or more.")
    refuse_other_file(Path(args.target).expanduser())  # before the server is asked anything
    server = make_engine(_with_password(_postgres_url(args.source, "--from")))
    shown = [-1]

    def progress(fraction: float, message: str) -> None:
        step = int(fraction * 10)
        if step != shown[0]:
            shown[0] = step
            print(f"  {fraction:4.0%}  {message}", file=err, flush=True)

    try:
        copy = take_offline(server, args.target, months=args.months, progress=progress)
    finally:
        server.dispose()
    for line in copy.lines():
        print(line, file=out)
    return EXIT_OK


def cmd_sync_back(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Push the copy's actions, refresh it; print the report."""
    from pathlib import Path

    from models.db import make_engine
    from services.alerts.config import default_actor
    from services.core.offline_origin import origin_of_file
    from services.team.sync import sync_back

    path = Path(args.copy).expanduser()
    origin = origin_of_file(path)
    if origin is None:
        raise CommandError(
            f"{path} is not an offline copy ('workspace take-offline' makes one)."
            if path.is_file()
            else f"There is no offline copy at {path}."
        )
    url = _postgres_url(args.target, "--to") if args.target else origin.server
    server = make_engine(_with_password(url))
    try:
        report = sync_back(path, server, actor=default_actor(), refresh=not args.no_refresh)
    finally:
        server.dispose()
    for line in report.lines():
        print(line, file=out)
    if not report.ok or report.refresh_problem:
        return EXIT_FAILURE
    return EXIT_OK


def _with_password(url: str) -> str:
    """``url`` with the password kept for it in the system keyring (as `workspace open`
    keeps it), if the URL has none; never printed. With none kept, libpq looks in
    PGPASSWORD and ~/.pgpass."""
    from services.team.connect import connect_url

    return connect_url(url)[0]


def _postgres_url(value: str, option: str) -> str:
    from app.workspace import to_url
    from models.db import is_sqlite

    url = to_url(value)
    if is_sqlite(url) or not url.startswith("postgresql"):
        raise CommandError(
            f"{option} takes the shared workspace's address: "
            "postgresql+psycopg://USER@HOST[:PORT]/DATABASE"
        )
    return url
