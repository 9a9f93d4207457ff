"""The command line: the window by default, a command when given one (docs/design.md section 10).

Exit codes: 0 success, 1 failure with a one-line reason on stderr, 2 usage error.
Heavy modules are imported inside the commands so that `--help` and the window start fast.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

from app.cli.args import whole_number
from app.cli.errors import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, CommandError
from app.cli.output import output_file
from app.cli.window import open_window, window_unavailable
from models.errors import UserFacingError

log = logging.getLogger(__name__)

MAX_DEMO_CUSTOMERS = 1_000_000

# Modules that add commands: each has ``register(commands)``, which adds its subparsers
# and sets ``handler=fn(args, out, err) -> exit code`` on them. They must import only
# the standard library at module level, so that --help stays fast.
COMMAND_MODULES = (
    "app.cli.imports",
    "app.cli.score",
    "app.cli.alerts",
    "app.cli.export",
    "app.cli.draft",
    "app.cli.report",
    "app.cli.ask",
    "app.cli.daily",
    "app.cli.config",
    "app.cli.update",
    "app.cli.team",
    "app.cli.members",
    "app.cli.renewals",
    "app.cli.contacts",
    "app.cli.conversations",
    "app.cli.notify",
    "app.cli.pack",
    "app.cli.consent",
    "app.cli.customer_filters",
)

DESCRIPTION = """\
Account Radar: find the customers you are about to lose, and win them back.
Run without a command to open the window on the workspace (with no data yet, the
first launch offers the demo workspace or an empty workspace of your own)."""

EPILOG = """\
The workspace is --db, else $ACCOUNT_RADAR_DB, else the default file in your
user data folder. Examples:
  python main.py demo --customers 5000 --seed 11
  python main.py --db team.radar.sqlite db check
  python main.py db backup ~/radar-backup.sqlite"""


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with the usage line and a one-line reason."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for main.py."""
    parser = _Parser(
        prog="main.py",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--db", metavar="PATH_OR_URL", help="workspace file or SQLAlchemy URL (any command)"
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="open the window offscreen on a temporary demo workspace, check it, and exit",
    )
    # The self-test's second start, in a process of its own (app/gui/selftest_relaunch.py).
    parser.add_argument("--self-test-relaunch", metavar="PATH", help=argparse.SUPPRESS)
    parser.add_argument("--self-test-settings", metavar="PATH", help=argparse.SUPPRESS)
    parser.add_argument("--version", action=_VersionAction)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    demo = commands.add_parser(
        "demo",
        help="build (or rebuild) the demo workspace",
        description="Build, or rebuild, a demo workspace of a B2C apparel retailer: "
        "customers, 3 years of orders, tickets, reviews, emails and opportunities, then "
        "score it and raise its alerts (as the window's demo).",
    )
    demo.add_argument(
        "--customers",
        type=whole_number(1, MAX_DEMO_CUSTOMERS),
        default=2000,
        metavar="N",
        help="number of customers (default 2000)",
    )
    demo.add_argument(
        "--seed", type=whole_number(), default=7, metavar="S", help="random seed (default 7)"
    )
    demo.add_argument(
        "--no-score", action="store_true", help="leave it unscored (no scores, no alerts)"
    )

    db = commands.add_parser(
        "db",
        help="upgrade, back up or check the workspace database",
        description="Workspace database upkeep.",
    )
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", parser_class=_Parser)
    db_commands.required = True
    db_commands.add_parser("upgrade", help="upgrade the schema to this version (backs up first)")
    backup = db_commands.add_parser("backup", help="copy the workspace to a new file")
    backup.add_argument(
        "path", type=output_file, metavar="PATH", help="the backup file to write (must not exist)"
    )
    db_commands.add_parser("check", help="check integrity, schema version and row counts")
    for module in COMMAND_MODULES:
        importlib.import_module(module).register(commands)
    return parser


def _version() -> str:
    from services.core.version import version_text

    return version_text()


class _VersionAction(argparse._VersionAction):
    """--version, the version read (from pyproject.toml) only when asked for: every other
    command starts without it."""

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        self.version = f"Account Radar {_version()}"
        super().__call__(parser, *args, **kwargs)


# --- commands ---------------------------------------------------------------------------


