"""Command ``report alerts``: the alert rules replayed weekly over the past year, measured
against who lapsed (precision, recall, lead time, missed critical, alerts per owner per
week), beside a plain recency rule at the same weekly volume, and suggested thresholds
for a weekly alert budget; then the relationship signals against lost renewals and lapses
(app/cli/report_signals.py: replayed on their own, in seconds; ``--signals-only`` for
that section alone); then the risks read in conversations, each kind's precision on the
labelled listening corpus against the rule's level (app/cli/report_listening.py); as a
table, CSV or JSON. The numbers are services.learn.alert_replay's
and services.alerts.signal_replay's, the same Results ▸ Early warning shows."""

from __future__ import annotations

import argparse
import textwrap
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TextIO

from app.cli.args import one_of
from app.cli.output import add_output_option
from services.core.money import format_money

if TYPE_CHECKING:
    from services.alerts.proof import Proof
    from services.alerts.signal_records import SignalReport
    from services.learn.replay_records import ReplayFigures, ReplayReport

ALERTS_EPILOG = """\
Each week of the replay is scored with the data dated up to it (nothing is written to the
scores or the alerts), the alert rules run as configured and the new alerts are admitted as
the app admits them (cool-down, daily cap per owner). A customer lapses on the day they have
gone the churn horizon without a paid order. The weeks end on Sundays, the last one on or
before the latest paid order. The replay takes a few seconds a week on a large workspace;
each week's scores are kept, and the next replay scores only the weeks whose data or
settings changed (the week that is new, after a day's import). The result is kept too:
Results ▸ Early warning shows the last one, and when nothing changed since, this command
prints it as it was (--again replays all the same).
The relationship signals (Champion left, Key contact gone dark, Single-threaded, New
decision maker to meet) are replayed on their own, in seconds, against lost renewals and
lapses, each beside its base rate; a signal raises alerts only while proven.
Examples:
  python main.py report alerts
  python main.py report alerts --signals-only
  python main.py report alerts --weeks 26 --budget 15
  python main.py report alerts --again
  python main.py report alerts --format csv --out alerts.csv"""


