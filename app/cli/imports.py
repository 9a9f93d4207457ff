"""Commands import and imports: bring exports into the workspace, list and undo imports."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from app.cli.output import add_output_option
from models.vocab import RECORD_KINDS

KINDS = ("auto", *RECORD_KINDS, "conversations")

IMPORT_EPILOG = """\
Known exports (Salesforce, HubSpot, Zendesk, Shopify, Stripe, Mailchimp) are recognised
from their header. A plain orders file with the columns customer_id (or customer_email),
order_id, order_date and amount needs no mapping; other files are mapped by the
names and contents of their columns, or by a mapping profile saved in the window.
Exit code 0 when something landed (even with rejected rows), 1 when nothing could be."""


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add this module's commands to the main parser."""
    imp = commands.add_parser(
        "import",
        help="import CSV/XLSX exports and conversation files (files or folders)",
        description="Import exports into the workspace: one transaction per file; rows "
        "that cannot be read are reported and the good ones still land.",
        epilog=IMPORT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    imp.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to import")
    imp.add_argument(
        "--kind",
        choices=KINDS,
        default="auto",
        help="what the files hold (default: auto, recognised from the header)",
    )
    imp.add_argument("--profile", metavar="NAME", help="use this saved mapping profile")
    imp.add_argument("--recursive", action="store_true", help="also import the files in subfolders")
    imp.add_argument(
        "--dry-run", action="store_true", help="check and report everything, save nothing"
    )
    add_output_option(
        imp, "--rejects-csv", metavar="PATH",
        help="write every rejected row (file, row, reason) to this new CSV file",
        force_help="let --rejects-csv replace an existing file (never the workspace, an "
        "import or another database)",
    )  # fmt: skip
    imp.set_defaults(handler=cmd_import)

    imports = commands.add_parser(
        "imports",
        help="list past imports or undo one",
        description="The import history: list it, or undo an import.",
    )
    actions = imports.add_subparsers(dest="imports_command", metavar="ACTION")
    actions.add_parser("list", help="list the imports, newest first (the default)")
    undo = actions.add_parser("undo", help="undo an import (restores the state before it)")
    undo.add_argument("run_id", type=int, metavar="ID", help="the import id ('imports list')")
    imports.set_defaults(handler=cmd_imports)


# Set when the import command ran in this process (see end_process).
_ran: list[bool] = []


def end_process(code: int) -> None:
    """After the ``import`` command, end the process without tearing the interpreter
    down: the exit handlers run (the log is flushed and closed) and the output is
    flushed, then the process exits with ``code``. Freeing every object and module of a
    process that held a million rows one by one costs about 0.15 s of CPU, for nothing
    once the workspace is closed. Returns (the usual exit follows) after any other
    command, when another thread still runs, or when the output cannot be flushed."""
    from app.logging_setup import end_without_teardown

    if _ran:
        end_without_teardown(code)


def _progress_printer(err: TextIO) -> Any:
    last = [-1.0]

    def progress(fraction: float, message: str) -> None:
        step = int(fraction * 10)
        if step != last[0]:
            last[0] = step
            print(f"  {fraction:4.0%}  {message}", file=err, flush=True)

    return progress


def cmd_import(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Import files and print the report of each; exit 1 when any file was not imported
    (the ones that landed stay imported)."""
    from pathlib import Path

    from app.cli.output import check_output, protected_files
    from app.workspace import command_workspace, resolve_url
    from services.core.output_files import display_path
    from services.importing.files import check_rejects_folder
    from services.importing.service import (
        expand_paths,
        not_understood,
        run_import,
        subfolder_files,
        write_rejects_csv,
    )

    # A missing path, a pipe or an empty folder fails before the workspace opens.
    paths = expand_paths(args.paths, recursive=args.recursive)
    if not args.recursive:
        for raw in args.paths:
            folder = Path(raw).expanduser()
            if folder.is_dir() and (skipped := subfolder_files(folder)):
                print(
                    f"note: {skipped:,} file(s) in subfolders of {display_path(folder)} "
                    "were not imported; add --recursive to import them too.",
                    file=err,
                )
    for unread in not_understood(args.paths, recursive=args.recursive):
        print(
            f"note: {display_path(unread)} was not imported: it is a JSON file but not a "
            "product-usage export (a manifest or a settings file, say).",
            file=err,
        )
    resolve_url(args.db)  # a location the organisation locks is refused before any work
    rejects_path = None
    if args.rejects_csv:
        # Refused before anything is imported: the workspace and the exports being read
        # are never written over, and any other existing file only with --force.
        rejects_path = check_output(args, args.rejects_csv, what="the rejected rows", reads=paths)
        check_rejects_folder(rejects_path)
    _ran.append(True)
    with command_workspace(args.db, create=True) as workspace:
        report = run_import(
            workspace.engine,
            paths,
            kind=args.kind,
            profile=args.profile,
            dry_run=args.dry_run,
            progress=_progress_printer(err),
        )
        stopped = _stop_playbooks(workspace.engine) if report.landed and not args.dry_run else []
    for line in [*report.lines(), *stopped]:
        print(line, file=out)
    if rejects_path is not None:
        rejects = [r for f in report.files for r in f.rejects]
        write_rejects_csv(
            rejects, rejects_path, force=args.force, protected=protected_files(args, *paths)
        )
        print(f"wrote {len(rejects):,} rejected row(s) to {args.rejects_csv}", file=out)
    failed = [f for f in report.files if f.error]
    if not report.landed:
        reason = failed[0].error if failed else "no file could be imported"
        print(f"error: nothing was imported: {' '.join(str(reason).split())}", file=err)
        return 1
    if failed:
        # Some files landed (their summaries are above and they stay imported), some not.
        names = ", ".join(f.file for f in failed)
        print(
            f"error: {len(failed):,} of {len(report.files):,} files were not imported "
            f"({names}); the others landed. Fix those files and import them again.",
            file=err,
        )
        return 1
    return 0


def _stop_playbooks(engine: Any) -> list[str]:
    """As the window's import does: a customer who ordered since their playbook started
    stops it (services/usecases/refresh.py). When no playbook runs (the usual case) one
    indexed read says so, without loading the alerts' modules for nothing (about 0.05 s
    of the command's CPU)."""
    if not _a_playbook_runs(engine):
        return []
    from services.usecases.refresh import stop_playbooks

    return stop_playbooks(engine)


def _a_playbook_runs(engine: Any) -> bool:
    """Whether any playbook runs; True when that cannot be read, so that the check
    itself runs and says why it could not."""
    from sqlalchemy import select
    from sqlalchemy.exc import SQLAlchemyError

    from models.schema import PlaybookRun

    try:
        with engine.connect() as conn:
            running = conn.execute(
                select(PlaybookRun.id).where(PlaybookRun.stopped_at.is_(None)).limit(1)
            ).first()
    except SQLAlchemyError:
        return True
    return running is not None


def cmd_imports(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """List the import history or undo an import."""
    from app.workspace import command_workspace
    from services.importing.service import list_imports, undo_import

    with command_workspace(args.db) as workspace:
        if args.imports_command == "undo":
            result = undo_import(workspace.engine, args.run_id)
            print(result.message, file=out)
            return 0
        runs = list_imports(workspace.engine)
    if not runs:
        print("No imports yet. Import files with: main.py import PATH...", file=out)
        return 0
    header = ("id", "when (UTC)", "file", "format", "status", "read", "ins", "upd", "rej", "undo")
    rows = [
        (
            str(r.run_id),
            r.started_at.strftime("%Y-%m-%d %H:%M"),
            r.file_name,
            r.detected_format,
            r.status,
            f"{r.rows_read:,}",
            f"{r.inserted:,}",
            f"{r.updated:,}",
            f"{r.rejected:,}",
            "yes" if r.can_undo else (r.undo_blocked_reason or "no"),
        )
        for r in runs
    ]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header[:-1])]
    for row in [header, *rows]:
        cells = [c.ljust(w) for c, w in zip(row[:-1], widths, strict=True)]
        print("  ".join([*cells, row[-1]]).rstrip(), file=out)
    return 0
