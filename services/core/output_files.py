"""The one writer of every file the app writes for the user: exports, reports, rejected
rows, .eml drafts, .ics invitations.

``write_atomically`` is the only place that checks a destination, writes a temporary file
beside it and renames it into place. Its rules:

- the workspace, its ``-wal``/``-shm``/``-journal`` files and the files a command reads are
  never written over, nor any other SQLite database or a database's companion file, not
  even with ``--force`` (a mistyped path must not destroy data);
- an existing file is replaced only when asked (``force``);
- the file is written under a temporary name in the destination's folder, private to its
  owner (models/private_files.py), flushed to disk and renamed over the destination, so a
  failure (full disk, a bug, an interruption) leaves no half-written file and an earlier
  file of that name intact.

``check_output_path`` is the same check on its own, for commands that refuse a bad path
before their slow work starts.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from models.errors import UserFacingError
from models.private_files import open_private
from models.vocab import SQLITE_COMPANIONS

T = TypeVar("T")

# The first bytes of every SQLite database, and of a SQLite write-ahead log.
SQLITE_HEADER = b"SQLite format 3\x00"
WAL_MAGIC = (b"\x37\x7f\x06\x82", b"\x37\x7f\x06\x83")

# A cell starting with one of these is a formula to a spreadsheet (CSV/XLSX injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_text(text: str) -> str:
    """Text with a leading apostrophe when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


__all__ = [
    "OutputPathError",
    "OutputWriteError",
    "check_output_path",
    "display_path",
    "unused_path",
    "write_atomically",
    "write_bytes_file",
    "write_text_file",
]


class OutputPathError(UserFacingError):
    """A file a command was asked to write would replace something it must not."""


class OutputWriteError(UserFacingError):
    """The file could not be written (missing folder, no permission, disk full)."""


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


def _starts_with(path: Path, prefixes: tuple[bytes, ...]) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError:
        return False
    return head.startswith(prefixes)


def _database_it_belongs_to(path: Path) -> Path | None:
    """The SQLite database ``path`` is, or is a companion (-wal, -shm, -journal) of; None
    when it is neither."""
    if path.is_file() and _starts_with(path, (SQLITE_HEADER, *WAL_MAGIC)):
        return path
    places = [path]
    with contextlib.suppress(OSError):
        places.append(path.resolve())  # a link of another name to a -shm file, say
    for place in places:
        for suffix in SQLITE_COMPANIONS:
            if place.name.endswith(suffix) and len(place.name) > len(suffix):
                base = place.with_name(place.name[: -len(suffix)])
                if base.is_file() and _starts_with(base, (SQLITE_HEADER,)):
                    return base
    return None


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
    being read); an existing file is replaced only with ``force``. OutputWriteError when
    the system cannot even look at the path (a name too long, a folder it may not read).
    """
    try:
        return _check_output_path(path, force=force, protected=protected, what=what)
    except OSError as exc:
        where = Path(path).expanduser()
        raise OutputWriteError(_describe_os_error(exc, where, what, creating=False)) from exc


def _check_output_path(
    path: str | os.PathLike[str],
    *,
    force: bool,
    protected: Iterable[str | os.PathLike[str]],
    what: str,
) -> Path:
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
    database = _database_it_belongs_to(target)
    if database is not None:
        part = "is" if database == target else f"is part of {display_path(database.name)},"
        raise OutputPathError(
            f"{shown} {part} a database (a workspace or another program's data); it is never "
            "written over, not even with --force, and nothing was written. Give another "
            "file name."
        )
    if target.exists() or target.is_symlink():
        if not force:
            raise OutputPathError(
                f"{shown} already exists and was left as it is. Give a new file name, "
                "or add --force to replace it."
            )
        if not target.is_file():
            raise OutputPathError(f"{shown} is not a regular file; {what} was not written.")
    return target


def write_atomically(
    path: str | os.PathLike[str],
    write: Callable[[Path], T],
    *,
    force: bool = False,
    protected: Iterable[str | os.PathLike[str]] = (),
    what: str = "the file",
) -> T:
    """Check ``path`` (``check_output_path``), let ``write`` fill a private temporary file
    in its folder, then rename that over ``path``; ``write``'s result.

    Nothing is left behind when ``write`` raises, and a file already at ``path`` stays as
    it was. OutputPathError for a destination that must not be written, OutputWriteError
    when the disk or the folder refuses.
    """
    protected = tuple(protected)
    target = check_output_path(path, force=force, protected=protected, what=what)
    folder = target.parent
    if not folder.is_dir():
        raise OutputWriteError(
            f"The folder {display_path(folder)} does not exist, so {what} was not written; "
            "create it or give another file name."
        )
    temporary = folder / f".{target.name}.{secrets.token_hex(4)}.part"
    try:
        # O_EXCL: never reuse someone else's file; private (0600): it may list customers.
        os.close(open_private(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL))
    except OSError as exc:
        # A name long enough to pass alone may be too long with the temporary suffix.
        where = target if exc.errno == errno.ENAMETOOLONG else folder
        raise OutputWriteError(_describe_os_error(exc, where, what, creating=True)) from exc
    try:
        result = write(temporary)
        with temporary.open("rb+") as handle:
            os.fsync(handle.fileno())
        # Checked again at the last moment: the writing may have taken a while, and a file
        # may have appeared at the destination (or the workspace been moved there) since.
        check_output_path(target, force=force, protected=protected, what=what)
        os.replace(temporary, target)
    except OSError as exc:
        _remove(temporary)
        raise OutputWriteError(_describe_os_error(exc, target, what, creating=False)) from exc
    except BaseException:
        _remove(temporary)
        raise
    return result


def write_bytes_file(
    path: str | os.PathLike[str],
    data: bytes,
    *,
    force: bool = False,
    protected: Iterable[str | os.PathLike[str]] = (),
    what: str = "the file",
) -> Path:
    """Write ``data`` to ``path`` through ``write_atomically``; the path written."""
    write_atomically(
        path, lambda temporary: temporary.write_bytes(data), force=force,
        protected=protected, what=what,
    )  # fmt: skip
    return Path(path).expanduser()


def write_text_file(
    path: str | os.PathLike[str],
    text: str,
    *,
    force: bool = False,
    protected: Iterable[str | os.PathLike[str]] = (),
    what: str = "the file",
    encoding: str = "utf-8",
) -> Path:
    """Write ``text`` to ``path`` (line ends as given) through ``write_atomically``."""
    return write_bytes_file(
        path, text.encode(encoding), force=force, protected=protected, what=what
    )


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _short(path: Path, limit: int = 80) -> str:
    """``display_path`` cut in the middle when longer than ``limit`` characters."""
    text = display_path(path)
    if len(text) <= limit:
        return text
    keep = (limit - 1) // 2
    return f"{text[:keep]}…{text[-keep:]}"


def _describe_os_error(exc: OSError, where: Path, what: str, *, creating: bool) -> str:
    shown = _short(where)
    if exc.errno == errno.ENAMETOOLONG:
        return (
            f"The file name {shown} is too long for this disk; nothing was written. "
            "Give a shorter name."
        )
    if exc.errno == errno.ENOSPC:
        return f"The disk is full; nothing was written to {shown}. Free some space and retry."
    if isinstance(exc, PermissionError):
        if creating:
            return f"Account Radar may not write in {shown}; choose another folder."
        return (
            f"Cannot write {shown}: permission denied. If the file is open in Excel or "
            "another program, close it and try again."
        )
    reason = exc.strerror or type(exc).__name__
    return f"Cannot write {shown}: {reason}. Nothing was written; {what} was not saved."
