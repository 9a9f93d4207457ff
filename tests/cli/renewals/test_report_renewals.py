"""`report renewals` on the hand-made book of tests/support/renewals_book.py: the pipeline,
the upcoming list, the backtest, forecast against actual, CSV and JSON, an empty
workspace, and main.py run as a process, each against the figures of that book."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from app.cli.main import main
from app.workspace import open_workspace
from models.schema import Customer
from models.schema.renewals import RenewalForecast
from tests.support.paths import ROOT
from tests.support.renewals_book import fill_renewals_book

AS_OF = ("--as-of", "2026-01-15")
Book = tuple[str, dict[str, int], dict[str, int]]


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def book(workspace_url: str) -> Book:
    ws = open_workspace(workspace_url, backup=False)
    try:
        customers, contracts = fill_renewals_book(ws.engine)
    finally:
        ws.close()
    return workspace_url, customers, contracts


def test_the_pipeline_table(book: Book) -> None:
    url, _c, _k = book
    code, out, err = run("--db", url, "report", "renewals", *AS_OF)
    assert code == 0, err
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert lines[0] == "Renewals as of Jan 15, 2026 (in USD)"
    # A B E F in the next 90 days: $12k + $6k + $12k + $2.4k; expected 10.8 + 2.4 + 9.6.
    assert "4 renewals in the next 90 days worth $32k a year; expected $23k; 2 at risk" in out
    feb = next(line for line in lines if line.startswith("Feb 2026"))
    assert feb.split()[2:] == ["2", "$18k", "$13k", "$12k", "$6k", "$0", "$0", "$0", "$0"]
    dec = next(line for line in lines if line.startswith("Dec 2025"))
    assert dec.split()[2:] == ["2", "$11k", "$6k", "$0", "$0", "$6k", "$6k", "$1k", "$0"]
    assert "annual recurring revenue" in out
    # Only 4 past renewals: the fallback, and the reason, on the pipeline too.
    assert "too few for a model of their own (it needs 40" in " ".join(out.split())


def test_upcoming_filtered_by_owner(book: Book) -> None:
    url, _c, _k = book
    code, out, err = run("--db", url, "report", "renewals", *AS_OF, "--upcoming",
                         "--owner", "Leo")  # fmt: skip
    assert code == 0, err
    rows = [line for line in out.splitlines() if line.startswith("2026-")]
    assert [r.split()[0] for r in rows] == ["2026-03-10", "2026-03-20"]
    # Called at risk (35%) against 80%: 45 points apart, a disagreement, said as in Results.
    assert rows[0].split()[-5:] == ["80%", "At", "risk", "·", "disagrees"]
    assert rows[1].endswith("$2.4k not forecast yet –")
    assert "Customer A" not in out


def test_forecast_against_actual(book: Book) -> None:
    url, _c, k = book
    code, out, err = run("--db", url, "report", "renewals", *AS_OF, "--actual")
    assert code == 0, err
    model = [line.split() for line in out.splitlines() if line.startswith("Model ")]
    assert model == [["Model", "6", "4", "50%", "0.185", "65%", "50%"],
                     ["Model", "3", "4", "100%", "0.071", "61%", "50%"]]  # fmt: skip
    code, out, err = run("--db", url, "report", "renewals", *AS_OF, "--actual",
                         "--format", "csv")  # fmt: skip
    assert code == 0, err
    rows = {(r["forecaster"], r["checkpoint_months"]): r for r in csv.DictReader(io.StringIO(out))}
    assert float(rows["Maya", "6"]["brier"]) == pytest.approx((0.25**2 + 0.95**2) / 2)
    assert rows["Leo", "6"]["contract_ids"] == str(k["G"])
    assert rows["Leo", "6"]["hit_rate"] == "0.0"


def test_forecast_against_actual_says_why_the_model_has_no_figure(book: Book) -> None:
    url, _c, _k = book
    code, out, _err = run("--db", url, "report", "renewals", *AS_OF, "--actual")
    assert "The model has no forecast of these past renewals" not in out
    ws = open_workspace(url, backup=False)
    try:
        with ws.engine.begin() as conn:
            conn.execute(delete(RenewalForecast))  # no scoring forecast any of them
    finally:
        ws.close()
    code, out, err = run("--db", url, "report", "renewals", *AS_OF, "--actual")
    assert code == 0, err
    model = [line.split()[:3] for line in out.splitlines() if line.startswith("Model ")]
    assert model == [["Model", "6", "0"], ["Model", "3", "0"]]
    words = " ".join(out.split())
    assert "The model has no forecast of these past renewals: a scoring keeps" in words
    assert "python main.py score --as-of YYYY-MM-DD" in out


def test_backtest_says_why(book: Book) -> None:
    url, _c, _k = book
    code, out, err = run("--db", url, "report", "renewals", *AS_OF, "--backtest")
    assert code == 0, err
    assert "Past renewals: 4 (the model needs 40); judged: 0" in out
    code, out, err = run("--db", url, "report", "renewals", *AS_OF, "--backtest",
                         "--format", "json")  # fmt: skip
    data = json.loads(out)
    assert data["backtest"]["renewals"] == 4
    assert data["backtest"]["beats_baselines"] == 0


def test_csv_and_json_of_the_pipeline(book: Book) -> None:
    url, customers, k = book
    with Session(open_workspace(url, backup=False).engine) as s, s.begin():
        s.execute(update(Customer).where(Customer.id == customers["A"])
                  .values(name='=HYPERLINK("http://x")'))  # fmt: skip
    code, out, err = run("--db", url, "report", "renewals", *AS_OF, "--format", "csv")
    assert code == 0, err
    months = {r["month"]: r for r in csv.DictReader(io.StringIO(out))}
    assert months["2026-02"]["expected_cents"] == "1320000"
    assert months["2026-03"]["at_risk_cents"] == "1200000"
    assert months["2025-11"]["contraction_cents"] == "200000"
    assert months["2026-02"]["contract_ids"] == f"{k['A']} {k['B']}"
    code, out, err = run("--db", url, "report", "renewals", *AS_OF, "--upcoming",
                         "--format", "csv")  # fmt: skip
    first = next(csv.DictReader(io.StringIO(out)))
    assert first["customer"] == '\'=HYPERLINK("http://x")'  # a formula, neutralised
    marked = {r["renewal_date"]: r["disagrees"] for r in csv.DictReader(io.StringIO(out))}
    assert marked["2026-03-10"] == "1"
    assert set(marked.values()) <= {"0", "1"}
    code, out, err = run("--db", url, "report", "renewals", *AS_OF, "--format", "json")
    data = json.loads(out)
    feb = next(m for m in data["months"] if m["month"] == "2026-02")
    assert feb["committed_ids"] == [k["A"]]
    assert feb["at_risk_ids"] == [k["B"]]


def test_an_empty_workspace_says_how_to_import(workspace_url: str) -> None:
    code, out, err = run("--db", workspace_url, "report", "renewals")
    assert code == 0, err
    assert "No contracts in this workspace yet" in out
    assert "File ▸ Import" in out
    assert "Month" not in out


def test_main_py_as_a_process(book: Book, tmp_path: Path) -> None:
    url, _c, _k = book
    env = {k: v for k, v in os.environ.items() if k != "ACCOUNT_RADAR_DB"}
    env |= {"HOME": str(tmp_path), "ACCOUNT_RADAR_LOG_DIR": str(tmp_path / "log")}
    target = tmp_path / "upcoming.csv"
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--db", url, "report", "renewals", *AS_OF,
         "--upcoming", "--format", "csv", "--out", str(target)],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Wrote the renewals report to" in done.stdout
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert [r["renewal_date"] for r in rows] == ["2026-02-01", "2026-02-15", "2026-03-10",
                                                 "2026-03-20"]  # fmt: skip
