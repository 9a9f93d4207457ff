"""Alert SLAs (services/alerts/sla.py): working days across weekends, in the
workspace's zone; met or breached by the first action a person takes; a closed alert
stops the clock; the app's own work does not count."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.workspace import Workspace, open_workspace
from models.schema import Action, Alert, AuditEvent, Customer
from services.alerts.escalation import run_escalations
from services.alerts.sla import (
    SlaSettings,
    SlaState,
    add_working_days,
    due_at,
    due_header,
    due_words,
    sla_states,
)
from services.settings import set_setting
from tests.support.databases import new_workspace_url

UTC = dt.UTC
DAYS = {"critical": 1, "warning": 3, "opportunity": 5, "info": 7}


def test_working_days_skip_the_weekend() -> None:
    friday = dt.date(2026, 11, 27)
    assert add_working_days(friday, 1) == dt.date(2026, 11, 30)  # Monday
    assert add_working_days(dt.date(2026, 11, 26), 3) == dt.date(2026, 12, 1)  # Thu -> Tue
    assert add_working_days(dt.date(2026, 11, 28), 1) == dt.date(2026, 11, 30)  # Sat -> Mon
    assert add_working_days(friday, 7) == dt.date(2026, 12, 8)


def test_due_at_is_the_end_of_the_local_working_day() -> None:
    raised = dt.datetime(2026, 11, 27, 20, 0, tzinfo=UTC)  # Friday evening in UTC
    in_utc = due_at(raised, "critical", SlaSettings(DAYS, "UTC"))
    assert in_utc == dt.datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # end of Monday
    # In Tokyo it is already Saturday 05:00: still due at the end of Monday, Tokyo time.
    in_tokyo = due_at(raised, "critical", SlaSettings(DAYS, "Asia/Tokyo"))
    assert in_tokyo == dt.datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
    # In Los Angeles it is Friday noon: Monday's end there is 08:00 UTC on Tuesday.
    in_la = due_at(raised, "warning", SlaSettings(DAYS, "America/Los_Angeles"))
    assert in_la == dt.datetime(2026, 12, 3, 8, 0, tzinfo=UTC)  # Wed end, PST


@pytest.fixture
def ws(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    workspace = open_workspace(new_workspace_url(request, "sqlite", tmp_path), backup=False)
    with Session(workspace.engine) as session:
        set_setting(session, "workspace.time_zone", "UTC")
        session.commit()
    yield workspace
    workspace.close()


RAISED = dt.datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday: critical due end of Tuesday


def _alerts(ws: Workspace, n: int, status: str = "open") -> list[int]:
    with Session(ws.engine) as session, session.begin():
        customers = [Customer(name=f"Acme {i}", email=f"a{i}@example.com") for i in range(n)]
        session.add_all(customers)
        session.flush()
        alerts = [
            Alert(customer_id=c.id, rule_key="churn_risk", severity="critical",
                  status=status, reason="r", created_at=RAISED)
            for c in customers
        ]  # fmt: skip
        session.add_all(alerts)
        session.flush()
        return [a.id for a in alerts]


def _states(ws: Workspace, ids: list[int], now: dt.datetime) -> dict[int, SlaState]:
    with Session(ws.engine) as session:
        alerts = [session.get(Alert, i) for i in ids]
        return dict(
            sla_states(session, [(a.id, a.created_at, a.severity, a.status) for a in alerts
                                 if a is not None], now)
        )  # fmt: skip


def test_first_action_meets_or_breaches_and_nothing_is_overdue(ws: Workspace) -> None:
    early, late, untouched, by_app = _alerts(ws, 4)
    with Session(ws.engine) as session, session.begin():
        cid = session.get(Alert, early).customer_id  # type: ignore[union-attr]
        session.add(
            Action(
                customer_id=cid,
                alert_id=early,
                kind="call",
                title="Call",
                created_by="Dana",
                created_at=RAISED + dt.timedelta(hours=3),
            )
        )
        session.add(
            AuditEvent(
                actor="Dana",
                action="alert.started",
                entity_type="alert",
                entity_id=late,
                occurred_at=dt.datetime(2026, 11, 26, tzinfo=UTC),
            )
        )
        session.add(
            Action(
                customer_id=cid,
                alert_id=by_app,
                kind="task",
                title="Esc",
                created_by="escalation",
                created_at=RAISED,
            )
        )
    # fmt: skip
    now = dt.datetime(2026, 11, 27, 12, 0, tzinfo=UTC)  # Friday: three working days late
    states = _states(ws, [early, late, untouched, by_app], now)
    first, second, third, fourth = (states[i] for i in (early, late, untouched, by_app))
    assert first.met
    assert not first.overdue
    assert not second.met
    assert not second.overdue
    assert third.overdue
    assert third.overdue_days == 3
    assert fourth.overdue  # the escalation's task is not acting
    assert due_words(third, now.date()) == "Overdue 3 d"
    assert due_header(third) == "Overdue since Tue, Nov 24"
    assert due_words(first, now.date()) == ""


def test_not_yet_due_then_due_today(ws: Workspace) -> None:
    (aid,) = _alerts(ws, 1)
    monday = _states(ws, [aid], dt.datetime(2026, 11, 23, 15, tzinfo=UTC))[aid]
    tuesday = _states(ws, [aid], dt.datetime(2026, 11, 24, 23, tzinfo=UTC))[aid]
    assert not monday.overdue
    assert due_words(monday, dt.date(2026, 11, 23)) == ""
    assert due_header(monday) == "Due Tue, Nov 24"
    assert not tuesday.overdue
    assert due_words(tuesday, dt.date(2026, 11, 24)) == "Due today"


def test_a_closed_alert_stops_the_clock(ws: Workspace) -> None:
    (aid,) = _alerts(ws, 1, status="resolved")
    state = _states(ws, [aid], dt.datetime(2026, 12, 20, tzinfo=UTC))[aid]
    assert not state.overdue
    assert state.overdue_days == 0


def test_the_settings_change_the_due_time(ws: Workspace) -> None:
    (aid,) = _alerts(ws, 1)
    with Session(ws.engine) as session:
        set_setting(session, "sla.critical_days", 5)
        session.commit()
    state = _states(ws, [aid], dt.datetime(2026, 11, 27, 12, tzinfo=UTC))[aid]
    assert not state.overdue
    assert state.due_on == dt.date(2026, 11, 30)


def test_a_breached_critical_alert_is_escalated_once(ws: Workspace) -> None:
    untouched, acted, warning, resolved = _alerts(ws, 4)
    with Session(ws.engine) as session, session.begin():
        set_setting(session, "escalation.sla.enabled", True)
        set_setting(session, "escalation.team_lead", "Lee Lead")
        cid = session.get(Alert, acted).customer_id  # type: ignore[union-attr]
        session.add(Action(customer_id=cid, alert_id=acted, kind="note", title="Note",
                           created_by="Dana", created_at=RAISED))  # fmt: skip
        session.get(Alert, warning).severity = "warning"  # type: ignore[union-attr]
        session.get(Alert, resolved).status = "resolved"  # type: ignore[union-attr]
    now = dt.datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    first = run_escalations(ws.engine, now=now)
    again = run_escalations(ws.engine, now=now + dt.timedelta(days=1))
    assert len(first.raised) == 1
    assert first.raised[0].startswith("Past its time to act: Acme 0")
    assert "Overdue since Tue, Nov 24" in first.raised[0]
    assert again.raised == []
    with Session(ws.engine) as session:
        tasks = session.scalars(select(Action).where(Action.created_by == "escalation")).all()
        audits = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "escalation.raised")
        ).all()
        assert [(t.alert_id, t.kind) for t in tasks] == [(untouched, "task")]
        assert len(audits) == 1
        assert audits[0].details["rule"] == "sla"  # type: ignore[index]
        assert audits[0].details["assignee"] == "Lee Lead"  # type: ignore[index]
    # Its own task does not count as acting: still overdue, still escalated only once.
    with Session(ws.engine) as session:
        state = sla_states(session, [(untouched, RAISED, "critical", "open")], now)[untouched]
    assert state.overdue


def test_the_sla_escalation_is_off_by_default(ws: Workspace) -> None:
    _alerts(ws, 1)
    with Session(ws.engine) as session, session.begin():
        set_setting(session, "escalation.team_lead", "Lee Lead")
    assert run_escalations(ws.engine, now=dt.datetime(2026, 12, 20, tzinfo=UTC)).raised == []
