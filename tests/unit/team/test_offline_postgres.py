"""Offline copies on a real PostgreSQL server on loopback: take a copy of the
shared workspace, stop the server, act in the copy through the app's own services,
restart it (someone resolved one of the alerts meanwhile), sync back: every action on
the server exactly once, the conflict reported and not applied, the copy refreshed; a
second sync sends nothing twice. Also: only the last 24 months of orders, a cancelled or
failed take leaves no file (and a previous copy as it was), customer data never flows up.

Skipped without PostgreSQL's server binaries (Debian: postgresql).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from app.workspace import open_workspace, to_url
from models.db import make_engine
from models.errors import WorkspaceError
from models.schema import Action, Alert, AuditEvent, Customer, Order, Outreach, SyncReceipt
from services.alerts.actions import apply_card_action, end_quiet_period, mark_do_not_contact
from services.alerts.contact import complete_task, create_task
from services.alerts.lifecycle import resolve_in, transition_alert
from services.alerts.undo import undo_change
from services.alerts.work import reschedule_task
from services.core.offline_origin import origin_in, origin_of_file, read_origin
from services.demo import build_demo
from services.outreach.sent import record_email
from services.team import offline_changes
from services.team.offline import TakeOfflineCancelled, take_offline
from services.team.publish import publish
from services.team.sync import sync_back
from services.usecases.customers import load_customer_columns
from services.usecases.refresh import score_and_alert
from tests.support.postgres_server import PostgresServer, pg_bin, postgres_server

ME = "Ana Lima <ana@example.com>"
MAYA = "Maya Lopez <maya@example.com>"


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scored demo with alerts (the window's demo, small)."""
    path = tmp_path_factory.mktemp("offline") / "team.radar.sqlite"
    workspace = open_workspace(to_url(str(path)), backup=False)
    try:
        build_demo(workspace.engine, customers=300, seed=5)
        assert score_and_alert(workspace.engine).alerts is not None
    finally:
        workspace.close()
    return path


@pytest.fixture(scope="module")
def server() -> Iterator[PostgresServer]:
    bin_dir = pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries are not installed (Debian: postgresql)")
    with postgres_server(bin_dir) as running:
        yield running


@pytest.fixture
def shared(server: PostgresServer, demo_file: Path) -> Iterator[Engine]:
    """The demo published to a fresh database of the server (started)."""
    if not server.running:
        server.start()
    # No pool: the server is stopped and started again in between.
    admin = create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql("DROP DATABASE IF EXISTS team WITH (FORCE)")
        conn.exec_driver_sql("CREATE DATABASE team")
    source = open_workspace(to_url(str(demo_file)), backup=False)
    try:
        assert publish(source.engine, server.url("team")).problems == []
    finally:
        source.close()
    engine = make_engine(server.url("team"))
    try:
        yield engine
    finally:
        engine.dispose()
        if not server.running:
            server.start()
        with admin.connect() as conn:
            conn.exec_driver_sql("DROP DATABASE IF EXISTS team WITH (FORCE)")
        admin.dispose()


def _open_alerts(
    engine: Engine, n: int, *, without_playbooks: bool = False
) -> list[tuple[int, int]]:
    """(alert id, customer id) of open alerts of ``n`` different customers who may be
    contacted (not marked do not contact, never unsubscribed, not held out); with
    ``without_playbooks``, only customers without any playbook run (the demo's past
    playbooks fall on different customers from one day to the next)."""
    no_playbook = (
        " AND NOT EXISTS (SELECT 1 FROM playbook_runs p WHERE p.customer_id = c.id)"
        if without_playbooks
        else ""
    )
    with Session(engine) as session:
        rows = session.execute(
            text(
                "SELECT a.id, a.customer_id FROM alerts a JOIN customers c ON c.id = "
                "a.customer_id WHERE a.status = 'open' AND NOT a.holdout AND NOT "
                "c.do_not_contact AND NOT EXISTS (SELECT 1 FROM interactions i WHERE "
                f"i.customer_id = c.id AND i.kind = 'unsubscribe'){no_playbook} ORDER BY a.id"
            )
        ).all()
    picked: dict[int, int] = {}
    for alert_id, customer_id in rows:
        picked.setdefault(int(customer_id), int(alert_id))
    assert len(picked) >= n, "the demo has too few open alerts for the test"
    return [(a, c) for c, a in list(picked.items())[:n]]


