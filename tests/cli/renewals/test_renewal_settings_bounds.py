"""The renewal calls' settings held to their bounds both ways, through main.py as a
process: `config set` refuses checkpoints out of 1..24 months (or given twice) and a
disagreement gap out of 5..100 points, in words, with nothing written; values written
into the workspace's settings table behind the app's back (a teammate's psql, a restored
file) are never used: the defaults apply and the log names the setting and why."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from app.workspace import open_workspace, to_url
from tests.cli.commands.test_cli import one_line_error, run
from tests.support.renewal_calls_book import fill_renewal_calls_book

AS_OF = ("--as-of", "2026-03-01")
CHECKPOINTS = "renewals.checkpoint_months"
GAP = "renewals.disagreement_points"


@pytest.fixture
def db(tmp_path: Path, _empty_workspace_file: Path) -> Path:
    path = tmp_path / "book.radar.sqlite"
    shutil.copyfile(_empty_workspace_file, path)
    workspace = open_workspace(to_url(str(path)), backup=False)
    try:
        fill_renewal_calls_book(workspace.engine)
    finally:
        workspace.close()
    return path


def stored(db: Path) -> dict[str, object]:
    with sqlite3.connect(db) as con:
        rows = con.execute(
            "SELECT key, CAST(value AS TEXT) FROM settings WHERE key LIKE 'renewals.%'"
        )
        return {key: json.loads(value) for key, value in rows}


def write_behind_the_apps_back(db: Path, values: dict[str, str]) -> None:
    """As a careless teammate would: straight into the settings table, no checks."""
    with sqlite3.connect(db) as con:
        for key, text in values.items():
            con.execute(
                "INSERT OR REPLACE INTO settings (key, value, updated_at) "
                "VALUES (?, ?, '2026-01-01 00:00:00')",
                (key, text),
            )


def test_refused_when_set_and_never_used_when_stored(db: Path, tmp_path: Path) -> None:
    for value, words in (
        ("[0, -3, 1000]", "every checkpoint is between 1 and 24 months before the date"),
        ("[6, 6]", "a checkpoint is given twice"),
        ("[]", "give at least one checkpoint"),
    ):
        result = run("--db", str(db), "config", "set", CHECKPOINTS, value, home=tmp_path)
        assert result.returncode == 2
        line = one_line_error(result)
        assert words in line
        assert line.endswith("Nothing was written.")
    for value, words in (("-50", "must be at least 5"), ("101", "must be at most 100")):
        result = run("--db", str(db), "config", "set", GAP, value, home=tmp_path)
        assert result.returncode == 2
        assert words in one_line_error(result)
    assert stored(db) == {}
    # Written behind the app's back instead: read, checked as `config set` checks, refused.
    write_behind_the_apps_back(db, {CHECKPOINTS: "[0, -3, 1000]", GAP: "-50"})
    due = run("--db", str(db), "renewals", "due", *AS_OF, home=tmp_path)
    assert due.returncode == 0, due.stderr
    assert "1000 months" not in due.stdout
    assert "1943" not in due.stdout
    # The defaults (6 and 3 months) apply: the book's calls due as of 2026-03-01.
    lines = due.stdout.splitlines()
    assert [line.split()[0] for line in lines[1:]] == ["Gum", "Birch", "Delta", "Cedar"]
    assert "3 months (since 2026-01-10)" in lines[2]
    # A gap of -50 points would make every call a disagreement; the default 40 keeps Acme's.
    gaps = run("--db", str(db), "renewals", "disagreements", home=tmp_path)
    assert gaps.returncode == 0, gaps.stderr
    assert [line.split()[0] for line in gaps.stdout.splitlines()[1:]] == ["Acme"]
    shown = run("--db", str(db), "config", "get", CHECKPOINTS, home=tmp_path)
    assert shown.stdout.strip() == "[6, 3]"
    # Named in a plain warning in the log, never used; nothing stored was lost or changed.
    log = (tmp_path / "log" / "account-radar.log").read_text(encoding="utf-8")
    assert (
        f"The workspace's value of {CHECKPOINTS} is not used: 'Renewals: Ask for the owner's "
        "call': every checkpoint is between 1 and 24 months before the date. The default "
        "applies until it is saved again."
    ) in log
    assert f"The workspace's value of {GAP} is not used:" in log
    assert "Traceback" not in log
    assert stored(db) == {CHECKPOINTS: [0, -3, 1000], GAP: -50}
    # Saved again within the bounds, the value is kept and used.
    for key, value in ((CHECKPOINTS, "[9, 1]"), (GAP, "30")):
        result = run("--db", str(db), "config", "set", key, value, home=tmp_path)
        assert result.returncode == 0, result.stderr
    assert stored(db) == {CHECKPOINTS: [9, 1], GAP: 30}
    shown = run("--db", str(db), "config", "get", CHECKPOINTS, home=tmp_path)
    assert shown.stdout.strip() == "[9, 1]"


def test_checkpoints_given_twice_or_of_another_type_are_not_used(db: Path, tmp_path: Path) -> None:
    write_behind_the_apps_back(db, {CHECKPOINTS: '[3, 3, "six"]'})
    shown = run("--db", str(db), "config", "get", CHECKPOINTS, home=tmp_path)
    assert (shown.returncode, shown.stdout.strip()) == (0, "[6, 3]")
    due = run("--db", str(db), "renewals", "due", *AS_OF, home=tmp_path)
    assert due.returncode == 0, due.stderr
    assert "3 months (since 2026-01-10)" in due.stdout.splitlines()[2]
    log = (tmp_path / "log" / "account-radar.log").read_text(encoding="utf-8")
    assert "every checkpoint is a whole number of months" in log
