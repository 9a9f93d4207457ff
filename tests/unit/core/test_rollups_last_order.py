"""The rollups' last order offset (migration 0021, models/last_orders.py): the offset of the
latest paid order, kept by every writer of the rollups and checked by `db check`, on SQLite
and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Connection, select, update
from sqlalchemy.orm import Session

from app.workspace import open_workspace
from models.schema import Customer, CustomerRollup, Order
from services.core.rollups import refresh_rollups, stale_rollups


def _customer(conn: Connection, name: str) -> int:
    return int(
        conn.execute(
            Customer.__table__.insert().values(source="t", external_id=name, name=name)
        ).inserted_primary_key[0]
    )


def _order(conn: Connection, cid: int, when: str, offset: int | None, status: str = "paid") -> None:
    conn.execute(
        Order.__table__.insert().values(
            customer_id=cid,
            order_date=dt.datetime.fromisoformat(when),
            utc_offset_minutes=offset,
            amount_cents=1000,
            status=status,
        )
    )


def _offsets(conn: Connection) -> dict[int, int | None]:
    rows = conn.execute(select(CustomerRollup.customer_id, CustomerRollup.last_order_offset_min))
    return {int(cid): offset for cid, offset in rows}


def test_the_refresh_keeps_the_offset_of_the_latest_paid_order(workspace_url: str) -> None:
    ws = open_workspace(workspace_url)
    try:
        with ws.engine.begin() as conn:
            ada, bo, cy, di, ed = (_customer(conn, n) for n in ("Ada", "Bo", "Cy", "Di", "Ed"))
            _order(conn, ada, "2026-11-01 10:00", 60)
            _order(conn, ada, "2026-11-20 03:00", -420)  # the latest paid one
            _order(conn, ada, "2026-11-22 03:00", 120, status="refunded")  # not paid
            _order(conn, bo, "2026-11-05 12:00", 330)
            _order(conn, bo, "2026-11-09 12:00", None)  # the latest named no zone
            _order(conn, cy, "2026-11-09 23:30", -300)
            _order(conn, cy, "2026-11-09 23:30", 60)  # the same time: the greater offset
            _order(conn, di, "2026-11-09 10:00", 60, status="cancelled")  # no paid order
            assert refresh_rollups(Session(bind=conn)) == 5
            assert _offsets(conn) == {ada: -420, bo: None, cy: 60, di: None, ed: None}
            assert stale_rollups(Session(bind=conn)) == 0
    finally:
        ws.close()


def test_db_check_finds_a_wrong_offset(workspace_url: str) -> None:
    ws = open_workspace(workspace_url)
    try:
        with ws.engine.begin() as conn:
            ada = _customer(conn, "Ada")
            _order(conn, ada, "2026-11-20 03:00", -420)
            refresh_rollups(Session(bind=conn))
            assert stale_rollups(Session(bind=conn)) == 0
            conn.execute(update(CustomerRollup).values(last_order_offset_min=None))
            assert stale_rollups(Session(bind=conn)) == 1
            # A new order at the same time with a greater offset changes what it should be.
            refresh_rollups(Session(bind=conn))
            _order(conn, ada, "2026-11-20 03:00", 0)
            assert stale_rollups(Session(bind=conn)) == 1
            refresh_rollups(Session(bind=conn))
            assert _offsets(conn) == {ada: 0}
    finally:
        ws.close()


def _orders_file(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    lines = ["customer_email,order_id,order_date,amount,category"]
    lines += [f"{email},{order},{when},25.00,tops" for email, order, when in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_an_import_and_its_undo_keep_the_offset(workspace_url: str, tmp_path: Path) -> None:
    from services.importing.history import undo_import
    from services.importing.service import run_import

    ws = open_workspace(workspace_url, backup=False)
    try:
        first = _orders_file(
            tmp_path / "orders.csv",
            [("ada@example.com", "A-1", "2026-11-01 10:00:00 +0100"),
             ("bo@example.com", "B-1", "2026-11-02 10:00:00 -0500")],
        )  # fmt: skip
        assert run_import(ws.engine, [first]).files[0].error is None
        later = _orders_file(
            tmp_path / "orders_later.csv",
            [("ada@example.com", "A-2", "2026-11-19 21:30:00 -0700")],
        )
        report = run_import(ws.engine, [later])
        assert report.files[0].error is None
        with ws.engine.connect() as conn:
            names = dict(conn.execute(select(Customer.email, Customer.id)).all())
            ada, bo = names["ada@example.com"], names["bo@example.com"]
            assert _offsets(conn) == {ada: -420, bo: -300}
            assert stale_rollups(Session(bind=conn)) == 0
        run_id = report.files[0].run_id
        assert run_id is not None
        undo_import(ws.engine, run_id)
        with ws.engine.connect() as conn:
            assert _offsets(conn) == {ada: 60, bo: -300}
            assert stale_rollups(Session(bind=conn)) == 0
    finally:
        ws.close()


def test_upgrading_a_0020_workspace_fills_the_offset(workspace_url: str) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from models.migrate import INDEX_ONLY_REVISIONS, alembic_config, head_revision, upgrade

    ws = open_workspace(workspace_url, backup=False)
    try:
        with ws.engine.begin() as conn:
            ada, bo, cy = (_customer(conn, n) for n in ("Ada", "Bo", "Cy"))
            _order(conn, ada, "2026-11-01 10:00", 60)
            _order(conn, ada, "2026-11-20 03:00", -420)
            _order(conn, bo, "2026-11-09 12:00", None)
            _order(conn, cy, "2026-11-09 23:30", -300)
            _order(conn, cy, "2026-11-09 23:30", 60)
            refresh_rollups(Session(bind=conn))
        cfg = alembic_config()
        with ws.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0020")
        columns = {c["name"] for c in inspect(ws.engine).get_columns("customer_rollups")}
        assert "last_order_offset_min" not in columns
        upgrade(ws.engine, backup=False)
        with ws.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one() == (
                head_revision()
            )
            assert _offsets(conn) == {ada: -420, bo: None, cy: 60}
            assert stale_rollups(Session(bind=conn)) == 0
        assert "0021" in INDEX_ONLY_REVISIONS  # added in place: no check of every row
    finally:
        ws.close()


def test_with_no_offset_anywhere_the_refresh_looks_none_up(workspace_url: str) -> None:
    ws = open_workspace(workspace_url)
    try:
        with ws.engine.begin() as conn:
            ada = _customer(conn, "Ada")
            _order(conn, ada, "2026-11-20 03:00", None)
            refresh_rollups(Session(bind=conn))
            assert _offsets(conn) == {ada: None}
            assert stale_rollups(Session(bind=conn)) == 0
            _order(conn, ada, "2026-11-21 03:00", 90)  # the first offset: looked up again
            assert stale_rollups(Session(bind=conn)) == 1
            refresh_rollups(Session(bind=conn))
            assert _offsets(conn) == {ada: 90}
    finally:
        ws.close()
