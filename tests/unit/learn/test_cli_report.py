"""`report effectiveness` through main(): the table, CSV and JSON of the same numbers the
service computes, on the hand-made workspace of test_learn_data, and its exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import text

from app.cli.main import main
from services.learn.effectiveness import effectiveness_report
from tests.unit.alerts.test_alerts_rules import Book
from tests.unit.learn.test_learn_data import Names, book, names

__all__ = ["book", "names"]  # fixtures used by name


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def db(book: Book) -> str:
    return book.workspace.url


def test_the_table_fits_100_columns_and_says_the_figures(book: Book, names: Names) -> None:
    code, out, err = run("--db", db(book), "report", "effectiveness", "--by", "rule")
    assert code == 0, err
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 100
    report = effectiveness_report(book.engine, by="rule")
    lift = report.overall.lift
    assert lines[2].startswith("Not enough data yet:")
    contacted = next(line for line in lines if line.startswith("Contacted "))
    assert contacted.split() == [
        "Contacted",
        str(lift.contacted.customers.count),
        str(lift.contacted.reengaged.count),
        f"{lift.contacted.rate * 100:.1f}%",
    ]
    assert "By alert rule:" in lines
    assert any(line.startswith("Gone quiet ") for line in lines)
    assert any(line.startswith("* not enough data yet") for line in lines)
    assert any(line.startswith("Set aside: 1 held out but contacted anyway") for line in lines)


def test_csv_rows_match_the_report_and_neutralise_formulas(book: Book, names: Names) -> None:
    with book.engine.begin() as conn:
        conn.execute(
            text("UPDATE outreach SET template = '=HYPERLINK(1)' WHERE template = 'winback_a'")
        )
    code, out, err = run("--db", db(book), "report", "effectiveness", "--by", "template",
                         "--format", "csv")  # fmt: skip
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    value = {(r["section"], r["key"], r["measure"]): r for r in rows}
    report = effectiveness_report(book.engine, by="template")
    overall = report.overall
    assert int(value["overall", "", "contacted_customers"]["value"]) == (
        overall.lift.contacted.customers.count
    )
    assert float(value["overall", "", "lift"]["value"]) == round(overall.lift.lift or 0, 6)
    assert value["overall", "", "won_back_cents"]["currency"] == "USD"
    assert int(value["overall", "", "won_back_cents"]["value"]) == overall.revenue.won_back_cents
    keys = {r["key"] for r in rows if r["section"] == "by_template"}
    assert "'=HYPERLINK(1)" in keys
    assert "=HYPERLINK(1)" not in keys


def test_json_is_complete_with_the_customer_ids(book: Book, names: Names) -> None:
    code, out, err = run("--db", db(book), "report", "effectiveness", "--format", "json",
                         "--since", "2025-01-01", "--until", "2025-06-30")  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert data["since"] == "2025-01-01"
    assert data["until"] == "2025-06-30"
    contacted = data["overall"]["lift"]["contacted"]["customers"]
    assert contacted["customer_ids"] == list(names.of("C1", "C2", "C5"))
    assert data["overall"]["set_aside"]["not_contacted"]["customer_ids"] == list(
        names.of("C3", "C4")
    )
    assert data["alert_quality"]["horizon_days"] == 90
    assert data["currency"] == "USD"
    assert [p["month"] for p in data["over_time"]][:2] == ["2025-03-01", "2025-04-01"]


def test_exit_codes(book: Book, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run("--db", db(book), "report", "effectiveness", "--since", "2025-06-01",
                         "--until", "2025-01-01")  # fmt: skip
    assert code == 1
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "after --until" in err
    code, _, _ = run("--db", db(book), "report", "effectiveness", "--by", "colour")
    assert code == 2
    assert "'colour' is not one of rule, goal" in capsys.readouterr().err
    code, _, err = run("--db", db(book), "report", "effectiveness", "--since", "June")
    assert code == 2
    code, _, err = run("--db", str(tmp_path / "none.radar.sqlite"), "report", "effectiveness")
    assert code == 1
    assert "There is no workspace" in err


def test_the_csv_quotes_a_key_that_begins_with_a_bare_cr(monkeypatch: pytest.MonkeyPatch) -> None:
    """`report effectiveness --format csv` goes through the exports' writer: a key with a
    bare CR (an owner's name as a file gave it) is quoted and cannot run as a formula."""
    from app.cli import report as report_cli

    rows = [("by_owner", "\r=1+2", "lift", -0.05), ("overall", "", "customers", 12)]
    monkeypatch.setattr(report_cli, "report_rows", lambda _report: rows)

    class _Report:
        currency = "USD"

    out = io.StringIO()
    report_cli.write_csv(_Report(), out)  # type: ignore[arg-type]
    written = out.getvalue()
    assert '"\'\r=1+2"' in written  # neutralised, and quoted for its bare CR
    parsed = list(csv.reader(io.StringIO(written, newline="")))
    assert parsed[1] == ["by_owner", "'\r=1+2", "lift", "-0.05", ""]
    assert parsed[2] == ["overall", "", "customers", "12", ""]
