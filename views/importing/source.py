"""What the import windows need from a workspace, as a protocol: app/ implements it.

Like views/customers/source.py for the customers, this keeps the views free of the database: the
import dialog, the report and the history call these methods only inside operations of
the job runner (they read files and write the workspace), and get back the frozen
dataclasses of services/importing/types.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from PySide6.QtCore import QMimeData

from services.importing.types import (
    FieldSpec,
    FilePreview,
    ImportReport,
    ImportRunInfo,
    RejectedRow,
    UndoReport,
)

ProgressFn = Callable[[float, str], None]
CancelledFn = Callable[[], bool]

# What the file dialogs offer and what a dropped folder is searched for.
IMPORT_FILE_FILTER = (
    "Export files (*.csv *.tsv *.txt *.xlsx *.json *.jsonl *.ndjson *.gz *.vtt *.srt *.eml "
    "*.mbox);;CSV files (*.csv);;Excel workbooks (*.xlsx);;"
    "Product usage (JSON lines) (*.json *.jsonl *.ndjson *.gz);;"
    "Conversations: transcripts, chats, emails (*.vtt *.srt *.txt *.json *.eml *.mbox *.csv);;"
    "All files (*)"
)


def dropped_paths(mime: QMimeData | None) -> list[str]:
    """The local files and folders of a drag and drop; web links and text give nothing.

    Every local file is kept (not only .csv): the import dialog says in plain words why
    a PDF cannot be imported, which is clearer than a drop the window silently refuses.
    """
    if mime is None or not mime.hasUrls():
        return []
    return [u.toLocalFile() for u in mime.urls() if u.isLocalFile() and u.toLocalFile()]


@dataclass(frozen=True)
class ImportRequest:
    """One file to import, with what the user chose for it in the preview."""

    path: str
    kind: str = "auto"
    # {source column: canonical field or None}; None = let the importer decide (a known
    # format, or the saved profile that matched the header).
    mapping: Mapping[str, str | None] | None = None
    save_profile: str | None = None  # save the mapping under this name
    profile: str | None = None  # apply this saved profile


@dataclass(frozen=True)
class ImportOutcome:
    """The report of an import, and whether (and where) the user cancelled it.

    A cancelled import still has a report: the files that landed before the cancel
    (each file is its own transaction) and nothing from the file being read.
    """

    report: ImportReport
    cancelled: bool = False
    cancelled_file: str | None = None  # the file that was being imported; nothing of it landed
    skipped: tuple[str, ...] = field(default=())  # files after it, not started


class ImportSource(Protocol):
    """Import files into one open workspace, list and undo past imports."""

    @property
    def display_name(self) -> str:
        """The workspace the files go into (shown in dialog titles)."""
        ...

    def expand_paths(self, paths: Sequence[str]) -> list[str]:
        """Files as given; folders become their export files. UserFacingError if missing."""
        ...

    def preview_file(self, path: str, *, kind: str = "auto") -> FilePreview: ...

    def fields_for_kind(self, kind: str) -> tuple[FieldSpec, ...]: ...

    def run_import(
        self,
        requests: Sequence[ImportRequest],
        *,
        progress: ProgressFn | None = None,
        cancelled: CancelledFn | None = None,
    ) -> ImportOutcome: ...

    def list_profiles(self) -> list[tuple[str, str]]:
        """Saved mapping profiles: (name, kind)."""
        ...

    def list_imports(self) -> list[ImportRunInfo]: ...

    def undo_import(self, run_id: int) -> UndoReport: ...

    def write_rejects_csv(self, rejects: Sequence[RejectedRow], path: str) -> None: ...

    def user_message(self, error: BaseException) -> str | None:
        """The plain-words message of an environment fault or bad input; None for a bug
        (which goes to the error presenter and the log)."""
        ...
