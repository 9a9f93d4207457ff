"""Command workspace: publish a workspace file to a shared PostgreSQL database, open the
window on a shared workspace, take an offline copy of one and sync it back
(app/cli/offline.py)."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from app.cli import offline
from app.cli.errors import EXIT_FAILURE, EXIT_OK, CommandError

PUBLISH_EPILOG = """\
Copies the workspace (--db, or the default one) into an EMPTY PostgreSQL database: the
schema through the app's own migrations, every row, then 'db check' on both sides with
their row counts compared. One transaction: if anything fails, the database is left as
empty as it was. A database that already holds tables is refused. The password can be
in the URL, in PGPASSWORD or in ~/.pgpass, or stored by the window (File > Open shared
workspace...) in the system keyring."""

OPEN_EPILOG = """\
Opens the window on a team's shared workspace, as `main.py --db URL` would. Leave the
password out of the URL (a command line is seen by other programs and kept in the
shell's history): the one stored in the system keyring is used, else PGPASSWORD or
~/.pgpass, else the window asks for it and offers to remember it in the keyring.
Example:
  python main.py workspace open postgresql+psycopg://ana@db.example.com/radar"""

OPEN_USAGE = (
    "`workspace open` takes a shared workspace's URL: "
    "postgresql+psycopg://USER@HOST[:PORT]/DATABASE. To open a workspace file, run "
    "`python main.py --db PATH`."
)


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add this module's commands to the main parser."""
    workspace = commands.add_parser(
        "workspace",
        help="share a workspace on PostgreSQL, or open a shared one",
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
    open_ = actions.add_parser(
        "open",
        help="open the window on a shared workspace",
        epilog=OPEN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    open_.add_argument("url", metavar="URL", help="postgresql+psycopg://USER@HOST[:PORT]/DB")
    offline.register_actions(actions)
    workspace.set_defaults(handler=cmd_workspace)


def cmd_workspace(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run the workspace action asked for."""
    if args.workspace_command == "open":
        return cmd_workspace_open(args, out, err)
    if args.workspace_command == "take-offline":
        return offline.cmd_take_offline(args, out, err)
    if args.workspace_command == "sync-back":
        return offline.cmd_sync_back(args, out, err)
    return cmd_workspace_publish(args, out, err)


def cmd_workspace_open(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Open the window on the shared workspace at URL (the password from the keyring, or
    asked for in the window)."""
    from app.cli.window import open_window
    from app.workspace import resolve_url
    from services.team.connect import has_password, is_shared_url

    if not is_shared_url(args.url):
        raise CommandError(OPEN_USAGE)
    if args.db is not None and args.db != args.url:
        raise CommandError(
            "Give the shared workspace once: `workspace open URL` opens it (no --db needed)."
        )
    # A location the organisation locks refuses another one, in plain words, here.
    resolve_url(args.url)
    if has_password(args.url):
        print(
            "note: the URL holds a password, which other programs on this computer can see "
            "and your shell keeps in its history; leave it out next time (the window "
            "remembers it in the system keyring).",
            file=err,
        )
    return open_window(args.url, err)


def cmd_workspace_publish(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Publish the workspace; print what was copied and both checks."""
    from app.workspace import command_workspace
    from services.team.connect import connect_url
    from services.team.publish import publish

    shown: dict[str, int] = {}

    def progress(table: str, done: int, total: int) -> None:
        if done == total or done - shown.get(table, 0) >= 100_000:
            shown[table] = done
            print(f"  {table:<24} {done:>12,} of {total:,}", file=err, flush=True)

    with command_workspace(args.db) as workspace:
        # A password kept in the keyring for this address joins the URL here, and only here.
        target, _source = connect_url(args.to)
        report = publish(workspace.engine, target, progress=progress)
    print(f"Published to {report.target}:", file=out)
    for table, n in report.copied.items():
        print(f"  {table:<24} {n:>12,}", file=out)
    problems = report.problems
    if problems:
        for problem in problems:
            print(f"Problem: {problem}", file=err)
        return EXIT_FAILURE
    print("Both sides checked: the same rows, no problems.", file=out)
    if report.security_problem:
        print(f"Who sees what is not set up yet: {report.security_problem}", file=err)
        print("An admin can set it up by adding the first person: 'team add-user'.", file=err)
    else:
        print(
            "Who sees what is set up: add each person with "
            "'team add-user NAME --role manager|lead|admin'.",
            file=out,
        )
    return EXIT_OK
