"""The daily round's lock: two ``run-daily`` runs on one workspace never overlap.

An operating-system lock on a small file next to the workspace (``<workspace>.lock`` for
a SQLite file; for a shared workspace, a file in this computer's state folder named after
its address): the system releases it when the process ends, however it ends, so a run
that crashed never leaves a stale lock behind. The file holds the holder's process id and
start time, for the message the next run prints.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path
from types import TracebackType
from typing import IO

from models.db import sqlite_path
from models.errors import UserFacingError
from models.private_files import make_private_folder
from services.core.writing import lock_file_now as _lock
from services.core.writing import unlock_file as _unlock


class RunLocked(UserFacingError):
    """Another run holds the workspace."""


def lock_path(url: str) -> Path:
    """Where the lock of the workspace at ``url`` lives."""
    path = sqlite_path(url)
    if path and path != ":memory:":
        return Path(path).with_name(Path(path).name + ".run-daily.lock")
    from platformdirs import user_state_dir

    digest = hashlib.blake2b(url.encode(), digest_size=8).hexdigest()
    folder = Path(user_state_dir("AccountRadar", appauthor=False))
    make_private_folder(folder)
    return folder / f"run-daily-{digest}.lock"


class DailyLock:
    """Held from creation until closed (a context manager)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            # Private to the user: it names a process and when it started.
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
            self._file: IO[str] | None = open(fd, "a+", encoding="utf-8")  # noqa: SIM115
        except OSError as exc:
            raise UserFacingError(
                f"The lock file {path} could not be created ({exc.strerror or exc}); "
                "nothing was done. Make its folder writable, then run again."
            ) from None
        try:
            _lock(self._file)
        except OSError:
            self._file.seek(0)
            holder = self._file.read().strip() or "another process"
            self._file.close()
            self._file = None
            raise RunLocked(
                f"Another run-daily is in progress on this workspace ({holder}); nothing "
                "was done. Try again when it has finished."
            ) from None
        self._file.seek(0)
        self._file.truncate()
        started = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
        self._file.write(f"process {os.getpid()}, started {started}")
        self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.seek(0)
            self._file.truncate()
            _unlock(self._file)
            self._file.close()
            self._file = None

    def __enter__(self) -> DailyLock:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def daily_lock(url: str) -> DailyLock:
    """Take the workspace's lock, or RunLocked saying who holds it."""
    return DailyLock(lock_path(url))