def cmd_demo(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Build or rebuild the demo workspace and print what it holds."""
    from app.workspace import command_workspace
    from services.demo import build_demo

    with command_workspace(args.db, create=True) as workspace:
        last = [-1]

        def progress(fraction: float, message: str) -> None:
            step = int(fraction * 10)
            if step != last[0]:
                last[0] = step
                print(f"  {fraction:4.0%}  {message}", file=err, flush=True)

        summary = build_demo(
            workspace.engine, customers=args.customers, seed=args.seed, progress=progress
        )
        print(
            f"Built the demo workspace at {workspace.display_name}: "
            f"{summary.customers:,} customers, {summary.orders:,} orders, "
            f"{summary.interactions:,} interactions, {summary.opportunities:,} opportunities, "
            f"{summary.subscriptions:,} subscriptions (seed {summary.seed}, as of "
            f"{summary.today}).",
            file=out,
        )
        if not args.no_score:
            _score_demo(workspace.engine, out, progress)
    return EXIT_OK


def _score_demo(engine: Any, out: TextIO, progress: Callable[[float, str], None]) -> None:
    """Score the demo and raise its alerts, as the window's demo is; a problem leaves it
    built and unscored, and says so."""
    from models.errors import UserFacingError
    from services.usecases.refresh import score_and_alert

    try:
        result = score_and_alert(engine, progress=progress)
    except UserFacingError as exc:
        print(f"Not scored: {exc} Run `score` when the data allows it.", file=out)
        return
    scores = result.scores
    alerts = result.alerts
    print(
        f"Scored {scores.customers:,} customers as of {scores.as_of.isoformat()}"
        + (f"; {alerts.created:,} alerts raised." if alerts is not None else ".")
        + (f" The alerts were not updated: {result.alerts_error}" if result.alerts_error else ""),
        file=out,
    )


def cmd_db_upgrade(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Upgrade the workspace schema to this build's head (after a backup)."""
    from app.workspace import command_workspace
    from models.db import translate_db_errors
    from models.migrate import head_revision
    from services.core.offline_origin import read_origin
    from services.core.rollups import refresh_rollups

    # Also the repair for per-customer totals that `db check` finds out of date (not in an
    # offline copy: its totals are the server's, over more orders than the copy holds).
    with (
        command_workspace(args.db, create=True) as workspace,
        translate_db_errors(),
        workspace.sessions() as session,
        session.begin(),
    ):
        if read_origin(workspace.engine) is None:
            refresh_rollups(session)
    if workspace.created:
        print(
            f"Created a new workspace at {workspace.display_name} (schema {head_revision()}).",
            file=out,
        )
    elif workspace.backup_path is not None:
        print(
            f"Upgraded {workspace.display_name} to schema {head_revision()}; "
            f"the previous version was backed up to {workspace.backup_path}.",
            file=out,
        )
    else:
        print(f"{workspace.display_name} is up to date (schema {head_revision()}).", file=out)
    return EXIT_OK


def _open_existing_engine(db: str | None) -> tuple[str, object]:
    """An engine on an existing workspace, without creating or upgrading anything."""
    from app.workspace import check_existing_file, resolve_url
    from models.db import make_engine, sqlite_path
    from services.team.connect import check_connection, connect_url, shared_address

    url = resolve_url(db)
    path = sqlite_path(url)
    if path is not None:
        p = Path(path)
        if not p.is_file() or p.stat().st_size == 0:
            raise CommandError(f"There is no workspace at {p}. Build one with 'demo' or give --db.")
        check_existing_file(p, need_write=False)
        if _read_only_place(p):
            import sqlite3

            uri = _read_only_uri(p)
            return url, make_engine(url, creator=lambda: sqlite3.connect(uri, uri=True))
    shared = shared_address(url)
    if shared is None:
        return url, make_engine(url)
    # A shared workspace: its password from the keyring (or PGPASSWORD, ~/.pgpass), and a
    # refused login or an unreachable server said in plain words.
    engine_url, source = connect_url(url)
    engine = make_engine(engine_url)
    try:
        check_connection(engine, shared, source)
    except BaseException:
        engine.dispose()
        raise
    return shared.url, engine


def _read_only_place(path: Path) -> bool:
    """True when the workspace file or its folder cannot be written (a read-only drive or
    share): SQLite then cannot make the files it reads a WAL workspace with."""
    return not (os.access(path.parent, os.W_OK) and os.access(path, os.W_OK))


def _read_only_uri(path: Path) -> str:
    """A SQLite URI that reads the workspace without writing anything beside it (SQLite's
    immutable mode), or CommandError when changes wait in its -wal file (they would be
    left out of what is read)."""
    from services.core.output_files import display_path

    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise CommandError(
            f"{display_path(path)} is on a drive or in a folder that cannot be written to, "
            f"and its latest changes are still in {display_path(wal.name)}. Copy both files "
            "to a folder you can write to and run the command on the copy."
        )
    return f"{path.absolute().as_uri()}?mode=ro&immutable=1"


def cmd_db_backup(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Copy the workspace, as it is, to a new file."""
    from sqlalchemy import Engine

    from models.migrate import backup_sqlite, inspect_schema

    destination = Path(args.path).expanduser()
    if destination.exists():
        raise CommandError(f"{destination} already exists; choose a new file name for the backup.")
    _, engine = _open_existing_engine(args.db)
    assert isinstance(engine, Engine)
    try:
        if not inspect_schema(engine).is_workspace:
            raise CommandError(
                "That database is not an Account Radar workspace; nothing was copied."
            )
        written = backup_sqlite(engine, destination)
    finally:
        engine.dispose()
    print(f"Backed up the workspace to {written} ({written.stat().st_size:,} bytes).", file=out)
    return EXIT_OK


def cmd_db_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Check integrity, schema revision and row counts; exit 1 when something is wrong."""
    from sqlalchemy import Engine

    from models.integrity import check_workspace

    url, engine = _open_existing_engine(args.db)
    assert isinstance(engine, Engine)
    try:
        report = check_workspace(engine)
        if not report.problems and report.revision == report.head:
            from sqlalchemy.orm import Session

            from models.db import translate_db_errors
            from services.core.offline_origin import read_origin
            from services.core.rollups import stale_rollups

            with translate_db_errors(), Session(engine) as session:
                stale = stale_rollups(session)
            origin = read_origin(engine)
            if stale and origin is not None:
                # An offline copy holds the server's totals (every order) but only the
                # orders of its last months: they differ by design.
                report.notes.append(
                    f"an offline copy of {origin.label}: the per-customer totals are the "
                    f"server's, its orders those since {origin.since.date().isoformat()}"
                )
            elif stale:
                report.problems.append(
                    f"the per-customer totals of {stale:,} customer(s) are out of date; "
                    "'db upgrade' rebuilds them"
                )
    finally:
        engine.dispose()
    for line in report.lines():
        print(line, file=out)
    if report.problems:
        print(
            f"error: the workspace check found {len(report.problems)} problem(s): "
            f"{report.problems[0]}",
            file=err,
        )
        return EXIT_FAILURE
    return EXIT_OK


def _dispatch(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    handler = getattr(args, "handler", None)
    if handler is not None:
        return int(handler(args, out, err))
    if args.command == "demo":
        return cmd_demo(args, out, err)
    if args.command == "db":
        handlers = {"upgrade": cmd_db_upgrade, "backup": cmd_db_backup, "check": cmd_db_check}
        return handlers[args.db_command](args, out, err)
    raise AssertionError(f"unhandled command {args.command!r}")


def _say_set_aside(args: argparse.Namespace, err: TextIO, earlier: int) -> None:
    """A damaged file of the person's own (settings, recent list, profile) that this
    command set aside (after the ``earlier`` ones) is said, whatever the command
    (``config show`` says it itself)."""
    from services.core.output_files import display_path
    from services.core.safe_read import set_aside_in_this_run

    if args.command == "config":
        return
    for path, moved in set_aside_in_this_run()[earlier:]:
        print(
            f"note: {display_path(path)} could not be used and was set aside as "
            f"{display_path(moved.name)}; its defaults were used.",
            file=err,
        )


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Parse arguments and run the window, the self-test or a command; return the exit code."""
    for stream in (sys.stdout, sys.stderr):
        # A file name that is not valid UTF-8 reaches us with surrogate escapes: print it
        # escaped rather than crash on it.
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    out = out or sys.stdout
    err = err or sys.stderr
    parser = build_parser()
    # An accountradar:// link (the desktop hands it over as the last argument) opens the
    # window on what it names; it is not a command.
    given = list(sys.argv[1:] if argv is None else argv)
    link = given.pop() if given and given[-1].lower().startswith("accountradar:") else None
    try:
        args = parser.parse_args(given)
        if link is not None and args.command is not None:
            parser.error("an accountradar:// link opens the window: give it without a command")
    except SystemExit as exc:  # --help, --version and usage errors
        return int(exc.code or 0)

    from app.logging_setup import setup_logging

    log_path = setup_logging()
    if args.self_test_relaunch:
        from app.gui.selftest_relaunch import run_relaunch_check

        return run_relaunch_check(args.self_test_relaunch, args.self_test_settings or "")
    if args.self_test:
        if args.command:
            parser.error("--self-test takes no command")
        try:
            from app.gui.selftest import run_self_test
        except ImportError as exc:
            return window_unavailable(exc, err)
        return run_self_test()
    if args.command is None:
        return open_window(args.db, err, link)
    from services.core.safe_read import set_aside_in_this_run

    earlier = len(set_aside_in_this_run())
    try:
        code = _dispatch(args, out, err)
        out.flush()  # a closed pipe shows here, not in the interpreter's final flush
        _say_set_aside(args, err, earlier)
        return code
    except UserFacingError as exc:
        print(f"error: {_one_line(str(exc))}", file=err)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("error: interrupted; the workspace was left as it was.", file=err)
        return EXIT_FAILURE
    except BrokenPipeError:
        # The reader went away (`... | head`): stop quietly, as Unix tools do. Later
        # writes, including the interpreter's final flush, go to /dev/null.
        _silence_stdout()
        return EXIT_OK
    except Exception as exc:  # a bug: keep the traceback in the log, one line for the user
        log.exception("command %s failed", args.command)
        print(
            f"error: unexpected failure ({type(exc).__name__}: {_failure_text(exc)}); "
            f"details are in {log_path}",
            file=err,
        )
        return EXIT_FAILURE


def _silence_stdout() -> None:
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _failure_text(exc: BaseException) -> str:
    """An unexpected failure in one line, without the values a database statement held:
    a database error's text lists the statement's parameters (a customer's email, phone
    or address) and PostgreSQL's DETAIL line the key's values; only the database's first
    line is shown, the rest goes to the log."""
    orig = getattr(exc, "orig", None)
    if orig is not None and hasattr(exc, "statement"):
        lines = str(orig).strip().splitlines()
        return _one_line(lines[0]) if lines else type(orig).__name__
    return _one_line(str(exc))


def _one_line(text: str) -> str:
    return " ".join(text.split())
