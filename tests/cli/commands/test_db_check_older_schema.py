"""`db check` on a workspace written by an older version of the app: built for real (a
new workspace taken back with Alembic's own downgrade, or made by the migrations up to an
old revision only), then checked through the command line."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine

from models.migrate import HEAD_REVISION, alembic_config
from tests.cli.commands.test_cli import count, run

# The last revision before contracts and renewals (0023).
BEFORE_CONTRACTS = "0022"


def _migrate(db: Path, how: str, revision: str) -> None:
    """Run Alembic's own upgrade or downgrade on the file, to ``revision`` only."""
    engine = create_engine(f"sqlite:///{db}")
    cfg = alembic_config()
    try:
        with engine.connect() as conn:
            # As models/migrate.py does: a table rebuilt by batch mode must not cascade.
            driver = conn.connection.driver_connection
            assert driver is not None
            driver.execute("PRAGMA foreign_keys = OFF")
            with conn.begin():
                cfg.attributes["connection"] = conn
                getattr(command, how)(cfg, revision)
    finally:
        engine.dispose()


def _revision(db: Path) -> str:
    con = sqlite3.connect(db)
    try:
        return str(con.execute("select version_num from alembic_version").fetchone()[0])
    finally:
        con.close()


def _tables(db: Path) -> set[str]:
    con = sqlite3.connect(db)
    try:
        rows = con.execute("select name from sqlite_master where type = 'table'").fetchall()
    finally:
        con.close()
    return {r[0] for r in rows}


def test_check_of_a_workspace_from_before_contracts(tmp_path: Path) -> None:
    db = tmp_path / "old.radar.sqlite"
    assert run("--db", str(db), "demo", "--customers", "12", home=tmp_path).returncode == 0
    customers = count(db, "customers")
    _migrate(db, "downgrade", BEFORE_CONTRACTS)
    assert "contracts" not in _tables(db)

    result = run("--db", str(db), "db", "check", home=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "problem" not in result.stdout + result.stderr
    assert "contracts is missing" not in result.stdout
    assert (
        f"the schema is older than this app (revision {BEFORE_CONTRACTS}, this app writes "
        f"{HEAD_REVISION}); it is upgraded, after a backup, when the workspace is opened"
    ) in result.stdout
    assert "the upgrade adds the table(s) " in result.stdout
    assert "contracts" in result.stdout.split("the upgrade adds the table(s) ")[1]
    assert "Result: OK (the schema is upgraded when the workspace is opened)" in result.stdout
    # The check wrote nothing: the schema is as old as it was, the customers all there.
    assert _revision(db) == BEFORE_CONTRACTS
    assert "contracts" not in _tables(db)
    assert count(db, "customers") == customers
    assert not list(tmp_path.glob("old.backup-*"))

    # A command that opens the workspace upgrades it, as the note says, after a backup.
    opened = run("--db", str(db), "customers", "list", home=tmp_path)
    assert opened.returncode == 0, opened.stderr
    assert _revision(db) == HEAD_REVISION
    assert list(tmp_path.glob(f"old.backup-{BEFORE_CONTRACTS}-*.radar.sqlite"))
    again = run("--db", str(db), "db", "check", home=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "Result: OK" in again.stdout
    assert "older than this app" not in again.stdout


def test_check_of_a_workspace_made_by_the_first_migration_only(tmp_path: Path) -> None:
    db = tmp_path / "first.radar.sqlite"
    _migrate(db, "upgrade", "0001")

    result = run("--db", str(db), "db", "check", home=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "revision 0001" in result.stdout
    assert "is missing" not in result.stdout
    assert _revision(db) == "0001"


@pytest.mark.parametrize("dropped", ["orders", "contracts"])
def test_a_table_the_old_revision_had_still_counts_as_missing(tmp_path: Path, dropped: str) -> None:
    db = tmp_path / "old.radar.sqlite"
    assert run("--db", str(db), "db", "upgrade", home=tmp_path).returncode == 0
    # Taken back to contracts' own revision: a missing orders or contracts table is damage.
    _migrate(db, "downgrade", "0023")
    con = sqlite3.connect(db)
    con.execute("PRAGMA foreign_keys = OFF")
    con.execute(f"drop table {dropped}")
    con.commit()
    con.close()

    result = run("--db", str(db), "db", "check", home=tmp_path)

    assert result.returncode == 1
    assert f"Problem: table {dropped} is missing" in result.stdout
    assert "revision 0023" in result.stdout
