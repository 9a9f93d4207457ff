"""Escalations on a real PostgreSQL server (the throwaway cluster of test_postgres.py):
the rules' queries run there, each cause is raised once, and the cause key is unique in
the database itself (migration 0010), not only in the code."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.workspace import open_workspace
from models.schema import Action, AuditEvent, Customer, Escalation, Interaction
from services.alerts.escalation import _Cause, _claim, run_escalations
from services.demo import build_demo
from services.settings import set_setting
from services.usecases.refresh import score_and_alert
from tests.unit.workspace.test_postgres import TODAY, pg_url  # noqa: F401  (the fixture)

NOW = dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC)


def test_escalations_once_per_cause_on_postgresql(pg_url: str) -> None:  # noqa: F811
    ws = open_workspace(pg_url)
    try:
        build_demo(ws.engine, customers=150, seed=5, today=TODAY)
        score_and_alert(ws.engine, as_of=TODAY)
        with Session(ws.engine) as session, session.begin():
            cid = session.scalar(select(func.min(Customer.id)))
            assert cid is not None
            for n, (priority, satisfaction) in enumerate(
                [("Urgent", "bad"), ("High", "bad"), ("Low", "bad"), ("High", "good")]
            ):
                session.add(
                    Interaction(
                        customer_id=cid + n, kind="ticket", status="open",
                        occurred_at=NOW - dt.timedelta(days=1), subject=f"PG ticket {n}",
                        satisfaction=satisfaction, source="zendesk",
                        attributes={"Priority": priority},
                    )
                )  # fmt: skip
            set_setting(session, "escalation.ticket.enabled", True)
            set_setting(session, "escalation.team_lead", "Dana Reyes")
        first = run_escalations(ws.engine, now=NOW)
        with Session(ws.engine) as session:
            rows = session.execute(
                select(Escalation.cause_key, Escalation.assignee, Action.title, Action.kind)
                .join(Action, Action.id == Escalation.action_id)
            ).all()  # fmt: skip
            wanted = set(
                session.scalars(
                    select(Interaction.id).where(
                        Interaction.subject.in_(["PG ticket 0", "PG ticket 1"])
                    )
                )
            )
            audits = session.scalar(
                select(func.count()).where(AuditEvent.action == "escalation.raised")
            )
        assert {r.cause_key for r in rows} == {f"ticket:{t}" for t in wanted}
        assert {(r.assignee, r.kind) for r in rows} == {("Dana Reyes", "task")}
        assert len(first.raised) == 2 == audits
        assert run_escalations(ws.engine, now=NOW).raised == []
        # A run that finds the cause already claimed (by a run at the same moment) skips it.
        with Session(ws.engine) as session, session.begin():
            again = _Cause("ticket", rows[0].cause_key, cid, None, "", "again", {})
            assert _claim(session, again) is None
        # The database refuses a second row for one cause.
        with pytest.raises(IntegrityError), Session(ws.engine) as session, session.begin():
            session.add(Escalation(cause_key=rows[0].cause_key, rule_key="ticket", customer_id=cid))
    finally:
        ws.close()
