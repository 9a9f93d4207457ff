"""Command ``report accuracy``: each past scoring run's predicted orders, revenue and churn
set beside what its customers then did, once its horizon has passed, one row a run so that
a drift shows; as a table, CSV or JSON. The numbers are services.accuracy's, the same
Results ▸ Model check shows."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TextIO

from app.cli.args import one_of
from app.cli.output import add_output_option

if TYPE_CHECKING:
    from services.accuracy.records import AccuracyReport, RunCheck

ACCURACY_EPILOG = """\
A scoring run is checkable once its horizon has passed: its as-of date plus its horizon
on or before the newest paid order of the workspace (or today, when that is earlier). Its
customers' predicted orders, revenue and churn risk (the run's snapshot) are set against
their paid orders after the as-of date up to the horizon's end, and against two baselines
that read only what came before: recency for churn, the past year's orders for orders.
--run ID shows one run with its calibration bins; with --format csv --customers, its
customers' predicted against actual figures. The report ends with each measure's definition.
Examples:
  python main.py report accuracy
  python main.py report accuracy --run 3
  python main.py report accuracy --run 3 --format csv --customers --out run-3.csv"""

RUNS_HEADER = [
    "run_id", "as_of", "horizon_days", "window_end", "customers", "predicted_orders",
    "actual_orders", "orders_bias", "orders_mae", "baseline_orders_mae", "predicted_cents",
    "actual_cents", "revenue_bias", "revenue_mae_cents", "auc", "baseline_auc", "brier",
    "churn_rate", "beats_churn_baseline", "beats_orders_baseline", "currency",
]  # fmt: skip
BINS_HEADER = ["run_id", "bin", "low_risk", "high_risk", "customers", "predicted", "observed"]
CUSTOMERS_HEADER = [
    "run_id", "customer_id", "name", "predicted_orders", "actual_orders", "predicted_cents",
    "actual_cents", "churn_risk", "churned", "days_since_last_order", "orders_year_before",
    "currency",
]  # fmt: skip


def register(kinds: argparse._SubParsersAction[Any], formats: tuple[str, ...]) -> None:
    """Add ``report accuracy`` to ``report``."""
    parser = kinds.add_parser(
        "accuracy",
        help="past scoring runs against what their customers then did (bias, MAE, AUC)",
        description="Model check: each past scoring run's predicted orders, revenue and "
        "churn against what its customers did once its horizon passed, and against the "
        "simple baselines it must beat.",
        epilog=ACCURACY_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--run", type=int, metavar="ID",
                        help="one scoring run, with its calibration bins")  # fmt: skip
    parser.add_argument(
        "--format", type=one_of(formats), default="table", metavar="F",
        help="table (default), csv or json",
    )  # fmt: skip
    parser.add_argument(
        "--customers", action="store_true",
        help="with --run and csv: the run's customers, predicted against actual",
    )  # fmt: skip
    add_output_option(parser, "--out", help="write to FILE instead of the screen")
    parser.set_defaults(handler=cmd_accuracy)


def cmd_accuracy(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print (or write to --out) the model check."""
    from app.cli.errors import EXIT_OK, CommandError
    from app.cli.output import check_output
    from app.cli.report_output import print_report
    from app.workspace import command_workspace
    from services.accuracy.report import accuracy_report

    if args.customers and (args.format != "csv" or args.run is None):
        raise CommandError("--customers lists one run's customers in CSV: add --run ID "
                           "--format csv.")  # fmt: skip
    if args.out:  # refused before any work: a bad path costs nothing, changes nothing
        check_output(args, args.out, what="the report")
    with command_workspace(args.db) as workspace:
        report = accuracy_report(workspace.engine, run_id=args.run)
    if args.run is not None and report.run(args.run) is None:
        if not report.pending:
            raise CommandError(f"There is no finished scoring run {args.run}.")
        raise CommandError(pending_line(report))
    text = render(report, args.format, customers=args.customers)
    print_report(args, out, text, name="accuracy")
    return EXIT_OK


def pending_line(report: AccuracyReport) -> str:
    from services.accuracy.wording import pending_words

    return pending_words(report)[0]


def render(report: AccuracyReport, form: str, *, customers: bool = False) -> str:
    """The report in one of the formats: table, csv (``customers``: the runs' customers)
    or json."""
    from app.cli.report_output import report_text, write_plain_csv

    def csv(stream: TextIO) -> None:
        if customers:
            write_plain_csv(stream, CUSTOMERS_HEADER, customer_rows(report))
        else:
            write_plain_csv(stream, RUNS_HEADER, run_rows(report))

    return report_text(form, table=lambda: accuracy_table(report), csv=csv,
                       json=lambda: accuracy_json(report))  # fmt: skip


# --- table ------------------------------------------------------------------------------

HEADER = (
    f"{'Run':>4} {'As of':<10} {'Days':>4} {'Cust.':>6} {'Orders p/a':>13} {'Bias':>5} "
    f"{'MAE/base':>9} {'Rev. bias':>9} {'AUC/base':>9} {'Brier':>5}  Verdict"
)


