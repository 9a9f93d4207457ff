"""Dates of events are the local dates of the event."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from app.workspace import open_workspace, to_url
from models.db import session_scope
from models.migrate import _raw_pragma, alembic_config, upgrade
from services.core.local_dates import local_date, local_time, zone_problem
from services.importing.service import run_import
from services.outreach.context import build_context
from services.settings import set_setting
from services.usecases.customer_detail import load_customer_detail
from tests.support.paths import DATA


def _import(tmp_path: Path, body: str, *, zone: str | None = None) -> Path:
    path = tmp_path / "orders.csv"
    path.write_text("customer_id,order_id,order_date,amount\n" + body, encoding="utf-8")
    db = tmp_path / "w.radar.sqlite"
    ws = open_workspace(to_url(str(db)), backup=False)
    try:
        if zone is not None:
            with session_scope(ws.sessions) as session:
                set_setting(session, "workspace.time_zone", zone, actor="test")
        report = run_import(ws.engine, [path])
        assert report.landed, report.lines()
    finally:
        ws.close()
    return db


def _stored(db: Path) -> list[tuple[str, str, int | None]]:
    con = sqlite3.connect(db)
    try:
        return con.execute(
            "SELECT external_id, order_date, utc_offset_minutes FROM orders ORDER BY external_id"
        ).fetchall()
    finally:
        con.close()


def test_an_evening_order_keeps_its_day_in_the_draft_and_the_timeline(tmp_path: Path) -> None:
    db = _import(tmp_path, "C1,O1,2024-09-19 21:30:00 -0700,50.00\n")
    # Stored in UTC (already the 20th there), with the shop's offset beside it.
    assert _stored(db) == [("O1", "2024-09-20 04:30:00.000000", -420)]
    ws = open_workspace(to_url(str(db)), backup=False)
    try:
        with session_scope(ws.sessions) as session:
            context = build_context(session, 1, now=dt.datetime(2024, 10, 1, tzinfo=dt.UTC))
        detail = load_customer_detail(ws.engine, 1)
    finally:
        ws.close()
    assert context.last_order is not None
    assert context.last_order.date == dt.date(2024, 9, 19)
    orders = [e for e in detail.timeline if e.kind == "order"]
    assert [e.when.date() for e in orders] == [dt.date(2024, 9, 19)]
    assert detail.last_order is not None
    assert detail.last_order.date() == dt.date(2024, 9, 19)


def test_a_time_written_in_utc_takes_the_workspace_zone(tmp_path: Path) -> None:
    db = _import(
        tmp_path,
        "C1,O1,2024-09-20T04:30:00Z,50.00\nC1,O2,2024-09-19,20.00\n",
        zone="America/Los_Angeles",
    )
    # 04:30 UTC is 21:30 the day before in Los Angeles (summer time: -7 hours); a date
    # alone names no zone and stays the date the file gave.
    assert _stored(db) == [
        ("O1", "2024-09-20 04:30:00.000000", -420),
        ("O2", "2024-09-19 00:00:00.000000", None),
    ]
    assert local_date(dt.datetime(2024, 9, 20, 4, 30), -420) == dt.date(2024, 9, 19)
    assert local_date(dt.datetime(2024, 9, 19), None) == dt.date(2024, 9, 19)


def test_local_time_reads_the_clock_of_the_source() -> None:
    stored = dt.datetime(2024, 9, 20, 4, 30, tzinfo=dt.UTC)
    assert local_time(stored, -420) == dt.datetime(2024, 9, 19, 21, 30, tzinfo=dt.UTC)
    assert local_time(stored, 330) == dt.datetime(2024, 9, 20, 10, 0, tzinfo=dt.UTC)
    assert local_time(stored, None) == stored


def test_the_time_zone_setting_names_a_real_zone() -> None:
    assert zone_problem("") is None
    assert zone_problem("Europe/Berlin") is None
    problem = zone_problem("Mars/Olympus")
    assert problem is not None
    assert "not a time zone name" in problem


def test_the_migration_adds_and_removes_the_offset(tmp_path: Path) -> None:
    db = _import(tmp_path, "C1,O1,2024-09-19 21:30:00 -0700,50.00\n")
    ws = open_workspace(to_url(str(db)), backup=False)
    try:
        from alembic import command

        cfg = alembic_config()
        with ws.engine.connect() as conn:
            # As models.migrate.upgrade does: batch mode rebuilds `customers` on the way
            # down (0005), which with foreign keys on would cascade-delete the orders.
            _raw_pragma(conn, "PRAGMA foreign_keys = OFF")
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.downgrade(cfg, "0003")
            _raw_pragma(conn, "PRAGMA foreign_keys = ON")
        with ws.engine.connect() as conn:
            columns = [r[1] for r in conn.execute(text("PRAGMA table_info(orders)"))]
            kept = conn.execute(text("SELECT COUNT(*) FROM orders")).scalar_one()
        assert "utc_offset_minutes" not in columns
        assert kept == 1
        upgrade(ws.engine)
        with ws.engine.connect() as conn:
            columns = [r[1] for r in conn.execute(text("PRAGMA table_info(orders)"))]
            kept = conn.execute(text("SELECT COUNT(*) FROM orders")).scalar_one()
        assert "utc_offset_minutes" in columns
        assert kept == 1
    finally:
        ws.close()
    # Rows from before the upgrade have no offset: shown as the time stored.
    assert _stored(db) == [("O1", "2024-09-20 04:30:00.000000", None)]


@pytest.mark.parametrize("sample", ["orders_export_1.csv"])
def test_shopify_orders_keep_the_shops_offset(tmp_path: Path, sample: str) -> None:
    source = DATA / "samples" / "shopify" / sample
    db = tmp_path / "w.radar.sqlite"
    ws = open_workspace(to_url(str(db)), backup=False)
    try:
        assert run_import(ws.engine, [source]).landed
    finally:
        ws.close()
    con = sqlite3.connect(db)
    try:
        offsets = {r[0] for r in con.execute("SELECT DISTINCT utc_offset_minutes FROM orders")}
    finally:
        con.close()
    assert offsets <= {-300, -240}  # the sample's shop writes Eastern time
    assert offsets


def test_the_customers_export_writes_the_last_order_on_the_shops_clock(tmp_path: Path) -> None:
    from services.usecases.exporting import export_table

    db = _import(
        tmp_path,
        "C1,O0,2024-09-01 10:00:00 -0700,20.00\n"
        "C1,O2,2024-09-19 21:30:00 -0700,50.00\n"
        "C2,O3,2024-09-19 21:30:00,30.00\n",
    )
    ws = open_workspace(to_url(str(db)), backup=False)
    try:
        target = tmp_path / "customers.csv"
        export_table(ws.engine, "customers", target)
    finally:
        ws.close()
    import csv

    with target.open(encoding="utf-8-sig", newline="") as fh:
        rows = {r["customer_id"]: r for r in csv.DictReader(fh)}
    # C1's last order: 04:30 UTC on the 20th, 21:30 on the 19th in the shop.
    assert rows["C1"]["last_order"].startswith("2024-09-19")
    assert "21:30" in rows["C1"]["last_order"]
    # Days quiet counted from the 19th: one more than from UTC's 20th.
    quiet = (dt.datetime.now(dt.UTC).date() - dt.date(2024, 9, 19)).days
    assert int(rows["C1"]["days_since_last_order"]) == quiet
    assert int(rows["C2"]["days_since_last_order"]) == quiet
    # No zone named: the time as written.
    assert rows["C2"]["last_order"].startswith("2024-09-19")
    assert "21:30" in rows["C2"]["last_order"]
