"""``report effectiveness``: the return on outreach part (services.learn.roi), as lines of
the table, CSV rows and a JSON object beside the rest of the report."""

from __future__ import annotations

import dataclasses
import textwrap
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from services.learn.roi_records import RoiReport, RoiRow

WIDTH = 100


def _wrap(text: str) -> list[str]:
    return textwrap.wrap(text, WIDTH, subsequent_indent="  ")


def table_lines(report: RoiReport) -> list[str]:
    """The return on outreach as lines of at most 100 characters."""
    from services.core.formatting import format_date
    from services.learn.records import BREAKDOWN_LABELS, breakdown_note
    from services.learn.roi_records import REDEEMED_WORDS
    from services.learn.roi_wording import amount, return_headline, roi_figure

    lines = ["", "Return on outreach:", *_wrap(return_headline(report)), *_wrap(REDEEMED_WORDS)]
    if report.costs.team_month_cents and report.first_day and report.last_day:
        lines += _wrap(
            f"The team's time: {amount(report, report.costs.team_month_cents)} a month over "
            f"{report.months:.1f} months ({format_date(report.first_day)} to "
            f"{format_date(report.last_day)}), shared by contacted customers."
        )
    if report.by is None:
        return lines
    lines += [
        "",
        f"Return by {BREAKDOWN_LABELS[report.by].lower()}:",
        f"{'':<26} {'Contacted':>9} {'Incremental':>12} {'Cost':>10}  ROI",
    ]
    for row in report.breakdown:
        name = row.label or row.key
        name = name if len(name) <= 26 else name[:25] + "…"
        lines.append(
            f"{name:<26} {row.contacted.count:>9,} {amount(report, row.gain_cents):>12} "
            f"{amount(report, row.cost.total_cents):>10}  {roi_figure(report, row)}"
        )
    if report.uses_margin:
        lines.append("Incremental: margin, at the margin rate set.")
    lines += _wrap(breakdown_note(report.by))
    if not report.breakdown:
        lines.append("(nothing to break down yet)")
    return lines


def _measures(row: RoiRow) -> list[tuple[str, object]]:
    cost = row.cost
    return [
        ("roi_contacted_customers", row.contacted.count),
        ("roi_holdout_customers", row.holdout),
        ("incremental_cents", row.incremental_cents),
        ("incremental_margin_cents", row.margin_cents),
        ("cost_offers_cents", cost.offers_cents),
        ("offers_redeemed", cost.redeemed.count),
        ("emails", cost.emails),
        ("calls", cost.calls),
        ("meetings", cost.meetings),
        ("cost_contacts_cents", cost.contacts_cents),
        ("cost_team_cents", cost.team_cents),
        ("cost_cents", cost.total_cents),
        ("roi", row.roi),
        ("roi_low", row.low),
        ("roi_high", row.high),
        ("roi_enough_data", row.enough),
        ("roi_not_enough_reason", row.reason),
    ]


def csv_rows(report: RoiReport) -> list[tuple[str, str, str, object]]:
    """The return as (section, key, measure, value) rows: "roi", then "roi_by_<key>"."""
    rows: list[tuple[str, str, str, object]] = [
        ("roi", "", name, value) for name, value in _measures(report.overall)
    ]
    for row in report.breakdown:
        rows += [(f"roi_by_{report.by}", row.key, name, value) for name, value in _measures(row)]
    return rows


def json_object(report: RoiReport) -> dict[str, Any]:
    """The return as a JSON-ready dict (every figure with the ids of its customers)."""
    from services.learn.roi_records import REDEEMED_WORDS
    from services.learn.roi_wording import return_headline, return_verdict

    data = dataclasses.asdict(report)
    data["redeemed"] = REDEEMED_WORDS
    # The window's words, "No clear effect yet: ..." first when the interval allows no more.
    data["headline"] = return_verdict(report)
    data["summary"] = return_headline(report)
    return data
