"""A big insert into a small workspace rebuilds the secondary indexes once after it
(services/importing/transaction.py, ``bulk_indexes``): the orders', and the customers'
and identities' when the records create the customers. The threshold is lowered so a
small file takes that path; on PostgreSQL nothing is dropped."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, text

from services.importing import service, transaction
from services.importing.canonical import Batch

HEADER = "customer_id,order_id,order_date,amount,category\n"


def _indexes(engine: Engine) -> dict[str, set[str]]:
    tables = ("orders", "customers", "customer_identities")
    if engine.dialect.name != "sqlite":
        return {}
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT tbl_name, name FROM sqlite_master WHERE type = 'index' "
                "AND sql IS NOT NULL AND tbl_name IN ('orders', 'customers', "
                "'customer_identities')"
            )
        ).all()
    return {t: {name for table, name in rows if table == t} for t in tables}


def _record_dropped(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tables whose indexes the imports drop, in order (appended as they run)."""
    dropped: list[str] = []
    real = transaction._bulk_tables

    def recording(conn: Connection, batch: Batch) -> list[str]:
        tables = real(conn, batch)
        dropped.extend(tables)
        return tables

    monkeypatch.setattr(transaction, "_bulk_tables", recording)
    return dropped


def test_indexes_rebuilt_after_a_big_first_import(
    ws: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transaction, "REBUILD_INDEXES_FROM", 20)
    dropped = _record_dropped(monkeypatch)
    before = _indexes(ws)
    path = tmp_path / "orders.csv"
    rows = [f"C{i % 30},O{i},2026-01-{1 + i % 28:02d},{i}.50,tops\n" for i in range(300)]
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    report = service.run_import(ws, [path])
    (file,) = report.files
    assert (file.inserted, file.rejected) == (300, 0)
    if ws.dialect.name == "sqlite":
        assert dropped == ["orders", "customers", "customer_identities"]
    assert _indexes(ws) == before  # every index is back
    with ws.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM customers")).scalar_one() == 30
        found = conn.execute(
            text(
                "SELECT COUNT(*) FROM customer_identities i JOIN customers c "
                "ON c.id = i.customer_id AND c.external_id = i.external_id"
            )
        ).scalar_one()
        assert found == 30
        # The rebuilt indexes answer: a lookup through each gives the rows.
        by_customer = conn.execute(
            text(
                "SELECT COUNT(*) FROM orders o JOIN customers c ON c.id = o.customer_id "
                "WHERE c.external_id = 'C7'"
            )
        ).scalar_one()
        assert by_customer == 10
    # The same file again into the now populated workspace: nothing dropped (too few new
    # rows against what the tables hold), every row unchanged.
    dropped.clear()
    again = service.run_import(ws, [path]).files[0]
    assert (again.inserted, again.unchanged) == (0, 300)
    assert dropped == []


def test_customers_kept_when_the_workspace_already_has_many(
    ws: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transaction, "REBUILD_INDEXES_FROM", 20)
    first = tmp_path / "first.csv"
    first.write_text(
        HEADER + "".join(f"C{i},A{i},2026-01-05,1.00,tops\n" for i in range(10)), encoding="utf-8"
    )
    service.run_import(ws, [first])
    dropped = _record_dropped(monkeypatch)
    big = tmp_path / "big.csv"
    big.write_text(
        HEADER + "".join(f"C{i % 10},B{i},2026-01-06,2.00,tops\n" for i in range(60)),
        encoding="utf-8",
    )
    report = service.run_import(ws, [big]).files[0]
    assert report.inserted == 60
    if ws.dialect.name == "sqlite":
        # 60 orders into none of their source's: rebuilt; 10 customers is not under 6.
        assert dropped == ["orders"]
