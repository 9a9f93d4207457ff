"""`report satisfaction` through main(): the table, CSV and JSON show the figures the service
computes on the hand-made book of test_satisfaction, and --out writes the same text."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from app.cli.main import main
from services.learn.satisfaction import satisfaction_report
from services.learn.satisfaction_records import change_headline, csat_text, nps_text
from tests.unit.alerts.test_alerts_rules import Book
from tests.unit.learn.test_satisfaction import SINCE, UNTIL, _arms, _fill_months, book

__all__ = ["book"]  # fixture used by name
PERIOD = ("--since", SINCE.isoformat(), "--until", UNTIL.isoformat())


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def _filled(book: Book) -> None:
    _fill_months(book)
    _arms(book, [(5, 8), (6, 7), (7, 9)], [(8, 7), (4, 5)])


def test_the_table_shows_the_service_figures(book: Book) -> None:
    _filled(book)
    code, out, err = run("--db", book.workspace.url, "report", "satisfaction", *PERIOD)
    assert code == 0, err
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 100
    report = satisfaction_report(book.engine, SINCE, UNTIL)
    january = next(line for line in lines if line.startswith("Jan 2026"))
    jan = report.overall[0]
    assert january.split()[2:] == [
        nps_text(jan.nps), str(jan.nps_responses), str(jan.promoters), str(jan.detractors),
        csat_text(jan.csat), str(jan.csat_responses),
    ]  # fmt: skip
    whole = next(line for line in lines if line.startswith("Whole period"))
    assert whole.split()[2] == nps_text(report.period.nps)
    assert any(line.startswith("Sam ") for line in lines)
    assert any(line.startswith("Unassigned ") for line in lines)
    assert f"NPS after outreach: {change_headline(report.nps_change)}" in lines
    contacted = next(line for line in lines if line.startswith("NPS contacted"))
    assert contacted.split()[2:5] == ["3", "3", "100%"]


def test_csv_and_json_carry_the_same_numbers(book: Book, tmp_path: Path) -> None:
    _filled(book)
    report = satisfaction_report(book.engine, SINCE, UNTIL)
    code, out, err = run("--db", book.workspace.url, "report", "satisfaction", *PERIOD,
                         "--format", "csv")  # fmt: skip
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    value = {(r["section"], r["key"], r["month"], r["measure"]): r["value"] for r in rows}
    for score in report.overall:
        assert int(value["month", "all", score.month, "nps_responses"]) == score.nps_responses
        shown = value["month", "all", score.month, "nps"]
        assert (float(shown) if shown else None) == (
            pytest.approx(score.nps) if score.nps is not None else None
        )
    assert float(value["period", "Maya", "", "csat"]) == pytest.approx(
        report.owner_period["Maya"].csat
    )
    assert float(value["change", "nps", "", "difference"]) == pytest.approx(2.0)
    assert value["change", "nps", "", "enough"] == "0"
    assert value["change", "nps", "", "holdout_paired"] == "2"

    target = tmp_path / "satisfaction.json"
    code, out, err = run("--db", book.workspace.url, "report", "satisfaction", *PERIOD,
                         "--format", "json", "--out", str(target))  # fmt: skip
    assert code == 0, err
    assert "satisfaction.json" in out
    data = json.loads(target.read_text(encoding="utf-8"))
    assert [m["nps"] for m in data["months"]] == [s.nps for s in report.overall]
    assert data["period"]["csat"] == pytest.approx(report.period.csat)
    assert data["nps_change"]["difference"] == pytest.approx(2.0)
    assert data["nps_change"]["holdout"]["paired"] == 2
    assert data["nps_change"]["enough"] is False
    assert sorted(data["by_owner"]) == ["Maya", "Sam", "Unassigned"]
    # An existing file is left alone without --force.
    code, out, err = run("--db", book.workspace.url, "report", "satisfaction", "--out",
                         str(target))  # fmt: skip
    assert code != 0
    assert "already exists" in err


def test_a_period_starting_after_it_ends_is_refused(book: Book) -> None:
    code, out, err = run("--db", book.workspace.url, "report", "satisfaction", "--since",
                         "2030-01-01")  # fmt: skip
    assert code != 0
    assert "after it ends" in err
    assert out == ""
