"""Command ``report segments``: each segment's customers, predicted revenue, value and mean
churn risk per scoring run, and the migration between two runs, as a table, CSV or JSON.
The numbers are services.learn.segments_over_time's, the same Results ▸ Segments shows."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TextIO

from app.cli.args import one_of
from app.cli.output import add_output_option

if TYPE_CHECKING:
    from services.learn.segments_over_time import (
        MigrationMatrix,
        RunInfo,
        SegmentsOverTime,
    )

SEGMENTS_EPILOG = """\
Per finished scoring run and segment: the customers the run put in it, the sum of their
predicted revenue over the run's churn horizon, of their value over the run's value
horizon (setting scoring.clv_months, T months: the "T-month value") and their mean churn
risk and value. A run made under other scoring settings than the one before it is marked.
Migration: every customer scored by either of two runs, by their segment in the earlier
run and in the later one ("Not scored" when one run did not score them); by default the
last two runs.
Examples:
  python main.py report segments
  python main.py report segments --from 2025-01-01 --to 2025-06-30
  python main.py report segments --format csv --out segments.csv"""

CSV_HEADER = ["section", "run_id", "as_of", "segment", "to_segment", "measure", "value"]
TABLE_RUNS = 6  # runs shown side by side in the table (the latest)


def register(kinds: argparse._SubParsersAction[Any], date: Any, formats: tuple[str, ...]) -> None:
    """Add ``report segments`` to ``report``."""
    parser = kinds.add_parser(
        "segments",
        help="segment sizes, revenue, value and churn risk per scoring run, and migration",
        description="Which segments grow or shrink over the scoring runs, their churn risk "
        "and value, and how customers moved between segments from one run to another.",
        epilog=SEGMENTS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--from", dest="earlier", metavar="RUN",
        help="the earlier run of the migration: its id or its as-of date (YYYY-MM-DD)",
    )  # fmt: skip
    parser.add_argument(
        "--to", dest="later", metavar="RUN",
        help="the later run of the migration: its id or its as-of date (default the latest)",
    )  # fmt: skip
    parser.add_argument(
        "--format", type=one_of(formats), default="table", metavar="F",
        help="table (default), csv or json",
    )  # fmt: skip
    add_output_option(parser, "--out", help="write to FILE instead of the screen")
    parser.set_defaults(handler=cmd_segments)


def pick_run(runs: tuple[RunInfo, ...], text: str | None, default: int) -> RunInfo | None:
    """The run named by ``text`` (an id or an as-of date; the latest run of that date), or
    the run at ``default`` (None: there are not enough runs)."""
    from app.cli.errors import CommandError

    if text is None:
        return runs[default] if len(runs) >= abs(default) else None
    value = text.strip()
    if value.isdigit():
        found = [r for r in runs if r.run_id == int(value)]
    else:
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise CommandError(
                f"'{text}' is neither a scoring run's id nor a date (YYYY-MM-DD)."
            ) from None
        found = [r for r in runs if r.as_of == day]
    if not found:
        raise CommandError(f"No finished scoring run {value}; see the runs listed by the report.")
    return found[-1]


def cmd_segments(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print (or write to --out) the segments over time."""
    from app.cli.errors import EXIT_OK, CommandError
    from app.cli.output import check_output
    from app.cli.report_output import print_report, report_text
    from app.workspace import command_workspace
    from services.learn.segments_over_time import migration_matrix, segments_over_time

    if args.out:  # refused before any work: a bad path costs nothing, changes nothing
        check_output(args, args.out, what="the report")
    with command_workspace(args.db) as workspace:
        report = segments_over_time(workspace.engine)
        earlier = pick_run(report.runs, args.earlier, -2)
        later = pick_run(report.runs, args.later, -1)
        matrix = None
        if earlier is not None and later is not None:
            if earlier.run_id == later.run_id:
                raise CommandError("--from and --to name the same scoring run.")
            if (earlier.as_of, earlier.run_id) > (later.as_of, later.run_id):
                earlier, later = later, earlier
            matrix = migration_matrix(workspace.engine, earlier.run_id, later.run_id)
    text = report_text(
        args.format,
        table=lambda: segments_table(report, matrix),
        csv=lambda stream: write_segments_csv(report, matrix, stream),
        json=lambda: segments_json(report, matrix),
    )
    print_report(args, out, text, name="segments")
    return EXIT_OK


def write_segments_csv(
    report: SegmentsOverTime, matrix: MigrationMatrix | None, out: TextIO
) -> None:
    """The CSV, through the exports' writer (formula-like text is neutralised)."""
    from services.usecases.exporting import write_csv_rows

    write_csv_rows(out, CSV_HEADER, segments_rows(report, matrix), newline="\n")


def _money(cents: float | None, currency: str) -> str:
    from services.core.money import format_money

    return "–" if cents is None else format_money(cents, currency, compact=True)


def _row(key: str, cells: list[str], width: int = 12) -> str:
    shown = key if len(key) <= 20 else key[:19] + "…"
    return f"{shown:<20}" + "".join(f"{cell:>{width}}" for cell in cells)