def test_take_offline_act_with_the_server_down_then_sync_back(
    server: PostgresServer, shared: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "plane.radar.sqlite"
    copy = take_offline(shared, path)
    assert copy.path == path
    assert path.is_file()
    assert not path.with_name(path.name + ".partial").exists()
    assert copy.customers == 300
    origin = origin_of_file(path)
    assert origin is not None
    assert origin.copy_id == copy.origin.copy_id
    assert (origin.user, origin.database, origin.label) == ("radar", "team", "team@127.0.0.1")
    assert origin.server == f"postgresql+psycopg://radar@127.0.0.1:{server.port}/team"

    server.stop()
    # On the plane: every action works on the copy, through the window's own services.
    copy_ws = open_workspace(to_url(str(path)))
    try:
        engine = copy_ws.engine
        (called, called_c), (noted, _), (tasked, _), (snoozed, snoozed_c), (resolved, _) = (
            _open_alerts(engine, 5)
        )
        (_, dnc_c), (emailed, emailed_c) = _open_alerts(engine, 7)[5:]
        apply_card_action(
            engine, [called], "log", kind="call", text="Talked about the spring order",
            outcome="connected", actor=ME,
        )  # fmt: skip
        apply_card_action(engine, [noted], "log", kind="note", text="Prefers email", actor=ME)
        due = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=3)
        task = apply_card_action(
            engine, [tasked], "task", text="Send the catalogue", due=due, actor=ME
        )
        complete_task(engine, task.action_ids[0], actor=ME)
        until = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=10)
        apply_card_action(engine, [snoozed], "snooze", until=until, actor=ME)
        apply_card_action(
            engine, [resolved], "resolve", outcome="won_back", note="Ordered", actor=ME
        )
        mark_do_not_contact(engine, dnc_c, True, actor=ME)
        record_email(
            engine, emailed_c, alert_id=emailed, subject="We miss you", body="Hello again",
            status="exported", recipient=None, provider=None, model=None, template="win_back",
            actor=ME,
        )  # fmt: skip
        # The window reads the copy like any workspace.
        assert len(load_customer_columns(engine)["id"]) == 300
        changes = _changes(path)
        assert [c.kind for c in changes].count("call") == 1
        assert {c.kind for c in changes} >= {
            "call", "note", "task", "task_done", "snooze", "resolve", "do_not_contact", "email",
        }  # fmt: skip
    finally:
        copy_ws.close()
    # Sync while the server is down: said plainly, the copy untouched.
    with pytest.raises(WorkspaceError, match="connect"):
        sync_back(path, shared, actor=ME)
    assert origin_of_file(path) == origin

    server.start()
    # Meanwhile, on the server: Maya resolved the alert snoozed on the plane.
    transition_alert(shared, snoozed, resolve_in, outcome="won_back", actor=MAYA)
    with Session(shared) as session:
        snoozed_name = session.get(Customer, snoozed_c).name  # type: ignore[union-attr]

    # A first sync without refresh, stopped after three actions (as if the laptop died).
    calls = iter(range(100))
    stopped = sync_back(path, shared, actor=ME, refresh=False, cancel=lambda: next(calls) >= 3)
    assert stopped.cancelled
    assert stopped.refreshed is None
    assert len(stopped.pushed) + len(stopped.same) + len(stopped.conflicts) == 3
    assert any("stopped" in line for line in stopped.lines())

    report = sync_back(path, shared, actor=ME)
    assert report.failures == []
    assert not report.cancelled
    # What the stopped sync sent is not sent again (the call's start needs nothing now).
    assert sorted(report.already) == sorted(stopped.pushed + stopped.conflicts)
    handled = [
        *stopped.pushed, *stopped.same, *stopped.conflicts,
        *report.pushed, *report.same, *report.conflicts,
    ]  # fmt: skip
    assert len(handled) == len(changes)
    conflicts = stopped.conflicts + report.conflicts
    assert len(conflicts) == 1
    assert conflicts[0].startswith(f"Maya Lopez resolved {snoozed_name}'s alert at ")
    assert conflicts[0].endswith("(won back); your snooze was not applied")
    # The call started its alert on the server, as it did in the copy: nothing more to do.
    assert any(line.startswith("Started work on") for line in stopped.same + report.same)

    with Session(shared) as session:

        def count(model: type, *where: object) -> int:
            return int(session.scalar(select(func.count()).select_from(model).where(*where)))

        assert (
            count(Action, Action.kind == "call", Action.title == "Talked about the spring order")
            == 1
        )
        assert count(Action, Action.kind == "note", Action.title == "Prefers email") == 1
        tasks = session.scalars(select(Action).where(Action.title == "Send the catalogue")).all()
        assert len(tasks) == 1
        assert tasks[0].done_at is not None
        assert tasks[0].due_date == due
        assert tasks[0].created_by == ME
        assert session.get(Alert, called).status == "in_progress"  # type: ignore[union-attr]
        done = session.get(Alert, resolved)
        assert done is not None
        assert (done.status, done.outcome) == ("resolved", "won_back")
        theirs = session.get(Alert, snoozed)
        assert theirs is not None
        assert (theirs.status, theirs.outcome) == ("resolved", "won_back")
        assert session.get(Customer, dnc_c).do_not_contact is True  # type: ignore[union-attr]
        assert count(Outreach, Outreach.subject == "We miss you") == 1
        # Each change once, each with its receipt; the conflict's receipt says so.
        receipts = session.scalars(select(SyncReceipt)).all()
        assert len(receipts) == len(changes)
        assert sum(1 for r in receipts if (r.result or "").startswith("conflict")) == 1
        # The server's audit says who did it, and when it was done on the plane.
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "alert.resolved", AuditEvent.actor == ME)
        ).all()
        assert [e.entity_id for e in events] == [resolved]
        assert count(AuditEvent, AuditEvent.action == "offline.synced") == 2

    # The copy was refreshed: a new copy of the server, with Maya's resolution in it.
    assert report.refreshed is not None
    fresh = origin_of_file(path)
    assert fresh is not None
    assert fresh.copy_id != origin.copy_id
    again = open_workspace(to_url(str(path)))
    try:
        with Session(again.engine) as session:
            mine = session.get(Alert, snoozed)
            assert mine is not None
            assert mine.status == "resolved"
            assert (
                session.scalar(
                    select(func.count()).select_from(Action).where(Action.title == "Prefers email")
                )
                == 1
            )
        assert read_origin(again.engine) == fresh
    finally:
        again.close()
    assert _changes(path) == []

    # Sync back again: nothing to send, nothing sent twice.
    second = sync_back(path, shared, actor=ME)
    assert (second.pushed, second.conflicts, second.failures) == ([], [], [])
    with Session(shared) as session:
        assert session.scalar(select(func.count()).select_from(SyncReceipt)) == len(changes)


