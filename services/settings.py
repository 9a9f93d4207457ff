"""Workspace settings: one typed schema, each setting declared once, stored in the workspace.

Settings travel with the workspace (the CLI and the window see the same values).
Window geometry and other UI state live in QSettings instead, never here.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.base import utcnow
from models.errors import UserFacingError
from models.schema import AuditEvent, Setting

SCHEMA_VERSION_KEY = "settings.schema_version"
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class SettingSpec:
    """One setting: its key, Python type, default and human title."""

    key: str
    type: type | tuple[type, ...]
    default: Any
    title: str
    # Optional check beyond the type: returns what is wrong in plain words, or None.
    validate: Callable[[Any], str | None] | None = None


# Every change of a setting under these prefixes bumps "config.version" and is audited, so
# that score charts can mark where the configuration changed.
VERSIONED_PREFIXES = ("scoring.", "alerts.")
CONFIG_VERSION_KEY = "config.version"

# Scoring defaults (DESIGN.md section 6); services/scoring documents what each one does.
ENGAGEMENT_WEIGHTS = {
    "recency": 35.0,
    "frequency": 25.0,
    "monetary": 15.0,
    "interaction": 15.0,
    "fatigue": 10.0,
}
HEALTH_WEIGHTS = {
    "recency": 30.0,
    "frequency": 20.0,
    "satisfaction": 20.0,
    "email_engagement": 10.0,
    "review_sentiment": 10.0,
    "ticket_volume": 10.0,
}
SCORING_THRESHOLDS = {
    # First order fewer days than this before the as-of date: population model, low confidence.
    "new_customer_days": 30.0,
    # High confidence needs this much tenure and this many distinct purchase days.
    "high_confidence_days": 180.0,
    "high_confidence_purchase_days": 3.0,
    # Below this share of the health weight backed by data, confidence drops one level.
    "min_data_coverage": 0.6,
    # Champions need at least this RFM monetary score (1-5); lower ones count as Loyal.
    "champion_min_monetary": 3.0,
    # Fewer training customers than this (or than 20 of either outcome): no classifier.
    "min_training_customers": 200.0,
}
MAX_HORIZON_DAYS = 1095


def _weights_check(defaults: dict[str, float]) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        unknown = sorted(set(value) - set(defaults))
        if unknown:
            return f"unknown component(s) {', '.join(unknown)}; known: {', '.join(defaults)}"
        for key, weight in value.items():
            if isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 0:
                return f"the weight of '{key}' must be a number of at least 0"
        merged = {**defaults, **value}
        if sum(float(w) for k, w in merged.items() if k != "fatigue") <= 0:
            return "at least one weight must be above 0"
        return None

    return check


def _thresholds_check(value: Any) -> str | None:
    unknown = sorted(set(value) - set(SCORING_THRESHOLDS))
    if unknown:
        return f"unknown threshold(s) {', '.join(unknown)}; known: {', '.join(SCORING_THRESHOLDS)}"
    for key, number in value.items():
        if isinstance(number, bool) or not isinstance(number, int | float) or number < 0:
            return f"'{key}' must be a number of at least 0"
    return None


def _horizon_check(value: Any) -> str | None:
    if isinstance(value, bool) or not 1 <= value <= MAX_HORIZON_DAYS:
        return f"must be between 1 and {MAX_HORIZON_DAYS} days"
    return None


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
        SettingSpec(
            CONFIG_VERSION_KEY,
            int,
            0,
            "Configuration version: bumped by every change of a scoring or alert setting",
        ),
        SettingSpec(
            "scoring.horizon_days",
            int,
            90,
            "Churn horizon in days: churn risk is the chance of no order in this many days",
            _horizon_check,
        ),
        SettingSpec(
            "scoring.engagement_weights",
            dict,
            ENGAGEMENT_WEIGHTS,
            "Engagement score weights (recency, frequency, monetary, interaction; fatigue "
            "is a penalty)",
            _weights_check(ENGAGEMENT_WEIGHTS),
        ),
        SettingSpec(
            "scoring.health_weights",
            dict,
            HEALTH_WEIGHTS,
            "Health score weights; missing components are left out and the rest re-weighted",
            _weights_check(HEALTH_WEIGHTS),
        ),
        SettingSpec(
            "scoring.thresholds",
            dict,
            SCORING_THRESHOLDS,
            "Scoring thresholds: new-customer days, confidence levels, segment rules",
            _thresholds_check,
        ),
        SettingSpec(
            "import.watched_folder",
            (str, type(None)),
            None,
            "Folder whose new export files the window imports as they appear (None: off)",
        ),
        SettingSpec(
            "import.watched_files",
            dict,
            {},
            "Files of the watched folder already handled: path -> [size, mtime_ns]",
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
    # A copy of a dict default, so that a caller's change cannot alter the schema.
    return copy.deepcopy(spec.default) if row is None else row.value


def set_setting(session: Session, key: str, value: Any, *, actor: str = "user") -> None:
    """Validate against the schema and store (inside the caller's transaction).

    A change of a scoring or alert setting (VERSIONED_PREFIXES) also bumps
    "config.version" and writes an audit event "settings.changed" by ``actor``.
    """
    spec = _spec(key)
    if not isinstance(value, spec.type):
        raise SettingError(
            f"'{spec.title}' must be of type {spec.type}, not {type(value).__name__}."
        )
    if spec.validate is not None:
        problem = spec.validate(value)
        if problem is not None:
            raise SettingError(f"'{spec.title}': {problem}.")
    if key.startswith(VERSIONED_PREFIXES):
        old = get_setting(session, key)
        if old != value:
            _store(session, key, value)
            version = int(get_setting(session, CONFIG_VERSION_KEY)) + 1
            _store(session, CONFIG_VERSION_KEY, version)
            session.add(
                AuditEvent(
                    actor=actor,
                    action="settings.changed",
                    entity_type="setting",
                    details={"key": key, "old": old, "new": value, "config_version": version},
                )
            )
        _ensure_schema_version(session)
        return
    _store(session, key, value)
    _ensure_schema_version(session)


def config_version(session: Session) -> int:
    """The workspace configuration version (0 until a scoring or alert setting changes)."""
    return int(get_setting(session, CONFIG_VERSION_KEY))


def _store(session: Session, key: str, value: Any) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
        row.updated_at = utcnow()


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