def _risk(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def segments_table(report: SegmentsOverTime, matrix: MigrationMatrix | None) -> list[str]:
    """The report as lines of at most 100 columns."""
    runs = report.runs
    if not runs:
        return ["Not scored yet: segments over time show once the customers are scored."]
    latest = runs[-1]
    currency = latest.currency
    changed = set(report.settings_changes)
    lines = [
        f"Segments over time: {len(runs):,} scoring{'s' if len(runs) != 1 else ''}, "
        f"{runs[0].as_of:%b %-d, %Y} to {latest.as_of:%b %-d, %Y}",
        "",
        _row("Run", ["As of", "Horizon", "Value over", "Customers"]) + "  Settings",
    ]
    for i, run in enumerate(runs):
        mark = f"changed (v{run.config_version})" if i in changed else ""
        lines.append(
            _row(f"#{run.run_id}", [f"{run.as_of}", f"{run.horizon_days} days",
                                    f"{run.clv_months} months", f"{run.customers:,}"])
            + (f"  {mark}" if mark else "")
        )  # fmt: skip
    shown = runs[-TABLE_RUNS:]
    lines += ["", f"Customers per segment{' (the latest runs)' if len(runs) > len(shown) else ''}:"]
    lines.append(_row("", [f"{r.as_of:%b %-d}" for r in shown]))
    for segment in report.segments:
        found = [report.figure(r.run_id, segment) for r in shown]
        lines.append(_row(segment, [f"{c.customers:,}" if c else "0" for c in found]))
    first = runs[0]
    value = latest.value_label
    lines += [
        "",
        f"From {first.as_of:%b %-d, %Y} to {latest.as_of:%b %-d, %Y}: customers, mean churn "
        f"risk, mean {value},",
        f"and the predicted revenue of the latest run ({currency}):",
        _row("", ["Customers", "Change", "Churn risk", value, "Revenue"], width=15),
    ]
    for segment in report.segments:
        a, b = report.figure(first.run_id, segment), report.figure(latest.run_id, segment)
        n_a, n_b = (a.customers if a else 0), (b.customers if b else 0)
        change = "new" if not n_a else f"{(n_b - n_a) / n_a:+.0%}"
        cells = [
            f"{n_a:,} → {n_b:,}",
            change,
            f"{_risk(a.mean_churn_risk if a else None)} → "
            f"{_risk(b.mean_churn_risk if b else None)}",
            f"{_money(a.mean_value_cents if a else None, currency)} → "
            f"{_money(b.mean_value_cents if b else None, currency)}",
            _money(b.predicted_revenue_cents if b else 0, currency),
        ]
        lines.append(_row(segment, cells, width=15))
    if matrix is not None:
        lines += ["", *migration_lines(matrix)]
    return lines


def migration_lines(matrix: MigrationMatrix) -> list[str]:
    """The migration between two runs, a line a cell (customers, predicted revenue)."""
    currency = matrix.later.currency
    lines = [
        f"Moved between segments, {matrix.earlier.as_of:%b %-d, %Y} (#{matrix.earlier.run_id}) "
        f"to {matrix.later.as_of:%b %-d, %Y} (#{matrix.later.run_id}):",
        f"{matrix.stayed:,} stayed in their segment, {matrix.moved:,} moved.",
        _row("From", ["To", "Customers", "Revenue then", "Revenue now"], width=19),
    ]
    for before in matrix.rows:
        for after in matrix.columns:
            cell = matrix.cell(before, after)
            if cell is None:
                continue
            lines.append(
                _row(before, [after, f"{cell.customers:,}",
                              _money(cell.revenue_before_cents, currency),
                              _money(cell.revenue_after_cents, currency)], width=19)
            )  # fmt: skip
    return lines


def segments_rows(
    report: SegmentsOverTime, matrix: MigrationMatrix | None
) -> Iterator[list[object]]:
    """CSV rows: "run" rows (one a run), "segment" rows per run and segment and measure,
    "migration" rows per cell and measure (run_id: the later run)."""
    for i, run in enumerate(report.runs):
        for measure, value in (
            ("horizon_days", run.horizon_days),
            ("clv_months", run.clv_months),
            ("config_version", run.config_version),
            ("settings_changed", int(i in report.settings_changes)),
            ("customers", run.customers),
        ):
            yield ["run", run.run_id, run.as_of.isoformat(), "", "", measure, value]
    dates = {r.run_id: r.as_of.isoformat() for r in report.runs}
    for f in report.figures:
        figures: tuple[tuple[str, object], ...] = (
            ("customers", f.customers),
            ("predicted_revenue_cents", f.predicted_revenue_cents),
            ("value_cents", f.value_cents),
            ("mean_churn_risk", "" if f.mean_churn_risk is None else round(f.mean_churn_risk, 6)),
            ("mean_value_cents", "" if f.mean_value_cents is None else round(f.mean_value_cents)),
        )
        for measure, figure in figures:
            yield ["segment", f.run_id, dates[f.run_id], f.segment, "", measure, figure]
    if matrix is None:
        return
    for c in matrix.cells:
        for measure, value in (
            ("customers", c.customers),
            ("revenue_before_cents", c.revenue_before_cents),
            ("revenue_after_cents", c.revenue_after_cents),
            ("from_run_id", matrix.earlier.run_id),
        ):
            yield ["migration", matrix.later.run_id, matrix.later.as_of.isoformat(), c.before,
                   c.after, measure, value]  # fmt: skip


def segments_json(report: SegmentsOverTime, matrix: MigrationMatrix | None) -> str:
    """The report as one JSON object: runs (with the value's name), segments, migration."""
    import dataclasses
    import json

    runs = [
        {**dataclasses.asdict(r), "as_of": r.as_of.isoformat(), "value_label": r.value_label,
         "settings_changed": i in report.settings_changes}
        for i, r in enumerate(report.runs)
    ]  # fmt: skip
    migration = None
    if matrix is not None:
        migration = {
            "from_run_id": matrix.earlier.run_id,
            "to_run_id": matrix.later.run_id,
            "stayed": matrix.stayed,
            "moved": matrix.moved,
            "cells": [dataclasses.asdict(c) for c in matrix.cells],
        }
    return json.dumps(
        {
            "runs": runs,
            "segments": list(report.segments),
            "figures": [dataclasses.asdict(f) for f in report.figures],
            "migration": migration,
        },
        indent=2,
    )
