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


def test_the_privacy_settings_hold_in_the_ticket(tmp_path: Path) -> None:
    """By default the surname and the address stay on this computer: the prefilled ticket
    masks the surname everywhere and leaves the requester's address empty; allowing every
    field gives them back."""
    from services.crm_files.ticket import freshdesk_csv, ticket_email_body, ticket_from_alert
    from tests.support.crm_book import let_every_field_leave

    ws = open_workspace(to_url(str(tmp_path / "private.radar.sqlite")), backup=False)
    try:
        ids = fill_crm_book(ws.engine)
        with Session(ws.engine) as s:
            alert = s.execute(select(Alert.id).where(Alert.customer_id == ids["A"])).scalar_one()
        draft = ticket_from_alert(ws.engine, int(alert))
        text = " ".join((draft.requester_name, draft.subject, draft.description,
                         ticket_email_body(draft), freshdesk_csv(draft)))  # fmt: skip
        assert "Archer" not in text
        assert "@" not in text
        assert draft.requester_email is None
        assert draft.requester_name == "Ann [surname withheld]"
        assert f"Customer: #{ids['A']} in Account Radar" in draft.description
        assert "no address: withheld by the privacy settings" in ticket_email_body(draft)
        let_every_field_leave(ws.engine)
        full = ticket_from_alert(ws.engine, int(alert))
        assert full.requester_name == "Ann Archer"
        assert full.requester_email == "ann@acme.test"
    finally:
        ws.close()
