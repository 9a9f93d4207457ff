"""The rollups' refunded orders (migration 0022, models/refunds.py): each customer's count
of refunded orders, kept by every writer of the rollups and checked by `db check`, on
SQLite and PostgreSQL."""

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


def _order(conn: Connection, cid: int, when: str, status: str, cents: int = 1000) -> None:
    conn.execute(
        Order.__table__.insert().values(
            customer_id=cid,
            order_date=dt.datetime.fromisoformat(when),
            amount_cents=cents,
            status=status,
        )
    )


def _rollups(conn: Connection) -> dict[int, tuple[int, int, int, str | None]]:
    rows = conn.execute(
        select(
            CustomerRollup.customer_id,
            CustomerRollup.refunded_orders,
            CustomerRollup.paid_orders,
            CustomerRollup.paid_revenue_cents,
            CustomerRollup.last_order_at,
        )
    )
    return {
        int(cid): (refunded, paid, int(revenue), last and last.strftime("%Y-%m-%d %H:%M"))
        for cid, refunded, paid, revenue, last in rows
    }


def test_the_refresh_counts_refunds_beside_the_paid_totals(workspace_url: str) -> None:
    ws = open_workspace(workspace_url)
    try:
        with ws.engine.begin() as conn:
            ada, bo, cy, di = (_customer(conn, n) for n in ("Ada", "Bo", "Cy", "Di"))
            _order(conn, ada, "2026-11-01 10:00", "paid", 1500)
            _order(conn, ada, "2026-11-20 03:00", "refunded", 4000)  # after the last paid one
            _order(conn, ada, "2026-11-21 03:00", "refunded")
            _order(conn, bo, "2026-11-05 12:00", "refunded")  # a refund and nothing paid
            _order(conn, bo, "2026-11-06 12:00", "cancelled")
            _order(conn, cy, "2026-11-09 23:30", "paid", 700)
            _order(conn, cy, "2026-11-10 23:30", "pending")
            assert refresh_rollups(Session(bind=conn)) == 4
            assert _rollups(conn) == {
                ada: (2, 1, 1500, "2026-11-01 10:00"),
                bo: (1, 0, 0, None),
                cy: (0, 1, 700, "2026-11-09 23:30"),
                di: (0, 0, 0, None),
            }
            assert stale_rollups(Session(bind=conn)) == 0
    finally:
        ws.close()


def test_db_check_finds_a_wrong_refund_count(workspace_url: str) -> None:
    ws = open_workspace(workspace_url)
    try:
        with ws.engine.begin() as conn:
            ada = _customer(conn, "Ada")
            _order(conn, ada, "2026-11-20 03:00", "refunded")
            refresh_rollups(Session(bind=conn))
            assert stale_rollups(Session(bind=conn)) == 0
            conn.execute(update(CustomerRollup).values(refunded_orders=0))
            assert stale_rollups(Session(bind=conn)) == 1
            refresh_rollups(Session(bind=conn))
            _order(conn, ada, "2026-11-21 03:00", "refunded")  # one more: the count is behind
            assert stale_rollups(Session(bind=conn)) == 1
            refresh_rollups(Session(bind=conn))
            assert _rollups(conn)[ada][0] == 2
    finally:
        ws.close()


def _orders_file(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    lines = ["customer_email,order_id,order_date,amount,status"]
    lines += [f"{email},{order},{when},25.00,{status}" for email, order, when, status in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_an_import_and_its_undo_keep_the_count(workspace_url: str, tmp_path: Path) -> None:
    from services.importing.history import undo_import
    from services.importing.service import run_import

    ws = open_workspace(workspace_url, backup=False)
    try:
        first = _orders_file(
            tmp_path / "orders.csv",
            [("ada@example.com", "A-1", "2026-11-01", "paid"),
             ("ada@example.com", "A-2", "2026-11-02", "refunded"),
             ("bo@example.com", "B-1", "2026-11-02", "paid")],
        )  # fmt: skip
        assert run_import(ws.engine, [first]).files[0].error is None
        later = _orders_file(
            tmp_path / "orders_later.csv",
            [("bo@example.com", "B-2", "2026-11-19", "refunded"),
             ("bo@example.com", "B-3", "2026-11-20", "refunded")],
        )  # fmt: skip
        report = run_import(ws.engine, [later])
        assert report.files[0].error is None
        with ws.engine.connect() as conn:
            names = dict(conn.execute(select(Customer.email, Customer.id)).all())
            ada, bo = names["ada@example.com"], names["bo@example.com"]
            assert {c: r[0] for c, r in _rollups(conn).items()} == {ada: 1, bo: 2}
            assert stale_rollups(Session(bind=conn)) == 0
        run_id = report.files[0].run_id
        assert run_id is not None
        undo_import(ws.engine, run_id)
        with ws.engine.connect() as conn:
            assert {c: r[0] for c, r in _rollups(conn).items()} == {ada: 1, bo: 0}
            assert stale_rollups(Session(bind=conn)) == 0
    finally:
        ws.close()


def test_upgrading_a_0021_workspace_fills_the_count(workspace_url: str) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from models.migrate import INDEX_ONLY_REVISIONS, alembic_config, head_revision, upgrade

    ws = open_workspace(workspace_url, backup=False)
    try:
        with ws.engine.begin() as conn:
            ada, bo, cy = (_customer(conn, n) for n in ("Ada", "Bo", "Cy"))
            _order(conn, ada, "2026-11-01 10:00", "refunded")
            _order(conn, ada, "2026-11-02 10:00", "refunded")
            _order(conn, ada, "2026-11-03 10:00", "paid")
            _order(conn, bo, "2026-11-09 12:00", "refunded")
            _order(conn, cy, "2026-11-09 23:30", "paid")
            refresh_rollups(Session(bind=conn))
        cfg = alembic_config()
        with ws.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0021")
        columns = {c["name"] for c in inspect(ws.engine).get_columns("customer_rollups")}
        assert "refunded_orders" not in columns
        upgrade(ws.engine, backup=False)
        with ws.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one() == (
                head_revision()
            )
            assert {c: r[0] for c, r in _rollups(conn).items()} == {ada: 2, bo: 1, cy: 0}
            assert stale_rollups(Session(bind=conn)) == 0
        assert "0022" in INDEX_ONLY_REVISIONS  # added in place: no check of every row
    finally:
        ws.close()
