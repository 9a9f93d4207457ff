"""What the organisation sets: defaults IT gives every workspace, and settings it locks.

One resolution order for every setting (services.settings.get_setting):
**locked by policy > the user's own setting > organisation default > built-in default**.

Policy sources, read once per process, later ones winning key by key:

1. the machine location: Linux ``/etc/account-radar/policies.json``; macOS managed
   preferences (``/Library/Managed Preferences/com.accountradar.app.plist``) or
   ``/Library/Preferences/com.accountradar.app.plist``; Windows the registry key
   ``HKLM\\Software\\Policies\\AccountRadar`` (values ``Locked`` and ``Defaults``, each a
   JSON object as text);
2. ``policies.json`` next to the executable (the installed app's folder; next to
   ``main.py`` when run from source);
3. ``$ACCOUNT_RADAR_POLICIES``: a file named by the environment (tests, trials).

A file holds ``{"locked": {setting: value}, "defaults": {setting: value}}``. A file that
cannot be read or parsed, an unknown setting, or a value the setting refuses, is
reported in plain words (``policy_problems``, the log, ``config show``, the window's
status) and ignored: a bad policy never stops the app.
"""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import os
import plistlib
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

ENV_VAR = "ACCOUNT_RADAR_POLICIES"
LINUX_FILE = Path("/etc/account-radar/policies.json")
MAC_FILES = (
    Path("/Library/Managed Preferences/com.accountradar.app.plist"),
    Path("/Library/Preferences/com.accountradar.app.plist"),
)
WINDOWS_KEY = r"Software\Policies\AccountRadar"
LOCK_LIST = "LockedSettings"  # the MSI's LOCK_SETTINGS: which of the Defaults are locked
LOCKED_NOTE = "Set by your organisation"

# What IT is expected to set (any declared setting may be; these are documented).
IT_SETTINGS = (
    "llm.preset",
    "llm.base_url",
    "llm.model",
    "llm.allow_cloud",
    "outreach.sent_fields",
    "outreach.incentive_cap_percent",
    "learn.holdout_percent",
    "import.watched_folder",
    "smtp.host",
    "smtp.port",
    "smtp.security",
    "workspace.location",
    "updates.check_url",
)


@dataclass
class Policy:
    """The locked settings and the organisation defaults, with where each came from."""

    locked: dict[str, Any] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # key -> where it was set
    problems: list[str] = field(default_factory=list)

    def source(self, key: str) -> str | None:
        return self.sources.get(key)


def _executable_dir() -> Path:
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return Path(__file__).resolve().parents[1]


def _read_json(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("it is not a JSON object")
    return data


def _windows_policy() -> tuple[str, dict[str, Any]] | None:  # pragma: no cover - Windows
    if sys.platform != "win32":
        return None
    import winreg

    try:
        key = winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, WINDOWS_KEY)
    except OSError:
        return None
    tables: dict[str, str] = {}
    values: dict[str, dict[str, str]] = {}
    with key:
        with contextlib.suppress(OSError):
            tables[LOCK_LIST] = str(winreg.QueryValueEx(key, LOCK_LIST)[0])
        for name in ("Locked", "Defaults"):
            try:
                value, _kind = winreg.QueryValueEx(key, name)
                tables[name] = str(value)
            except OSError:
                pass
            try:
                sub = winreg.OpenKey(key, name)
            except OSError:
                continue
            with sub:
                found: dict[str, str] = {}
                for index in range(winreg.QueryInfoKey(sub)[1]):
                    setting, text, _kind = winreg.EnumValue(sub, index)
                    found[setting] = str(text)
                values[name] = found
    return "HKLM\\" + WINDOWS_KEY, registry_data(tables, values)


def registry_data(tables: dict[str, str], values: dict[str, dict[str, str]]) -> dict[str, Any]:
    """The policy the Windows registry holds, as a policy file would.

    Two forms, both under ``HKLM\\Software\\Policies\\AccountRadar``: string values
    ``Locked`` and ``Defaults`` each holding a JSON object (Group Policy preferences), and
    subkeys ``Locked`` and ``Defaults`` with one string value per setting (what the MSI's
    public properties write: ``llm.base_url`` = ``http://llm.corp:8080/v1``). A value of the
    second form is text and is read as its setting's type (``coerce_text``); the subkey wins
    over the JSON object for the same setting, and an empty text is "not set" (the MSI writes
    one for each property not given). A string value ``LockedSettings`` (the MSI's
    LOCK_SETTINGS) names the settings of ``Defaults`` to lock instead, comma-separated, or
    ``all``.
    """
    data: dict[str, Any] = {}
    values = {
        name: {k: v for k, v in found.items() if str(v).strip()} for name, found in values.items()
    }
    lock = {w.strip() for w in tables.get(LOCK_LIST, "").split(",") if w.strip()}
    if lock:
        defaults = dict(values.get("Defaults", {}))
        moved = {k: v for k, v in defaults.items() if "all" in lock or k in lock}
        values["Defaults"] = {k: v for k, v in defaults.items() if k not in moved}
        values["Locked"] = {**values.get("Locked", {}), **moved}
    for name, part in (("Locked", "locked"), ("Defaults", "defaults")):
        table: dict[str, Any] = {}
        if name in tables:
            try:
                parsed = json.loads(tables[name])
            except ValueError as exc:
                raise ValueError(f"the value {name} is not JSON ({exc})") from exc
            if not isinstance(parsed, dict):
                raise ValueError(f"the value {name} is not a JSON object")
            table.update(parsed)
        table.update({k: TextValue(v) for k, v in values.get(name, {}).items()})
        if name in tables or name in values:
            data[part] = table
    return data


