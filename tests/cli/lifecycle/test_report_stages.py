"""`report stages` on the hand-made book of tests/support/lifecycle_book.py: the table,
one stage's customers, the CSV and JSON, and a past date, against the stages written out
in that book."""

from __future__ import annotations

import csv
import io
import json

import pytest

from app.cli.main import main
from app.workspace import open_workspace
from tests.support.lifecycle_book import fill_lifecycle_book

ON = ("--as-of", "2025-06-30")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def url(workspace_url: str) -> str:
    ws = open_workspace(workspace_url, backup=False)
    try:
        fill_lifecycle_book(ws.engine)
    finally:
        ws.close()
    return workspace_url


def test_the_table(url: str) -> None:
    code, out, err = run("--db", url, "report", "stages", *ON)
    assert code == 0, err
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert lines[0] == (
        "On Jun 30, 2025, 9 customers: 3 onboarding, 2 adoption, 2 mature, 1 renewal, 1 at risk."
    )
    renewal = next(line for line in lines if line.startswith("Renewal "))
    assert renewal.split()[1:4] == ["1", "$1.2k", "40%"]
    mature = next(line for line in lines if line.startswith("Mature "))
    assert mature.endswith("1 of 2 (50%)")  # D ordered again, G did not
    onboarding = next(line for line in lines if line.startswith("Onboarding "))
    assert onboarding.split()[2:4] == ["–", "–"]  # nobody of them scored
    assert "the scoring of Jun 28, 2025" in " ".join(out.split())


def test_one_stage_s_customers_and_why(url: str) -> None:
    code, out, err = run("--db", url, "report", "stages", *ON, "--stage", "onboarding")
    assert code == 0, err
    assert out.splitlines()[0] == "Onboarding on Jun 30, 2025: 3 customers"
    assert "Customer A" in out
    assert "the first contract began 29 days ago" in out
    assert "signed up 5 days ago, no order yet" in out
    assert "Customer B" not in out


def test_csv_and_json(url: str) -> None:
    code, out, _ = run("--db", url, "report", "stages", *ON, "--format", "csv")
    assert code == 0
    rows = {r["stage"]: r for r in csv.DictReader(io.StringIO(out))}
    assert rows["at_risk"]["customers"] == "1"
    assert rows["renewal"]["value_cents"] == "120000"
    code, out, _ = run("--db", url, "report", "stages", *ON, "--stage", "mature", "--format",
                       "json")  # fmt: skip
    body = json.loads(out)
    assert sorted(c["name"] for c in body["customers"]) == ["Customer D", "Customer G"]
    assert body["scoring_as_of"] == "2025-06-28"


def test_a_past_date(url: str) -> None:
    code, out, err = run("--db", url, "report", "stages", "--as-of", "2025-02-01")
    assert code == 0, err
    assert out.splitlines()[0].startswith("On Feb 1, 2025, 5 customers: 2 onboarding, 3 mature")
    assert "no scoring as of then" in " ".join(out.split())


def test_a_stage_not_known_is_refused(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, _err = run("--db", url, "report", "stages", "--stage", "dormant")
    assert code != 0
    assert "'dormant' is not one of onboarding" in capsys.readouterr().err
