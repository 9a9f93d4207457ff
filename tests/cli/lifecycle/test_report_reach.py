"""`report reach-times` on the hand-made book of tests/support/reach_book.py: the table,
one breakdown, the CSV and JSON, against the counts written out in that book."""

from __future__ import annotations

import csv
import io
import json

import pytest

from app.cli.main import main
from app.workspace import open_workspace
from tests.support.reach_book import fill_reach_book

PERIOD = ("--from", "2025-01-01", "--to", "2025-06-30")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def url(workspace_url: str) -> str:
    ws = open_workspace(workspace_url, backup=False)
    try:
        fill_reach_book(ws.engine)
    finally:
        ws.close()
    return workspace_url


def test_the_table(url: str) -> None:
    code, out, err = run("--db", url, "report", "reach-times", *PERIOD)
    assert code == 0, err
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert "All customers (130 emails): Best reached: Tuesday 9–11, 30 replies of 60" in out
    monday = next(line for line in lines if "Monday 7–9" in line)
    assert monday.endswith("too few")
    words = " ".join(out.split())
    assert "Hibernating (40 emails): No best time: the likely reply rates" in words


def test_one_breakdown_csv_and_json(url: str) -> None:
    code, out, _ = run("--db", url, "report", "reach-times", *PERIOD, "--by", "segment",
                       "--format", "csv")  # fmt: skip
    assert code == 0
    table = list(csv.DictReader(io.StringIO(out)))
    assert {r["label"] for r in table} == {"Champions", "Hibernating"}
    best = [r for r in table if r["best"] == "true"]
    assert [(r["label"], r["weekday"], r["hours"], r["emails"], r["replied"]) for r in best] == [
        ("Champions", "Tuesday", "9-11", "40", "25")
    ]
    code, out, _ = run("--db", url, "report", "reach-times", *PERIOD, "--format", "json")
    body = json.loads(out)
    whole = next(g for g in body["groups"] if g["by"] == "all")
    assert whole["best"] == "Tuesday 9–11"
    assert body["floor"] == 20


def test_an_empty_period(url: str) -> None:
    code, out, _ = run("--db", url, "report", "reach-times", "--from", "2024-01-01", "--to",
                       "2024-02-01")  # fmt: skip
    assert code == 0
    assert "No emails sent in this period" in out
