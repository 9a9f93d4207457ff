"""Command update: is a newer Account Radar out? (services/updates/check.py)"""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from app.cli.errors import EXIT_OK

EXIT_NEWER = 1
EXIT_CANNOT_CHECK = 2

UPDATE_EPILOG = """\
Asks the address in the updates.check_url setting (usually set by IT in a policy) for the
latest version. Exit status: 0 up to date (or no address set), 1 a newer version is out,
2 the address could not be asked."""


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add this module's commands to the main parser."""
    update = commands.add_parser(
        "update",
        help="check whether a newer version is out",
        description="Check for a newer version of Account Radar (nothing is downloaded).",
        epilog=UPDATE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = update.add_subparsers(dest="update_command", metavar="ACTION")
    actions.add_parser("check", help="ask the update address (the default)")
    update.set_defaults(handler=cmd_update)


def check_url(db: str | None) -> str:
    """The update address: the workspace's setting, or the organisation's when there is no
    workspace yet (IT checking a fresh install)."""
    from app.workspace import command_workspace, resolve_url, workspace_exists
    from models.db import translate_db_errors
    from services.settings import organisation_value
    from services.settings.views import UpdateSettings
    from services.updates.check import CHECK_URL

    if not workspace_exists(resolve_url(db)):
        value, _locked = organisation_value(CHECK_URL)
        return str(value or "")
    with command_workspace(db) as workspace, translate_db_errors(), workspace.sessions() as s:
        return UpdateSettings.read(s).check_url


def cmd_update(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print whether a newer version is out; the exit status says it too."""
    from services.updates.check import check

    result = check(check_url(args.db))
    print(result.message, file=out if result.status != "failed" else err)
    if result.status == "newer" and result.notes:
        print(result.notes, file=out)
    if result.status == "newer":
        return EXIT_NEWER
    return EXIT_CANNOT_CHECK if result.status == "failed" else EXIT_OK
