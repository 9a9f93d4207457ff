"""Files that hold customers' data are the user's alone: workspaces, backups, exports and
logs are created readable and writable by their owner only (0600), the folders made for
them 0700.

Set when each file is created, never through ``os.umask`` (a process-wide setting a
library must not change under the threads of its host). Kept beneath ``models/`` so that
the workspace engine (models/db.py) and its backups (models/migrate.py) can use it. On
Windows the modes are ignored: a file there inherits its folder's access list, and a
user's profile folders are private already.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700


def create_private_file(path: str | os.PathLike[str]) -> bool:
    """Create ``path`` empty and private if it does not exist; True when it was created
    here (an existing file is left as it is)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    except FileExistsError:
        return False
    return True


def open_private(path: str | os.PathLike[str], flags: int) -> int:
    """``os.open`` that gives a file it creates the private mode (a file descriptor)."""
    return os.open(path, flags, PRIVATE_FILE)


def make_private(path: str | os.PathLike[str]) -> None:
    """Take the group's and others' access away from an existing file (best effort: a
    file on a share that refuses chmod stays as it is)."""
    with contextlib.suppress(OSError):
        os.chmod(path, PRIVATE_FILE)


def make_private_folder(path: Path) -> None:
    """Create a folder (and its parents) if missing; the folder made here is private. An
    existing folder (the user's Documents, say) is left as it is."""
    path.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
