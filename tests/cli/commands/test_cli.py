"""The command line end to end: real processes, real workspace files, real exit codes."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import ROOT


def run(
    *args: str, env_db: Path | str | None = None, home: Path
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "ACCOUNT_RADAR_DB"}
    env["HOME"] = str(home)
    env["XDG_DATA_HOME"] = str(home / "data")
    env["ACCOUNT_RADAR_LOG_DIR"] = str(home / "log")
    if env_db is not None:
        env["ACCOUNT_RADAR_DB"] = str(env_db)
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=home,
        timeout=300,
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def count(db: Path, table: str) -> int:
    con = sqlite3.connect(db)
    try:
        return int(con.execute(f"select count(*) from {table}").fetchone()[0])
    finally:
        con.close()


def test_help_lists_the_commands(tmp_path: Path) -> None:
    result = run("--help", home=tmp_path)
    assert result.returncode == 0
    for word in ("demo", "db", "--db", "--self-test"):
        assert word in result.stdout
    db_help = run("db", "--help", home=tmp_path)
    for word in ("upgrade", "backup", "check"):
        assert word in db_help.stdout


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["frobnicate"], "invalid choice"),
        (["db"], "required"),
        (["db", "backup"], "required"),
        (["demo", "--customers", "0"], "between 1 and"),
        (["demo", "--customers", "lots"], "not a whole number"),
        (["demo", "--seed", "x"], "not a whole number"),
    ],
)
def test_usage_errors_exit_2_with_a_usage_line(
    tmp_path: Path, args: list[str], complaint: str
) -> None:
    result = run(*args, home=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("usage: ")
    assert complaint in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_builds_and_rebuilds_the_workspace(tmp_path: Path) -> None:
    db = tmp_path / "demo.radar.sqlite"
    first = run("--db", str(db), "demo", "--customers", "60", "--seed", "3", home=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "60 customers" in first.stdout
    assert count(db, "customers") == 60
    orders = count(db, "orders")
    assert orders > 60
    # Scored as the window's demo is (one snapshot per customer), or it says why not.
    scored = count(db, "score_snapshots") == 60
    assert scored == ("Scored 60 customers" in first.stdout)
    assert scored or "Not scored:" in first.stdout
    again = run("--db", str(db), "demo", "--customers", "60", "--seed", "3", home=tmp_path)
    assert again.returncode == 0, again.stderr
    assert count(db, "customers") == 60
    assert count(db, "orders") == orders


def test_demo_uses_the_environment_variable(tmp_path: Path) -> None:
    db = tmp_path / "from-env" / "w.radar.sqlite"
    result = run("demo", "--customers", "20", env_db=db, home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert count(db, "customers") == 20


def test_demo_refuses_to_overwrite_real_data(tmp_path: Path) -> None:
    db = tmp_path / "real.radar.sqlite"
    assert run("--db", str(db), "db", "upgrade", home=tmp_path).returncode == 0
    con = sqlite3.connect(db)
    con.execute(
        "insert into customers (source, external_id, name, do_not_contact, created_at, updated_at)"
        " values ('crm', 'A-1', 'Real Customer', 0, '2026-01-01', '2026-01-01')"
    )
    con.commit()
    con.close()
    result = run("--db", str(db), "demo", "--customers", "20", home=tmp_path)
    assert result.returncode == 1
    assert "your own data" in one_line_error(result)
    assert count(db, "customers") == 1


def test_db_upgrade_check_and_backup(tmp_path: Path) -> None:
    db = tmp_path / "w.radar.sqlite"
    created = run("--db", str(db), "db", "upgrade", home=tmp_path)
    assert created.returncode == 0
    assert "Created a new workspace" in created.stdout
    again = run("--db", str(db), "db", "upgrade", home=tmp_path)
    assert again.returncode == 0
    assert "up to date" in again.stdout

    check = run("--db", str(db), "db", "check", home=tmp_path)
    assert check.returncode == 0, check.stderr
    assert "Result: OK" in check.stdout
    assert "customers" in check.stdout

    backup = tmp_path / "copies" / "b.radar.sqlite"
    made = run("--db", str(db), "db", "backup", str(backup), home=tmp_path)
    assert made.returncode == 0, made.stderr
    assert backup.is_file()
    assert run("--db", str(backup), "db", "check", home=tmp_path).returncode == 0

    twice = run("--db", str(db), "db", "backup", str(backup), home=tmp_path)
    assert twice.returncode == 1
    assert "already exists" in one_line_error(twice)


def test_failures_exit_1_with_one_line_and_leave_files_alone(tmp_path: Path) -> None:
    not_db = tmp_path / "notes.txt"
    not_db.write_text("this is not a database\n")
    digest = hashlib.sha256(not_db.read_bytes()).hexdigest()
    for args in (["db", "check"], ["db", "upgrade"], ["demo", "--customers", "5"]):
        result = run("--db", str(not_db), *args, home=tmp_path)
        assert result.returncode == 1
        assert "not an Account Radar workspace" in one_line_error(result)
    assert hashlib.sha256(not_db.read_bytes()).hexdigest() == digest

    missing = run("--db", str(tmp_path / "nothing.radar.sqlite"), "db", "check", home=tmp_path)
    assert missing.returncode == 1
    assert "no workspace" in one_line_error(missing)

    read_only = tmp_path / "ro.radar.sqlite"
    assert run("--db", str(read_only), "db", "upgrade", home=tmp_path).returncode == 0
    read_only.chmod(0o444)
    try:
        result = run("--db", str(read_only), "demo", "--customers", "5", home=tmp_path)
        assert result.returncode == 1
        assert "read-only" in one_line_error(result)
        assert count(read_only, "customers") == 0
    finally:
        read_only.chmod(0o644)


def test_check_finds_a_damaged_workspace(tmp_path: Path) -> None:
    db = tmp_path / "w.radar.sqlite"
    assert run("--db", str(db), "demo", "--customers", "30", home=tmp_path).returncode == 0
    con = sqlite3.connect(db)
    con.execute("PRAGMA foreign_keys = OFF")
    con.execute("delete from customers where id = (select min(customer_id) from orders)")
    con.commit()
    con.close()
    result = run("--db", str(db), "db", "check", home=tmp_path)
    assert result.returncode == 1
    assert "point at missing parent rows" in result.stdout
    assert "problem" in one_line_error(result)


def test_check_finds_stale_customer_totals_and_upgrade_repairs_them(tmp_path: Path) -> None:
    db = tmp_path / "w.radar.sqlite"
    assert run("--db", str(db), "demo", "--customers", "30", home=tmp_path).returncode == 0
    assert run("--db", str(db), "db", "check", home=tmp_path).returncode == 0
    con = sqlite3.connect(db)
    # An order written behind the app's back: the rollups no longer match the orders.
    con.execute(
        "update orders set amount_cents = amount_cents + 100"
        " where id = (select min(id) from orders where status = 'paid')"
    )
    con.commit()
    con.close()
    stale = run("--db", str(db), "db", "check", home=tmp_path)
    assert stale.returncode == 1
    assert "out of date" in one_line_error(stale)
    assert run("--db", str(db), "db", "upgrade", home=tmp_path).returncode == 0
    assert run("--db", str(db), "db", "check", home=tmp_path).returncode == 0


def test_empty_or_unusable_locations_are_plain_errors(tmp_path: Path) -> None:
    empty = run("--db", "", "demo", "--customers", "5", home=tmp_path)
    assert empty.returncode == 1
    assert "location is empty" in one_line_error(empty)
    assert not (tmp_path / "data" / "AccountRadar").exists()  # the default was not touched

    env_empty = run("db", "check", env_db="", home=tmp_path)
    assert env_empty.returncode == 1
    assert "ACCOUNT_RADAR_DB" in one_line_error(env_empty)

    no_driver = run("--db", "mysql://user@localhost/radar", "db", "check", home=tmp_path)
    assert no_driver.returncode == 1
    assert "driver is not installed" in one_line_error(no_driver)


def test_window_without_qt_gives_a_plain_message(tmp_path: Path) -> None:
    # Simulate a machine where Qt cannot load: block PySide6 before main.py runs.
    code = (
        "import importlib.abc, sys\n"
        "class Block(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.startswith('PySide6'):\n"
        "            raise ImportError('libEGL.so.1: cannot open shared object file')\n"
        "sys.meta_path.insert(0, Block())\n"
        f"sys.argv = ['main.py', '--db', {str(tmp_path / 'w.radar.sqlite')!r}]\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from app.cli.main import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    env = {**os.environ, "HOME": str(tmp_path), "ACCOUNT_RADAR_LOG_DIR": str(tmp_path / "log")}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 1
    line = one_line_error(result)
    assert "window cannot start" in line
    assert "libEGL" in line
