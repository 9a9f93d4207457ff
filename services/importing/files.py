"""The files an import reads and the one it writes: paths and folders expanded to the
importable files they name, and the rejected rows saved as CSV."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from models.errors import UserFacingError
from services.core.output_files import display_path, neutralise_text, write_atomically
from services.importing.types import CONVERSATION_SUFFIXES, IMPORT_SUFFIXES, RejectedRow


def _importable(p: Path) -> bool:
    suffix = p.suffix.lower()
    wanted = suffix in IMPORT_SUFFIXES or suffix in CONVERSATION_SUFFIXES
    return p.is_file() and wanted and not p.name.startswith(".")


def understood(p: Path) -> bool:
    """A JSON file found in a folder is imported only when it is a product-usage export
    or a conversation export: the other JSON files a folder of exports holds (a manifest,
    settings) are no data."""
    # Here, not at the top: the usage importer brings pandas, which the window's start
    # leaves until its first table is filled (this module is read before that).
    from services.importing.usage.sources import JSON_SUFFIXES, sniff

    if p.suffix.lower() not in JSON_SUFFIXES:
        return True
    try:
        if sniff(p) is not None:
            return True
    except UserFacingError:
        pass
    from services.importing.conversation_files import sniff as conversation

    return conversation(p)  # a Gong, Intercom or Zendesk Chat export


def _folder_files(path: Path, recursive: bool) -> list[Path]:
    walk = path.rglob("*") if recursive else path.iterdir()
    return sorted(
        p
        for p in walk
        if _importable(p) and not any(part.startswith(".") for part in p.relative_to(path).parts)
    )


def not_understood(paths: Sequence[str | Path], *, recursive: bool = False) -> list[Path]:
    """The JSON files in the folders given that are not product-usage exports: a folder's
    import leaves them out (expand_paths), and the report names them."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            out.extend(p for p in _folder_files(path, recursive) if not understood(p))
    return out


def expand_paths(paths: Sequence[str | Path], *, recursive: bool = False) -> list[Path]:
    """Files as given; folders -> their .csv/.tsv/.txt/.xlsx files and product-usage JSON
    exports (sorted; with ``recursive``, those of every subfolder too; other JSON files,
    a manifest say, are left out: not_understood names them). Anything that is not a
    regular file (a named pipe, a device) is refused: reading one could block forever."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw).expanduser()
        shown = display_path(path)
        if path.is_dir():
            found = [p for p in _folder_files(path, recursive) if understood(p)]
            if not found:
                hint = (
                    " Its subfolders hold some: add --recursive to import them."
                    if not recursive and subfolder_files(path)
                    else ""
                )
                raise UserFacingError(
                    f"The folder {shown} holds no CSV, XLSX or conversation files to import.{hint}"
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


def check_rejects_folder(path: str | Path) -> None:
    """Refuse, before anything is imported, a rejects file whose folder is missing or
    cannot be written: the rows would land and the report of the rejected ones fail."""
    folder = Path(path).expanduser().absolute().parent
    shown = display_path(folder)
    if not folder.is_dir():
        raise UserFacingError(
            f"The folder {shown} does not exist, so the rejected rows cannot be written "
            "there. Create it or give another path for --rejects-csv; nothing was imported."
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UserFacingError(
            f"The folder {shown} cannot be written to, so the rejected rows cannot be saved "
            "there. Give another path for --rejects-csv; nothing was imported."
        )


def write_rejects_csv(
    rejects: Sequence[RejectedRow],
    path: str | Path,
    *,
    force: bool = False,
    protected: Iterable[str | os.PathLike[str]] = (),
) -> None:
    """Write rejected rows as CSV (file,row,reason), neutralising spreadsheet formulas,
    through the guarded writer: private (a reason can quote a customer's values), never
    over ``protected`` files or a database, over another existing file only with ``force``."""

    def write(temporary: Path) -> None:
        with temporary.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["file", "row", "reason"])
            for r in rejects:
                writer.writerow(
                    [neutralise_text(str(r.file)), r.row, neutralise_text(str(r.reason))]
                )

    write_atomically(path, write, force=force, protected=protected, what="the rejected rows")
