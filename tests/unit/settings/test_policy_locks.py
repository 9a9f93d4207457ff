"""IT's locks hold (services/core/policy.py): the user's $ACCOUNT_RADAR_POLICIES file never
loosens a machine lock; a lock that cannot be read fails closed; a policy saved with a
byte-order mark is read; a missing, oversized, too deeply nested or non-regular file is
reported and the app goes on. Real policy files and a real workspace file throughout
(the command line end to end, FIFO and /dev/zero: tests/cli/settings/test_policy.py)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from app.cli.main import main
from app.workspace import Workspace, open_workspace, to_url
from services.core import policy as policy_module
from services.core.policy import current_policy, reload_policy
from services.settings import (
    PRIVACY_DEFAULT,
    SETTINGS,
    SettingError,
    get_setting,
    set_setting,
)

Write = Callable[[dict[str, Any]], Path]


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = open_workspace(to_url(str(tmp_path / "w.radar.sqlite")), backup=False)
    yield workspace
    workspace.close()


@pytest.fixture
def sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Path]]:
    """(the machine's policies.json beside the program, the user's $ACCOUNT_RADAR_POLICIES);
    neither written yet."""
    app_dir = tmp_path / "program"
    app_dir.mkdir()
    monkeypatch.setattr(policy_module, "_executable_dir", lambda: app_dir)
    monkeypatch.setattr(policy_module, "LINUX_FILE", tmp_path / "etc" / "policies.json")
    user = tmp_path / "mine.json"
    monkeypatch.setenv("ACCOUNT_RADAR_POLICIES", str(user))
    yield app_dir / "policies.json", user
    monkeypatch.undo()
    reload_policy()


def write(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data), encoding="utf-8")


def config_show(ws: Workspace, *extra: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--db", str(ws.engine.url.database), "config", "show", *extra], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


IT: dict[str, dict[str, Any]] = {
    "locked": {
        "llm.allow_cloud": False,
        "outreach.sent_fields": ["first_name", "tier"],
        "learn.holdout_percent": 10,
    },
    "defaults": {"smtp.host": "smtp.corp.example"},
}
LOOSER: dict[str, dict[str, Any]] = {
    "locked": {
        "llm.allow_cloud": True,
        "outreach.sent_fields": ["first_name", "surname", "email", "phone"],
        "learn.holdout_percent": 0,
        "llm.model": "my-own-lock",
    },
    "defaults": {"smtp.host": "smtp.mine.example", "smtp.port": 2525},
}


def test_the_users_file_cannot_undo_a_machine_lock(
    sources: tuple[Path, Path], ws: Workspace
) -> None:
    machine, user = sources
    write(machine, IT)
    write(user, LOOSER)
    policy = reload_policy()
    with Session(ws.engine) as session:
        assert get_setting(session, "llm.allow_cloud") is False
        assert get_setting(session, "outreach.sent_fields") == ["first_name", "tier"]
        assert get_setting(session, "learn.holdout_percent") == 10
        assert get_setting(session, "smtp.host") == "smtp.corp.example"  # IT's default stands
        # What the user's file may do: lock or default what IT left alone.
        assert get_setting(session, "llm.model") == "my-own-lock"
        assert get_setting(session, "smtp.port") == 2525
    with (
        Session(ws.engine) as session,
        session.begin(),
        pytest.raises(SettingError, match="set by your organisation"),
    ):
        set_setting(session, "llm.allow_cloud", True)
    for key in ("llm.allow_cloud", "outreach.sent_fields", "learn.holdout_percent"):
        assert any(key in p and "locked by the organisation" in p for p in policy.problems)
        assert policy.sources[key] == f"locked ({machine})"
    assert policy.machine_locked == set(IT["locked"])
    code, out, err = config_show(ws, "--sources")
    assert code == 0
    assert "learn.holdout_percent is locked by the organisation" in err
    line = next(x for x in out.splitlines() if x.startswith("llm.allow_cloud "))
    assert line.split()[1] == "false"
    assert f"[locked ({machine})]" in line


def _built_in(key: str) -> Any:
    return SETTINGS[key].default


# What a machine policy that cannot be read at all locks: cloud AI off, and what is sent to
# a model, the hold-out share and the offer cap at their built-in defaults.
CLOSED = {
    "llm.allow_cloud": False,
    "outreach.sent_fields": _built_in("outreach.sent_fields"),
    "learn.holdout_percent": _built_in("learn.holdout_percent"),
    "outreach.incentive_cap_percent": _built_in("outreach.incentive_cap_percent"),
}


def test_a_lock_written_as_text_is_read_as_its_type_or_fails_closed(
    sources: tuple[Path, Path], ws: Workspace
) -> None:
    machine, user = sources
    for path in (machine, user):  # IT's file, and the user's own lock, alike
        write(
            path,
            {
                "locked": {
                    "llm.allow_cloud": "false",
                    "learn.holdout_percent": "10",
                    "outreach.incentive_cap_percent": "15",
                    "outreach.sent_fields": "first_name",
                    "smtp.port": "many",
                }
            },
        )
        other = user if path == machine else machine
        other.unlink(missing_ok=True)
        policy = reload_policy()
        assert policy.locked == {
            "llm.allow_cloud": False,
            "learn.holdout_percent": 10,
            "outreach.incentive_cap_percent": 15,
            "outreach.sent_fields": ["first_name"],
            "smtp.port": 587,  # "many" is no port: the built-in, locked, not the user's own
        }, path
        assert "fail closed" in policy.sources["smtp.port"]
        assert any("smtp.port" in p and "locked to 587" in p for p in policy.problems)
        assert not any("llm.allow_cloud" in p for p in policy.problems)
        with Session(ws.engine) as session:
            for key, mine in [
                ("outreach.sent_fields", ["first_name", "surname", "email", "phone"]),
                ("learn.holdout_percent", 0),
                ("outreach.incentive_cap_percent", 90),
                ("smtp.port", 2525),
            ]:
                with pytest.raises(SettingError):
                    set_setting(session, key, mine)
            assert get_setting(session, "llm.allow_cloud") is False
            assert get_setting(session, "learn.holdout_percent") == 10
            assert get_setting(session, "outreach.sent_fields") == ["first_name"]
            assert get_setting(session, "smtp.port") == 587
        code, _out, err = config_show(ws)
        assert code == 0
        assert "locked to 587 until it is fixed" in err


def test_a_machine_lock_of_text_is_not_undone_by_the_users_file(
    sources: tuple[Path, Path], ws: Workspace
) -> None:
    machine, user = sources
    write(machine, {"locked": {"llm.allow_cloud": "false"}})
    write(user, {"locked": {"llm.allow_cloud": True}})
    reload_policy()
    with Session(ws.engine) as session:
        assert get_setting(session, "llm.allow_cloud") is False


def test_a_policy_saved_with_a_byte_order_mark_is_read(
    sources: tuple[Path, Path], ws: Workspace
) -> None:
    machine, user = sources
    bom = b"\xef\xbb\xbf"  # what Notepad writes first
    machine.write_bytes(bom + json.dumps(IT).encode("utf-8"))
    user.write_bytes(bom + json.dumps({"locked": {"llm.model": "qwen2.5"}}).encode("utf-8"))
    policy = reload_policy()
    assert policy.problems == []
    assert policy.locked == IT["locked"] | {"llm.model": "qwen2.5"}
    with Session(ws.engine) as session:
        assert get_setting(session, "llm.allow_cloud") is False


@pytest.mark.parametrize("where", ["machine", "user"])
@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("[" * 400_000, "nested too deeply"),
        ('{"locked": {}, "pad": "' + " " * 1_100_000 + '"}', "larger than 1 MB"),
        ("{not json", "could not be read"),
        (b"\xff\xfe{}", "not UTF-8 text"),
        ("folder", "not a regular file"),
    ],
)
def test_an_unreadable_policy_is_reported_and_a_machine_one_fails_closed(
    sources: tuple[Path, Path], ws: Workspace, where: str, content: str | bytes, words: str
) -> None:
    machine, user = sources
    path = machine if where == "machine" else user
    if content == "folder":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    policy = reload_policy()
    assert any(words in p and str(path) in p for p in policy.problems), policy.problems
    # Nobody can tell what IT's unreadable file locked: the safest values until it is fixed.
    assert policy.locked == (CLOSED if where == "machine" else {})
    code, out, err = config_show(ws)
    assert code == 0
    assert words in err
    assert "Traceback" not in err
    assert "smtp.port" in out


def test_a_missing_file_named_by_the_variable_is_reported(
    sources: tuple[Path, Path], ws: Workspace
) -> None:
    _machine, user = sources
    assert not user.exists()
    policy = reload_policy()
    assert any(str(user) in p and "does not exist" in p for p in policy.problems)
    code, _out, err = config_show(ws)
    assert code == 0
    assert "does not exist; correct the path or unset" in err


def test_a_value_nested_too_deeply_is_refused_not_fatal(
    sources: tuple[Path, Path], ws: Workspace
) -> None:
    """Within what the JSON reader takes, but deep enough to overflow each copy of it."""
    _machine, user = sources
    deep: dict[str, Any] = {}
    for _ in range(600):
        deep = {"a": deep}
    user.write_text(
        json.dumps({"defaults": {"learn.holdout_draws": deep, "smtp.port": 2525}}), "utf-8"
    )
    policy = reload_policy()
    assert any("learn.holdout_draws" in p and "nested" in p for p in policy.problems)
    with Session(ws.engine) as session:
        assert get_setting(session, "learn.holdout_draws") == {}
        assert get_setting(session, "smtp.port") == 2525
    assert config_show(ws)[0] == 0


def test_a_fault_in_the_reader_fails_closed_and_the_app_goes_on(
    sources: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> None:
        raise KeyError("a bug")

    monkeypatch.setattr(policy_module, "read_policy", broken)
    policy = reload_policy()
    assert policy.locked == CLOSED
    assert "could not be read (see the log)" in policy.problems[0]
    assert any(r.exc_info for r in caplog.records)  # a bug: its traceback is in the log


def test_the_privacy_default_is_the_built_in_when_no_policy(
    sources: tuple[Path, Path], ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ACCOUNT_RADAR_POLICIES")
    policy = reload_policy()
    assert policy.problems == []
    assert policy.locked == {}
    assert current_policy() is policy
    with Session(ws.engine) as session:
        assert get_setting(session, "outreach.sent_fields") == PRIVACY_DEFAULT
