"""A help-desk ticket's "Why:" gives what pushes the customer's churn risk up, the card's
reasons, never a sign pointing the other way (an active subscription) as if it were one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.workspace import open_workspace, to_url
from models.schema import Alert, ScoreSnapshot, ScoringRun
from services.crm_files.ticket import ticket_from_alert
from tests.support.crm_book import fill_crm_book


def test_why_lists_the_risk_reasons_only(tmp_path: Path) -> None:
    ws = open_workspace(to_url(str(tmp_path / "t.radar.sqlite")), backup=False)
    try:
        ids = fill_crm_book(ws.engine)
        day = dt.date(2026, 3, 10)
        with Session(ws.engine) as s, s.begin():
            alert = s.execute(select(Alert).where(Alert.customer_id == ids["A"])).scalar_one()
            alert_id = int(alert.id)
            run = ScoringRun(as_of=day, horizon_days=90, status="finished", customers=1,
                             params={"currency": "USD"})  # fmt: skip
            s.add(run)
            s.flush()
            s.add(ScoreSnapshot(
                customer_id=ids["A"], as_of=day, horizon_days=90, scoring_run_id=run.id,
                churn_risk=0.7, health_score=40.0, confidence="high",
                drivers=[
                    {"text": "No order in 94 days", "direction": "risk"},
                    {"text": "Active subscription", "direction": "good"},
                ],
            ))  # fmt: skip
        draft = ticket_from_alert(ws.engine, alert_id)
    finally:
        ws.close()
    assert "Why:\n- No order in 94 days" in draft.description
    assert "Active subscription" not in draft.description.split("Why:")[1].split("\n\n")[0]
