"""Workspace settings: one typed schema, each setting declared once, stored in the workspace.

Settings travel with the workspace (the CLI and the window see the same values).
Window geometry and other UI state live in QSettings instead, never here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.base import utcnow
from models.errors import UserFacingError
from models.schema import Setting

SCHEMA_VERSION_KEY = "settings.schema_version"
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class SettingSpec:
    """One setting: its key, Python type, default and human title."""

    key: str
    type: type | tuple[type, ...]
    default: Any
    title: str


SETTINGS: dict[str, SettingSpec] = {
    spec.key: spec
    for spec in (
        SettingSpec(
            "workspace.demo",
            (dict, type(None)),
            None,
            "Demo workspace marker: how the demo data was built (None for real data)",
        ),
        SettingSpec("workspace.name", str, "", "Workspace name shown in the title bar"),
        SettingSpec(
            "rollups.stale",
            bool,
            False,
            "Per-customer totals need a refresh (set by writes, cleared by services.rollups)",
        ),
    )
}

# Numbered migrations from version N-1 to N: functions over the raw key/value dict.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


class SettingError(UserFacingError):
    """A setting name or value that the schema refuses."""


def _spec(key: str) -> SettingSpec:
    try:
        return SETTINGS[key]
    except KeyError:
        raise SettingError(f"Unknown setting '{key}'.") from None


def get_setting(session: Session, key: str) -> Any:
    """The stored value of a declared setting, or its default."""
    spec = _spec(key)
    row = session.get(Setting, key)
    return spec.default if row is None else row.value


def set_setting(session: Session, key: str, value: Any) -> None:
    """Validate against the schema and store (inside the caller's transaction)."""
    spec = _spec(key)
    if not isinstance(value, spec.type):
        raise SettingError(
            f"'{spec.title}' must be of type {spec.type}, not {type(value).__name__}."
        )
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
        row.updated_at = utcnow()
    _ensure_schema_version(session)


def all_settings(session: Session) -> dict[str, Any]:
    """Every declared setting with its current value."""
    stored = {row.key: row.value for row in session.scalars(select(Setting))}
    return {key: stored.get(key, spec.default) for key, spec in SETTINGS.items()}


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
