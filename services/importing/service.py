"""The import service: preview, import, history and undo (contract: briefs/import_api.md).

One transaction per file: a file lands whole or not at all, so a cancel, a crash or an
error leaves the workspace as it was. Rows that cannot be read are rejected with their
row number and reason; the good rows still land. Every import is recorded in import_runs
and can be undone while no later import built on it.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import Connection, Engine, insert, select, update

from models.base import utcnow
from models.db import translate_db_errors
from models.errors import UserFacingError
from models.schema import ImportRun
from services.importing import generic, profiles
from services.importing.canonical import ATTRIBUTE_LIMIT, Batch, Reject, text_limits
from services.importing.types import (
    FieldSpec,
    FilePreview,
    FileReport,
    ImportCancelled,
    ImportReport,
    ImportRunInfo,
    RejectedRow,
    UndoReport,
)
from services.output_files import display_path

if TYPE_CHECKING:
    from services.importing.reader import RawTable

log = logging.getLogger(__name__)

__all__ = [
    "CancelledFn",
    "ProgressFn",
    "expand_paths",
    "fields_for_kind",
    "list_imports",
    "list_profiles",
    "preview_file",
    "run_import",
    "undo_import",
    "write_rejects_csv",
]

ProgressFn = Callable[[float, str], None]
CancelledFn = Callable[[], bool]

FILE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")
MAX_STORED_REJECTS = 10_000
PREVIEW_ROWS = 20
# Above this many new rows (and more than the table holds), secondary indexes of the
# table are rebuilt once after the insert instead of being updated row by row.
REBUILD_INDEXES_FROM = 200_000


def _importable(p: Path) -> bool:
    return p.is_file() and p.suffix.lower() in FILE_SUFFIXES and not p.name.startswith(".")


def expand_paths(paths: Sequence[str | Path], *, recursive: bool = False) -> list[Path]:
    """Files as given; folders -> their .csv/.tsv/.txt/.xlsx files (sorted; with
    ``recursive``, those of every subfolder too). Anything that is not a regular file (a
    named pipe, a device) is refused: reading one could block forever."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw).expanduser()
        shown = display_path(path)
        if path.is_dir():
            walk = path.rglob("*") if recursive else path.iterdir()
            found = sorted(
                p
                for p in walk
                if _importable(p)
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not found:
                hint = (
                    " Its subfolders hold some: add --recursive to import them."
                    if not recursive and subfolder_files(path)
                    else ""
                )
                raise UserFacingError(
                    f"The folder {shown} holds no CSV or XLSX files to import.{hint}"
                )
            out.extend(found)
        elif path.exists():
            if not path.is_file():
                raise UserFacingError(
                    f"{shown} is not a regular file (a pipe or a device, say); "
                    "save the export to a file and import that."
                )
            out.append(path)
        else:
            raise UserFacingError(f"{shown} does not exist. Check the path and try again.")
    return out


def subfolder_files(folder: Path) -> int:
    """How many importable files lie in the subfolders of folder (not imported without
    --recursive)."""
    return sum(
        1
        for sub in folder.iterdir()
        if sub.is_dir() and not sub.name.startswith(".")
        for p in sub.rglob("*")
        if _importable(p)
    )


def fields_for_kind(kind: str) -> tuple[FieldSpec, ...]:
    """The canonical fields a generic column can map to, for one kind."""
    return generic.fields_for_kind(kind)


def _formats() -> Any:
    """The format adapters module, or None while it is not available."""
    try:
        from services.importing import formats
    except ImportError:  # pragma: no cover - the adapters ship with the app
        log.warning("format adapters unavailable", exc_info=True)
        return None
    return formats


# --- planning: what a file is and how it maps ----------------------------------------------


@dataclass
class _Plan:
    table: RawTable
    adapter: Any  # FormatAdapter | None
    detected_format: str
    format_title: str
    kind: str
    kinds: tuple[str, ...]
    mapping: dict[str, str | None] | None = None
    source: str = generic.GENERIC_SOURCE
    profile_name: str | None = None
    suggestion: generic.MappingSuggestion | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def needs_mapping(self) -> bool:
        return self.adapter is None and self.mapping is None


def _check_kind(kind: str) -> None:
    if kind != "auto" and kind not in generic.FIELDS:
        raise UserFacingError(
            f"'{kind}' is not a kind of data Account Radar imports; use auto, "
            f"{', '.join(generic.FIELDS)}."
        )


def _duplicates_text(table: RawTable) -> str:
    """ "'amount' (columns 4 and 5)" for each name the header repeats; "" when none."""
    parts = []
    for name, cols in table.duplicate_columns.items():
        where = ", ".join(str(c) for c in cols[:-1]) + f" and {cols[-1]}"
        parts.append(f"'{name}' (columns {where})")
    return "; ".join(parts)


def _plan(
    conn: Connection,
    table: RawTable,
    *,
    kind: str,
    profile: str | None,
    mapping: Mapping[str, str | None] | None,
) -> _Plan:
    _check_kind(kind)
    formats = _formats()
    adapter = None
    if profile is None and mapping is None and formats is not None:
        adapter = formats.detect(table.header)
    if adapter is not None:
        kinds = tuple(adapter.kinds)
        if kind != "auto" and kind not in kinds:
            raise UserFacingError(
                f"{table.file_name} is a {adapter.title}, which holds "
                f"{' and '.join(kinds)}, not {kind}. Import it with --kind auto."
            )
        return _Plan(
            table=table,
            adapter=adapter,
            detected_format=adapter.name,
            format_title=adapter.title,
            kind=kind if kind != "auto" else ", ".join(kinds),
            kinds=kinds,
        )
    plan_kind = kind
    if mapping is not None:
        if plan_kind == "auto":
            plan_kind = generic.infer_kind(table).kind
        plan = _Plan(
            table=table,
            adapter=None,
            detected_format=f"generic_{plan_kind}",
            format_title=f"Generic {plan_kind} file",
            kind=plan_kind,
            kinds=(plan_kind,),
            mapping=dict(mapping),
        )
        plan.suggestion = generic.suggest_mapping(table, plan_kind)
        return plan
    chosen: profiles.Profile | None = None
    if profile is not None:
        chosen = profiles.get_profile(conn, profile)
    else:
        chosen = profiles.find_profile(conn, table.header)
        if chosen is not None and kind != "auto" and chosen.kind != kind:
            chosen = None
    if chosen is not None:
        if kind != "auto" and chosen.kind != kind:
            raise UserFacingError(
                f"The mapping profile '{chosen.name}' is for {chosen.kind}, not {kind}."
            )
        columns = {c: f for c, f in chosen.columns.items() if c in table.header}
        missing = [c for c, f in chosen.columns.items() if f and c not in table.header]
        plan = _Plan(
            table=table,
            adapter=None,
            detected_format=f"generic_{chosen.kind}",
            format_title=f"Generic {chosen.kind} file (profile '{chosen.name}')",
            kind=chosen.kind,
            kinds=(chosen.kind,),
            mapping=columns,
            source=chosen.source,
            profile_name=chosen.name,
        )
        if missing:
            plan.problems.append(
                f"the file lacks column(s) the profile '{chosen.name}' maps: " + ", ".join(missing)
            )
        return plan
    suggestion = (
        generic.infer_kind(table) if kind == "auto" else generic.suggest_mapping(table, kind)
    )
    plan = _Plan(
        table=table,
        adapter=None,
        detected_format=f"generic_{suggestion.kind}",
        format_title=f"Generic {suggestion.kind} file",
        kind=suggestion.kind if (suggestion.confident or kind != "auto") else "",
        kinds=(suggestion.kind,),
        suggestion=suggestion,
    )
    if suggestion.confident:
        plan.mapping = suggestion.mapping
    else:
        plan.problems.append(_mapping_problem(suggestion))
    return plan


def _mapping_problem(suggestion: generic.MappingSuggestion) -> str:
    fields = ", ".join(f.replace("_", " ") for f in suggestion.unmapped_required)
    unmapped = [g.column for g in suggestion.guesses if g.field is None]
    text = f"Account Radar could not tell which column holds: {fields}"
    if unmapped:
        shown = ", ".join(f"'{c}'" for c in unmapped[:8])
        more = f" and {len(unmapped) - 8} more" if len(unmapped) > 8 else ""
        text += f" (columns it could not map: {shown}{more})"
    return text


def _open_table(path: Path, *, limit: int | None = None) -> RawTable:
    from services.importing.reader import read_table

    return read_table(path, limit=limit)


# --- preview --------------------------------------------------------------------------------


def preview_file(
    engine: Engine, path: str | Path, *, kind: str = "auto", profile: str | None = None
) -> FilePreview:
    """What a file is, how it maps, and its first rows, without importing anything."""
    path = Path(path)
    table = _open_table(path, limit=max(PREVIEW_ROWS, 500))
    with translate_db_errors(), engine.connect() as conn:
        plan = _plan(conn, table, kind=kind, profile=profile, mapping=None)
    problems = list(plan.problems)
    footer = set(plan.adapter.footer_rows(table)) if plan.adapter is not None else set()
    malformed = [m for m in table.malformed if m[0] not in footer]
    if malformed:
        first = malformed[0]
        problems.append(
            f"{len(malformed):,} row(s) in the first part of the file have the wrong "
            f"number of fields (e.g. {first[1]})"
        )
    if table.encoding == "cp1252":
        problems.append("the file is not UTF-8; it is read as Windows-1252 (Western European)")
    if table.repaired_lines:
        problems.append(repaired_note(table.repaired_lines))
    if duplicates := _duplicates_text(table):
        problems.append(
            f"more than one column is named {duplicates}: check which one each field is mapped to"
        )
    if len(table.frame) == 0 and not table.malformed:
        problems.append("the file has a header but no data rows")
    guesses: tuple[Any, ...] = ()
    if plan.adapter is None:
        if plan.suggestion is None:
            plan.suggestion = generic.suggest_mapping(table, plan.kind)
        guesses = plan.suggestion.guesses
        if plan.mapping is not None and plan.profile_name is not None:
            from services.importing.types import ColumnGuess

            guesses = tuple(
                ColumnGuess(g.column, plan.mapping.get(g.column), 1.0, g.samples)
                for g in plan.suggestion.guesses
            )
    # Row by row from one array: astype(str) and itertuples go column by column (5 s for a
    # file of 10,000 columns); str() of each value is what astype(str) gives.
    sample = (
        tuple(str(v) for v in row) for row in table.frame.head(PREVIEW_ROWS).to_numpy(dtype=object)
    )
    return FilePreview(
        path=str(path),
        file_name=display_path(path.name),
        detected_format=plan.detected_format if plan.adapter else "generic",
        format_title=plan.format_title,
        kind=plan.kind,
        kinds=plan.kinds,
        encoding=table.encoding,
        delimiter=table.delimiter,
        header=table.header,
        sample_rows=tuple(tuple(r) for r in sample),
        rows_estimate=table.rows_estimate,
        needs_mapping=plan.needs_mapping,
        columns=guesses,
        profile_name=plan.profile_name,
        problems=tuple(problems),
    )


# --- import ---------------------------------------------------------------------------------


class _Clock:
    """Phase timings of one file's import, logged (the benchmark reads them)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.last = time.perf_counter()
        self.laps: list[tuple[str, float]] = []

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.laps.append((phase, now - self.last))
        self.last = now

    def log(self) -> None:
        parts = ", ".join(f"{p} {s:.2f}s" for p, s in self.laps)
        log.info("import of %s: %s", self.name, parts)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _convert(plan: _Plan) -> tuple[Batch, int]:
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


def _raw_pragma(conn: Connection, sql: str) -> Any:
    # Through the driver: a statement through SQLAlchemy would begin a transaction.
    raw = conn.connection.driver_connection
    assert raw is not None
    return raw.execute(sql).fetchone()


# The import connection's SQLite settings while it writes, restored afterwards:
# - a 256 MB page cache (the default 2 MB thrashes once the indexes outgrow it) and
#   in-memory temporary storage for the sorts of the index rebuilds;
# - foreign key checks off: each checked row costs a parent lookup (about a second per
#   million orders). The writer guarantees the references itself: it writes only
#   customer ids it inserted or looked up in this transaction (Writer.check_customers),
#   the run id it inserted, and when it merges two customers it re-points every table
#   that refers to customers (read from the schema) before deleting one, so no cascade
#   is needed. PRAGMA foreign_keys cannot change inside a transaction: it is set before
#   BEGIN and restored after COMMIT or ROLLBACK, errors included.
_IMPORT_PRAGMAS = {"cache_size": "-262144", "temp_store": "MEMORY", "foreign_keys": "OFF"}


@contextlib.contextmanager
def _transaction(engine: Engine, *, commit: bool) -> Iterator[Connection]:
    """One connection and transaction; committed only when ``commit`` and no error."""
    with translate_db_errors(), engine.connect() as conn:
        saved: dict[str, Any] = {}
        if conn.dialect.name == "sqlite":
            for name, value in _IMPORT_PRAGMAS.items():
                saved[name] = _raw_pragma(conn, f"PRAGMA {name}")[0]
                _raw_pragma(conn, f"PRAGMA {name} = {value}")
        try:
            trans = conn.begin()
            try:
                yield conn
            except BaseException:
                trans.rollback()
                raise
            if commit:
                trans.commit()
            else:
                trans.rollback()
        finally:
            if saved:
                try:
                    for name, value in saved.items():
                        _raw_pragma(conn, f"PRAGMA {name} = {int(value)}")
                except Exception:
                    # Never hand a connection without foreign keys back to the pool.
                    conn.invalidate()
                    raise


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
    def check() -> None:
        if cancelled is not None and cancelled():
            raise ImportCancelled(f"Import cancelled; nothing from {path.name} was saved.")

    progress(0.0, f"reading {path.name}")
    clock = _Clock(path.name)
    try:
        table = _open_table(path)
        clock.lap("read")
    except UserFacingError as exc:
        return _file_error(path, "unknown", str(exc))
    check()
    if mapping is None and (duplicates := _duplicates_text(table)):
        # Taking the first of two same-named columns would import one of them silently.
        return _file_error(
            path,
            "unknown",
            f"the file has more than one column named {duplicates}; rename them in the "
            "file, or import it in the window and choose the columns in the mapping step",
        )
    with translate_db_errors(), engine.connect() as conn:
        try:
            plan = _plan(conn, table, kind=kind, profile=profile, mapping=mapping)
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
    try:
        batch, rows_read = _convert(plan)
    except UserFacingError as exc:
        return _file_error(path, plan.detected_format, str(exc), kind=plan.kind)
    batch.notes.extend(cap_texts(batch, longest=table.longest_record))
    rejects = _rejected_rows(batch)
    batch.notes.extend(implausible_dates(batch))
    # The text table is no longer needed (its header is): free it before the writer runs.
    table.frame = table.frame.iloc[:0]
    clock.lap("convert")
    check()
    if not any(len(f) for f in batch.frames.values()):
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
    from services.importing.companies import settle_companies
    from services.importing.writer import Writer
    from services.rollups import refresh_rollups

    sha = _sha256(path)
    started = utcnow()
    with _transaction(engine, commit=not dry_run) as conn:
        run_id = _start_run(conn, path, sha, plan, started)
        if save_as:
            assert plan.mapping is not None
            profiles.save_profile(
                conn, save_as, plan.kind, table.header, plan.mapping, source=plan.source
            )
        writer = Writer(
            conn,
            run_id,
            cancelled=cancelled,
            progress=lambda f, m: progress(0.4 + 0.5 * f, m),
        )
        money_notes = _settle_currencies(conn, batch)
        _settle_offsets(conn, batch)
        # HubSpot companies are accounts of their contacts, never customers of their own.
        company_notes, accounts = settle_companies(conn, batch)
        with _bulk_indexes(conn, batch, clock):
            result = writer.write(batch)
            clock.lap("write")
        check()
        progress(0.92, f"updating customer totals for {path.name}")
        refresh_rollups(conn)
        clock.lap("rollups")
        check()
        notes = list(batch.notes) + company_notes + result.notes + money_notes
        if result.customers_created and "customers" not in batch.frames:
            notes.append(f"{result.customers_created:,} new customer(s) created from the records")
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
    )


_MONEY_KINDS = ("orders", "opportunities", "subscriptions")

# Dates of events that are kept but questioned: before this, or more than a year ahead.
PLAUSIBLE_SINCE = dt.date(1990, 1, 1)
MAX_ROWS_NAMED = 10
_EVENT_DATES: dict[str, tuple[tuple[str, str], ...]] = {
    "orders": (("order_date", "order date"),),
    "interactions": (("occurred_at", "date"),),
    "opportunities": (
        ("created_at", "created date"),
        ("stage_changed_at", "stage date"),
        ("close_date", "close date"),
    ),
    "subscriptions": (
        ("started_at", "start date"),
        ("current_period_end", "period end"),
        ("canceled_at", "cancel date"),
    ),
    "customers": (("signup_date", "sign-up date"),),
}


# Identifiers are never cut (two long ids cut to one would merge two records): a row whose
# id is too long is rejected instead.
_ID_COLUMNS = frozenset(
    {"external_id", "customer_external_id", "email", "customer_email", "source", "customer_source"}
)
_TEXT_LABELS = {
    "customer_name": "customer name",
    "customer_company": "company",
    "customer_email": "email",
    "customer_external_id": "customer id",
    "external_id": "id",
    "text": "text",
}


def cap_texts(batch: Batch, *, longest: int | None = None) -> list[str]:
    """Cut text longer than its column keeps (a 10 MB name: 255 characters, a ticket's
    text: 20,000), with "…" at the cut; reject rows whose id is too long. Notes say how
    many values of which column were cut and how long the longest was.

    ``longest``: the longest record of the file in bytes, when known: a column whose limit
    is at least that long cannot hold a longer value and is not checked (a million-row
    orders file checks none)."""
    notes: list[str] = []
    for kind, frame in list(batch.frames.items()):
        if not len(frame):
            continue
        limits = text_limits(kind)
        drop = np.zeros(len(frame), dtype=bool)
        changed = False
        for column, limit in limits.items():
            if column not in frame.columns or frame[column].dtype.kind not in "OT":
                continue  # object or pandas string columns hold text
            if column == "currency" or (longest is not None and longest <= limit):
                continue  # an ISO code by then; or no record of the file is that long
            lengths = frame[column].map(lambda v: len(v) if isinstance(v, str) else 0)
            over = (lengths > limit).to_numpy(dtype=bool)
            count = int(over.sum())
            if not count:
                continue
            label = _TEXT_LABELS.get(column, column.replace("_", " "))
            widest = int(lengths[over].max())
            if column in _ID_COLUMNS:
                rows = frame["row"].to_numpy()[over] if "row" in frame.columns else []
                for row in rows:
                    batch.rejects.append(
                        Reject(
                            batch.file,
                            int(row),
                            f"the {label} is longer than {limit:,} characters; it is not cut, "
                            "as a cut id could name another record",
                        )
                    )
                drop |= over
                continue
            if not changed:
                frame = frame.copy()
                changed = True
            cut = frame.loc[over, column].map(lambda v, n=limit: v[: n - 1] + "…")
            frame.loc[over, column] = cut
            values = "value" if count == 1 else "values"
            notes.append(
                f"{count:,} {label} {values} of {kind} cut to {limit:,} characters "
                f"(the longest had {widest:,})"
            )
        if drop.any():
            frame = frame.loc[~drop].reset_index(drop=True)
            changed = True
        if "attributes" in frame.columns and (longest is None or longest > ATTRIBUTE_LIMIT):
            kept, cut_keys = _cap_attributes(frame["attributes"].tolist())
            if cut_keys:
                if not changed:
                    frame = frame.copy()
                    changed = True
                frame["attributes"] = kept
                for key, (count, widest) in cut_keys.items():
                    values = "value" if count == 1 else "values"
                    notes.append(
                        f"{count:,} '{key}' {values} of {kind} cut to {ATTRIBUTE_LIMIT:,} "
                        f"characters (the longest had {widest:,})"
                    )
        if changed:
            batch.frames[kind] = frame
    return notes


def _cap_attributes(
    rows: list[Any],
) -> tuple[list[Any], dict[str, tuple[int, int]]]:
    """The attributes of each row (the columns the import did not map) with every text
    longer than ATTRIBUTE_LIMIT cut, and per column: how many were cut, the longest."""
    cut_keys: dict[str, tuple[int, int]] = {}
    out: list[Any] = []
    for attrs in rows:
        if isinstance(attrs, dict) and any(
            isinstance(v, str) and len(v) > ATTRIBUTE_LIMIT for v in attrs.values()
        ):
            attrs = dict(attrs)
            for key, value in attrs.items():
                if isinstance(value, str) and len(value) > ATTRIBUTE_LIMIT:
                    count, widest = cut_keys.get(key, (0, 0))
                    cut_keys[key] = (count + 1, max(widest, len(value)))
                    attrs[key] = value[: ATTRIBUTE_LIMIT - 1] + "…"
        out.append(attrs)
    return out, cut_keys


def repaired_note(lines: Sequence[int]) -> str:
    """The report's note on a UTF-8 file whose stray lines were read as Windows-1252."""
    named = ", ".join(str(n) for n in lines[:MAX_ROWS_NAMED])
    more = f" and {len(lines) - MAX_ROWS_NAMED:,} more" if len(lines) > MAX_ROWS_NAMED else ""
    noun = "line was" if len(lines) == 1 else "lines were"
    where = "line" if len(lines) == 1 else "lines"
    return (
        f"{len(lines):,} {noun} not UTF-8 and read as Windows-1252 ({where} {named}{more} "
        "of the file); every other line kept its UTF-8: check the names on those lines"
    )


def implausible_dates(batch: Batch, today: dt.date | None = None) -> list[str]:
    """Report notes for dates before 1990 or more than a year from today: such rows are
    imported as given (an old customer, a deal far ahead may be right), with their row
    numbers so the user can check them (a typo such as 2206 for 2026, an Excel zero date)."""
    import pandas as pd

    today = today or dt.date.today()
    try:
        ahead = today.replace(year=today.year + 1)
    except ValueError:  # 29 February
        ahead = today.replace(year=today.year + 1, day=28)
    low = pd.Timestamp(PLAUSIBLE_SINCE, tz="UTC")
    high = pd.Timestamp(ahead, tz="UTC") + pd.Timedelta(days=1)
    notes: list[str] = []
    for kind, frame in batch.frames.items():
        for column, label in _EVENT_DATES.get(kind, ()):
            if column not in frame.columns or not len(frame):
                continue
            stamps = pd.to_datetime(frame[column], utc=True, errors="coerce")
            odd = ((stamps < low) | (stamps >= high)).to_numpy(dtype=bool)
            count = int(odd.sum())
            if not count:
                continue
            rows = frame["row"].to_numpy()[odd] if "row" in frame.columns else []
            named = ", ".join(str(int(r)) for r in rows[:MAX_ROWS_NAMED])
            more = f" and {count - MAX_ROWS_NAMED:,} more" if count > MAX_ROWS_NAMED else ""
            where = f" ({'row' if count == 1 else 'rows'} {named}{more})" if named else ""
            noun = "row has" if count == 1 else "rows have"
            article = "an" if label[0] in "aeiou" else "a"
            notes.append(
                f"check: {count:,} {kind} {noun} {article} {label} before 1990 or more than "
                f"a year from today{where}; imported as given"
            )
    return notes


def _settle_currencies(conn: Connection, batch: Batch) -> list[str]:
    """Give every amount its currency; set the home currency on the first import with money.

    An amount whose file names no currency (no column, no sign) is in the home currency; a
    bare "$" is the home currency when that is a dollar, else USD. While the workspace has
    no home currency, it becomes the one its orders already use, else this file's
    commonest (audited, and said in the import report).
    """
    from models.schema import AuditEvent, Order, Setting
    from services import money

    frames = {
        kind: frame
        for kind, frame in batch.frames.items()
        if kind in _MONEY_KINDS and len(frame) and "currency" in frame.columns
    }
    if not frames:
        return []
    notes: list[str] = []
    stored = conn.execute(
        select(Setting.value).where(Setting.key == money.HOME_SETTING)
    ).scalar_one_or_none()
    home = str(stored or "").upper()
    if not home:
        from sqlalchemy import delete, func

        home = (
            conn.execute(
                select(Order.currency)
                .group_by(Order.currency)
                .order_by(func.count().desc(), Order.currency)
                .limit(1)
            ).scalar_one_or_none()
            or ""
        )
        if not home:
            # Counted in pandas: a million amounts take milliseconds, not a Python loop.
            import pandas as pd

            named = pd.concat([frame["currency"] for frame in frames.values()]).dropna()
            named = named.astype(str).replace(money.DOLLAR_MARK, "USD")
            counts = named[named != ""].value_counts()
            home = (
                min(counts.index[counts == counts.max()].tolist())
                if len(counts)
                else money.DEFAULT_CURRENCY
            )
            notes.append(
                f"home currency set to {home} (the commonest currency of this file's "
                "amounts); change it in Settings ▸ Money"
            )
        conn.execute(delete(Setting).where(Setting.key == money.HOME_SETTING))
        conn.execute(
            insert(Setting).values(key=money.HOME_SETTING, value=home, updated_at=utcnow())
        )
        conn.execute(
            insert(AuditEvent).values(
                occurred_at=utcnow(),
                actor="import",
                action="settings.changed",
                entity_type="setting",
                details={"key": money.HOME_SETTING, "old": "", "new": home, "file": batch.file},
            )
        )
    dollar = home if home in money.DOLLAR_CODES else "USD"
    for kind, frame in frames.items():
        codes = frame["currency"].astype(object)
        codes = codes.where(codes.notna(), home).where(codes != money.DOLLAR_MARK, dollar)
        batch.frames[kind] = frame.assign(currency=codes)
    return notes


def _settle_offsets(conn: Connection, batch: Batch) -> None:
    """Events a source wrote in UTC outright ("Z") take the workspace's time zone: their
    offset is that zone's at each instant (services/local_dates.py)."""
    from models.schema import Setting
    from services.importing.values import UTC_NAMED
    from services.local_dates import TIME_ZONE_SETTING, workspace_zone, zone_offsets

    zone: str | None = None
    for kind, column in (("orders", "order_date"), ("interactions", "occurred_at")):
        frame = batch.frames.get(kind)
        if frame is None or "utc_offset_minutes" not in frame.columns or not len(frame):
            continue
        offsets = frame["utc_offset_minutes"].to_numpy(dtype="float64")
        named = offsets == UTC_NAMED
        if not named.any():
            continue
        if zone is None:
            stored = conn.execute(
                select(Setting.value).where(Setting.key == TIME_ZONE_SETTING)
            ).scalar_one_or_none()
            zone = workspace_zone(str(stored or ""))
        offsets = offsets.copy()
        offsets[named] = zone_offsets(frame[column][named], zone)
        batch.frames[kind] = frame.assign(utc_offset_minutes=offsets)


def _start_run(conn: Connection, path: Path, sha: str, plan: _Plan, started: dt.datetime) -> int:
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


@contextlib.contextmanager
def _bulk_indexes(conn: Connection, batch: Batch, clock: _Clock) -> Iterator[None]:
    """For a big insert into a small table (SQLite), rebuild secondary indexes once after."""
    rebuild: list[tuple[str, str]] = []
    if conn.dialect.name == "sqlite":
        for kind, frame in batch.frames.items():
            if kind == "customers" or len(frame) < REBUILD_INDEXES_FROM:
                continue
            present = conn.exec_driver_sql(f"SELECT COUNT(*) FROM {kind}").scalar_one()
            if int(present) * 2 > len(frame):
                continue
            rows = conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                "AND sql IS NOT NULL",
                (kind,),
            ).all()
            for name, sql in rows:
                conn.exec_driver_sql(f'DROP INDEX "{name}"')
                rebuild.append((name, sql))
    try:
        yield
    finally:
        # On error the transaction rolls back and the indexes come back with it.
        pass
    for _name, sql in rebuild:
        conn.exec_driver_sql(sql)
    if rebuild:
        clock.lap("indexes")


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
    """Import files, one transaction each; see the module docstring."""
    _check_kind(kind)
    files = expand_paths(paths)
    if profile is not None:
        # A profile that does not exist is a mistake for every file: say so once.
        with translate_db_errors(), engine.connect() as conn:
            profiles.get_profile(conn, profile)
    mappings = {str(Path(k)): v for k, v in (mappings or {}).items()}
    save_profiles = {str(Path(k)): v for k, v in (save_profiles or {}).items()}
    reports: list[FileReport] = []
    total = max(len(files), 1)
    for index, path in enumerate(files):

        def file_progress(fraction: float, message: str, index: int = index) -> None:
            if progress is not None:
                progress(min(1.0, (index + fraction) / total), message)

        key = str(path)
        mapping = mappings.get(key) or mappings.get(str(path.resolve()))
        save_as = save_profiles.get(key) or save_profiles.get(str(path.resolve()))
        try:
            report = _import_one(
                engine,
                path,
                kind=kind,
                profile=profile,
                mapping=mapping,
                save_as=save_as,
                dry_run=dry_run,
                progress=file_progress,
                cancelled=cancelled,
            )
        except ImportCancelled as exc:
            done = [r.file for r in reports if r.landed]
            if done and not dry_run:
                raise ImportCancelled(
                    f"Import cancelled; nothing from {path.name} was saved "
                    f"({len(done)} earlier file(s) had already landed: {', '.join(done)})."
                ) from exc
            raise
        except Exception as exc:
            # A user-facing failure or a bug met by one file: its transaction rolled back;
            # the files before it keep their summaries and the ones after it are still tried.
            report = failed_file(path, exc)
        reports.append(report)
    if progress is not None:
        progress(1.0, "done")
    return ImportReport(files=tuple(reports), dry_run=dry_run)


