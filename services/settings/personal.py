"""The person's own settings in the one door (services.settings.get_setting, set_setting).

A setting declared ``scope="personal"`` is read from the person's settings file
(services/core/personal.py), never from the workspace, and written only there: on a
shared PostgreSQL workspace it never reaches the team's database. The resolver's order
is the same as for any setting: locked by policy > the person's own value > organisation
default > built-in.

Settings kept in the workspace before they became personal are not lost: when the person
has no value of their own, the workspace's is theirs. ``adopt_personal_settings`` (run
when a workspace is opened) copies it into the person's file once, so it follows them to
the next workspace. The provider's settings (``llm.*``) and the mail server's
(``smtp.*``) are adopted together or not at all: a model from one workspace never mixes
with a provider chosen in another.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from models.schema import Setting
from services.core.personal import PersonalSettingsError, load_personal, save_personal
from services.core.setting_spec import SettingSpec

log = logging.getLogger(__name__)

# Settings adopted from a workspace together (by the start of their key), or not at all.
ADOPTED_TOGETHER = ("llm.", "smtp.")

# The personal settings and how a value is checked, given by services.settings when it
# loads (it imports this module: no import back).
_SPECS: dict[str, SettingSpec] = {}
_CHECK: list[Callable[[str, Any], str | None]] = []


def use_specs(specs: Mapping[str, SettingSpec], validate: Callable[[str, Any], str | None]) -> None:
    """Tell this module which settings are personal and how a value is checked."""
    _SPECS.clear()
    _SPECS.update({k: spec for k, spec in specs.items() if spec.scope == "personal"})
    _CHECK[:] = [validate]


def _bundle(key: str) -> str:
    for prefix in ADOPTED_TOGETHER:
        if key.startswith(prefix):
            return prefix
    return key


def _has_bundle(values: dict[str, Any], key: str) -> bool:
    """True when the person has a value of their own in ``key``'s bundle."""
    bundle = _bundle(key)
    return any(_bundle(k) == bundle for k in values)


def _usable(values: dict[str, Any]) -> dict[str, Any]:
    """The person's values a setting accepts (a hand-edited file may hold others: they
    count as not set, and are said in the log)."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key not in _SPECS:
            continue
        problem = _CHECK[0](key, value)
        if problem is not None:
            log.warning("Your own setting %s is ignored: %s", key, problem)
            continue
        out[key] = value
    return out


def personal_value(session: Session, key: str) -> tuple[Any, bool]:
    """(value, True) of a personal setting the person (or, until they have one, the
    workspace they are in) set; (None, False) when nobody did."""
    values = _usable(load_personal().values)
    if key in values:
        return values[key], True
    if _has_bundle(values, key):
        return None, False
    row = session.get(Setting, key)
    if row is None:
        return None, False
    return row.value, True


def personal_values(session: Session, keys: Iterable[str]) -> dict[str, Any]:
    """The personal settings among ``keys`` that are set (``personal_value``), at once."""
    wanted = list(keys)
    values = _usable(load_personal().values)
    missing = [k for k in wanted if k not in values and not _has_bundle(values, k)]
    rows = {}
    if missing:
        rows = {
            r.key: r.value for r in session.scalars(select(Setting).where(Setting.key.in_(missing)))
        }
    return {k: values[k] if k in values else rows[k] for k in wanted if k in values or k in rows}


def _adopt(session: Session, values: dict[str, Any], keys: Iterable[str]) -> list[str]:
    """Copy into ``values`` the workspace's value of each of ``keys`` whose bundle the
    person has nothing in; the keys copied."""
    missing = [k for k in keys if not _has_bundle(values, k)]
    if not missing:
        return []
    rows = session.scalars(select(Setting).where(Setting.key.in_(missing)))
    adopted = {r.key: r.value for r in rows}
    values.update(adopted)
    return sorted(adopted)


def store_personal(session: Session, key: str, value: Any) -> None:
    """Keep ``value`` as the person's own ``key`` (checked by the caller). The rest of its
    bundle is adopted from the workspace first, so the provider stays whole."""
    loaded = load_personal()
    values = _usable(loaded.values)
    if not _has_bundle(values, key):
        bundle = _bundle(key)
        others = [k for k in _SPECS if k != key and _bundle(k) == bundle]
        _adopt(session, values, others)
    values[key] = value
    save_personal(values)


def forget_personal(key: str) -> None:
    """Drop the person's own ``key``: its default applies again (the rest of its bundle
    stays theirs)."""
    values = _usable(load_personal().values)
    if key in values:
        del values[key]
        save_personal(values)


def adopt_personal_settings(engine: Engine) -> list[str]:
    """Make the workspace's values of now-personal settings the person's own, where they
    have none (once: afterwards theirs win everywhere); the keys adopted. Never fails the
    opening of a workspace: a file that cannot be written is said in the log."""
    loaded = load_personal()
    if loaded.problem is not None:
        return []  # a damaged file is replaced only when the person saves (they are told)
    values = _usable(loaded.values)
    keys = list(_SPECS)
    try:
        with Session(engine) as session:
            adopted = _adopt(session, values, keys)
    except SQLAlchemyError as exc:  # the workspace opens all the same; its values stay
        log.warning("This workspace's settings could not be read for yours: %s", exc)
        return []
    if adopted:
        try:
            save_personal(values)
        except PersonalSettingsError as exc:
            log.warning("%s", exc)
            return []
        log.info("Your own settings now include this workspace's %s", ", ".join(adopted))
    return adopted
