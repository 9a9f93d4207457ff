"""A channel experiment's calls and meetings count as the contact
(services/learn/experiment_contacts.py): each strategy's figures against a direct count on
a small hand-made book."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import insert, text

from models.schema import Outreach
from services.alerts.contact import log_call
from services.alerts.experiments import ExperimentSpec, Strategy, start_experiment
from services.learn.experiments import experiments_report
from services.outreach.meeting import log_meeting
from tests.unit.alerts.test_alerts_rules import NOW, at
from tests.unit.learn.test_experiments import book, workspace

CHANNELS = (
    Strategy("email", "Email", "email"),
    Strategy("call", "Call", "call"),
    Strategy("meeting", "Meeting", "meeting"),
)


def test_calls_and_meetings_count_as_the_contact_of_a_channel_experiment(
    tmp_path: Path,
) -> None:
    with workspace(tmp_path) as ws:
        book(ws.engine, contacted=36, held=18)
        spec = ExperimentSpec("Channels", "channel", CHANNELS, ("gone_quiet",), ("medium",), seed=7)
        start_experiment(ws.engine, spec, now=at(41))
        with ws.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT x.alert_id, x.customer_id, x.strategy, c.external_id "
                    "FROM experiment_assignments x JOIN customers c ON c.id = x.customer_id "
                    "ORDER BY x.alert_id"
                )
            ).all()
        missed: set[int] = set()
        for n, (alert_id, customer_id, strategy, _external) in enumerate(rows):
            if strategy == "email":
                with ws.engine.begin() as conn:
                    conn.execute(
                        insert(Outreach),
                        [
                            {
                                "customer_id": customer_id,
                                "alert_id": alert_id,
                                "status": "sent",
                                "subject": "Hi",
                                "body": "Hello",
                                "created_at": at(39),
                                "sent_at": at(39),
                            }
                        ],
                    )
            elif strategy == "call":
                # Every fourth call did not reach them: not a contact.
                outcome = "no_answer" if n % 4 == 0 else "connected"
                log_call(ws.engine, alert_id, "Talked", outcome=outcome, now=at(39))
                if outcome == "no_answer":
                    missed.add(alert_id)
            else:
                start = (NOW - dt.timedelta(days=38)).replace(hour=14)
                log_meeting(ws.engine, [alert_id], "Catch-up", start, 30, now=at(39))
        report = experiments_report(ws.engine, NOW)
    (result,) = report.experiments
    assert result.kind == "channel"
    expected_n: dict[str, int] = {"email": 0, "call": 0, "meeting": 0}
    expected_x: dict[str, int] = {"email": 0, "call": 0, "meeting": 0}
    for alert_id, _customer, strategy, external in rows:
        if alert_id in missed:
            continue
        expected_n[strategy] += 1
        expected_x[strategy] += int(external[1:]) % 3 == 0  # they ordered 30 days ago
    figures = {f.key: (f.n, f.reengaged) for f in result.comparison.strategies}
    assert figures == {k: (expected_n[k], expected_x[k]) for k in expected_n}
    assert missed
    assert expected_n["meeting"] == 12
    assert expected_n["email"] == 12
    assert {s.key: s.assigned for s in result.strategies} == {
        "email": 12,
        "call": 12,
        "meeting": 12,
    }
