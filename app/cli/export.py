"""Command export: write the latest scores, the customers table or the alerts to CSV or
XLSX, or the activities logged in the app as a CRM's import file (``export activities``)."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any, TextIO

from app.cli.args import calendar_date, one_of
from app.cli.output import add_output_option, names_output, output_file
from models.vocab import CRM_TARGETS
from models.vocab import EXPORT_KINDS as KINDS

SUFFIXES = (".csv", ".xlsx")
ACTIVITIES = "activities"


def _kind(text: str) -> str:
    if text not in (*KINDS, ACTIVITIES):
        raise argparse.ArgumentTypeError(
            f"invalid choice: '{text}' (choose scores, customers, alerts or activities)"
        )
    return text


def _date(text: str) -> dt.date:
    return calendar_date(text, "2026-03-01")


@names_output("file")
def _out_file(text: str) -> str:
    output_file(text)
    if not text.lower().endswith(SUFFIXES):
        raise argparse.ArgumentTypeError(f"'{text}' must end in .csv or .xlsx")
    return text


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add this module's commands to the main parser."""
    export = commands.add_parser(
        "export",
        help="write the latest scores, the customers table or the alerts to .csv or .xlsx",
        description="Write the latest scores (one row per customer: scores, segment, "
        "confidence, top driver), the customers table, or the alerts (every alert with its "
        "reason, priority, status, outcome and drivers; working ones first) to a CSV file "
        "(UTF-8, opens in Excel) or an XLSX workbook. Text that a spreadsheet would run as "
        "a formula is written as text. An existing file is never replaced unless you add "
        "--force (and never the workspace itself); a failed export leaves it as it was.",
    )
    export.add_argument(
        "what", type=_kind, metavar="scores|customers|alerts|activities", help="what to export"
    )
    add_output_option(
        export, "path", type=_out_file, metavar="OUT.csv|OUT.xlsx", help="file to write",
        nargs="?",
        force_help="replace OUT if it already exists (never the workspace or another database)",
    )  # fmt: skip
    crm = export.add_argument_group(
        "activities for the CRM",
        "export activities --to salesforce|hubspot|csv --output OUT.csv: the calls, notes, "
        "emails and tasks logged in the app, the alerts' outcomes and do-not-contact marks "
        "(never what was imported) as Salesforce tasks, "
        "HubSpot activities or a plain CSV; each export writes only what was logged since "
        "the last one to the same CRM.",
    )
    crm.add_argument("--to", type=one_of(CRM_TARGETS), metavar="|".join(CRM_TARGETS),
                     help="the CRM the file is for")  # fmt: skip
    export.add_argument("-o", "--output", type=_out_file, metavar="OUT.csv",
                        help="the file to write (or give it as OUT)")  # fmt: skip
    when = crm.add_mutually_exclusive_group()
    when.add_argument(
        "--since", type=_date, metavar="DATE",
        help="every activity from DATE (YYYY-MM-DD), exported before or not",
    )  # fmt: skip
    when.add_argument("--all", dest="everything", action="store_true",
                      help="every activity logged in the app, exported before or not")  # fmt: skip
    export.set_defaults(handler=cmd_export, usage_text=export.format_usage())


def cmd_export(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Export scores or customers of the workspace; exit 1 with a reason when it cannot."""
    from app.cli.errors import EXIT_OK
    from app.cli.output import check_output
    from app.workspace import command_workspace
    from services.usecases.exporting import export_table

    if args.what == ACTIVITIES:
        return _export_activities(args, out, err)
    if args.to or args.since or args.everything:
        return _usage(args, err, "--to, --since and --all are for 'export activities'")
    path = args.output or args.path
    if not path:
        return _usage(args, err, "the file to write is required (OUT.csv or OUT.xlsx)")
    # Checked before the workspace opens: a refused path costs nothing and changes nothing.
    target = check_output(args, path, what="the export")
    with command_workspace(args.db) as workspace:
        result = export_table(workspace.engine, args.what, target, force=args.force)
    customers = f"{result.rows:,} customer{'' if result.rows == 1 else 's'}"
    if args.what == "alerts":
        what = f"{result.rows:,} alert{'' if result.rows == 1 else 's'}"
    else:
        what = f"scores for {customers}" if args.what == "scores" else customers
    print(
        f"Exported {what} to {result.path} ({result.format.upper()}, {result.columns} columns).",
        file=out,
    )
    for note in result.notes:
        print(f"Note: {note}", file=out)
    return EXIT_OK


def _usage(args: argparse.Namespace, err: TextIO, message: str) -> int:
    """A usage error as argparse words one (usage, then the error); exit 2."""
    from app.cli.errors import EXIT_USAGE

    print(f"{args.usage_text}main.py export: error: {message}", file=err)
    return EXIT_USAGE


def _export_activities(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """export activities: the file for the CRM, and what it holds in words."""
    from app.cli.errors import EXIT_OK
    from app.cli.output import check_output, protected_files
    from app.workspace import command_workspace
    from services.crm_files.export import TARGET_TITLES, export_activities

    path = args.output or args.path
    if not args.to or not path:
        return _usage(
            args, err, "export activities needs --to salesforce|hubspot|csv and --output OUT.csv"
        )
    if not str(path).lower().endswith(".csv"):
        return _usage(args, err, f"'{path}' must end in .csv (the CRMs import CSV files)")
    check_output(args, path, what="the activities file")
    with command_workspace(args.db) as workspace:
        result = export_activities(
            workspace.engine, args.to, path, since=args.since, everything=args.everything,
            force=args.force, protected=tuple(protected_files(args)),
        )  # fmt: skip
    if not result.written:  # nothing to write: no file, and nothing wrong either
        print(f"{result.plan.nothing_words('use --all to export everything')}.", file=out)
        return EXIT_OK
    print(f"Wrote {result.path} for {TARGET_TITLES[args.to]}: {result.plan.words()}", file=out)
    if result.events_path is not None:
        where = "It" if result.events_path == result.path else str(result.events_path)
        noun = "meeting" if result.events == 1 else "meetings"
        print(
            f"{where} holds the {result.events:,} {noun} as Salesforce Events (import that "
            "file as the Event object).",
            file=out,
        )
    return EXIT_OK
