"""The import's bulk paths give the workspace the row-by-row paths give, table for table:

- new rows inserted on SQLite by multi-row ``INSERT ... VALUES`` statements
  (services/importing/bulkinsert.py) instead of one executemany step per row;
- customers referenced by id alone (no emails, no guest checkouts) resolved in bulk
  (``Identities._resolve_by_ids``) instead of the row-by-row loop, and the loop kept for
  the files that name customers by email or have guest checkouts; on SQLite the new
  customers' identities are read back from them by one ``INSERT ... SELECT``
  (``Store.insert_new_identities``) instead of bound row by row.

Each case imports the same files into two new workspaces (SQLite, then PostgreSQL, where
only the second path applies), one with the bulk paths and one with the row-by-row ones,
and compares every table's rows (tests/support/table_digest.py), the moments of the run
(import times, customers' creation) set alike.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from app.workspace import open_workspace
from services.importing import bulkinsert, identity, service, storage
from tests.support.databases import new_workspace_url
from tests.support.table_digest import table_digests

CUSTOMERS = "customer_id,email,name\n" + "".join(
    f"C{i},person{i}@example.com,Person {i}\n" for i in range(0, 40, 3)
)


def _orders(rows: int, *, email: bool = False) -> str:
    header = "customer_id,order_id,order_date,amount,category" + (",email" if email else "")
    lines = []
    for i in range(rows):
        line = f"C{i % 60},O{i},2026-01-{1 + i % 28:02d},{i % 90}.{i % 100:02d},c{i % 4}"
        if email:
            line += f",person{i % 60}@example.com" if i % 5 else ","
        lines.append(line + "\n")
    return header + "\n" + "".join(lines)


def _row_by_row_insert(cur: Any, head: str, marks: str, columns: Sequence[list[Any]]) -> None:
    """What insert_columns replaced: one executemany step per row."""
    cur.executemany(f"{head} VALUES {marks}", zip(*columns, strict=True))


@pytest.fixture
def workspaces(
    database: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Engine, Engine]]:
    """Two new workspaces (SQLite, then PostgreSQL): the bulk paths', then the
    row-by-row paths'."""
    opened = []
    for name in ("bulk", "rows"):
        folder = tmp_path / name
        folder.mkdir()
        opened.append(open_workspace(new_workspace_url(request, database, folder), backup=False))
    try:
        yield opened[0].engine, opened[1].engine
    finally:
        for workspace in opened:
            workspace.close()


def _import(engine: Engine, files: list[Path]) -> list[tuple[int, int, int, int]]:
    report = service.run_import(engine, files)
    return [(f.inserted, f.updated, f.unchanged, f.rejected) for f in report.files]


def _same_moments(engine: Engine) -> None:
    """The run's own moments set alike in both workspaces (the rest must match as is)."""
    moment = dt.datetime(2026, 1, 1)
    updates = (
        "UPDATE customers SET created_at = :m, updated_at = :m",
        "UPDATE import_runs SET started_at = :m, finished_at = :m",
        "UPDATE settings SET updated_at = :m",
        "UPDATE audit_events SET occurred_at = :m",
    )
    with engine.begin() as conn:
        for sql in updates:
            conn.execute(text(sql), {"m": moment})


def _compare(
    workspaces: tuple[Engine, Engine],
    files: list[Path],
    monkeypatch: pytest.MonkeyPatch,
) -> list[tuple[int, int, int, int]]:
    bulk, rows = workspaces
    monkeypatch.setattr(storage, "CHUNK", 250)  # several chunks, each ending mid-statement
    counts = _import(bulk, files)
    with monkeypatch.context() as m:
        m.setattr(storage, "insert_columns", _row_by_row_insert)
        m.setattr(identity.Identities, "_resolve_by_ids", lambda *_a, **_k: None)
        assert _import(rows, files) == counts
    for engine in (bulk, rows):
        _same_moments(engine)
    assert table_digests(bulk) == table_digests(rows)
    return counts


