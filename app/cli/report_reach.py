"""Command ``report reach-times``: the weekday and hours each group of customers (everyone,
each RFM segment, each lifecycle stage) answered the app's emails best, with the counts
and the interval of each time, as a table, CSV or JSON. The figures are
services.lifecycle.reach's, the same the composer's hint and Results ▸ Reach times use."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TextIO

from app.cli.args import one_of
from app.cli.output import add_output_option

if TYPE_CHECKING:
    from services.lifecycle.reach_records import ReachReport

REACH_EPILOG = """\
Each email the app sent in the period (by default from the first day of the month eleven
months back to today; --from and --to pick its first and last day) belongs to the weekday
and two hours it was sent in (9-11, 11-13...), in the workspace's time zone. An email is
answered (--answered-by) by a reply (what report replies counts), by a return (the
customer came back after it: a paid order within the attribution window, config set
learn.attribution_days, 30 days by default, as report effectiveness counts; not proof the
email brought it), or by either (the default). Emails whose window has not closed yet are
left out of return and either. For everyone, each RFM segment of the latest scoring and
each lifecycle stage today, the report gives each time's emails, answered emails and rate
with its 95% interval. A time with fewer emails than the floor (config set
lifecycle.reach_min_emails, 20 by default) is too few to say. Each group answers at the
finest level its emails allow (at least two times with the floor's emails): the weekday and
two hours, else the weekday and half day (morning 0-12, afternoon 12-24), else the weekday,
else mornings against afternoons. The time with the best rate is named only when its 95%
interval lies wholly above that of the group's other emails pooled and a two-proportion
test of it above them passes at 5% shared among the times compared (one-sided p below
0.025 / k, k times: the best of many is often high by chance); otherwise "No time stands
out", with both rates and why. A segment or stage whose emails allow no level has no answer
of its own: its customers' drafts use their stage's, else all customers'.
Examples:
  python main.py report reach-times
  python main.py report reach-times --by segment --from 2025-01-01
  python main.py report reach-times --answered-by reply
  python main.py report reach-times --format csv --out reach-times.csv"""

HEADER = ["answered_by", "by", "label", "level", "time", "emails", "answered", "rate",
          "rate_low", "rate_high", "too_few", "best"]  # fmt: skip
WIDTH = 100
SHOWN_SLOTS = 5


def register(kinds: argparse._SubParsersAction[Any], date: Any, formats: tuple[str, ...]) -> None:
    """Add ``report reach-times`` to ``report``."""
    from services.lifecycle.reach_records import BY, MEASURES

    parser = kinds.add_parser(
        "reach-times",
        help="the weekday and hours each segment and stage answers emails best",
        description="When to reach out: the weekday and hours at which each group of "
        "customers answered the app's emails best, with counts and intervals.",
        epilog=REACH_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--from", "--since", dest="since", type=date, metavar="DATE",
                        help="the period's first day (YYYY-MM-DD)")  # fmt: skip
    parser.add_argument("--to", "--until", dest="until", type=date, metavar="DATE",
                        help="the period's last day, included")  # fmt: skip
    parser.add_argument(
        "--by", type=one_of(tuple(key for key, _ in BY)), metavar="B",
        help="only everyone (all), the segments (segment) or the stages (stage)",
    )  # fmt: skip
    parser.add_argument(
        "--answered-by", dest="measure", type=one_of(tuple(key for key, _ in MEASURES)),
        default="either", metavar="A",
        help="what answers an email: reply, return (the customer came back after it) or "
        "either (default)",
    )  # fmt: skip
    parser.add_argument(
        "--format", type=one_of(formats), default="table", metavar="F",
        help="table (default), csv or json",
    )  # fmt: skip
    add_output_option(parser, "--out", help="write to FILE instead of the screen")
    parser.set_defaults(handler=cmd_reach)


def cmd_reach(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print (or write to --out) the best times to reach out."""
    from app.cli.errors import EXIT_OK, CommandError
    from app.cli.output import check_output
    from app.cli.report_output import print_report
    from app.workspace import command_workspace
    from services.lifecycle.reach import reach_report

    if args.since and args.until and args.since > args.until:
        raise CommandError(f"--from {args.since} is after --to {args.until}.")
    if args.out:
        check_output(args, args.out, what="the report")
    with command_workspace(args.db) as workspace:
        report = reach_report(workspace.engine, args.since, args.until, measure=args.measure)
    print_report(args, out, render(report, args.format, by=args.by), name="reach times")
    return EXIT_OK


def render(report: ReachReport, form: str, *, by: str | None = None) -> str:
    """The report in one of the formats; ``by``: one breakdown only."""
    from app.cli.report_output import report_text, write_plain_csv

    return report_text(
        form,
        table=lambda: reach_table(report, by),
        csv=lambda stream: write_plain_csv(stream, HEADER, rows(report, by)),
        json=lambda: reach_json(report, by),
    )


def reach_table(report: ReachReport, by: str | None) -> list[str]:
    """The groups, each with its verdict and the busiest times of the level it answers at
    (the top time first)."""
    import textwrap

    from services.core.formatting import format_date
    from services.lifecycle.reach_records import BY, LEVELS, best_words, measure_note, percent

    LEVEL_WORDS = dict(LEVELS)  # noqa: N806

    lines = [
        f"Best times to reach out, emails sent {format_date(report.first_day)} to "
        f"{format_date(report.last_day)} (times in {report.zone})",
        *textwrap.wrap(measure_note(report), WIDTH),
    ]
    groups = [g for g in report.groups if by is None or g.by == by]
    if not groups:
        return [*lines, "", "No emails sent in this period: nothing to learn the times from."]
    for key, title in BY:
        chosen = [g for g in groups if g.by == key]
        if not chosen:
            continue
        lines += ["", f"{title}:"]
        for g in chosen:
            level = f", by {LEVEL_WORDS[g.level]}" if g.level else ""
            lines += textwrap.wrap(f"{g.label} ({_emails(g.sent)}{level}): {best_words(g)}",
                                   WIDTH, subsequent_indent="    ")  # fmt: skip
            shown = [c for c in g.cells if c is g.top]
            shown += [c for c in g.cells if c is not g.top][: SHOWN_SLOTS - len(shown)]
            for s in shown:
                low, high = s.interval
                few = "  too few" if s.sent < g.floor else ""
                mark = ("  best" if s is g.best else "  top") if s is g.top else ""
                lines.append(
                    f"    {s.label:<28} {s.sent:>6,} {'email ' if s.sent == 1 else 'emails'} "
                    f"{s.answered:>6,} answered "
                    f"{percent(s.rate):>6}  likely {percent(low)} to {percent(high)}{few}{mark}"
                )
    lines += ["", *textwrap.wrap(
        f"A time with fewer than {report.floor} emails is too few to say. Each group answers "
        "at the finest level its emails allow (weekday and two hours, weekday and half day, "
        "weekday, mornings against afternoons); a best time is named only when its likely "
        "range lies wholly above the likely range of the group's other emails and a "
        "two-proportion test, shared among the times compared, says it is not chance.",
        WIDTH)]  # fmt: skip
    return lines


def rows(report: ReachReport, by: str | None) -> Iterator[list[object]]:
    """One row per group and time of the level the group answers at."""
    for g in report.groups:
        if by is not None and g.by != by:
            continue
        for s in g.cells:
            low, high = s.interval
            yield [report.measure, g.by, g.label, g.level, s.label, s.sent, s.answered,
                   round(s.rate, 4), round(low, 4), round(high, 4), s.sent < g.floor,
                   s is g.best]  # fmt: skip


def reach_json(report: ReachReport, by: str | None) -> str:
    """The report as JSON: each group's verdict and times."""
    from services.lifecycle.reach_records import best_words, measure_note

    body = {
        "answered_by": report.measure,
        "answered_words": measure_note(report),
        "attribution_days": report.window_days,
        "left_out_window_open": report.waiting,
        "first_day": report.first_day.isoformat(),
        "last_day": report.last_day.isoformat(),
        "time_zone": report.zone,
        "floor": report.floor,
        "groups": [
            {"by": g.by, "label": g.label, "emails": g.sent, "answered": g.answered,
             "level": g.level, "best": g.best.label if g.best else None,
             "top": g.top.label if g.top else None, "compared": len(g.counted),
             "p_value": None if g.p_value is None else round(g.p_value, 6),
             "words": best_words(g),
             "times": [dict(zip(HEADER[3:], row[3:], strict=True))
                       for row in rows(report, None) if row[1] == g.by and row[2] == g.label]}
            for g in report.groups if by is None or g.by == by
        ],
    }  # fmt: skip
    return json.dumps(body, indent=2, ensure_ascii=False)


def _emails(count: int) -> str:
    return f"{count:,} email" if count == 1 else f"{count:,} emails"
