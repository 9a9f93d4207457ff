"""Command ``report stages``: the customers by lifecycle stage as of a date (count, value,
churn risk and the churn that followed), as a table, CSV or JSON; ``--stage`` lists the
customers of one stage and why each is in it. The stages are services.lifecycle's, the
same the customer pane and Results ▸ Stages show."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TextIO

from app.cli.args import one_of
from app.cli.output import add_output_option
from models.vocab import LIFECYCLE_STAGES

if TYPE_CHECKING:
    from services.lifecycle.records import StageBook

STAGES_EPILOG = """\
A customer's stage is read, as of the date, from an imported stage column (a customer
column named "Lifecycle stage" or "Stage"), else from their running contract (renewal in
its last days, onboarding in the first days of their first contract, adoption, then
mature), else from their orders (onboarding after the first order, mature after enough
orders and days, adoption between). A customer in the high churn-risk band of the latest
scoring as of the date is at risk. Set the source and the day counts with config set
lifecycle.source, lifecycle.onboarding_days, lifecycle.renewal_days,
lifecycle.mature_days and lifecycle.mature_orders. A past date reads only the orders,
contracts and scoring that existed then, and says how many churned after it.
Examples:
  python main.py report stages
  python main.py report stages --as-of 2025-06-30
  python main.py report stages --stage renewal
  python main.py report stages --format csv --out stages.csv"""

FIGURES_HEADER = ["stage", "customers", "value_cents", "currency", "mean_churn_risk",
                  "followed", "churned"]  # fmt: skip
CUSTOMERS_HEADER = ["customer_id", "name", "stage", "source", "why"]
WIDTH = 100


def register(kinds: argparse._SubParsersAction[Any], date: Any, formats: tuple[str, ...]) -> None:
    """Add ``report stages`` to ``report``."""
    parser = kinds.add_parser(
        "stages",
        help="customers by lifecycle stage: count, value and churn",
        description="Lifecycle stages: the customers onboarding, adopting, mature, in "
        "renewal and at risk on a date, with their value, churn risk and the churn that "
        "followed.",
        epilog=STAGES_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--as-of", type=date, metavar="DATE",
                        help="stage the customers as of this date (default today)")  # fmt: skip
    parser.add_argument(
        "--stage", type=one_of(LIFECYCLE_STAGES), metavar="S",
        help=f"list the customers of one stage: {', '.join(LIFECYCLE_STAGES)}",
    )  # fmt: skip
    parser.add_argument(
        "--format", type=one_of(formats), default="table", metavar="F",
        help="table (default), csv or json",
    )  # fmt: skip
    add_output_option(parser, "--out", help="write to FILE instead of the screen")
    parser.set_defaults(handler=cmd_stages)


def cmd_stages(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print (or write to --out) the stages."""
    from app.cli.errors import EXIT_OK
    from app.cli.output import check_output
    from app.cli.report_output import print_report
    from app.workspace import command_workspace
    from services.lifecycle.book import stage_book

    if args.out:
        check_output(args, args.out, what="the report")
    with command_workspace(args.db) as workspace:
        book = stage_book(workspace.engine, args.as_of)
    print_report(args, out, render(book, args.format, stage=args.stage), name="stages")
    return EXIT_OK


def render(book: StageBook, form: str, *, stage: str | None = None) -> str:
    """The stages in one of the formats; with ``stage``, that stage's customers."""
    from app.cli.report_output import report_text, write_plain_csv

    def csv(stream: TextIO) -> None:
        if stage:
            write_plain_csv(stream, CUSTOMERS_HEADER, customer_rows(book, stage))
        else:
            write_plain_csv(stream, FIGURES_HEADER, figure_rows(book))

    return report_text(
        form,
        table=lambda: customers_table(book, stage) if stage else stages_table(book),
        csv=csv,
        json=lambda: stages_json(book, stage),
    )


def stages_table(book: StageBook) -> list[str]:
    """The stages as lines of at most 100 columns."""
    import textwrap

    from services.lifecycle.wording import (
        DEFINITIONS,
        churn_words,
        group_churn,
        headline,
        money,
        percent,
        rules_words,
    )

    lines = textwrap.wrap(headline(book), WIDTH) + [""]
    lines.append(f"{'Stage':<14} {'Customers':>9} {'Value':>9} {'Churn risk':>10}  Churned after")
    for g in book.groups:
        lines.append(
            f"{g.label:<14} {g.customers:>9,} "
            f"{money(book, g.value_cents if g.scored else None):>9} "
            f"{percent(g.churn_risk):>10}  {group_churn(book, g)}"
        )
    lines.append("")
    lines += textwrap.wrap(rules_words(book), WIDTH)
    lines += textwrap.wrap(churn_words(book), WIDTH)
    lines += ["", "Definitions:"]
    for term, words in DEFINITIONS:
        lines += textwrap.wrap(f"{term}: {words}", WIDTH, initial_indent="  ",
                               subsequent_indent="    ")  # fmt: skip
    return lines


def customers_table(book: StageBook, stage: str) -> list[str]:
    """The customers of one stage, one line each, with why."""
    from services.core.formatting import format_date
    from services.lifecycle.stages import STAGE_LABELS

    rows = list(customer_rows(book, stage))
    label = STAGE_LABELS[stage]
    lines = [f"{label} on {format_date(book.as_of)}: {len(rows):,} customers", ""]
    for _cid, name, _stage, source, why in rows:
        text = f"{str(name)[:28]:<28}  {source:<10}  {why}"
        lines.append(text[:WIDTH])
    return lines


def figure_rows(book: StageBook) -> Iterator[list[object]]:
    """One row per stage."""
    for g in book.groups:
        yield [g.stage or "", g.customers, g.value_cents, book.currency,
               "" if g.churn_risk is None else round(g.churn_risk, 4), g.followed,
               g.churned]  # fmt: skip


def customer_rows(book: StageBook, stage: str) -> Iterator[list[object]]:
    """One row per customer of ``stage``, by name."""
    chosen = [s for s in book.staged if s.stage == stage]
    chosen.sort(key=lambda s: (book.names.get(s.customer_id, "").lower(), s.customer_id))
    for s in chosen:
        yield [s.customer_id, book.names.get(s.customer_id, ""), s.stage, s.source, s.why]


def stages_json(book: StageBook, stage: str | None) -> str:
    """The stages (or one stage's customers) as JSON."""
    body: dict[str, Any] = {
        "as_of": book.as_of.isoformat(),
        "currency": book.currency,
        "scoring_as_of": book.run_as_of.isoformat() if book.run_as_of else None,
        "rules": {
            "source": book.rules.source,
            "onboarding_days": book.rules.onboarding_days,
            "renewal_days": book.rules.renewal_days,
            "mature_days": book.rules.mature_days,
            "mature_orders": book.rules.mature_orders,
            "at_risk_from": book.rules.at_risk_from,
        },
    }
    if stage:
        body["customers"] = [dict(zip(CUSTOMERS_HEADER, row, strict=True))
                             for row in customer_rows(book, stage)]  # fmt: skip
    else:
        body["stages"] = [dict(zip(FIGURES_HEADER, row, strict=True))
                          for row in figure_rows(book)]  # fmt: skip
    return json.dumps(body, indent=2, ensure_ascii=False)
