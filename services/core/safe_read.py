"""The one reader of the files the app reads on its own: the person's settings, profile
and recent workspaces (the config folder), the organisation's policy, the built-in
templates and the bundle's records.

A file here is only ever a small regular file. It is opened so that nothing blocks (a
FIFO in its place returns at once instead of waiting for a writer), checked on the open
handle to be a regular file (a link to ``/dev/zero`` or a folder in its place is refused
before a byte is read), and read up to its kind's limit plus one byte (a larger file is
refused, never read whole). JSON is parsed with a bound on its nesting (a file nested
100,000 deep is refused, not a RecursionError later) and numbers of hundreds of digits
read as floats (Python refuses to convert them to int: the whole file would fail for one
value). Links are followed: people keep their settings in a dotfiles folder.

A file that is there but unusable raises ``BadFile`` with the reason in plain words. The
caller says what it means for the person; ``set_aside`` moves a bad file of the
person's own beside itself (``settings.json.bad-20250131-093000``), never over another
and never deleting one, so that the app starts on its defaults and the next save writes a
good file. IT's policy file is never moved (the person cannot write it).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import stat
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# The most bytes read of each kind of file: a few hundred bytes is usual for all of them.
SETTINGS_LIMIT = 1_000_000  # settings.json, recent.json, profile.json
POLICY_LIMIT = 1_000_000  # policies.json or the plist
TEMPLATE_LIMIT = 4_000_000  # a built-in template, a stylesheet, the bundle's records
# The deepest nesting of lists and tables a file may have (settings need 3 or 4).
MAX_DEPTH = 32
# Integers with more digits than this are read as floats (then refused by the setting).
MAX_INT_DIGITS = 100
BAD_SUFFIX = ".bad"


class BadFile(ValueError):
    """A file that is there but cannot be used: the reason in plain words."""


def _words(limit: int) -> str:
    return f"{limit / 1_000_000:g} MB" if limit >= 1_000_000 else f"{limit:,} bytes"


def read_bytes(path: Path, limit: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them; BadFile when it is
    no regular file or larger, FileNotFoundError or another OSError when it can't be
    opened."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    flags |= getattr(os, "O_CLOEXEC", 0)
    if not hasattr(os, "O_NONBLOCK") and not stat.S_ISREG(os.stat(path).st_mode):
        # No O_NONBLOCK (Windows): look before opening, so a pipe is never opened.
        raise BadFile("it is not a regular file (a folder, a pipe or a device)")
    fd = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise BadFile("it is not a regular file (a folder, a pipe or a device)")
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    if size > limit:
        raise BadFile(f"it is larger than {_words(limit)}")
    return b"".join(chunks)


def read_text(path: Path, limit: int) -> str:
    """The UTF-8 text of ``path`` (a byte-order mark is fine); as ``read_bytes``, and
    BadFile when it is not UTF-8."""
    try:
        return read_bytes(path, limit).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadFile("it is not UTF-8 text") from None


def _int(digits: str) -> int | float:
    return int(digits) if len(digits) <= MAX_INT_DIGITS else float(digits)


def too_deep(value: Any, max_depth: int = MAX_DEPTH) -> bool:
    """True when ``value`` nests lists or tables more than ``max_depth`` deep (no
    recursion: a value nested 100,000 deep is answered, not overflowed)."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list | tuple):
            if depth >= max_depth:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


def parse_json(text: str, max_depth: int = MAX_DEPTH) -> Any:
    """The JSON ``text``, or BadFile saying why it can't be read (not JSON, nested more
    than ``max_depth`` deep)."""
    try:
        data = json.loads(text, parse_int=_int)
    except RecursionError:
        raise BadFile(f"it is nested too deeply (over {max_depth} levels)") from None
    except ValueError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else "not JSON"
        raise BadFile(f"it is not JSON ({reason})") from None
    if too_deep(data, max_depth):
        raise BadFile(f"it is nested too deeply (over {max_depth} levels)")
    return data


def read_json(path: Path, limit: int, max_depth: int = MAX_DEPTH) -> Any:
    """The JSON in ``path``: ``read_text`` then ``parse_json``."""
    return parse_json(read_text(path, limit), max_depth)


# The files this process set aside, (the file, where it went): a command says so at its
# end, whatever it was asked to do (the window says it in its status bar).
_moved: list[tuple[Path, Path]] = []


def set_aside_in_this_run() -> list[tuple[Path, Path]]:
    """Every bad file set aside since the process started: (its path, where it went)."""
    return list(_moved)


def set_aside(path: Path) -> Path | None:
    """Move the bad file ``path`` beside itself under a dated name no file has (never over
    another, never deleted); where it went, or None when it could not be moved (said in
    the log)."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for n in range(1, 100):
        extra = "" if n == 1 else f"-{n}"
        target = path.with_name(f"{path.name}{BAD_SUFFIX}-{stamp}{extra}")
        if target.exists() or target.is_symlink():
            continue
        try:
            os.rename(path, target)
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.warning("%s could not be set aside: %s", path, exc.strerror or exc)
            return None
        _moved.append((path, target))
        return target
    log.warning("%s could not be set aside: too many set aside already", path)
    return None


def os_reason(exc: OSError) -> str:
    """An OSError in plain words ("Permission denied")."""
    return exc.strerror or type(exc).__name__
