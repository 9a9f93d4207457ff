"""Personal settings follow the person across workspaces: the LLM provider, the
sender's name and signature and the mail server are kept in the person's own settings file,
never in a workspace; the rest stay with the workspace. IT's locks still win over a
personal value, an organisation default applies when the person set nothing, and a value a
workspace kept before the setting became personal is adopted once. Real workspace files,
real policy files, the command line end to end."""

from __future__ import annotations

import io
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.cli.main import main
from app.workspace import Workspace, open_workspace, to_url
from models.schema import Setting
from services.core import policy as policy_module
from services.core.personal import load_personal, personal_path
from services.core.policy import reload_policy
from services.settings import SETTINGS, SettingError, get_setting, set_setting, set_settings

PERSONAL = {
    "llm.preset",
    "llm.base_url",
    "llm.model",
    "llm.temperature",
    "llm.timeout_s",
    "llm.azure_api_version",
    "outreach.signature",
    "outreach.sender_name",
    "smtp.host",
    "smtp.port",
    "smtp.security",
    "smtp.user",
    "smtp.from_address",
    "outreach.batch_concurrency",
    "outreach.send_per_minute",
    # Slack and Teams: they go with the webhook, which is the person's (their keyring).
    "notify.service",
    "notify.critical",
    "notify.sla",
    "notify.digest",
    "notify.timeout_s",
    "packs.template",
}


def open_ws(path: Path) -> Workspace:
    return open_workspace(to_url(str(path)), backup=False)


@pytest.fixture
def two(tmp_path: Path) -> Iterator[tuple[Workspace, Workspace]]:
    a, b = open_ws(tmp_path / "a.radar.sqlite"), open_ws(tmp_path / "b.radar.sqlite")
    yield a, b
    a.close()
    b.close()


def stored_rows(ws: Workspace) -> dict[str, object]:
    """What the workspace's settings table holds, read apart from the resolver."""
    with Session(ws.engine) as session:
        return {row.key: row.value for row in session.scalars(select(Setting))}


def legacy_row(ws: Workspace, key: str, value: object) -> None:
    """A value kept in the workspace by an older version, before the setting was personal."""
    with ws.engine.begin() as conn:
        conn.execute(
            text("INSERT INTO settings (key, value, updated_at) VALUES (:k, :v, '2025-01-01')"),
            {"k": key, "v": json.dumps(value)},
        )


def config_show(ws: Workspace) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    assert main(["--db", ws.url, "config", "show", "--sources"], out=out, err=err) == 0
    return out.getvalue(), err.getvalue()


def line_of(output: str, key: str) -> str:
    return next(line for line in output.splitlines() if line.startswith(key + " "))


def test_the_declared_scopes() -> None:
    personal = {key for key, spec in SETTINGS.items() if spec.scope == "personal"}
    assert personal == PERSONAL
    # What may leave the computer, and the team's words, stay with the workspace.
    for key in ("llm.allow_cloud", "llm.allowed_hosts", "outreach.sent_fields",
                "outreach.brand_voice", "outreach.templates", "alerts.cooldown_days"):  # fmt: skip
        assert SETTINGS[key].scope == "workspace"


def test_a_provider_set_in_one_workspace_is_used_in_another(
    two: tuple[Workspace, Workspace],
) -> None:
    a, b = two
    with a.sessions() as session, session.begin():
        set_settings(
            session,
            {"llm.preset": "ollama", "llm.model": "llama3.2", "outreach.signature": "Ana",
             "alerts.cooldown_days": 3},
        )  # fmt: skip
    with b.sessions() as session:
        assert get_setting(session, "llm.preset") == "ollama"
        assert get_setting(session, "llm.model") == "llama3.2"
        assert get_setting(session, "outreach.signature") == "Ana"
        # A workspace setting stays with its workspace.
        assert get_setting(session, "alerts.cooldown_days") == 14
    # Kept in the person's file, never in the workspace.
    assert not PERSONAL & set(stored_rows(a))
    assert stored_rows(a)["alerts.cooldown_days"] == 3
    assert load_personal().values["llm.preset"] == "ollama"
    # The command line reads the same door.
    out, _err = config_show(b)
    assert '"ollama"' in line_of(out, "llm.preset")
    assert "your own setting (every workspace)" in line_of(out, "llm.preset")
    assert "built-in default" in line_of(out, "alerts.cooldown_days")
    assert "personal" not in line_of(out, "alerts.cooldown_days")


def test_the_file_is_private_and_written_whole(two: tuple[Workspace, Workspace]) -> None:
    a, _b = two
    with a.sessions() as session:
        set_setting(session, "smtp.from_address", "Ana <ana@example.com>")
    path = personal_path()
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["settings"] == {"smtp.from_address": "Ana <ana@example.com>"}
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not list(path.parent.glob("*.partial"))


@pytest.fixture
def machine_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """IT's policies.json beside the program (not written yet)."""
    app_dir = tmp_path / "program"
    app_dir.mkdir()
    monkeypatch.setattr(policy_module, "_executable_dir", lambda: app_dir)
    monkeypatch.setattr(policy_module, "LINUX_FILE", tmp_path / "etc" / "policies.json")
    monkeypatch.delenv("ACCOUNT_RADAR_POLICIES", raising=False)
    yield app_dir / "policies.json"
    monkeypatch.undo()
    reload_policy()