# --- history and undo -------------------------------------------------------------------------

_CHANGE_TABLES = ("customers", "orders", "interactions", "opportunities", "subscriptions")
_ATTACH_TABLES = ("orders", "interactions", "opportunities", "subscriptions", "customer_identities")


def _q(conn: Connection, sql: str) -> str:
    """SQL written with ? placeholders, in the driver's parameter style."""
    return sql if conn.dialect.paramstyle == "qmark" else sql.replace("?", "%s")


def _undo_blocker(conn: Connection, run_id: int) -> str | None:
    """Why a landed import cannot be undone (a later import built on it), or None."""
    candidates: list[tuple[int, int, str]] = []
    for table in _CHANGE_TABLES:
        row = conn.exec_driver_sql(
            _q(
                conn,
                "SELECT MIN(c.import_run_id) FROM import_changes c "
                "JOIN import_runs r ON r.id = c.import_run_id "
                "WHERE r.status = 'landed' AND c.import_run_id > ? AND c.table_name = ? "
                f"AND c.row_id IN (SELECT id FROM {table} WHERE import_run_id = ?)",
            ),
            (run_id, table, run_id),
        ).scalar()
        if row is not None:
            candidates.append((int(row), 0, "changed the same records"))
    row = conn.exec_driver_sql(
        _q(
            conn,
            "SELECT MIN(c2.import_run_id) FROM import_changes c1 "
            "JOIN import_changes c2 ON c2.table_name = c1.table_name AND c2.row_id = c1.row_id "
            "JOIN import_runs r ON r.id = c2.import_run_id "
            "WHERE c1.import_run_id = ? AND c2.import_run_id > ? AND r.status = 'landed'",
        ),
        (run_id, run_id),
    ).scalar()
    if row is not None:
        candidates.append((int(row), 0, "changed the same records"))
    for table in _ATTACH_TABLES:
        row = conn.exec_driver_sql(
            _q(
                conn,
                f"SELECT MIN(x.import_run_id) FROM {table} x "
                "JOIN import_runs r ON r.id = x.import_run_id "
                "WHERE r.status = 'landed' AND x.import_run_id > ? "
                "AND x.customer_id IN (SELECT id FROM customers WHERE import_run_id = ?)",
            ),
            (run_id, run_id),
        ).scalar()
        if row is not None:
            candidates.append((int(row), 1, "added records to customers this import created"))
    if not candidates:
        return None
    later, _rank, why = min(candidates)
    name = conn.exec_driver_sql(
        _q(conn, "SELECT file_name FROM import_runs WHERE id = ?"), (later,)
    ).scalar()
    return f"import {later} ({name}) {why}; undo it first"


