"""The workspace files this person opened in the window, most recent first: File ▸ Open
recent lists them, and the window reopens the first that still exists at the next launch
(not the demo). Kept in the user's config folder (``recent.json``, beside the profile): it
follows the person, not a workspace. A file that cannot be read or written is never an
error: the list is a convenience, and the window works without it (a damaged one is set
aside beside itself and the list starts empty)."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from pathlib import Path

from services.core.profile import config_dir
from services.core.safe_read import SETTINGS_LIMIT, BadFile, os_reason, read_json, set_aside

log = logging.getLogger(__name__)

RECENT_FILE_NAME = "recent.json"
MAX_RECENT = 8


def recent_path() -> Path:
    return config_dir() / RECENT_FILE_NAME


def recent_workspaces() -> list[str]:
    """The workspace files opened, most recent first (missing ones included). A damaged
    list is set aside (recent.json.bad-<date>) and counts as empty."""
    path = recent_path()
    try:
        data = read_json(path, SETTINGS_LIMIT)
    except FileNotFoundError:
        return []
    except OSError as exc:
        log.warning("The list of recent workspaces could not be read: %s", os_reason(exc))
        return []
    except BadFile as exc:
        moved = set_aside(path)
        kept = f"; it was set aside as {moved.name}" if moved is not None else ""
        log.warning("The list of recent workspaces %s is damaged (%s)%s.", path, exc, kept)
        return []
    paths = data.get("workspaces") if isinstance(data, dict) else None
    if not isinstance(paths, list):
        return []
    return [p for p in paths if isinstance(p, str) and p][:MAX_RECENT]


def last_workspace() -> str | None:
    """The most recent workspace file that still exists, else None."""
    for path in recent_workspaces():
        file = Path(path)
        if file.is_file() and file.stat().st_size > 0:
            return path
    return None


def remember_workspace(path: str | os.PathLike[str]) -> None:
    """Put a workspace file at the top of the list."""
    shown = str(Path(path).expanduser().resolve())
    _write([shown, *(p for p in recent_workspaces() if p != shown)][:MAX_RECENT])


def forget_workspaces(paths: list[str]) -> None:
    """Take these files off the list (the missing ones, when the user asks)."""
    gone = set(paths)
    _write([p for p in recent_workspaces() if p not in gone])


def _write(paths: list[str]) -> None:
    target = recent_path()
    text = json.dumps({"workspaces": paths}, ensure_ascii=False, indent=2) + "\n"
    temp: str | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # Private to the user (mkstemp's 0600): the paths say where their data is.
        fd, temp = tempfile.mkstemp(prefix=".recent-", suffix=".partial", dir=target.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(temp, target)
        temp = None
    except OSError as exc:
        log.warning("The list of recent workspaces could not be saved: %s", exc.strerror or exc)
    finally:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)
