"""`workspace publish` and `team add-user/list/remove-user` end to end, as real processes
against a throwaway PostgreSQL server: the admin adds people, a manager's commands see
their book only and may not score the whole workspace."""

from __future__ import annotations

import csv
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.paths import ROOT
from tests.support.postgres_server import PostgresServer, pg_bin, postgres_server


def run(*args: str, home: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ACCOUNT_RADAR_DB", "PGPASSWORD")}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"))
    env["ACCOUNT_RADAR_LOG_DIR"] = str(home / "log")
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True, text=True, env=env, cwd=home, timeout=300, input=stdin,
    )  # fmt: skip


@pytest.fixture(scope="module")
def server() -> Iterator[PostgresServer]:
    bin_dir = pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL's server binaries are not installed")
    with postgres_server(bin_dir) as started:
        yield started


def test_publish_add_people_and_a_managers_commands(server: PostgresServer, tmp_path: Path) -> None:
    file = tmp_path / "book.radar.sqlite"
    built = run("--db", str(file), "demo", "--customers", "150", "--seed", "5", home=tmp_path)
    assert built.returncode == 0, built.stderr
    admin = server.createdb("cli_team")
    published = run("--db", str(file), "workspace", "publish", "--to", admin, home=tmp_path)
    assert published.returncode == 0, published.stderr
    assert "Who sees what is set up" in published.stdout

    with sqlite3.connect(file) as conn:
        owner, book = conn.execute(
            "SELECT owner, count(*) FROM customers GROUP BY owner ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
        open_alerts = conn.execute(
            "SELECT count(*) FROM alerts a JOIN customers c ON c.id = a.customer_id "
            "WHERE c.owner = ? AND a.status IN ('open', 'in_progress')",
            (owner,),
        ).fetchone()[0]
    added = run(
        "--db", admin, "team", "add-user", "maya", "--role", "manager", "--owner-of", owner,
        "--password-stdin", home=tmp_path, stdin="maya-pw\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert f"customers owned by {owner}" in added.stdout
    listed = run("--db", admin, "team", "list", home=tmp_path)
    assert listed.returncode == 0, listed.stderr
    maya = next(line for line in listed.stdout.splitlines() if line.startswith("maya"))
    assert "manager" in maya
    assert owner in maya
    assert maya.endswith("yes")

    lead = run(
        "--db", admin, "team", "add-user", "lea", "--role", "lead", "--password-stdin",
        home=tmp_path, stdin="lea-pw\n",
    )  # fmt: skip
    assert lead.returncode == 0, lead.stderr
    server.password_auth()
    maya_url = server.url("cli_team", "maya", "maya-pw")
    exported = tmp_path / "mine.csv"
    result = run("--db", maya_url, "export", "customers", str(exported), home=tmp_path)
    assert result.returncode == 0, result.stderr
    with exported.open(encoding="utf-8-sig") as fh:
        owners = {row["owner"] for row in csv.DictReader(fh)}
    assert owners == {owner}
    with exported.open(encoding="utf-8-sig") as fh:
        assert sum(1 for _ in fh) - 1 == book

    scored = run("--db", maya_url, "score", home=tmp_path)
    assert scored.returncode != 0
    assert "Traceback" not in scored.stderr
    assert "team lead" in scored.stderr
    assert open_alerts > 0
    daily = run("--db", maya_url, "run-daily", home=tmp_path)
    assert daily.returncode == 1
    assert "team lead" in daily.stderr + daily.stdout
    lea_url = server.url("cli_team", "lea", "lea-pw")
    daily = run("--db", lea_url, "run-daily", home=tmp_path)
    assert daily.returncode == 0, daily.stderr

    wrong = run("--db", server.url("cli_team", "maya", "nope"), "team", "list", home=tmp_path)
    assert wrong.returncode != 0
    assert "Traceback" not in wrong.stderr

    removed = run("--db", admin, "team", "remove-user", "maya", home=tmp_path)
    assert removed.returncode == 0, removed.stderr
    refused = run("--db", maya_url, "export", "customers", str(exported), home=tmp_path)
    assert refused.returncode != 0
    assert "Traceback" not in refused.stderr
