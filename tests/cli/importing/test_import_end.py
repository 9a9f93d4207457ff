"""How `main.py import` ends: after the import the process exits without
tearing the interpreter down, yet the log is flushed and closed, the output is whole,
the workspace is closed (no write-ahead log left beside it) and the exit code is the
command's."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.cli.commands.test_cli import run
from tests.support.paths import DATA

ORDERS = DATA / "samples" / "generic" / "orders.csv"


def test_an_import_ends_with_its_log_output_and_workspace_complete(tmp_path: Path) -> None:
    db = tmp_path / "w.radar.sqlite"
    done = run("--db", str(db), "import", str(ORDERS), home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].endswith("0 rejected")
    assert "81 new customer(s) created from the records" in done.stdout
    assert done.stderr.rstrip().endswith("100%  done")
    log = (tmp_path / "log" / "account-radar.log").read_text(encoding="utf-8")
    assert "import of orders.csv: read" in log
    assert log.rstrip().splitlines()[-1].split(" ", 3)[2] == "INFO"  # nothing cut short
    assert not (tmp_path / "w.radar.sqlite-wal").exists()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM orders").fetchone() == (246,)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_an_import_that_fails_ends_with_exit_code_1(tmp_path: Path) -> None:
    missing = tmp_path / "missing.csv"
    done = run("--db", str(tmp_path / "w.radar.sqlite"), "import", str(missing), home=tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip().startswith("error: ")
