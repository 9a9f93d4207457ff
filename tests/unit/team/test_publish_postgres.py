"""workspace publish: a demo workspace file copied into an empty PostgreSQL database on a
throwaway server on loopback, checked on both sides; a database with tables refused; a
failure half-way leaves it empty."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, inspect, select

from app.cli.main import main
from app.workspace import open_workspace, to_url
from models.errors import WorkspaceError
from models.integrity import check_workspace
from models.migrate import upgrade
from models.schema import Customer, Order
from services.demo import build_demo
from services.team import publish as publishing
from services.usecases.refresh import score_and_alert
from tests.support.table_digest import table_digests
from tests.unit.workspace.test_postgres import pg_url  # noqa: F401  (the fixture)


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("publish") / "team.radar.sqlite"
    workspace = open_workspace(to_url(str(path)), backup=False)
    try:
        build_demo(workspace.engine, customers=150, seed=11)
    finally:
        workspace.close()
    return str(path)


@pytest.fixture
def empty_db(pg_url: str) -> Iterator[str]:  # noqa: F811
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql("DROP DATABASE IF EXISTS radar_team WITH (FORCE)")
        conn.exec_driver_sql("CREATE DATABASE radar_team")
    try:
        yield pg_url.rsplit("/", 1)[0] + "/radar_team"
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql("DROP DATABASE IF EXISTS radar_team WITH (FORCE)")
        admin.dispose()


def test_publish_copies_every_row_and_checks_both_sides(demo_file: str, empty_db: str) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert (
        main(["--db", demo_file, "workspace", "publish", "--to", empty_db], out=out, err=err) == 0
    )
    assert "Both sides checked" in out.getvalue()
    source = open_workspace(to_url(demo_file), backup=False)
    shared = open_workspace(empty_db, backup=False)
    try:
        there, here = check_workspace(shared.engine), check_workspace(source.engine)
        assert there.problems == []
        assert there.counts == here.counts
        assert here.counts["customers"] == 150
        assert here.counts["orders"] > 150
        with source.engine.connect() as a, shared.engine.connect() as b:
            for column in (
                Order.amount_cents,
                Order.order_date,
                Customer.email,
                Customer.attributes,
            ):
                ordered = select(column).order_by(column.table.c.id)
                assert a.execute(ordered).scalars().all() == b.execute(ordered).scalars().all()
        # The ids go on from the copied ones: a new customer gets the next one.
        with shared.sessions() as session, session.begin():
            new = Customer(name="New Person", email="new.person@example.com")
            session.add(new)
            session.flush()
            assert (
                new.id
                == 1
                + session.execute(
                    select(func.max(Customer.id)).where(Customer.id != new.id)
                ).scalar_one()
            )
    finally:
        source.close()
        shared.close()

    # A second publish into the now full database is refused and writes nothing.
    err = io.StringIO()
    code = main(
        ["--db", demo_file, "workspace", "publish", "--to", empty_db], out=io.StringIO(), err=err
    )
    assert code != 0
    assert "already holds tables" in err.getvalue()


def test_a_failure_half_way_leaves_the_database_empty(demo_file: str, empty_db: str) -> None:
    source = open_workspace(to_url(demo_file), backup=False)

    def fail_at_orders(table: str, done: int, total: int) -> None:
        if table == "orders":
            raise RuntimeError("the network went away")

    try:
        with pytest.raises(RuntimeError, match="network went away"):
            publishing.publish(source.engine, empty_db, progress=fail_at_orders)
    finally:
        source.close()
    engine = create_engine(empty_db)
    try:
        assert inspect(engine).get_table_names() == []  # not even the schema stayed
    finally:
        engine.dispose()


def test_publish_refuses_what_it_cannot_do(demo_file: str, tmp_path: Path) -> None:
    source = open_workspace(to_url(demo_file), backup=False)
    try:
        with pytest.raises(WorkspaceError, match="Publish to a PostgreSQL database"):
            publishing.publish(source.engine, to_url(str(tmp_path / "other.radar.sqlite")))
    finally:
        source.close()
    assert not (tmp_path / "other.radar.sqlite").exists()


_SCHEMA_OBJECTS = """
SELECT 'index ' || c.relname || ' on ' || i.indrelid::regclass::text || ' (' || i.indkey::text
       || ') unique ' || i.indisunique || ' partial ' || (i.indpred IS NOT NULL)
       || ' valid ' || i.indisvalid
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
WHERE c.relnamespace = 'public'::regnamespace
UNION ALL
SELECT 'key ' || conrelid::regclass::text || ' ' || conname || ': ' || pg_get_constraintdef(oid)
FROM pg_constraint WHERE connamespace = 'public'::regnamespace
"""


def test_a_scored_workspace_is_the_same_table_by_table_with_its_indexes_and_keys(
    demo_file: str, empty_db: str, tmp_path: Path
) -> None:
    """Every table's rows (count and checksum, read through the app's types) are the
    file's, and the copy has the indexes and foreign keys a fresh schema has: the bulk
    copy sets them aside for the load and makes every one again."""
    copy = tmp_path / "scored.radar.sqlite"
    shutil.copy(demo_file, copy)
    source = open_workspace(to_url(str(copy)), backup=False)
    try:
        assert score_and_alert(source.engine).alerts_error is None
        report = publishing.publish(source.engine, empty_db)
        assert report.problems == []
        here = table_digests(source.engine, skip=frozenset({"team_members"}))
    finally:
        source.close()
    shared = open_workspace(empty_db, backup=False)
    try:
        there = table_digests(shared.engine, skip=frozenset({"team_members"}))
        with shared.engine.connect() as conn:
            published = set(conn.exec_driver_sql(_SCHEMA_OBJECTS).scalars())
    finally:
        shared.close()
    assert here["score_snapshots"][0] == 150
    assert here["alerts"][0] > 0
    assert there == here
    fresh = create_engine(empty_db.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with fresh.connect() as conn:
        conn.exec_driver_sql("CREATE DATABASE radar_fresh")
    schema_only = empty_db.rsplit("/", 1)[0] + "/radar_fresh"
    try:
        upgrade(create_engine(schema_only))
        engine = create_engine(schema_only)
        with engine.connect() as conn:
            expected = set(conn.exec_driver_sql(_SCHEMA_OBJECTS).scalars())
        engine.dispose()
    finally:
        with fresh.connect() as conn:
            conn.exec_driver_sql("DROP DATABASE radar_fresh WITH (FORCE)")
        fresh.dispose()
    assert any(" FOREIGN KEY " in o for o in expected)
    assert any("partial true" in o for o in expected)
    assert expected <= published
