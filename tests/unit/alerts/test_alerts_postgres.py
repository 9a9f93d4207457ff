"""Alerts on a real PostgreSQL server: generation, refresh, the lifecycle and the queries
run the same SQL paths as on SQLite's fast paths' portable twins.

Uses the throwaway cluster of tests/unit/workspace/test_postgres.py (skipped without PostgreSQL's
server binaries).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from sqlalchemy import text

from app.workspace import open_workspace
from services.alerts.contact import log_call
from services.alerts.dashboard import dashboard
from services.alerts.detail import alert_detail
from services.alerts.lifecycle import snooze_in, transition_alert
from services.alerts.queries import alert_columns, alert_counts, alerts_export_frame
from tests.unit.alerts.test_alerts_rules import NOW, Book
from tests.unit.workspace.test_postgres import pg_url  # noqa: F401  (the fixture)


def test_alerts_on_postgresql(pg_url: str) -> None:  # noqa: F811
    ws = open_workspace(pg_url)
    try:
        book = Book(ws)
        book.set("alerts.daily_cap_per_owner", 0)
        book.set("alerts.cooldown_days", 0)
        late = book.customer("Ada Late", dnc=True)
        quiet = book.customer("Bo Quiet")
        spender = book.customer("=Cy Spender")
        book.interaction(late, "ticket", 5, status="open")
        book.orders(quiet, [85, 75, 65, 55, 45, 35, 25])
        book.orders(spender, [150, 120, 60, 30, 10], [5000, 5000, 10000, 5000, 5000])
        book.deal(quiet, "Proposal", 20, amount=200_000, probability=0.4, name="Gifts")
        book.score(
            {
                late: {"churn": 0.5, "clv": 100},
                quiet: {"churn": 0.6, "clv": 300},
                spender: {"engagement": 85, "clv": 1000},
            }
        )
        first = book.generate()
        keys = book.keys()
        assert keys == {
            (late, "ticket_past_sla"),
            (quiet, "gone_quiet"),
            (quiet, "stalled_opportunity"),
            (spender, "expansion"),
        }
        assert first.created == 4
        drivers = {a["customer_id"]: a["drivers"] for a in book.alerts()}
        assert drivers[late] == [{"text": f"driver of {late}", "direction": "risk", "weight": 0.5}]
        second = book.generate(now=NOW + dt.timedelta(hours=1))
        assert (second.created, second.refreshed) == (0, 4)
        assert book.keys() == keys

        ticket_alert = next(a["id"] for a in book.alerts() if a["customer_id"] == late)
        transition_alert(
            ws.engine, ticket_alert, snooze_in, until_clear=True, actor="maya", now=NOW
        )
        with ws.engine.begin() as conn:
            conn.execute(text("UPDATE interactions SET status = 'solved'"))
        third = book.generate(now=NOW + dt.timedelta(hours=2))
        assert third.auto_resolved == 1
        with ws.engine.connect() as conn:
            actions = [r[0] for r in conn.execute(text("SELECT action FROM audit_events"))]
        assert actions.count("alert.created") == 4
        assert "alert.auto_resolved" in actions

        later = NOW + dt.timedelta(hours=3)
        columns = alert_columns(ws.engine, now=later)
        assert len(columns["id"]) == 3
        assert (np.diff(columns["priority_cents"]) <= 0).all()
        assert columns["created_at"].dtype == np.dtype("datetime64[s]")
        assert alert_counts(ws.engine, now=later).by_status["resolved"] == 1
        stalled = int(columns["id"][list(columns["rule_key"]).index("stalled_opportunity")])
        log_call(ws.engine, stalled, "Agreed next steps", actor="maya", now=later)
        detail = alert_detail(ws.engine, stalled, now=later)
        assert detail.status == "in_progress"
        assert detail.last_contact_at == later
        assert [e.action for e in detail.history][-2:] == ["alert.call_logged", "alert.started"]
        figures = dashboard(ws.engine, now=later)
        assert figures is not None
        assert figures.customers == 3
        assert len(figures.trend) == 1
        frame = alerts_export_frame(ws.engine, now=later)
        assert len(frame) == 4
        assert frame["customer"].str.startswith("=").any()
        assert sorted(frame["status"]) == ["in_progress", "open", "open", "resolved"]
    finally:
        ws.close()
