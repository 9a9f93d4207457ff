"""Commands digest and run-daily: what changed since yesterday, and the whole daily round
(watched folder, scoring, alerts, digest) for a scheduler."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any, TextIO

from app.cli.errors import EXIT_FAILURE, EXIT_OK

# run-daily's exit codes (sysexits.h names, which schedulers and monitoring know).
EXIT_IMPORT_REFUSED = 65  # EX_DATAERR: a file of the watched folder could not be imported
EXIT_LOCKED = 75  # EX_TEMPFAIL: another run holds the workspace; try again later

DIGEST_EPILOG = """\
The lines: new tickets and the negative ones still open, new critical alerts, alerts
back from a snooze, tasks due, new and newly stalled deals, emails sent and customers
re-engaged. --to emails it (text with an HTML version) through the SMTP server set in
the window (File > Settings > Sending email)."""

RUN_DAILY_EPILOG = f"""\
In order: import the new files of the watched folder (File > Watch a folder... in the
window), score every customer, raise and refresh the alerts, then print the digest (or
email it with --to). A lock next to the workspace (<workspace>.run-daily.lock) keeps two
runs from overlapping, and is released when a run ends however it ends; the log goes to
the application's log file.
Exit codes: 0 done; 1 failed (nothing half-written: each step is its own transaction);
2 usage; {EXIT_IMPORT_REFUSED} a file of the watched folder could not be imported (the rest
ran); {EXIT_LOCKED} another run is in progress (try again later).
Schedule it with cron, the Windows Task Scheduler or a systemd timer (see the README)."""


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a date; give it as YYYY-MM-DD, e.g. 2026-11-23"
        ) from None


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add this module's commands to the main parser."""
    digest = commands.add_parser(
        "digest",
        help="what changed since yesterday (or a date), printed or emailed",
        description="The digest: what changed in the workspace since the start of a day.",
        epilog=DIGEST_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _digest_arguments(digest)
    digest.set_defaults(handler=cmd_digest)

    daily = commands.add_parser(
        "run-daily",
        help="the daily round: watched folder, scoring, alerts and the digest",
        description="Import the watched folder's new files, score, raise the alerts and "
        "print or email the digest; for a scheduler.",
        epilog=RUN_DAILY_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _digest_arguments(daily)
    daily.set_defaults(handler=cmd_run_daily)


def _digest_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--since",
        type=_date,
        metavar="YYYY-MM-DD",
        help="from the start of this local day (default: yesterday)",
    )
    parser.add_argument(
        "--format", choices=("text", "html", "md"), default="text", help="default: text"
    )
    parser.add_argument("--to", metavar="EMAIL", help="email it to this address instead")


def _deliver(args: argparse.Namespace, workspace: Any, out: TextIO) -> None:
    from services.listen.digest import build_digest
    from services.listen.digest_text import render_digest, send_digest

    digest = build_digest(workspace.engine, args.since)
    name = workspace.display_name
    if args.to:
        send_digest(workspace.engine, digest, args.to, workspace=name)
        print(f"Emailed the digest ({digest.title.lower()}) to {args.to}.", file=out)
    else:
        print(render_digest(digest, args.format, workspace=name), file=out, end="")


def cmd_digest(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print or email the digest."""
    from app.workspace import command_workspace

    with command_workspace(args.db) as workspace:
        _deliver(args, workspace, out)
    return EXIT_OK


def cmd_run_daily(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """The daily round, under the workspace's lock."""
    import logging

    from app.workspace import command_workspace, resolve_url
    from services.daily import RunLocked, daily_lock
    from services.importing.watched import import_watched_folder
    from services.refresh import score_and_alert

    log = logging.getLogger("app.cli.daily")
    try:
        lock = daily_lock(resolve_url(args.db))
    except RunLocked as exc:
        print(str(exc), file=err)
        log.warning("run-daily: %s", exc)
        return EXIT_LOCKED
    with lock, command_workspace(args.db) as workspace:
        log.info("run-daily started on %s", workspace.display_name)
        imported = import_watched_folder(workspace.engine)
        for line in imported.lines():
            print(line, file=out)
            log.info("run-daily: %s", line)
        result = score_and_alert(workspace.engine)
        alerts = result.alerts.lines() if result.alerts else []
        for line in (*result.scores.lines()[:1], *alerts, *result.escalations):
            print(line, file=out)
            log.info("run-daily: %s", line)
        if result.alerts is None:
            print(f"The alerts were not updated: {result.alerts_error}", file=err)
        print(file=out)
        _deliver(args, workspace, out)
        log.info("run-daily finished")
    if imported.failed:
        return EXIT_IMPORT_REFUSED
    return EXIT_OK if result.alerts is not None else EXIT_FAILURE
