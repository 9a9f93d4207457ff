"""Command team: the people of a shared workspace and what each may see (run by an admin)."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any, TextIO

from app.cli.errors import EXIT_OK
from models.vocab import TEAM_ROLES

TEAM_EPILOG = """\
Who sees what is enforced by PostgreSQL itself (row-level security keyed on the
database user): a manager sees and acts on their own book (the customers whose owner is
--owner-of, their own name by default); a lead sees the whole team's and runs imports
and scoring; an admin also adds people. Run against the shared workspace, as an admin:
  python main.py --db postgresql+psycopg://admin@host/team team add-user maya \\
      --role manager --owner-of "Maya Thompson"
The password is asked for (or read from standard input with --password-stdin); give
it to the person, who keeps it in their system keyring when opening the workspace."""


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add this module's commands to the main parser."""
    team = commands.add_parser(
        "team",
        help="the people of a shared workspace (PostgreSQL)",
        description="The people of a shared workspace and what each may see.",
        epilog=TEAM_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = team.add_subparsers(dest="team_command", metavar="ACTION", required=True)
    add = actions.add_parser(
        "add-user",
        help="create a person's database user, or change their role or book",
        epilog=TEAM_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add.add_argument("name", metavar="NAME", help="their database user name, e.g. maya")
    add.add_argument("--role", required=True, choices=TEAM_ROLES)
    add.add_argument(
        "--owner-of",
        metavar="OWNER",
        help="the owner name on their customers (a manager's book; default: NAME)",
    )
    secret = add.add_mutually_exclusive_group()
    secret.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    secret.add_argument(
        "--no-password",
        action="store_true",
        help="set no password (the server authenticates them another way)",
    )
    actions.add_parser("list", help="the people, their roles and books")
    remove = actions.add_parser(
        "remove-user", help="take a person out (their login is disabled; the audit keeps them)"
    )
    remove.add_argument("name", metavar="NAME")
    team.set_defaults(handler=cmd_team)


def _password(args: argparse.Namespace, err: TextIO) -> str | None:
    if args.no_password:
        return None
    if args.password_stdin:
        value = sys.stdin.readline().rstrip("\r\n")
    else:
        first = getpass.getpass(f"Password for {args.name}: ", stream=err)
        if getpass.getpass("Again: ", stream=err) != first:
            from models.errors import UserFacingError

            raise UserFacingError("The two passwords differ; nothing was changed.")
        value = first
    if not value:
        from models.errors import UserFacingError

        raise UserFacingError(
            "The password is empty; give one (or --no-password when the server "
            "authenticates people another way). Nothing was changed."
        )
    return value


def cmd_team(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from app.workspace import command_workspace
    from services.team.security import add_user, list_members, remove_user

    with command_workspace(args.db) as workspace:
        if args.team_command == "add-user":
            password = _password(args, err)
            member = add_user(
                workspace.engine, args.name, args.role, owner_of=args.owner_of, password=password
            )
            book = (
                f"the customers owned by {member.owner_name}"
                if member.role == "manager"
                else "every customer"
            )
            article = "an" if member.role[:1] in "aeiou" else "a"
            print(f"{member.db_role} is {article} {member.role}: sees {book}.", file=out)
        elif args.team_command == "remove-user":
            remove_user(workspace.engine, args.name)
            print(f"{args.name} was taken out of the team (login disabled).", file=out)
        else:
            people = list_members(workspace.engine)
            print(f"{'user':<20} {'role':<8} {'book':<28} login", file=out)
            for m in people:
                book = m.owner_name or ("(everyone)" if m.role != "manager" else "(none)")
                login = "yes" if m.can_log_in else "no"
                print(f"{m.db_role:<20} {m.role:<8} {book:<28} {login}", file=out)
    return EXIT_OK
