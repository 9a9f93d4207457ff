"""The person's own settings: the ones declared ``scope="personal"`` (the LLM provider,
their name and signature, their mail server), kept in ``settings.json`` in the user's
config folder, beside the profile and the recent workspaces. They follow the person to
every workspace they open on this computer and are never written to a workspace (a
shared PostgreSQL workspace's team never sees them).

Only the file is here: services/settings reads and writes it through the policy-aware
resolver (an organisation's lock still wins over a value kept here, and its default
applies when the person set nothing). The file is written atomically (a crash leaves the
old file or the new, never half) and private to the user; a damaged one is never an
error that stops the app: it is read by services/core/safe_read.py (never a pipe, a
device or a file over 1 MB), its values count as not set, the problem is said in plain
words (``problem``), and a damaged file is set aside beside itself
(``settings.json.bad-<date>``) so that the next save writes a good one.
"""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import os
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from models.errors import UserFacingError
from services.core.profile import config_dir
from services.core.safe_read import SETTINGS_LIMIT, BadFile, os_reason, read_json, set_aside

log = logging.getLogger(__name__)

PERSONAL_FILE_NAME = "settings.json"
PERSONAL_VERSION = 1


class PersonalSettingsError(UserFacingError):
    """The person's settings file could not be written; the message says why."""


@dataclass(frozen=True)
class PersonalSettings:
    """The person's own settings as read (key -> value), and why the file could not be
    used (None when it could, or when there is none yet)."""

    values: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None


def personal_path() -> Path:
    """Where the person's own settings live."""
    return config_dir() / PERSONAL_FILE_NAME


# The last file read, by (path, size, modification time): a batch of drafts reads the
# provider hundreds of times, and a change made by another process (the command line)
# is seen at the next read.
_cache: dict[str, tuple[tuple[int, int, int], PersonalSettings]] = {}
_lock = threading.Lock()


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ino)


def _parse(path: Path) -> dict[str, Any]:
    data = read_json(path, SETTINGS_LIMIT)
    if not isinstance(data, dict):
        raise BadFile("it is not a JSON object")
    values = data.get("settings", {})
    if not isinstance(values, dict):
        raise BadFile("'settings' is not a table of settings")
    return {str(k): v for k, v in values.items()}


# Why a file set aside in this process could not be used: said until the next save (the
# window's status bar and ``config show`` read it after the file has gone).
_set_aside: dict[str, str] = {}


def load_personal() -> PersonalSettings:
    """The person's own settings; none when there is no file yet. A file that cannot be
    used gives none and says why; a damaged one is set aside (settings.json.bad-<date>)."""
    path = personal_path()
    stamp = _stamp(path)
    key = str(path)
    if stamp is None:
        with _lock:
            return PersonalSettings({}, _set_aside.get(key))
    with _lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] == stamp:
            return PersonalSettings(copy.deepcopy(hit[1].values), hit[1].problem)
    loaded = _read(path)
    with _lock:
        _cache[key] = (stamp, loaded)
    return PersonalSettings(copy.deepcopy(loaded.values), loaded.problem)


def _read(path: Path) -> PersonalSettings:
    try:
        return PersonalSettings(_parse(path))
    except FileNotFoundError:
        return PersonalSettings()
    except OSError as exc:  # not allowed to read it, a disk fault: left where it is
        problem = f"Your own settings ({path}) could not be read ({os_reason(exc)})."
        log.warning("%s", problem)
        return PersonalSettings({}, problem)
    except BadFile as exc:
        moved = set_aside(path)
        kept = f"; it was set aside as {moved.name}" if moved is not None else ""
        problem = (
            f"Your own settings ({path}) are damaged ({exc}){kept}. The provider, your "
            "name and signature are at their defaults until you save them again in Settings."
        )
        log.warning("%s", problem)
        if moved is not None:
            with _lock:
                _set_aside[str(path)] = problem
        return PersonalSettings({}, problem)


def save_personal(values: dict[str, Any]) -> Path:
    """Write the person's own settings atomically and privately (0600);
    PersonalSettingsError in plain words when they cannot be written. A damaged file is
    set aside beside the new one (settings.json.bad-<date>), never lost."""
    target = personal_path()
    if _stamp(target) is not None:
        _read(target)  # a damaged file is set aside (settings.json.bad-<date>), never lost
    data = {"schema_version": PERSONAL_VERSION, "settings": values}
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    temp: str | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # mkstemp's 0600: the file names the person's servers and mail account.
        fd, temp = tempfile.mkstemp(prefix=".settings-", suffix=".partial", dir=target.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, target)
        temp = None
    except OSError as exc:
        raise PersonalSettingsError(
            f"Your own settings could not be saved to {target}: {exc.strerror or exc}. "
            "Check that the folder can be written to."
        ) from exc
    finally:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)
    with _lock:
        _cache.pop(str(target), None)
        _set_aside.pop(str(target), None)
    return target
