"""The `renewals` commands on the hand-made book of tests/support/renewal_calls_book.py:
recording a call (and the refusals in words), the calls listed, the calls due and the
disagreements as a table, CSV and JSON, and main.py run as a process."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli.main import main
from app.workspace import open_workspace
from tests.support.paths import ROOT
from tests.support.renewal_calls_book import fill_renewal_calls_book

AS_OF = ("--as-of", "2026-03-01")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def book(workspace_url: str) -> tuple[str, dict[str, int]]:
    ws = open_workspace(workspace_url, backup=False)
    try:
        ids = fill_renewal_calls_book(ws.engine)
    finally:
        ws.close()
    return workspace_url, ids


def test_record_a_call_then_list_it(book, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    url, ids = book
    monkeypatch.setenv("ACCOUNT_RADAR_USER", "Maya")  # who the call is kept as made by
    code, out, err = run("--db", url, "renewals", "call", "Birch", "--checkpoint", "3",
                         "--call", "at_risk", "--note", "Champion left")  # fmt: skip
    assert code == 0, err
    # The model's likelihood when the call was made: the latest run's 80%.
    assert out.strip() == "Called Birch's renewal At risk at 3 months; the model gave 80%."
    code, out, err = run("--db", url, "renewals", "calls", "Birch", "--format", "json")
    assert code == 0, err
    (row,) = json.loads(out)
    assert (row["contract_id"], row["checkpoint_months"], row["call"], row["note"]) == (
        ids["B1"],
        3,
        "at_risk",
        "Champion left",
    )
    assert row["model_likelihood"] == pytest.approx(0.8)
    code, out, err = run("--db", url, "renewals", "calls")
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 4  # the header, A's and C's calls from the book, and Birch's
    assert "Commit" in lines[1]
    assert "Budget signed off" in lines[1]
    assert lines[3].split()[2:8] == ["Birch", "Maya", str(ids["B1"]), "3m", "At", "risk"]
    assert max(len(line) for line in lines) <= 100


def test_refusals_say_why(book, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    url, ids = book
    monkeypatch.setenv("ACCOUNT_RADAR_USER", "Leo")  # a call names who made it
    code, _out, err = run("--db", url, "renewals", "call", "Delta", "--call", "likely")
    assert code != 0
    assert "2 open contracts" in err
    assert "Say which one" in err
    code, _out, err = run("--db", url, "renewals", "call", "Nobody", "--call", "likely")
    assert code != 0
    assert "No customer matches 'Nobody'" in err
    code, _out, err = run("--db", url, "renewals", "call", "Acme", "--call", "maybe")
    assert code == 2  # a usage error: argparse names the choices
    code, out, err = run("--db", url, "renewals", "call", "Delta", "--contract",
                         str(ids["D1"]), "--checkpoint", "3", "--call", "lost")  # fmt: skip
    assert code == 0, err
    assert out.startswith("Called Delta's renewal Lost at 3 months; the model gave 20%")


def test_due_and_disagreements(book, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, ids = book
    code, out, err = run("--db", url, "renewals", "due", *AS_OF)
    assert code == 0, err
    lines = out.splitlines()
    assert [line.split()[0] for line in lines[1:]] == ["Gum", "Birch", "Delta", "Cedar"]
    assert "3 months (since 2026-01-10)" in lines[2]
    code, out, err = run("--db", url, "renewals", "due", *AS_OF, "--owner", "leo",
                         "--format", "csv")  # fmt: skip
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["customer"], r["contract_id"], r["checkpoint_date"]) for r in rows] == [
        ("Delta", str(ids["D1"]), "2026-02-01"),
        ("Cedar", str(ids["C1"]), "2026-03-01"),
    ]
    # An owner with no book of their own: none, said so (not the team's calls).
    code, out, err = run("--db", url, "renewals", "due", *AS_OF, "--owner", "Sam Lee")
    assert code == 0, err
    assert out.splitlines()[0] == "No renewal call is due on the customers of Sam Lee."
    target = tmp_path / "disagreements.csv"
    code, out, err = run("--db", url, "renewals", "disagreements", "--format", "csv",
                         "--out", str(target))  # fmt: skip
    assert code == 0, err
    (row,) = list(csv.DictReader(target.open(encoding="utf-8")))
    # Acme: Commit (95%) against the model's 31%: 64 points.
    assert (row["customer"], row["owner"], row["call"], row["gap_points"]) == (
        "Acme",
        "Maya",
        "commit",
        "64.0",
    )
    assert row["words"] == (
        "Maya called it Commit "
        "(about 95% to renew); the model gives 31% to renew: usage down 40%, 2 late tickets"
    )
    code, out, err = run("--db", url, "renewals", "disagreements")
    assert code == 0, err
    assert out.splitlines()[1].split()[:4] == ["Acme", "Maya", "2026-06-15", "64"]


def test_an_empty_workspace_says_so(workspace_url: str) -> None:
    for command, words in (("due", "No renewal call is due."),
                           ("disagreements", "No owner's call disagrees"),
                           ("calls", "No renewal calls recorded yet.")):  # fmt: skip
        code, out, err = run("--db", workspace_url, "renewals", command)
        assert code == 0, err
        assert out.startswith(words)


def test_main_py_as_a_process(book, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, _ids = book
    env = {k: v for k, v in os.environ.items() if k != "ACCOUNT_RADAR_DB"}
    env |= {"HOME": str(tmp_path), "ACCOUNT_RADAR_LOG_DIR": str(tmp_path / "log"),
            "ACCOUNT_RADAR_USER": "Maya"}  # fmt: skip
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--db", url, "renewals", "call", "Gum",
         "--call", "likely", "--checkpoint", "3", "--note", "Verbal yes"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Called Gum's renewal Likely at 3 months."  # no likelihood
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--db", url, "renewals", "calls", "Gum",
         "--format", "json"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (row,) = json.loads(done.stdout)
    assert (row["made_by"], row["note"], row["model_likelihood"]) == ("Maya", "Verbal yes", None)
