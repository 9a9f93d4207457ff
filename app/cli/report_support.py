"""Command ``report support``: the help desk's tickets over a period (volume by channel and
priority per month, time to resolution by type, satisfaction by agent and by type, repeat
contacts by type) as a table, CSV or JSON; ``--tickets`` lists the tickets behind a row.
The numbers are services.support's, the same Results ▸ Support shows."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TextIO

from app.cli.args import one_of
from app.cli.output import add_output_option

if TYPE_CHECKING:
    from services.support.records import SupportGroup, SupportReport, Ticket

SUPPORT_EPILOG = """\
The tickets are those imported from a help desk (Zendesk's ticket export, or another help
desk's tickets CSV with a Kind column saying ticket), counted by the day they were opened
on the help desk's clock (the workspace's time zone when it wrote UTC). By default the
period runs from the first day of the month eleven months back to today; --from and --to
pick its first and last day. Each row has a name, section:key (channel:email,
priority:high, resolution:refund, agent:sam okafor, satisfaction:refund, repeat:refund, or
all): --tickets NAME lists its tickets, and --tickets alone with --format csv lists the
tickets behind every row. The report ends with each measure's definition.
Examples:
  python main.py report support
  python main.py report support --from 2025-01-01 --to 2025-06-30
  python main.py report support --tickets "agent:Sam Okafor"
  python main.py report support --format csv --tickets --out support-tickets.csv"""

FIGURES_HEADER = ["section", "key", "label", "measure", "value"]
TICKETS_HEADER = [
    "section", "key", "label", "ticket_id", "external_id", "customer_id", "customer",
    "subject", "opened", "resolved", "status", "channel", "priority", "type", "agent",
    "satisfaction",
]  # fmt: skip
EVERY_ROW = "*"  # --tickets with no name: every row's tickets (CSV)
WIDTH = 100


def register(kinds: argparse._SubParsersAction[Any], date: Any, formats: tuple[str, ...]) -> None:
    """Add ``report support`` to ``report``."""
    parser = kinds.add_parser(
        "support",
        help="help desk tickets: volume, time to resolution, satisfaction, repeat contacts",
        description="Support: the help desk's tickets over a period: volume by channel and "
        "priority per month, time to resolution by type, satisfaction by agent and by type, "
        "and the customers who came back within 7 days.",
        epilog=SUPPORT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--from", "--since", dest="since", type=date, metavar="DATE",
                        help="the period's first day (YYYY-MM-DD)")  # fmt: skip
    parser.add_argument("--to", "--until", dest="until", type=date, metavar="DATE",
                        help="the period's last day, included (default today)")  # fmt: skip
    parser.add_argument(
        "--format", type=one_of(formats), default="table", metavar="F",
        help="table (default), csv or json",
    )  # fmt: skip
    parser.add_argument(
        "--tickets", nargs="?", const=EVERY_ROW, default=None, metavar="NAME",
        help="list the tickets of one row (e.g. channel:email); alone, with --format csv: "
        "the tickets behind every row",
    )  # fmt: skip
    add_output_option(parser, "--out", help="write to FILE instead of the screen")
    parser.set_defaults(handler=cmd_support)


def cmd_support(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print (or write to --out) the support report, or the tickets of a row."""
    from app.cli.errors import EXIT_OK, CommandError
    from app.cli.output import check_output
    from app.cli.report_output import print_report
    from app.workspace import command_workspace
    from services.support.report import support_report

    if args.since and args.until and args.since > args.until:
        raise CommandError(f"--from {args.since} is after --to {args.until}.")
    if args.tickets == EVERY_ROW and args.format != "csv":
        raise CommandError(
            "--tickets alone lists every row's tickets in CSV: add --format csv, or name "
            "a row (e.g. --tickets channel:email)."
        )
    if args.out:  # refused before any work: a bad path costs nothing, changes nothing
        check_output(args, args.out, what="the report")
    with command_workspace(args.db) as workspace:
        report = support_report(workspace.engine, args.since, args.until)
    if args.tickets not in (None, EVERY_ROW):
        group = report.find(args.tickets)
        if group is None:
            names = ", ".join(g.name for g in _groups(report)[1:])
            raise CommandError(
                f"No row named '{args.tickets}' in this period. The rows: all, {names}."
                if names
                else f"No row named '{args.tickets}': the period has no tickets."
            )
        text = render_tickets(report, group, args.format)
    else:
        text = render(report, args.format, tickets=args.tickets == EVERY_ROW)
    print_report(args, out, text, name="support")
    return EXIT_OK


