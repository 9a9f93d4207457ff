"""Who sees what in a shared workspace, enforced by PostgreSQL (services/team/security.py).

A small demo workspace is published to a throwaway server; two account managers and a
team lead connect as their own database users (password logins) and each sees exactly
their rows, in the tables, through the Ask view's read-only door and in exports; a
manager reading or changing another's customer by id gets nothing or an error.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text, update
from sqlalchemy.exc import DBAPIError

from app.workspace import open_workspace
from models.errors import UserFacingError, WorkspaceError
from models.schema import AuditEvent, Customer
from services.core.access import TeamRoleError, group_roles, require_whole_workspace, team_role
from services.demo.build import build_demo
from services.team import guards
from services.team.publish import publish
from services.team.security import add_user, list_members, remove_user
from services.usecases.refresh import score_and_alert
from tests.support.postgres_server import PostgresServer, pg_bin, postgres_server
from tests.unit.team.older_schema import downgrade

ANA_BOOK = "Maya Thompson"
BEN_BOOK = "Daniel Okafor"


@dataclass
class Team:
    server: PostgresServer
    file: Path
    admin_url: str

    def url(self, user: str) -> str:
        return self.server.url("team", user, f"{user}-secret")

    def open(self, user: str) -> Engine:
        return open_workspace(self.url(user), backup=False).engine


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Team]:
    bin_dir = pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL's server binaries are not installed")
    file = tmp_path_factory.mktemp("team") / "book.radar.sqlite"
    ws = open_workspace(f"sqlite:///{file}")
    build_demo(ws.engine, customers=240, seed=11)
    score_and_alert(ws.engine)
    with postgres_server(bin_dir) as server:
        admin_url = server.createdb("team")
        report = publish(ws.engine, admin_url)
        assert not report.problems
        ws.close()
        admin = open_workspace(admin_url, backup=False).engine
        add_user(admin, "ana", "manager", owner_of=ANA_BOOK, password="ana-secret")
        add_user(admin, "ben", "manager", owner_of=BEN_BOOK, password="ben-secret")
        add_user(admin, "lea", "lead", password="lea-secret")
        admin.dispose()
        server.password_auth()
        yield Team(server, file, admin_url)


def _file_count(team: Team, sql: str, *args: object) -> int:
    with sqlite3.connect(team.file) as conn:
        return int(conn.execute(sql, args).fetchone()[0])


def _count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar() or 0)


BOOK_TABLES = {
    "customers": "SELECT count(*) FROM customers WHERE owner = ?",
    "orders": "SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer_id "
    "WHERE c.owner = ?",
    "interactions": "SELECT count(*) FROM interactions i JOIN customers c "
    "ON c.id = i.customer_id WHERE c.owner = ?",
    "alerts": "SELECT count(*) FROM alerts a JOIN customers c ON c.id = a.customer_id "
    "WHERE c.owner = ?",
    "score_snapshots": "SELECT count(*) FROM score_snapshots s JOIN customers c "
    "ON c.id = s.customer_id WHERE c.owner = ?",
    "outreach": "SELECT count(*) FROM outreach s JOIN customers c ON c.id = s.customer_id "
    "WHERE c.owner = ?",
}


def test_each_manager_sees_exactly_their_book_and_the_lead_sees_all(team: Team) -> None:
    for user, book in (("ana", ANA_BOOK), ("ben", BEN_BOOK)):
        engine = team.open(user)
        try:
            for table, sql in BOOK_TABLES.items():
                expected = _file_count(team, sql, book)
                assert expected > 0, (user, table)  # a book with rows in every table
                assert _count(engine, table) == expected, (user, table)
            with engine.connect() as conn:
                owners = {r[0] for r in conn.execute(select(Customer.owner).distinct())}
            assert owners == {book}
            assert team_role(engine) == "manager"
        finally:
            engine.dispose()
    lead = team.open("lea")
    try:
        for table in BOOK_TABLES:
            assert _count(lead, table) == _file_count(team, f"SELECT count(*) FROM {table}")
        assert team_role(lead) == "lead"
    finally:
        lead.dispose()
    # The books are not empty, and not everybody's: the test means something.
    assert (
        0
        < _file_count(team, BOOK_TABLES["customers"], ANA_BOOK)
        < _file_count(team, "SELECT count(*) FROM customers")
    )


def _other_customer(team: Team, owner: str) -> int:
    with sqlite3.connect(team.file) as conn:
        return int(
            conn.execute("SELECT min(id) FROM customers WHERE owner = ?", (owner,)).fetchone()[0]
        )


def test_a_manager_cannot_read_or_change_anothers_customer_by_id(team: Team) -> None:
    bens = _other_customer(team, BEN_BOOK)
    engine = team.open("ana")
    try:
        with engine.begin() as conn:
            assert conn.execute(select(Customer).where(Customer.id == bens)).first() is None
            changed = conn.execute(
                update(Customer).where(Customer.id == bens).values(do_not_contact=True)
            )
            assert changed.rowcount == 0  # invisible rows are not updated
            assert (
                conn.exec_driver_sql(
                    f"SELECT count(*) FROM orders WHERE customer_id = {bens}"
                ).scalar()
                == 0
            )
        # Writing rows for Ben's customer is refused by the policy's check.
        with pytest.raises(Exception, match="row-level security"), engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO actions (customer_id, kind, title, created_at) "
                f"VALUES ({bens}, 'note', 'sneaky', now())"
            )
        # Moving one of her own customers to Ben's book is refused (no right on owner).
        mine = _other_customer(team, ANA_BOOK)
        with pytest.raises(Exception, match="permission denied"), engine.begin() as conn:
            conn.execute(update(Customer).where(Customer.id == mine).values(owner=BEN_BOOK))
        # So is a team-wide change: an import's rows, a setting.
        with pytest.raises(Exception, match="permission denied"), engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM orders")
        with pytest.raises(Exception, match="row-level security"), engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO settings (key, value, updated_at) "
                "VALUES ('alerts.daily_cap_per_owner', '0', now())"
            )
        with pytest.raises(Exception, match="permission denied"), engine.begin() as conn:
            conn.exec_driver_sql("UPDATE team_members SET role = 'admin'")
    finally:
        engine.dispose()
    with sqlite3.connect(team.file):
        pass
    lead = team.open("lea")
    try:
        with lead.connect() as conn:
            dnc = conn.execute(select(Customer.do_not_contact).where(Customer.id == bens)).scalar()
        assert dnc is False  # Ana's update did not reach it
    finally:
        lead.dispose()


def test_the_ask_views_read_only_door_shows_a_manager_only_their_book(team: Team) -> None:
    from services.ask.readonly import run_query

    for user, book in (("ana", ANA_BOOK), ("ben", BEN_BOOK), ("lea", None)):
        engine = team.open(user)
        try:
            result = run_query(engine, "SELECT count(*) FROM ask_customers")
            expected = (
                _file_count(team, BOOK_TABLES["customers"], book)
                if book
                else _file_count(team, "SELECT count(*) FROM customers")
            )
            assert result.rows[0][0] == expected, user
            owners = run_query(engine, "SELECT DISTINCT owner FROM ask_customers")
            if book:
                assert [tuple(row) for row in owners.rows] == [(book,)], user
            else:
                assert {ANA_BOOK, BEN_BOOK} <= {row[0] for row in owners.rows}
            # The orders behind the answers are the book's too.
            orders = run_query(engine, "SELECT count(*) FROM ask_orders")
            expected_orders = (
                _file_count(team, BOOK_TABLES["orders"], book)
                if book
                else _file_count(team, "SELECT count(*) FROM orders")
            )
            assert orders.rows[0][0] == expected_orders, user
        finally:
            engine.dispose()


def test_exports_hold_only_the_managers_book(team: Team, tmp_path: Path) -> None:
    from services.usecases.exporting import export_table

    for user, book, other in (("ana", ANA_BOOK, BEN_BOOK), ("ben", BEN_BOOK, ANA_BOOK)):
        engine = team.open(user)
        try:
            for kind, sql in (("customers", "customers"), ("alerts", "alerts")):
                target = tmp_path / f"{user}-{kind}.csv"
                export_table(engine, kind, target)
                lines = target.read_text(encoding="utf-8-sig").splitlines()
                assert len(lines) - 1 == _file_count(team, BOOK_TABLES[sql], book), (user, kind)
                assert not any(other in line for line in lines), (user, kind)
        finally:
            engine.dispose()
    lead = team.open("lea")
    try:
        for kind in ("customers", "alerts"):
            target = tmp_path / f"lea-{kind}.csv"
            export_table(lead, kind, target)
            lines = target.read_text(encoding="utf-8-sig").splitlines()
            assert len(lines) - 1 == _file_count(team, f"SELECT count(*) FROM {kind}"), kind
    finally:
        lead.dispose()


def test_a_managers_actions_work_on_their_book_and_the_audit_names_the_db_user(
    team: Team,
) -> None:
    from services.alerts.actions import apply_card_action

    with sqlite3.connect(team.file) as conn:
        alert_id, customer_id = conn.execute(
            "SELECT a.id, a.customer_id FROM alerts a JOIN customers c ON c.id = a.customer_id "
            "WHERE c.owner = ? AND a.status = 'open' ORDER BY a.id LIMIT 1",
            (ANA_BOOK,),
        ).fetchone()
        bens_alert = conn.execute(
            "SELECT a.id FROM alerts a JOIN customers c ON c.id = a.customer_id "
            "WHERE c.owner = ? ORDER BY a.id LIMIT 1",
            (BEN_BOOK,),
        ).fetchone()[0]
    engine = team.open("ana")
    try:
        when = dt.datetime.now(dt.UTC)
        apply_card_action(engine, [alert_id], "log", kind="call", text="Spoke to them",
                          outcome="connected", actor="Ana Silva <ana@example.com>")  # fmt: skip
        apply_card_action(engine, [alert_id], "task", text="Send the catalogue",
                          due=when.date() + dt.timedelta(days=3), actor="Ana Silva")  # fmt: skip
        apply_card_action(engine, [alert_id], "do_not_contact", value=True, actor="Ana Silva")
        apply_card_action(engine, [alert_id], "snooze", until=when.date() + dt.timedelta(days=7),
                          actor="Ana Silva")  # fmt: skip
        # Client-side, someone claims to be another database user: the trigger overrules.
        with engine.begin() as conn:
            conn.execute(
                AuditEvent.__table__.insert().values(
                    actor="Ana Silva", action="test.claim", db_user="lea", occurred_at=when
                )
            )
        with engine.connect() as conn:
            users = {
                r[0]
                for r in conn.execute(
                    select(AuditEvent.db_user).where(AuditEvent.occurred_at >= when)
                )
            }
        assert users == {"ana"}
        with pytest.raises(UserFacingError):
            apply_card_action(engine, [bens_alert], "resolve", outcome="lost", actor="Ana")
    finally:
        engine.dispose()
    lead = team.open("lea")
    try:
        with lead.connect() as conn:
            status, dnc = conn.execute(
                text(
                    "SELECT a.status, c.do_not_contact FROM alerts a JOIN customers c "
                    "ON c.id = a.customer_id WHERE a.id = :a"
                ),
                {"a": alert_id},
            ).one()
            assert (status, dnc) == ("snoozed", True)
            actors = (
                conn.execute(
                    text(
                        "SELECT DISTINCT db_user FROM audit_events WHERE entity_type = 'alert' "
                        "AND entity_id = :a AND occurred_at >= :t"
                    ),
                    {"a": alert_id, "t": when.replace(tzinfo=None)},
                )
                .scalars()
                .all()
            )
            assert actors == ["ana"]
            assert customer_id is not None
    finally:
        lead.dispose()


def test_whole_workspace_work_is_for_leads_and_admins(team: Team) -> None:
    ana, lea = team.open("ana"), team.open("lea")
    try:
        with pytest.raises(TeamRoleError, match="team lead"):
            require_whole_workspace(ana, "scoring")
        require_whole_workspace(lea, "scoring")  # no error
        with pytest.raises(TeamRoleError, match="admin"):
            add_user(ana, "eve", "admin", password="x")
    finally:
        ana.dispose()
        lea.dispose()


def test_members_are_listed_changed_and_removed(team: Team) -> None:
    admin = open_workspace(team.admin_url, backup=False).engine
    try:
        people = {m.db_role: (m.role, m.owner_name) for m in list_members(admin)}
        assert people["ana"] == ("manager", ANA_BOOK)
        assert people["lea"] == ("lead", None)
        add_user(admin, "tom", "manager", password="tom-secret")
        add_user(admin, "tom", "lead")  # promoted: one group only
        with admin.connect() as conn:
            groups = group_roles("team")
            member = conn.execute(
                text("SELECT pg_has_role('tom', :g, 'MEMBER')"), {"g": groups["manager"]}
            ).scalar()
        assert member is False
        remove_user(admin, "tom")
        assert "tom" not in {m.db_role for m in list_members(admin)}
        with pytest.raises(WorkspaceError, match="letter"):
            add_user(admin, "x; DROP TABLE customers", "manager")
    finally:
        admin.dispose()


def test_a_refused_write_is_told_in_plain_words(team: Team) -> None:
    from services.alerts.lifecycle import unit_of_work

    bens = _other_customer(team, BEN_BOOK)
    engine = team.open("ana")
    try:
        with (
            pytest.raises(WorkspaceError, match="outside your book") as refused,
            unit_of_work(engine) as session,
        ):
            session.execute(
                text(
                    "INSERT INTO actions (customer_id, kind, title, created_at) "
                    f"VALUES ({bens}, 'note', 'sneaky', now())"
                )
            )
        assert "nothing was changed" in str(refused.value)
        with pytest.raises(TeamRoleError, match="team lead"):
            score_and_alert(engine)
        # The shared settings (alert rules, scoring, outreach) are the lead's to change.
        from services.settings import get_setting, set_setting

        with (
            pytest.raises(WorkspaceError, match="for a team lead or an admin"),
            unit_of_work(engine) as session,
        ):
            set_setting(session, "alerts.daily_cap_per_owner", 3)
        with unit_of_work(engine) as session:
            assert get_setting(session, "alerts.daily_cap_per_owner") != 3
    finally:
        engine.dispose()
    # A setting the lead keeps: row-level security hides its row from the manager's
    # update, which is said in words too (not the ORM's "0 rows matched").
    lead = team.open("lea")
    try:
        with unit_of_work(lead) as session:
            set_setting(session, "alerts.daily_cap_per_owner", 7)
    finally:
        lead.dispose()
    engine = team.open("ben")
    try:
        from services.settings.store import SettingRefused

        with (
            pytest.raises(SettingRefused, match="for a team lead or an admin"),
            unit_of_work(engine) as session,
        ):
            set_setting(session, "alerts.daily_cap_per_owner", 3)
        with unit_of_work(engine) as session:
            assert get_setting(session, "alerts.daily_cap_per_owner") == 7
    finally:
        engine.dispose()


def test_the_alert_history_names_the_database_user(team: Team) -> None:
    from services.alerts.actions import apply_card_action
    from services.alerts.detail import alert_detail

    with sqlite3.connect(team.file) as conn:
        alert_id = conn.execute(
            "SELECT a.id FROM alerts a JOIN customers c ON c.id = a.customer_id "
            "WHERE c.owner = ? AND a.status = 'open' ORDER BY a.id DESC LIMIT 1",
            (BEN_BOOK,),
        ).fetchone()[0]
    engine = team.open("ben")
    try:
        apply_card_action(engine, [alert_id], "start", actor="Ben Okafor")
        detail = alert_detail(engine, alert_id)
        assert detail is not None
        assert detail.history[-1].who == "Ben Okafor (account ben)"
    finally:
        engine.dispose()


def test_a_managers_offline_copy_holds_their_book_and_syncs_back_under_the_policies(
    team: Team, tmp_path: Path
) -> None:
    from services.alerts.actions import apply_card_action
    from services.team.offline import take_offline
    from services.team.sync import sync_back

    engine = team.open("ana")
    copy = tmp_path / "ana-offline.radar.sqlite"
    try:
        # As after any change to a customer: the copy then takes the live aggregates.
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO settings (key, value, updated_at) VALUES ('rollups.stale', "
                "'true', now()) ON CONFLICT (key) DO UPDATE SET value = 'true'"
            )
        take_offline(engine, copy)
        with sqlite3.connect(copy) as conn:
            owners = {r[0] for r in conn.execute("SELECT DISTINCT owner FROM customers")}
            copied = conn.execute("SELECT count(*) FROM customers").fetchone()[0]
            alert_id = conn.execute(
                "SELECT id FROM alerts WHERE status = 'open' ORDER BY id LIMIT 1"
            ).fetchone()[0]
        assert owners == {ANA_BOOK}
        assert copied == _file_count(team, BOOK_TABLES["customers"], ANA_BOOK)
        local = open_workspace(f"sqlite:///{copy}", backup=False)
        try:
            apply_card_action(local.engine, [alert_id], "log", kind="note",
                              text="Asked about the spring range", actor="Ana Silva")  # fmt: skip
        finally:
            local.close()
        report = sync_back(copy, engine, actor="Ana Silva")
        assert report.ok, report.failures
        assert len(report.pushed) == 1
        again = sync_back(copy, engine, actor="Ana Silva")
        assert again.pushed == []
    finally:
        engine.dispose()
    lead = team.open("lea")
    try:
        with lead.connect() as conn:
            notes = conn.execute(
                text(
                    "SELECT count(*) FROM actions WHERE alert_id = :a AND kind = 'note' "
                    "AND title = 'Asked about the spring range'"
                ),
                {"a": alert_id},
            ).scalar()
        assert notes == 1
    finally:
        lead.dispose()


def test_a_lead_scores_the_whole_workspace_under_the_policies(team: Team) -> None:
    # The snapshots go in by COPY, which PostgreSQL refuses under row-level security
    # straight into the table (services/core/_bulk.py goes through a temporary table).
    engine = team.open("lea")
    try:
        result = score_and_alert(engine)
        assert result.alerts_error is None
        with engine.connect() as conn:
            written = conn.execute(
                text("SELECT count(*) FROM score_snapshots WHERE scoring_run_id = :r"),
                {"r": result.scores.run_id},
            ).scalar()
        assert written == result.scores.customers > 0
        # The lifecycle stages are stored with them under the same policies.
        with engine.connect() as conn:
            staged = conn.execute(
                text(
                    "SELECT count(*) FROM score_snapshots WHERE scoring_run_id = :r "
                    "AND stage IS NOT NULL"
                ),
                {"r": result.scores.run_id},
            ).scalar()
        assert 0 < (staged or 0) <= written
    finally:
        engine.dispose()


def test_a_manager_changes_only_what_their_actions_change(team: Team) -> None:
    # One of Ana's customers with alerts and imported history (what the test could lose).
    mine = _file_count(
        team,
        "SELECT min(c.id) FROM customers c WHERE c.owner = ? "
        "AND EXISTS (SELECT 1 FROM alerts a WHERE a.customer_id = c.id) "
        "AND EXISTS (SELECT 1 FROM interactions i WHERE i.customer_id = c.id "
        "AND i.source <> 'account_radar')",
        ANA_BOOK,
    )
    imported = _file_count(
        team,
        "SELECT count(*) FROM interactions WHERE customer_id = ? AND source <> 'account_radar'",
        mine,
    )
    assert imported > 0
    ana = team.open("ana")
    try:
        # What scoring decided about an alert is not hers to change.
        for column, value in (("owner", f"'{BEN_BOOK}'"), ("priority_cents", "0"),
                              ("severity", "'info'"), ("rule_key", "'x'")):  # fmt: skip
            assert "permission denied" in _refused(
                ana, f"UPDATE alerts SET {column} = {value} WHERE customer_id = {mine}"
            ), column
        # Imported tickets and emails are the team's record: not edited, not removed...
        assert "permission denied" in _refused(
            ana, f"UPDATE interactions SET text = 'x' WHERE customer_id = {mine}"
        )
        with ana.begin() as conn:
            gone = conn.exec_driver_sql(
                f"DELETE FROM interactions WHERE customer_id = {mine} AND source <> 'account_radar'"
            )
            assert gone.rowcount == 0  # the policy shows the delete none of them
        # ...nor made up as if imported.
        assert "row-level security" in _refused(
            ana,
            "INSERT INTO interactions (customer_id, kind, occurred_at, source) "
            f"VALUES ({mine}, 'ticket', now(), 'zendesk')",
        )
        # A note of her own she adds and removes (the undo of a logged note).
        with ana.begin() as conn:
            note = conn.exec_driver_sql(
                "INSERT INTO interactions (customer_id, kind, occurred_at, source, text) "
                f"VALUES ({mine}, 'note', now(), 'account_radar', 'Prefers email') RETURNING id"
            ).scalar()
            removed = conn.exec_driver_sql(f"DELETE FROM interactions WHERE id = {note}")
            assert removed.rowcount == 1
    finally:
        ana.dispose()
    lead = team.open("lea")
    try:
        with lead.connect() as conn:
            left = conn.exec_driver_sql(
                "SELECT count(*) FROM interactions WHERE customer_id = "
                f"{mine} AND source <> 'account_radar'"
            ).scalar()
            owners = conn.exec_driver_sql(
                f"SELECT DISTINCT owner FROM alerts WHERE customer_id = {mine}"
            ).all()
        assert left == imported
        assert owners == [(ANA_BOOK,)]
    finally:
        lead.dispose()


def test_every_action_of_a_manager_works_within_the_narrower_rights(team: Team) -> None:
    """Each card action on her own alerts, then its undo; an email logged; a held-back
    alert raised (and its hold-out draw): all within the columns and rows she may write."""
    from services.alerts.actions import apply_card_action
    from services.alerts.undo import undo_change
    from services.outreach.sent import log_email_sent
    from services.settings import ALERT_RULES

    risk_rule = next(rule.key for rule in ALERT_RULES if rule.queue == "risk")
    lead = team.open("lea")
    try:
        with lead.begin() as conn:
            alert_id = conn.exec_driver_sql(
                "SELECT a.id FROM alerts a JOIN customers c ON c.id = a.customer_id "
                f"WHERE c.owner = '{ANA_BOOK}' AND a.status = 'open' AND NOT c.do_not_contact "
                # One she may email: not unsubscribed (an email to them is refused).
                "AND NOT EXISTS (SELECT 1 FROM interactions i WHERE i.customer_id = c.id "
                "AND i.kind = 'unsubscribe') ORDER BY a.id DESC LIMIT 1"
            ).scalar()
            quiet = conn.exec_driver_sql(
                "SELECT c.id FROM customers c WHERE c.owner = "
                f"'{ANA_BOOK}' AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.customer_id = c.id "
                "AND a.status IN ('open', 'snoozed', 'in_progress', 'held_back')) "
                "ORDER BY c.id LIMIT 1"
            ).scalar()
            held = conn.exec_driver_sql(
                "INSERT INTO alerts (customer_id, rule_key, severity, status, reason, "
                "priority_cents, owner, created_at, updated_at, version, holdout, "
                "snooze_until_clear) "
                f"VALUES ({quiet}, '{risk_rule}', 'warning', 'held_back', 'Quiet lately', "
                f"1000, '{ANA_BOOK}', now(), now(), 1, false, false) RETURNING id"
            ).scalar()
    finally:
        lead.dispose()
    assert alert_id is not None
    assert quiet is not None
    ana = team.open("ana")
    today = dt.datetime.now(dt.UTC).date()
    try:
        steps: list[tuple[str, dict[str, object]]] = [
            ("start", {}),
            ("resolve", {"outcome": "won_back", "note": "Ordered again"}),
            ("dismiss", {"note": "Not worth it"}),
            ("snooze", {"until": today + dt.timedelta(days=5)}),
            ("log", {"kind": "call", "text": "Spoke to them", "outcome": "connected"}),
            ("log", {"kind": "note", "text": "Prefers email"}),
            ("end_quiet_period", {"reason": "They asked for the catalogue"}),
            ("task", {"text": "Send the catalogue", "due": today + dt.timedelta(days=2)}),
            ("do_not_contact", {"value": True}),
        ]
        for action, params in steps:
            change = apply_card_action(ana, [alert_id], action, actor="Ana Silva", **params)
            said = undo_change(ana, change, actor="Ana Silva")
            assert said.startswith("Undone"), (action, said)
        with ana.connect() as conn:
            status = conn.exec_driver_sql(f"SELECT status FROM alerts WHERE id = {alert_id}")
            assert status.scalar() == "open"
        outreach_id = log_email_sent(ana, alert_id, "We miss you", actor="Ana Silva")
        assert outreach_id > 0
        apply_card_action(ana, [held], "raise", customer_id=quiet, actor="Ana Silva")
        with ana.connect() as conn:
            raised = conn.exec_driver_sql(
                f"SELECT status, holdout_band IS NOT NULL FROM alerts WHERE id = {held}"
            ).one()
        assert tuple(raised) == ("open", True)  # raised, and drawn into a hold-out group
    finally:
        ana.dispose()


def _refused(engine: Engine, sql: str) -> str:
    """The database's refusal of ``sql`` (the test fails if it runs)."""
    with pytest.raises(DBAPIError) as caught, engine.begin() as conn:
        conn.exec_driver_sql(sql)
    return str(caught.value)


