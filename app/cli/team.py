"""Command workspace: publish a workspace file to a shared PostgreSQL database; take an
offline copy of one and sync it back (app/cli/offline.py)."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from app.cli import offline
from app.cli.errors import EXIT_FAILURE, EXIT_OK

PUBLISH_EPILOG = """\
Copies the workspace (--db, or the default one) into an EMPTY PostgreSQL database: the
schema through the app's own migrations, every row, then 'db check' on both sides with
their row counts compared. One transaction: if anything fails, the database is left as
empty as it was. A database that already holds tables is refused. The password can be
in the URL, in PGPASSWORD or in ~/.pgpass."""


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add this module's commands to the main parser."""
    workspace = commands.add_parser(
        "workspace",
        help="share a workspace on PostgreSQL",
        description="A team's shared workspace on PostgreSQL.",
    )
    actions = workspace.add_subparsers(dest="workspace_command", metavar="ACTION", required=True)
    publish = actions.add_parser(
        "publish",
        help="copy this workspace into an empty PostgreSQL database",
        epilog=PUBLISH_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    publish.add_argument(
        "--to", required=True, metavar="URL", help="postgresql+psycopg://USER@HOST[:PORT]/DB"
    )
    offline.register_actions(actions)
    workspace.set_defaults(handler=cmd_workspace)


def cmd_workspace(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Publish the workspace; print what was copied and both checks."""
    if args.workspace_command == "take-offline":
        return offline.cmd_take_offline(args, out, err)
    if args.workspace_command == "sync-back":
        return offline.cmd_sync_back(args, out, err)
    from app.workspace import command_workspace
    from services.team.publish import publish

    shown: dict[str, int] = {}

    def progress(table: str, done: int, total: int) -> None:
        if done == total or done - shown.get(table, 0) >= 100_000:
            shown[table] = done
            print(f"  {table:<24} {done:>12,} of {total:,}", file=err, flush=True)

    with command_workspace(args.db) as workspace:
        report = publish(workspace.engine, args.to, progress=progress)
    print(f"Published to {report.target}:", file=out)
    for table, n in report.copied.items():
        print(f"  {table:<24} {n:>12,}", file=out)
    problems = report.problems
    if problems:
        for problem in problems:
            print(f"Problem: {problem}", file=err)
        return EXIT_FAILURE
    print("Both sides checked: the same rows, no problems.", file=out)
    return EXIT_OK
