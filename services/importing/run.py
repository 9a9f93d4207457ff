"""The import itself, one transaction per file: read the file, plan it, convert it to the
canonical batch and check it, settle currencies and offsets, write it, refresh the
rollups and record the run in import_runs; a file that cannot be imported gets a report
saying why, and the files after it are still tried."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.orm import Session

from models.base import utcnow
from models.db import translate_db_errors
from models.errors import UserFacingError
from models.schema import Customer, ImportRun, Order
from services.core.output_files import display_path
from services.core.rollups import OrderFacts, refresh_rollups
from services.core.writing import workspace_writer
from services.importing import conversation_files, generic, profiles, usage
from services.importing.allocator import bulk_allocation
from services.importing.canonical import Batch, Reject
from services.importing.checks import cap_texts, implausible_dates, repaired_note
from services.importing.companies import settle_companies
from services.importing.contracts import add_renewal_terms
from services.importing.conversation_files import CONVERSATIONS_KIND
from services.importing.files import expand_paths
from services.importing.planning import (
    Plan,
    check_kind,
    duplicates_text,
    make_plan,
    open_table,
)
from services.importing.rowhash import RowHashes, skip_unchanged
from services.importing.settling import settle_currencies, settle_offsets
from services.importing.storage import WriteResult
from services.importing.transaction import (
    Clock,
    bulk_indexes,
    import_transaction,
    rollups_current,
)
from services.importing.types import (
    FileReport,
    ImportCancelled,
    ImportReport,
    KindCounts,
    RejectedRow,
)
from services.importing.writer import Writer

log = logging.getLogger(__name__)

ProgressFn = Callable[[float, str], None]
CancelledFn = Callable[[], bool]

MAX_STORED_REJECTS = 10_000

_T = TypeVar("_T")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _convert(plan: Plan) -> tuple[Batch, int]:
    """The canonical batch (malformed rows added as rejects) and the rows read."""
    table = plan.table
    footer: set[int] = set()
    if plan.adapter is not None:
        footer = set(plan.adapter.footer_rows(table))
        batch = plan.adapter.convert(table)
    else:
        assert plan.mapping is not None
        batch = generic.convert(
            table,
            plan.kind,
            plan.mapping,
            source=plan.source,
            detected_format=plan.detected_format,
        )
    extra = [
        Reject(file=table.file_name, row=row, reason=reason)
        for row, reason, _raw in table.malformed
        if row not in footer
    ]
    if extra:
        batch.rejects = sorted([*batch.rejects, *extra], key=lambda r: r.row)
    return batch, batch.rows_read + len(extra)


def _rejected_rows(batch: Batch) -> tuple[RejectedRow, ...]:
    return tuple(
        RejectedRow(file=Path(r.file).name, row=r.row, reason=r.reason) for r in batch.rejects
    )


def _file_error(
    path: Path,
    detected: str,
    message: str,
    rows_read: int = 0,
    rejects: tuple[RejectedRow, ...] = (),
    kind: str = "",
) -> FileReport:
    return FileReport(
        file=path.name,
        detected_format=detected,
        run_id=None,
        landed=False,
        rows_read=rows_read,
        inserted=0,
        updated=0,
        unchanged=0,
        rejected=len(rejects),
        rejects=rejects,
        notes=(),
        error=message,
        kind=kind,
    )


def failed_file(path: str | Path, error: Exception) -> FileReport:
    """The report of a file none of which was imported because of ``error``: its own
    message when it is a UserFacingError, else (a bug, logged) "unexpected failure". For
    the files of a multi-file import, which keeps the reports of the files before it."""
    path = Path(path)
    if isinstance(error, UserFacingError):
        return _file_error(path, "unknown", str(error))
    log.error("The import of %s failed", path, exc_info=error)
    return _file_error(
        path,
        "unknown",
        f"unexpected failure ({type(error).__name__}); nothing from {path.name} was "
        "saved. The details are in the log file; please report it.",
    )


def _import_one(
    engine: Engine,
    path: Path,
    *,
    kind: str,
    profile: str | None,
    mapping: Mapping[str, str | None] | None,
    save_as: str | None,
    dry_run: bool,
    progress: Callable[[float, str], None],
    cancelled: CancelledFn | None,
) -> FileReport:
    plain = mapping is None and profile is None
    told = kind == CONVERSATIONS_KIND  # read as conversations, or refused in words
    if plain and (told or (kind == "auto" and conversation_files.sniff(path))):
        # Calls, chats, emails and mentions: matched to their accounts, never rows of a
        # table (services/importing/conversation_files.py).
        return conversation_files.import_conversations(
            engine, path, dry_run=dry_run, progress=progress, cancelled=cancelled
        )
    if mapping is None and profile is None and (found := usage.sniff(path)) is not None:
        # Product usage is a source of its own: summed per customer and day, never rows of
        # the generic mapping (logins and notes of new, nameless customers).
        return usage.import_usage(
            engine, path, found, kind=kind, dry_run=dry_run, progress=progress, cancelled=cancelled
        )
    with bulk_allocation():  # services/importing/allocator.py
        return _import_table(
            engine,
            path,
            kind=kind,
            profile=profile,
            mapping=mapping,
            save_as=save_as,
            dry_run=dry_run,
            progress=progress,
            cancelled=cancelled,
        )


def _import_table(  # noqa: PLR0915
    engine: Engine,
    path: Path,
    *,
    kind: str,
    profile: str | None,
    mapping: Mapping[str, str | None] | None,
    save_as: str | None,
    dry_run: bool,
    progress: Callable[[float, str], None],
    cancelled: CancelledFn | None,
) -> FileReport:
    def check() -> None:
        if cancelled is not None and cancelled():
            raise ImportCancelled(f"Import cancelled; nothing from {path.name} was saved.")

    progress(0.0, f"reading {path.name}")
    clock = Clock(path.name)
    try:
        table = open_table(path, defer=True)
        clock.lap("read")
    except UserFacingError as exc:
        return _file_error(path, "unknown", str(exc))
    check()
    if mapping is None and (duplicates := duplicates_text(table)):
        # Taking the first of two same-named columns would import one of them silently.
        return _file_error(
            path,
            "unknown",
            f"the file has more than one column named {duplicates}; rename them in the "
            "file, or import it in the window and choose the columns in the mapping step",
        )
    with translate_db_errors(), Session(engine) as session:
        try:
            plan = make_plan(session, table, kind=kind, profile=profile, mapping=mapping)
        except UserFacingError as exc:
            return _file_error(path, "generic", str(exc))
    if plan.needs_mapping:
        message = (
            f"{plan.problems[0] if plan.problems else 'the columns could not be mapped'}. "
            "Import it in the window to confirm the mapping, or pass --profile NAME "
            "(a mapping saved in the window)."
        )
        return _file_error(path, "generic", message)
    progress(0.25, f"checking {path.name}")
    hashes = _skip_unchanged(engine, plan)
    skipped = hashes.skipped
    try:
        batch, rows_read = _convert(plan)
    except UserFacingError as exc:
        return _file_error(path, plan.detected_format, str(exc), kind=plan.kind)
    rows_read += skipped
    batch.notes.extend(cap_texts(batch, longest=table.longest_record))
    rejects = _rejected_rows(batch)
    batch.notes.extend(implausible_dates(batch))
    # The text table is no longer needed (its header is): free it before the writer runs.
    table.frame = table.frame.iloc[:0]
    clock.lap("convert")
    check()
    if not skipped and not any(len(f) for f in batch.frames.values()):
        if rows_read == 0:
            why = f"{path.name} has a header but no data rows"
        else:
            why = (
                f"none of the {rows_read:,} rows of {path.name} could be read "
                "(see the rejected rows)"
            )
        return _file_error(
            path,
            plan.detected_format,
            why,
            rows_read,
            rejects,
            kind=plan.kind,
        )
    progress(0.4, f"saving {path.name}")
    sha = _sha256(path)
    started = utcnow()
    with import_transaction(engine, commit=not dry_run) as session:
        conn = session.connection()
        run_id = _start_run(conn, path, sha, plan, started)
        held_orders = conn.execute(select(Order.id).limit(1)).first() is not None
        if save_as:
            assert plan.mapping is not None
            profiles.save_profile(
                session, save_as, plan.kind, table.header, plan.mapping, source=plan.source
            )
        writer = Writer(
            conn,
            run_id,
            cancelled=cancelled,
            progress=lambda f, m: progress(0.4 + 0.5 * f, m),
        )
        money_notes = settle_currencies(session, batch)
        settle_offsets(session, batch)
        hashes.attach(conn, batch.frames)
        # HubSpot companies are accounts of their contacts, never customers of their own.
        company_notes, accounts = settle_companies(session, batch)
        # A CRM's renewal opportunities are contract terms too (on the customers the
        # company step just settled).
        add_renewal_terms(batch)
        with bulk_indexes(session, batch, clock):
            result = writer.write(batch)
            _count_skipped(result, skipped)
            clock.lap("write")
        rejects = _with_written_rejects(rejects, result, path.name)
        check()
        progress(0.92, f"updating customer totals for {path.name}")
        _refresh_rollups(session, result, money_notes, None if held_orders else batch)
        clock.lap("rollups")
        check()
        notes = list(batch.notes) + company_notes + result.notes + money_notes
        if result.customers_created and "customers" not in batch.frames:
            notes.append(f"{result.customers_created:,} new customer(s) created from the records")
        notes.extend(_owners_for_new(session, run_id, result.customers_created))
        if table.encoding == "cp1252":
            notes.append("read as Windows-1252 (the file is not UTF-8)")
        if table.repaired_lines:
            notes.append(repaired_note(table.repaired_lines))
        report = {
            "encoding": table.encoding,
            "repaired_lines": list(table.repaired_lines[:MAX_STORED_REJECTS]),
            "delimiter": table.delimiter,
            "unchanged": result.unchanged,
            "by_kind": result.by_kind,
            "customers_created": result.customers_created,
            "notes": notes,
            "rejects_total": len(rejects),
            "rejects": [{"row": r.row, "reason": r.reason} for r in rejects[:MAX_STORED_REJECTS]],
            "dry_run": dry_run,
        }
        if accounts is not None:
            # Kept for contacts and deals imported later (services/importing/companies.py).
            report["accounts"] = accounts
        conn.execute(
            update(ImportRun)
            .where(ImportRun.id == run_id)
            .values(
                status="landed",
                finished_at=utcnow(),
                rows_read=rows_read,
                inserted=result.inserted,
                updated=result.updated,
                rejected=len(rejects),
                report=report,
            )
        )
    clock.lap("commit")
    clock.log()
    return FileReport(
        file=path.name,
        detected_format=plan.detected_format,
        run_id=None if dry_run else run_id,
        landed=True,
        rows_read=rows_read,
        inserted=result.inserted,
        updated=result.updated,
        unchanged=result.unchanged,
        rejected=len(rejects),
        rejects=rejects,
        notes=tuple(notes),
        error=None,
        kind=plan.kind,
        by_kind=tuple(
            KindCounts(kind, c["inserted"], c["updated"], c["unchanged"])
            for kind, c in result.by_kind.items()
        ),
    )


def _owners_for_new(session: Session, run_id: int, created: int) -> list[str]:
    """The customers this import created without an owner take the owner their segment's
    rule names (services/segment_policy/owners.py); the summary's line when any did."""
    from services.core.profile import current_actor
    from services.segment_policy import give_rule_owners

    if not created:
        return []
    ids = session.scalars(select(Customer.id).where(Customer.import_run_id == run_id))
    given = give_rule_owners(session, list(ids), actor=current_actor())
    return [given.words(new=True)] if given.count else []


