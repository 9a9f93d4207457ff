"""Command ``report satisfaction``: NPS and CSAT per local month (overall and per owner)
and their change after outreach against the holdout, as a table, CSV or JSON. The numbers
are services.learn.satisfaction's, the same the Results tab shows."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TextIO

from app.cli.args import one_of
from app.cli.output import add_output_option

if TYPE_CHECKING:
    from services.learn.satisfaction_records import (
        ArmChange,
        ChangeAfterOutreach,
        MonthScore,
        SatisfactionReport,
    )

SATISFACTION_EPILOG = """\
NPS: % promoters (9-10) minus % detractors (0-6), each customer's latest NPS answer in the
month counted once. CSAT: the share of support tickets rated good, of those rated good or
bad. After outreach: per alert of the contacted and of the held out, the customer's latest
answer in the 180 days before the alert against their first in the 120 days after the
contact (held out: after the alert); the difference of the two arms' mean changes, with
its 95% interval, once each arm has at least 20 such alerts.
Examples:
  python main.py report satisfaction
  python main.py report satisfaction --since 2024-07-01 --until 2025-06-30
  python main.py report satisfaction --format csv --out satisfaction.csv"""

CSV_HEADER = ["section", "key", "month", "measure", "value"]


def register(kinds: argparse._SubParsersAction[Any], date: Any, formats: tuple[str, ...]) -> None:
    """Add ``report satisfaction`` to ``report`` (``date`` parses --since/--until)."""
    parser = kinds.add_parser(
        "satisfaction",
        help="NPS and CSAT by month, and their change after outreach against the holdout",
        description="NPS and CSAT per local month, overall and by owner, and how they changed "
        "after outreach, the contacted against the held out.",
        epilog=SATISFACTION_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--since", type=date, metavar="DATE",
        help="from this local date (default: the first day of the month 11 months back)",
    )  # fmt: skip
    parser.add_argument(
        "--until", type=date, metavar="DATE", help="up to this local date, included (default today)"
    )
    parser.add_argument(
        "--format", type=one_of(formats), default="table", metavar="F",
        help="table (default), csv or json",
    )  # fmt: skip
    add_output_option(parser, "--out", help="write to FILE instead of the screen")
    parser.set_defaults(handler=cmd_satisfaction)


def cmd_satisfaction(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print (or write to --out) the satisfaction report."""
    from app.cli.errors import EXIT_OK, CommandError
    from app.cli.output import check_output
    from app.cli.report_output import print_report, report_text
    from app.workspace import command_workspace
    from services.learn.satisfaction import satisfaction_report

    if args.since and args.until and args.since > args.until:
        raise CommandError(f"--since {args.since} is after --until {args.until}.")
    if args.out:  # refused before any work: a bad path costs nothing, changes nothing
        check_output(args, args.out, what="the report")
    with command_workspace(args.db) as workspace:
        try:
            report = satisfaction_report(workspace.engine, args.since, args.until)
        except ValueError as error:  # --since after today, with no --until
            raise CommandError(f"{str(error).capitalize()}.") from None
    text = report_text(
        args.format,
        table=lambda: satisfaction_table(report),
        csv=lambda stream: write_satisfaction_csv(report, stream),
        json=lambda: satisfaction_json(report),
    )
    print_report(args, out, text, name="satisfaction")
    return EXIT_OK


def _score_cells(score: MonthScore) -> list[str]:
    from services.learn.satisfaction_records import csat_text, nps_text

    return [
        nps_text(score.nps),
        f"{score.nps_responses:,}",
        f"{score.promoters:,}",
        f"{score.detractors:,}",
        csat_text(score.csat),
        f"{score.csat_responses:,}",
    ]


def _row(key: str, cells: list[str], width: int = 11) -> str:
    shown = key if len(key) <= 18 else key[:17] + "…"
    return f"{shown:<18}" + "".join(f"{cell:>{width}}" for cell in cells)


def _arm_cells(measure: str, arm: ArmChange) -> list[str]:
    from services.learn.satisfaction_records import NPS, change_value_text, csat_text

    def level(value: float | None) -> str:
        if value is None:
            return "–"
        return f"{value:.2f}" if measure == NPS else csat_text(value)

    rate = arm.response_rate
    return [
        f"{arm.alerts:,}",
        f"{arm.paired:,}",
        "–" if rate is None else f"{round(rate * 100)}%",
        level(arm.mean_before),
        level(arm.mean_after),
        change_value_text(measure, arm.mean_change),
    ]


def _change_lines(change: ChangeAfterOutreach) -> list[str]:
    from services.learn.satisfaction_records import MEASURE_TITLES, change_headline

    title = MEASURE_TITLES[change.measure]
    return [
        _row(f"{title} contacted", _arm_cells(change.measure, change.contacted)),
        _row(f"{title} held out", _arm_cells(change.measure, change.holdout)),
        f"{title} after outreach: {change_headline(change)}",
    ]


