"""The same workspace code on a real PostgreSQL server (a throwaway cluster on loopback).

Needs PostgreSQL's server binaries (Debian: postgresql); .ci/run installs them. Without
them these tests are skipped with that reason: every other test still runs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session

from app.workspace import open_workspace
from models.errors import WorkspaceError
from models.integrity import check_workspace
from models.schema import Customer, CustomerRollup
from services.core.rollups import stale_rollups
from services.demo import build_demo
from services.usecases.customer_detail import load_customer_detail
from services.usecases.customers import load_customer_columns
from tests.support.postgres_server import pg_bin, throwaway_postgres

TODAY = dt.date(2026, 11, 21)


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    bin_dir = pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries are not installed (Debian: postgresql)")
    with throwaway_postgres(bin_dir) as url:
        yield url


def test_workspace_demo_and_table_on_postgresql(pg_url: str) -> None:
    ws = open_workspace(pg_url)
    try:
        summary = build_demo(ws.engine, customers=120, seed=3, today=TODAY)
        assert summary.customers == 120
        assert summary.orders > 120
        report = check_workspace(ws.engine)
        assert report.problems == []
        assert report.counts["customers"] == 120
        with ws.engine.connect() as conn:
            assert stale_rollups(Session(bind=conn)) == 0

        fast = load_customer_columns(ws.engine, today=TODAY)
        with ws.engine.begin() as conn:
            conn.execute(delete(CustomerRollup))  # forces the live aggregate path
        live = load_customer_columns(ws.engine, today=TODAY)
        for name in fast:
            if fast[name].dtype.kind in "fM":
                np.testing.assert_array_equal(fast[name], live[name])
            else:
                assert list(fast[name]) == list(live[name]), name

        busiest = int(fast["id"][int(np.argmax(fast["orders"]))])
        detail = load_customer_detail(ws.engine, busiest)
        assert detail.id == busiest
        assert len(detail.orders) >= int(fast["orders"].max())
    finally:
        ws.close()


def test_demo_refuses_real_data_on_postgresql(pg_url: str) -> None:
    ws = open_workspace(pg_url)
    try:
        with ws.engine.begin() as conn:
            conn.execute(delete(Customer.__table__))
            conn.exec_driver_sql("DELETE FROM settings WHERE key = 'workspace.demo'")
            conn.execute(Customer.__table__.insert().values(source="crm", external_id="A-1"))
        with pytest.raises(WorkspaceError, match="your own data"):
            build_demo(ws.engine, customers=10, seed=1, today=TODAY)
        with ws.engine.connect() as conn:
            n = conn.exec_driver_sql("SELECT COUNT(*) FROM customers").scalar_one()
        assert n == 1
    finally:
        ws.close()


@pytest.fixture
def fresh_pg(pg_url: str) -> Iterator[str]:
    """A database of its own on the module's server (the other tests fill theirs with a
    demo, which a real import would refuse to mix with)."""
    from sqlalchemy import create_engine

    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql("CREATE DATABASE radar_dates")
        yield pg_url.rsplit("/", 1)[0] + "/radar_dates"
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql("DROP DATABASE IF EXISTS radar_dates WITH (FORCE)")
        admin.dispose()


def test_event_offsets_and_migration_0004_on_postgresql(fresh_pg: str, tmp_path: Path) -> None:
    """Local dates on PostgreSQL: the shop's offset is stored beside the UTC time, the draft
    says the shop's date, and migration 0004 goes down to 0003 and back up keeping rows."""
    from alembic import command
    from sqlalchemy import inspect

    from models.db import session_scope
    from models.migrate import alembic_config, head_revision, upgrade
    from services.importing.service import run_import
    from services.outreach.context import build_context

    path = tmp_path / "orders.csv"
    path.write_text(
        "customer_id,order_id,order_date,amount\nC1,O1,2024-09-19 21:30:00 -0700,50.00\n",
        encoding="utf-8",
    )
    ws = open_workspace(fresh_pg)
    try:
        assert run_import(ws.engine, [path]).landed
        with ws.engine.connect() as conn:
            stored = conn.exec_driver_sql("SELECT order_date, utc_offset_minutes FROM orders").all()
        assert [(r[0].replace(tzinfo=None), r[1]) for r in stored] == [
            (dt.datetime(2024, 9, 20, 4, 30), -420)
        ]
        with session_scope(ws.sessions) as session:
            customer = session.query(Customer).one()
            context = build_context(
                session, customer.id, now=dt.datetime(2024, 10, 1, tzinfo=dt.UTC)
            )
        assert context.last_order is not None
        assert context.last_order.date == dt.date(2024, 9, 19)

        cfg = alembic_config()
        with ws.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0003")
        columns = {c["name"] for c in inspect(ws.engine).get_columns("orders")}
        assert "utc_offset_minutes" not in columns
        assert "utc_offset_minutes" not in {
            c["name"] for c in inspect(ws.engine).get_columns("interactions")
        }
        upgrade(ws.engine)
        with ws.engine.connect() as conn:
            version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one()
            kept = conn.exec_driver_sql(
                "SELECT COUNT(*), COUNT(utc_offset_minutes) FROM orders"
            ).one()
        assert version == head_revision()
        assert tuple(kept) == (1, 0)  # the row is kept; its offset is gone with the column
    finally:
        ws.close()


def test_the_customers_export_writes_the_shops_date_on_postgresql(
    fresh_pg: str, tmp_path: Path
) -> None:
    """The customers export writes the last order on the shop's clock: the
    join on each customer's latest order_date holds on PostgreSQL's timestamps too."""
    import csv

    from services.importing.service import run_import
    from services.usecases.exporting import export_table

    source = tmp_path / "orders.csv"
    source.write_text(
        "customer_id,order_id,order_date,amount\n"
        "C1,O0,2024-09-01 10:00:00 -0700,20.00\n"
        "C1,O1,2024-09-19 21:30:00 -0700,50.00\n",
        encoding="utf-8",
    )
    ws = open_workspace(fresh_pg)
    try:
        assert run_import(ws.engine, [source]).landed
        target = tmp_path / "customers.csv"
        export_table(ws.engine, "customers", target)
    finally:
        ws.close()
    with target.open(encoding="utf-8-sig", newline="") as fh:
        (row,) = list(csv.DictReader(fh))
    assert row["last_order"].startswith("2024-09-19 21:30")