def _skip_unchanged(engine: Engine, plan: Plan) -> RowHashes:
    """Drop the file's rows stored as they are (services/importing/rowhash.py)."""
    with translate_db_errors():
        return skip_unchanged(engine, plan) or RowHashes.none()


def _with_written_rejects(
    rejects: tuple[RejectedRow, ...], result: WriteResult, name: str
) -> tuple[RejectedRow, ...]:
    """The rejected rows with those the writer could not place (an activity whose
    customer is not in the workspace), in row order."""
    if not result.rejects:
        return rejects
    found = [RejectedRow(file=name, row=r, reason=why) for r, why in result.rejects]
    return tuple(sorted([*rejects, *found], key=lambda r: r.row))


def _count_skipped(result: WriteResult, skipped: int) -> None:
    """Rows skipped by their stored hash are unchanged orders."""
    if skipped:
        result.unchanged += skipped
        counts = result.by_kind.setdefault("orders", {"inserted": 0, "updated": 0, "unchanged": 0})
        counts["unchanged"] += skipped


def _refresh_rollups(
    session: Session, result: WriteResult, money_notes: list[str], every_order: Batch | None
) -> None:
    """The customer rollups, refreshed unless the file left them current (a re-sync).
    ``every_order``: the batch, when its orders are all of the workspace's (it held none
    before this file)."""
    if not rollups_current(session, result, money_notes):
        refresh_rollups(session, None if every_order is None else _order_facts(every_order))


