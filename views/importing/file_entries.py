"""The files of the import dialog and what the user chose for each, without widgets:
``FileEntry``, how a file is described, what keeps it from being imported (in plain
words, for the file list and the footer), and the requests the Import button sends.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from services.importing.types import FieldSpec, FilePreview
from views.importing.mapping_editor import kind_title
from views.importing.source import ImportRequest
from views.item_models.import_mapping_model import (
    duplicate_fields,
    missing_identity,
    missing_required,
    resolve_mapping,
)
from views.item_models.import_tables import FileEntryStatus

ENCODINGS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (with BOM)",
    "cp1252": "Windows-1252",
    "latin-1": "Latin-1",
    "xlsx": "Excel workbook",
}
DELIMITERS = {
    ",": "comma-separated",
    ";": "semicolon-separated",
    "\t": "tab-separated",
    "|": "pipe-separated",
}


@dataclass
class FileEntry:
    """One file of the dialog and what the user chose for it."""

    path: str
    preview: FilePreview | None = None
    fields: tuple[FieldSpec, ...] = ()
    error: str | None = None
    loading: bool = True
    kind: str = ""  # what the user says a generic file holds
    mapping: dict[str, str | None] | None = None  # the user's mapping of a generic file
    save_profile: bool = True
    profile_name: str = ""
    blockers: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.preview.file_name if self.preview is not None else Path(self.path).name

    @property
    def generic(self) -> bool:
        p = self.preview
        return p is not None and (p.detected_format == "generic" or p.needs_mapping)


def suggested_profile_name(path: str, kind: str) -> str:
    """A profile name from the file name: "pos_orders_2026-11.csv" -> "Pos orders"."""
    stem = Path(path).stem
    stem = re.sub(r"[\W_]*\d[\d\W_]*$", "", stem) or stem
    words = re.sub(r"[_\-.]+", " ", stem).strip()
    if not words:
        words = kind or "Import"
    return words[:1].upper() + words[1:]


def _and(items: Sequence[str]) -> str:
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else "".join(items)


def describe_preview(p: FilePreview, kind: str = "") -> str:
    """What a file is, in one line: format, what it holds, encoding, size.

    kind: what the user chose a generic file holds (else the file's own kinds).
    """
    # A generic file's own title names a kind ("Generic orders file"); the kind comes next.
    generic = p.detected_format == "generic"
    parts = ["Generic file" if generic else p.format_title or p.detected_format]
    # A generic file holds what the user says (nothing yet when the importer is unsure).
    kinds = [kind] if kind else ([] if generic else list(p.kinds))
    if kinds:
        titles = [kind_title(k).split(" (")[0] for k in kinds]
        parts.append(_and([titles[0]] + [t.lower() for t in titles[1:]]))
    enc = ENCODINGS.get(p.encoding.lower(), p.encoding)
    if p.delimiter:
        enc += ", " + DELIMITERS.get(p.delimiter, f"separated by “{p.delimiter}”")
    parts.append(enc)
    parts.append(f"about {p.rows_estimate:,} row{'s' if p.rows_estimate != 1 else ''}")
    return " · ".join(parts)


def kind_of(preview: FilePreview) -> str:
    """The kind a generic file holds: the importer's when it is sure, else "" (the user
    chooses; a best guess preselected would be one click away from a wrong import)."""
    return preview.kind if "," not in preview.kind else ""


# The importer's own sentence about unmapped fields: the mapping editor says it better.
MAPPING_PROBLEM = "Account Radar could not tell which column holds"


def file_row(entry: FileEntry) -> tuple[str, str, str]:
    """The file's row in the file list: name, status, tooltip."""
    if entry.loading:
        status = FileEntryStatus.LOADING
    elif entry.error is not None:
        status = FileEntryStatus.PROBLEM
    elif entry.blockers:
        status = FileEntryStatus.NEEDS_MAPPING
    else:
        status = FileEntryStatus.READY
    tooltip = entry.error or "\n".join(entry.blockers) or entry.path
    return entry.name, status, tooltip


