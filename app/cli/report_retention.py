"""Command ``report retention``: the customers a period kept and lost, and how much of
their revenue it kept (GRR and NRR), by month, cohort, segment and owner, as a table, CSV
or JSON. The numbers are services.retention's, the same Results ▸ Retention shows."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TextIO

from app.cli.args import one_of
from app.cli.output import add_output_option

if TYPE_CHECKING:
    from services.retention.kpi_records import AcquisitionChannel, IncentiveGroup
    from services.retention.records import RetentionGroup, RetentionReport

RETENTION_EPILOG = """\
The period is a run of whole months: by default the last 12 complete months; --since and
--until pick the months of those dates. The customers at its start are those active then:
a paid order in the 12 months before (--basis orders, the default) or a running
subscription (--basis subscriptions). Retained: still active at its end. NRR and GRR set
their revenue in the period against the same length of time before it (subscriptions:
the monthly recurring amount at the end against the start); GRR caps each customer's at
its earlier level. Every month is a period of its own; the whole period's customers are
broken down by cohort (the quarter, or --cohort month, of the first purchase or
subscription), by segment and by owner. Then what keeping and winning customers cost: the
offers the retained customers redeemed (per retained customer, and per one contacted with
an offer), by segment and owner; and, for the customers whose first paid order falls in
the period, CAC against their lifetime value by acquisition channel (the one their record
names, such as a Lead Source, else that order's channel) and by segment; set each
channel's CAC with config set retention.cac_by_channel "online=45, store=30". The report
ends with each measure's definition.
Examples:
  python main.py report retention
  python main.py report retention --since 2025-01-01 --until 2025-12-31
  python main.py report retention --basis subscriptions --cohort month
  python main.py report retention --format csv --customers --out retention-customers.csv"""

FIGURES_HEADER = ["section", "key", "label", "measure", "value", "currency"]
CUSTOMERS_HEADER = [
    "section", "key", "label", "customer_id", "name", "status",
    "revenue_before_cents", "revenue_now_cents", "currency", "offers_redeemed_cents",
    "clv_cents",
]  # fmt: skip
SECTIONS = (("month", "By month"), ("cohort", "By cohort"), ("segment", "By segment"),
            ("owner", "By owner"))  # fmt: skip


def register(kinds: argparse._SubParsersAction[Any], date: Any, formats: tuple[str, ...]) -> None:
    """Add ``report retention`` to ``report``."""
    from services.retention.records import BASES, COHORT_SIZES

    parser = kinds.add_parser(
        "retention",
        help="customers kept and churned, gross and net revenue retention (GRR, NRR)",
        description="Retention: of the customers active at the start of a period, how many "
        "were still active at its end, and how much of their revenue it kept, by month, "
        "cohort, segment and owner.",
        epilog=RETENTION_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--since", type=date, metavar="DATE",
                        help="from this date's month (YYYY-MM-DD)")  # fmt: skip
    parser.add_argument("--until", type=date, metavar="DATE",
                        help="up to this date's month, included")  # fmt: skip
    parser.add_argument(
        "--basis", type=one_of(BASES), default="orders", metavar="B",
        help="orders (repeat purchases, default) or subscriptions",
    )  # fmt: skip
    parser.add_argument(
        "--cohort", type=one_of(COHORT_SIZES), default="quarter", metavar="C",
        help="cohorts by the quarter (default) or month of the first purchase",
    )  # fmt: skip
    parser.add_argument(
        "--format", type=one_of(formats), default="table", metavar="F",
        help="table (default), csv or json",
    )  # fmt: skip
    parser.add_argument(
        "--customers", action="store_true",
        help="csv: list the customers behind each figure instead of the figures",
    )  # fmt: skip
    add_output_option(parser, "--out", help="write to FILE instead of the screen")
    parser.set_defaults(handler=cmd_retention)


def cmd_retention(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print (or write to --out) the retention report."""
    from app.cli.errors import EXIT_OK, CommandError
    from app.cli.output import check_output
    from app.cli.report_output import print_report
    from app.workspace import command_workspace
    from services.retention.report import retention_report

    if args.since and args.until and args.since > args.until:
        raise CommandError(f"--since {args.since} is after --until {args.until}.")
    if args.customers and args.format != "csv":
        raise CommandError("--customers lists the customers in CSV: add --format csv.")
    if args.out:  # refused before any work: a bad path costs nothing, changes nothing
        check_output(args, args.out, what="the report")
    with command_workspace(args.db) as workspace:
        report = retention_report(
            workspace.engine, args.since, args.until, basis=args.basis, cohort_size=args.cohort
        )
    print_report(args, out, render(report, args.format, customers=args.customers), name="retention")
    return EXIT_OK


def render(report: RetentionReport, form: str, *, customers: bool = False) -> str:
    """The report in one of the formats: table, csv (``customers``: the customers behind
    each figure) or json."""
    from app.cli.report_output import report_text, write_plain_csv

    def csv(stream: TextIO) -> None:
        if customers:
            write_plain_csv(stream, CUSTOMERS_HEADER, customer_rows(report))
        else:
            write_plain_csv(stream, FIGURES_HEADER, figure_rows(report))

    return report_text(
        form,
        table=lambda: retention_table(report),
        csv=csv,
        json=lambda: retention_json(report),
    )


# --- table ------------------------------------------------------------------------------


def _row(report: RetentionReport, group: RetentionGroup) -> str:
    from services.retention.wording import money, rate

    label = group.label if len(group.label) <= 18 else group.label[:17] + "…"
    return (
        f"{label:<18} {group.at_start:>8,} {group.retained:>8,} {group.churned:>7,} "
        f"{rate(group.retention_rate):>9} {rate(group.churn_rate):>6} "
        f"{money(report, group.revenue_before_cents):>11} "
        f"{money(report, group.revenue_now_cents):>11} "
        f"{_short(group.grr):>5} {_short(group.nrr):>5}" + (" *" if group.small else "")
    )


def _short(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _header(first: str) -> str:
    return (
        f"{first:<18} {'At start':>8} {'Retained':>8} {'Churned':>7} {'Retention':>9} "
        f"{'Churn':>6} {'Rev. before':>11} {'Rev. now':>11} {'GRR':>5} {'NRR':>5}"
    )


def retention_table(report: RetentionReport) -> list[str]:
    """The report as lines of at most 100 columns."""
    import textwrap

    from services.retention.records import DEFINITIONS
    from services.retention.wording import (
        basis_words,
        empty_words,
        headline,
        period_words,
        small_words,
    )

    lines = [f"{basis_words(report)}, {period_words(report)} (in {report.currency})", ""]
    lines += textwrap.wrap(headline(report), 100)
    if empty_words(report) is None:
        lines += ["", _header(""), _row(report, report.overall)]
        labels = dict(SECTIONS)
        labels["cohort"] = f"By cohort ({report.cohort_size} of the first "
        labels["cohort"] += "purchase)" if report.basis == "orders" else "subscription)"
        for key, title in labels.items():
            lines += ["", f"{title}:", _header("")]
            lines += [_row(report, g) for g in report.breakdown(key)]
        notes = [small_words((report.overall, *report.months, *report.by_cohort,
                              *report.by_segment, *report.by_owner)),
                 report.segments_note, report.revenue_note, report.money_note]  # fmt: skip
        lines.append("")
        for note in notes:
            lines += textwrap.wrap(note, 100) if note else []
    lines += incentive_table(report) + acquisition_table(report)
    lines += ["", "Definitions:"]
    for term, words in (*DEFINITIONS, *cost_definitions(report)):
        lines += textwrap.wrap(f"{term}: {words}", 100, initial_indent="  ",
                               subsequent_indent="    ")  # fmt: skip
    return lines


def cost_definitions(report: RetentionReport) -> tuple[tuple[str, str], ...]:
    """The cost figures' definitions (after retention's own)."""
    from services.retention.kpi_records import acquisition_definitions, incentive_definitions

    acquisition = report.acquisition
    months = acquisition.value_months if acquisition is not None else 12
    margin = acquisition.margin_percent if acquisition is not None else 0.0
    return (*incentive_definitions(), *acquisition_definitions(months, margin))


def _cost_row(report: RetentionReport, g: IncentiveGroup) -> str:
    from services.retention.kpi_wording import cost

    label = g.label if len(g.label) <= 18 else g.label[:17] + "…"
    cur = report.currency
    return (
        f"{label:<18} {g.retained:>8,} {g.redeemers:>8,} {cost(cur, g.redeemed_cents):>10} "
        f"{cost(cur, g.cost_per_retained_cents):>12} {g.contacted:>9,} "
        f"{cost(cur, g.cost_per_contacted_cents):>13}"
    )


def incentive_table(report: RetentionReport) -> list[str]:
    """The incentive cost per retained customer, overall, by segment and by owner."""
    import textwrap

    from services.retention.kpi_wording import incentive_headline

    found = report.incentives
    if found is None:
        return []
    lines = ["", "Incentive cost per retained customer:"]
    lines += textwrap.wrap(
        incentive_headline(found.overall, report.currency, found.attribution_days), 100
    )
    if not found.overall.retained:
        return lines
    head = (
        f"{'':<18} {'Retained':>8} {'Redeemed':>8} {'Offers':>10} {'Per retained':>12} "
        f"{'Contacted':>9} {'Per contacted':>13}"
    )
    lines += ["", head, _cost_row(report, found.overall)]
    for key, title in (("segment", "By segment"), ("owner", "By owner")):
        lines += ["", f"{title}:", head] + [_cost_row(report, g) for g in found.breakdown(key)]
    if found.money_note:
        lines += ["", *textwrap.wrap(found.money_note, 100)]
    return lines


def acquisition_table(report: RetentionReport) -> list[str]:
    """CAC against CLV of the customers acquired in the period, by channel."""
    import textwrap

    from services.retention.kpi_wording import (
        acquisition_headline,
        cac_text,
        cost,
        payback_text,
        ratio_text,
        unset_words,
    )

    found = report.acquisition
    if found is None:
        return []
    lines = ["", "CAC against CLV by acquisition channel:"]
    lines += textwrap.wrap(acquisition_headline(found, report.currency), 100)
    if not found.acquired:
        return lines
    for first, rows in (("Channel", found.channels), ("Segment", found.by_segment)):
        lines.append("")
        if first == "Segment":
            lines.append("By segment (of the latest scoring; CAC: the mean of its customers'):")
        lines += [f"{first:<18} {'Acquired':>8} {'CAC':>12} {'Mean CLV':>10} "
                  f"{'CLV:CAC':>14} {'Months to recover CAC':>22}"]  # fmt: skip
        for c in rows:
            label = c.label if len(c.label) <= 18 else c.label[:17] + "…"
            lines.append(
                f"{label:<18} {c.acquired:>8,} {cac_text(c, report.currency):>12} "
                f"{cost(report.currency, c.mean_clv_cents):>10} {ratio_text(c):>14} "
                f"{payback_text(c):>22}"
            )
    segments_unset = any(c.cac_cents is None for c in found.by_segment)
    for note in (unset_words(found, "segment" if segments_unset else "channel"), found.money_note):
        lines += ["", *textwrap.wrap(note, 100)] if note else []
    return lines


# --- csv and json -------------------------------------------------------------------------


def _groups(report: RetentionReport) -> Iterator[tuple[str, RetentionGroup]]:
    yield "overall", report.overall
    for key, _title in SECTIONS:
        for group in report.breakdown(key):
            yield key, group


def _figures(group: RetentionGroup) -> list[tuple[str, object]]:
    def exact(value: float | None) -> object:
        return "" if value is None else round(value, 6)

    return [
        ("first_day", group.first_day.isoformat()),
        ("last_day", group.last_day.isoformat()),
        ("at_start", group.at_start),
        ("retained", group.retained),
        ("churned", group.churned),
        ("retention_rate", exact(group.retention_rate)),
        ("churn_rate", exact(group.churn_rate)),
        ("revenue_before_cents", group.revenue_before_cents),
        ("revenue_now_cents", group.revenue_now_cents),
        ("revenue_kept_cents", group.revenue_kept_cents),
        ("grr", exact(group.grr)),
        ("nrr", exact(group.nrr)),
        ("small_group", int(group.small)),
    ]


def figure_rows(report: RetentionReport) -> Iterator[list[object]]:
    """CSV rows: one a group and measure (section: overall, month, cohort, segment, owner;
    then incentive, incentive_segment, incentive_owner, acquisition and
    acquisition_segment)."""
    rows = [(s, g.key, g.label, _figures(g)) for s, g in _groups(report)]
    rows += [(s, g.key, g.label, _incentive_figures(g)) for s, g in _incentive_groups(report)]
    rows += [(s, c.key, c.label, _channel_figures(c)) for s, c in _acquisition_rows(report)]
    for section, key, label, figures in rows:
        for measure, value in figures:
            currency = report.currency if measure.endswith("_cents") else ""
            yield [section, key, label, measure, value, currency]


def _acquisition_rows(report: RetentionReport) -> Iterator[tuple[str, AcquisitionChannel]]:
    if report.acquisition is None:
        return
    for section, rows in (("acquisition", report.acquisition.channels),
                          ("acquisition_segment", report.acquisition.by_segment)):  # fmt: skip
        for row in rows:
            yield section, row


def _exact(value: float | None) -> object:
    return "" if value is None else round(value, 6)


def _incentive_groups(report: RetentionReport) -> Iterator[tuple[str, IncentiveGroup]]:
    if report.incentives is None:
        return
    yield "incentive", report.incentives.overall
    for key in ("segment", "owner"):
        for group in report.incentives.breakdown(key):
            yield f"incentive_{key}", group


def _incentive_figures(g: IncentiveGroup) -> list[tuple[str, object]]:
    return [
        ("retained", g.retained),
        ("redeemed_customers", g.redeemers),
        ("offers_redeemed_cents", g.redeemed_cents),
        ("cost_per_retained_cents", _exact(g.cost_per_retained_cents)),
        ("contacted_with_offer", g.contacted),
        ("offers_redeemed_contacted_cents", g.contacted_redeemed_cents),
        ("cost_per_contacted_cents", _exact(g.cost_per_contacted_cents)),
    ]


def _channel_figures(c: AcquisitionChannel) -> list[tuple[str, object]]:
    return [
        ("acquired", c.acquired),
        ("cac_cents", "" if c.cac_cents is None else c.cac_cents),
        ("cac_set", int(c.cac_cents is not None)),
        ("mean_clv_cents", _exact(c.mean_clv_cents)),
        ("clv_to_cac", _exact(c.ratio)),
        ("months_to_recover_cac", _exact(c.payback_months)),
    ]


def customer_rows(report: RetentionReport) -> Iterator[list[object]]:
    """CSV rows: one a group and customer at its start (status retained or churned)."""
    for section, group in _groups(report):
        for m in group.members:
            yield [section, group.key, group.label, m.customer_id,
                   report.names.get(m.customer_id, ""), "retained" if m.retained else "churned",
                   m.before_cents, m.now_cents, report.currency, "", ""]  # fmt: skip
    for section, g in _incentive_groups(report):
        for cid in g.retained_ids:
            status = "redeemed" if cid in g.redeemed else "no offer redeemed"
            status += ", contacted with an offer" if cid in g.contacted_ids else ""
            yield [section, g.key, g.label, cid, report.names.get(cid, ""), status, "", "",
                   report.currency, g.redeemed.get(cid, 0), ""]  # fmt: skip
    for section, c in _acquisition_rows(report):
        for cid in c.customer_ids:
            yield [section, c.key, c.label, cid, report.names.get(cid, ""), "acquired",
                   "", "", report.currency, "", c.clv_cents[cid]]  # fmt: skip


def retention_json(report: RetentionReport) -> str:
    """The report as one JSON object: each group's figures with its customers' ids."""
    import json

    from services.retention.records import DEFINITIONS
    from services.retention.wording import headline

    def group_object(group: RetentionGroup) -> dict[str, object]:
        figures: dict[str, object] = {"key": group.key, "label": group.label}
        for measure, value in _figures(group):
            figures[measure] = None if value == "" else value
        figures["small_group"] = group.small
        figures["retained_ids"] = list(group.customer_ids("retained"))
        figures["churned_ids"] = list(group.customer_ids("churned"))
        return figures

    data: dict[str, object] = {
        "basis": report.basis,
        "cohort_size": report.cohort_size,
        "first_day": report.first_day.isoformat(),
        "last_day": report.last_day.isoformat(),
        "currency": report.currency,
        "headline": headline(report),
        "overall": group_object(report.overall),
        **{f"by_{key}": [group_object(g) for g in report.breakdown(key)] for key, _ in SECTIONS},
        "segments_note": report.segments_note,
        "money_note": report.money_note,
        **_costs_json(report),
        "definitions": dict((*DEFINITIONS, *cost_definitions(report))),
    }
    return json.dumps(data, indent=2)


def _costs_json(report: RetentionReport) -> dict[str, object]:
    """The incentive cost and CAC against CLV, each figure with its customers' ids."""
    from services.retention.kpi_wording import acquisition_headline, incentive_headline

    def incentive(g: IncentiveGroup) -> dict[str, object]:
        out: dict[str, object] = {"key": g.key, "label": g.label}
        out |= {m: None if v == "" else v for m, v in _incentive_figures(g)}
        out |= {f"{w}_ids": list(g.customer_ids(w)) for w in ("retained", "redeemed", "contacted")}
        return out

    def channel(c: AcquisitionChannel) -> dict[str, object]:
        out: dict[str, object] = {"key": c.key, "label": c.label}
        out |= {m: None if v == "" else v for m, v in _channel_figures(c)}
        out["customer_ids"] = list(c.customer_ids)
        return out

    data: dict[str, object] = {}
    found = report.incentives
    if found is not None:
        data["incentives"] = {
            "headline": incentive_headline(
                found.overall, report.currency, found.attribution_days
            ),  # fmt: skip
            "attribution_days": found.attribution_days,
            "overall": incentive(found.overall),
            "by_segment": [incentive(g) for g in found.by_segment],
            "by_owner": [incentive(g) for g in found.by_owner],
            "money_note": found.money_note,
        }
    acquired = report.acquisition
    if acquired is not None:
        data["acquisition"] = {
            "headline": acquisition_headline(acquired, report.currency),
            "value_horizon_months": acquired.value_months,
            "scored_as_of": acquired.scored_as_of.isoformat() if acquired.scored_as_of else None,
            "channels": [channel(c) for c in acquired.channels],
            "by_segment": [channel(c) for c in acquired.by_segment],
            "cac_not_set": list(acquired.unset),
            "money_note": acquired.money_note,
        }
    return data