def _changes(path: Path) -> list[offline_changes.OfflineChange]:
    with offline_changes.copy_session(path) as session:
        origin = origin_in(session)
        assert origin is not None
        return offline_changes.offline_changes(session, origin)


def test_the_copy_holds_the_last_24_months_of_orders(shared: Engine, tmp_path: Path) -> None:
    path = tmp_path / "copy.radar.sqlite"
    copy = take_offline(shared, path)
    since = copy.origin.since
    assert copy.origin.months == 24
    with Session(shared) as session:
        recent = session.scalar(
            select(func.count()).select_from(Order).where(Order.order_date >= since)
        )
        older = session.scalar(
            select(func.count()).select_from(Order).where(Order.order_date < since)
        )
    assert older  # the demo has three years: some are left out
    assert recent
    conn = sqlite3.connect(path)
    try:
        here = conn.execute("SELECT COUNT(*), MIN(order_date) FROM orders").fetchone()
        rollup_orders = conn.execute("SELECT SUM(paid_orders) FROM customer_rollups").fetchone()
        stale = conn.execute("SELECT value FROM settings WHERE key = 'rollups.stale'").fetchone()
    finally:
        conn.close()
    assert here[0] == recent == copy.copied["orders"]
    assert dt.datetime.fromisoformat(here[1]) >= since.replace(tzinfo=None)
    # The customers' totals are the server's (all their orders), not the window's months.
    with Session(shared) as session:
        assert rollup_orders[0] == session.scalar(
            text("SELECT SUM(paid_orders) FROM customer_rollups")
        )
    assert stale[0] in ("false", 0)