def blockers(entry: FileEntry) -> list[str]:
    """What stops this file from being imported, in plain words (empty: ready)."""
    if entry.loading or entry.error is not None or entry.preview is None:
        return []
    if not entry.generic:
        return []
    if not entry.kind:
        return ["choose what the file holds (customers, orders…)"]
    mapping = resolve_mapping(entry.preview.columns, entry.fields, entry.mapping)
    out = []
    missing = missing_required(entry.fields, mapping)
    if missing:
        out.append(f"choose a column for {_and([f.title for f in missing])}")
    who = missing_identity(entry.fields, mapping)
    if who:
        out.append(
            "choose the column that names the customer (" + " or ".join(f.title for f in who) + ")"
        )
    for title, columns in duplicate_fields(entry.fields, mapping).items():
        cols = " and ".join(f"“{c}”" for c in columns)
        out.append(f"{title} is chosen for both {cols}; keep one")
    if entry.save_profile and not entry.profile_name.strip():
        out.append("give the profile a name, or untick “Save this mapping”")
    return out


def ready_entries(entries: Sequence[FileEntry]) -> list[FileEntry]:
    """The files that will be imported: read, without a problem or anything to choose."""
    return [e for e in entries if not e.loading and e.error is None and not e.blockers]


def import_reason(
    entries: Sequence[FileEntry], *, loading: bool, profiles: Mapping[str, str]
) -> tuple[str, str]:
    """The footer's sentence beside Import, and its tone: why Import is off, which files
    are skipped, or where the mapping is saved ("" when there is nothing to say).

    ``profiles``: the saved mapping profiles by name."""
    ready = ready_entries(entries)
    blocked = [e for e in entries if e.blockers]
    failed = [e for e in entries if not e.loading and e.error is not None]
    reason = ""
    tone = "warning"
    if loading and entries:
        reason = "Reading the files…"
        tone = "muted"
    elif blocked:
        if len(entries) == 1:
            text = "; ".join(blocked[0].blockers)
            reason = f"Before importing, {text}."
        else:
            reason = "Before importing, " + "; ".join(
                f"{e.name}: {'; '.join(e.blockers)}" for e in blocked
            )
            reason += "."
    elif entries and not ready:
        reason = (
            "This file cannot be imported."
            if len(entries) == 1
            else "None of these files can be imported."
        )
        tone = "critical"
    elif failed:
        reason = f"{len(failed)} of {len(entries)} files cannot be imported and will be skipped."
    elif ready:
        profile = _profile_note(ready, profiles)
        if profile:
            reason, tone = profile, "muted"
    return (reason[:1].upper() + reason[1:] if reason else ""), tone


def _profile_note(ready: Sequence[FileEntry], profiles: Mapping[str, str]) -> str:
    notes = []
    for e in ready:
        name = e.profile_name.strip()
        if e.generic and e.save_profile and name:
            if name in profiles and (e.preview is None or e.preview.profile_name != name):
                notes.append(f"the mapping replaces your saved profile “{name}”")
            elif e.preview is not None and e.preview.profile_name == name:
                notes.append(f"the changes are saved in the profile “{name}”")
            else:
                notes.append(f"the mapping is saved as “{name}” for the next file like it")
    return "; ".join(dict.fromkeys(notes)) + "." if notes else ""


def import_requests(entries: Sequence[FileEntry]) -> list[ImportRequest]:
    """What the Import button asks the importer for, file by file (the ready files)."""
    out = []
    for e in entries:
        if e.loading or e.error is not None or e.blockers or e.preview is None:
            continue
        if not e.generic:
            # A known format: the importer reads it by its header, whatever it feeds.
            out.append(ImportRequest(path=e.path))
            continue
        name = e.profile_name.strip()
        save = name if e.save_profile and name else None
        mapping = resolve_mapping(e.preview.columns, e.fields, e.mapping)
        profile = e.preview.profile_name
        if (
            profile is not None
            and e.kind == e.preview.kind
            and mapping == resolve_mapping(e.preview.columns, e.fields)
            and save in (None, profile)
        ):
            # The saved profile as it is: imported under its name (the history says so).
            out.append(ImportRequest(path=e.path, profile=profile))
            continue
        out.append(ImportRequest(path=e.path, kind=e.kind, mapping=mapping, save_profile=save))
    return out
