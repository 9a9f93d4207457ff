"""Command ``report freshness``: each source the workspace's imports brought in, with its
last import, the newest record in it, the cadence it usually comes at and whether it is
current, late or stale, as a table, CSV or JSON. The judgement is services.freshness's,
the same the dashboard, the digest and scoring go by."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any, TextIO

from app.cli.args import one_of
from app.cli.output import add_output_option

if TYPE_CHECKING:
    from services.freshness.records import FreshnessReport, SourceFreshness

FRESHNESS_EPILOG = """\
A source is the format its files are imported in (a Shopify orders export, Stripe
subscriptions, a CRM's contacts, tickets, a usage export...). Its cadence is how often it
is expected: the setting freshness.cadence_days (or the source's own in
freshness.source_cadence_days), else the median gap between the days of its imports. It
is late when its last import is older than its cadence and half again; stale when its
newest record is older than three times its usual gap (and at least a week): the data has
stopped coming. The dashboard, the digest and the scoring summary name the sources that
are late or stale.
Examples:
  python main.py report freshness
  python main.py report freshness --format csv --out freshness.csv
  python main.py config set freshness.cadence_days 7"""

HEADER = [
    "source", "name", "state", "imports", "last_import_at", "last_import_rows",
    "newest_record", "cadence_days", "cadence_from", "record_gap_days", "import_age_days",
    "record_age_days", "reason",
]  # fmt: skip
NO_IMPORTS = (
    "No imports yet: freshness is judged from the imports of your export files "
    "(python main.py import FILE)."
)
IMPORTS_HIDDEN = (
    "The imports of this shared workspace are the team lead's and the admins' to read, so "
    "their freshness is too: ask one of them."
)


def register(kinds: argparse._SubParsersAction[Any], formats: tuple[str, ...]) -> None:
    """Add ``report freshness`` to ``report``."""
    parser = kinds.add_parser(
        "freshness",
        help="each source's last import, newest record and cadence: current, late or stale",
        description="Data freshness: for each source its imports brought in, when it was "
        "last imported, its newest record, how often it usually comes, and whether it is "
        "current, late or stale.",
        epilog=FRESHNESS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--format", type=one_of(formats), default="table", metavar="F",
        help="table (default), csv or json",
    )  # fmt: skip
    add_output_option(parser, "--out", help="write to FILE instead of the screen")
    parser.set_defaults(handler=cmd_freshness)


def cmd_freshness(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print (or write to --out) the sources' freshness."""
    from app.cli.errors import EXIT_OK
    from app.cli.output import check_output
    from app.cli.report_output import print_report
    from app.workspace import command_workspace
    from services.freshness.report import freshness_report

    if args.out:  # refused before any work: a bad path costs nothing, changes nothing
        check_output(args, args.out, what="the report")
    with command_workspace(args.db) as workspace:
        report = freshness_report(workspace.engine)
    print_report(args, out, render(report, args.format), name="freshness")
    return EXIT_OK


def render(report: FreshnessReport, form: str) -> str:
    """The report in one of the formats: table, csv or json."""
    from app.cli.report_output import report_text, write_plain_csv

    return report_text(
        form,
        table=lambda: freshness_table(report),
        csv=lambda stream: write_plain_csv(stream, HEADER, [row(s) for s in report.sources]),
        json=lambda: freshness_json(report),
    )


def _days(value: float | None) -> str:
    if value is None:
        return "-"
    whole = max(round(value), 1)
    return "daily" if whole == 1 else f"{whole} days"


def freshness_table(report: FreshnessReport) -> list[str]:
    """The sources, one a row, then each late or stale one's reason in words."""
    from services.core.formatting import days_ago, format_date
    from services.freshness.records import STATE_WORDS

    if not report.sources:
        return [IMPORTS_HIDDEN if report.imports_hidden else NO_IMPORTS]
    lines = [f"Data freshness on {format_date(report.as_of.date())} (UTC)", ""]
    lines.append(
        f"{'Source':<28}{'State':<9}{'Last import':<14}{'Rows':>8}  "
        f"{'Newest record':<14}{'Cadence':<10}{'Imports':>7}"
    )
    for s in report.sources:
        newest = format_date(s.newest_record) if s.newest_record else "-"
        lines.append(
            f"{s.name[:27]:<28}{STATE_WORDS[s.state]:<9}{days_ago(int(s.import_age_days)):<14}"
            f"{s.last_import_rows:>8,}  {newest:<14}{_days(s.cadence_days):<10}{s.imports:>7,}"
        )
    lines.append("")
    if report.notices:
        import textwrap

        for s in report.notices:
            lines.extend(textwrap.wrap(s.reason, 98, initial_indent="! ", subsequent_indent="  "))
    else:
        lines.append("Every source is current.")
    return lines


def row(s: SourceFreshness) -> list[object]:
    """One source as a CSV row (HEADER's columns)."""

    def figure(value: float | None) -> object:
        return "" if value is None else round(value, 2)

    return [
        s.key, s.name, s.state, s.imports, s.last_import_at.isoformat(), s.last_import_rows,
        s.newest_record.isoformat() if s.newest_record else "", figure(s.cadence_days),
        s.cadence_from, figure(s.record_gap_days), figure(s.import_age_days),
        figure(s.record_age_days), s.reason,
    ]  # fmt: skip


def freshness_json(report: FreshnessReport) -> str:
    """The report as JSON: when it was judged, whether the reader may not read the imports
    (an account manager of a shared workspace), and each source with HEADER's fields."""
    import json

    data = {
        "as_of": report.as_of.isoformat(),
        "imports_hidden": report.imports_hidden,
        "sources": [dict(zip(HEADER, row(s), strict=True)) for s in report.sources],
    }
    return json.dumps(data, indent=2)
