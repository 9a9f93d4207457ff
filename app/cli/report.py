"""Command report: did outreach work (``report effectiveness``), as a table, CSV or JSON.

The numbers are services.learn.effectiveness's, the same the window's Results tab shows.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TextIO

from app.cli import (
    report_accuracy,
    report_alerts,
    report_experiments,
    report_freshness,
    report_reach,
    report_renewals,
    report_replies,
    report_response,
    report_retention,
    report_roi,
    report_satisfaction,
    report_segments,
    report_stages,
    report_support,
    report_uplift,
)
from app.cli.args import calendar_date, one_of
from models.vocab import LEARN_BREAKDOWNS as BREAKDOWNS

if TYPE_CHECKING:
    from services.learn.records import EffectivenessReport, Slice
    from services.learn.roi_records import RoiReport

FORMATS = ("table", "csv", "json")
WIDTH = 100

REPORT_EPILOG = """\
An alert raised with the holdout on puts its customer in one of two groups: held out (no
outreach suggested; the clock starts when the alert was raised) or contacted (the clock
starts when the email went). An order within the attribution window (setting
learn.attribution_days) counts as re-engagement; each customer counts once, from their
first alert of the period. The period filters on that start, in local dates.
Examples:
  python main.py report effectiveness
  python main.py report effectiveness --since 2026-01-01 --by template
  python main.py report effectiveness --by rule --format csv > effectiveness.csv"""


def _date(text: str) -> dt.date:
    return calendar_date(text, "2026-03-01")


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add this module's commands to the main parser."""
    report = commands.add_parser(
        "report",
        help="reports: effectiveness (did outreach work), response (time to action), "
        "satisfaction (NPS and CSAT), alerts (the alert rules replayed on history), "
        "uplift (who to contact), segments (segments over the scoring runs), "
        "experiments (strategies tested against each other), accuracy (past scoring runs "
        "against what followed), freshness (each source's last import and cadence), "
        "support (the help desk's tickets), replies (replies to the app's emails), "
        "stages (customers by lifecycle stage), reach-times (when each group answers best)",
        description="Reports on the workspace.",
    )
    kinds = report.add_subparsers(dest="report", metavar="REPORT")
    kinds.required = True
    effectiveness = kinds.add_parser(
        "effectiveness",
        help="re-engagement of contacted vs held-out customers, the lift and its interval",
        description="Did outreach work: re-engagement of the contacted against the held-out "
        "customers with the lift and its 95% interval, time to re-engagement, won-back "
        "revenue, offers, alert quality, the at-risk share, the return on outreach "
        "(ROI against the costs set), by month and broken down.",
        epilog=REPORT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    effectiveness.add_argument(
        "--since", type=_date, metavar="DATE", help="exposures from this local date (YYYY-MM-DD)"
    )
    effectiveness.add_argument(
        "--until", type=_date, metavar="DATE", help="exposures up to this local date, included"
    )
    effectiveness.add_argument(
        "--by", type=one_of(BREAKDOWNS), metavar="KEY", help=f"break down by {'|'.join(BREAKDOWNS)}"
    )
    effectiveness.add_argument(
        "--format",
        type=one_of(FORMATS),
        default="table",
        metavar="F",
        help="table (default), csv or json",
    )
    effectiveness.set_defaults(handler=cmd_effectiveness)
    report_response.register(kinds, _date, FORMATS)
    report_satisfaction.register(kinds, _date, FORMATS)
    report_alerts.register(kinds, FORMATS)
    report_uplift.register(kinds, FORMATS)
    report_segments.register(kinds, _date, FORMATS)
    report_retention.register(kinds, _date, FORMATS)
    report_experiments.register(kinds, FORMATS)
    report_accuracy.register(kinds, FORMATS)
    report_freshness.register(kinds, FORMATS)
    report_renewals.register(kinds, _date, FORMATS)
    report_support.register(kinds, _date, FORMATS)
    report_replies.register(kinds, _date, FORMATS)
    report_stages.register(kinds, _date, FORMATS)
    report_reach.register(kinds, _date, FORMATS)


def cmd_effectiveness(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print the effectiveness report."""
    from app.cli.errors import EXIT_OK, CommandError
    from app.cli.report_output import print_report, report_text
    from app.workspace import command_workspace
    from services.learn.effectiveness import effectiveness_report
    from services.learn.roi import roi_report

    if args.since and args.until and args.since > args.until:
        raise CommandError(f"--since {args.since} is after --until {args.until}.")
    with command_workspace(args.db) as workspace:
        report = effectiveness_report(workspace.engine, args.since, args.until, args.by)
        roi = roi_report(workspace.engine, args.since, args.until, args.by, report.as_of)
    text = report_text(
        args.format,
        table=lambda: report_table(report) + report_roi.table_lines(roi),
        csv=lambda stream: write_csv(report, stream, roi),
        json=lambda: report_json(report, roi),
    )
    print_report(args, out, text, name="effectiveness")
    return EXIT_OK


# --- table ------------------------------------------------------------------------------


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _wrap(text: str, indent: str = "") -> list[str]:
    import textwrap

    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ")


def _slice_row(key: str, part: Slice, at_risk: str | None = None) -> str:
    from services.learn.wording import rate, signed

    lift = part.lift
    ci = f"{signed(lift.low)} to {signed(lift.high)}" if lift.low is not None else ""
    flag = "" if lift.enough else " *"
    share = f" {at_risk:>7}" if at_risk is not None else ""
    return (
        f"{_cut(key, 26):<26} {lift.contacted.customers.count:>9,} {rate(lift.contacted.rate):>7}"
        f" {lift.holdout.customers.count:>9,} {rate(lift.holdout.rate):>7}"
        f" {signed(lift.lift) or '-':>6} {ci:<15}{share}{flag}"
    ).rstrip()


def report_table(report: EffectivenessReport) -> list[str]:
    """The report as lines of at most 100 characters."""
    return (
        _overall_lines(report)
        + _figure_lines(report)
        + _month_lines(report)
        + _breakdown_lines(report)
    )


def _overall_lines(report: EffectivenessReport) -> list[str]:
    """The headline, both groups' rates, what was set aside and the time it took."""
    from services.core.formatting import format_date
    from services.learn.wording import as_assigned_words, period_words, rate, report_headline

    overall = report.overall
    lift = overall.lift
    lines = [
        f"Outreach effectiveness, {period_words(report)} (attribution window "
        f"{report.window_days} days, as of {format_date(report.as_of.date())})",
        "",
        *_wrap(report_headline(report)),
        "",
        f"{'':<26} {'Customers':>9} {'Re-engaged':>10} {'Rate':>7}",
    ]
    for name, group in (("Contacted", lift.contacted), ("Held out", lift.holdout)):
        lines.append(
            f"{name:<26} {group.customers.count:>9,} {group.reengaged.count:>10,} "
            f"{rate(group.rate):>7}"
        )
    aside = overall.set_aside
    lines += [
        "",
        *_wrap(
            f"Set aside: {aside.contacted_anyway.count:,} held out but contacted anyway; "
            f"{aside.not_contacted.count:,} assigned outreach, not contacted; "
            f"{aside.repeats.count:,} repeat alerts; {aside.window_open.count:,} with the "
            "window still open."
        ),
        *_wrap(as_assigned_words(overall)),
    ]
    for name, time in (("contacted", overall.time_contacted), ("held out", overall.time_holdout)):
        if time.median_days is None:
            continue
        weeks = " | ".join(
            f"{first}-{min(first + 6, report.window_days)}: {count:,}"
            for first, count in zip(time.week_first_days, time.week_counts, strict=True)
        )
        lines += _wrap(
            f"Time to re-engagement ({name}): median {time.median_days:.1f} days; by day {weeks}."
        )
    return lines


def _figure_lines(report: EffectivenessReport) -> list[str]:
    """Revenue, offers, the at-risk share and the alerts' quality, in words."""
    from services.core.formatting import format_date, format_percent
    from services.learn.wording import (
        offers_words,
        rate,
        revenue_lift_words,
        revenue_words,
        warning_words,
    )

    overall = report.overall
    lines = [
        *_wrap(revenue_words(report, overall)),
        *_wrap(revenue_lift_words(report, overall)),
        *_wrap(offers_words(report)),
    ]
    if report.at_risk is not None:
        risk = report.at_risk
        lines += _wrap(
            f"At risk (scoring of {format_date(risk.as_of)}): {rate(risk.at_risk_share)} of "
            f"{risk.scored:,} scored customers ({risk.at_risk.count:,}; churn risk "
            f"{format_percent(risk.threshold)} or more, not counting Lost); "
            f"{rate(risk.low_engagement_share)} ({risk.low_engagement.count:,}) with "
            "engagement below 50."
        )
    quality = report.alert_quality
    lines += _wrap(
        f"Alert quality (held out, not contacted, {quality.horizon_days}-day horizon passed): "
        f"{quality.churned.count:,} of {quality.decided.count:,} churned "
        f"({rate(quality.churn_share)}); {quality.pending.count:,} still within the horizon."
    )
    if quality.median_warning_days is not None:
        buckets = " | ".join(f"{b.label}: {b.alerts.count:,}" for b in quality.warning_buckets)
        lines += _wrap(f"{warning_words(quality)} Days of warning: {buckets}.")
    return lines


def _month_lines(report: EffectivenessReport) -> list[str]:
    """Both groups' rates by month (none when there is no month yet)."""
    from services.learn.wording import rate

    if not report.over_time:
        return []
    lines = ["", f"{'Month':<10} {'Contacted':>10} {'n':>8} {'Held out':>10} {'n':>8}"]
    for point in report.over_time:
        lines.append(
            f"{point.month:%Y-%m}    {rate(point.contacted.rate):>10} "
            f"{point.contacted.customers.count:>8,} {rate(point.holdout.rate):>10} "
            f"{point.holdout.customers.count:>8,}"
        )
    return lines


def _breakdown_lines(report: EffectivenessReport) -> list[str]:
    """The breakdown table, when the report is broken down."""
    from services.learn.records import AT_RISK_BREAKDOWNS, BREAKDOWN_LABELS
    from services.learn.wording import at_risk_share

    if report.by is None:
        return []
    lines = [
        "",
        f"By {BREAKDOWN_LABELS[report.by].lower()}:",
        f"{'':<26} {'Contacted':>9} {'Rate':>7} {'Held out':>9} {'Rate':>7} {'Lift':>6} "
        + ("95% CI          At risk" if report.by in AT_RISK_BREAKDOWNS else "95% CI"),
    ]
    lines += [
        _slice_row(part.label or part.key, part, at_risk_share(report, part))
        for part in report.breakdown
    ]
    if any(not part.lift.enough for part in report.breakdown):
        lines.append("* not enough data yet: read that row's lift with care.")
    if report.breakdown_note:
        lines += _wrap(report.breakdown_note)
    if not report.breakdown:
        lines.append("(nothing to break down yet)")
    return lines


# --- csv and json -------------------------------------------------------------------------


def _assigned(part: Slice) -> list[tuple[str, object]]:
    """The intention-to-treat figures: the outreach arm as assigned, emailed or not."""
    lift = part.as_assigned
    if lift is None:
        return []
    return [
        ("assigned_customers", lift.contacted.customers.count),
        ("assigned_reengaged", lift.contacted.reengaged.count),
        ("assigned_rate", lift.contacted.rate),
        ("assigned_lift", lift.lift),
        ("assigned_lift_low", lift.low),
        ("assigned_lift_high", lift.high),
    ]


def _measures(part: Slice) -> list[tuple[str, object]]:
    lift, revenue, aside = part.lift, part.revenue, part.set_aside
    return [
        ("contacted_customers", lift.contacted.customers.count),
        ("contacted_reengaged", lift.contacted.reengaged.count),
        ("contacted_rate", lift.contacted.rate),
        ("holdout_customers", lift.holdout.customers.count),
        ("holdout_reengaged", lift.holdout.reengaged.count),
        ("holdout_rate", lift.holdout.rate),
        ("lift", lift.lift),
        ("lift_low", lift.low),
        ("lift_high", lift.high),
        ("enough_data", lift.enough),
        *_assigned(part),
        ("contacted_anyway", aside.contacted_anyway.count),
        ("assigned_not_contacted", aside.not_contacted.count),
        ("repeats", aside.repeats.count),
        ("window_open", aside.window_open.count),
        ("median_days_contacted", part.time_contacted.median_days),
        ("median_days_holdout", part.time_holdout.median_days),
        ("won_back_cents", revenue.won_back_cents),
        ("incremental_cents", revenue.incremental_cents),
        ("incremental_low_cents", revenue.incremental_low_cents),
        ("incremental_high_cents", revenue.incremental_high_cents),
        ("revenue_per_customer_lift_cents", revenue.per_customer_lift_cents),
        ("revenue_per_customer_low_cents", revenue.per_customer_low_cents),
        ("revenue_per_customer_high_cents", revenue.per_customer_high_cents),
    ]


def report_rows(report: EffectivenessReport) -> list[tuple[str, str, str, object]]:
    """The report as (section, key, measure, value) rows."""
    rows: list[tuple[str, str, str, object]] = [
        ("overall", "", name, value) for name, value in _measures(report.overall)
    ]
    shares = report.at_risk.by if report.at_risk is not None else {}
    for part in report.breakdown:
        rows += [(f"by_{report.by}", part.key, name, value) for name, value in _measures(part)]
        if part.key in shares:
            found = shares[part.key]
            rows += [
                (f"by_{report.by}", part.key, "at_risk_customers", found.at_risk.count),
                (f"by_{report.by}", part.key, "at_risk_scored", found.scored),
                (f"by_{report.by}", part.key, "at_risk_share", found.share),
            ]
    for point in report.over_time:
        month = point.month.strftime("%Y-%m")
        for group, name in ((point.contacted, "contacted"), (point.holdout, "holdout")):
            rows += [
                ("month", month, f"{name}_customers", group.customers.count),
                ("month", month, f"{name}_reengaged", group.reengaged.count),
                ("month", month, f"{name}_rate", group.rate),
            ]
    if report.at_risk is not None:
        risk = report.at_risk
        rows += [
            ("at_risk", "", "scored", risk.scored),
            ("at_risk", "", "threshold", risk.threshold),
            ("at_risk", "", "at_risk_customers", risk.at_risk.count),
            ("at_risk", "", "at_risk_share", risk.at_risk_share),
            ("at_risk", "", "low_engagement_customers", risk.low_engagement.count),
            ("at_risk", "", "low_engagement_share", risk.low_engagement_share),
        ]
    quality = report.alert_quality
    rows += [
        ("alert_quality", "", "horizon_days", quality.horizon_days),
        ("alert_quality", "", "decided", quality.decided.count),
        ("alert_quality", "", "churned", quality.churned.count),
        ("alert_quality", "", "churn_share", quality.churn_share),
        ("alert_quality", "", "pending", quality.pending.count),
        ("alert_quality", "", "median_warning_days", quality.median_warning_days),
    ]
    rows += [("warning_days", b.label, "alerts", b.alerts.count) for b in quality.warning_buckets]
    offers = report.offers
    rows += [
        ("offers", "", "emails", offers.emails),
        ("offers", "", "emails_with_offer", offers.with_offer.count),
        ("offers", "", "money_offers", offers.money_offers),
        ("offers", "", "money_offer_cents", offers.money_offer_cents),
        ("offers", "", "percent_offers", offers.percent_offers),
        ("offers", "", "percent_offer_max_cents", offers.percent_offer_max_cents),
    ]
    return rows


def write_csv(report: EffectivenessReport, out: TextIO, roi: RoiReport | None = None) -> None:
    """CSV rows: section, key, measure, value, currency (of the money measures), through
    the exports' writer: text a spreadsheet would read as a formula gets a leading
    apostrophe, numbers stay numbers, a cell with a line break or a bare CR is quoted."""
    from services.usecases.exporting import write_csv_rows

    def rows() -> Iterator[list[object]]:
        extra = report_roi.csv_rows(roi) if roi is not None else []
        for section, key, measure, value in report_rows(report) + extra:
            shown = round(value, 6) if isinstance(value, float) else value
            currency = report.currency if measure.endswith("_cents") else ""
            yield [section, key, measure, shown, currency]

    write_csv_rows(out, ["section", "key", "measure", "value", "currency"], rows(), newline="\n")


def report_json(report: EffectivenessReport, roi: RoiReport | None = None) -> str:
    """The whole report as JSON (every figure with the ids of its customers)."""
    import dataclasses
    import json

    def default(value: object) -> object:
        if isinstance(value, dt.datetime | dt.date):
            return value.isoformat()
        raise TypeError(f"cannot write {type(value).__name__} as JSON")

    from services.learn.wording import report_headline

    data = dataclasses.asdict(report)
    data["breakdown_note"] = report.breakdown_note
    data["headline"] = report_headline(report)  # the window's words, as strong as allowed
    if roi is not None:
        data["roi"] = report_roi.json_object(roi)
    return json.dumps(data, default=default, indent=1)
