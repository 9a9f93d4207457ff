"""The command line on a team's shared workspace (a real PostgreSQL server with password
logins): `workspace open URL` routes to the window, the commands take the password from
the keyring (in-process, with an in-memory keyring) or from PGPASSWORD (a real process,
with no keyring at all), and a refused or missing password says how to fix it."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.cli.main import main
from tests.support.memory_keyring import MemoryKeyring
from tests.support.paths import ROOT
from tests.support.shared_workspace import (
    ANA,
    ANA_PASSWORD,
    CUSTOMERS,
    SharedServer,
    private_secrets,
    start_shared_server,
)

SERVICE = "Account Radar"


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SharedServer]:
    with start_shared_server(tmp_path_factory.mktemp("team")) as server:
        yield server


@pytest.fixture(autouse=True)
def secrets(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[MemoryKeyring]:
    monkeypatch.setenv("ACCOUNT_RADAR_LOG_DIR", str(tmp_path / "log"))
    monkeypatch.delenv("ACCOUNT_RADAR_DB", raising=False)
    with private_secrets(monkeypatch) as backend:
        yield backend


def key_of(team: SharedServer) -> str:
    return f"postgres:{ANA}@127.0.0.1:{team.port}/team"


def run_main(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


class FakeWindow:
    """Stands in for run_gui: records what the window was asked to open, returns at once
    (no event loop)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str | None, Any]] = []

    def __call__(self, db: str | None, preload: Any = None, link: str | None = None) -> int:
        assert link is None  # opening a workspace names no alert to open
        self.calls.append((db, preload))
        return 0


@pytest.fixture
def window(monkeypatch: pytest.MonkeyPatch) -> FakeWindow:
    fake = FakeWindow()
    monkeypatch.setattr("app.gui.application.run_gui", fake)
    return fake


# -- workspace open URL --------------------------------------------------------------------


def test_workspace_open_starts_the_window_on_the_url_with_the_keyrings_password(
    team: SharedServer, secrets: MemoryKeyring, window: FakeWindow
) -> None:
    secrets.passwords[(SERVICE, key_of(team))] = ANA_PASSWORD
    url = team.url()
    code, out, err = run_main("workspace", "open", url)
    assert (code, out, err) == (0, "", "")
    ((db, preload),) = window.calls
    assert db == url  # as `--db URL` would
    # The workspace was already opening while Qt loaded, with the keyring's password.
    assert preload is not None
    workspace = preload.workspace.result(timeout=60)
    try:
        assert preload.columns.result(timeout=60)["id"].size == CUSTOMERS
        assert workspace.url == url
        assert workspace.display_name == f"ana@127.0.0.1:{team.port}/team"
    finally:
        workspace.close()


def test_workspace_open_with_no_stored_password_leaves_the_asking_to_the_window(
    team: SharedServer, window: FakeWindow
) -> None:
    from services.team.connect import LoginRefused

    code, _out, err = run_main("workspace", "open", team.url())
    assert (code, err) == (0, "")
    ((db, preload),) = window.calls
    assert db == team.url()
    # The preload failed with the refusal that makes the window show the dialog.
    with pytest.raises(LoginRefused):
        preload.workspace.result(timeout=60)
    assert isinstance(preload.columns.exception(timeout=60), LoginRefused)


def test_workspace_open_refuses_what_is_not_a_shared_workspace(
    tmp_path: Path, window: FakeWindow
) -> None:
    code, _out, err = run_main("workspace", "open", str(tmp_path / "mine.radar.sqlite"))
    assert code == 1
    assert err.startswith("error: `workspace open` takes a shared workspace's URL")
    assert "python main.py --db PATH" in err
    code, _out, err = run_main(
        "--db", "other.radar.sqlite", "workspace", "open", "postgresql+psycopg://a@h/d"
    )
    assert code == 1
    assert "Give the shared workspace once" in err
    assert window.calls == []
    code, _out, _err = run_main("workspace", "open")
    assert code == 2  # usage: the URL is required


def test_workspace_open_warns_about_a_password_on_the_command_line(
    team: SharedServer, window: FakeWindow
) -> None:
    code, _out, err = run_main("workspace", "open", team.url(password=ANA_PASSWORD))
    assert code == 0
    assert err.startswith("note: the URL holds a password")
    assert ANA_PASSWORD not in err
    _db, preload = window.calls[0]
    preload.workspace.result(timeout=60).close()
    preload.columns.exception(timeout=60)


