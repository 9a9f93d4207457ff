"""The door every question goes through: services/ask/readonly.py over the ask_ views.

On a real scored demo workspace file: each view has exactly its documented columns, reads
the same figures as the tables (local dates, money in major units and in the home
currency), and a query that would write, read a table or run long is refused or stopped
with the workspace file left byte-identical. The same views and guards on PostgreSQL.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.workspace import Workspace, open_workspace, to_url
from models.schema import Customer
from services.ask.errors import QueryCancelled, QueryFailed, QueryRefused, QueryTimeout
from services.ask.readonly import check_postgres_sql, run_query
from services.ask.views import ASK_VIEWS, schema_text, view_sql
from services.core.money import money_context
from tests.unit.workspace.test_postgres import pg_url  # noqa: F401  (the fixture)

SPIN = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"


def add_likely_deals(ws: Workspace) -> None:
    """Two open deals on the first customer: one the "likely to close" question finds (80%,
    $450) and one just outside it (70%, $200). The demo's own deals are drawn around the
    day it is built: on some days none of them is that likely."""
    from models.schema import Opportunity

    with Session(ws.engine) as session, session.begin():
        first = session.scalars(select(Customer.id).order_by(Customer.id).limit(1)).one()
        for name, probability, cents in (("Gift hampers", 0.8, 45_000), ("Desk set", 0.7, 20_000)):
            session.add(
                Opportunity(
                    customer_id=first,
                    name=name,
                    stage="Negotiation",
                    amount_cents=cents,
                    probability=probability,
                    closed=False,
                )
            )


@pytest.fixture(scope="module")
def scored_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from services.alerts.generate import generate_alerts
    from services.demo import build_demo
    from services.scoring.run import score_workspace

    path = tmp_path_factory.mktemp("ask") / "ask.radar.sqlite"
    ws = open_workspace(to_url(str(path)), backup=False)
    try:
        build_demo(ws.engine, customers=300, seed=11)
        summary = score_workspace(ws.engine)
        generate_alerts(ws.engine, summary.run_id)
        with ws.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        ws.close()
    return path


@pytest.fixture
def ws(scored_file: Path, tmp_path: Path) -> Iterator[Workspace]:
    target = tmp_path / "ask.radar.sqlite"
    shutil.copy(scored_file, target)
    workspace = open_workspace(to_url(str(target)), backup=False)
    yield workspace
    workspace.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _file(ws: Workspace) -> Path:
    return Path(str(ws.engine.url.database))


def test_every_view_has_exactly_its_documented_columns(ws: Workspace) -> None:
    for view in ASK_VIEWS:
        result = run_query(ws.engine, f"SELECT * FROM {view.name} LIMIT 3")
        assert result.columns == view.column_names, view.name
    text = schema_text(["Size · small · fit", "Refund · weeks"])
    assert all(v.name in text for v in ASK_VIEWS)
    assert "Reasons (the reason column): Size · small · fit; Refund · weeks." in text
    assert "Reasons" not in schema_text()


def test_orders_read_as_the_table_says_with_local_dates_and_major_units(ws: Workspace) -> None:
    raw = sqlite3.connect(_file(ws))
    try:
        rows = raw.execute(
            "SELECT id, order_date, utc_offset_minutes, amount_cents, currency, status "
            "FROM orders ORDER BY id"
        ).fetchall()
    finally:
        raw.close()
    import datetime as dt

    result = run_query(
        ws.engine, "SELECT order_id, day, amount, currency, status FROM ask_orders ORDER BY 1",
        row_limit=100_000,
    )  # fmt: skip
    assert len(result.rows) == len(rows)
    for (oid, stored, offset, cents, cur, status), got in zip(rows, result.rows, strict=True):
        when = dt.datetime.fromisoformat(stored) + dt.timedelta(minutes=offset or 0)
        assert got == (oid, when.date().isoformat(), cents / 100.0, cur, status)


def test_home_currency_amounts_follow_the_exchange_rates() -> None:
    sql = view_sql(money_context("EUR", {"USD": 0.5}))["ask_orders"]
    assert "WHEN 'USD' THEN CAST(ROUND(o.amount_cents * 0.5) AS BIGINT)" in sql
    assert "WHEN 'EUR' THEN o.amount_cents" in sql


def test_customers_carry_the_latest_scores_and_paid_totals(ws: Workspace) -> None:
    raw = sqlite3.connect(_file(ws))
    try:
        run_id = raw.execute(
            "SELECT id FROM scoring_runs WHERE status = 'finished' ORDER BY as_of DESC, id DESC"
        ).fetchone()[0]
        expected = dict(
            raw.execute(
                "SELECT customer_id, churn_risk FROM score_snapshots WHERE scoring_run_id = ?",
                (run_id,),
            ).fetchall()
        )
        paid = dict(
            raw.execute(
                "SELECT customer_id, count(*) FROM orders WHERE status = 'paid' GROUP BY 1"
            ).fetchall()
        )
    finally:
        raw.close()
    result = run_query(ws.engine, "SELECT customer_id, churn_risk, paid_orders FROM ask_customers")
    assert len(result.rows) == 300
    for cid, risk, orders in result.rows:
        assert risk == expected.get(cid)
        assert orders == paid.get(cid, 0)


@pytest.mark.parametrize(
    ("sql", "words"),
    [
        ("DELETE FROM ask_orders", "starts with DELETE"),
        ("UPDATE ask_customers SET tier = 'Gold'", "starts with UPDATE"),
        ("INSERT INTO settings VALUES ('x', '1', '2026-01-01')", "starts with INSERT"),
        ("ATTACH DATABASE '/tmp/elsewhere.sqlite' AS e", "starts with ATTACH"),
        ("PRAGMA writable_schema = ON", "starts with PRAGMA"),
        ("WITH x AS (SELECT 1) DELETE FROM customers", "delete rows"),
        ("WITH x AS (SELECT 1) UPDATE customers SET tier = 'Gold'", "update rows"),
        ("SELECT 1; DELETE FROM customers", "more than one statement"),
        ("SELECT * FROM customers", "not the table 'customers'"),
        ("SELECT * FROM main.orders", "not the table 'orders'"),
        ("SELECT name FROM sqlite_master", "not the table 'sqlite_master'"),
        ("SELECT * FROM ask_orders JOIN settings ON 1 = 1", "not the table 'settings'"),
        ("SELECT load_extension('evil')", "load_extension"),
        ("WITH x AS (DELETE FROM customers RETURNING id) SELECT * FROM x", "delete rows"),
        (
            "WITH x AS (INSERT INTO settings VALUES ('k', 'v', 'd') RETURNING 1) SELECT * FROM x",
            "insert rows",
        ),
        (
            "WITH x AS (UPDATE customers SET tier = 'Gold' RETURNING id) SELECT * FROM x",
            "update rows",
        ),
        ("WITH x AS (SELECT 1) REPLACE INTO settings VALUES ('k', 'v', 'd')", "insert rows"),
        ("SELECT * FROM ask_orders /* x */ ; CREATE TABLE t (a)", "more than one statement"),
        ("WITH t AS (SELECT 1) CREATE TABLE t2 AS SELECT * FROM t", "create a table"),
        ("SELECT * FROM pragma_table_info('customers')", "other table-valued functions"),
        ("SELECT * FROM ask_orders, pragma_database_list", "other table-valued functions"),
    ],
)
def test_what_is_not_a_read_of_the_views_is_refused_and_nothing_changes(
    ws: Workspace, sql: str, words: str
) -> None:
    path = _file(ws)
    ws.engine.dispose()
    before = _digest(path)
    with pytest.raises(QueryRefused, match=words.replace("(", r"\(").replace(")", r"\)")):
        run_query(ws.engine, sql)
    assert _digest(path) == before
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT count(*) FROM customers").fetchone()[0] == 300


def test_a_query_may_use_its_own_ctes_and_subqueries(ws: Workspace) -> None:
    result = run_query(
        ws.engine,
        "WITH gold AS (SELECT customer_id FROM ask_customers WHERE tier = 'Gold'), "
        "n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3) "
        "SELECT (SELECT count(*) FROM gold) AS gold, (SELECT sum(x) FROM n) AS six",
    )
    with sqlite3.connect(_file(ws)) as raw:
        gold = raw.execute("SELECT count(*) FROM customers WHERE tier = 'Gold'").fetchone()[0]
    assert result.rows == [(gold, 6)]


def test_json_each_reads_a_customers_attributes_and_words_in_text_are_only_text(
    ws: Workspace,
) -> None:
    import json

    result = run_query(
        ws.engine,
        "SELECT c.customer_id, j.key, j.value FROM ask_customers c, json_each(c.attributes) j "
        "WHERE 'delete from customers' <> '' ORDER BY c.customer_id, j.key",
        row_limit=100_000,
    )
    with sqlite3.connect(_file(ws)) as raw:
        stored = raw.execute("SELECT id, attributes FROM customers").fetchall()
    expected = sorted(
        (cid, key, value)
        for cid, text in stored
        if text
        for key, value in json.loads(text).items()
        if not isinstance(value, (dict, list))
    )
    assert expected  # the demo's customers carry attributes
    assert sorted(r for r in result.rows if not str(r[2]).startswith(("{", "["))) == expected
    tree = run_query(ws.engine, 'SELECT count(*) FROM json_tree(\'{"a": {"b": 1}}\')')
    assert tree.rows == [(3,)]


def test_a_broken_query_fails_with_the_databases_words(ws: Workspace) -> None:
    with pytest.raises(QueryFailed) as caught:
        run_query(ws.engine, "SELECT nope FROM ask_orders")
    assert "no such column: nope" in caught.value.error
    assert caught.value.sql == "SELECT nope FROM ask_orders"


def test_a_long_query_is_stopped_at_its_time_limit(ws: Workspace) -> None:
    path = _file(ws)
    ws.engine.dispose()
    before = _digest(path)
    with pytest.raises(QueryTimeout, match="longer than 0.3 s"):
        run_query(ws.engine, SPIN, time_limit_s=0.3)
    assert _digest(path) == before


def test_cancel_stops_a_running_query(ws: Workspace) -> None:
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(QueryCancelled):
        run_query(ws.engine, SPIN, time_limit_s=30, cancelled=cancelled)


def test_rows_past_the_limit_are_cut_and_said(ws: Workspace) -> None:
    result = run_query(ws.engine, "SELECT customer_id FROM ask_customers", row_limit=10)
    assert len(result.rows) == 10
    assert result.truncated
    whole = run_query(ws.engine, "SELECT customer_id FROM ask_customers", row_limit=300)
    assert len(whole.rows) == 300
    assert not whole.truncated


def test_named_parameters_are_bound_not_pasted(ws: Workspace) -> None:
    result = run_query(
        ws.engine,
        "SELECT count(*) FROM ask_customers WHERE tier = :tier",
        {"tier": "Gold' OR '1'='1"},
    )
    assert result.rows == [(0,)]


def test_the_postgres_text_check_names_what_it_refuses() -> None:
    check_postgres_sql("WITH g AS (SELECT * FROM ask_customers) SELECT * FROM g")
    check_postgres_sql("SELECT 'delete from customers' AS words FROM ask_orders")
    check_postgres_sql("SELECT j.key FROM ask_customers c, json_each(c.attributes::json) j")
    for sql, words in [
        ("SELECT * FROM customers", "'customers'"),
        ("SELECT 1; SELECT 2", "more than one"),
        ("WITH x AS (DELETE FROM customers RETURNING id) SELECT * FROM x", "DELETE"),
    ]:
        with pytest.raises(QueryRefused, match=words):
            check_postgres_sql(sql)


def test_the_views_and_the_guards_on_postgresql(pg_url: str) -> None:  # noqa: F811
    from services.demo import build_demo

    ws = open_workspace(pg_url)
    try:
        build_demo(ws.engine, customers=60, seed=5)
        for view in ASK_VIEWS:
            result = run_query(ws.engine, f"SELECT * FROM {view.name} LIMIT 2")
            assert result.columns == view.column_names, view.name
        result = run_query(ws.engine, "SELECT count(*) FROM ask_orders WHERE status = 'paid'")
        with ws.engine.connect() as conn:
            paid = conn.exec_driver_sql(
                "SELECT count(*) FROM orders WHERE status = 'paid'"
            ).scalar_one()
        assert result.rows == [(paid,)]
        with pytest.raises(QueryRefused):
            run_query(ws.engine, "SELECT * FROM customers")
        # Past the text check, the database itself refuses: the query runs as a role that
        # can read only the views.
        from services.ask import readonly

        with pytest.raises(QueryRefused, match="not the table 'customers'"):
            readonly._run_postgres(
                ws.engine, "SELECT count(*) FROM customers", None, 10, 5.0, lambda: False
            )
        with pytest.raises(QueryRefused, match="can only read"):
            readonly._run_postgres(
                ws.engine,
                "WITH x AS (DELETE FROM ask_orders RETURNING 1) SELECT * FROM x",
                None, 10, 5.0, lambda: False,
            )  # fmt: skip
        with pytest.raises(QueryTimeout):
            run_query(ws.engine, "SELECT pg_sleep(3) FROM ask_orders LIMIT 1", time_limit_s=0.5)
        with ws.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM customers").scalar_one() == 60
    finally:
        ws.close()
