"""Organisation defaults and locks (services/core/policy.py): the resolution order on a real
workspace file, a locked setting refusing a change, a malformed or wrong policy
reported and ignored, and `config show --sources` saying where each value comes from
(the Settings dialog: tests/gui/settings/test_settings_policy.py)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.cli.main import main
from app.workspace import Workspace, open_workspace, to_url
from services.core.policy import reload_policy
from services.settings import SettingError, get_setting, set_setting

POLICY = {
    "locked": {
        "llm.base_url": "http://llm.corp.example:8080/v1",
        "outreach.sent_fields": ["first_name", "tier"],
    },
    "defaults": {"learn.holdout_percent": 20, "smtp.host": "smtp.corp.example"},
}


@pytest.fixture
def policy_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "policies.json"
    path.write_text(json.dumps(POLICY), encoding="utf-8")
    monkeypatch.setenv("ACCOUNT_RADAR_POLICIES", str(path))
    reload_policy()
    yield path
    monkeypatch.delenv("ACCOUNT_RADAR_POLICIES")
    reload_policy()


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = open_workspace(to_url(str(tmp_path / "w.radar.sqlite")), backup=False)
    yield workspace
    workspace.close()


def test_locked_beats_the_users_own_which_beats_the_organisation_default(
    policy_file: Path, ws: Workspace
) -> None:
    with Session(ws.engine) as session:
        assert get_setting(session, "llm.base_url") == "http://llm.corp.example:8080/v1"
        assert get_setting(session, "outreach.sent_fields") == ["first_name", "tier"]
        assert get_setting(session, "learn.holdout_percent") == 20  # organisation default
        assert get_setting(session, "smtp.port") == 587  # built-in default
    with Session(ws.engine) as session, session.begin():
        set_setting(session, "learn.holdout_percent", 5)  # the user's own wins over it
        with pytest.raises(SettingError, match="set by your organisation"):
            set_setting(session, "llm.base_url", "https://api.openai.com/v1")
        set_setting(session, "outreach.sent_fields", ["first_name", "tier"])  # same: fine
    with Session(ws.engine) as session:
        assert get_setting(session, "learn.holdout_percent") == 5
        assert get_setting(session, "llm.base_url") == "http://llm.corp.example:8080/v1"


def test_a_stored_value_under_a_lock_is_overridden(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(ws.engine) as session, session.begin():
        set_setting(session, "llm.base_url", "https://api.openai.com/v1")
    path = tmp_path / "later.json"
    path.write_text(json.dumps(POLICY), encoding="utf-8")
    monkeypatch.setenv("ACCOUNT_RADAR_POLICIES", str(path))
    reload_policy()
    try:
        with Session(ws.engine) as session:
            assert get_setting(session, "llm.base_url") == "http://llm.corp.example:8080/v1"
    finally:
        monkeypatch.delenv("ACCOUNT_RADAR_POLICIES")
        reload_policy()
    with Session(ws.engine) as session:  # the lock lifted: the user's own again
        assert get_setting(session, "llm.base_url") == "https://api.openai.com/v1"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{not json", "could not be read and was ignored"),
        ('["a list"]', "it is not a JSON object"),
        ('{"locked": {"no.such.setting": 1}}', "there is no setting 'no.such.setting'"),
        ('{"locked": {"smtp.port": "many"}}', "smtp.port"),
        ('{"locked": [1, 2]}', "'locked' is not a table of settings"),
    ],
)
def test_a_bad_policy_is_reported_and_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ws: Workspace, text: str, words: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("ACCOUNT_RADAR_POLICIES", str(path))
    try:
        policy = reload_policy()
        assert any(words in p for p in policy.problems), policy.problems
        # A lock that cannot be read locks the built-in (never leaves the user's own value).
        assert policy.locked == ({"smtp.port": 587} if '"smtp.port"' in text else {})
        with Session(ws.engine) as session:
            assert get_setting(session, "smtp.port") == 587
        out, err = io.StringIO(), io.StringIO()
        code = main(["--db", str(ws.engine.url.database), "config", "show"], out=out, err=err)
        assert code == 0
        assert words in err.getvalue()
        assert "smtp.port" in out.getvalue()
    finally:
        monkeypatch.delenv("ACCOUNT_RADAR_POLICIES")
        reload_policy()


def test_config_show_says_where_each_value_comes_from(policy_file: Path, ws: Workspace) -> None:
    with Session(ws.engine) as session, session.begin():
        set_setting(session, "llm.model", "qwen2.5")
    out, err = io.StringIO(), io.StringIO()
    db = str(ws.engine.url.database)
    assert main(["--db", db, "config", "show", "--sources"], out=out, err=err) == 0
    lines = {line.split()[0]: line for line in out.getvalue().splitlines()}
    assert '"http://llm.corp.example:8080/v1"' in lines["llm.base_url"]
    assert f"[locked ({policy_file}" in lines["llm.base_url"]
    assert "[organisation default (" in lines["learn.holdout_percent"]
    assert lines["learn.holdout_percent"].split()[1] == "20"
    assert '"qwen2.5"' in lines["llm.model"]
    # The model is the person's own: it follows them to every workspace.
    assert "[your own setting (every workspace)]" in lines["llm.model"]
    assert "[built-in default · personal]" in lines["smtp.port"]
    assert "[built-in default]" in lines["ask.row_limit"]
    assert err.getvalue() == ""


def test_registry_values_are_read_as_their_settings_types(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ws: Workspace
) -> None:
    """What the MSI writes (one text value per setting under Locked/Defaults) and a JSON
    table, read through the same path as a file (the registry itself is Windows-only)."""
    from services.core import policy

    data = policy.registry_data(
        {"Defaults": json.dumps({"smtp.port": 2525, "llm.model": "from-json"})},
        {
            "Locked": {
                "llm.base_url": "http://llm.corp.example:8080/v1",
                "outreach.sent_fields": "first_name, tier ,last_order",
                "learn.holdout_percent": "15",
            },
            "Defaults": {"llm.model": "qwen2.5-7b", "smtp.host": "smtp.corp.example"},
        },
    )
    monkeypatch.setattr(policy, "_windows_policy", lambda: ("HKLM\\test", data))
    read = reload_policy()
    try:
        assert read.problems == []
        assert read.locked == {
            "llm.base_url": "http://llm.corp.example:8080/v1",
            "outreach.sent_fields": ["first_name", "tier", "last_order"],
            "learn.holdout_percent": 15,
        }
        assert read.defaults["llm.model"] == "qwen2.5-7b"  # the subkey wins over the JSON
        assert read.defaults["smtp.port"] == 2525
        assert read.defaults["smtp.host"] == "smtp.corp.example"
        with Session(ws.engine) as session:
            assert get_setting(session, "learn.holdout_percent") == 15
    finally:
        monkeypatch.undo()
        reload_policy()


def test_text_values_that_do_not_fit_are_reported_and_ignored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from services.core import policy

    data = policy.registry_data({}, {"Locked": {"learn.holdout_percent": "ten"}})
    monkeypatch.setattr(policy, "_windows_policy", lambda: ("HKLM\\test", data))
    try:
        read = reload_policy()
        # "ten" is no number: the lock fails closed at the built-in share.
        assert read.locked == {"learn.holdout_percent": 10}
        assert len(read.problems) == 1
        assert "learn.holdout_percent" in read.problems[0]
        assert "locked to 10 until it is fixed" in read.problems[0]
        with pytest.raises(ValueError, match="not JSON"):
            policy.registry_data({"Locked": "{not json"}, {})
    finally:
        monkeypatch.undo()
        reload_policy()


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        (bool, "true", True),
        (bool, "0", False),
        (int, " 42 ", 42),
        ((int, float), "2.5", 2.5),
        (list, '["a", "b"]', ["a", "b"]),
        (list, "a,b,,c", ["a", "b", "c"]),
        ((str, type(None)), "", ""),
        ((str, type(None)), "/srv/drop", "/srv/drop"),
        (str, "http://x", "http://x"),
        (int, "many", "many"),  # left as text: the setting's check reports it
    ],
)
def test_coerce_text(kind: object, text: str, expected: object) -> None:
    from services.core.policy import coerce_text

    assert coerce_text(kind, text) == expected  # type: ignore[arg-type]


def test_the_organisations_workspace_location(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.workspace import ENV_VAR, resolve_url
    from models.errors import WorkspaceError

    shared = tmp_path / "team.radar.sqlite"
    path = tmp_path / "policies.json"
    monkeypatch.setenv("ACCOUNT_RADAR_POLICIES", str(path))
    monkeypatch.delenv(ENV_VAR, raising=False)
    try:
        path.write_text(json.dumps({"defaults": {"workspace.location": str(shared)}}))
        reload_policy()
        assert resolve_url(None, {}) == to_url(str(shared))  # the default when none is named
        own = str(tmp_path / "mine.radar.sqlite")
        assert resolve_url(own, {}) == to_url(own)  # a default gives way to --db
        assert resolve_url(None, {ENV_VAR: own}) == to_url(own)

        path.write_text(json.dumps({"locked": {"workspace.location": str(shared)}}))
        reload_policy()
        assert resolve_url(None, {ENV_VAR: str(shared)}) == to_url(str(shared))
        with pytest.raises(WorkspaceError, match="Your organisation sets the workspace"):
            resolve_url(own, {})
        out, err = io.StringIO(), io.StringIO()
        assert main(["--db", own, "config", "show"], out=out, err=err) != 0
        assert "Your organisation sets the workspace" in err.getvalue()
        assert not Path(own).exists()  # nothing was created where it was refused
    finally:
        monkeypatch.delenv("ACCOUNT_RADAR_POLICIES")
        reload_policy()


def test_what_the_msi_writes_lock_settings_and_empty_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The MSI writes every property under Defaults (empty when not given) and
    LOCK_SETTINGS as LockedSettings: the named ones are locked, the empty ones unset."""
    from services.core import policy

    defaults = {
        "llm.base_url": "http://llm.corp.example:8080/v1",
        "outreach.sent_fields": "first_name,tier",
        "llm.model": "qwen2.5-7b",
        "smtp.host": "",  # a property not given
        "learn.holdout_percent": "",
    }
    data = policy.registry_data(
        {policy.LOCK_LIST: "llm.base_url, outreach.sent_fields"}, {"Defaults": defaults}
    )
    monkeypatch.setattr(policy, "_windows_policy", lambda: ("HKLM\\test", data))
    try:
        read = reload_policy()
        assert read.problems == []
        assert read.locked == {
            "llm.base_url": "http://llm.corp.example:8080/v1",
            "outreach.sent_fields": ["first_name", "tier"],
        }
        assert read.defaults == {"llm.model": "qwen2.5-7b"}
        everything = policy.registry_data({policy.LOCK_LIST: "all"}, {"Defaults": defaults})
        assert set(everything["locked"]) == {"llm.base_url", "outreach.sent_fields", "llm.model"}
        assert everything["defaults"] == {}
    finally:
        monkeypatch.undo()
        reload_policy()


def test_config_show_before_any_workspace_exists(policy_file: Path, tmp_path: Path) -> None:
    """IT checking a fresh install: the organisation's values, and nothing created."""
    missing = tmp_path / "not-yet.radar.sqlite"
    out, err = io.StringIO(), io.StringIO()
    assert main(["--db", str(missing), "config", "show", "--sources"], out=out, err=err) == 0
    assert "No workspace yet" in err.getvalue()
    lines = {line.split()[0]: line for line in out.getvalue().splitlines()}
    assert '"http://llm.corp.example:8080/v1"' in lines["llm.base_url"]
    assert "[locked (" in lines["llm.base_url"]
    assert "20" in lines["learn.holdout_percent"]
    assert "organisation default" in lines["learn.holdout_percent"]
    assert "[built-in default]" in lines["ask.row_limit"]
    assert not missing.exists()
