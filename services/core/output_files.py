"""The one rule for every file a command writes: never over an existing file unless asked.

Exports, rejected-row reports and backups go through ``check_output_path`` before anything
is read or written, so a mistyped path can't replace the workspace, a source export or
any other file. The workspace itself and the files being imported are never written over,
not even with ``--force``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from pathlib import Path

from models.errors import UserFacingError
from models.vocab import SQLITE_COMPANIONS

# A cell starting with one of these is a formula to a spreadsheet (CSV/XLSX injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_text(text: str) -> str:
    """Text with a leading apostrophe when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


__all__ = ["OutputPathError", "check_output_path", "display_path", "unused_path"]


class OutputPathError(UserFacingError):
    """A file a command was asked to write would replace something it must not."""


def display_path(path: str | os.PathLike[str]) -> str:
    """A path as text that prints on any terminal (undecodable bytes shown escaped)."""
    raw = os.fsencode(path)
    return raw.decode("utf-8", errors="backslashreplace")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _companions(path: Path) -> list[Path]:
    """The SQLite companion files of ``path`` (beside the path given and beside the file a
    symbolic link leads to), whether they exist yet or not. Writing over one destroys the
    changes it holds (and those of any program that has the database open), as surely as
    writing over the database itself."""
    places = {path}
    with contextlib.suppress(OSError):
        places.add(path.resolve())
    return [p.with_name(p.name + suffix) for p in places for suffix in SQLITE_COMPANIONS]


def unused_path(path: str | os.PathLike[str]) -> Path:
    """``path`` if nothing is there yet, else the first free "name (2).ext", "name (3).ext"
    beside it: for files a command adds to a folder that may hold earlier ones."""
    target = Path(path).expanduser()
    if not (target.exists() or target.is_symlink()):
        return target
    number = 2
    while True:
        other = target.with_name(f"{target.stem} ({number}){target.suffix}")
        if not (other.exists() or other.is_symlink()):
            return other
        number += 1


def check_output_path(
    path: str | os.PathLike[str],
    *,
    force: bool = False,
    protected: Iterable[str | os.PathLike[str]] = (),
    what: str = "the file",
) -> Path:
    """The path to write, or OutputPathError when writing there would destroy something.

    ``protected`` lists files that are never written over (the open workspace, the files
    being read); an existing file is replaced only with ``force``.
    """
    target = Path(path).expanduser()
    shown = display_path(target)
    resolved = target.resolve()
    for other in protected:
        other_path = Path(other).expanduser()
        if resolved == other_path.resolve() or _same_file(target, other_path):
            raise OutputPathError(
                f"{shown} is a file this command reads (the workspace or an import); "
                "nothing was written. Give another file name."
            )
        for companion in _companions(other_path):
            if resolved == companion.resolve() or _same_file(target, companion):
                raise OutputPathError(
                    f"{shown} is part of {display_path(other_path.name)} (the file SQLite "
                    "keeps its latest changes in while it is open); nothing was written. "
                    "Give another file name."
                )
    if target.is_dir():
        raise OutputPathError(f"{shown} is a folder; give a file name for {what}.")
    if target.exists() or target.is_symlink():
        if not force:
            raise OutputPathError(
                f"{shown} already exists and was left as it is. Give a new file name, "
                "or add --force to replace it."
            )
        if not target.is_file():
            raise OutputPathError(f"{shown} is not a regular file; {what} was not written.")
    return target
