"""Command ``report replies``: replies to the app's own emails over a period (emails sent,
replied, the reply rate with its 95 % interval and the median time to reply, overall and
per template, tone or playbook) as a table, CSV or JSON; ``--emails`` lists the emails
behind a row. The numbers are services.replies', the same Results ▸ Replies shows."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any, TextIO

from app.cli.args import one_of
from app.cli.output import add_output_option

if TYPE_CHECKING:
    from services.replies.records import ReplyGroup, ReplyReport, SentEmail

REPLIES_EPILOG = """\
An email counts when the app sent it, or handed it to your mail program and you said you
sent it; the held-out customers get none, so a reply rate is not a lift. A reply is an
imported email from the customer that names the app's email in its thread, else one from
the recipient (or the same customer) titled "Re: <subject>" within 30 days. Automatic
replies (out of office) are counted apart. Replies count once your mailbox is imported
(an .eml folder or an .mbox). By default the period runs from the first day of the month
eleven months back to today; --from and --to pick its first and last day, by the day each
email was sent. Each row has a name, by:label (template:welcome back, tone:warm,
playbook:win back, or all): --emails NAME lists its emails. The report ends with each
measure's definition.
Examples:
  python main.py report replies
  python main.py report replies --by tone --from 2025-01-01 --to 2025-06-30
  python main.py report replies --emails "template:Welcome back"
  python main.py report replies --by playbook --format csv --out replies.csv"""

FIGURES_HEADER = [
    "by", "label", "sent", "replied", "reply_rate", "rate_low", "rate_high",
    "automatic_only", "median_hours_to_reply", "too_few_to_compare",
]  # fmt: skip
EMAILS_HEADER = [
    "outreach_id", "customer_id", "customer", "recipient", "subject", "template", "tone",
    "playbook", "sent_at", "replied_at", "hours_to_reply", "found_by", "automatic_replies",
]  # fmt: skip
WIDTH = 100


def register(kinds: argparse._SubParsersAction[Any], date: Any, formats: tuple[str, ...]) -> None:
    """Add ``report replies`` to ``report``."""
    from services.replies.records import BREAKDOWNS

    keys = tuple(key for key, _title in BREAKDOWNS)
    parser = kinds.add_parser(
        "replies",
        help="replies to the app's emails: reply rate and time to reply",
        description="Replies: how many of the app's emails got a reply, with the 95% "
        "interval of the rate, and how soon, overall and per template, tone or playbook.",
        epilog=REPLIES_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--from", "--since", dest="since", type=date, metavar="DATE",
                        help="the period's first day (YYYY-MM-DD)")  # fmt: skip
    parser.add_argument("--to", "--until", dest="until", type=date, metavar="DATE",
                        help="the period's last day, included (default today)")  # fmt: skip
    parser.add_argument("--by", type=one_of(keys), default="template", metavar="KEY",
                        help=f"break down by {'|'.join(keys)} (default template)")  # fmt: skip
    parser.add_argument(
        "--format", type=one_of(formats), default="table", metavar="F",
        help="table (default), csv or json",
    )  # fmt: skip
    parser.add_argument(
        "--emails", metavar="NAME", default=None,
        help="list the emails of one row (e.g. template:welcome back, or all)",
    )  # fmt: skip
    add_output_option(parser, "--out", help="write to FILE instead of the screen")
    parser.set_defaults(handler=cmd_replies)


def cmd_replies(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print (or write to --out) the replies report, or the emails of a row."""
    from app.cli.errors import EXIT_OK, CommandError
    from app.cli.output import check_output
    from app.cli.report_output import print_report
    from app.workspace import command_workspace
    from services.replies.report import replies_report

    if args.since and args.until and args.since > args.until:
        raise CommandError(f"--from {args.since} is after --to {args.until}.")
    if args.out:  # refused before any work: a bad path costs nothing, changes nothing
        check_output(args, args.out, what="the report")
    with command_workspace(args.db) as workspace:
        report = replies_report(workspace.engine, args.since, args.until)
    if args.emails is not None:
        group = report.find(args.emails)
        if group is None:
            names = ", ".join(g.name for g in report.groups(args.by))
            raise CommandError(
                f"No row named '{args.emails}' in this period. The rows: all, {names}."
                if names
                else f"No row named '{args.emails}': no email was sent in the period."
            )
        text = render_emails(report, group, args.format)
    else:
        text = render(report, args.by, args.format)
    print_report(args, out, text, name="replies")
    return EXIT_OK


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _hours(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _figures(group: ReplyGroup) -> list[object]:
    low, high = group.interval or (None, None)
    return [
        group.by, group.label, group.sent, group.replied,
        None if group.rate is None else round(group.rate, 4),
        None if low is None else round(low, 4), None if high is None else round(high, 4),
        group.automatic, _hours(group.median_hours), group.small,
    ]  # fmt: skip


def _group_object(group: ReplyGroup) -> dict[str, Any]:
    return dict(zip(FIGURES_HEADER, _figures(group), strict=True)) | {"name": group.name}


def _email_row(report: ReplyReport, e: SentEmail) -> list[object]:
    return [
        e.outreach_id, e.customer_id, report.names.get(e.customer_id, ""), e.recipient,
        e.subject, e.template, e.tone, e.playbook, e.sent_at.isoformat(sep=" "),
        e.reply_at.isoformat(sep=" ") if e.reply_at else None, _hours(e.hours),
        e.reply_how or None, e.automatic,
    ]  # fmt: skip


def render(report: ReplyReport, by: str, form: str) -> str:
    """The report broken down ``by`` in one of the formats: table, csv or json."""
    import json

    from app.cli.report_output import report_text, write_plain_csv
    from services.replies.definition import DEFINITIONS
    from services.replies.wording import HOLDOUT_WORDS, best_words, headline

    groups = [report.overall, *report.groups(by)]
    payload = {
        "first_day": report.first_day.isoformat(),
        "last_day": report.last_day.isoformat(),
        "headline": headline(report),
        "holdout_note": HOLDOUT_WORDS,
        "held_out": report.holdout,
        "by": by,
        "best": best_words(report, by),
        "rows": [_group_object(g) for g in groups],
        "definitions": dict(DEFINITIONS),
    }
    return report_text(
        form,
        table=lambda: replies_table(report, by),
        csv=lambda s: write_plain_csv(s, FIGURES_HEADER, map(_figures, groups)),
        json=lambda: json.dumps(payload, indent=2, ensure_ascii=False),
    )


def render_emails(report: ReplyReport, group: ReplyGroup, form: str) -> str:
    """One row's emails in one of the formats."""
    import json

    from app.cli.report_output import report_text, write_plain_csv

    rows = [_email_row(report, e) for e in group.emails]
    return report_text(
        form,
        table=lambda: emails_table(report, group),
        csv=lambda s: write_plain_csv(s, EMAILS_HEADER, rows),
        json=lambda: json.dumps(
            {
                "row": group.name,
                "label": group.label,
                "emails": [dict(zip(EMAILS_HEADER, r, strict=True)) for r in rows],
            },
            indent=2,
            ensure_ascii=False,
        ),  # fmt: skip
    )


def _row_line(group: ReplyGroup) -> str:
    from services.replies.wording import duration, interval_words, rate

    return (
        f"{_cut(group.label + (' *' if group.small else ''), 30):<30} {group.sent:>5,} "
        f"{group.replied:>7,} {rate(group.rate):>5} {interval_words(group):>12} "
        f"{group.automatic:>9,} {duration(group.median_hours):>12}"
    )


def replies_table(report: ReplyReport, by: str) -> list[str]:
    """The report as lines of at most 100 columns."""
    import textwrap

    from services.replies.definition import DEFINITIONS
    from services.replies.records import BREAKDOWNS
    from services.replies.wording import (
        HOLDOUT_WORDS,
        best_words,
        empty_words,
        headline,
        period_words,
        small_words,
    )

    lines = [f"Replies, {period_words(report)}", ""]
    lines += textwrap.wrap(headline(report), WIDTH)
    if empty_words(report) is None:
        title = dict(BREAKDOWNS)[by]
        lines += ["", f"By {title.lower()}:"]
        lines.append(
            f"{title:<30} {'Sent':>5} {'Replied':>7} {'Rate':>5} {'95% interval':>12} "
            f"{'Automatic':>9} {'Median time':>12}"
        )
        groups = report.groups(by)
        lines += [_row_line(report.overall), *map(_row_line, groups)]
        lines += textwrap.wrap(best_words(report, by), WIDTH)
        small = small_words(groups)
        lines += textwrap.wrap(small, WIDTH) if small else []
        lines += [""] + textwrap.wrap(HOLDOUT_WORDS, WIDTH)
    lines += ["", "Definitions:"]
    for term, words in DEFINITIONS:
        lines += textwrap.wrap(f"{term}: {words}", WIDTH, initial_indent="  ",
                               subsequent_indent="    ")  # fmt: skip
    return lines


def emails_table(report: ReplyReport, group: ReplyGroup) -> list[str]:
    """One row's emails, oldest first."""
    from services.replies.wording import duration, period_words

    lines = [f"{group.label} ({group.name}), {period_words(report)}: {group.sent:,} emails", ""]
    lines.append(f"{'Sent':<16} {'Customer':<20} {'Reply':<26} Subject")
    for e in group.emails:
        if e.reply_at is not None:
            reply = f"after {duration(e.hours)}"
        else:
            reply = "automatic only" if e.automatic else "none"
        who = _cut(report.names.get(e.customer_id, ""), 20)
        lines.append(_cut(f"{e.sent_at:%Y-%m-%d %H:%M} {who:<20} {reply:<26} {e.subject}", WIDTH))
    return lines
