"""What the organisation sets: defaults IT gives every workspace, and settings it locks.

One resolution order for every setting (services.settings.get_setting):
**locked by policy > the user's own setting > organisation default > built-in default**.
The user's own setting is kept in the workspace, or, for a personal setting (the provider,
the sender's name and signature, the mail server), in the person's own settings file
(services/core/personal.py): a lock wins over it and a default fills in for it alike.

Policy sources, read once per process, later ones winning key by key:

1. the machine location: Linux ``/etc/account-radar/policies.json``; macOS managed
   preferences (``/Library/Managed Preferences/com.accountradar.app.plist``) or
   ``/Library/Preferences/com.accountradar.app.plist``; Windows the registry key
   ``HKLM\\Software\\Policies\\AccountRadar`` (values ``Locked`` and ``Defaults``, each a
   JSON object as text);
2. ``policies.json`` next to the executable (the installed app's folder; next to
   ``main.py`` when run from source);
3. ``$ACCOUNT_RADAR_POLICIES``: a file named by the environment (tests, trials). It is
   the user's own, so it comes last in a weaker way: its defaults only fill settings no
   machine source set, and its locks only lock settings no machine source locked (a lock
   there that contradicts IT's is reported and ignored). A machine lock always wins.

A file holds ``{"locked": {setting: value}, "defaults": {setting: value}}``, as UTF-8
(a byte-order mark is fine). A file that cannot be read or parsed, an unknown setting, or
a value the setting refuses, is reported in plain words (``Policy.problems``: the log,
``config show``, the window's status bar) and the app goes on: a bad policy never stops
it. Only regular files of at most 1 MB are read (never a FIFO or a device), and a
missing file named by ``$ACCOUNT_RADAR_POLICIES`` is reported.

A value written as text where the setting takes a number, a true/false or a list (``"10"``,
``"false"``, ``"first_name"``) is read as that type, as the registry's values are. A lock
that still cannot be read fails closed: it locks the setting's most restrictive value
(``FAIL_CLOSED``: ``llm.allow_cloud`` off) or, for a setting without one, its built-in
default, never leaving the user's own value in force; a machine policy file that cannot
be read at all locks every ``FAIL_CLOSED`` setting and the built-in default of the
settings that guard privacy and the experiment (``CLOSED_AT_BUILT_IN``), as nobody can
tell what it locked.
"""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import os
import plistlib
import struct
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from services.core.safe_read import POLICY_LIMIT, BadFile, parse_json, read_bytes, too_deep

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
MAX_BYTES = POLICY_LIMIT  # a policy is a few hundred bytes; /dev/zero must not fill the memory
MAX_DEPTH = 20  # nesting of one value: deeper is refused (copying it would overflow the stack)
FILE_DEPTH = 900  # nesting of the whole file: within what Python's JSON reader takes
# The most restrictive value of a setting, locked when a lock of it cannot be read.
FAIL_CLOSED: dict[str, Any] = {"llm.allow_cloud": False}
# Locked at their built-in default when a machine policy cannot be read at all: what is
# sent to a model, the hold-out share and the offer cap (IT's usual locks).
CLOSED_AT_BUILT_IN = (
    "outreach.sent_fields",
    "learn.holdout_percent",
    "outreach.incentive_cap_percent",
)

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
    "freshness.source_cadence_days",
    "segments.rules",  # the settings per segment, locked as a whole (docs/it.md)
    "customers.team_filters",  # the team filters, set or locked as a whole (docs/it.md)
)


@dataclass
class Policy:
    """The locked settings and the organisation defaults, with where each came from."""

    locked: dict[str, Any] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # key -> where it was set
    problems: list[str] = field(default_factory=list)
    # What the machine sources (not $ACCOUNT_RADAR_POLICIES) set: IT's own word.
    machine_locked: set[str] = field(default_factory=set)
    machine: dict[str, Any] = field(default_factory=dict)  # key -> IT's lock, else default

    def source(self, key: str) -> str | None:
        return self.sources.get(key)


def _executable_dir() -> Path:
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return Path(__file__).resolve().parents[2]


# A policy file that cannot be used, with the reason in plain words.
PolicyFileError = BadFile