def _row(run: RunCheck) -> str:
    from services.accuracy.wording import ratio, short_verdict, signed

    digits = 0 if run.predicted_orders >= 10_000 else 1
    orders = f"{run.predicted_orders:,.{digits}f}/{run.actual_orders:,}"
    mae = f"{ratio(run.orders_mae)}/{ratio(run.baseline_orders_mae)}"
    auc = f"{ratio(run.auc)}/{ratio(run.baseline_auc)}"
    return (
        f"{run.run_id:>4} {run.as_of.isoformat():<10} {run.horizon_days:>4} {run.scored:>6,} "
        f"{orders:>13} {signed(run.orders_bias):>5} {mae:>9} {signed(run.revenue_bias):>9} "
        f"{auc:>9} {ratio(run.brier, 3):>5}  {short_verdict(run)}"
    )


def _bins(run: RunCheck) -> list[str]:
    lines = ["", f"Calibration of run {run.run_id} (lowest churn risk first):",
             f"{'Bin':>4} {'Risk from':>9} {'to':>6} {'Customers':>9} {'Predicted':>9} "
             f"{'Churned':>8}"]  # fmt: skip
    for i, b in enumerate(run.bins, 1):
        lines.append(f"{i:>4} {b.low:>9.2f} {b.high:>6.2f} {b.customers:>9,} "
                     f"{b.predicted:>9.1%} {b.observed:>8.1%}")  # fmt: skip
    return lines


def accuracy_table(report: AccuracyReport) -> list[str]:
    """The report as lines of at most 100 columns."""
    import textwrap

    from services.accuracy.records import DEFINITIONS
    from services.accuracy.wording import cutoff_words, headline, pending_words, verdict

    lines = [f"Model check: scoring runs against what followed (in {report.currency})", ""]
    lines += textwrap.wrap(headline(report), 100)
    lines += textwrap.wrap(cutoff_words(report), 100)
    if report.runs:
        lines += ["", HEADER, *(_row(run) for run in report.runs)]
    if len(report.runs) == 1:
        run = report.runs[0]
        lines += ["", *textwrap.wrap(f"Run {run.run_id}: {verdict(run)}", 100), *_bins(run)]
    if report.pending:
        lines += ["", "Not yet checkable:", *(f"  {line}" for line in pending_words(report))]
    if report.money_note:
        lines += ["", *textwrap.wrap(report.money_note, 100)]
    lines += ["", "Definitions:"]
    for term, words in DEFINITIONS:
        lines += textwrap.wrap(f"{term}: {words}", 100, initial_indent="  ",
                               subsequent_indent="    ")  # fmt: skip
    return lines


# --- csv and json -------------------------------------------------------------------------


def _exact(value: float | bool | None) -> object:
    if value is None:
        return ""
    return int(value) if isinstance(value, bool) else round(value, 6)


def _figures(run: RunCheck) -> list[object]:
    return [run.run_id, run.as_of.isoformat(), run.horizon_days, run.end.isoformat(),
            run.scored, _exact(run.predicted_orders), run.actual_orders, _exact(run.orders_bias),
            _exact(run.orders_mae), _exact(run.baseline_orders_mae), run.predicted_cents,
            run.actual_cents, _exact(run.revenue_bias), _exact(run.revenue_mae),
            _exact(run.auc), _exact(run.baseline_auc), _exact(run.brier),
            _exact(run.churn_rate), _exact(run.beats_churn_baseline),
            _exact(run.beats_orders_baseline)]  # fmt: skip


def run_rows(report: AccuracyReport) -> Iterator[list[object]]:
    """CSV rows: one a checkable run."""
    for run in report.runs:
        yield [*_figures(run), report.currency]


def customer_rows(report: AccuracyReport) -> Iterator[list[object]]:
    """CSV rows: one a customer of the report's runs."""
    for run in report.runs:
        for c in run.customers:
            yield [run.run_id, c.customer_id, report.names.get(c.customer_id, ""),
                   _exact(c.predicted_orders), c.actual_orders, _exact(c.predicted_cents),
                   c.actual_cents, _exact(c.churn_risk), int(c.churned),
                   _exact(c.recency_days), c.past_orders, report.currency]  # fmt: skip


def accuracy_json(report: AccuracyReport) -> str:
    """The report as one JSON object: each run's figures and calibration bins, the runs
    not checkable yet, and the definitions."""
    import json

    from services.accuracy.records import DEFINITIONS
    from services.accuracy.wording import headline, verdict

    def run_object(run: RunCheck) -> dict[str, object]:
        data = {k: (None if v == "" else v)
                for k, v in zip(RUNS_HEADER, _figures(run), strict=False)}  # fmt: skip
        data["beats_churn_baseline"] = run.beats_churn_baseline
        data["beats_orders_baseline"] = run.beats_orders_baseline
        data["verdict"] = verdict(run)
        data["calibration"] = [b._asdict() for b in run.bins]
        return data

    data: dict[str, object] = {
        "currency": report.currency,
        "known_until": report.cutoff.isoformat() if report.cutoff else None,
        "known_until_by": report.cutoff_by,
        "headline": headline(report),
        "runs": [run_object(run) for run in report.runs],
        "not_yet_checkable": [
            {
                "run_id": p.run_id,
                "as_of": p.as_of.isoformat(),
                "horizon_days": p.horizon_days,
                "checkable_on": p.checkable_on.isoformat(),
            }
            for p in report.pending
        ],  # fmt: skip
        "money_note": report.money_note,
        "definitions": dict(DEFINITIONS),
    }
    return json.dumps(data, indent=2)
