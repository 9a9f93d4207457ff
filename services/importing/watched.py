"""The watched folder, without a window: which export files it holds, and importing the
new ones (``run-daily``; the window's watcher, app/gui/import_watch.py, lists the folder
with the same function and imports through the same service).

Settings: ``import.watched_folder`` and ``import.watched_files`` (the files already
handled, by size and modification time: a file is imported again only when it changes).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from models.db import translate_db_errors
from services.importing.files import understood
from services.importing.types import IMPORT_SUFFIXES, counts_words

FileSignature = tuple[int, int]  # (size in bytes, modification time in ns)
FOLDER_KEY = "import.watched_folder"
FILES_KEY = "import.watched_files"
# A file whose size or time changes within this many seconds is still being written: it
# waits for the next run.
SETTLE_S = 2.0


def is_export_file(name: str) -> bool:
    """An export file by name: hidden files, Office lock files and partial downloads are not."""
    if name.startswith((".", "~$")):
        return False
    return name.lower().endswith(IMPORT_SUFFIXES)


def scan_folder(folder: str) -> dict[str, FileSignature]:
    """The export files directly in folder with their size and modification time."""
    found: dict[str, FileSignature] = {}
    with os.scandir(folder) as entries:
        for entry in entries:
            if not is_export_file(entry.name):
                continue
            try:
                if not entry.is_file():
                    continue
                st = entry.stat()
            except FileNotFoundError:  # removed while listing
                continue
            found[os.path.normpath(entry.path)] = (st.st_size, st.st_mtime_ns)
    return found


@dataclass
class WatchedImport:
    """What one pass over the watched folder did."""

    folder: str | None
    imported: list[str] = field(default_factory=list)  # lines, one per landed file
    failed: list[str] = field(default_factory=list)  # lines, one per refused file
    waiting: list[str] = field(default_factory=list)  # files still being written
    # files another writer (scoring, an import, an undo) kept out this time: tried again
    busy: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        if self.folder is None:
            return ["No watched folder is set: nothing to import."]
        if not (self.imported or self.failed or self.waiting or self.busy):
            return [f"Nothing new in the watched folder {self.folder}."]
        out = [*self.imported, *self.failed]
        out += [
            f"{name} is still being written; it is imported next time." for name in self.waiting
        ]
        out += self.busy
        return out


def _read(engine: Engine) -> tuple[str | None, dict[str, FileSignature]]:
    from services.settings.views import ImportSettings

    with translate_db_errors(), Session(engine) as session:
        watched = ImportSettings.read(session)
        folder, files = watched.watched_folder, watched.watched_files or {}
    seen = {
        str(p): (int(v[0]), int(v[1]))
        for p, v in files.items()
        if isinstance(v, list | tuple) and len(v) == 2
    }
    return (str(folder) if folder else None), seen


def _remember(engine: Engine, seen: dict[str, FileSignature]) -> None:
    from services.settings import set_setting

    with translate_db_errors(), Session(engine) as session, session.begin():
        set_setting(session, FILES_KEY, {p: [s, m] for p, (s, m) in seen.items()})


def import_watched_folder(engine: Engine, *, settle_s: float = SETTLE_S) -> WatchedImport:
    """Import the watched folder's new and changed export files, each its own
    transaction; a file that needs a column mapping or is refused is reported and not
    tried again until it changes (as in the window)."""
    from services.core.writing import WorkspaceBusy
    from services.importing.service import preview_file, run_import

    folder, seen = _read(engine)
    result = WatchedImport(folder)
    if folder is None:
        return result
    if not Path(folder).is_dir():
        result.failed.append(f"The watched folder {folder} cannot be read: it does not exist.")
        return result
    first = scan_folder(folder)
    new = {p: s for p, s in first.items() if seen.get(p) != s}
    if new and settle_s > 0:
        time.sleep(settle_s)
        again = scan_folder(folder)
        for path in list(new):
            if again.get(path) != new[path]:
                result.waiting.append(os.path.basename(path))
                del new[path]
    for path, signature in sorted(new.items()):
        name = os.path.basename(path)
        if not understood(Path(path)):  # a manifest or settings JSON beside the exports
            seen[path] = signature
            continue
        try:
            preview = preview_file(engine, path)
            if preview.needs_mapping:
                result.failed.append(
                    f"{name} needs a column mapping: import it once in the window (File > "
                    "Import...) and save the mapping; later files like it then import here."
                )
            else:
                report = run_import(engine, [path], profile=preview.profile_name)
                for f in report.files:
                    if f.landed:
                        result.imported.append(
                            f"Imported {name}: "
                            + counts_words(
                                f.by_kind,
                                (f.inserted, f.updated, f.unchanged),
                                rejected=f.rejected,
                                inserted="new",
                            )
                            + "."
                        )
                    else:
                        result.failed.append(f"{name} was not imported: {f.error}")
        except WorkspaceBusy as exc:
            # Not the file's fault: it stays new, so the next pass imports it.
            result.busy.append(f"{name} was not imported yet: {exc}")
            continue
        except Exception as exc:  # one bad file never stops the others
            from models.errors import UserFacingError

            if not isinstance(exc, UserFacingError | OSError):
                raise
            result.failed.append(f"{name} was not imported: {exc}")
        seen[path] = signature
    present = {p: s for p, s in seen.items() if p in first}
    _remember(engine, present)
    return result
