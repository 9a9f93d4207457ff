"""Organisation defaults and locks (services/policy.py): the resolution order on a real
workspace file, a locked setting refusing a change, a malformed or wrong policy
reported and ignored, and `config show --sources` saying where each value comes from
(the Settings dialog: tests/gui/test_settings_policy.py)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.cli.main import main
from app.workspace import Workspace, open_workspace, to_url
from services.policy import reload_policy
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
        assert policy.locked == {}
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
    assert "[this workspace (the user's setting)]" in lines["llm.model"]
    assert "[built-in default]" in lines["smtp.port"]
    assert err.getvalue() == ""
