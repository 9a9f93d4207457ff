"""`customers filters save|list|delete`, `customers list --filter` and `config segment set
filter ...` end to end on a real, scored workspace file: a team filter saved from the
command line lists its conditions in words and its members (the customers `customers list
--filter` prints), replacing one needs --force, and a setting per team filter is refused
for a filter that does not exist and said to match no one once it is deleted."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from app.cli.main import main
from app.workspace import open_workspace, to_url
from services.demo.build import build_demo
from services.segment_policy.team_filters import members
from services.usecases.refresh import score_and_alert


@pytest.fixture(scope="module")
def scored_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("filters-cli") / "book.radar.sqlite"
    workspace = open_workspace(to_url(str(path)), backup=False)
    try:
        build_demo(workspace.engine, customers=200, seed=5)
        score_and_alert(workspace.engine)
    finally:
        workspace.close()
    return path


@pytest.fixture
def db(scored_file: Path, tmp_path: Path) -> Path:
    path = tmp_path / "book.radar.sqlite"
    shutil.copyfile(scored_file, path)
    return path


def run(db: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--db", str(db), *args], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def _members(db: Path, name: str) -> list[int]:
    workspace = open_workspace(to_url(str(db)), backup=False)
    try:
        with workspace.sessions() as session:
            return [int(i) for i in members(session, [name])[name]]
    finally:
        workspace.close()


def test_save_list_and_list_the_members_of_a_team_filter(db: Path) -> None:
    code, out, err = run(db, "customers", "filters", "list")
    assert (code, err) == (0, "")
    assert "No team filters yet" in out
    code, out, _ = run(db, "customers", "filters", "save", "Risky loyal", "--segment", "Loyal",
                       "--segment", "Champions", "--risk", "medium", "--search", "E")  # fmt: skip
    assert code == 0
    assert "Shared the team filter 'Risky loyal'" in out
    kept = _members(db, "Risky loyal")
    assert kept
    code, out, _ = run(db, "customers", "filters", "list", "--format", "json")
    assert json.loads(out) == [
        {
            "name": "Risky loyal",
            "conditions": 'segment Champions or Loyal; churn risk 30% to 60%; search "E"',
            "members": len(kept),
        }
    ]
    code, out, _ = run(db, "customers", "list", "--filter", "RISKY LOYAL", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [int(r["customer_id"]) for r in rows] == kept
    assert {r["segment"] for r in rows} <= {"Loyal", "Champions"}
    assert all(0.3 <= float(r["churn_risk"]) < 0.6 for r in rows)
    code, out, _ = run(db, "customers", "list")
    assert code == 0
    assert out.startswith("200 customers")
    code, _, err = run(db, "customers", "list", "--filter", "No such")
    assert code == 2
    assert "there is no team filter 'No such'" in err


def test_replacing_needs_force_and_deleting_leaves_a_rule_matching_no_one(db: Path) -> None:
    assert run(db, "customers", "filters", "save", "Mine", "--owner", "Maya Thompson")[0] == 0
    code, _, err = run(db, "customers", "filters", "save", "mine", "--segment", "Lost")
    assert code == 2
    assert "--force" in err
    code, out, _ = run(db, "customers", "filters", "save", "mine", "--stage", "none", "--force")
    assert (code, out) == (0, "Replaced the team filter 'mine'.\n")
    code, _, err = run(db, "config", "segment", "set", "filter", "Other", "outreach.default_tone",
                       "concise")  # fmt: skip
    assert code == 2
    assert "no such team filter 'Other'" in err
    code, out, _ = run(db, "config", "segment", "set", "filter", "MINE", "outreach.default_tone",
                       "concise")  # fmt: skip
    assert code == 0
    assert '1. Team filter: MINE [filter]: Tone "concise"' in out
    code, out, _ = run(db, "customers", "filters", "delete", "Mine")
    assert (code, out) == (0, "Deleted the team filter 'mine'.\n")
    code, out, _ = run(db, "config", "segment", "list")
    assert "(no such team filter: it matches no one)" in out
    code, _, err = run(db, "customers", "filters", "delete", "Mine")
    assert code != 0
    assert "There is no team filter 'Mine'" in err