def test_a_cancelled_or_failed_take_leaves_nothing_and_keeps_the_previous_copy(
    shared: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "copy.radar.sqlite"
    asked = iter(range(1000))
    with pytest.raises(TakeOfflineCancelled):
        take_offline(shared, path, cancel=lambda: next(asked) > 10)
    assert list(tmp_path.iterdir()) == []

    first = take_offline(shared, path)

    def fail_at_orders(_fraction: float, message: str) -> None:
        if message.startswith("Copying orders"):
            raise RuntimeError("the network went away")

    with pytest.raises(RuntimeError, match="network went away"):
        take_offline(shared, path, progress=fail_at_orders)
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]
    assert origin_of_file(path) == first.origin

    # A copy with work not yet synced back is never replaced; a workspace of one's own
    # neither.
    engine = make_engine(to_url(str(path)))
    try:
        alert_id, _ = _open_alerts(engine, 1)[0]
        apply_card_action(engine, [alert_id], "log", kind="note", text="Not yet sent", actor=ME)
    finally:
        engine.dispose()
    with pytest.raises(WorkspaceError, match="not yet synced back") as refused:
        take_offline(shared, path)
    assert "Note on" in str(refused.value)
    assert origin_of_file(path) == first.origin
    own = tmp_path / "mine.radar.sqlite"
    open_workspace(to_url(str(own))).close()
    with pytest.raises(WorkspaceError, match="not an offline copy"):
        take_offline(shared, own)
    assert origin_of_file(own) is None


def test_customer_data_never_flows_up(shared: Engine, tmp_path: Path) -> None:
    path = tmp_path / "copy.radar.sqlite"
    take_offline(shared, path)
    engine = make_engine(to_url(str(path)))
    try:
        with Session(engine) as session, session.begin():
            customer = session.scalars(select(Customer).order_by(Customer.id)).first()
            assert customer is not None
            customer_id, name = int(customer.id), customer.name
            customer.name = "Renamed On The Plane"
            session.add(
                Order(
                    customer_id=customer_id,
                    order_date=dt.datetime.now(dt.UTC),
                    amount_cents=12_345,
                    external_id="offline-1",
                )
            )
    finally:
        engine.dispose()
    report = sync_back(path, shared, actor=ME)
    assert (report.pushed, report.failures) == ([], [])
    assert report.kept_on_server == ["1 order added", "1 customer edited"]
    assert any("was not sent (it comes from the server only)" in line for line in report.lines())
    with Session(shared) as session:
        assert session.get(Customer, customer_id).name == name  # type: ignore[union-attr]
        assert session.scalar(select(func.count()).where(Order.external_id == "offline-1")) == 0
    # The refreshed copy has the server's data again.
    conn = sqlite3.connect(path)
    try:
        here = conn.execute("SELECT name FROM customers WHERE id = ?", (customer_id,)).fetchone()
    finally:
        conn.close()
    assert here[0] == name