def test_nobody_but_the_owner_changes_the_tables_the_audit_or_the_schema(team: Team) -> None:
    lead, ana = team.open("lea"), team.open("ana")
    try:
        # A trigger runs as whoever writes next (an admin adding people): no one may add one.
        for table in ("team_members", "alerts", "audit_events"):
            assert "permission denied" in _refused(
                lead,
                f"CREATE TRIGGER sneaky BEFORE INSERT ON {table} FOR EACH ROW "
                "EXECUTE FUNCTION radar_stamp_db_user()",
            ), table
        # The audit is written once: not rewritten, deleted or emptied, even by a lead.
        with lead.connect() as conn:
            before = conn.exec_driver_sql("SELECT count(*) FROM audit_events").scalar()
        assert before
        for sql in (
            "UPDATE audit_events SET actor = 'someone else'",
            "DELETE FROM audit_events",
            "TRUNCATE audit_events",
            "TRUNCATE customers CASCADE",
        ):
            assert "permission denied" in _refused(lead, sql), sql
        with lead.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM audit_events").scalar() == before
        # Nothing of one's own in the workspace's schema, where it could shadow ours.
        for engine in (lead, ana):
            assert "permission denied for schema public" in _refused(
                engine,
                "CREATE FUNCTION public.pg_has_role(name, text, text) RETURNS boolean "
                "LANGUAGE sql AS 'SELECT true'",
            )
        # The policies' functions look names up in PostgreSQL's own schema only.
        with lead.connect() as conn:
            config = dict(
                conn.exec_driver_sql(
                    "SELECT proname, array_to_string(proconfig, ';') FROM pg_proc "
                    "WHERE starts_with(proname, 'radar_')"
                ).all()
            )
        assert set(config) == {
            "radar_person",
            "radar_sees_all",
            "radar_stamp_db_user",
            *guards.FUNCTIONS,
        }
        assert all(value == "search_path=pg_catalog, pg_temp" for value in config.values())
    finally:
        lead.dispose()
        ana.dispose()


