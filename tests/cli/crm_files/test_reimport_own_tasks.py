"""The app's own tasks brought back: `export activities --to salesforce` on the hand-made
book of tests/support/crm_book.py with 900 tasks made in the app, then `import` of that
file, of the Salesforce Task export holding them after the round trip through the CRM, and
of a file of nothing but them. The tasks are recognised by the app's key the export wrote
(Account_Radar_Id__c) and counted as the app's own, already recorded, never as rejected
rows; nothing is added twice; rows that are really wrong are still rejected by row."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.cli.main import main
from app.workspace import open_workspace
from models.schema import Action, Alert, Interaction
from services.alerts.contact import create_task
from tests.support.crm_book import ACCOUNT, CONTACT, at, fill_crm_book

TASKS = 900
OWN_NOTE = "note: 900 tasks and changes this app wrote: already recorded, left as they are"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def exported(workspace_url: str, tmp_path: Path) -> tuple[str, Path]:
    """The book with 900 tasks made on its alerts, exported for Salesforce."""
    ws = open_workspace(workspace_url, backup=False)
    try:
        ids = fill_crm_book(ws.engine)
        with Session(ws.engine) as s:
            alerts = s.scalars(
                select(Alert.id).where(Alert.customer_id.in_([ids["A"], ids["B"]]))
            ).all()
        for n in range(TASKS):
            create_task(ws.engine, int(alerts[n % len(alerts)]), f"Follow up {n + 1}",
                        dt.date(2099, 1, 1) + dt.timedelta(days=n % 60), actor="Maya",
                        now=at(6, 9, 0))  # fmt: skip
    finally:
        ws.close()
    path = tmp_path / "Task.csv"
    code, out, err = run("--db", workspace_url, "export", "activities", "--to", "salesforce",
                         "--output", str(path))  # fmt: skip
    assert code == 0, err
    assert "Task.csv for Salesforce: 904 activities" in out, out
    return workspace_url, path


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _counts(url: str) -> tuple[int, int]:
    ws = open_workspace(url, backup=False)
    try:
        with Session(ws.engine) as s:
            interactions = s.scalar(select(func.count()).select_from(Interaction))
            tasks = s.scalar(select(func.count()).where(Action.kind == "task"))
        return int(interactions or 0), int(tasks or 0)
    finally:
        ws.close()


def test_the_exported_file_brought_back_counts_the_apps_tasks_as_its_own(exported) -> None:  # type: ignore[no-untyped-def]
    url, path = exported
    rows = _rows(path)
    assert len(rows) == 904
    assert sum(r["Account_Radar_Id__c"].startswith("radar-task-") for r in rows) == TASKS
    before = _counts(url)
    assert before[1] == TASKS
    code, out, err = run("--db", url, "import", str(path))
    assert code == 0, out + err
    assert out.startswith("Task.csv (salesforce_activities, interactions): landed as import")
    assert ": 904 rows read, 0 inserted, 0 updated, 4 unchanged, 0 rejected\n" in out
    assert OWN_NOTE in out
    assert "rejected:" not in out
    assert _counts(url) == before


def test_the_salesforce_export_after_the_round_trip_rejects_only_the_wrong_rows(  # type: ignore[no-untyped-def]
    exported, tmp_path: Path
) -> None:
    url, path = exported
    # As Data Loader exports the Tasks once loaded: Salesforce's own Id on each, the app's
    # custom fields kept, the columns Salesforce does not map gone.
    dropped = ("Owner Name", "Customer", "Email", "Salesforce match")
    back = []
    for n, row in enumerate(_rows(path), start=1):
        kept = {k: v for k, v in row.items() if k not in dropped}
        back.append({"Id": f"00T{n:015d}", **kept, "OwnerId": "005000000000001AAA"})
    blank = dict.fromkeys(back[0], "")
    new_call = {**blank, "Id": "00T900000000001AAA", "WhoId": CONTACT, "WhatId": ACCOUNT,
                "Subject": "Called from Salesforce", "ActivityDate": "2026-03-09",
                "Status": "Completed", "TaskSubtype": "Call"}  # fmt: skip
    bad_date = {**new_call, "Id": "00T900000000002AAA", "ActivityDate": "31/31/2026"}
    elsewhere = {**new_call, "Id": "00T900000000003AAA", "WhoId": "",
                 "WhatId": "001000000000009ZZZ"}  # fmt: skip
    back += [new_call, bad_date, elsewhere]
    round_trip = _write(tmp_path / "Task-export.csv", back)
    before = _counts(url)

    code, out, err = run("--db", url, "import", str(round_trip))
    assert code == 0, out + err
    assert "907 rows read, 1 inserted, 0 updated, 4 unchanged, 2 rejected" in out
    assert OWN_NOTE in out
    rejected = [line.strip() for line in out.splitlines() if "rejected:" in line]
    assert rejected == [
        "rejected: Task-export.csv row 907: cannot read '31/31/2026' as a date and time "
        "(the activity's date)",
        "rejected: Task-export.csv row 908: the customer is not in this workspace "
        "(import the customers first)",
    ]
    assert _counts(url) == (before[0] + 1, before[1])
    # Again: nothing more.
    code, out, err = run("--db", url, "import", str(round_trip))
    assert code == 0, out + err
    assert "907 rows read, 0 inserted, 0 updated, 5 unchanged, 2 rejected" in out
    assert _counts(url) == (before[0] + 1, before[1])


def test_a_file_of_only_the_apps_tasks_imports_nothing_and_says_why(  # type: ignore[no-untyped-def]
    exported, tmp_path: Path
) -> None:
    url, path = exported
    own = [r for r in _rows(path) if r["Account_Radar_Id__c"].startswith("radar-task-")]
    only = _write(tmp_path / "Tasks-only.csv", own)
    before = _counts(url)
    code, out, err = run("--db", url, "import", str(only))
    assert code == 1
    assert (
        "error: nothing was imported: the 900 tasks and changes in Tasks-only.csv are this "
        "app's own, already recorded\n"
    ) in err
    assert "none of the" not in out + err
    assert "rejected:" not in out
    assert _counts(url) == before