def _parse(path: Path) -> dict[str, Any]:
    """The policy in ``path`` (JSON, or a plist for .plist), or PolicyFileError/OSError.
    Read by services/core/safe_read.py: a regular file of at most MAX_BYTES, opened so
    that nothing blocks, never moved (the person cannot write it)."""
    raw = read_bytes(path, MAX_BYTES)
    if path.suffix == ".plist":
        try:
            data = plistlib.loads(raw)
        except RecursionError:
            raise PolicyFileError("it is nested too deeply") from None
        except (ValueError, plistlib.InvalidFileException, struct.error, IndexError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise PolicyFileError(reason) from None
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise PolicyFileError("it is not UTF-8 text") from None
        # The file may nest deeper than one value may (MAX_DEPTH, checked per value in
        # _apply): a value too deep is refused alone, the rest of the policy stands.
        data = parse_json(text, FILE_DEPTH)
    if not isinstance(data, dict):
        raise PolicyFileError("it is not a JSON object" if path.suffix != ".plist" else
                              "it is not a dictionary")  # fmt: skip
    return data


def _too_deep(value: Any) -> bool:
    """True when ``value`` nests lists or tables more than MAX_DEPTH deep (no recursion)."""
    return too_deep(value, MAX_DEPTH)


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
                parsed = parse_json(tables[name], FILE_DEPTH)
            except BadFile as exc:
                raise ValueError(f"the value {name} cannot be read: {exc}") from None
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
                return parse_json(stripped, FILE_DEPTH)
            except BadFile:
                return text
        if list in kinds:
            return [part.strip() for part in stripped.split(",") if part.strip()]
    if type(None) in kinds and not stripped:
        return None
    return text


def _sources() -> list[tuple[str, Path, bool]]:
    """(label, path, is a machine source) of each file source, in order (the registry is
    read apart, and is a machine source)."""
    out: list[tuple[str, Path, bool]] = []
    if sys.platform == "darwin":
        out += [(str(p), p, True) for p in MAC_FILES]
    elif sys.platform != "win32":
        out.append((str(LINUX_FILE), LINUX_FILE, True))
    beside = _executable_dir() / "policies.json"
    out.append((str(beside), beside, True))
    if os.environ.get(ENV_VAR):
        path = Path(os.environ[ENV_VAR])
        out.append((f"{path} (${ENV_VAR})", path, False))
    return out


# The declared settings and their check, given by services.settings when it loads
# (this module sits below it: settings resolve every value through here).
_KNOWN: list[tuple[Mapping[str, Any], Callable[[str, Any], str | None]]] = []


def use_settings(known: Mapping[str, Any], validate: Callable[[str, Any], str | None]) -> None:
    """Tell the policy reader which settings exist and how a value is checked."""
    _KNOWN[:] = [(known, validate)]
    current_policy.cache_clear()


def _closed_value(key: str) -> tuple[bool, Any]:
    """(True, the value a lock of ``key`` falls back to when it cannot be read): the most
    restrictive one (FAIL_CLOSED) or the built-in default; (False, None) for an unknown
    key."""
    if key in FAIL_CLOSED:
        return True, copy.deepcopy(FAIL_CLOSED[key])
    settings = _KNOWN[0][0] if _KNOWN else {}
    if key in settings:
        return True, copy.deepcopy(settings[key].default)
    return False, None


def _fail_closed(policy: Policy, label: str, machine: bool, keys: Any) -> None:
    """Lock each of ``keys`` at the value it falls back to (``_closed_value``)."""
    for key in keys:
        known, value = _closed_value(key)
        if not known or (not machine and key in policy.machine_locked):
            continue
        policy.locked[key] = value
        policy.sources[key] = f"locked (fail closed: {label} could not be read)"
        if machine:
            policy.machine_locked.add(key)
            policy.machine[key] = copy.deepcopy(value)


# What a machine policy that cannot be read at all locks.
_UNREADABLE_LOCKS = (*FAIL_CLOSED, *CLOSED_AT_BUILT_IN)


def _closed_words(keys: Any) -> str:
    told = []
    for key in keys:
        known, value = _closed_value(key)
        if known:
            told.append(f"{key} locked to {json.dumps(value)}")
    if not told:
        return ""
    return f" Until it is fixed, the safest value applies ({', '.join(told)})."


def _read_files(policy: Policy) -> list[tuple[str, dict[str, Any], bool]]:
    """Each source that could be read, as (label, data, is a machine source)."""
    found: list[tuple[str, dict[str, Any], bool]] = []
    try:
        registry = _windows_policy()
    except (OSError, ValueError) as exc:
        label = f"HKLM\\{WINDOWS_KEY}"
        policy.problems.append(
            f"The policy in {label} could not be read: {exc}.{_closed_words(_UNREADABLE_LOCKS)} "
            "Ask IT to correct it."
        )
        _fail_closed(policy, label, True, _UNREADABLE_LOCKS)
        registry = None
    if registry is not None:
        found.append((*registry, True))
    for label, path, machine in _sources():
        try:
            data = _parse(path)
        except FileNotFoundError:
            if not machine:
                policy.problems.append(
                    f"The policy file {path} named by ${ENV_VAR} does not exist; correct "
                    f"the path or unset ${ENV_VAR}."
                )
            continue
        except (OSError, PolicyFileError) as exc:
            if isinstance(exc, PolicyFileError):
                reason = str(exc)
            else:
                reason = exc.strerror or type(exc).__name__
            closed = _closed_words(_UNREADABLE_LOCKS) if machine else ""
            who = "Ask IT to correct it." if machine else f"Correct it or unset ${ENV_VAR}."
            policy.problems.append(
                f"The policy file {label} could not be read and was ignored: {reason}."
                f"{closed} {who}"
            )
            if machine:
                _fail_closed(policy, label, True, _UNREADABLE_LOCKS)
            continue
        found.append((label, data, machine))
    return found


def _checked(
    validate_setting: Callable[[str, Any], str | None], key: str, value: Any
) -> str | None:
    """What is wrong with one value; a fault in its check (a bug) refuses that value
    alone, with its traceback in the log: the rest of the policy stands."""
    try:
        return validate_setting(key, value)
    except Exception:
        log.exception("The policy's value of %s could not be checked", key)
        return "the value could not be checked (see the log)"


def _apply(  # noqa: C901
    policy: Policy, label: str, data: dict[str, Any], machine: bool, settings: Mapping[str, Any],
    validate_setting: Callable[[str, Any], str | None],
) -> None:  # fmt: skip
    for part in ("locked", "defaults"):
        values = data.get(part, {})
        if not isinstance(values, dict):
            policy.problems.append(f"{label}: '{part}' is not a table of settings; ignored.")
            continue
        for key, value in values.items():
            if key not in settings:
                policy.problems.append(f"{label}: there is no setting '{key}'; ignored.")
                continue
            if isinstance(value, TextValue):
                value = coerce_text(settings[key].type, str(value))
            if _too_deep(value):
                problem: str | None = f"the value is nested more than {MAX_DEPTH} levels deep"
            else:
                problem = _checked(validate_setting, key, value)
            if problem is not None and isinstance(value, str):
                # "10", "false", "first_name" written as text: read as the setting's type.
                typed = coerce_text(settings[key].type, value)
                if _checked(validate_setting, key, typed) is None:
                    value, problem = typed, None
            if problem is not None:
                problem = problem.rstrip(".")
                closes = part == "locked" and not (not machine and key in policy.machine_locked)
                if closes:
                    _, fallback = _closed_value(key)
                    problem += f"; locked to {json.dumps(fallback)} until it is fixed"
                    _fail_closed(policy, label, machine, [key])
                policy.problems.append(f"{label}: {key}: {problem}; ignored.")
                continue
            if not machine and key in policy.machine_locked:
                if part == "locked" and value != policy.locked.get(key):
                    policy.problems.append(
                        f"{label}: {key} is locked by the organisation "
                        f"({policy.sources.get(key, 'policy')}); this lock is ignored."
                    )
                continue
            if part == "locked":
                policy.locked[key] = value
                policy.sources[key] = f"locked ({label})"
                if machine:
                    policy.machine_locked.add(key)
                    policy.machine[key] = value
            elif not machine and key in policy.machine:
                continue  # IT's default stands; the user's own setting is the way over it
            else:
                policy.defaults[key] = value
                if key not in policy.locked:
                    policy.sources[key] = f"organisation default ({label})"
                if machine and key not in policy.machine_locked:
                    policy.machine[key] = value
    unknown = sorted(str(k) for k in set(data) - {"locked", "defaults"})
    if unknown:
        policy.problems.append(f"{label}: unknown section(s) {', '.join(unknown)}; ignored.")


def read_policy() -> Policy:
    """Every source read now (see the module docstring)."""
    if not _KNOWN:
        raise RuntimeError("services.settings must be imported before a policy is read")
    settings, validate_setting = _KNOWN[0]
    policy = Policy()
    # Machine sources first, the user's file after them: the order decides nothing between
    # the two kinds (a machine lock wins), only among the machine sources (later wins).
    found = _read_files(policy)
    for label, data, machine in sorted(found, key=lambda item: not item[2]):
        _apply(policy, label, data, machine, settings, validate_setting)
    for problem in policy.problems:
        log.warning("Policy: %s", problem)
    return policy


@lru_cache(maxsize=1)
def current_policy() -> Policy:
    """The policy of this process (read once). A fault in the reader itself (a bug) is
    logged with its traceback and fails closed: the app still opens."""
    if not _KNOWN:
        raise RuntimeError("services.settings must be imported before a policy is read")
    try:
        return read_policy()
    except Exception:  # a bad policy never stops the app
        log.exception("The policy could not be read")
    policy = Policy()
    _fail_closed(policy, "the policy", True, _UNREADABLE_LOCKS)
    policy.problems.append(
        f"The policy could not be read (see the log).{_closed_words(_UNREADABLE_LOCKS)} Ask IT."
    )
    return policy


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


def where_from(key: str, has_stored: bool, *, personal: bool = False) -> str:
    """Where a setting's value comes from, in words (``personal``: a setting kept in the
    person's own settings, services/core/personal.py)."""
    policy = current_policy()
    if key in policy.locked:
        return policy.sources.get(key, "locked")
    if has_stored:
        if personal:
            return "your own setting (every workspace)"
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
