"""The team filters (``customers.team_filters``) as the workspace keeps them, checked filter
by filter when read, through main.py as a process: a filter written behind the app's back
that fails its check (no name, an unknown condition, a second one of a name) is left out
alone and named; the others stay listed and usable. Nothing kept is rewritten."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.cli.commands.test_cli import run

KEY = "customers.team_filters"


def _kept(db: Path) -> str:
    with sqlite3.connect(db) as con:
        return str(con.execute("SELECT value FROM settings WHERE key = ?", (KEY,)).fetchone()[0])


def test_one_bad_team_filter_falls_back_alone(tmp_path: Path) -> None:
    db = tmp_path / "w.radar.sqlite"
    built = run("--db", str(db), "demo", "--customers", "60", "--seed", "6", home=tmp_path)
    assert built.returncode == 0, built.stderr
    saved = run(
        "--db", str(db), "customers", "filters", "save", "Owned by Maya",
        "--owner", "Maya Thompson", home=tmp_path,
    )  # fmt: skip
    assert saved.returncode == 0, saved.stderr
    good = json.loads(_kept(db))
    assert [f["name"] for f in good] == ["Owned by Maya"]
    # As a careless teammate would: straight into the settings table, no checks.
    written = json.dumps(
        [
            *good,
            {"name": 5, "filter": {}, "search": ""},
            {"name": "Planets", "filter": {"planet": "Mars"}, "search": ""},
            {**good[0], "name": "owned by maya"},
        ]
    )
    with sqlite3.connect(db) as con:
        con.execute("UPDATE settings SET value = ? WHERE key = ?", (written, KEY))

    listed = run("--db", str(db), "customers", "filters", "list", home=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.startswith("Owned by Maya"), listed.stdout
    assert "Planets" not in listed.stdout
    assert [line for line in listed.stderr.splitlines() if line.startswith("warning:")] == [
        "warning: Team filters: team filter 2 is not used: a team filter's name must be a "
        "text of 1 to 60 characters.",
        "warning: Team filters: team filter 3 is not used: the filter of 'Planets' has no "
        "condition planet.",
        "warning: Team filters: team filter 4 is not used: team filter 1 has the same name, "
        "and the first is kept.",
    ]
    # The good one still picks its customers, and what the workspace keeps is as written.
    members = run(
        "--db", str(db), "customers", "list", "--filter", "Owned by Maya", "--format", "csv",
        home=tmp_path,
    )  # fmt: skip
    assert members.returncode == 0, members.stderr
    assert len(members.stdout.strip().splitlines()) > 1
    assert _kept(db) == written