def _order_facts(batch: Batch) -> OrderFacts | None:
    """The currencies of the batch's orders (settled: every row has one) and whether any
    has a UTC offset; None when the batch cannot tell (no currency column). Rows not
    written (rejected, repeated) are counted too: they can only make the answer "maybe",
    which the rollups then check by reading the orders."""
    frame = batch.frames.get("orders")
    if frame is None or not len(frame):
        return OrderFacts(frozenset(), offsets=False)
    if "currency" not in frame.columns:
        return None
    currencies = frame["currency"].unique().tolist()
    if any(not isinstance(c, str) for c in currencies):
        return None
    offsets = "utc_offset_minutes" in frame.columns and bool(
        frame["utc_offset_minutes"].notna().any()
    )
    return OrderFacts(frozenset(currencies), offsets=offsets)


def _start_run(conn: Connection, path: Path, sha: str, plan: Plan, started: dt.datetime) -> int:
    result = conn.execute(
        insert(ImportRun).values(
            source_path=display_path(path.resolve()),
            file_name=display_path(path.name),
            file_sha256=sha,
            detected_format=plan.detected_format,
            kind=plan.kind,
            profile_name=plan.profile_name,
            status="running",
            started_at=started,
            rows_read=0,
            inserted=0,
            updated=0,
            rejected=0,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


@dataclass(frozen=True)
class FileRequest:
    """One file to import and how: its kind, a saved profile or a column mapping (the
    window's preview chooses one per file), and the name to save that mapping under."""

    path: str | Path
    kind: str = "auto"
    profile: str | None = None
    mapping: Mapping[str, str | None] | None = None
    save_as: str | None = None


def run_import(
    engine: Engine,
    paths: Sequence[str | Path],
    *,
    kind: str = "auto",
    profile: str | None = None,
    mappings: dict[str, dict[str, str | None]] | None = None,
    save_profiles: dict[str, str] | None = None,
    dry_run: bool = False,
    progress: ProgressFn | None = None,
    cancelled: CancelledFn | None = None,
) -> ImportReport:
    """Import files (folders expand to the files in them), one transaction each, all with
    one kind and profile; see the module docstring."""
    check_kind(kind)
    files = expand_paths(paths)
    if profile is not None:
        # A profile that does not exist is a mistake for every file: say so once.
        with translate_db_errors(), Session(engine) as session:
            profiles.get_profile(session, profile)
    mappings = {str(Path(k)): v for k, v in (mappings or {}).items()}
    save_profiles = {str(Path(k)): v for k, v in (save_profiles or {}).items()}

    def chosen(table: Mapping[str, _T], path: Path) -> _T | None:
        return table.get(str(path)) or table.get(str(path.resolve()))

    requests = [
        FileRequest(
            path,
            kind=kind,
            profile=profile,
            mapping=chosen(mappings, path),
            save_as=chosen(save_profiles, path),
        )
        for path in files
    ]
    return import_requests(
        engine, requests, dry_run=dry_run, progress=progress, cancelled=cancelled
    )


def import_requests(
    engine: Engine,
    requests: Sequence[FileRequest],
    *,
    dry_run: bool = False,
    progress: ProgressFn | None = None,
    cancelled: CancelledFn | None = None,
) -> ImportReport:
    """Import the files in the order given, each its own transaction, each with its own
    kind, profile or mapping.

    A file that cannot be imported gets a report saying why and the files after it are
    still tried. A cancel raises ImportCancelled carrying the reports of the files that
    landed before it, the file being read (nothing of it saved) and the files not started.
    New and changed texts get their sentiment and reasons once, after the last file.
    Not while scoring or an undo holds the workspace (services/core/writing.py): a dry
    run, which writes nothing, does not wait for them.
    """
    for request in requests:
        check_kind(request.kind)
    holding = contextlib.nullcontext() if dry_run else workspace_writer(engine, "an import")
    with holding:
        return _import_requests(
            engine, requests, dry_run=dry_run, progress=progress, cancelled=cancelled
        )


def _import_requests(
    engine: Engine,
    requests: Sequence[FileRequest],
    *,
    dry_run: bool,
    progress: ProgressFn | None,
    cancelled: CancelledFn | None,
) -> ImportReport:
    reports: list[FileReport] = []
    count = len(requests)
    total = max(count, 1)
    for index, request in enumerate(requests):
        path = Path(request.path)

        def file_progress(
            fraction: float, message: str, index: int = index, name: str = path.name
        ) -> None:
            if progress is None:
                return
            text = message or f"importing {name}"
            if count > 1:
                text += f" (file {index + 1} of {count})"
            progress(min(1.0, (index + fraction) / total), text)

        try:
            if cancelled is not None and cancelled():
                raise ImportCancelled(f"Import cancelled; nothing from {path.name} was saved.")
            report = _import_one(
                engine,
                path,
                kind=request.kind,
                profile=request.profile if request.mapping is None else None,
                mapping=request.mapping,
                save_as=request.save_as,
                dry_run=dry_run,
                progress=file_progress,
                cancelled=cancelled,
            )
        except ImportCancelled as exc:
            landed = tuple(reports)
            done = [r.file for r in landed if r.landed]
            message = str(exc)
            if done and not dry_run:
                message = (
                    f"Import cancelled; nothing from {path.name} was saved "
                    f"({len(done)} earlier file(s) had already landed: {', '.join(done)})."
                )
            if any(r.landed for r in landed) and not dry_run:
                _refresh_listening(engine)
            raise ImportCancelled(
                message,
                landed=landed,
                file=path.name,
                skipped=tuple(Path(r.path).name for r in requests[index + 1 :]),
            ) from exc
        except Exception as exc:
            # A user-facing failure or a bug met by one file: its transaction rolled back;
            # the files before it keep their summaries and the ones after it are still tried.
            report = failed_file(path, exc)
        reports.append(report)
    if not dry_run and any(r.landed for r in reports):
        _refresh_listening(engine)
    if progress is not None:
        progress(1.0, "done")
    return ImportReport(files=tuple(reports), dry_run=dry_run)


def _refresh_listening(engine: Engine) -> None:
    """New and changed texts get their sentiment and reasons (the rows have landed)."""
    from services.listen.reasons import refresh_listening

    refresh_listening(engine)
