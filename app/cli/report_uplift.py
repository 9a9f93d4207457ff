"""Command ``report uplift``: who to contact. The uplift model's Qini coefficients on the
past exposures (the uplift order against highest churn risk first and a random order),
the average lift measured on them, and today's estimates for the customers with an active
alert, most persuadable first, as a table, CSV or JSON: the estimates only once the
ranking has beaten a random order (UpliftReport.ranks); until then it says so, and why.
The numbers are services.learn.uplift's, the same Results ▸ Who to contact and the
queue's "Most persuadable first" show."""

from __future__ import annotations

import argparse
import json
import textwrap
from typing import TYPE_CHECKING, Any, TextIO

from app.cli.args import one_of

if TYPE_CHECKING:
    from services.learn.uplift_records import UpliftReport

UPLIFT_EPILOG = """\
Uplift: how much outreach raises a customer's chance of a paid order within the
attribution window, in points, from two models (contacted and held-out customers) over
the scoring features as of each alert. Qini coefficient: the extra returns per 100 past
customers of contacting them in the model's order (each scored by models fitted without
them) over a random order. Each estimate starts from the average lift measured on past
customers and moves from it only as far as the scores proved to track real returns.
Customers are listed by their estimate only once the ranking has beaten a random order
(the Qini coefficient's 90% interval above zero). Shown with at least 100 contacted and
40 held-out customers whose window has closed, with at least 5 returns in each group.
Examples:
  python main.py report uplift
  python main.py report uplift --top 50
  python main.py report uplift --format csv > uplift.csv"""

CSV_HEADER = ["customer_id", "customer", "uplift_points", "low_points", "high_points"]


def register(kinds: argparse._SubParsersAction[Any], formats: tuple[str, ...]) -> None:
    """Add ``report uplift`` to ``report``."""
    parser = kinds.add_parser(
        "uplift",
        help="who to contact: each customer's uplift and the Qini curve's coefficient",
        description="Who outreach is likely to change: the uplift model's Qini coefficients "
        "on past customers and today's estimates, most persuadable first.",
        epilog=UPLIFT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--top", type=int, default=20, metavar="N", help="customers in the table (default 20)"
    )
    parser.add_argument(
        "--format", type=one_of(formats), default="table", metavar="F",
        help="table (default), csv or json",
    )  # fmt: skip
    parser.set_defaults(handler=cmd_uplift)


def cmd_uplift(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print the uplift report."""
    from app.cli.errors import EXIT_OK
    from app.cli.report_output import print_report, report_text, write_plain_csv
    from app.workspace import command_workspace
    from services.learn.uplift import customer_names, uplift_report

    with command_workspace(args.db) as workspace:
        report = uplift_report(workspace.engine)
        # Listed one by one only while the ranking has beaten a random order.
        shown = report.estimates if report.ranks else ()
        ranked = sorted(shown, key=lambda e: (-e.uplift, e.customer_id))
        names = customer_names(workspace.engine, [e.customer_id for e in ranked])
    rows = [
        [e.customer_id, names.get(e.customer_id, ""), *_points(e.uplift, e.low, e.high)]
        for e in ranked
    ]
    text = report_text(
        args.format,
        table=lambda: _table(report, rows[: max(args.top, 0)]),
        csv=lambda stream: write_plain_csv(stream, CSV_HEADER, rows),
        json=lambda: json.dumps(_as_dict(report, rows), indent=2),
    )
    print_report(args, out, text, name="uplift")
    return EXIT_OK


def _points(*shares: float) -> list[float]:
    return [round(s * 100, 1) for s in shares]


def _summary(report: UpliftReport) -> list[str]:
    lines = [
        f"Past customers: {report.contacted:,} contacted ({report.contacted_returns:,} "
        f"returned), {report.held_out:,} held out ({report.held_out_returns:,} returned), "
        f"{report.window_days}-day window."
    ]
    if not report.enough or report.model_curve is None:
        return [*lines, report.reason]
    from services.learn.uplift_wording import lift_words, qini_headline, ranking_words

    lines += textwrap.wrap(qini_headline(report), 100, subsequent_indent="  ")
    lines += textwrap.wrap(ranking_words(report), 100, subsequent_indent="  ")
    lines += textwrap.wrap(lift_words(report), 100, subsequent_indent="  ")
    qini = f"{report.model_curve.coefficient * 100:+.2f}"
    if report.qini_low is not None and report.qini_high is not None:
        qini += f" (90% {report.qini_low * 100:+.2f} to {report.qini_high * 100:+.2f})"
    lines.append(f"Qini coefficient per 100, most persuadable first: {qini}")
    if report.risk_curve is not None:
        risk = f"{report.risk_curve.coefficient * 100:+.2f}"
        lines.append(f"Qini coefficient per 100, highest churn risk first: {risk}")
    lines.append("Random order: +0.00")
    return lines


def _table(report: UpliftReport, rows: list[list[Any]]) -> list[str]:
    lines = _summary(report)
    if not rows:
        return lines
    lines += ["", f"{'Customer':<32}{'Uplift':>9}{'90% band':>18}"]
    for _cid, name, up, low, high in rows:
        shown = name if len(name) <= 31 else name[:30] + "…"
        lines.append(f"{shown:<32}{up:>+8.1f} {f'{low:+.1f} to {high:+.1f}':>17}")
    return lines


def _as_dict(report: UpliftReport, rows: list[list[Any]]) -> dict[str, Any]:
    from services.learn.uplift_wording import ranking_words

    curve = report.model_curve
    return {
        "enough": report.enough,
        "reason": report.reason,
        "window_days": report.window_days,
        "contacted": report.contacted,
        "contacted_returns": report.contacted_returns,
        "held_out": report.held_out,
        "held_out_returns": report.held_out_returns,
        "qini": None if curve is None else curve.coefficient,
        "qini_low": report.qini_low,
        "qini_high": report.qini_high,
        "qini_churn_risk": None if report.risk_curve is None else report.risk_curve.coefficient,
        "ranked": report.ranks,
        "ranking": ranking_words(report),
        "lift": report.lift,
        "lift_low": report.lift_low,
        "lift_high": report.lift_high,
        "calibration_slope": report.slope,
        "customers": [dict(zip(CSV_HEADER, row, strict=True)) for row in rows],
    }
