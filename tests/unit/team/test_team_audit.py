"""What a member's own database login may do to the experiment and the record
(services/team/guards.py), and what a manager reads of the team (team_members).

A small demo is published to a database of the session's PostgreSQL server; a manager
(ana), a team lead (lea) connect as their own database users and run SQL as psql would.
The database refuses moving a customer out of their hold-out group and a manager lowering
the draw counters, and audits every UPDATE and DELETE of the team's records (customers,
orders, tickets, alerts, outreach, settings...) with who, when, and the row before and
after.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.exc import DBAPIError

from app.workspace import open_workspace, to_url
from models.errors import WorkspaceError
from services.alerts.lifecycle import unit_of_work
from services.demo.build import build_demo
from services.team.publish import publish
from services.team.security import add_user
from tests.support.databases import PostgresCluster

pytestmark = pytest.mark.postgresql
ANA_BOOK = "Maya Thompson"


@dataclass
class Team:
    cluster: PostgresCluster
    database: str
    file: Path

    def open(self, user: str) -> Engine:
        return create_engine(self.cluster.server.url(self.database, user))


@pytest.fixture(scope="module")
def team(
    postgres_cluster: PostgresCluster,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Team]:
    file = tmp_path_factory.mktemp("audit") / "book.radar.sqlite"
    ws = open_workspace(to_url(str(file)), backup=False)
    try:
        build_demo(ws.engine, customers=120, seed=11)
    finally:
        ws.close()
    with sqlite3.connect(file) as conn:  # Ana's book holds a held-out alert on any day
        conn.execute(
            "UPDATE customers SET owner = ? WHERE ? NOT IN (SELECT c.owner FROM alerts a "
            "JOIN customers c ON c.id = a.customer_id WHERE a.holdout "
            "AND a.holdout_band IS NOT NULL) AND id = (SELECT min(customer_id) FROM alerts "
            "WHERE holdout AND holdout_band IS NOT NULL)",
            (ANA_BOOK, ANA_BOOK),
        )
        # ... and an open (not resolved) alert that is not held out: the demo's alerts
        # follow the build day, and on some days none of hers is open.
        conn.execute(
            "UPDATE customers SET owner = ? WHERE ? NOT IN (SELECT c.owner FROM alerts a "
            "JOIN customers c ON c.id = a.customer_id WHERE a.status <> 'resolved' "
            "AND NOT a.holdout) AND id = (SELECT min(customer_id) FROM alerts "
            "WHERE status <> 'resolved' AND NOT holdout)",
            (ANA_BOOK, ANA_BOOK),
        )
    database = "audit_team"
    url = postgres_cluster.server.createdb(database)
    source = open_workspace(to_url(str(file)), backup=False)
    try:
        assert not publish(source.engine, url).problems
    finally:
        source.close()
    owner = create_engine(url)
    try:
        add_user(owner, "audit_ana", "manager", owner_of=ANA_BOOK)
        add_user(owner, "audit_ben", "manager", owner_of="Daniel Okafor")
        add_user(owner, "audit_lea", "lead")
    finally:
        owner.dispose()
    yield Team(postgres_cluster, database, file)
    postgres_cluster.drop(url)


def _refused(engine: Engine, sql: str) -> str:
    with pytest.raises(DBAPIError) as caught, engine.begin() as conn:
        conn.exec_driver_sql(sql)
    return str(caught.value)


def _one(engine: Engine, sql: str) -> Any:
    with engine.connect() as conn:
        return conn.exec_driver_sql(sql).scalar()


def _db_events(engine: Engine, since: int, action: str, entity: str) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT actor, db_user, entity_id, details, occurred_at FROM audit_events "
            f"WHERE id > {since} AND action = '{action}' AND entity_type = '{entity}' "
            "ORDER BY id"
        ).all()
    return [tuple(r) for r in rows]


def _last_event(engine: Engine) -> int:
    return int(_one(engine, "SELECT COALESCE(MAX(id), 0) FROM audit_events"))


def test_a_manager_reads_her_own_membership_and_the_teams_names_only(
    team: Team, tmp_path: Path
) -> None:
    from services.team.offline import take_offline

    ana, lea = team.open("audit_ana"), team.open("audit_lea")
    try:
        with ana.connect() as conn:
            mine = conn.exec_driver_sql("SELECT db_role, role, owner_name FROM team_members")
            assert [tuple(r) for r in mine] == [("audit_ana", "manager", ANA_BOOK)]
            names = {r[0] for r in conn.exec_driver_sql("SELECT * FROM team_names")}
            columns = conn.exec_driver_sql("SELECT * FROM team_names LIMIT 0").keys()
        assert {"audit_ana", "audit_ben", "audit_lea"} <= names
        assert list(columns) == ["name"]  # no role, no book
        with lea.connect() as conn:
            everyone = conn.exec_driver_sql("SELECT count(*) FROM team_members").scalar()
        assert everyone is not None
        assert everyone >= 4  # the publisher, ana, ben, lea
        # Her book still works through her own row (the policies read team_members).
        assert _one(ana, "SELECT count(DISTINCT owner) FROM customers") == 1
        assert "permission denied" in _refused(ana, "UPDATE team_members SET role = 'admin'")
        for engine in (ana, lea):  # the view is read-only: no way into team_members
            said = _refused(engine, "INSERT INTO team_names VALUES ('mallory')")
            assert "permission denied" in said or "cannot insert into view" in said
        copy = tmp_path / "ana.radar.sqlite"
        take_offline(ana, copy)
        with sqlite3.connect(copy) as conn:
            held = conn.execute("SELECT db_role, role, owner_name FROM team_members").fetchall()
        assert held == [("audit_ana", "manager", ANA_BOOK)]
    finally:
        ana.dispose()
        lea.dispose()


def _held_out_alert(team: Team) -> tuple[int, str]:
    with sqlite3.connect(team.file) as conn:
        row = conn.execute(
            "SELECT a.id, a.holdout_band FROM alerts a JOIN customers c ON c.id = a.customer_id "
            "WHERE c.owner = ? AND a.holdout AND a.holdout_band IS NOT NULL "
            "ORDER BY a.id LIMIT 1",
            (ANA_BOOK,),
        ).fetchone()
    assert row is not None, "the demo holds no held-out alert in Ana's book"
    return int(row[0]), str(row[1])


def test_nobody_moves_a_customer_out_of_the_hold_out_group(team: Team) -> None:
    alert_id, band = _held_out_alert(team)
    ana, lea = team.open("audit_ana"), team.open("audit_lea")
    try:
        for engine in (ana, lea):
            for change in ("holdout = false", "holdout_band = NULL", "holdout_band = 'low'"):
                said = _refused(engine, f"UPDATE alerts SET {change} WHERE id = {alert_id}")
                assert "hold-out group for good" in said, change
        assert _one(lea, f"SELECT holdout FROM alerts WHERE id = {alert_id}") is True
        assert _one(lea, f"SELECT holdout_band FROM alerts WHERE id = {alert_id}") == band
        # Told in plain words through the app's door.
        with (
            pytest.raises(WorkspaceError, match="for a team lead or an admin"),
            unit_of_work(ana) as session,
        ):
            session.connection().exec_driver_sql(
                f"UPDATE alerts SET holdout = false WHERE id = {alert_id}"
            )
    finally:
        ana.dispose()
        lea.dispose()


def _draws(engine: Engine) -> dict[str, int]:
    value = _one(engine, "SELECT value FROM settings WHERE key = 'learn.holdout_draws'")
    return dict(value or {})


def test_a_manager_cannot_reset_the_draw_counters_and_a_leads_reset_is_audited(
    team: Team,
) -> None:
    ana, lea = team.open("audit_ana"), team.open("audit_lea")
    try:
        with lea.begin() as conn:  # counters as after a few generations
            conn.exec_driver_sql(
                "INSERT INTO settings (key, value, updated_at) VALUES ('learn.holdout_draws', "
                """'{"low": 7, "medium": 5, "high": 3}', now()) ON CONFLICT (key) """
                """DO UPDATE SET value = '{"low": 7, "medium": 5, "high": 3}'"""
            )
        before = _draws(lea)
        for sql in (
            "UPDATE settings SET value = '{}' WHERE key = 'learn.holdout_draws'",
            """UPDATE settings SET value = '{"low": 0, "medium": 5, "high": 3}' """
            "WHERE key = 'learn.holdout_draws'",
            "DELETE FROM settings WHERE key = 'learn.holdout_draws'",
        ):
            assert "only count up" in _refused(ana, sql), sql
        assert _draws(lea) == before
        with ana.begin() as conn:  # counting up, as raising a held-back alert does
            conn.exec_driver_sql(
                """UPDATE settings SET value = '{"low": 8, "medium": 5, "high": 3}' """
                "WHERE key = 'learn.holdout_draws'"
            )
        since = _last_event(lea)
        with lea.begin() as conn:
            conn.exec_driver_sql(
                "UPDATE settings SET value = '{}' WHERE key = 'learn.holdout_draws'"
            )
        [(actor, db_user, entity_id, details, _)] = _db_events(
            lea, since, "db.update", "db.settings"
        )
        assert (actor, db_user, entity_id) == ("audit_lea", "audit_lea", None)
        assert details["key"] == "learn.holdout_draws"
        assert details["before"]["value"] == {"low": 8, "medium": 5, "high": 3}
        assert details["after"]["value"] == {}
    finally:
        ana.dispose()
        lea.dispose()


def test_a_managers_own_sql_resolving_an_alert_is_audited_by_the_database(team: Team) -> None:
    ana, lea = team.open("audit_ana"), team.open("audit_lea")
    try:
        alert_id = _one(
            ana, "SELECT id FROM alerts WHERE status <> 'resolved' AND NOT holdout ORDER BY id"
        )
        assert alert_id is not None
        with ana.connect() as conn:
            status, outcome = conn.exec_driver_sql(
                f"SELECT status, outcome FROM alerts WHERE id = {alert_id}"
            ).one()
        assert outcome != "won_back"
        since = _last_event(lea)
        with ana.begin() as conn:
            conn.exec_driver_sql(
                f"UPDATE alerts SET status = 'resolved', outcome = 'won_back' WHERE id = {alert_id}"
            )
        [(actor, db_user, entity_id, details, when)] = _db_events(
            lea, since, "db.update", "db.alerts"
        )
        assert (actor, db_user, entity_id) == ("audit_ana", "audit_ana", alert_id)
        assert details["before"] == {"status": status, "outcome": outcome}
        assert details["after"] == {"status": "resolved", "outcome": "won_back"}
        assert when is not None
        # She sees her own record of it; another manager does not.
        ben = team.open("audit_ben")
        try:
            assert _db_events(ana, since, "db.update", "db.alerts")
            assert _db_events(ben, since, "db.update", "db.alerts") == []
        finally:
            ben.dispose()
        # Nor can she remove it.
        assert "permission denied" in _refused(ana, "DELETE FROM audit_events")
    finally:
        ana.dispose()
        lea.dispose()


def test_a_leads_delete_of_customers_is_audited_with_the_rows_before(team: Team) -> None:
    lea = team.open("audit_lea")
    try:
        victim = _one(
            lea, "SELECT min(id) FROM customers c WHERE EXISTS "
            "(SELECT 1 FROM alerts a WHERE a.customer_id = c.id)",
        )  # fmt: skip
        row = json.loads(
            _one(lea, f"SELECT to_jsonb(c)::text FROM customers c WHERE id = {victim}")
        )
        alerts = _one(lea, f"SELECT count(*) FROM alerts WHERE customer_id = {victim}")
        since = _last_event(lea)
        with lea.begin() as conn:
            assert conn.exec_driver_sql(f"DELETE FROM customers WHERE id = {victim}").rowcount == 1
        [(actor, db_user, entity_id, details, _)] = _db_events(
            lea, since, "db.delete", "db.customers"
        )
        assert (actor, entity_id) == ("audit_lea", victim)
        assert db_user is not None
        assert details["before"] == row
        # Its alerts went with it (the foreign key's cascade): each one is on record too.
        gone = _db_events(lea, since, "db.delete", "db.alerts")
        assert len(gone) == alerts > 0
        assert {r[0] for r in gone} == {"audit_lea"}
    finally:
        lea.dispose()


def test_every_record_a_login_changes_or_deletes_is_audited(team: Team) -> None:
    """A manager moving the date of her own outreach, a lead deleting orders and tickets:
    each row is on record with who and what it was (not only customers and alerts)."""
    ana, lea = team.open("audit_ana"), team.open("audit_lea")
    try:
        since = _last_event(lea)
        mine = _one(ana, "SELECT count(*) FROM outreach")
        assert mine > 0
        with ana.begin() as conn:
            moved = conn.exec_driver_sql(
                "UPDATE outreach SET sent_at = sent_at - interval '30 days'"
            ).rowcount
        assert moved == mine
        shifted = _db_events(lea, since, "db.update", "db.outreach")
        assert len(shifted) == moved
        assert {r[0] for r in shifted} == {"audit_ana"}
        assert all(set(r[3]["before"]) == {"sent_at"} for r in shifted)

        victim = _one(lea, "SELECT min(customer_id) FROM orders")
        orders = _one(lea, f"SELECT count(*) FROM orders WHERE customer_id = {victim}")
        tickets = _one(lea, f"SELECT count(*) FROM interactions WHERE customer_id = {victim}")
        with lea.begin() as conn:
            conn.exec_driver_sql(f"DELETE FROM orders WHERE customer_id = {victim}")
            conn.exec_driver_sql(f"DELETE FROM interactions WHERE customer_id = {victim}")
        gone = _db_events(lea, since, "db.delete", "db.orders")
        assert len(gone) == orders > 0
        assert all(r[3]["before"]["customer_id"] == victim for r in gone)
        assert len(_db_events(lea, since, "db.delete", "db.interactions")) == tickets
    finally:
        ana.dispose()
        lea.dispose()


def test_a_leads_own_sql_zeroing_and_deleting_usage_days_is_audited(team: Team) -> None:
    """Product usage is a record the lapse signals read: a lead's psql changing or
    removing it is on record like orders."""
    lea = team.open("audit_lea")
    try:
        since = _last_event(lea)
        first = "SELECT id FROM usage_days ORDER BY id LIMIT 100"
        last = "SELECT id FROM usage_days ORDER BY id DESC LIMIT 100"
        with lea.begin() as conn:
            zeroed = conn.exec_driver_sql(
                f"UPDATE usage_days SET events = 0 WHERE id IN ({first}) AND events <> 0"
            ).rowcount
            deleted = conn.exec_driver_sql(f"DELETE FROM usage_days WHERE id IN ({last})").rowcount
        assert zeroed > 0
        assert deleted == 100
        changed = _db_events(lea, since, "db.update", "db.usage_days")
        assert len(changed) == zeroed
        assert all(r[3]["after"] == {"events": 0} for r in changed)
        gone = _db_events(lea, since, "db.delete", "db.usage_days")
        assert len(gone) == deleted
        assert {r[0] for r in (*changed, *gone)} == {"audit_lea"}
        assert all("customer_id" in r[3]["before"] for r in gone)
    finally:
        lea.dispose()


@pytest.mark.slow
def test_a_leads_scoring_writes_the_database_audit_in_one_statement_each(team: Team) -> None:
    from services.usecases.refresh import score_and_alert

    lea = team.open("audit_lea")
    try:
        since = _last_event(lea)
        started = time.perf_counter()
        result = score_and_alert(lea)
        took = time.perf_counter() - started
        assert result.alerts_error is None
        with lea.connect() as conn:
            counts: dict[str, int] = dict(
                conn.exec_driver_sql(
                    f"SELECT entity_type, count(*) FROM audit_events WHERE id > {since} "
                    "AND starts_with(action, 'db.') GROUP BY entity_type"
                ).all()
            )
        # (The figures for the report: pytest -s shows them.)
        sys.stdout.write(f"scoring as a lead: {took:.2f} s, database audit rows {counts}\n")
        assert set(counts) <= {"db.alerts", "db.settings", "db.customers"}
    finally:
        lea.dispose()


def test_a_manager_still_raises_a_held_back_alert_and_draws_its_group(team: Team) -> None:
    """The app's own draw (raising a held-back alert) is no change of a drawn group: it
    works for a manager, and the counters count up."""
    from services.alerts.actions import apply_card_action
    from services.settings import ALERT_RULES

    risk_rule = next(rule.key for rule in ALERT_RULES if rule.queue == "risk")
    lea = team.open("audit_lea")
    try:
        with lea.begin() as conn:
            quiet = conn.exec_driver_sql(
                f"SELECT c.id FROM customers c WHERE c.owner = '{ANA_BOOK}' AND NOT EXISTS "
                "(SELECT 1 FROM alerts a WHERE a.customer_id = c.id AND a.status IN "
                "('open', 'snoozed', 'in_progress', 'held_back')) ORDER BY c.id LIMIT 1"
            ).scalar_one()
            held = conn.exec_driver_sql(
                "INSERT INTO alerts (customer_id, rule_key, severity, status, reason, "
                "priority_cents, owner, created_at, updated_at, version, holdout, "
                "snooze_until_clear) "
                f"VALUES ({quiet}, '{risk_rule}', 'warning', 'held_back', 'Quiet lately', "
                f"1000, '{ANA_BOOK}', now(), now(), 1, false, false) RETURNING id"
            ).scalar_one()
        drawn_before = sum(_draws(lea).values())
    finally:
        lea.dispose()
    ana = team.open("audit_ana")
    try:
        apply_card_action(ana, [held], "raise", customer_id=quiet, actor="Ana Silva")
        with ana.connect() as conn:
            raised = conn.exec_driver_sql(
                f"SELECT status, holdout_band IS NOT NULL FROM alerts WHERE id = {held}"
            ).one()
        assert tuple(raised) == ("open", True)
        assert sum(_draws(ana).values()) == drawn_before + 1
    finally:
        ana.dispose()
