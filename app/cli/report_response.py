"""Command ``report response``: time from alert to first action and to resolution, and the
share acted on within a target, overall and per owner, rule and month, as a table, CSV or
JSON. The numbers are services.learn.response's, the same the Results tab shows."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TextIO

from app.cli.args import one_of
from models.vocab import SEVERITIES

if TYPE_CHECKING:
    from services.learn.response import ResponseReport, ResponseSummary

GROUP_TITLES = {"owner": "By owner", "rule": "By alert rule", "month": "By month raised"}

RESPONSE_EPILOG = """\
First action: the first status change or contact by a person (started, snoozed, resolved,
dismissed, a call, email or note logged, a task, an email sent). Resolution: resolved or
dismissed. "80%" is the time 80% of the alerts were within. In time: the first action
came within the target, in working days (Monday to Friday, local dates) per severity.
Examples:
  python main.py report response
  python main.py report response --since 2026-01-01 --target critical=2
  python main.py report response --format csv > response.csv"""


def _target(text: str) -> tuple[str, int]:
    severity, _, days = text.partition("=")
    severity = severity.strip().lower()
    if severity not in SEVERITIES or not days.strip().isdigit():
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a target; give it as SEVERITY=DAYS, e.g. critical=1 "
            f"({'|'.join(SEVERITIES)})"
        )
    return severity, int(days)


def register(kinds: argparse._SubParsersAction[Any], date: Any, formats: tuple[str, ...]) -> None:
    """Add ``report response`` to ``report`` (``date`` parses --since/--until)."""
    response = kinds.add_parser(
        "response",
        help="time from alert to first action and to resolution, share within target",
        description="How fast alerts were acted on: median and 80th percentile of the time "
        "to first action and to resolution, and the share acted on within the target, "
        "overall and by owner, rule and month raised.",
        epilog=RESPONSE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    response.add_argument(
        "--since", type=date, metavar="DATE", help="alerts raised from this local date"
    )
    response.add_argument(
        "--until", type=date, metavar="DATE", help="alerts raised up to this local date, included"
    )
    response.add_argument(
        "--target", type=_target, action="append", default=[], metavar="SEV=DAYS",
        help="working days to first action for a severity (default critical=1, warning=3, "
        "opportunity=5, info=7); repeat for several",
    )  # fmt: skip
    response.add_argument(
        "--format", type=one_of(formats), default="table", metavar="F",
        help="table (default), csv or json",
    )  # fmt: skip
    response.set_defaults(handler=cmd_response)


def cmd_response(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print the time-to-action report."""
    from app.cli.errors import EXIT_OK, CommandError
    from app.cli.report_output import print_report, report_text
    from app.workspace import command_workspace
    from services.learn.response import response_report

    if args.since and args.until and args.since > args.until:
        raise CommandError(f"--since {args.since} is after --until {args.until}.")
    with command_workspace(args.db) as workspace:
        report = response_report(
            workspace.engine, args.since, args.until, targets=dict(args.target)
        )
    text = report_text(
        args.format,
        table=lambda: response_table(report),
        csv=lambda stream: write_response_csv(report, stream),
        json=lambda: response_json(report),
    )
    print_report(args, out, text, name="response")
    return EXIT_OK


def _cells(part: ResponseSummary) -> list[str]:
    from services.learn.response import duration_text, share_text

    return [
        f"{part.alerts:,}",
        f"{len(part.acted_ids):,}",
        duration_text(part.first_action_median),
        duration_text(part.first_action_p80),
        f"{len(part.resolved_ids):,}",
        duration_text(part.resolution_median),
        duration_text(part.resolution_p80),
        f"{len(part.within_ids):,}/{part.due:,}",
        share_text(part.within_share),
    ]


def _row(key: str, cells: list[str]) -> str:
    shown = key if len(key) <= 18 else key[:17] + "…"
    return f"{shown:<18}" + "".join(f"{cell:>9}" for cell in cells)


def response_table(report: ResponseReport) -> list[str]:
    """The report as lines of at most 100 columns."""
    period = f"{report.since or 'start'} to {report.until or 'today'}"
    targets = ", ".join(f"{s} {d} d" for s, d in report.targets.items())
    header = _row("", ["Alerts", "Acted", "1st med", "1st 80%", "Resolved", "Res med",
                       "Res 80%", "In time", "Share"])  # fmt: skip
    lines = [
        f"Time to action, alerts raised {period}",
        f"Targets (working days to first action): {targets}",
        "",
        header,
        _row("All alerts", _cells(report.overall)),
    ]
    for name, parts in report.groups.items():
        lines += ["", f"{GROUP_TITLES[name]}:"]
        lines += [_row(report.key_label(name, key), _cells(part)) for key, part in parts.items()]
    return lines


def response_rows(report: ResponseReport) -> Iterator[list[object]]:
    """CSV rows: group ("all", "owner", "rule", "month"), key, then the figures (hours)."""

    def numbers(part: ResponseSummary) -> list[object]:
        def hours(value: float | None) -> object:
            return "" if value is None else round(value, 2)

        share = part.within_share
        return [
            part.alerts, len(part.acted_ids), hours(part.first_action_median),
            hours(part.first_action_p80), len(part.resolved_ids),
            hours(part.resolution_median), hours(part.resolution_p80), part.due,
            len(part.within_ids), "" if share is None else round(share, 4),
        ]  # fmt: skip

    yield ["all", "", *numbers(report.overall)]
    for name, parts in report.groups.items():
        for key, part in parts.items():
            yield [name, key, *numbers(part)]


CSV_HEADER = [
    "group", "key", "alerts", "acted", "first_action_median_hours", "first_action_p80_hours",
    "resolved", "resolution_median_hours", "resolution_p80_hours", "due", "within_target",
    "within_target_share",
]  # fmt: skip


def write_response_csv(report: ResponseReport, out: TextIO) -> None:
    """The CSV, through the exports' writer (formula-like text is neutralised)."""
    from services.usecases.exporting import write_csv_rows

    write_csv_rows(out, CSV_HEADER, response_rows(report), newline="\n")


def response_json(report: ResponseReport) -> str:
    """The whole report as JSON, every figure with the ids of its alerts."""
    import dataclasses
    import json

    def default(value: object) -> object:
        if isinstance(value, dt.datetime | dt.date):
            return value.isoformat()
        raise TypeError(f"cannot write {type(value).__name__} as JSON")

    data = dataclasses.asdict(report)
    data.pop("timings", None)
    return json.dumps(data, default=default, indent=1)