# -- the other commands on a shared workspace -------------------------------------------


def test_commands_use_the_keyrings_password(team: SharedServer, secrets: MemoryKeyring) -> None:
    secrets.passwords[(SERVICE, key_of(team))] = ANA_PASSWORD
    code, out, err = run_main("--db", team.url(), "db", "check")
    assert code == 0, err
    assert re.search(rf"^\s*customers\s+{CUSTOMERS}$", out, re.MULTILINE), out
    assert "Result: OK" in out
    assert ANA_PASSWORD not in out + err
    code, out, err = run_main("--db", team.url(), "alerts")
    assert code == 0, err
    assert ANA_PASSWORD not in out + err


def test_a_refused_stored_password_says_how_to_fix_it(
    team: SharedServer, secrets: MemoryKeyring
) -> None:
    secrets.passwords[(SERVICE, key_of(team))] = "an old password"
    for argv in (("alerts",), ("db", "check")):
        code, _out, err = run_main("--db", team.url(), *argv)
        assert code == 1
        assert err.startswith("error: The server refused the password stored in the system ")
        assert f"Run `python main.py workspace open {team.url()}`" in err
        assert "an old password" not in err


def test_an_empty_database_is_not_made_a_workspace_by_a_command(
    team: SharedServer, secrets: MemoryKeyring
) -> None:
    team.createdb("cli_blank")
    secrets.passwords[(SERVICE, key_of(team).replace("/team", "/cli_blank"))] = ANA_PASSWORD
    code, _out, err = run_main("--db", team.url("cli_blank"), "alerts")
    assert code == 1
    assert err.startswith("error: This database (cli_blank on 127.0.0.1) is empty: publish")
    assert team.tables("cli_blank") == []


def test_a_real_process_without_a_keyring_uses_pgpassword(
    team: SharedServer, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("ACCOUNT_RADAR_DB", "PGPASSWORD")}
    env.update(
        HOME=str(tmp_path),
        XDG_DATA_HOME=str(tmp_path / "data"),
        ACCOUNT_RADAR_LOG_DIR=str(tmp_path / "log"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",  # never the machine's
        PGPASSFILE=str(tmp_path / "no-pgpass"),
    )

    def run(password: str | None) -> subprocess.CompletedProcess[str]:
        run_env = dict(env, PGPASSWORD=password) if password else env
        return subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "--db", team.url(), "db", "check"],
            capture_output=True,
            text=True,
            env=run_env,
            cwd=tmp_path,
            timeout=300,
        )

    ok = run(ANA_PASSWORD)
    assert ok.returncode == 0, ok.stderr
    wrong = run("wrong")
    assert wrong.returncode == 1
    assert "refused the password from PGPASSWORD or ~/.pgpass" in wrong.stderr
    none = run(None)
    assert none.returncode == 1
    assert "asks for a password" in none.stderr
    assert "Traceback" not in ok.stderr + wrong.stderr + none.stderr


def test_take_offline_and_sync_back_use_the_keyrings_password(
    team: SharedServer, secrets: MemoryKeyring, tmp_path: Path
) -> None:
    from services.core.offline_origin import origin_of_file

    copy = tmp_path / "plane.radar.sqlite"
    # With nothing kept, the server's refusal says where a password can come from.
    code, _out, err = run_main("workspace", "take-offline", "--from", team.url(), "--to", str(copy))
    assert code == 1
    assert "wants the password of the database account ana" in err
    assert not copy.exists()

    secrets.passwords[(SERVICE, key_of(team))] = ANA_PASSWORD
    code, out, err = run_main("workspace", "take-offline", "--from", team.url(), "--to", str(copy))
    assert code == 0, err
    assert f"{CUSTOMERS} customers" in out
    origin = origin_of_file(copy)
    assert origin is not None
    assert ANA_PASSWORD not in origin.server  # the copy never keeps it
    code, out, err = run_main("workspace", "sync-back", "--copy", str(copy))
    assert code == 0, err
    assert "Nothing new to send" in out
    assert ANA_PASSWORD not in out + err
