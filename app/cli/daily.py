"""Commands digest and run-daily: what changed since yesterday, and the whole daily round
(watched folder, scoring, alerts, digest) for a scheduler."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any, TextIO

from app.cli.args import calendar_date
from app.cli.errors import EXIT_FAILURE, EXIT_OK, CommandError
from models.errors import UserFacingError

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
window), stop the playbooks whose customer ordered since they started, score every
customer, raise and refresh the alerts, then print the digest (or email it with --to);
last, once the alert rules have been replayed (report alerts, Results > Early warning),
replay them again on what changed (the weeks kept are read back).
A lock next to the workspace (<workspace>.run-daily.lock) keeps two runs from overlapping,
and is released when a run ends however it ends; the log goes to the application's log
file.
A step that cannot run is said, with why, and the others still run: with no paid
orders yet the scoring and the alerts are skipped (the sentiment is read and the digest
made all the same). With --to, a workspace with no SMTP server set is refused before
the round starts.
Exit codes: 0 done (also when there is nothing to score yet); 1 failed (nothing
half-written: each step is its own transaction); 2 usage; {EXIT_IMPORT_REFUSED} a file
of the watched folder could not be imported (the rest ran); {EXIT_LOCKED} another run is
in progress (try again later).
Schedule it with cron, the Windows Task Scheduler or a systemd timer (see docs/command-line.md)."""


def _date(text: str) -> dt.date:
    return calendar_date(text, "2026-11-23")


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
    _dashboard_pdf_argument(daily)
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


def workspace_name(workspace: Any) -> str:
    """The workspace's name for a digest: its file name (never the folders above it, which
    say where someone keeps their files), or user@host/database for a shared one."""
    from pathlib import Path

    path = getattr(workspace, "path", None)
    return Path(path).name if path is not None else str(workspace.display_name)


def _deliver(args: argparse.Namespace, workspace: Any, out: TextIO) -> Any:
    from services.listen.digest import check_sound
    from services.listen.digest_text import render_digest, send_digest
    from services.usecases.digest import daily_digest

    check_sound(workspace.engine)
    digest = daily_digest(workspace.engine, args.since)
    name = workspace_name(workspace)
    if args.to:
        send_digest(workspace.engine, digest, args.to, workspace=name)
        print(f"Emailed the digest ({digest.since_text}) to {args.to}.", file=out)
    else:
        print(render_digest(digest, args.format, workspace=name), file=out, end="")
    return digest