class TextValue(str):
    """A policy value given as text (the registry), to be read as its setting's type."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def coerce_text(kind: type | tuple[type, ...], text: str) -> Any:
    """``text`` as a value of ``kind`` (a setting's type); the text itself when it can't be
    (the setting's check then says what is wrong)."""
    kinds = kind if isinstance(kind, tuple) else (kind,)
    stripped = text.strip()
    if str in kinds and not stripped.startswith(("[", "{")):
        return text
    if bool in kinds and stripped.lower() in _TRUE | _FALSE:
        return stripped.lower() in _TRUE
    if int in kinds:
        try:
            return int(stripped)
        except ValueError:
            pass
    if float in kinds:
        try:
            return float(stripped)
        except ValueError:
            pass
    if list in kinds or dict in kinds:
        if stripped.startswith(("[", "{")):
            try:
                return json.loads(stripped)
            except ValueError:
                return text
        if list in kinds:
            return [part.strip() for part in stripped.split(",") if part.strip()]
    if type(None) in kinds and not stripped:
        return None
    return text


def _sources() -> list[tuple[str, Path | None]]:
    """(label, path) of each file source, in order (the registry is read apart)."""
    out: list[tuple[str, Path | None]] = []
    if sys.platform == "darwin":
        out += [(str(p), p) for p in MAC_FILES]
    elif sys.platform != "win32":
        out.append((str(LINUX_FILE), LINUX_FILE))
    beside = _executable_dir() / "policies.json"
    out.append((str(beside), beside))
    if os.environ.get(ENV_VAR):
        path = Path(os.environ[ENV_VAR])
        out.append((f"{path} (${ENV_VAR})", path))
    return out


# The declared settings and their check, given by services.settings when it loads
# (this module sits below it: settings resolve every value through here).
_KNOWN: list[tuple[Mapping[str, Any], Callable[[str, Any], str | None]]] = []


def use_settings(known: Mapping[str, Any], validate: Callable[[str, Any], str | None]) -> None:
    """Tell the policy reader which settings exist and how a value is checked."""
    _KNOWN[:] = [(known, validate)]
    current_policy.cache_clear()


def read_policy() -> Policy:
    """Every source read now (see the module docstring)."""
    if not _KNOWN:
        raise RuntimeError("services.settings must be imported before a policy is read")
    settings, validate_setting = _KNOWN[0]
    policy = Policy()
    found: list[tuple[str, dict[str, Any]]] = []
    try:
        registry = _windows_policy()
    except (OSError, ValueError) as exc:
        policy.problems.append(
            f"The policy in HKLM\\{WINDOWS_KEY} could not be read and was ignored: {exc}."
        )
        registry = None
    if registry is not None:
        found.append(registry)
    for label, path in _sources():
        if path is None or not path.exists():
            continue
        try:
            if path.suffix == ".plist":
                with path.open("rb") as f:
                    data = plistlib.load(f)
            else:
                data = _read_json(path)
        except (OSError, ValueError, plistlib.InvalidFileException) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            policy.problems.append(
                f"The policy file {label} could not be read and was ignored: {reason}."
            )
            continue
        found.append((label, data))
    for label, data in found:
        for part in ("locked", "defaults"):
            values = data.get(part, {})
            if not isinstance(values, dict):
                policy.problems.append(f"{label}: '{part}' is not a table of settings; ignored.")
                continue
            target = policy.locked if part == "locked" else policy.defaults
            for key, value in values.items():
                if key not in settings:
                    policy.problems.append(f"{label}: there is no setting '{key}'; ignored.")
                    continue
                if isinstance(value, TextValue):
                    value = coerce_text(settings[key].type, str(value))
                problem = validate_setting(key, value)
                if problem is not None:
                    policy.problems.append(f"{label}: {key}: {problem.rstrip('.')}; ignored.")
                    continue
                target[key] = value
                if part == "locked":
                    policy.sources[key] = f"locked ({label})"
                elif key not in policy.locked:
                    policy.sources[key] = f"organisation default ({label})"
        unknown = sorted(set(data) - {"locked", "defaults"})
        if unknown:
            policy.problems.append(f"{label}: unknown section(s) {', '.join(unknown)}; ignored.")
    for problem in policy.problems:
        log.warning("Policy: %s", problem)
    return policy


@lru_cache(maxsize=1)
def current_policy() -> Policy:
    """The policy of this process (read once)."""
    return read_policy()


def reload_policy() -> Policy:
    """Read the sources again (tests; the window after IT changed a file)."""
    current_policy.cache_clear()
    return current_policy()


def resolve(key: str, built_in: Any, stored: Any, has_stored: bool) -> Any:
    """The value of a setting by the resolution order (module docstring)."""
    policy = current_policy()
    if key in policy.locked:
        return copy.deepcopy(policy.locked[key])
    if has_stored:
        return stored
    if key in policy.defaults:
        return copy.deepcopy(policy.defaults[key])
    return copy.deepcopy(built_in)


def is_locked(key: str) -> bool:
    return key in current_policy().locked


def where_from(key: str, has_stored: bool) -> str:
    """Where a setting's value comes from, in words."""
    policy = current_policy()
    if key in policy.locked:
        return policy.sources.get(key, "locked")
    if has_stored:
        return "this workspace (the user's setting)"
    if key in policy.defaults:
        return policy.sources.get(key, "organisation default")
    return "built-in default"


def locked_problem(key: str, value: Any) -> str | None:
    """Why ``value`` cannot be stored for ``key`` (a locked setting), else None."""
    policy = current_policy()
    if key in policy.locked and value != policy.locked[key]:
        return f"{key} is {LOCKED_NOTE.lower()} ({policy.sources.get(key, 'policy')})"
    return None