def test_it_locks_win_over_a_personal_value_and_its_defaults_fill_in(
    two: tuple[Workspace, Workspace], machine_policy: Path
) -> None:
    a, b = two
    with a.sessions() as session:
        set_setting(session, "llm.base_url", "http://gpu.lan:8000/v1")
        set_setting(session, "outreach.sender_name", "Ana Lopez")
    machine_policy.write_text(
        json.dumps(
            {"locked": {"llm.base_url": "http://llm.corp:8080/v1"},
             "defaults": {"llm.model": "corp-7b", "outreach.sender_name": "The team"}}
        ),
        encoding="utf-8",
    )  # fmt: skip
    reload_policy()
    with b.sessions() as session:
        assert get_setting(session, "llm.base_url") == "http://llm.corp:8080/v1"
        assert get_setting(session, "llm.model") == "corp-7b"  # the person set none
        assert get_setting(session, "outreach.sender_name") == "Ana Lopez"  # theirs wins
        with pytest.raises(SettingError, match="organisation"):
            set_setting(session, "llm.base_url", "http://elsewhere.lan/v1")
    out, _err = config_show(b)
    assert "locked" in line_of(out, "llm.base_url")
    assert "organisation default" in line_of(out, "llm.model")
    assert "your own setting" in line_of(out, "outreach.sender_name")


def test_a_refused_value_writes_nothing_anywhere(two: tuple[Workspace, Workspace]) -> None:
    a, _b = two
    with a.sessions() as session, session.begin(), pytest.raises(SettingError):
        set_settings(session, {"llm.model": "m", "llm.temperature": 9})
    assert not personal_path().exists()


def test_values_a_workspace_kept_become_the_persons_once(tmp_path: Path) -> None:
    old = tmp_path / "old.radar.sqlite"
    open_ws(old).close()
    first = open_ws(old)
    legacy_row(first, "llm.preset", "ollama")
    legacy_row(first, "llm.model", "llama3.2")
    legacy_row(first, "outreach.signature", "Best,\n{owner}")
    first.close()
    other = tmp_path / "other.radar.sqlite"
    open_ws(other).close()
    second = open_ws(other)
    # Another workspace kept another model (and no provider) and a sender name.
    legacy_row(second, "llm.model", "qwen2.5")
    legacy_row(second, "outreach.sender_name", "Ana Lopez")
    second.close()

    a = open_ws(old)  # opening it makes its values the person's
    a.close()
    assert load_personal().values == {
        "llm.preset": "ollama", "llm.model": "llama3.2", "outreach.signature": "Best,\n{owner}",
    }  # fmt: skip
    b = open_ws(other)
    try:
        with b.sessions() as session:
            # The provider is adopted whole, from one workspace: no model from another.
            assert get_setting(session, "llm.model") == "llama3.2"
            assert get_setting(session, "llm.preset") == "ollama"
            # A setting the person had none of is adopted from this one.
            assert get_setting(session, "outreach.sender_name") == "Ana Lopez"
            assert get_setting(session, "outreach.signature") == "Best,\n{owner}"
    finally:
        b.close()
    assert load_personal().values["outreach.sender_name"] == "Ana Lopez"


def test_saving_one_provider_setting_keeps_the_workspaces_others(tmp_path: Path) -> None:
    path = tmp_path / "w.radar.sqlite"
    open_ws(path).close()
    ws = open_ws(path)
    try:
        legacy_row(ws, "llm.preset", "vllm")
        legacy_row(ws, "llm.base_url", "http://gpu.lan:8000/v1")
        with ws.sessions() as session:
            # Not adopted yet (written after the workspace was opened): read as the person's.
            assert get_setting(session, "llm.preset") == "vllm"
            set_setting(session, "llm.model", "Qwen/Qwen2.5-7B-Instruct")
        assert load_personal().values == {
            "llm.preset": "vllm", "llm.base_url": "http://gpu.lan:8000/v1",
            "llm.model": "Qwen/Qwen2.5-7B-Instruct",
        }  # fmt: skip
    finally:
        ws.close()


def test_a_damaged_file_is_said_and_set_aside(
    two: tuple[Workspace, Workspace],
) -> None:
    a, _b = two
    path = personal_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"settings": {"llm.preset": "oll', encoding="utf-8")
    loaded = load_personal()
    assert loaded.values == {}
    assert loaded.problem is not None
    assert "damaged" in loaded.problem
    assert str(path) in loaded.problem
    with a.sessions() as session:
        assert get_setting(session, "llm.preset") == "none"
    _out, err = config_show(a)
    assert "damaged" in err
    with a.sessions() as session:
        set_setting(session, "llm.preset", "lmstudio")
    assert load_personal().problem is None
    assert load_personal().values == {"llm.preset": "lmstudio"}
    # The damaged file is kept aside, not lost.
    (aside,) = path.parent.glob("settings.json.bad-*")
    assert aside.read_text(encoding="utf-8") == '{"settings": {"llm.preset": "oll'


def test_a_hand_edited_value_the_setting_refuses_counts_as_not_set(
    two: tuple[Workspace, Workspace],
) -> None:
    a, _b = two
    path = personal_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps({"settings": {"llm.temperature": "hot", "llm.timeout_s": 30}}),
        encoding="utf-8",
    )
    with a.sessions() as session:
        assert get_setting(session, "llm.temperature") == 0.7
        assert get_setting(session, "llm.timeout_s") == 30


def test_a_personal_setting_is_never_written_to_a_workspace(workspace_url: str) -> None:
    """On a shared PostgreSQL workspace too: the team's database never holds them."""
    ws = open_workspace(workspace_url, backup=False)
    try:
        with ws.sessions() as session, session.begin():
            set_settings(session, {"outreach.signature": "Ana", "llm.preset": "ollama"})
            set_setting(session, "outreach.brand_voice", "plain")
        with Session(ws.engine) as session:
            keys = {k for (k,) in session.execute(text("SELECT key FROM settings"))}
            assert "outreach.brand_voice" in keys
            assert not PERSONAL & keys
            assert get_setting(session, "outreach.signature") == "Ana"
    finally:
        ws.close()
