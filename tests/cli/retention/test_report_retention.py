"""`report retention` on the hand-made book of tests/support/retention_book.py: the
table, the CSV of figures and of customers, the JSON, an empty workspace, and main.py run
as a process, each against the counts written out in that book."""

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
from tests.support.retention_book import fill_retention_book

YEAR = ("--since", "2025-01-01", "--until", "2025-12-31")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def book(workspace_url: str) -> tuple[str, dict[str, int]]:
    url = workspace_url
    ws = open_workspace(url, backup=False)
    try:
        ids = fill_retention_book(ws.engine)
    finally:
        ws.close()
    return url, ids


def test_the_table(book) -> None:  # type: ignore[no-untyped-def]
    url, _ids = book
    code, out, err = run("--db", url, "report", "retention", *YEAR)
    assert code == 0, err
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert lines[0] == "Retention on repeat purchases, Jan 2025 to Dec 2025 (in USD)"
    # 8 at start, 5 retained (62.5%); NRR 480/1,030 = 46.6%, GRR 330/1,030 = 32.0%.
    assert "Of 8 customers active on Jan 1, 2025, 5 were still active" in out
    assert "62.5% (churn 37.5%)" in out
    words = " ".join(out.split())
    assert "NRR 46.6% ($480 against $1k), GRR 32.0% ($330 of $1k kept, growth left out)" in words
    overall = next(line for line in lines if line.startswith("All customers"))
    assert overall.split()[2:7] == ["8", "5", "3", "62.5%", "37.5%"]
    assert overall.endswith("*")  # a small group, marked
    maya = next(line for line in lines if line.startswith("Maya "))
    assert maya.split()[1:5] == ["4", "2", "2", "50.0%"]
    assert "fewer than 20 customers at the start" in out
    assert "Gross revenue retention (GRR):" in out  # the definitions close the report


def test_the_csv_of_figures_and_of_customers(book) -> None:  # type: ignore[no-untyped-def]
    url, ids = book
    code, out, err = run("--db", url, "report", "retention", *YEAR, "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    figures = {(r["section"], r["key"], r["measure"]): r["value"] for r in rows}
    assert figures[("overall", "", "at_start")] == "8"
    assert figures[("overall", "", "revenue_before_cents")] == "103000"
    assert float(figures[("overall", "", "grr")]) == pytest.approx(330 / 1030, abs=1e-6)
    assert figures[("owner", "Leo", "retained")] == "3"
    assert figures[("month", "2025-03", "churned")] == "1"  # A lapses in March
    code, out, err = run(
        "--db", url, "report", "retention", *YEAR, "--format", "csv", "--customers"
    )
    assert code == 0, err
    members = [r for r in csv.DictReader(io.StringIO(out)) if r["section"] == "overall"]
    churned = {int(r["customer_id"]) for r in members if r["status"] == "churned"}
    assert churned == {ids["C"], ids["D"], ids["J"]}
    a = next(r for r in members if int(r["customer_id"]) == ids["A"])
    assert (a["name"], a["revenue_before_cents"], a["revenue_now_cents"]) == (
        "Customer A",
        "10000",
        "15000",
    )


def test_the_json_and_subscriptions(book) -> None:  # type: ignore[no-untyped-def]
    url, ids = book
    code, out, err = run(
        "--db", url, "report", "retention", *YEAR, "--basis", "subscriptions", "--format", "json"
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["basis"] == "subscriptions"
    overall = data["overall"]
    # L, M, B, K at start; L and B kept; 16,167 a month at the start, 4,000 at the end.
    assert (overall["at_start"], overall["retained"]) == (4, 2)
    assert sorted(overall["retained_ids"]) == sorted([ids["L"], ids["B"]])
    assert overall["revenue_before_cents"] == 16_167
    assert overall["nrr"] == pytest.approx(4000 / 16167, abs=1e-6)
    assert "Net revenue retention (NRR)" in data["definitions"]


def test_customers_asks_for_csv(book) -> None:  # type: ignore[no-untyped-def]
    url, _ids = book
    code, _out, err = run("--db", url, "report", "retention", "--customers")
    assert code != 0
    assert "--format csv" in err


def test_an_empty_workspace_says_so_in_words(workspace_url: str) -> None:
    code, out, err = run("--db", workspace_url, "report", "retention")
    assert code == 0, err
    assert "No paid orders in this workspace yet" in out
    assert "All customers" not in out


def test_main_py_as_a_process(book, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, _ids = book
    env = {k: v for k, v in os.environ.items() if k != "ACCOUNT_RADAR_DB"}
    env |= {"HOME": str(tmp_path), "ACCOUNT_RADAR_LOG_DIR": str(tmp_path / "log")}
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--db", url, "report", "retention", *YEAR],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Of 8 customers active on Jan 1, 2025, 5 were still active" in done.stdout


def test_out_writes_the_same_text(book, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, _ids = book
    target = tmp_path / "retention.csv"
    code, shown, err = run("--db", url, "report", "retention", *YEAR, "--format", "csv")
    assert code == 0, err
    code, out, err = run(
        "--db", url, "report", "retention", *YEAR, "--format", "csv", "--out", str(target)
    )
    assert code == 0, err
    assert "Wrote the retention report to" in out
    assert target.read_text(encoding="utf-8") == shown