def register(kinds: argparse._SubParsersAction[Any], formats: tuple[str, ...]) -> None:
    """Add ``report alerts`` to ``report``."""
    alerts = kinds.add_parser(
        "alerts",
        help="the alert rules replayed on the past year: precision, recall, lead time",
        description="Early warning, measured on history: replay the alert rules weekly over "
        "the past weeks and measure them against the customers who lapsed, beside a recency "
        "rule at the same volume, with suggested thresholds for a weekly budget.",
        epilog=ALERTS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    alerts.add_argument(
        "--weeks", type=int, default=52, metavar="N", help="weeks to replay (default 52)"
    )
    alerts.add_argument(
        "--budget", type=int, metavar="N",
        help="alerts per owner per week for the suggested thresholds "
        "(default the setting alerts.weekly_budget_per_owner)",
    )  # fmt: skip
    alerts.add_argument(
        "--again", action="store_true",
        help="replay even when nothing changed since the last replay (by default its "
        "figures are printed as they were kept)",
    )  # fmt: skip
    alerts.add_argument(
        "--signals-only", action="store_true",
        help="only the relationship signals against lost renewals and lapses (seconds: the "
        "alert rules are not replayed)",
    )  # fmt: skip
    alerts.add_argument(
        "--format", type=one_of(formats), default="table", metavar="F",
        help="table (default), csv or json",
    )  # fmt: skip
    add_output_option(alerts, "--out", help="write the report to FILE, not the screen")
    alerts.set_defaults(handler=cmd_alerts)


def cmd_alerts(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Replay the alerts and print the report."""
    from app.cli.errors import EXIT_OK, CommandError
    from app.cli.output import check_output
    from app.cli.report_listening import listening_table, read_proofs
    from app.cli.report_output import print_report, report_text
    from app.cli.report_signals import signals_table
    from app.workspace import command_workspace
    from services.alerts.config import default_actor
    from services.alerts.signal_proofs import measure_and_keep
    from services.learn.alert_replay import last_replay, replay_alerts, save_replay

    if not 1 <= args.weeks <= 260:
        raise CommandError("--weeks must be between 1 and 260.")
    if args.budget is not None and args.budget < 1:
        raise CommandError("--budget must be at least 1.")
    if args.out:  # refused before the replay: a bad path costs nothing, changes nothing
        check_output(args, args.out, what="the report")
    shown = [0.0]

    def progress(fraction: float, message: str) -> None:
        now = time.monotonic()
        if now - shown[0] >= 1.0 or fraction >= 1.0:
            shown[0] = now
            print(f"{fraction:4.0%}  {message}", file=err, flush=True)

    with command_workspace(args.db) as workspace:
        # The relationship signals first: seconds, apart from the replay of the rules.
        signals = measure_and_keep(workspace.engine, actor=default_actor())
        heard = read_proofs(workspace.engine)  # the risks read in conversations
        if args.signals_only:
            report = None
        else:
            before, _current = last_replay(workspace.engine)
            report = replay_alerts(
                workspace.engine, weeks=args.weeks, budget=args.budget, progress=progress,
                reuse=not args.again,
            )  # fmt: skip
            if report != before:  # a new replay (the kept one is not kept again)
                save_replay(workspace.engine, report, actor=default_actor())
    text = report_text(
        args.format,
        table=lambda: [
            *(alerts_table(report) + [""] if report else []),
            *signals_table(*signals),
            "",
            *listening_table(heard),
        ],
        csv=lambda stream: write_alerts_csv(report, stream, signals[0], heard),
        json=lambda: alerts_json(report, signals, heard),
    )
    print_report(args, out, text, name="alerts", said=err)
    return EXIT_OK


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _days(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"


def _cells(f: ReplayFigures) -> list[str]:
    quartiles = f.lead_quartiles
    # Win-back alerts come after the lapse: no precision or recall of a warning.
    early = f.key != "win_back"
    return [
        f"{f.alerts:,}",
        f"{f.per_owner_week_mean:.1f}",
        f"{f.per_owner_week_max:,}",
        _percent(f.precision) if early else "–",
        f"{f.caught:,}/{f.lapsed:,}" if early else "–",
        _percent(f.recall) if early else "–",
        _days(f.lead_median),
        "–" if quartiles is None else f"{quartiles[0]:.0f}–{quartiles[1]:.0f}",
        _percent(f.lead_share_30),
        "–" if f.missed_critical is None else f"{f.missed_critical:,}",
    ]


WIDTHS = (8, 8, 6, 7, 12, 7, 7, 9, 6, 9)


def _row(key: str, cells: list[str]) -> str:
    shown = key if len(key) <= 20 else key[:19] + "…"
    return f"{shown:<20}" + "".join(f"{c:>{w}}" for c, w in zip(cells, WIDTHS, strict=True))


def alerts_table(report: ReplayReport) -> list[str]:
    """The report as lines of at most 100 columns."""
    header = ["Alerts", "/owner", "max", "Precis", "Caught", "Recall", "Lead",
              "Lead IQR", ">=30d", "Missed"]  # fmt: skip
    lines = [
        f"Early warning: the alert rules replayed weekly, {report.start} to {report.end} "
        f"({report.weeks} weeks, horizon {report.horizon_days} days)",
        *textwrap.wrap(report.method, 100),
        f"{report.customers:,} customers, {report.owners:,} owner(s); computed in "
        f"{report.seconds:,.0f} s.",
        "",
        _row("", header),
        _row("", ["", "/week", "/week", "ion", "/lapsed", "", "median", "(days)", "", "critical"]),
        _row(report.overall.title, _cells(report.overall)),
        *(_row(f"  {f.title}", _cells(f)) for f in report.rules),
        _row("Recency rule", _cells(report.recency)),
        *_notice_row(report, report.recency_notice),
        *([_row(report.win_back.title, _cells(report.win_back))] if report.win_back else []),
        "",
        *textwrap.wrap(report.verdict, 100),
        *textwrap.wrap(report.notice_verdict or "", 100),
        *_budget_lines(report),
    ]
    if report.not_replayed:
        lines += ["", "Not replayed:"]
        lines += [f"  {key}: {why}" for key, why in report.not_replayed.items()]
    lines += ["", *_suggestion_lines(report)]
    lines += ["", *textwrap.wrap("Definitions: " + report.definitions, 100)]
    fitted: list[str] = []
    for line in lines:
        fitted += textwrap.wrap(line, 100, subsequent_indent="    ") if len(line) > 100 else [line]
    return fitted


def _budget_lines(report: ReplayReport) -> list[str]:
    """The comparison within the weekly budget (critical alerts included)."""
    if report.at_budget is None or report.recency_at_budget is None:
        return []
    return [
        "",
        f"Within the budget of {report.budget} new alert(s) per owner per week:",
        _row("All risk rules", _cells(report.at_budget)),
        _row("Recency rule", _cells(report.recency_at_budget)),
        *(
            [_row(f"Lapse warnings, {report.notice_days}+", _cells(report.warned_at_budget))]
            if report.warned_at_budget is not None
            else []
        ),
        *_notice_row(report, report.recency_notice_at_budget),
        *_notice_row(report, report.value_notice_at_budget, "by value"),
        "",
        *textwrap.wrap(report.budget_verdict or "", 100),
        *textwrap.wrap(report.budget_notice_verdict or "", 100),
        *_target_lines(report),
        *textwrap.wrap(report.worth_words or "", 100),
    ]


def _target_lines(report: ReplayReport) -> list[str]:
    """The queue against its target, in a small table: with the notice, within the budget,
    lapsing customers warned and their value, the app beside both recency rankings."""
    met = report.queue_meets_target
    app, quiet = report.warned_at_budget, report.recency_notice_at_budget
    value = report.value_notice_at_budget
    if met is None or app is None or quiet is None or value is None:
        return []
    n, money = report.notice_days, report.currency
    lines = [
        "",
        f"With {n}+ days' notice, within the budget  Lapsing warned  Their value when warned",
    ]
    rows = (
        ("The app's lapse warnings", app),
        (f"Recency, {n}+ d left, longest quiet first", quiet),
        (f"Recency, {n}+ d left, highest value first", value),
    )
    for title, f in rows:
        worth = format_money(f.warned_value(n), money, decimals=0)
        lines.append(f"  {title:<42}{f.warned(n):>14,}  {worth:>22}")
    said = (
        "Target met: as many lapsing customers as the first recency ranking and more value "
        "than the second." if met else
        "Target not met: the lapse warnings need as many lapsing customers as the first "
        "recency ranking and more value than the second."
    )  # fmt: skip
    if quiet.warned_value(n) > app.warned_value(n):
        said += " The first recency ranking still warned more value."
    lines += textwrap.wrap(said, 100, initial_indent="  ", subsequent_indent="  ")
    return lines


def _notice_row(report: ReplayReport, figures: ReplayFigures | None, how: str = "") -> list[str]:
    """The recency rule kept to customers with the notice still to go (``how``: ranked)."""
    if figures is None:
        return []
    title = (
        f"{how.capitalize()}, {report.notice_days}+ d left"
        if how
        else f"Recency, {report.notice_days}+ d left"
    )
    return [_row(title, _cells(figures))]


def _suggestion_lines(report: ReplayReport) -> list[str]:
    lines = [f"Suggested thresholds (budget: {report.budget} alert(s) per owner per week):"]
    if not report.suggestions:
        return [*lines, "  none (no rule with a threshold was replayed)"]
    for s in report.suggestions:
        mark = " (locked by IT: not applied)" if s.locked and s.changed else ""
        change = f"{s.current:g} -> {s.suggested:g}" if s.changed else f"{s.current:g} (keep)"
        lines.append(f"  {s.rule_title}: {s.label.lower()} {change} {s.unit}{mark}")
    after = report.suggested
    if after is not None:
        if not report.within_budget:
            lines.append("  No thresholds tried keep to the budget; these come closest.")
        before = report.overall
        lines.append(
            f"  Would have done: alerts per owner per week {report.work_per_owner_week:.1f} -> "
            f"{after.per_owner_week_mean:.1f}, precision {_percent(before.precision)} -> "
            f"{_percent(after.precision)}, recall {_percent(before.recall)} -> "
            f"{_percent(after.recall)}, median lead {_days(before.lead_median)} -> "
            f"{_days(after.lead_median)} days"
        )
    return lines


CSV_HEADER = [
    "group", "key", "title", "alerts", "per_owner_week_mean", "per_owner_week_max", "judged",
    "hits", "precision", "lapsed", "caught", "recall", "lead_median_days", "lead_q1_days",
    "lead_q3_days", "lead_share_30", "missed_critical", "current", "suggested", "locked",
    "warned_with_notice", "warned_value_with_notice",
]  # fmt: skip


def alerts_rows(report: ReplayReport) -> Iterator[list[object]]:
    """CSV rows: group (all, rule, recency, win_back, budget, budget_recency, lapse_notice,
    recency_notice, budget_lapse_notice, budget_recency_notice, budget_value_notice,
    suggested, suggestion), key, then the figures."""

    def blank(value: float | None, digits: int = 4) -> object:
        return "" if value is None else round(value, digits)

    def numbers(group: str, f: ReplayFigures) -> list[object]:
        q = f.lead_quartiles
        return [
            group, f.key, f.title, f.alerts, f.per_owner_week_mean, f.per_owner_week_max,
            f.judged, f.hits, blank(f.precision), f.lapsed, f.caught, blank(f.recall),
            blank(f.lead_median, 1), blank(q[0] if q else None, 1),
            blank(q[1] if q else None, 1), blank(f.lead_share_30),
            "" if f.missed_critical is None else f.missed_critical, "", "", "",
            f.warned(report.notice_days),
            round(f.warned_value(report.notice_days) / 100, 2) if f.lead_values else "",
        ]  # fmt: skip

    yield numbers("all", report.overall)
    for f in report.rules:
        yield numbers("rule", f)
    yield numbers("recency", report.recency)
    if report.win_back is not None:
        yield numbers("win_back", report.win_back)
    if report.at_budget is not None and report.recency_at_budget is not None:
        yield numbers("budget", report.at_budget)
        yield numbers("budget_recency", report.recency_at_budget)
    for group, notice in (("lapse_notice", report.warned_overall),
                          ("recency_notice", report.recency_notice),
                          ("budget_lapse_notice", report.warned_at_budget),
                          ("budget_recency_notice", report.recency_notice_at_budget),
                          ("budget_value_notice", report.value_notice_at_budget)):  # fmt: skip
        if notice is not None:
            yield numbers(group, notice)
    if report.suggested is not None:
        yield numbers("suggested", report.suggested)
    for s in report.suggestions:
        yield ["suggestion", s.setting, s.rule_title, *[""] * 14, s.current, s.suggested,
               s.locked, "", ""]  # fmt: skip


def write_alerts_csv(
    report: ReplayReport | None,
    out: TextIO,
    signals: SignalReport | None = None,
    heard: dict[str, Proof] | None = None,
) -> None:
    """The CSV, through the exports' writer (formula-like text is neutralised); the
    relationship signals' rows after the rules' (app/cli/report_signals.py), then the risks
    read in conversations (app/cli/report_listening.py)."""
    import itertools

    from app.cli.report_listening import listening_rows
    from app.cli.report_signals import signals_rows
    from services.usecases.exporting import write_csv_rows

    rows = itertools.chain(
        alerts_rows(report) if report is not None else (),
        signals_rows(signals) if signals is not None else (),
        listening_rows(heard) if heard is not None else (),
    )
    write_csv_rows(out, CSV_HEADER, rows, newline="\n")


def alerts_json(
    report: ReplayReport | None,
    signals: tuple[SignalReport, dict[str, Proof]] | None = None,
    heard: dict[str, Proof] | None = None,
) -> str:
    """The whole report as JSON (every figure, the definitions, the suggestions), with the
    relationship signals under ``relationship_signals`` and the risks read in conversations
    under ``conversation_risks``."""
    import json

    from app.cli.report_listening import listening_figures
    from app.cli.report_signals import signals_json
    from services.learn.replay_records import report_to_dict

    data = report_to_dict(report) if report is not None else {}
    if signals is not None:
        data["relationship_signals"] = signals_json(*signals)
    if heard is not None:
        data["conversation_risks"] = listening_figures(heard)
    return json.dumps(data, indent=1)
