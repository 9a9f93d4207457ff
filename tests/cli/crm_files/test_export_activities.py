"""`export activities` end to end on the hand-made book of tests/support/crm_book.py:
the file for each CRM, the second export empty, one new call one row, --all and --since,
and the refusals in words."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cli.main import main
from app.workspace import open_workspace
from models.schema import Alert
from services.alerts.contact import log_call
from tests.support.crm_book import at, fill_crm_book


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def book(workspace_url: str) -> tuple[str, dict[str, int]]:
    ws = open_workspace(workspace_url, backup=False)
    try:
        ids = fill_crm_book(ws.engine)
    finally:
        ws.close()
    return workspace_url, ids


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_export_activities_for_salesforce_then_only_what_is_new(book, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, ids = book
    first = tmp_path / "Task.csv"
    code, out, err = run("--db", url, "export", "activities", "--to", "salesforce",
                         "--output", str(first))  # fmt: skip
    assert code == 0, err
    assert "4 activities, Mar 2, 2026 to Mar 5, 2026." in out
    rows = _rows(first)
    assert len(rows) == 4
    assert rows[1]["Subject"] == "'=SUM(A1:A9) pricing"
    second = tmp_path / "again.csv"
    code, out, _ = run("--db", url, "export", "activities", "--to", "salesforce", "-o",
                       str(second))  # fmt: skip
    assert code == 0
    # Nothing new: no file (not one of only the header), and how to get everything.
    assert re.fullmatch(
        r"Nothing new since the last export on [A-Z][a-z]{2} \d{1,2}, \d{4}; "
        r"use --all to export everything\.\n",
        out,
    ), out
    assert not second.exists()
    # An existing file named for it is left as it was, even with --force.
    second.write_text("kept\n", encoding="utf-8")
    code, out, _ = run("--db", url, "export", "activities", "--to", "salesforce", "-o",
                       str(second), "--force")  # fmt: skip
    assert code == 0
    assert out.startswith("Nothing new since the last export on ")
    assert second.read_text(encoding="utf-8") == "kept\n"
    ws = open_workspace(url, backup=False)
    try:
        with Session(ws.engine) as s:
            alert = s.execute(select(Alert.id).where(Alert.customer_id == ids["A"])).scalar_one()
        log_call(ws.engine, alert, "Confirmed the renewal", actor="Maya", now=at(10, 9, 0))
    finally:
        ws.close()
    third = tmp_path / "new.csv"
    code, out, _ = run("--db", url, "export", "activities", str(third), "--to", "salesforce")
    assert code == 0
    assert [r["Subject"] for r in _rows(third)] == ["Confirmed the renewal"]
    assert "1 activity" in out
    everything = tmp_path / "all.csv"
    code, _, _ = run("--db", url, "export", "activities", "--to", "csv", "--all", "-o",
                     str(everything))  # fmt: skip
    assert code == 0
    assert len(_rows(everything)) == 5
    since = tmp_path / "since.csv"
    code, _, _ = run("--db", url, "export", "activities", "--to", "hubspot", "--since",
                     "2026-03-05", "-o", str(since))  # fmt: skip
    assert code == 0
    assert [r["hs_email_subject"] for r in _rows(since)] == ["Your March order", ""]


def test_export_activities_refuses_what_it_cannot_do(book, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, _ids = book
    code, _, err = run("--db", url, "export", "activities", "-o", str(tmp_path / "a.csv"))
    assert code == 2
    assert "needs --to" in err
    code, _, err = run("--db", url, "export", "activities", "--to", "hubspot", "-o",
                       str(tmp_path / "a.xlsx"))  # fmt: skip
    assert code == 2
    assert "must end in .csv" in err
    code, _, err = run("--db", url, "export", "scores", str(tmp_path / "s.csv"), "--to", "csv")
    assert code == 2
    assert "for 'export activities'" in err
    assert not (tmp_path / "a.csv").exists()


def test_salesforce_meetings_are_said_with_their_events_file(book, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from sqlalchemy import text

    from models.vocab import APP_SOURCE

    url, ids = book
    ws = open_workspace(url, backup=False)
    try:
        with Session(ws.engine) as s, s.begin():
            s.execute(
                text(
                    "INSERT INTO interactions (customer_id, kind, occurred_at, subject, "
                    "source, external_id) VALUES (:c, 'meeting', :at, 'Review', :source, "
                    "'radar-meeting-9')"
                ),
                {"c": ids["A"], "at": dt.datetime(2026, 3, 9, 15, 30), "source": APP_SOURCE},
            )
    finally:
        ws.close()
    target = tmp_path / "Task.csv"
    code, out, err = run("--db", url, "export", "activities", "--to", "salesforce",
                         "--output", str(target))  # fmt: skip
    assert code == 0, err
    events = tmp_path / "Task-Event.csv"
    assert f"{events} holds the 1 meeting as Salesforce Events" in out
    assert [r["Subject"] for r in _rows(events)] == ["Review"]
    assert len(_rows(target)) == 4
