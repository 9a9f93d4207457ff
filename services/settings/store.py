"""The settings store: reading, writing, validating and migrating the value of each setting
declared in the schema (services/settings/schema.py).

Workspace settings are kept in the workspace's settings table; personal ones in the
person's own settings file (services/settings/personal.py). Every read goes through the
policy resolver (services/core/policy.py): locked by policy > the user's own >
organisation default > built-in.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.base import utcnow
from models.errors import UserFacingError
from models.schema import AuditEvent, Setting
from services.core.money import HOME_SETTING, RATES_SETTING
from services.core.policy import current_policy, locked_problem, resolve, use_settings
from services.core.setting_spec import SettingSpec, check_value
from services.settings.personal import forget_personal, personal_value, store_personal, use_specs
from services.settings.personal import personal_values as personal_values
from services.settings.schema import SETTINGS
from services.settings.segments import RULES_SETTING, kept_rules
from services.settings.team_filters import TEAM_FILTERS_SETTING, kept_team_filters
from services.settings.workspace import CONFIG_VERSION_KEY

log = logging.getLogger(__name__)

SCHEMA_VERSION_KEY = "settings.schema_version"
SCHEMA_VERSION = 1


# Every change of a setting under these prefixes bumps "config.version" and is audited, so
# that score charts can mark where the configuration changed.
VERSIONED_PREFIXES = ("scoring.", "alerts.")
# The settings that per-customer money totals (services/core/rollups.py) depend on.
MONEY_KEYS = (HOME_SETTING, RATES_SETTING)


# Numbered migrations from version N-1 to N: functions over the raw key/value dict.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


class SettingError(UserFacingError):
    """A setting name or value that the schema refuses."""


class SettingRefused(SettingError):
    """The workspace refused the change: a shared workspace's row-level security lets
    only a team lead or an admin change its settings."""


REFUSED = (
    "Changing the workspace's settings is for a team lead or an admin of this shared "
    "workspace; nothing was changed."
)


def _spec(key: str) -> SettingSpec:
    try:
        return SETTINGS[key]
    except KeyError:
        raise SettingError(f"Unknown setting '{key}'.") from None


# Work that reads the same workspace-wide values hundreds of times (a batch of drafts)
# opens its sessions with ``info={READ_CACHE: {}}``: the settings (and the categories sold,
# services.alerts.next_step) are then read once for that dict's lifetime. Only for
# read-only work that does not change them.
READ_CACHE = "read_cache"
_MISSING = object()


def get_setting(session: Session, key: str) -> Any:
    """The stored value of a declared setting, or its default."""
    cache = session.info.get(READ_CACHE)
    if cache is not None:
        hit = cache.get(("setting", key), _MISSING)
        if hit is not _MISSING:
            return copy.deepcopy(hit)
    spec = _spec(key)
    if spec.scope == "personal":
        stored, has_stored = personal_value(session, key)
    else:
        stored, has_stored = _kept(spec, *_stored(session, key))
    # Locked policy > the user's own > organisation default > built-in (a copy of it).
    value = resolve(key, spec.default, stored, has_stored)
    if cache is not None:
        cache[("setting", key)] = copy.deepcopy(value)
    return value


# The settings whose stored value was found unusable, said once per process.
_TOLD: set[tuple[str, str]] = set()
# The settings kept as a list of items each checked on its own (services/settings/
# segments.py, team_filters.py): a stored item that fails its check is left out, and
# said, rather than the whole value. Each gives (the value with the bad items left out,
# what was left out).
ITEMWISE: dict[str, Callable[[Any], tuple[Any, tuple[str, ...]]]] = {
    RULES_SETTING: kept_rules,
    TEAM_FILTERS_SETTING: kept_team_filters,
}
# Why a stored value cannot even be read: JSON nested thousands deep overflows the decoder
# (a RecursionError) before any check could look at it.
TOO_DEEP = "it is nested too deeply to be read."


def _stored(session: Session, key: str) -> tuple[Any, bool, str]:
    """(value, kept, why not readable) of the workspace's row of ``key``: (None, False, "")
    when there is none; a value the database holds but that cannot be decoded says why."""
    try:
        row = session.get(Setting, key)
    except RecursionError:
        return None, True, TOO_DEEP
    return (None, False, "") if row is None else (row.value, True, "")


def _checked(
    spec: SettingSpec, value: Any, has_stored: bool, unreadable: str
) -> tuple[Any, bool, tuple[str, ...], str]:
    """(value, kept, the items left out, why the whole value is not used) of a value the
    workspace keeps, checked as a value on its way in is (``check_value``: type, bounds,
    choices and the setting's own check). A setting checked item by item (``ITEMWISE``)
    keeps its good items."""
    if not has_stored:
        return None, False, (), ""
    if unreadable:
        return None, False, (), unreadable
    left_out: tuple[str, ...] = ()
    repair = ITEMWISE.get(spec.key)
    if repair is not None:
        value, left_out = repair(value)
    problem = check_value(spec, value)
    if problem is not None:
        return None, False, left_out, problem
    return value, True, left_out, ""


def _kept(spec: SettingSpec, value: Any, has_stored: bool, unreadable: str) -> tuple[Any, bool]:
    """(value, kept) of a value the workspace keeps (``_checked``). One that fails (written
    by an older version, by hand, or restored from a file) counts as not set, and is said
    once in the log naming the setting: the organisation's default or the built-in one
    applies. Each item left out of a setting checked item by item is said too."""
    value, kept, left_out, problem = _checked(spec, value, has_stored, unreadable)
    for words in left_out:
        _tell(spec.key, words, whole=False)
    if problem:
        _tell(spec.key, problem, whole=True)
    return value, kept


def stored_problems(session: Session, key: str) -> tuple[str, ...]:
    """What of the workspace's stored value of ``key`` is not used, in plain words (the
    items left out, or why the whole value is not); () when it is all used or none is
    kept. For a command or a window to say beside the value that applies."""
    spec = _spec(key)
    if spec.scope == "personal":
        return ()
    _value, _kept_, left_out, problem = _checked(spec, *_stored(session, key))
    whole = f"the whole value is not used: {problem} The default applies." if problem else ""
    return (*left_out, whole) if whole else left_out


def _tell(key: str, problem: str, *, whole: bool) -> None:
    """Say in the log, once per process, what of a stored value is not used."""
    if (key, problem) in _TOLD:
        return
    _TOLD.add((key, problem))
    if whole:
        log.warning(
            "The workspace's value of %s is not used: %s The default applies until it is "
            "saved again.", key, problem,
        )  # fmt: skip
    else:
        log.warning("In the workspace's value of %s, %s", key, problem)


def validate_setting(key: str, value: Any) -> str | None:
    """What is wrong with ``value`` for setting ``key``, in plain words; None when it is fine.

    The one check of a value, wherever it comes from (the Settings dialog, the command
    line, a policy, the person's own file): its type, its bounds (range, length, count,
    nesting), its choices and the setting's own check (``check_value``). Raises
    SettingError for an unknown key. A settings dialog can show the text next to the field.
    """
    return check_value(_spec(key), value)


# A policy sets and locks settings, never the app's own records kept beside them.
use_settings({k: s for k, s in SETTINGS.items() if not s.state}, validate_setting)
use_specs(SETTINGS, validate_setting)


def setting_specs(prefix: str = "") -> tuple[SettingSpec, ...]:
    """The declared settings whose key starts with ``prefix``, in declaration order."""
    return tuple(spec for key, spec in SETTINGS.items() if key.startswith(prefix))


def set_setting(session: Session, key: str, value: Any, *, actor: str = "user") -> None:
    """Validate against the schema and store (inside the caller's transaction).

    Raises SettingError with the plain reason when the value is refused. A change of a
    scoring or alert setting (VERSIONED_PREFIXES) also bumps "config.version" and writes
    an audit event "settings.changed" by ``actor``.
    """
    problem = validate_setting(key, value) or locked_problem(key, value)
    if problem is not None:
        raise SettingError(problem)
    if SETTINGS[key].scope == "personal":
        # The person's own file, never the workspace (a shared one's team never sees it).
        store_personal(session, key, value)
        return
    if key.startswith(VERSIONED_PREFIXES):
        old = get_setting(session, key)
        if old != value:
            _store(session, key, value)
            _versioned_change(session, key, old, value, actor)
        _ensure_schema_version(session)
        return
    changed_money = key in MONEY_KEYS and get_setting(session, key) != value
    _store(session, key, value)
    _ensure_schema_version(session)
    if changed_money:
        from services.core.rollups import refresh_rollups

        # Customer totals are sums in the home currency: every reader (the window, Ask,
        # exports) sees them in the new currency or at the new rates at once.
        session.flush()
        refresh_rollups(session)


def normalised(values: dict[str, Any]) -> dict[str, Any]:
    """Values as they are kept, however they were typed: a currency code in capitals
    ("eur" is EUR). The Settings dialog and `config set` both save through this."""
    if isinstance(values.get(HOME_SETTING), str):
        return {**values, HOME_SETTING: values[HOME_SETTING].strip().upper()}
    return values


def set_settings(session: Session, values: dict[str, Any], *, actor: str = "user") -> None:
    """Validate every value first, then store them all (inside the caller's transaction).

    Nothing is stored when any value is refused: the SettingError names every problem.
    """
    problems = [
        p
        for key, value in values.items()
        if (p := validate_setting(key, value) or locked_problem(key, value))
    ]
    if problems:
        raise SettingError(" ".join(problems))
    for key, value in values.items():
        set_setting(session, key, value, actor=actor)


def reset_setting(session: Session, key: str, *, actor: str = "user") -> None:
    """Put a setting back to its declared default (audited like any change)."""
    set_setting(session, key, copy.deepcopy(_spec(key).default), actor=actor)


def unset_setting(session: Session, key: str, *, actor: str = "user") -> None:
    """Forget the value kept for ``key`` (in the workspace, or the person's own for a
    personal setting): the organisation's default, else the built-in one, applies again.
    A scoring or alert setting's change is versioned and audited as ``set_setting``'s."""
    spec = _spec(key)
    if spec.scope == "personal":
        forget_personal(key)
        return
    row = session.get(Setting, key)
    if row is None:
        return
    old = get_setting(session, key)
    session.delete(row)
    session.flush()
    new = get_setting(session, key)
    if old == new:
        return
    if key.startswith(VERSIONED_PREFIXES):
        _versioned_change(session, key, old, new, actor)
    elif key in MONEY_KEYS:
        from services.core.rollups import refresh_rollups

        refresh_rollups(session)


def _versioned_change(session: Session, key: str, old: Any, new: Any, actor: str) -> None:
    """Bump "config.version" and audit the change of a scoring or alert setting."""
    version = int(get_setting(session, CONFIG_VERSION_KEY)) + 1
    _store(session, CONFIG_VERSION_KEY, version)
    session.add(
        AuditEvent(
            actor=actor,
            action="settings.changed",
            entity_type="setting",
            details={"key": key, "old": old, "new": new, "config_version": version},
        )
    )


def config_version(session: Session) -> int:
    """The workspace configuration version (0 until a scoring or alert setting changes)."""
    return int(get_setting(session, CONFIG_VERSION_KEY))


def _store(session: Session, key: str, value: Any) -> None:
    """Keep the value in the workspace, flushed at once: a shared workspace's row-level
    security hides a kept setting's row from whoever may not change it, so their UPDATE
    matches no row: said there and then as SettingRefused (a new row is turned away by
    the database's own guard, in words, as a WorkspaceError)."""
    from sqlalchemy.orm.exc import StaleDataError

    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
        row.updated_at = utcnow()
    try:
        session.flush()
    except StaleDataError:
        raise SettingRefused(REFUSED) from None


def all_settings(session: Session) -> dict[str, Any]:
    """Every declared setting with its current value."""
    try:
        rows = {row.key: (row.value, True, "") for row in session.scalars(select(Setting))}
    except RecursionError:
        # A value nested too deeply to decode: every row read on its own, that one refused.
        keys = session.scalars(select(Setting.key)).all()
        rows = {key: _stored(session, key) for key in keys}
    personal = [k for k, s in SETTINGS.items() if s.scope == "personal"]
    for key in personal:
        rows.pop(key, None)
    stored = {}
    for key, row in rows.items():
        value, kept = _kept(SETTINGS[key], *row) if key in SETTINGS else (row[0], True)
        if kept:
            stored[key] = value
    stored.update(personal_values(session, personal))
    return {k: resolve(k, s.default, stored.get(k), k in stored) for k, s in SETTINGS.items()}


def _ensure_schema_version(session: Session) -> None:
    if session.get(Setting, SCHEMA_VERSION_KEY) is None:
        session.add(Setting(key=SCHEMA_VERSION_KEY, value=SCHEMA_VERSION))


def migrate_settings(session: Session) -> int:
    """Apply numbered settings migrations up to SCHEMA_VERSION; returns the version now."""
    row = session.get(Setting, SCHEMA_VERSION_KEY)
    version = int(row.value) if row is not None else SCHEMA_VERSION
    if version > SCHEMA_VERSION:
        raise SettingError(
            "This workspace's settings were written by a newer Account Radar; update the app."
        )
    if version == SCHEMA_VERSION:
        return version
    values = {r.key: r.value for r in session.scalars(select(Setting))}
    for target in range(version + 1, SCHEMA_VERSION + 1):
        values = MIGRATIONS[target](values)
    for key, value in values.items():
        existing = session.get(Setting, key)
        if existing is None:
            session.add(Setting(key=key, value=value))
        else:
            existing.value = value
    assert row is not None
    row.value = SCHEMA_VERSION
    return SCHEMA_VERSION


def organisation_value(key: str) -> tuple[Any, bool]:
    """(value, locked) the organisation's policy gives a setting, (None, False) when none.

    For what is decided before any workspace is open (``workspace.location``)."""
    policy = current_policy()
    if key in policy.locked:
        return policy.locked[key], True
    return policy.defaults.get(key), False
