"""`report replies` on the hand-made book of tests/support/replies_book.py, its answers
imported through the real import: the table, the CSV and JSON, one row's emails and a
row that does not exist, each against the counts written out in that book."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from app.cli.main import main
from app.workspace import open_workspace
from services.importing.service import run_import
from tests.support.replies_book import fill_replies_book

HALF = ("--from", "2025-01-01", "--to", "2025-06-30")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def book(workspace_url: str, tmp_path: Path) -> str:
    ws = open_workspace(workspace_url, backup=False)
    try:
        fill_replies_book(ws.engine, tmp_path / "mail")
        assert all(f.landed for f in run_import(ws.engine, [tmp_path / "mail"]).files)
    finally:
        ws.close()
    return workspace_url


def test_the_table(book: str) -> None:
    code, out, err = run("--db", book, "report", "replies", *HALF)
    assert code == 0, err
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert lines[0] == "Replies, Emails sent Jan 1, 2025 to Jun 30, 2025"
    assert "3 of 5 emails got a reply (60%, likely 23% to 88%)" in " ".join(out.split())
    welcome = next(line for line in lines if line.startswith("Welcome back"))
    assert welcome.split()[3:] == ["2", "2", "100%", "34%", "to", "100%", "0", "27", "hours"]
    check = next(line for line in lines if line.startswith("Check-in"))
    assert check.split()[2:6] == ["2", "0", "0%", "0%"]
    assert "too few to say which template gets more replies" in " ".join(out.split())
    assert "A reply rate is not a lift" in out
    assert "Automatic reply:" in out  # the definitions close the report


def test_by_playbook_as_csv_and_tone_as_json(book: str) -> None:
    code, out, err = run("--db", book, "report", "replies", *HALF, "--by", "playbook",
                         "--format", "csv")  # fmt: skip
    assert code == 0, err
    rows = {r["label"]: r for r in csv.DictReader(io.StringIO(out))}
    assert set(rows) == {"All emails", "No playbook", "Win back"}
    assert (rows["No playbook"]["sent"], rows["No playbook"]["replied"]) == ("4", "2")
    assert rows["No playbook"]["automatic_only"] == "1"
    assert rows["All emails"]["median_hours_to_reply"] == "12.0"
    assert float(rows["All emails"]["rate_low"]) == pytest.approx(0.2307, abs=1e-4)
    code, out, err = run("--db", book, "report", "replies", *HALF, "--by", "tone",
                         "--format", "json")  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert {r["label"]: (r["sent"], r["replied"]) for r in data["rows"]} == {
        "All emails": (5, 3), "Warm": (2, 2), "Formal": (2, 0), "No tone recorded": (1, 1),
    }  # fmt: skip
    assert data["held_out"] == 1
    assert "not a lift" in data["holdout_note"]


def test_one_rows_emails_and_a_row_that_is_not_there(book: str) -> None:
    code, out, err = run("--db", book, "report", "replies", *HALF, "--emails",
                         "template:check-in", "--format", "csv")  # fmt: skip
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["customer"], r["replied_at"], r["automatic_replies"]) for r in rows] == [
        ("Cy Chen", "", "1"),
        ("Dee Dorsey", "", "0"),
    ]
    code, out, err = run("--db", book, "report", "replies", *HALF, "--emails", "all")
    assert code == 0, err
    assert "after 6 hours" in out
    assert "automatic only" in out
    code, _out, err = run("--db", book, "report", "replies", *HALF, "--emails", "tone:loud")
    assert code != 0
    assert "No row named 'tone:loud'" in err
