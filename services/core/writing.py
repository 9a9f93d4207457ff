"""The workspace's writer lock: imports, import undos and scoring never overlap.

Scoring reads the customers and their orders, works for minutes, then writes a snapshot
per customer; an import or an undo that changed those records meanwhile would leave it
writing scores of customers that are gone (a foreign-key failure, the run lost) or of
figures that no longer hold. So each of these writers holds the workspace's writer lock
from its first read to its last write, and one that finds it held stops before it reads
anything, saying who holds it and what to do: nothing is half-done.

The lock on a SQLite workspace file is an operating-system lock on a small file next to it
(``<workspace>.writing.lock``, holding the holder's name, process and start time); the
system releases it when the process ends, however it ends. On a shared (PostgreSQL)
workspace it is a session advisory lock, held by a connection of its own and visible to
every teammate's computer; that connection's application name says who holds it. A
memory workspace (tests) has one process-wide lock. The lock is re-entrant within a
thread, so a writer that calls another (a refresh that scores) does not lock itself out.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, Engine, text

from models.db import sqlite_path
from models.errors import UserFacingError

# One key for the whole workspace (a PostgreSQL database): "radar-writer" in ASCII.
_ADVISORY_KEY = 0x7261646172_777269
# How long a writer waits for another before it gives up (a short overlap, such as two
# clicks in a row, waits; a long run is reported at once after this).
WAIT_SECONDS = 2.0
_POLL_SECONDS = 0.1


class WorkspaceBusy(UserFacingError):
    """Another import, undo or scoring holds the workspace; nothing was done."""


_held = threading.local()  # per thread: lock identity -> depth


def _depths() -> dict[str, int]:
    depths: dict[str, int] | None = getattr(_held, "depths", None)
    if depths is None:
        depths = {}
        _held.depths = depths
    return depths


def _busy(holder: str, doing: str) -> WorkspaceBusy:
    return WorkspaceBusy(
        f"{holder[:1].upper()}{holder[1:]} is running on this workspace, so {doing} cannot "
        "start now; nothing was changed. Try again when it has finished."
    )


def _holder_words(doing: str) -> str:
    started = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
    return f"{doing} (process {os.getpid()}, started {started})"


@contextlib.contextmanager
def workspace_writer(
    engine: Engine, doing: str, *, wait_seconds: float | None = None
) -> Iterator[None]:
    """Hold the workspace's writer lock while ``doing`` ("scoring", "undoing import 4")
    runs, or raise WorkspaceBusy saying who holds it (module doc)."""
    path = sqlite_path(engine.url)
    if engine.dialect.name == "postgresql":
        key = f"pg:{engine.url.render_as_string(hide_password=True)}"
    elif path is not None and not path.startswith("file:"):
        key = f"file:{Path(path).resolve()}"
    else:
        key = "memory"
    wait = WAIT_SECONDS if wait_seconds is None else wait_seconds
    depths = _depths()
    if depths.get(key):
        depths[key] += 1
        try:
            yield
        finally:
            depths[key] -= 1
        return
    if key.startswith("pg:"):
        held: contextlib.AbstractContextManager[None] = _advisory(engine, doing, wait)
    elif key.startswith("file:"):
        assert path is not None
        held = _file_lock(Path(path), doing, wait)
    else:
        held = _memory_lock(doing, wait)
    with held:
        depths[key] = 1
        try:
            yield
        finally:
            depths.pop(key, None)


_MEMORY = threading.Lock()
_memory_holder = ["another task"]


@contextlib.contextmanager
def _memory_lock(doing: str, wait_seconds: float) -> Iterator[None]:
    if not _MEMORY.acquire(timeout=wait_seconds):
        raise _busy(_memory_holder[0], doing)
    _memory_holder[0] = doing
    try:
        yield
    finally:
        _MEMORY.release()


def lock_file_path(workspace: Path) -> Path:
    """The writer lock's file next to a SQLite workspace file."""
    return workspace.with_name(workspace.name + ".writing.lock")


@contextlib.contextmanager
def _file_lock(workspace: Path, doing: str, wait_seconds: float) -> Iterator[None]:
    path = lock_file_path(workspace)
    try:
        # Private to the user: it names a process and when it started.
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise UserFacingError(
            f"The lock file {path} could not be created ({exc.strerror or exc}), so "
            f"{doing} cannot start; nothing was changed. Make the workspace's folder "
            "writable, then try again."
        ) from None
    with open(fd, "r+", encoding="utf-8") as f:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                lock_file_now(f)
                break
            except OSError:
                if time.monotonic() >= deadline:
                    raise _busy(_read_holder(f), doing) from None
                time.sleep(_POLL_SECONDS)
        try:
            f.seek(0)
            f.truncate()
            f.write(_holder_words(doing))
            f.flush()
            yield
        finally:
            f.seek(0)
            f.truncate()
            f.flush()
            unlock_file(f)


def _read_holder(f: IO[str]) -> str:
    try:
        f.seek(0)
        return f.read().strip() or "another import or scoring"
    except OSError:  # Windows: the holder's locked byte cannot be read
        return "another import or scoring"


def _pg_holder(conn: Connection) -> str | None:
    try:
        return conn.execute(
            text(
                "SELECT a.application_name FROM pg_locks l "
                "JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.granted "
                "AND l.objid = :low AND l.classid = :high"
            ),
            {"low": _ADVISORY_KEY & 0xFFFFFFFF, "high": _ADVISORY_KEY >> 32},
        ).scalar()
    except Exception:  # noqa: BLE001 - only the message's detail; the refusal stands
        return None


@contextlib.contextmanager
def _advisory(engine: Engine, doing: str, wait_seconds: float) -> Iterator[None]:
    # A connection of its own, outside any transaction: the lock lasts until it is
    # unlocked or the connection ends (a crashed process's lock goes with it).
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        deadline = time.monotonic() + wait_seconds
        while not conn.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": _ADVISORY_KEY}
        ).scalar():
            if time.monotonic() >= deadline:
                holder = _pg_holder(conn)
                raise _busy(holder or "another import or scoring (by a teammate)", doing)
            time.sleep(_POLL_SECONDS)
        try:
            # Who holds it, for a teammate's refusal (application names are 63 bytes).
            conn.execute(
                text("SELECT set_config('application_name', :name, false)"),
                {"name": _holder_words(doing)[:63]},
            )
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _ADVISORY_KEY})


# The operating system's lock on an open file, for this lock and run-daily's: taken at
# once or OSError (never waits), released when the process ends however it ends.
if sys.platform == "win32":  # pragma: no cover - Windows
    import msvcrt

    def lock_file_now(f: IO[str]) -> None:
        f.seek(0)
        msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)

    def unlock_file(f: IO[str]) -> None:
        f.seek(0)
        msvcrt.locking(f.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def lock_file_now(f: IO[str]) -> None:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def unlock_file(f: IO[str]) -> None:
        fcntl.flock(f.fileno(), fcntl.LOCK_UN)
