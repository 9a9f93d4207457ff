"""`report accuracy` on the hand-made book of tests/support/accuracy_book.py: the table,
one run with its calibration, the CSV of runs and of a run's customers, the JSON, the
refusals, and main.py run as a process, each against the sums written out in
tests/unit/accuracy/test_accuracy_report.py."""

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
from tests.support.accuracy_book import fill_accuracy_book
from tests.support.paths import ROOT


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def book(workspace_url: str) -> tuple[str, dict[str, int]]:
    ws = open_workspace(workspace_url, backup=False)
    try:
        ids = fill_accuracy_book(ws.engine)
    finally:
        ws.close()
    return workspace_url, ids


def test_the_table(book) -> None:  # type: ignore[no-untyped-def]
    url, ids = book
    code, out, err = run("--db", url, "report", "accuracy")
    assert code == 0, err
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 100
    first = next(line for line in lines if line.split()[:2] == [str(ids["run 2025-01-01"]),
                                                                  "2025-01-01"])  # fmt: skip
    # 9 predicted against 10 orders (-10%), MAE 0.33 against 0.71, revenue +21%, AUC
    # 31/36 against 28/36, Brier 0.161.
    assert first.split()[2:] == ["90", "12", "9.0/10", "-10%", "0.33/0.71", "+21%",
                                 "0.86/0.78", "0.161", "beats", "both"]  # fmt: skip
    second = next(line for line in lines if "2025-04-01" in line and "Run" not in line)
    assert second.endswith("misses baseline")
    # The latest run missed its churn baseline: the headline says so first.
    said = " ".join(out.split())
    assert "Did not beat its baseline on churn (AUC 0.00 vs 0.17 by recency)" in said
    assert "not yet checkable, on Oct 30, 2025." in out
    assert "What customers did is known up to Sep 1, 2025 (the newest order)." in out
    assert "Brier: the mean of" in out  # the definitions close the report


def test_one_run_with_its_calibration(book) -> None:  # type: ignore[no-untyped-def]
    url, ids = book
    code, out, err = run("--db", url, "report", "accuracy", "--run", str(ids["run 2025-01-01"]))
    assert code == 0, err
    assert "Calibration of run" in out
    after = out.split("Calibration of run")[1].split("Definitions:")[0]
    bins = [line.split() for line in after.splitlines() if "%" in line]
    # K A | B L | C H D | J E | F G I: mean risks and the share churned.
    assert [b[3:] for b in bins] == [["2", "7.5%", "0.0%"], ["2", "22.5%", "50.0%"],
                                     ["3", "35.0%", "33.3%"], ["2", "55.0%", "50.0%"],
                                     ["3", "80.0%", "100.0%"]]  # fmt: skip


def test_the_csv_of_runs_and_of_customers(book) -> None:  # type: ignore[no-untyped-def]
    url, ids = book
    code, out, err = run("--db", url, "report", "accuracy", "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [int(r["run_id"]) for r in rows] == [ids["run 2025-01-01"], ids["run 2025-04-01"]]
    assert float(rows[0]["auc"]) == pytest.approx(31 / 36, abs=1e-6)
    assert (rows[0]["predicted_cents"], rows[0]["actual_cents"]) == ("70000", "58000")
    assert rows[1]["beats_churn_baseline"] == "0"
    code, out, err = run("--db", url, "report", "accuracy", "--run",
                         str(ids["run 2025-04-01"]), "--format", "csv", "--customers")  # fmt: skip
    assert code == 0, err
    customers = {r["name"]: r for r in csv.DictReader(io.StringIO(out))}
    assert sorted(customers) == [f"Customer {x}" for x in "ABCGKM"]
    k = customers["Customer K"]
    assert (k["actual_orders"], k["actual_cents"], k["churned"]) == ("2", "4000", "0")
    assert (k["days_since_last_order"], k["orders_year_before"]) == ("27", "6")


def test_the_json(book) -> None:  # type: ignore[no-untyped-def]
    url, _ids = book
    code, out, err = run("--db", url, "report", "accuracy", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["known_until"] == "2025-09-01"
    assert [r["beats_churn_baseline"] for r in data["runs"]] == [True, False]
    assert data["runs"][1]["brier"] == pytest.approx(3.1125 / 6, abs=1e-6)
    assert len(data["runs"][0]["calibration"]) == 5
    assert data["not_yet_checkable"][0]["checkable_on"] == "2025-10-30"


def test_refusals(book) -> None:  # type: ignore[no-untyped-def]
    url, ids = book
    code, _out, err = run("--db", url, "report", "accuracy", "--customers")
    assert code != 0
    assert "--run ID --format csv" in err
    code, _out, err = run("--db", url, "report", "accuracy", "--run", "999")
    assert code != 0
    assert "no finished scoring run 999" in err
    code, _out, err = run("--db", url, "report", "accuracy", "--run", str(ids["run 2025-08-01"]))
    assert code != 0
    assert "not yet checkable, on Oct 30, 2025" in err


def test_main_py_as_a_process(book, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, _ids = book
    env = {k: v for k, v in os.environ.items() if k != "ACCOUNT_RADAR_DB"}
    env |= {"HOME": str(tmp_path), "ACCOUNT_RADAR_LOG_DIR": str(tmp_path / "log")}
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--db", url, "report", "accuracy"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Did not beat its baseline on churn" in done.stdout
    assert "beats both" in done.stdout
