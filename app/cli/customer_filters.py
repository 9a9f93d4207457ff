"""Command customers: the team filters the whole workspace shares (`customers filters
list|save|delete`); `customers list --filter NAME` (app/cli/customers_list.py) lists the
customers one keeps."""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

from app.cli.errors import EXIT_OK, EXIT_USAGE
from app.cli.report import FORMATS

FORMAT_HELP = "table (default), csv or json"
RISK_CHOICES = ("low", "medium", "high")
STAGE_CHOICES = ("onboarding", "adoption", "mature", "renewal", "at_risk", "none")

FILTERS_EPILOG = """\
A team filter is a named customer filter the whole workspace shares: the Customers
list's Views offer it beside your own views, and a setting may be set per team filter
(`config segment set filter NAME KEY VALUE`). In a shared workspace only a team lead or
an admin may save or delete one (as with every workspace setting); every change is
audited. Examples:
  python main.py customers filters save "Champions at risk" --segment Champions --risk high
  python main.py customers list --filter "Champions at risk" --format csv"""

FILTERS_HEADER = ["name", "conditions", "members"]


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add `customers filters list|save|delete` to the group `customers` (app/cli/consent.py
    makes it)."""

    group = commands.choices["customers"]
    steps = next(a for a in group._actions if isinstance(a, argparse._SubParsersAction))
    filters = steps.add_parser(
        "filters", help="the team filters: list, save or delete",
        description="The team filters the workspace shares.", epilog=FILTERS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    actions = filters.add_subparsers(dest="filters_command", metavar="ACTION")
    shown = actions.add_parser("list", help="each team filter, its conditions and members")
    shown.add_argument("--format", choices=FORMATS, default="table", help=FORMAT_HELP)
    save = actions.add_parser("save", help="share a filter with the team under a name")
    save.add_argument("name", metavar="NAME", help="the team filter's name (60 characters at most)")
    save.add_argument("--segment", action="append", default=[], metavar="S",
                      help="only this RFM segment (again for several)")  # fmt: skip
    save.add_argument("--owner", metavar="O", help='only this owner\'s customers ("": no owner)')
    save.add_argument(
        "--stage",
        action="append",
        default=[],
        choices=STAGE_CHOICES,
        metavar="S",
        help=f"only this lifecycle stage ({', '.join(STAGE_CHOICES)})",
    )
    save.add_argument(
        "--risk", choices=RISK_CHOICES, metavar="BAND", help="churn risk band: low, medium or high"
    )
    save.add_argument(
        "--search",
        default="",
        metavar="TEXT",
        help="every word in the name, person, email, company, id or owner",
    )
    save.add_argument("--force", action="store_true",
                      help="replace a team filter of the same name")  # fmt: skip
    save.set_defaults(handler=cmd_filters_save)
    delete = actions.add_parser("delete", help="delete a team filter")
    delete.add_argument("name", metavar="NAME")
    delete.set_defaults(handler=cmd_filters_delete)
    filters.set_defaults(handler=cmd_filters_list, format="table")


def _filter_of(args: argparse.Namespace) -> Any:
    from services.alerts.risk_bands import RISK_BAND_BY_KEY
    from services.core.customer_filter import CustomerFilter

    return CustomerFilter(
        segments=frozenset(s.strip() for s in args.segment if s.strip()),
        owner=args.owner,
        stages=frozenset("" if s == "none" else s for s in args.stage),
        churn_risk=RISK_BAND_BY_KEY[args.risk].range if args.risk else None,
    )


def cmd_filters_save(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Share a filter; exit 2 when one of the name exists and --force is not given."""
    from app.workspace import command_workspace
    from models.db import translate_db_errors
    from services.alerts.config import default_actor
    from services.segment_policy.team_filters import find_filter, list_filters, save_filter

    conditions = _filter_of(args)
    with (
        command_workspace(args.db) as workspace,
        translate_db_errors(),
        workspace.sessions() as session,
        session.begin(),
    ):
        existing = find_filter(list_filters(session), args.name)
        if existing is not None and not args.force:
            print(
                f"error: a team filter is already named '{existing.name}'; give --force to "
                "replace it. Nothing was changed.",
                file=err,
            )
            return EXIT_USAGE
        replaced = save_filter(session, args.name, conditions, args.search, actor=default_actor())
    said = "Replaced" if replaced else "Shared"
    print(f"{said} the team filter '{args.name.strip()}'.", file=out)
    return EXIT_OK


def cmd_filters_delete(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Delete a team filter."""
    from app.workspace import command_workspace
    from models.db import translate_db_errors
    from services.alerts.config import default_actor
    from services.segment_policy.team_filters import delete_filter

    with (
        command_workspace(args.db) as workspace,
        translate_db_errors(),
        workspace.sessions() as session,
        session.begin(),
    ):
        gone, _ = delete_filter(session, args.name, actor=default_actor())
    print(f"Deleted the team filter '{gone.name}'.", file=out)
    return EXIT_OK


def cmd_filters_list(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Each team filter: its name, conditions in words and members count."""
    from app.cli.report_output import report_text, write_plain_csv
    from app.workspace import command_workspace
    from models.db import translate_db_errors
    from services.segment_policy.team_filters import describe, list_filters, members
    from services.settings.store import stored_problems
    from services.settings.team_filters import TEAM_FILTERS_SETTING

    with (
        command_workspace(args.db) as workspace,
        translate_db_errors(),
        workspace.sessions() as session,
    ):
        filters = list_filters(session)
        kept = members(session)
        # A team filter kept in the workspace that fails its check is left out alone.
        for words in stored_problems(session, TEAM_FILTERS_SETTING):
            print(f"warning: Team filters: {words}", file=err)
    rows = [[f.name, describe(f), len(kept.get(f.name, ()))] for f in filters]

    def table() -> list[str]:
        if not rows:
            return ["No team filters yet: `customers filters save NAME ...` shares one."]
        width = max(len(str(r[0])) for r in rows)
        return [f"{r[0]:<{width}}  {r[2]:>7,} customers  {r[1]}" for r in rows]

    out.write(
        report_text(
            args.format,
            table=table,
            csv=lambda stream: write_plain_csv(stream, FILTERS_HEADER, rows),
            json=lambda: json.dumps(
                [dict(zip(FILTERS_HEADER, r, strict=True)) for r in rows], indent=2
            ),
        )
    )
    return EXIT_OK
