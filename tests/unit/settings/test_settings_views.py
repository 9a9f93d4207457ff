"""The typed views of the settings (services/settings/views.py): a view whose field names an
unknown setting or says the wrong type fails when its class is created, and every view
reads what ``get_setting`` reads, under a policy lock and over a stored value alike. A
real workspace file and a real policy file throughout."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from app.workspace import Workspace, open_workspace, to_url
from services.core import policy as policy_module
from services.core.policy import reload_policy
from services.settings import READ_CACHE, SETTINGS, get_setting, set_setting, validate_setting
from services.settings import views as views_module
from services.settings.views import (
    LearnSettings,
    SettingsView,
    SettingsViewError,
    setting,
    type_problem,
)

VIEWS = sorted(
    (
        item
        for item in vars(views_module).values()
        if isinstance(item, type) and issubclass(item, SettingsView) and item is not SettingsView
    ),
    key=lambda view: view.__name__,
)


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = open_workspace(to_url(str(tmp_path / "w.radar.sqlite")), backup=False)
    yield workspace
    workspace.close()


@pytest.fixture
def user_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The user's $ACCOUNT_RADAR_POLICIES file (not written yet), no machine policy."""
    app_dir = tmp_path / "program"
    app_dir.mkdir()
    monkeypatch.setattr(policy_module, "_executable_dir", lambda: app_dir)
    monkeypatch.setattr(policy_module, "LINUX_FILE", tmp_path / "etc" / "policies.json")
    path = tmp_path / "mine.json"
    monkeypatch.setenv("ACCOUNT_RADAR_POLICIES", str(path))
    yield path
    monkeypatch.undo()
    reload_policy()


def test_a_mistyped_key_fails_when_the_class_is_created() -> None:
    with pytest.raises(SettingsViewError, match=r"'learn\.atribution_days' is not a declared"):

        class Mistyped(SettingsView):
            attribution_days: int = setting("learn.atribution_days")


@pytest.mark.parametrize(
    ("annotation", "key"),
    [
        (str, "learn.attribution_days"),  # a whole number, not a text
        (int, "learn.holdout_percent"),  # any number: an int field would cut 12.5 to 12
        (bool, "learn.attribution_days"),
        (str, "import.watched_folder"),  # a text that may be None
        (dict[str, Any], "outreach.sent_fields"),  # a list
        (Any, "workspace.name"),  # no type at all
    ],
)
def test_a_wrong_annotation_fails_when_the_class_is_created(annotation: Any, key: str) -> None:
    namespace = {"__annotations__": {"value": annotation}, "value": setting(key)}
    with pytest.raises(SettingsViewError, match="Wrong: value:"):
        type("Wrong", (SettingsView,), namespace)


def test_a_field_not_declared_with_setting_fails() -> None:
    with pytest.raises(SettingsViewError, match="plain is not declared with setting"):

        class Plain(SettingsView):
            plain: int = dataclasses.field(default=3)


def test_the_annotations_that_agree_with_their_setting() -> None:
    assert type_problem("learn.attribution_days", int) is None
    assert type_problem("learn.holdout_percent", float) is None
    assert type_problem("ask.row_limit", float) is None  # a whole number read as a float
    assert type_problem("import.watched_folder", str | None) is None
    assert type_problem("workspace.demo", dict[str, Any] | None) is None
    assert type_problem("outreach.sent_fields", list[str]) is None


def test_a_view_is_frozen_and_typed_as_declared(ws: Workspace) -> None:
    with ws.sessions() as session:
        learn = LearnSettings.read(session)
    assert (learn.attribution_days, learn.holdout_percent) == (30, 10.0)
    # The holdout share is declared 10 (a whole number): its float field holds a float.
    assert isinstance(learn.holdout_percent, float)
    with pytest.raises(dataclasses.FrozenInstanceError):
        learn.attribution_days = 7  # type: ignore[misc]


def _other_value(key: str) -> Any:
    """A valid value of ``key`` other than its default, or None when none is at hand."""
    spec = SETTINGS[key]
    kinds = spec.type if isinstance(spec.type, tuple) else (spec.type,)
    candidates: list[Any] = [c for c in spec.choices if c != spec.default]
    if bool in kinds:
        candidates.append(not spec.default)
    elif int in kinds:
        candidates += [v for v in (spec.minimum, spec.maximum) if v is not None]
        candidates = [int(v) for v in candidates if v != spec.default]
    if str in kinds and not spec.choices:
        candidates.append("example.org")
    for value in candidates:
        if value != spec.default and validate_setting(key, value) is None:
            return value
    return None


def test_every_view_reads_what_get_setting_reads(ws: Workspace, user_policy: Path) -> None:
    keys = [key for view in VIEWS for key in view.setting_keys()]
    stored = {key: value for key in keys if (value := _other_value(key)) is not None}
    with ws.sessions() as session, session.begin():
        for key, value in stored.items():
            set_setting(session, key, value, actor="test")
    # Every other stored setting is locked back at its default: the lock must win.
    locked = {key: SETTINGS[key].default for key in sorted(stored)[::2]}
    user_policy.write_text(json.dumps({"locked": locked}), encoding="utf-8")
    assert reload_policy().locked == locked
    assert len(stored) > 40
    assert len(locked) > 20
    for cached in (False, True):
        with ws.sessions() as session:
            if cached:
                session.info[READ_CACHE] = {}
            for view in VIEWS:
                _same_as_get_setting(session, view, stored, locked)


def _same_as_get_setting(
    session: Session, view: type[SettingsView], stored: dict[str, Any], locked: dict[str, Any]
) -> None:
    read = view.read(session)
    for item, key in zip(dataclasses.fields(read), view.setting_keys(), strict=True):
        value = getattr(read, item.name)
        assert value == get_setting(session, key), (view.__name__, key)
        expected = locked.get(key, stored.get(key, SETTINGS[key].default))
        assert value == expected, (view.__name__, key)
        assert not isinstance(value, bool) or isinstance(expected, bool), key
