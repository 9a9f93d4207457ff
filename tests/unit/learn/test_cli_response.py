"""`report response` through main(): the table, CSV and JSON show the figures the service
computes on the hand-made history of test_response, and a bad target is refused."""

from __future__ import annotations

import csv
import io
import json

import pytest

from app.cli.main import main
from services.learn.response import duration_text, response_report
from tests.unit.alerts.test_alerts_rules import Book
from tests.unit.learn.test_response import book, history

__all__ = ["book"]  # fixture used by name


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def test_the_table_shows_the_service_figures(book: Book) -> None:
    history(book)
    code, out, err = run("--db", book.workspace.url, "report", "response")
    assert code == 0, err
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 100
    overall = response_report(book.engine).overall
    row = next(line for line in lines if line.startswith("All alerts"))
    cells = row.split()
    assert cells[2:4] == [str(overall.alerts), str(len(overall.acted_ids))]
    assert duration_text(overall.first_action_median) in row
    assert f"{len(overall.within_ids)}/{overall.due}" in row
    for title in ("By owner:", "By alert rule:", "By month raised:"):
        assert title in lines
    assert any(line.startswith("Sam ") for line in lines)
    assert any(line.startswith("Unassigned ") for line in lines)
    assert any(line.startswith("Gone quiet ") for line in lines)  # a rule by its title


def test_csv_and_json_carry_the_same_numbers(book: Book) -> None:
    ids = history(book)
    code, out, err = run("--db", book.workspace.url, "report", "response", "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    report = response_report(book.engine)
    first = rows[0]
    assert (first["group"], first["alerts"]) == ("all", str(report.overall.alerts))
    sam = next(r for r in rows if r["group"] == "owner" and r["key"] == "Sam")
    assert float(sam["first_action_median_hours"]) == 84.0
    code, out, err = run("--db", book.workspace.url, "report", "response", "--format", "json",
                         "--target", "warning=0")  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert data["targets"]["warning"] == 0
    assert ids["b"] in data["overall"]["missed_ids"]


def test_a_bad_target_is_refused(book: Book, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, _err = run("--db", book.workspace.url, "report", "response", "--target", "urgent=2")
    assert code != 0
    assert "'urgent=2' is not a target" in capsys.readouterr().err
