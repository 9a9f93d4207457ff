"""The settings per segment (``segments.rules``) as the workspace keeps them, checked
value by value when read, through main.py as a process on a small demo workspace: a table
nested thousands deep (a teammate's psql, a restored file) stops neither `config segment
list` nor `score`; a rule or a value that fails its check falls back alone, named in a
plain warning, and every other rule still applies. Nothing kept is lost or rewritten."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.cli.commands.test_cli import count, run

RULES = "segments.rules"


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("segments-demo")
    db = home / "demo.radar.sqlite"
    built = run(
        "--db", str(db), "demo", "--customers", "60", "--seed", "6", "--no-score", home=home
    )
    assert built.returncode == 0, built.stderr
    return db


@pytest.fixture
def db(demo_file: Path, tmp_path: Path) -> Path:
    path = tmp_path / "w.radar.sqlite"
    shutil.copyfile(demo_file, path)
    return path


def write_behind_the_apps_back(db: Path, text: str) -> None:
    """As a careless teammate would: straight into the settings table, no checks."""
    with sqlite3.connect(db) as con:
        con.execute(
            "INSERT OR REPLACE INTO settings (key, value, updated_at) "
            "VALUES (?, ?, '2026-01-01 00:00:00')",
            (RULES, text),
        )


def kept_text(db: Path) -> str:
    with sqlite3.connect(db) as con:
        return str(con.execute("SELECT value FROM settings WHERE key = ?", (RULES,)).fetchone()[0])


def logged(home: Path) -> str:
    return (home / "log" / "account-radar.log").read_text(encoding="utf-8")


def warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("warning: ")]


def test_a_table_nested_thousands_deep_stops_neither_list_nor_score(
    db: Path, tmp_path: Path
) -> None:
    deep = "[" * 3000 + "]" * 3000
    write_behind_the_apps_back(db, deep)
    listed = run("--db", str(db), "config", "segment", "list", home=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "Traceback" not in listed.stderr
    assert listed.stdout.startswith("No settings per segment")
    assert warnings(listed.stderr) == [
        "warning: Settings per segment: the whole value is not used: it is nested too "
        "deeply to be read. The default applies."
    ]
    scored = run("--db", str(db), "score", home=tmp_path)
    assert scored.returncode == 0, scored.stderr
    assert scored.stdout.startswith("Scored 60 customers")
    assert count(db, "score_snapshots") == 60
    log = logged(tmp_path)
    assert (
        f"The workspace's value of {RULES} is not used: it is nested too deeply to be read."
    ) in log
    assert "RecursionError" not in log
    # Left as it was: saving the table again (the window, `config segment set`) mends it.
    assert kept_text(db) == deep


def test_one_bad_rule_falls_back_alone_and_is_named(db: Path, tmp_path: Path) -> None:
    with sqlite3.connect(db) as con:
        # Gold's customers lose their owner: the Gold rule gives them one at the scoring.
        gold = con.execute("UPDATE customers SET owner = NULL WHERE tier = 'Gold'").rowcount
    assert gold > 0
    rules: list[Any] = [
        {"kind": "segment", "name": "Champions",
         "values": {"outreach.incentive_cap_percent": 1e308, "outreach.default_tone": "concise"}},
        {"kind": "tier", "name": "Bronze", "values": {"outreach.default_tone": {"warm": True}}},
        {"kind": "region", "name": "West", "values": {"outreach.incentive_cap_percent": "NaN"}},
        {"kind": "planet", "name": "Mars", "values": {}},
        {"kind": "tier", "name": "Gold", "values": {"alerts.unassigned_owner": "Rita Ortiz"}},
    ]  # fmt: skip
    text = json.dumps(rules)
    write_behind_the_apps_back(db, text)
    listed = run("--db", str(db), "config", "segment", "list", home=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == [
        '1. Champions [segment]: Tone "concise"',
        "2. Tier: Bronze [tier]: no values",
        "3. Region: West [region]: no values",
        '4. Tier: Gold [tier]: Owner "Rita Ortiz"',
    ]
    assert warnings(listed.stderr) == [
        "warning: Settings per segment: Champions: Offer cap (outreach.incentive_cap_percent) "
        "is not used: 'Email drafting: Incentive at most' must be at most 100% of the "
        "predicted value (got 1e+308); the workspace's value applies.",
        "warning: Settings per segment: Tier: Bronze: Tone (outreach.default_tone) is not "
        "used: 'Email drafting: Tone' must be of type text (got table of values); the "
        "workspace's value applies.",
        "warning: Settings per segment: Region: West: Offer cap "
        "(outreach.incentive_cap_percent) is not used: 'Email drafting: Incentive at most' "
        "must be of type number (got text); the workspace's value applies.",
        "warning: Settings per segment: rule 4 is not used: the kind of segment must be one "
        "of segment, tier, region, stage, filter (got 'planet').",
    ]
    scored = run("--db", str(db), "score", home=tmp_path)
    assert scored.returncode == 0, scored.stderr
    # The good rule still applies: Gold's customers without an owner take the rule's.
    assert f"{gold} customers given their segment's owner." in scored.stdout
    with sqlite3.connect(db) as con:
        owners = con.execute("SELECT DISTINCT owner FROM customers WHERE tier = 'Gold'")
        assert owners.fetchall() == [("Rita Ortiz",)]
    log = logged(tmp_path)
    assert (
        f"In the workspace's value of {RULES}, Champions: Offer cap "
        "(outreach.incentive_cap_percent) is not used:"
    ) in log
    assert f"In the workspace's value of {RULES}, rule 4 is not used:" in log
    assert kept_text(db) == text


def test_a_bare_nan_and_a_deep_value_fall_back_alone(db: Path, tmp_path: Path) -> None:
    # JSON as Python reads it: NaN unquoted, and one value nested far past the bounds.
    deep = "[" * 500 + "]" * 500
    text = (
        '[{"kind": "region", "name": "West", "values": '
        '{"alerts.lapse_coming.min_chance_percent": NaN, "outreach.default_tone": "warm", '
        '"renewals.checkpoint_months": [6]}}, '
        f'{{"kind": "tier", "name": "Gold", "values": {{"alerts.unassigned_owner": {deep}}}}}]'
    )
    write_behind_the_apps_back(db, text)
    listed = run("--db", str(db), "config", "segment", "list", home=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == [
        '1. Region: West [region]: Tone "warm"',
        "2. Tier: Gold [tier]: no values",
    ]
    said = warnings(listed.stderr)
    assert len(said) == 3
    assert said[0].startswith(
        "warning: Settings per segment: Region: West: Lapse floor "
        "(alerts.lapse_coming.min_chance_percent) is not used:"
    )
    assert "must be a number (got nan)" in said[0]
    assert said[1] == (
        "warning: Settings per segment: Region: West: 'renewals.checkpoint_months' is not "
        "used: it cannot be set per segment."
    )
    assert said[2].startswith(
        "warning: Settings per segment: Tier: Gold: Owner (alerts.unassigned_owner) is not used:"
    )
    assert "must be of type text (got list)" in said[2]
    # A change through the app keeps the good rules and leaves the bad values out.
    changed = run(
        "--db", str(db), "config", "segment", "set", "tier", "Silver",
        "outreach.default_tone", "concise", home=tmp_path,
    )  # fmt: skip
    assert changed.returncode == 0, changed.stderr
    assert json.loads(kept_text(db)) == [
        {"kind": "region", "name": "West", "values": {"outreach.default_tone": "warm"}},
        {"kind": "tier", "name": "Gold", "values": {}},
        {"kind": "tier", "name": "Silver", "values": {"outreach.default_tone": "concise"}},
    ]
    listed = run("--db", str(db), "config", "segment", "list", home=tmp_path)
    assert (listed.returncode, warnings(listed.stderr)) == (0, [])
