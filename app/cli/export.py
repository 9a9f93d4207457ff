"""Command export: write the latest scores, the customers table or the alerts to CSV or
XLSX."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from app.cli.output import add_output_option, names_output, output_file
from models.vocab import EXPORT_KINDS as KINDS

SUFFIXES = (".csv", ".xlsx")


def _kind(text: str) -> str:
    if text not in KINDS:
        raise argparse.ArgumentTypeError(
            f"invalid choice: '{text}' (choose scores, customers or alerts)"
        )
    return text


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
        "what", type=_kind, metavar="scores|customers|alerts", help="what to export"
    )
    add_output_option(
        export, "path", type=_out_file, metavar="OUT.csv|OUT.xlsx", help="file to write",
        force_help="replace OUT if it already exists (never the workspace or another database)",
    )  # fmt: skip
    export.set_defaults(handler=cmd_export)


def cmd_export(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Export scores or customers of the workspace; exit 1 with a reason when it cannot."""
    from app.cli.errors import EXIT_OK
    from app.cli.output import check_output
    from app.workspace import command_workspace
    from services.usecases.exporting import export_table

    # Checked before the workspace opens: a refused path costs nothing and changes nothing.
    target = check_output(args, args.path, what="the export")
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