def satisfaction_table(report: SatisfactionReport) -> list[str]:
    """The report as lines of at most 100 columns."""
    from services.learn.satisfaction_records import month_label

    change = report.nps_change
    lines = [
        f"NPS and CSAT, {report.since} to {report.until} (local months, {report.zone})",
        "NPS: % promoters (9-10) minus % detractors (0-6), each customer's latest answer "
        "counted once.",
        "CSAT: the share of rated support tickets rated good.",
        "",
        _row("", ["NPS", "Answers", "Promoters", "Detractors", "CSAT", "Rated"]),
    ]
    lines += [_row(month_label(s.month), _score_cells(s)) for s in report.overall]
    lines.append(_row("Whole period", _score_cells(report.period)))
    lines += ["", "By owner, whole period:"]
    lines += [_row(name, _score_cells(s)) for name, s in report.owner_period.items()]
    lines += [
        "",
        "After outreach, against the holdout (alerts whose clock started in the period):",
        f"Before: the latest answer in the {change.before_days} days before the alert. After: "
        f"the first in the {change.after_days} days",
        "after the contact (held out: after the alert). Change: NPS on its 0-10 scale, CSAT in "
        "points.",
        "",
        _row("", ["Alerts", "Paired", "Answered", "Before", "After", "Change"]),
        *_change_lines(report.nps_change),
        *_change_lines(report.csat_change),
    ]
    return lines


def _score_rows(section: str, key: str, score: MonthScore) -> Iterator[list[object]]:
    nps = score.nps
    csat = score.csat
    for measure, value in (
        ("nps", "" if nps is None else round(nps, 4)),
        ("nps_responses", score.nps_responses),
        ("promoters", score.promoters),
        ("passives", score.passives),
        ("detractors", score.detractors),
        ("csat", "" if csat is None else round(csat, 6)),
        ("csat_responses", score.csat_responses),
        ("satisfied", score.satisfied),
    ):
        yield [section, key, score.month, measure, value]


def _change_rows(change: ChangeAfterOutreach) -> Iterator[list[object]]:
    def num(value: float | None) -> object:
        return "" if value is None else round(value, 6)

    key = change.measure
    for arm in (change.contacted, change.holdout):
        rate = arm.response_rate
        for measure, value in (
            ("alerts", arm.alerts),
            ("paired", arm.paired),
            ("response_rate", num(rate)),
            ("mean_before", num(arm.mean_before)),
            ("mean_after", num(arm.mean_after)),
            ("mean_change", num(arm.mean_change)),
        ):
            yield ["change", key, "", f"{arm.group}_{measure}", value]
    for measure, value in (
        ("difference", num(change.difference)),
        ("low", num(change.low)),
        ("high", num(change.high)),
        ("confidence", change.confidence),
        ("enough", int(change.enough)),
        ("min_paired", change.min_paired),
        ("before_days", change.before_days),
        ("after_days", change.after_days),
    ):
        yield ["change", key, "", measure, value]


def satisfaction_rows(report: SatisfactionReport) -> Iterator[list[object]]:
    """CSV rows (section, key, month, measure, value): "month" rows per month for "all"
    and each owner, "period" rows for the whole period, "change" rows per measure."""
    for score in report.overall:
        yield from _score_rows("month", "all", score)
    for name, scores in report.by_owner.items():
        for score in scores:
            yield from _score_rows("month", name, score)
    yield from _score_rows("period", "all", report.period)
    for name, score in report.owner_period.items():
        yield from _score_rows("period", name, score)
    yield from _change_rows(report.nps_change)
    yield from _change_rows(report.csat_change)


def write_satisfaction_csv(report: SatisfactionReport, out: TextIO) -> None:
    """The CSV, through the exports' writer (formula-like text is neutralised)."""
    from services.usecases.exporting import write_csv_rows

    write_csv_rows(out, CSV_HEADER, satisfaction_rows(report), newline="\n")


def _score_dict(score: MonthScore) -> dict[str, object]:
    import dataclasses

    return {**dataclasses.asdict(score), "nps": score.nps, "passives": score.passives,
            "csat": score.csat}  # fmt: skip


def _change_dict(change: ChangeAfterOutreach) -> dict[str, object]:
    import dataclasses

    data = dataclasses.asdict(change)
    for arm in (change.contacted, change.holdout):
        data["contacted" if arm is change.contacted else "holdout"]["response_rate"] = (
            arm.response_rate
        )
    return {**data, "enough": change.enough}


def satisfaction_json(report: SatisfactionReport) -> str:
    """The whole report as JSON, each change with the customers behind its pairs."""
    import json

    data = {
        "since": report.since.isoformat(),
        "until": report.until.isoformat(),
        "zone": report.zone,
        "months": [_score_dict(s) for s in report.overall],
        "period": _score_dict(report.period),
        "by_owner": {
            name: {
                "months": [_score_dict(s) for s in scores],
                "period": _score_dict(report.owner_period[name]),
            }
            for name, scores in report.by_owner.items()
        },
        "nps_change": _change_dict(report.nps_change),
        "csat_change": _change_dict(report.csat_change),
    }
    return json.dumps(data, indent=1)
