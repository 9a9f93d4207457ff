"""A Salesforce opportunity report names the customers it creates after their account; a
contact's own name still wins."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import Engine, text

from app.workspace import open_workspace
from services.importing.service import run_import
from tests.support.paths import DATA

SAMPLES = DATA / "samples" / "salesforce"


def _names(engine: Engine) -> dict[str, str | None]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT external_id, name FROM customers")).all()
    return {str(ext): name for ext, name in rows}


def test_the_report_alone_names_every_customer_after_its_account(
    tmp_path: Path, workspace_url: str
) -> None:
    report = SAMPLES / "opportunity_report.csv"
    with report.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    # Data rows only: the report's footer lines ("Grand Totals", "Confidential") have no id.
    accounts = {r["Account ID"]: r["Account Name"] for r in rows if r.get("Account Name")}
    ws = open_workspace(workspace_url, backup=False)
    try:
        result = run_import(ws.engine, [report])
        assert result.landed, result.lines()
        names = _names(ws.engine)
    finally:
        ws.close()
    assert names
    assert all(names.values()), [k for k, v in names.items() if not v]
    # Every account name of the report is the name of one of the customers it made.
    assert set(accounts.values()) <= set(names.values())


def test_a_contact_name_wins_over_the_account_name(tmp_path: Path, workspace_url: str) -> None:
    ws = open_workspace(workspace_url, backup=False)
    try:
        first = run_import(ws.engine, [SAMPLES / "Account.csv", SAMPLES / "Contact.csv"])
        assert first.landed, first.lines()
        before = _names(ws.engine)
        second = run_import(ws.engine, [SAMPLES / "opportunity_report.csv"])
        assert second.landed, second.lines()
        after = _names(ws.engine)
    finally:
        ws.close()
    assert {k: after[k] for k in before} == before
