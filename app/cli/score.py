"""Command score: compute and store a dated score snapshot for every customer, then
raise and refresh the alerts from it."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any, TextIO

from app.cli.args import calendar_date

# Kept in step with services.settings.MAX_HORIZON_DAYS (not imported: --help stays fast).
MAX_HORIZON_DAYS = 1095

SCORE_EPILOG = """\
Scores use only data dated on or before the as-of date, so any past date can be
replayed: e.g. score --as-of 2025-06-30 --horizon-days 90. Scoring the same date and
horizon again replaces that snapshot. The churn model is backtested on the most recent
complete horizon before the as-of date and the summary shows how it did. Then the
alerts are raised and refreshed from the latest scores (see 'alerts'); replaying a past
date leaves them as they are."""


def _as_of(text: str) -> dt.date:
    return calendar_date(text, "2025-06-30", up_to_today="scores can only be computed up to today")


def _horizon(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of days") from None
    if not 1 <= value <= MAX_HORIZON_DAYS:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_HORIZON_DAYS:,} days")
    return value


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add this module's commands to the main parser."""
    score = commands.add_parser(
        "score",
        help="score every customer and store the snapshot",
        description="Compute every customer's engagement, churn risk, predicted orders and "
        "revenue, the T-month value (setting scoring.clv_months, 12 by default), segment, "
        "health, confidence and drivers as of a date, and "
        "store them as a dated snapshot; then raise and refresh the alerts.",
        epilog=SCORE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    score.add_argument(
        "--as-of",
        type=_as_of,
        metavar="YYYY-MM-DD",
        help="score as of this date, using data dated on or before it (default: today, UTC)",
    )
    score.add_argument(
        "--horizon-days",
        type=_horizon,
        metavar="N",
        help="churn horizon: the chance of no order in the next N days "
        "(default: the workspace setting, 90)",
    )
    score.set_defaults(handler=cmd_score)


def _progress_printer(err: TextIO, prefix: str = "") -> Any:
    last = [-1]

    def progress(fraction: float, message: str) -> None:
        step = int(fraction * 10)
        if step != last[0]:
            last[0] = step
            print(f"  {prefix}{fraction:4.0%}  {message}", file=err, flush=True)

    return progress


def cmd_score(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Score the workspace and print the run's summary."""

    from app.cli.errors import EXIT_OK, CommandError
    from app.workspace import command_workspace
    from services.usecases.refresh import SCORES_SHARE, score_and_alert

    scores_printer = _progress_printer(err)
    alerts_printer = _progress_printer(err, "alerts ")

    def progress(fraction: float, message: str) -> None:
        if fraction < SCORES_SHARE:
            scores_printer(fraction / SCORES_SHARE, message)
        else:
            alerts_printer((fraction - SCORES_SHARE) / (1 - SCORES_SHARE), message)

    with command_workspace(args.db) as workspace:
        # Alerts follow every scoring (a replay of a past date leaves them as they are).
        result = score_and_alert(
            workspace.engine,
            as_of=args.as_of,
            horizon_days=args.horizon_days,
            progress=progress,
        )
    for line in result.scores.lines():
        print(line, file=out)
    if result.stage_check:
        print(result.stage_check, file=out)
    if result.owners:  # customers without an owner given their segment's
        n = result.owners
        print(f"{n:,} customer{'' if n == 1 else 's'} given their segment's owner.", file=out)
    if result.alerts is None:
        raise CommandError(
            f"The scores were saved, but the alerts were not updated: {result.alerts_error}"
        )
    for line in (*result.alerts.lines(), *result.escalations):
        print(line, file=out)
    return EXIT_OK
