"""A stage column in a customers file, imported through the real generic import, is the
customer's stage: kept among the record's columns ("Lifecycle Stage", or a CRM's "Stage")
and read by its words."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.workspace import open_workspace, to_url
from models.schema import Customer
from services.importing.run import run_import
from services.lifecycle.book import stage_book


def test_an_imported_stage_column_is_the_stage(tmp_path: Path) -> None:
    ws = open_workspace(to_url(str(tmp_path / "w.radar.sqlite")), backup=False)
    try:
        path = tmp_path / "customers.csv"
        path.write_text(
            "Customer ID,Email,Name,Lifecycle Stage\n"
            "C1,ana@example.com,Ana,Onboarding\n"
            "C2,ben@example.com,Ben,Established customer\n"
            "C3,cy@example.com,Cy,\n",
            encoding="utf-8",
        )
        (report,) = run_import(ws.engine, [path]).files
        assert report.landed, report.error
        with Session(ws.engine) as s:
            ids = dict(s.execute(select(Customer.external_id, Customer.id)).all())
            kept = s.scalar(select(Customer.attributes).where(Customer.external_id == "C1"))
        assert kept == {"Lifecycle Stage": "Onboarding"}
        by_id = stage_book(ws.engine, dt.date.today()).stage_by_customer()
        assert (by_id[ids["C1"]].stage, by_id[ids["C1"]].source) == ("onboarding", "field")
        assert by_id[ids["C2"]].stage == "mature"
        assert ids["C3"] not in by_id  # nothing to read a stage from
    finally:
        ws.close()