def test_sync_back_refuses_another_workspace_or_user(
    server: PostgresServer, shared: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "copy.radar.sqlite"
    take_offline(shared, path)
    with shared.connect() as conn:
        conn.exec_driver_sql("CREATE ROLE someone_else LOGIN")
        conn.exec_driver_sql("GRANT SELECT ON ALL TABLES IN SCHEMA public TO someone_else")
        conn.commit()
    other = make_engine(server.url("team", user="someone_else"))
    try:
        with pytest.raises(WorkspaceError, match="Connect as radar to sync it back"):
            sync_back(path, other, actor=ME)
    finally:
        other.dispose()
        with shared.connect() as conn:
            conn.exec_driver_sql("DROP OWNED BY someone_else")
            conn.exec_driver_sql("DROP ROLE someone_else")
            conn.commit()
    own = tmp_path / "mine.radar.sqlite"
    open_workspace(to_url(str(own))).close()
    with pytest.raises(WorkspaceError, match="not an offline copy"):
        sync_back(own, shared, actor=ME)


def test_what_else_goes_back_and_what_does_not(shared: Engine, tmp_path: Path) -> None:
    """A task of the server rescheduled, a quiet period ended, an alert dismissed; an
    action undone in the copy is not sent; an email to a customer the server has marked
    do not contact meanwhile is refused by the server's rules, reported once."""
    (tasked, _), (dismissed, _), (quiet_a, quiet_c), (mailed, mailed_c), (undone, _) = _open_alerts(
        shared, 5
    )
    today = dt.datetime.now(dt.UTC).date()
    server_task = create_task(shared, tasked, "Check the invoice", today + dt.timedelta(days=1))
    path = tmp_path / "copy.radar.sqlite"
    take_offline(shared, path)

    engine = make_engine(to_url(str(path)))
    try:
        reschedule_task(engine, server_task.id, today + dt.timedelta(days=5), actor=ME)
        end_quiet_period(engine, quiet_c, "They asked for the new catalogue", actor=ME)
        apply_card_action(engine, [dismissed], "dismiss", note="Seasonal buyer", actor=ME)
        note = apply_card_action(engine, [undone], "log", kind="note", text="Oops", actor=ME)
        undo_change(engine, note, actor=ME)
        record_email(
            engine, mailed_c, alert_id=mailed, subject="Back in stock", body="Hi",
            status="sent", recipient=None, provider=None, model=None, template=None, actor=ME,
        )  # fmt: skip
    finally:
        engine.dispose()
    kinds = sorted(c.kind for c in _changes(path))
    assert kinds == ["dismiss", "email", "end_quiet_period", "start", "task_rescheduled"]
    mark_do_not_contact(shared, mailed_c, True, actor=MAYA)

    report = sync_back(path, shared, actor=ME, refresh=False)
    assert report.failures == []
    # The email was sent from the plane: its alert is being worked on, on the server too,
    # though the server's rules keep the email itself out.
    assert sorted(line.split(" ")[0] for line in report.pushed) == [
        "Dismissed", "Ended", "Started", "Task",
    ]  # fmt: skip
    assert len(report.conflicts) == 1
    assert report.conflicts[0].startswith("Email to ")
    assert "not applied — " in report.conflicts[0]
    assert "asked not to be contacted" in report.conflicts[0]
    with Session(shared) as session:
        task = session.get(Action, server_task.id)
        assert task is not None
        assert task.due_date == today + dt.timedelta(days=5)
        alert = session.get(Alert, dismissed)
        assert alert is not None
        assert alert.status == "dismissed"
        customer = session.get(Customer, quiet_c)
        assert customer is not None
        assert customer.quiet_override_at is not None
        assert session.scalar(select(func.count()).where(Action.title == "Oops")) == 0
        assert session.scalar(select(func.count()).where(Outreach.subject == "Back in stock")) == 0

    # Again without refresh: the refusal is not reported twice, nothing is sent twice.
    again = sync_back(path, shared, actor=ME, refresh=False)
    assert (again.pushed, again.conflicts, again.failures) == ([], [], [])
    assert len(again.already) == 1  # the refused email: its receipt says so