def cmd_digest(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print or email the digest."""
    from app.workspace import command_workspace

    with command_workspace(args.db) as workspace:
        _deliver(args, workspace, out)
    return EXIT_OK


def _require_existing(url: str) -> None:
    """A mistyped --db is refused before the lock is taken (the lock file would be left
    next to a workspace that does not exist)."""
    from app.workspace import workspace_exists
    from models.db import sqlite_path

    path = sqlite_path(url)
    if path is not None and path != ":memory:" and not workspace_exists(url):
        raise CommandError(
            f"There is no workspace at {path}: check the --db path, or build one with "
            "'demo' or 'import'. Nothing was done."
        )


def cmd_run_daily(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """The daily round, under the workspace's lock: each step does what it can, and a
    step that cannot run is said with why, the rest still running."""
    import logging

    from app.workspace import command_workspace, resolve_url
    from services.usecases.daily import RunLocked, daily_lock

    log = logging.getLogger("app.cli.daily")
    url = resolve_url(args.db)
    _require_existing(url)
    try:
        lock = daily_lock(url)
    except RunLocked as exc:
        print(str(exc), file=err)
        log.warning("run-daily: %s", exc)
        return EXIT_LOCKED
    dashboard_pdf = _check_dashboard_pdf(args)
    with lock, command_workspace(args.db) as workspace:
        if args.to:
            from services.listen.digest_text import check_can_send

            # Before the round: a digest that cannot be sent is said before any work.
            check_can_send(workspace.engine)
        log.info("run-daily started on %s", workspace_name(workspace))
        code = _round(workspace.engine, out, err, log)
        print(file=out)
        try:
            digest = _deliver(args, workspace, out)
        except UserFacingError as exc:
            raise CommandError(
                f"The round ran, but the digest was not made or sent: {exc}"
            ) from exc
        _write_dashboard_pdf(args, workspace, dashboard_pdf, out)
        from app.cli.notify import post_after_round

        # Slack or Teams, when set: the new alerts and the digest; a failure is said and
        # left for the next round, never failing this one.
        post_after_round(workspace.engine, digest, workspace_name(workspace), out, err)
        if not _keep_replay_current(workspace.engine, out, err, log) and code == EXIT_OK:
            code = EXIT_FAILURE
        log.info("run-daily finished")
    return code


def _keep_replay_current(engine: Any, out: TextIO, err: TextIO, log: Any) -> bool:
    """Once the alert rules have been replayed (``report alerts``, Results ▸ Early warning),
    replay them again when the workspace changed since, with the same weeks and budget:
    the weeks whose data did not change are read back, so a day's round adds at most the
    week that is new. False when the replay failed (said, the rest of the round kept)."""
    from services.alerts.config import default_actor
    from services.learn.alert_replay import last_replay, replay_alerts, save_replay

    kept, current = last_replay(engine)
    if kept is None or current:
        return True  # never replayed (it is started by hand), or nothing changed
    try:
        report = replay_alerts(engine, weeks=kept.weeks, budget=kept.budget)
        save_replay(engine, report, actor=default_actor())
    except UserFacingError as exc:
        print(f"The alert replay was not kept current: {exc}", file=err)
        log.warning("run-daily: the alert replay did not run: %s", exc)
        return False
    _say(
        f"Replayed the alert rules on {report.weeks} weeks to {report.end:%b %-d, %Y} "
        f"in {report.seconds:,.0f} s (Results ▸ Early warning).",
        out,
        log,
    )
    return True


def _say(line: str, out: TextIO, log: Any) -> None:
    print(line, file=out)
    log.info("run-daily: %s", line)


def _round(engine: Any, out: TextIO, err: TextIO, log: Any) -> int:
    """Import, score and alert; the exit code of what happened (the digest follows)."""
    from services.importing.watched import import_watched_folder
    from services.scoring.run import NothingToScore
    from services.usecases.refresh import score_and_alert, stop_playbooks

    imported = import_watched_folder(engine)
    for line in imported.lines():
        _say(line, out, log)
    # Orders imported stop the playbooks of those who ordered, even when no scoring runs.
    for line in stop_playbooks(engine):
        _say(line, out, log)
    code = EXIT_IMPORT_REFUSED if imported.failed else EXIT_OK
    try:
        result = score_and_alert(engine)
    except NothingToScore as exc:
        # A workspace of tickets and no orders yet: nothing to score is no failure.
        log.info("run-daily: %s", exc)
        _say(
            "Skipped the scoring and the alerts: there are no paid orders yet, so there is "
            "nothing to score. They run once orders are imported (an orders export in the "
            "watched folder, or the 'import' command).",
            out,
            log,
        )
        _read_sentiment(engine, out, log)
        return code
    except UserFacingError as exc:
        print(f"The scoring and the alerts did not run: {exc}", file=err)
        log.warning("run-daily: the scoring did not run: %s", exc)
        _read_sentiment(engine, out, log)
        return code if code != EXIT_OK else EXIT_FAILURE
    alerts = result.alerts.lines() if result.alerts else []
    for line in (*result.scores.lines()[:1], *alerts, *result.escalations):
        _say(line, out, log)
    if result.alerts is None:
        print(f"The alerts were not updated: {result.alerts_error}", file=err)
        return code if code != EXIT_OK else EXIT_FAILURE
    return code


def _read_sentiment(engine: Any, out: TextIO, log: Any) -> None:
    """What the scoring does first, done on its own when the scoring cannot run: the
    sentiment of new and changed tickets and reviews, which the digest counts."""
    from services.listen.sentiment import update_text_sentiment

    run = update_text_sentiment(engine)
    if run.scored:
        texts = "text" if run.scored == 1 else "texts"
        _say(f"Read the sentiment of {run.scored:,} {texts} (tickets and reviews).", out, log)


# --- run-daily --dashboard-pdf: the dashboard as a PDF (services/packs) -------------------


def _dashboard_pdf_argument(parser: argparse.ArgumentParser) -> None:
    from app.cli.output import add_output_option

    add_output_option(parser, "--dashboard-pdf", metavar="PDF",
                      help="also write the dashboard (totals, health mix, accounts at risk, "
                      "alerts) as a PDF, after the round")  # fmt: skip


def _check_dashboard_pdf(args: argparse.Namespace) -> Any:
    """The dashboard PDF's path, refused before the round when it must not be written."""
    from app.cli.output import check_output

    if not args.dashboard_pdf:
        return None
    return check_output(args, args.dashboard_pdf, what="the dashboard PDF")


def _write_dashboard_pdf(args: argparse.Namespace, workspace: Any, path: Any, out: TextIO) -> None:
    if path is None:
        return
    from app.cli.output import protected_files
    from app.cli.pack import application
    from app.gui.pack_files import pack_images, write_pack_file
    from services.packs.book import dashboard_pack

    try:
        pack = dashboard_pack(workspace.engine)
    except UserFacingError as exc:
        raise CommandError(f"The round ran, but the dashboard PDF was not written: {exc}") from exc
    app = application()
    written = write_pack_file(pack, pack_images(pack), "pdf", path, force=args.force,
                              protected=protected_files(args))  # fmt: skip
    del app
    print(f"Wrote the dashboard to {written}.", file=out)