def test_a_second_admin_adds_people_and_a_demoted_admin_keeps_no_right_to(team: Team) -> None:
    owner = open_workspace(team.admin_url, backup=False).engine
    try:
        add_user(owner, "adele", "admin", password="adele-secret")
        adele = team.open("adele")
        try:
            assert team_role(adele) == "admin"
            # An admin who is not the tables' owner adds a manager who then sees their book.
            add_user(adele, "carl", "manager", owner_of=ANA_BOOK, password="carl-secret")
            carl = team.open("carl")
            try:
                assert team_role(carl) == "manager"
                assert _count(carl, "customers") == _file_count(
                    team, BOOK_TABLES["customers"], ANA_BOOK
                )
            finally:
                carl.dispose()
            remove_user(adele, "carl")
            assert "carl" not in {m.db_role for m in list_members(owner)}

            # An admin who is not a superuser brings data in and removes an import's rows.
            with adele.begin() as conn:
                row = conn.exec_driver_sql(
                    "INSERT INTO interactions (customer_id, kind, occurred_at, source) "
                    f"VALUES ({_other_customer(team, BEN_BOOK)}, 'ticket', now(), 'zendesk') "
                    "RETURNING id"
                ).scalar()
                gone = conn.exec_driver_sql(f"DELETE FROM interactions WHERE id = {row}")
                assert gone.rowcount == 1
            assert "permission denied" in _refused(
                adele, "UPDATE alembic_version SET version_num = '0001'"
            )

            add_user(owner, "adele", "manager", owner_of=BEN_BOOK)  # demoted
            assert team_role(adele) == "manager"
            admins = group_roles("team")["admin"]
            for sql in (
                f'GRANT "{admins}" TO adele',
                "CREATE ROLE mallory LOGIN SUPERUSER",
                "CREATE ROLE mallory LOGIN",
            ):
                assert "InsufficientPrivilege" in _refused(adele, sql), sql
            managers = group_roles("team")["manager"]  # nor the group she is in now
            assert "InsufficientPrivilege" in _refused(adele, f'GRANT "{managers}" TO lea')
            assert team_role(adele) == "manager"
        finally:
            adele.dispose()
        remove_user(owner, "adele")
    finally:
        owner.dispose()


