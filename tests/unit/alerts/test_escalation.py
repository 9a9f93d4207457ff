"""Escalations (services/alerts/escalation.py) on a real scored demo workspace file: each
rule raises a task for exactly the causes a direct reading of the tables finds, never
twice, audited, emailed through a real SMTP server on loopback; with no SMTP server the
tasks are made and the reason is kept; a rule that is off raises nothing."""

from __future__ import annotations

import contextlib
import datetime as dt
import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from app.workspace import Workspace, open_workspace, to_url
from models.schema import Interaction, ScoringRun
from services.alerts import escalation
from services.alerts.escalation import run_escalations
from services.alerts.generate import generate_alerts
from services.alerts.work import my_work
from services.core.working_days import add_working_days
from services.demo import build_demo
from services.scoring.run import score_workspace
from services.settings import ALERT_RULES, set_setting
from tests.support.databases import (
    copy_workspace_url,
    database_params,
    new_workspace_url,
    stored_date,
    stored_datetime,
)
from tests.support.smtp_server import SMTPServer
from tests.unit.ask.test_ask_readonly import scored_file  # noqa: F401  (the fixture)

NOW = dt.datetime.now(dt.UTC)


@pytest.fixture(scope="module", params=database_params())
def scored(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The scored, alerted demo of the Ask tests (SQLite), or the same built on
    PostgreSQL: its URL."""
    if request.param == "sqlite":
        return to_url(str(request.getfixturevalue("scored_file")))
    url = new_workspace_url(request, request.param, tmp_path_factory.mktemp("esc"))
    workspace = open_workspace(url, backup=False)
    try:
        build_demo(workspace.engine, customers=300, seed=11)
        generate_alerts(workspace.engine, score_workspace(workspace.engine).run_id)
    finally:
        workspace.close()
    return url


@pytest.fixture
def ws(request: pytest.FixtureRequest, scored: str, tmp_path: Path) -> Iterator[Workspace]:
    workspace = open_workspace(copy_workspace_url(request, scored, tmp_path), backup=False)
    yield workspace
    workspace.close()


def _rows(ws: Workspace, sql: str, **params: object) -> list[tuple[Any, ...]]:
    with ws.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


def _write(ws: Workspace, sql: str) -> None:
    with ws.engine.begin() as conn:
        conn.execute(text(sql))


def _ticket(ws: Workspace, customer_id: int, when: dt.datetime, **fields: Any) -> int:
    """A Zendesk ticket (its priority in the attributes); its id."""
    priority = fields.pop("priority")
    with ws.engine.begin() as conn:
        return int(
            conn.execute(
                insert(Interaction)
                .values(
                    customer_id=customer_id,
                    kind="ticket",
                    occurred_at=when,
                    source="zendesk",
                    attributes={"Priority": priority},
                    **fields,
                )
                .returning(Interaction.id)
            ).scalar_one()
        )


def _set(ws: Workspace, **values: object) -> None:
    with Session(ws.engine) as session, session.begin():
        for key, value in values.items():
            set_setting(session, key.replace("__", "."), value)


def _tickets(ws: Workspace) -> dict[str, int]:
    """Tickets of the last days: two to escalate, three that must not be."""
    ids = {}
    ((cid,),) = _rows(ws, "SELECT min(id) FROM customers")
    for n, (name, priority, satisfaction, status, sentiment) in enumerate(
        [
            ("urgent", "Urgent", "bad", "open", None),
            ("high", "High", None, "pending", -0.8),
            ("normal", "Normal", "bad", "open", None),  # not a high priority
            ("praise", "High", "good", "open", 0.9),  # not negative
            ("solved", "High", "bad", "solved", None),  # already resolved
        ]
    ):
        ids[name] = _ticket(
            ws, cid + n, NOW - dt.timedelta(days=1), subject=f"Ticket {name}", status=status,
            satisfaction=satisfaction, sentiment=sentiment, priority=priority,
        )  # fmt: skip
    return ids


def test_each_rule_raises_exactly_its_causes_once_audited(ws: Workspace) -> None:
    tickets = _tickets(ws)
    risk_rules = ", ".join(f"'{r.key}'" for r in ALERT_RULES if r.queue == "risk")
    _write(  # two open risk alerts made critical
        ws,
        "UPDATE alerts SET severity = 'critical' WHERE id IN (SELECT id FROM alerts "
        f"WHERE status = 'open' AND rule_key IN ({risk_rules}) ORDER BY id LIMIT 2)",
    )
    _write(  # one of them kept from before its scoring: no snapshot of its own (the
        # customer's latest scored value counts)
        ws,
        "UPDATE alerts SET score_snapshot_id = NULL WHERE id = (SELECT min(id) FROM alerts "
        "WHERE severity = 'critical' AND status = 'open')",
    )
    with Session(ws.engine) as session, session.begin():  # scored with a 24-month value
        for run in session.scalars(select(ScoringRun)):
            run.params = {**(run.params or {}), "clv_months": 24}
    _set(ws, escalation__ticket__enabled=True, escalation__deal__enabled=True,
         escalation__churn__enabled=True, escalation__team_lead="Dana Reyes",
         escalation__deal__min_amount=1000, escalation__churn__min_clv=0)  # fmt: skip
    first = run_escalations(ws.engine, now=NOW)
    rows = _rows(
        ws,
        "SELECT e.cause_key, e.rule_key, e.customer_id, e.assignee, a.kind, a.title, "
        "a.created_by, a.due_date FROM escalations e JOIN actions a ON a.id = e.action_id",
    )
    stages = ("qualified", "qualification", "proposal")
    critical = {
        c for (c,) in _rows(ws,
            "SELECT customer_id FROM alerts WHERE severity = 'critical' AND status IN "
            "('open', 'snoozed', 'in_progress')")
    }  # fmt: skip
    deals = set()
    for oid, cid, stage, _amount, changed, created in _rows(
        ws,
        "SELECT id, customer_id, stage, amount_cents, stage_changed_at, created_at "
        "FROM opportunities WHERE closed IS NOT TRUE AND amount_cents >= 100000",
    ):
        since = stored_datetime(changed or created).replace(tzinfo=dt.UTC)  # type: ignore[union-attr]
        stalled = (stage or "").lower().startswith(stages) and (NOW - since).days > 14
        if stalled or cid in critical:
            deals.add(f"deal:{oid}:{since.date().isoformat()}")
    risk = ", ".join(f"'{r.key}'" for r in ALERT_RULES if r.queue == "risk")
    churn = {
        f"churn:{a}" for (a,) in _rows(ws,
            "SELECT id FROM alerts WHERE severity = 'critical' AND status IN "
            f"('open', 'snoozed', 'in_progress') AND rule_key IN ({risk})")
    }  # fmt: skip
    ((audits,),) = _rows(
        ws,
        "SELECT count(*) FROM audit_events WHERE action = 'escalation.raised' "
        "AND actor = 'escalation'",
    )
    keys = {r[0] for r in rows}
    assert {k for k in keys if k.startswith("ticket:")} == {
        f"ticket:{tickets['urgent']}",
        f"ticket:{tickets['high']}",
    }
    assert {k for k in keys if k.startswith("deal:")} == deals
    assert deals  # the demo has deals worth escalating at this threshold
    assert {k for k in keys if k.startswith("churn:")} == churn
    assert churn
    assert len(first.raised) == len(rows) == audits
    deal_owner = {f"deal:{i}": o for i, o in _rows(ws, "SELECT id, owner FROM opportunities")}
    churn_owner = {
        f"churn:{i}": o
        for i, o in _rows(
            ws, "SELECT a.id, c.owner FROM alerts a JOIN customers c ON c.id = a.customer_id"
        )
    }
    for key, rule, _cid, assignee, kind, title, by, due in rows:
        assert kind == "task"
        assert by == "escalation"
        # The next working day (a Friday's task is due on Monday), as every task's.
        assert stored_date(due) == add_working_days(NOW.date(), escalation.TASK_DUE_DAYS)
        if rule == "ticket":
            assert assignee == "Dana Reyes"
            assert "negative ticket from" in title
        elif rule == "deal":  # the deal's owner
            assert assignee == (deal_owner[key.rsplit(":", 1)[0]] or None)
            assert title.startswith("Deal at risk: ")
        else:  # the customer's owner; the value named with its horizon, never "a year"
            assert assignee == (churn_owner[key] or None)
            assert title.startswith("Retention: ")
            assert " over 24 months) — " in title
    assert {r[3] for r in rows if r[1] == "deal"} - {None}  # owners, not all empty
    # Never twice for the same cause.
    again = run_escalations(ws.engine, now=NOW)
    assert again.raised == []
    assert _rows(ws, "SELECT count(*) FROM escalations") == [(len(rows),)]


def test_escalations_are_emailed_or_say_why_not(ws: Workspace) -> None:
    _tickets(ws)
    _set(ws, escalation__ticket__enabled=True, escalation__notify_email="lead@fern.example")
    # No SMTP server: the tasks are made, the reason is kept.
    first = run_escalations(ws.engine, now=NOW)
    assert len(first.raised) == 2
    assert first.emailed == 0
    problems = [r[0] for r in _rows(ws, "SELECT email_problem FROM escalations")]
    assert problems == ["no SMTP server is set (Settings ▸ Sending email)"] * 2
    assert any("Not emailed: no SMTP server" in line for line in first.lines())
    # With a server: each new escalation is one email to the set address.
    ((cid,),) = _rows(ws, "SELECT min(id) FROM customers")
    _ticket(ws, cid, NOW, subject="Charged twice", status="open", satisfaction="bad",
            priority="urgent")  # fmt: skip
    with SMTPServer() as server:
        _set(ws, smtp__host="127.0.0.1", smtp__port=server.port, smtp__security="none",
             smtp__from_address="radar@fern.example")  # fmt: skip
        second = run_escalations(ws.engine, now=NOW)
    assert len(second.raised) == 1
    assert second.emailed == 1
    assert len(server.received.data) == 1
    message = email.message_from_bytes(server.received.data[0], policy=email.policy.default)
    # Named after the account (its company): a subject long enough to be folded onto its
    # own line, which Python's parser reads back with the fold's space in front.
    assert message["Subject"].strip().startswith("Escalation: Urgent negative ticket from ")
    assert "Charged twice" in message.get_body(("plain",)).get_content()
    sent = _rows(ws, "SELECT emailed_to, email_problem FROM escalations ORDER BY id DESC LIMIT 1")
    assert sent == [("lead@fern.example", None)]


def test_rules_that_are_off_raise_nothing(ws: Workspace) -> None:
    _tickets(ws)
    assert run_escalations(ws.engine, now=NOW).raised == []
    assert _rows(ws, "SELECT count(*) FROM escalations") == [(0,)]
    assert _rows(ws, "SELECT count(*) FROM actions WHERE created_by = 'escalation'") == [(0,)]


def test_two_runs_at_once_raise_each_cause_once(ws: Workspace) -> None:
    """The window's scoring and run-daily may escalate at the same moment: both read "not
    raised yet", and the database's unique cause key lets only one of them raise it."""
    tickets = _tickets(ws)
    _set(ws, escalation__ticket__enabled=True)
    barrier = threading.Barrier(2)
    results: list[object] = []
    original = escalation._claim

    met: list[bool] = []

    def claim_together(session: Session, cause: object) -> int | None:
        if not met:  # each run's first claim waits for the other's: both past "done"
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=10)
                met.append(True)
        return original(session, cause)  # type: ignore[arg-type]

    escalation._claim = claim_together  # type: ignore[assignment]
    try:

        def one() -> None:
            results.append(run_escalations(ws.engine, now=NOW))

        threads = [threading.Thread(target=one) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    finally:
        escalation._claim = original  # type: ignore[assignment]
    assert met  # the two runs really met before claiming
    assert len(results) == 2  # neither run failed
    raised = sorted(len(r.raised) for r in results)  # type: ignore[attr-defined]
    assert sum(raised) == 2
    keys = sorted(k for (k,) in _rows(ws, "SELECT cause_key FROM escalations"))
    ((tasks,),) = _rows(ws, "SELECT count(*) FROM actions WHERE created_by = 'escalation'")
    assert keys == sorted([f"ticket:{tickets['urgent']}", f"ticket:{tickets['high']}"])
    assert tasks == 2


def test_an_smtp_server_that_is_down_leaves_the_task_and_says_why(ws: Workspace) -> None:
    _tickets(ws)
    with socket.socket() as s:  # a loopback port with nothing listening
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    _set(ws, escalation__ticket__enabled=True, escalation__notify_email="lead@fern.example",
         smtp__host="127.0.0.1", smtp__port=port, smtp__security="none")  # fmt: skip
    run = run_escalations(ws.engine, now=NOW)
    assert len(run.raised) == 2
    assert run.emailed == 0
    rows = _rows(
        ws,
        "SELECT e.emailed_to, e.email_problem, a.kind FROM escalations e "
        "JOIN actions a ON a.id = e.action_id",
    )
    assert len(rows) == 2
    for emailed_to, problem, kind in rows:
        assert (emailed_to, kind) == (None, "task")
        assert problem == (
            f"Nothing answers at 127.0.0.1:{port} (connection refused); check the SMTP "
            "server and port in Settings > Sending email."
        )


def test_the_team_leads_tasks_are_in_their_my_work(ws: Workspace) -> None:
    tickets = _tickets(ws)
    _set(ws, escalation__ticket__enabled=True, escalation__team_lead="Dana Reyes")
    run_escalations(ws.engine, now=NOW)
    made = {
        a for (a,) in _rows(ws,
            "SELECT action_id FROM escalations WHERE cause_key IN (:a, :b)",
            a=f"ticket:{tickets['urgent']}", b=f"ticket:{tickets['high']}")
    }  # fmt: skip
    owners = {o for (o,) in _rows(ws, "SELECT DISTINCT owner FROM customers")}
    assert len(made) == 2
    assert "Dana Reyes" not in owners  # not theirs by owning the customers
    lead = my_work(ws.engine, user="dana.reyes", owner="Dana Reyes", now=NOW)
    assert {t.id for t in lead.tasks} == made
    other = my_work(ws.engine, user="sam", owner="Sam Other", now=NOW)
    assert not {t.id for t in other.tasks} & made