def _count_bulk_resolves(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = identity.Identities._resolve_by_ids

    def counting(self: identity.Identities, *args: Any) -> Any:
        out = real(self, *args)
        calls.append(0 if out is None else len(out))
        return out

    monkeypatch.setattr(identity.Identities, "_resolve_by_ids", counting)
    return calls


def test_ids_alone_resolved_in_bulk_and_the_same_workspace(
    workspaces: tuple[Engine, Engine], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    customers, orders, more = (tmp_path / n for n in ("customers.csv", "o1.csv", "o2.csv"))
    customers.write_text(CUSTOMERS, encoding="utf-8")
    orders.write_text(_orders(700), encoding="utf-8")
    # A second file: 700 rows again (unchanged, skipped by their hash) and 300 new ones,
    # some of them for customers the first file created.
    more.write_text(_orders(1000), encoding="utf-8")
    calls = _count_bulk_resolves(monkeypatch)
    counts = _compare(workspaces, [customers, orders, more], monkeypatch)
    assert counts[1] == (700, 0, 0, 0)
    assert counts[2] == (300, 0, 700, 0)
    # 60 customer ids, 14 of them stored by the customers file: the other 46 created.
    assert calls == [60, 60]
    with workspaces[0].connect() as conn:
        created = conn.execute(text("SELECT COUNT(*) FROM customers")).scalar_one()
    assert created == 60


SHOPIFY = Path(__file__).parents[2] / "data" / "samples" / "shopify" / "orders_export_1.csv"


@pytest.mark.parametrize("records", ["emails", "shopify"])
def test_emails_or_guests_take_the_row_by_row_loop(
    workspaces: tuple[Engine, Engine],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    records: str,
) -> None:
    """Orders naming customers by email too, and a Shopify export (emails and guest
    checkouts): the loop decides, with the same workspace on both sides."""
    customers, orders = tmp_path / "customers.csv", tmp_path / "orders.csv"
    customers.write_text(CUSTOMERS, encoding="utf-8")
    if records == "emails":
        orders.write_text(_orders(600, email=True), encoding="utf-8")
    else:
        orders.write_bytes(SHOPIFY.read_bytes())
    calls = _count_bulk_resolves(monkeypatch)
    counts = _compare(workspaces, [customers, orders], monkeypatch)
    assert counts[1][0] > 0
    assert calls == []


@pytest.mark.parametrize("width", [1, 3, 7])
@pytest.mark.parametrize("rows", [0, 1, 142, 143, 500, 1001])
def test_multi_row_statements_store_what_executemany_stores(width: int, rows: int) -> None:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    values: list[Any] = [7, "text", None, 2.5, b"\x00bytes", True, 2**62]
    columns = [[values[(r + c) % len(values)] for r in range(rows)] for c in range(width)]
    names = ",".join(f"c{c}" for c in range(width))
    marks = "(" + ",".join("?" * width) + ",'lit')"
    for table in ("bulk", "rows"):
        conn.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, {names}, k TEXT)")
    cur = conn.cursor()
    bulkinsert.insert_columns(cur, f"INSERT INTO bulk ({names},k)", marks, columns)
    _row_by_row_insert(cur, f"INSERT INTO rows ({names},k)", marks, columns)
    typed = ",".join(f"c{c}, typeof(c{c})" for c in range(width))
    stored = [
        conn.execute(f"SELECT id, {typed}, k FROM {t} ORDER BY id").fetchall()
        for t in ("bulk", "rows")
    ]
    assert stored[0] == stored[1]
    assert len(stored[0]) == rows


def test_long_literals_make_shorter_statements(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulkinsert, "MAX_SQL", 5_000)
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, a, b, c, d)")
    long = "'" + "x" * 255 + "'"
    marks = f"(?,{long},{long},{long})"
    seen: list[int] = []
    conn.set_trace_callback(lambda sql: seen.append(len(sql)))
    bulkinsert.insert_columns(conn.cursor(), "INSERT INTO t (a,b,c,d)", marks, [list(range(3000))])
    assert 4_000 < max(seen) <= 5_000 + len("INSERT INTO t (a,b,c,d) VALUES ")
    assert conn.execute("SELECT COUNT(*), SUM(a), MIN(length(d)) FROM t").fetchone() == (
        3000,
        sum(range(3000)),
        255,
    )


def test_no_bound_column_is_refused() -> None:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    with pytest.raises(ValueError, match="at least one bound column"):
        bulkinsert.insert_columns(conn.cursor(), "INSERT INTO t (a)", "(1)", [])