def test_sync_receipts_and_import_reports_are_not_every_managers(team: Team) -> None:
    ana, ben, lead = team.open("ana"), team.open("ben"), team.open("lea")
    try:
        with ana.begin() as conn:  # the receipt claims to be Ben's: the trigger says Ana's
            conn.exec_driver_sql(
                "INSERT INTO sync_receipts (key, kind, pushed_at, pushed_by, result, db_user) "
                "VALUES ('copy-a:actions:1:1', 'note', now(), 'Ana Silva', "
                "'conflict: Acme Ltd was resolved', 'ben')"
            )
        mine = "SELECT db_user FROM sync_receipts WHERE key = 'copy-a:actions:1:1'"
        with ana.connect() as conn:
            assert conn.exec_driver_sql(mine).all() == [("ana",)]
            anas = conn.exec_driver_sql("SELECT count(*) FROM sync_receipts").scalar()
        assert _count(ben, "sync_receipts") == 0
        assert _count(lead, "sync_receipts") == anas
        # Ben cannot take Ana's key for himself, nor remove or change her receipt.
        assert "duplicate key" in _refused(
            ben,
            "INSERT INTO sync_receipts (key, kind, pushed_at) "
            "VALUES ('copy-a:actions:1:1', 'note', now())",
        )
        for sql in ("DELETE FROM sync_receipts", "UPDATE sync_receipts SET result = 'x'"):
            assert "permission denied" in _refused(ben, sql), sql
        with lead.connect() as conn:
            assert conn.exec_driver_sql(mine).all() == [("ana",)]

        with lead.begin() as conn:  # an import's report quotes the rows it refused
            conn.exec_driver_sql(
                "INSERT INTO import_runs (source_path, file_name, status, started_at, rows_read, "
                "inserted, updated, rejected, report) VALUES ('/in/contacts.csv', "
                "'contacts.csv', 'done', now(), 2, 1, 0, 1, "
                """'{"rejected": [{"row": 2, "email": "jo@rival.example"}]}')"""
            )
        assert _count(lead, "import_runs") >= 1
        assert _count(ana, "import_runs") == 0
        assert _count(ben, "import_runs") == 0
    finally:
        with lead.begin() as conn:
            conn.exec_driver_sql("DELETE FROM import_runs WHERE file_name = 'contacts.csv'")
        ana.dispose()
        ben.dispose()
        lead.dispose()


