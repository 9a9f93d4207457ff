"""Command ``report experiments``: every strategy experiment, each strategy against the
holdout and against each other, with Bonferroni-adjusted intervals and the verdict, as a
table, CSV or JSON. The numbers are services.learn.experiments', the same Results ▸
Experiments shows."""

from __future__ import annotations

import argparse
import json
import textwrap
from typing import TYPE_CHECKING, Any, TextIO

from app.cli.args import one_of
from app.cli.output import add_output_option

if TYPE_CHECKING:
    from services.learn.experiments_records import ExperimentResult, ExperimentsReport

EXPERIMENTS_EPILOG = """\
Each strategy's customers are the contacted customers of the alerts it was given (one
exposure per customer, its attribution window closed); the holdout, the held-out customers
of the experiment's rules and bands while it ran. Re-engaged: a paid order within the
window. Every interval is adjusted by Bonferroni for the number of comparisons (each
strategy against the holdout, each pair), so the chance of a false winner stays at or
under 5%; a winner is named only when its adjusted interval against every other strategy
lies above zero.
Examples:
  python main.py report experiments
  python main.py report experiments --format csv --out experiments.csv"""

CSV_HEADER = [
    "experiment",
    "status",
    "strategy",
    "label",
    "assigned",
    "customers",
    "reengaged",
    "rate",
    "lift_vs_holdout",
    "lift_low",
    "lift_high",
    "winner",
]


def register(kinds: argparse._SubParsersAction[Any], formats: tuple[str, ...]) -> None:
    """Add ``report experiments`` to ``report``."""
    parser = kinds.add_parser(
        "experiments",
        help="strategy experiments: each strategy against the holdout and each other",
        description="Every strategy experiment: each strategy's re-engagement against the "
        "holdout and against each other, with intervals adjusted for the number of "
        "comparisons, and the winner when the data supports one.",
        epilog=EXPERIMENTS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--format", type=one_of(formats), default="table", metavar="F",
        help="table (default), csv or json",
    )  # fmt: skip
    add_output_option(parser, "--out", help="write to FILE instead of the screen")
    parser.set_defaults(handler=cmd_experiments)


def cmd_experiments(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print (or write to --out) the experiments report."""
    from app.cli.errors import EXIT_OK
    from app.cli.output import check_output
    from app.cli.report_output import print_report, report_text, write_plain_csv
    from app.workspace import command_workspace
    from services.learn.experiments import experiments_report

    if args.out:  # refused before any work: a bad path costs nothing, changes nothing
        check_output(args, args.out, what="the report")
    with command_workspace(args.db) as workspace:
        report = experiments_report(workspace.engine)
    text = report_text(
        args.format,
        table=lambda: table(report),
        csv=lambda stream: write_plain_csv(stream, CSV_HEADER, csv_rows(report)),
        json=lambda: json.dumps(report_dict(report), indent=2),
    )
    print_report(args, out, text, name="experiments")
    return EXIT_OK


def _pct(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "–"
    return f"{value * 100:+.1f} pts" if signed else f"{value * 100:.1f}%"


def _when(result: ExperimentResult) -> str:
    from services.core.formatting import format_date

    start = format_date(result.started_at)
    if result.ended_at is None:
        return f"running since {start}"
    return f"{start} to {format_date(result.ended_at)}, ended"


def table(report: ExperimentsReport) -> list[str]:
    """The report as lines of text."""
    from services.alerts.experiment_records import kind_words  # not on every command's path

    if not report.experiments:
        return [
            "No experiments yet. Start one in Results ▸ Experiments (New experiment…).",
        ]
    lines: list[str] = []
    for result in report.experiments:
        c = result.comparison
        lines += [
            f'Experiment "{result.name}" ({kind_words(result.kind)}; {_when(result)})',
            f"  Rules: {', '.join(result.rules)}; bands: {', '.join(result.bands)}; "
            f"{result.assigned:,} alerts assigned; seed {result.seed}",
            f"  {'Strategy':<24}{'Assigned':>10}{'Counted':>10}{'Back':>8}{'Rate':>9}"
            f"{'Lift vs holdout, adjusted':>36}",
        ]
        for row, f in zip(result.strategies, c.strategies, strict=True):
            interval = (
                f"{_pct(f.lift, True)} ({_pct(f.lift_low, True)} to {_pct(f.lift_high, True)})"
                if f.lift is not None
                else "–"
            )
            lines.append(
                f"  {row.label[:23]:<24}{row.assigned:>10,}{f.n:>10,}{f.reengaged:>8,}"
                f"{_pct(f.rate):>9}{interval:>36}"
            )
        lines.append(
            f"  {'Holdout':<24}{'':>10}{c.holdout_n:>10,}{c.holdout_reengaged:>8,}"
            f"{_pct(c.holdout_rate):>9}"
        )
        labels = {s.key: s.label for s in result.strategies}
        for p in c.pairs:
            lines.append(
                f"  {labels[p.first]} minus {labels[p.second]}: {_pct(p.difference, True)} "
                f"({_pct(p.low, True)} to {_pct(p.high, True)})"
            )
        for words in (c.verdict, c.method):
            lines += textwrap.wrap(words, 96, initial_indent="  ", subsequent_indent="  ")
        lines.append("")
    lines.append(f"Attribution window: {report.window_days} days.")
    return lines


def csv_rows(report: ExperimentsReport) -> list[list[object]]:
    """One row per strategy of each experiment, and one for its holdout."""
    rows: list[list[object]] = []
    for result in report.experiments:
        c = result.comparison
        for row, f in zip(result.strategies, c.strategies, strict=True):
            rows.append(
                [result.name, result.status, row.key, row.label, row.assigned, f.n,
                 f.reengaged, f.rate, f.lift, f.lift_low, f.lift_high, c.winner == row.key]
            )  # fmt: skip
        rows.append(
            [result.name, result.status, "holdout", "Holdout", "", c.holdout_n,
             c.holdout_reengaged, c.holdout_rate, "", "", "", ""]
        )  # fmt: skip
    return rows


def report_dict(report: ExperimentsReport) -> dict[str, Any]:
    """The report as plain JSON values."""
    out = []
    for result in report.experiments:
        c = result.comparison
        out.append(
            {
                "id": result.id,
                "name": result.name,
                "kind": result.kind,
                "status": result.status,
                "started_at": result.started_at.isoformat(),
                "ended_at": result.ended_at.isoformat() if result.ended_at else None,
                "rules": list(result.rules),
                "bands": list(result.bands),
                "seed": result.seed,
                "strategies": [
                    {
                        "key": row.key,
                        "label": row.label,
                        "value": row.value,
                        "assigned": row.assigned,
                        "customers": f.n,
                        "reengaged": f.reengaged,
                        "rate": f.rate,
                        "lift": f.lift,
                        "lift_low": f.lift_low,
                        "lift_high": f.lift_high,
                    }
                    for row, f in zip(result.strategies, c.strategies, strict=True)
                ],
                "holdout": {
                    "customers": c.holdout_n,
                    "reengaged": c.holdout_reengaged,
                    "rate": c.holdout_rate,
                },
                "pairs": [
                    {
                        "first": p.first,
                        "second": p.second,
                        "difference": p.difference,
                        "low": p.low,
                        "high": p.high,
                    }
                    for p in c.pairs
                ],  # fmt: skip
                "comparisons": c.comparisons,
                "adjustment": "bonferroni",
                "adjusted_confidence": c.adjusted_confidence,
                "winner": c.winner,
                "verdict": c.verdict,
            }
        )
    return {"window_days": report.window_days, "experiments": out}
