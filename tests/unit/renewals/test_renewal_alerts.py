"""The renewal alerts raised by generate_alerts on the hand-made book of
tests/support/renewal_calls_book.py (the scores' date T = 2026-03-01), on SQLite and on
PostgreSQL: which contracts hold, their reasons in words and numbers, and their
priorities (the yearly recurring amount x (1 - the likelihood)) computed by hand."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.workspace import open_workspace
from models.schema import Alert, Customer, ScoreSnapshot, ScoringRun
from models.schema.renewals import Contract
from services.alerts.generate import generate_alerts
from services.alerts.sla import add_working_days, sla_settings, sla_states
from tests.support.renewal_calls_book import TODAY, fill_renewal_calls_book

NOW = dt.datetime(2026, 3, 1, 18, 0, tzinfo=dt.UTC)


def _renewal_alerts(engine) -> dict[tuple[str, str], tuple[str, int, str]]:  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        rows = s.execute(
            select(
                Customer.name, Alert.rule_key, Alert.reason, Alert.priority_cents, Alert.severity
            )
            .join(Customer, Customer.id == Alert.customer_id)
            .where(Alert.rule_key.in_(["renewal_at_risk", "notice_closing"]))
        ).all()
    return {(name, rule): (reason, int(cents), sev) for name, rule, reason, cents, sev in rows}


def test_renewal_alerts_their_reasons_and_priorities(workspace_url: str) -> None:
    ws = open_workspace(workspace_url, backup=False)
    try:
        fill_renewal_calls_book(ws.engine)
        result = generate_alerts(ws.engine, now=NOW)
        # Renewal at risk (within 120 days; below 50%, or called at risk or lost):
        #   A1 Jun 15, 106 days, 31%: $12,000 a year x 0.69 = $8,280;
        #   C1 Jun 1, 92 days, 70% but called At risk: $6,000 x 0.30 = $1,800;
        #   D1 May 1, 61 days, 20%: $1,200 x 0.80 = $960 (D2, Dec 31, is 305 days away).
        #   B1 (80%, no call) and G1 (no likelihood, no call) do not hold.
        # Notice period closing (last day for notice within 30 days; below 50% or no call):
        #   B1 Apr 10 - 30 days = Mar 11, in 10 days, 80%, no call: $24,000 x 0.20 = $4,800;
        #   G1 Apr 1 - 10 days = Mar 22, in 21 days, no likelihood nor call: $2,400 x 0.5
        #   (G1 does not auto-renew: its reason says so rather than "or it renews").
        #   A1's notice day (May 16) is 76 days away; C1, D1, D2 have no notice period.
        assert result.matches["renewal_at_risk"] == 3
        assert result.matches["notice_closing"] == 2
        assert _renewal_alerts(ws.engine) == {
            ("Acme", "renewal_at_risk"): (
                "renews Jun 15, 2026 (in 106 days) at $12,000 a year; likelihood 31%",
                828_000,
                "warning",
            ),
            ("Cedar", "renewal_at_risk"): (
                "renews Jun 1, 2026 (in 92 days) at $6,000 a year; likelihood 70%; "
                "owner's call At risk",
                180_000,
                "warning",
            ),
            ("Delta", "renewal_at_risk"): (
                "renews May 1, 2026 (in 61 days) at $1,200 a year; likelihood 20%",
                96_000,
                "warning",
            ),
            ("Birch", "notice_closing"): (
                "notice must be given by Mar 11, 2026 (in 10 days), or it renews Apr 10, 2026 at "
                "$24,000 a year; no call recorded, likelihood 80%",
                480_000,
                "warning",
            ),
            ("Gum", "notice_closing"): (
                "the notice period closes Mar 22, 2026 (in 21 days); it ends Apr 1, 2026 at "
                "$2,400 a year and does not renew on its own; no call recorded, no likelihood yet",
                120_000,
                "warning",
            ),
        }
        # The SLA rules that exist apply: a warning is due 3 working days after the
        # (local) day it was raised, and not overdue yet.
        with Session(ws.engine) as s:
            alert = s.scalars(select(Alert).where(Alert.rule_key == "notice_closing")).first()
            assert alert is not None
            state = sla_states(s, [(alert.id, alert.created_at, "warning", "open")], NOW)
            raised_on = NOW.astimezone(ZoneInfo(sla_settings(s).zone)).date()
        assert state[alert.id].due_on == add_working_days(raised_on, 3)
        assert not state[alert.id].overdue
        # A1 renewed: at the next generation its alert's condition no longer holds.
        with Session(ws.engine) as s, s.begin():
            s.execute(
                update(Contract).where(Contract.external_id == "A1").values(outcome="renewed")
            )
        again = generate_alerts(ws.engine, now=NOW + dt.timedelta(hours=1))
        assert again.matches["renewal_at_risk"] == 2
        with Session(ws.engine) as s:
            cleared = s.scalars(
                select(Customer.name)
                .join(Alert, Alert.customer_id == Customer.id)
                .where(Alert.rule_key == "renewal_at_risk", Alert.cleared_at.is_not(None))
            ).all()
        assert cleared == ["Acme"]
    finally:
        ws.close()


def test_a_workspace_without_contracts_raises_none(workspace_url: str) -> None:
    ws = open_workspace(workspace_url, backup=False)
    try:
        with Session(ws.engine) as s, s.begin():
            c = Customer(source="t", external_id="X", name="Xylo", owner="Maya")
            run = ScoringRun(as_of=TODAY, horizon_days=90, status="finished", customers=1)
            s.add_all([c, run])
            s.flush()
            s.add(ScoreSnapshot(customer_id=c.id, as_of=TODAY, horizon_days=90,
                                scoring_run_id=run.id, churn_risk=0.1))  # fmt: skip
        result = generate_alerts(ws.engine, now=NOW)
        # Nothing holds, and nothing is said: a shop without contracts is not told of them.
        assert (result.matches["renewal_at_risk"], result.matches["notice_closing"]) == (0, 0)
        assert not {"renewal_at_risk", "notice_closing"} & set(result.not_evaluated)
        assert not any("Renewal" in line for line in result.lines())
        assert _renewal_alerts(ws.engine) == {}
    finally:
        ws.close()


@pytest.mark.parametrize("disabled", ["renewal_at_risk", "notice_closing"])
def test_a_disabled_rule_raises_nothing(tmp_path, disabled: str) -> None:  # type: ignore[no-untyped-def]
    from services.settings import set_setting

    ws = open_workspace(f"sqlite:///{tmp_path / 'w.sqlite'}", backup=False)
    try:
        fill_renewal_calls_book(ws.engine)
        with Session(ws.engine) as s, s.begin():
            set_setting(s, f"alerts.{disabled}.enabled", False)
        generate_alerts(ws.engine, now=NOW)
        rules = {rule for _, rule in _renewal_alerts(ws.engine)}
        assert rules == {"renewal_at_risk", "notice_closing"} - {disabled}
    finally:
        ws.close()


def test_the_renewal_save_playbook_starts_from_a_renewal_alert(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from services.alerts.actions import apply_card_action
    from services.alerts.playbooks import playbook_status_in

    ws = open_workspace(f"sqlite:///{tmp_path / 'w.sqlite'}", backup=False)
    try:
        ids = fill_renewal_calls_book(ws.engine)
        generate_alerts(ws.engine, now=NOW)
        with Session(ws.engine) as s:
            alert_id = s.scalar(
                select(Alert.id).where(
                    Alert.rule_key == "notice_closing", Alert.customer_id == ids["B"]
                )
            )
        assert alert_id is not None
        apply_card_action(ws.engine, (alert_id,), "playbook", key="renewal_save", actor="Maya",
                          now=NOW)  # fmt: skip
        with Session(ws.engine) as s:
            status = playbook_status_in(s, ids["B"])
        assert status is not None
        assert status.name == "Renewal save"
    finally:
        ws.close()
