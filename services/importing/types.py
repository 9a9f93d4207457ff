"""Plain data exchanged between the import service and its callers (window, CLI).

Standard library only: views may import this module (no SQLAlchemy, no pandas).
The field names are a contract with the window and the command line: add fields, never rename.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from models.errors import UserFacingError
from models.vocab import RECORD_KINDS
from services.core.formatting import plural

__all__ = [
    "IMPORT_KINDS",
    "IMPORT_SUFFIXES",
    "MAX_REPORTED_REJECTS",
    "ColumnGuess",
    "FieldSpec",
    "FilePreview",
    "FileReport",
    "ImportCancelled",
    "ImportReport",
    "ImportRunInfo",
    "KindCounts",
    "RejectedRow",
    "USAGE_KIND",
    "UndoReport",
    "counts_words",
    "several_kinds",
]

IMPORT_KINDS = ("auto", *RECORD_KINDS)
# The files an import reads (by name; a folder gives the ones with these suffixes).
# JSON lines: product-usage exports (services/importing/usage/; a .json.gz is read when named).
IMPORT_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".json", ".jsonl", ".ndjson")
# Conversation files (services/importing/conversation_files.py) a folder's import takes too.
CONVERSATION_SUFFIXES = (".vtt", ".srt", ".eml", ".mbox")

# The kind of a product-usage import (services/importing/usage/): customer-days of usage.
USAGE_KIND = "usage"

# How many reject reasons the printed report lists before "... and N more".
MAX_REPORTED_REJECTS = 20


class ImportCancelled(UserFacingError):
    """The user cancelled an import; nothing from the file being imported was saved.

    ``landed`` holds the reports of the files imported before the cancel (each file is
    its own transaction), ``file`` the name of the file being read (nothing of it was
    saved) and ``skipped`` the names of the files after it, not started.
    """

    def __init__(
        self,
        message: str,
        *,
        landed: tuple[FileReport, ...] = (),
        file: str | None = None,
        skipped: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message)
        self.landed = landed
        self.file = file
        self.skipped = skipped


@dataclass(frozen=True)
class FieldSpec:
    """A canonical field a generic column can map to."""

    name: str  # "order_date"
    title: str  # "Order date"
    kind: str  # "orders"
    required: bool
    value_type: str  # "text" | "email" | "id" | "date" | "datetime" | "money" | "number" | "bool"


@dataclass(frozen=True)
class ColumnGuess:
    """The suggested canonical field for one source column, with a confidence."""

    column: str  # source header text
    field: str | None  # suggested canonical field, None = keep in attributes
    score: float  # 0..1 confidence of the suggestion
    samples: tuple[str, ...]  # up to 5 non-empty example values


@dataclass(frozen=True)
class FilePreview:
    """What a file looks like before it is imported: format, kind, mapping, problems."""

    path: str
    file_name: str
    detected_format: str  # "shopify_orders_export", "generic", ...
    format_title: str  # "Shopify orders export"
    kind: str  # resolved kind ("orders"), or "" if unknown yet
    kinds: tuple[str, ...]  # kinds this file feeds
    encoding: str  # "utf-8", "utf-8-sig", "cp1252", "xlsx"
    delimiter: str | None
    header: tuple[str, ...]
    sample_rows: tuple[tuple[str, ...], ...]  # first <= 20 data rows as text
    rows_estimate: int
    needs_mapping: bool  # True for generic files without a matching saved profile
    columns: tuple[ColumnGuess, ...]  # generic files: the suggested mapping
    profile_name: str | None  # saved profile that matched the header
    problems: tuple[str, ...]  # file-level problems in plain words


@dataclass(frozen=True)
class RejectedRow:
    """A source row that was not imported: file, spreadsheet row number, reason."""

    file: str
    row: int
    reason: str


@dataclass(frozen=True)
class KindCounts:
    """What an import did to one kind of record: records inserted, updated, unchanged.

    One file may feed several kinds (a Mailchimp list updates customers and adds their
    subscription events): each kind's counts add up to the records of that kind the file
    held, never to those of another kind."""

    kind: str  # "customers", "orders", ... (models.vocab.RECORD_KINDS)
    inserted: int
    updated: int
    unchanged: int


def _sum_kinds(parts: tuple[KindCounts, ...]) -> tuple[KindCounts, ...]:
    totals: dict[str, list[int]] = {}
    for part in parts:
        total = totals.setdefault(part.kind, [0, 0, 0])
        total[0] += part.inserted
        total[1] += part.updated
        total[2] += part.unchanged
    return tuple(KindCounts(kind, *counts) for kind, counts in totals.items())


def several_kinds(by_kind: tuple[KindCounts, ...]) -> bool:
    """True when the counts are of more than one kind of record (said kind by kind)."""
    return len(_sum_kinds(by_kind)) > 1


def counts_words(
    by_kind: tuple[KindCounts, ...],
    totals: tuple[int, int, int],
    *,
    rejected: int | None = None,
    inserted: str = "inserted",
) -> str:
    """The records inserted, updated and unchanged, per kind when there are several
    ("customers: 2 inserted, 31 updated, 0 unchanged; interactions: 33 inserted, ..."),
    so that no count adds records of different kinds; ``totals`` (inserted, updated,
    unchanged) when there is one kind or none known. ``rejected``: the rows left out,
    said last."""
    kinds = _sum_kinds(by_kind)
    if len(kinds) <= 1:
        new, updated, unchanged = totals
        text = f"{new:,} {inserted}, {updated:,} updated, {unchanged:,} unchanged"
        return text if rejected is None else f"{text}, {rejected:,} rejected"
    text = "; ".join(
        f"{k.kind}: {k.inserted:,} {inserted}, {k.updated:,} updated, {k.unchanged:,} unchanged"
        for k in kinds
    )
    return text if rejected is None else f"{text}; {plural(rejected, 'row')} rejected"


@dataclass(frozen=True)
class FileReport:
    """What the import of one file did. ``inserted``, ``updated`` and ``unchanged`` add
    up every kind of record the file fed; ``by_kind`` splits them (``counts_words`` says
    them so)."""

    file: str
    detected_format: str
    run_id: int | None  # None for a dry run or when nothing landed
    landed: bool
    rows_read: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    rejects: tuple[RejectedRow, ...]
    notes: tuple[str, ...]
    error: str | None  # file-level failure in plain words (nothing from this file landed)
    kind: str = ""  # the kind(s) imported, e.g. "orders" or "customers, orders"
    by_kind: tuple[KindCounts, ...] = ()  # the counts per kind of record, in writing order


@dataclass(frozen=True)
class ImportReport:
    """The report of one import command or dialog: one FileReport per file."""

    files: tuple[FileReport, ...]
    dry_run: bool

    @property
    def landed(self) -> bool:
        """True when any file landed (or would have, for a dry run)."""
        return any(f.landed for f in self.files)

    @property
    def by_kind(self) -> tuple[KindCounts, ...]:
        """The counts per kind of record over every file (a file that landed nothing
        counts nothing)."""
        return _sum_kinds(tuple(k for f in self.files for k in f.by_kind))

    def counts_words(self, *, rejected: int | None = None, inserted: str = "inserted") -> str:
        """The records inserted, updated and unchanged over every file, in words (per
        kind when the files fed several)."""
        totals = (
            sum(f.inserted for f in self.files),
            sum(f.updated for f in self.files),
            sum(f.unchanged for f in self.files),
        )
        return counts_words(self.by_kind, totals, rejected=rejected, inserted=inserted)

    def lines(self, max_rejects: int = MAX_REPORTED_REJECTS) -> list[str]:
        """The printable report (the CLI prints these lines)."""
        out: list[str] = []
        if self.dry_run:
            out.append("dry run: nothing was saved")
        shown = 0
        for f in self.files:
            head = f"{f.file} ({f.detected_format}"
            head += f", {f.kind})" if f.kind else ")"
            if f.error is not None:
                out.append(f"{head}: not imported: {f.error}")
            else:
                verb = "would land" if self.dry_run else "landed"
                run = f" as import {f.run_id}" if f.run_id is not None else ""
                sep = "; " if several_kinds(f.by_kind) else ", "
                words = counts_words(
                    f.by_kind, (f.inserted, f.updated, f.unchanged), rejected=f.rejected
                )
                out.append(f"{head}: {verb}{run}: {plural(f.rows_read, 'row')} read{sep}{words}")
            out.extend(f"  note: {note}" for note in f.notes)
            for r in f.rejects:
                if shown < max_rejects:
                    out.append(f"  rejected: {r.file} row {r.row}: {r.reason}")
                    shown += 1
        total_rejected = sum(f.rejected for f in self.files)
        if total_rejected > shown:
            out.append(f"  ... and {total_rejected - shown:,} more; full list: --rejects-csv PATH")
        if len(self.files) > 1:
            landed = sum(1 for f in self.files if f.landed)
            sep = "; " if several_kinds(self.by_kind) else ", "
            out.append(
                f"total: {landed} of {len(self.files)} files "
                f"{'would land' if self.dry_run else 'landed'}{sep}"
                f"{self.counts_words(rejected=total_rejected)}"
            )
        if not self.files:
            out.append("no files to import")
        return out


@dataclass(frozen=True)
class ImportRunInfo:
    """One row of the import history."""

    run_id: int
    file_name: str
    source_path: str
    detected_format: str
    kind: str
    started_at: dt.datetime  # aware UTC
    rows_read: int
    inserted: int
    updated: int
    rejected: int
    status: str  # "landed", "undone", "failed"
    can_undo: bool
    undo_blocked_reason: str | None  # e.g. "import 12 changed the same records; undo it first"


@dataclass(frozen=True)
class UndoReport:
    """What undoing an import did."""

    run_id: int
    deleted: int
    restored: int
    message: str