def test_an_upgrade_by_the_owner_brings_the_policies_to_the_new_schema(team: Team) -> None:
    from sqlalchemy import create_engine

    ana = team.open("ana")
    try:
        with ana.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO sync_receipts (key, kind, pushed_at) "
                "VALUES ('copy-z:1', 'note', now())"
            )
    finally:
        ana.dispose()
    # The workspace as version 0012 left it: sync_receipts without db_user or its policies
    # (taken off first: they hold on to the column), nor what later revisions added.
    raw = create_engine(team.admin_url)
    try:
        with raw.begin() as conn:
            for statement in (
                "DROP POLICY radar_book ON sync_receipts",
                "DROP POLICY radar_all ON sync_receipts",
                "DROP TRIGGER sync_receipts_db_user ON sync_receipts",
                "ALTER TABLE sync_receipts NO FORCE ROW LEVEL SECURITY",
                "ALTER TABLE sync_receipts DISABLE ROW LEVEL SECURITY",
            ):
                conn.exec_driver_sql(statement)
    finally:
        raw.dispose()
    downgrade(team.admin_url, "0012")
    before = create_engine(team.url("ben"))  # the app would send Ben to the admin
    try:
        assert _count(before, "sync_receipts") > 0  # what is at stake: Ana's receipts
    finally:
        before.dispose()

    open_workspace(team.admin_url, backup=False).close()  # the owner opens it: upgraded

    ben = team.open("ben")
    try:
        with ben.connect() as conn:
            security = conn.exec_driver_sql(
                "SELECT relrowsecurity, relforcerowsecurity FROM pg_class "
                "WHERE relname = 'sync_receipts'"
            ).one()
            triggers = conn.exec_driver_sql(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'sync_receipts'::regclass"
            ).all()
        assert tuple(security) == (True, True)
        assert triggers == [("sync_receipts_db_user",)]
        assert _count(ben, "sync_receipts") == 0  # the receipts written before are nobody's
        with ben.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO sync_receipts (key, kind, pushed_at) "
                "VALUES ('copy-b:1', 'note', now())"
            )
        with ben.connect() as conn:
            assert conn.exec_driver_sql("SELECT key, db_user FROM sync_receipts").all() == [
                ("copy-b:1", "ben")
            ]
    finally:
        ben.dispose()