def list_imports(engine: Engine) -> list[ImportRunInfo]:
    """The import history, newest first."""
    table = ImportRun.__table__
    out: list[ImportRunInfo] = []
    with translate_db_errors(), engine.connect() as conn:
        rows = conn.execute(select(table).order_by(table.c.id.desc())).all()
        for r in rows:
            status = r.status
            if status == "running":
                status = "failed"  # never committed as running; a crash left nothing else
            blocked: str | None = None
            can_undo = False
            if status == "landed":
                blocked = _undo_blocker(conn, r.id)
                can_undo = blocked is None
            elif status == "undone":
                blocked = "already undone"
            out.append(
                ImportRunInfo(
                    run_id=r.id,
                    file_name=r.file_name,
                    source_path=r.source_path,
                    detected_format=r.detected_format or "",
                    kind=r.kind or "",
                    started_at=r.started_at,
                    rows_read=r.rows_read or 0,
                    inserted=r.inserted or 0,
                    updated=r.updated or 0,
                    rejected=r.rejected or 0,
                    status=status,
                    can_undo=can_undo,
                    undo_blocked_reason=blocked,
                )
            )
    return out


def _customer_columns() -> list[str]:
    from services.importing.writer import COLUMNS

    return ["id", *COLUMNS["customers"], "import_run_id", "created_at", "updated_at"]