def render(report: SupportReport, form: str, *, tickets: bool = False) -> str:
    """The report in one of the formats: table, csv (``tickets``: the tickets behind each
    row) or json."""
    from app.cli.report_output import report_text, write_plain_csv

    def csv(stream: TextIO) -> None:
        if tickets:
            write_plain_csv(stream, TICKETS_HEADER, ticket_rows(report, _groups(report)))
        else:
            write_plain_csv(stream, FIGURES_HEADER, figure_rows(report))

    return report_text(
        form, table=lambda: support_table(report), csv=csv, json=lambda: support_json(report)
    )


def render_tickets(report: SupportReport, group: SupportGroup, form: str) -> str:
    """One row's tickets in one of the formats."""
    import json

    from app.cli.report_output import report_text, write_plain_csv

    return report_text(
        form,
        table=lambda: tickets_table(report, group),
        csv=lambda s: write_plain_csv(s, TICKETS_HEADER, ticket_rows(report, [group])),
        json=lambda: json.dumps(
            {
                "row": group.name,
                "label": group.label,
                "tickets": [_ticket_object(report, t) for t in report.tickets_of(group)],
            },
            indent=2,
        ),  # fmt: skip
    )


def _groups(report: SupportReport) -> list[SupportGroup]:
    from services.support.records import SECTIONS

    return [report.overall] + [g for key, _ in SECTIONS for g in report.section(key)]


# --- table ------------------------------------------------------------------------------


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _volume_table(report: SupportReport, section: str) -> list[str]:
    """Months down, the section's groups across (the biggest seven; the rest summed)."""
    groups = list(report.section(section))
    shown, rest = groups[:7], groups[7:]
    heads = [_cut(g.label, 9) for g in shown] + (["Other"] if rest else []) + ["Total"]
    lines = [f"{'':<10}" + "".join(f"{h:>10}" for h in heads)]
    for n, month in enumerate(report.month_labels):
        counts = [g.months[n] for g in shown] + ([sum(g.months[n] for g in rest)] if rest else [])
        counts.append(report.overall.months[n])
        lines.append(f"{month:<10}" + "".join(f"{c:>10,}" for c in counts))
    totals = [g.count for g in shown] + ([sum(g.count for g in rest)] if rest else [])
    lines.append(f"{'Total':<10}" + "".join(f"{c:>10,}" for c in [*totals, report.overall.count]))
    return lines


def _resolution_row(g: SupportGroup) -> str:
    from services.support.wording import duration

    return (
        f"{_cut(g.label, 24):<24} {g.count:>7,} {g.resolved:>8,} {duration(g.median_hours):>12} "
        f"{duration(g.p90_hours):>12} {g.open:>6,} {g.untimed:>8,}"
    )


def _satisfaction_row(g: SupportGroup) -> str:
    from services.support.wording import rate

    return (
        f"{_cut(g.label, 24):<24} {g.count:>7,} {g.rated:>6,} {g.good:>6,} "
        f"{rate(g.share_good):>10}" + (" *" if g.small else "")
    )


def _repeat_row(g: SupportGroup) -> str:
    from services.support.wording import rate

    return (
        f"{_cut(g.label, 24):<24} {len(g.customers):>9,} {len(g.returned):>9,} "
        f"{rate(g.repeat_share):>6} {len(g.repeat_ids):>14,}"
    )


def _section_lines(report: SupportReport, key: str) -> list[str]:
    groups = report.section(key)
    if (key == "priority" and not report.has_priority) or (key == "agent" and not report.has_agent):
        return []  # the note says the tickets carry none
    if key in ("channel", "priority"):
        return _volume_table(report, key)
    if key == "resolution":
        head = f"{'Type':<24} {'Tickets':>7} {'Resolved':>8} {'Median':>12} {'90th pct':>12} "
        return [head + f"{'Open':>6} {'No time':>8}", *map(_resolution_row, groups)]
    if key in ("agent", "satisfaction"):
        first = "Agent" if key == "agent" else "Type"
        head = f"{first:<24} {'Tickets':>7} {'Rated':>6} {'Good':>6} {'Share good':>10}"
        return [head, *map(_satisfaction_row, groups)]
    head = f"{'Type':<24} {'Customers':>9} {'Came back':>9} {'Share':>6} {'Repeat tickets':>14}"
    return [head, *map(_repeat_row, groups)]


def support_table(report: SupportReport) -> list[str]:
    """The report as lines of at most 100 columns."""
    import textwrap

    from services.support.records import DEFINITIONS, SECTIONS
    from services.support.wording import (
        empty_words,
        headline,
        period_words,
        section_note,
        small_words,
    )

    lines = [f"Support, {period_words(report)}", ""]
    lines += textwrap.wrap(headline(report), WIDTH)
    if empty_words(report) is None:
        for key, title in SECTIONS:
            lines += ["", f"{title}:", *_section_lines(report, key)]
            notes = [section_note(report, key)]
            if key in ("agent", "satisfaction"):
                notes.append(small_words(report.section(key)))
            for note in notes:
                lines += textwrap.wrap(note, WIDTH) if note else []
    lines += ["", "Definitions:"]
    for term, words in DEFINITIONS:
        lines += textwrap.wrap(f"{term}: {words}", WIDTH, initial_indent="  ",
                               subsequent_indent="    ")  # fmt: skip
    return lines