def test_a_manager_sets_tracking_consent_only_for_her_own_customers(team: Team) -> None:
    from services.people.tracking import ConsentError, set_tracking_consent

    mine, bens = _other_customer(team, ANA_BOOK), _other_customer(team, BEN_BOOK)
    engine = team.open("ana")
    try:
        assert set_tracking_consent(engine, mine, opted_out=True, actor="ana")
        # Ben's customer is not in her book: not found, nothing changed.
        with pytest.raises(ConsentError, match="not in your book"):
            set_tracking_consent(engine, bens, opted_out=True, actor="ana")
        with engine.connect() as conn:
            audited = (
                conn.execute(
                    select(AuditEvent.db_user).where(
                        AuditEvent.action == "customer.tracking_opted_out",
                        AuditEvent.entity_id == mine,
                    )
                )
                .scalars()
                .all()
            )
        assert audited == ["ana"]
    finally:
        engine.dispose()
    lead = team.open("lea")
    try:
        with lead.connect() as conn:
            marks = dict(
                conn.execute(
                    select(Customer.id, Customer.tracking_opted_out_at).where(
                        Customer.id.in_((mine, bens))
                    )
                ).all()
            )
        assert marks[mine] is not None
        assert marks[bens] is None
        assert set_tracking_consent(lead, mine, opted_out=False, actor="lea")  # a lead may
    finally:
        lead.dispose()