def undo_import(engine: Engine, run_id: int) -> UndoReport:
    """Undo a landed import: delete what it inserted, restore what it changed."""
    from services.rollups import refresh_rollups

    with translate_db_errors(), engine.begin() as conn:
        run = conn.execute(
            select(ImportRun.__table__).where(ImportRun.__table__.c.id == run_id)
        ).first()
        if run is None:
            raise UserFacingError(
                f"There is no import {run_id}; 'imports list' shows the imports and their ids."
            )
        if run.status == "undone":
            raise UserFacingError(f"Import {run_id} ({run.file_name}) was already undone.")
        if run.status != "landed":
            raise UserFacingError(
                f"Import {run_id} ({run.file_name}) did not land, so there is nothing to undo."
            )
        blocked = _undo_blocker(conn, run_id)
        if blocked is not None:
            raise UserFacingError(f"Import {run_id} ({run.file_name}) cannot be undone: {blocked}.")
        ph = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        deleted = 0
        for table in ("orders", "interactions", "opportunities", "subscriptions"):
            deleted += conn.exec_driver_sql(
                f"DELETE FROM {table} WHERE import_run_id = {ph}", (run_id,)
            ).rowcount
        changes = conn.exec_driver_sql(
            f"SELECT table_name, row_id, before FROM import_changes "
            f"WHERE import_run_id = {ph} ORDER BY id DESC",
            (run_id,),
        ).all()
        restored = 0
        for table_name, row_id, before_raw in changes:
            before = json.loads(before_raw) if isinstance(before_raw, str) else dict(before_raw)
            if before.pop("__deleted__", False):
                cols = [c for c in _customer_columns() if c in before]
                marks = ",".join([ph] * len(cols))
                conn.exec_driver_sql(
                    f"INSERT INTO {table_name} ({','.join(cols)}) VALUES ({marks})",
                    tuple(before[c] for c in cols),
                )
            else:
                sets = ", ".join(f"{c} = {ph}" for c in before)
                conn.exec_driver_sql(
                    f"UPDATE {table_name} SET {sets} WHERE id = {ph}",
                    (*before.values(), row_id),
                )
            restored += 1
        conn.exec_driver_sql(
            f"DELETE FROM customer_identities WHERE import_run_id = {ph}", (run_id,)
        )
        deleted += conn.exec_driver_sql(
            f"DELETE FROM customers WHERE import_run_id = {ph}", (run_id,)
        ).rowcount
        conn.exec_driver_sql(f"DELETE FROM import_changes WHERE import_run_id = {ph}", (run_id,))
        conn.execute(
            update(ImportRun)
            .where(ImportRun.id == run_id)
            .values(status="undone", undone_at=utcnow())
        )
        refresh_rollups(conn)
    return UndoReport(
        run_id=run_id,
        deleted=deleted,
        restored=restored,
        message=(
            f"Undid import {run_id} ({run.file_name}): {deleted:,} row(s) it added were "
            f"deleted and {restored:,} change(s) it made were reverted."
        ),
    )


def list_profiles(engine: Engine) -> list[tuple[str, str]]:
    """(name, kind) of every saved mapping profile."""
    with translate_db_errors(), engine.connect() as conn:
        return profiles.list_profiles(conn)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe_cell(value: object) -> str:
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_rejects_csv(rejects: Sequence[RejectedRow], path: str | Path) -> None:
    """Write rejected rows as CSV (file,row,reason), neutralising spreadsheet formulas."""
    target = Path(path).expanduser()
    try:
        with target.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["file", "row", "reason"])
            for r in rejects:
                writer.writerow([_safe_cell(r.file), r.row, _safe_cell(r.reason)])
    except OSError as exc:
        raise UserFacingError(
            f"The rejected rows cannot be written to {target}: {exc.strerror or exc}."
        ) from None