def tickets_table(report: SupportReport, group: SupportGroup) -> list[str]:
    """One row's tickets, oldest first."""
    from services.support.wording import period_words

    found = report.tickets_of(group)
    lines = [f"{group.label} ({group.name}), {period_words(report)}: {len(found):,} tickets", ""]
    lines.append(f"{'Opened':<16} {'Resolved':<16} {'Status':<8} {'Customer':<22} Subject")
    for t in found:
        resolved = f"{t.resolved:%Y-%m-%d %H:%M}" if t.resolved and not t.is_open else "–"
        who = _cut(report.names.get(t.customer_id, ""), 22)
        lines.append(
            _cut(f"{t.created:%Y-%m-%d %H:%M} {resolved:<16} {_cut(t.status, 8):<8} {who:<22} "
                 f"{t.subject}", WIDTH)
        )  # fmt: skip
    return lines


# --- csv and json -----------------------------------------------------------------------


def _exact(value: float | None) -> object:
    return "" if value is None else round(value, 6)


def _figures(g: SupportGroup, months: tuple[str, ...]) -> list[tuple[str, object]]:
    if g.section in ("channel", "priority", "all"):
        out: list[tuple[str, object]] = [("tickets", g.count)]
        out += [(f"tickets_{m}", c) for m, c in zip(months, g.months, strict=True)]
        if g.section != "all":
            return out
    else:
        out = [("tickets", g.count)]
    if g.section in ("resolution", "all"):
        out += [("resolved", g.resolved), ("open", g.open), ("no_time", g.untimed),
                ("timed", g.timed)]  # fmt: skip
        out += [("median_hours", _exact(g.median_hours)), ("p90_hours", _exact(g.p90_hours))]
    if g.section in ("agent", "satisfaction", "all"):
        out += [("rated", g.rated), ("good", g.good), ("share_good", _exact(g.share_good))]
        out += [("small_group", int(g.small))] if g.section != "all" else []
    if g.section in ("repeat", "all"):
        out += [("customers", len(g.customers)), ("came_back", len(g.returned)),
                ("repeat_share", _exact(g.repeat_share))]  # fmt: skip
    return out


def figure_rows(report: SupportReport) -> Iterator[list[object]]:
    """CSV rows: one a row and measure."""
    for g in _groups(report):
        for measure, value in _figures(g, report.month_keys):
            yield [g.section, g.key, g.label, measure, value]


def _ticket_cells(report: SupportReport, t: Ticket) -> list[object]:
    resolved = f"{t.resolved:%Y-%m-%d %H:%M}" if t.resolved and not t.is_open else ""
    return [t.id, t.external_id, t.customer_id, report.names.get(t.customer_id, ""), t.subject,
            f"{t.created:%Y-%m-%d %H:%M}", resolved, t.status, t.channel, t.priority, t.type,
            t.agent, t.satisfaction or ""]  # fmt: skip


def ticket_rows(report: SupportReport, groups: list[SupportGroup]) -> Iterator[list[object]]:
    """CSV rows: one a row and ticket behind it."""
    for g in groups:
        for t in report.tickets_of(g):
            yield [g.section, g.key, g.label, *_ticket_cells(report, t)]


def _ticket_object(report: SupportReport, t: Ticket) -> dict[str, object]:
    return dict(zip(TICKETS_HEADER[3:], _ticket_cells(report, t), strict=True))


def support_json(report: SupportReport) -> str:
    """The report as one JSON object: each row's figures with its tickets' ids."""
    import json

    from services.support.records import DEFINITIONS, SECTIONS
    from services.support.wording import headline, section_note

    def group_object(g: SupportGroup) -> dict[str, object]:
        out: dict[str, object] = {"name": g.name, "key": g.key, "label": g.label}
        out |= {m: None if v == "" else v for m, v in _figures(g, report.month_keys)}
        out["ticket_ids"] = list(g.ticket_ids)
        return out

    data: dict[str, object] = {
        "first_day": report.first_day.isoformat(),
        "last_day": report.last_day.isoformat(),
        "months": list(report.month_labels),
        "headline": headline(report),
        "overall": group_object(report.overall),
        **{key: [group_object(g) for g in report.section(key)] for key, _ in SECTIONS},
        "notes": {key: note for key, _ in SECTIONS if (note := section_note(report, key))},
        "definitions": dict(DEFINITIONS),
    }
    return json.dumps(data, indent=2)
