"""What follows an import's write, made cheaper at a million rows: the rollups'
two questions about the orders asked in one scan when both answers are no, the
listening refresh reading the orders' categories only when there are enough negative
texts to learn reasons from, and the playbooks' check loading nothing when none runs;
on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, event, select, update
from sqlalchemy.orm import Session

from app.cli import imports as cli_imports
from models.schema import Customer, CustomerRollup, Order
from services.core.money import load_money_context
from services.core.rollups import (
    _has_foreign_orders,
    _has_order_offsets,
    _order_flags,
    refresh_rollups,
    stale_rollups,
)
from services.importing.service import run_import
from services.listen.reasons import MIN_TEXTS, refresh_listening


def _statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def statements(ws: Engine) -> Iterator[list[str]]:
    """Every SQL statement run through the workspace's engine while the test runs."""
    yield from _statements(ws)


def _orders_file(path: Path, rows: list[str]) -> Path:
    path.write_text(
        "customer_id,order_id,order_date,amount,category\n" + "".join(f"{r}\n" for r in rows),
        encoding="utf-8",
    )
    return path


def _order(conn: Connection, cid: int, n: int, currency: str, offset: int | None) -> None:
    conn.execute(
        Order.__table__.insert().values(
            customer_id=cid,
            external_id=f"O{n}",
            source="t",
            order_date=dt.datetime(2026, 11, n),
            amount_cents=1000 * n,
            currency=currency,
            status="paid",
            utc_offset_minutes=offset,
        )
    )


@pytest.mark.parametrize(
    ("foreign", "offset"), [(False, False), (True, False), (False, True), (True, True)]
)
def test_the_rollups_ask_both_questions_of_the_orders_at_once(
    ws: Engine, foreign: bool, offset: bool
) -> None:
    with ws.begin() as conn:
        home = load_money_context(conn).home
        other = "EUR" if home != "EUR" else "GBP"
        cid = int(
            conn.execute(
                Customer.__table__.insert().values(source="t", external_id="C1", name="Ada")
            ).inserted_primary_key[0]
        )
        for n in range(1, 6):
            last = n == 5  # the one that differs comes last: the scan must reach it
            _order(
                conn,
                cid,
                n,
                other if foreign and last else home,
                120 if offset and last else None,
            )
        ctx = load_money_context(conn)
        assert _order_flags(conn, ctx) == (foreign, offset)
        assert (_has_foreign_orders(conn, ctx), _has_order_offsets(conn)) == (foreign, offset)
        refresh_rollups(Session(bind=conn))
        assert stale_rollups(Session(bind=conn)) == 0
        rollup = conn.execute(
            select(CustomerRollup.paid_orders, CustomerRollup.last_order_offset_min)
        ).one()
        assert rollup == (5, 120 if offset else None)


def test_few_negative_texts_learn_no_reasons_without_reading_the_orders(
    ws: Engine, tmp_path: Path, statements: list[str]
) -> None:
    """An orders file into a workspace with no texts: the refresh after it leaves the
    orders' categories and the customers' companies unread (no reason can be learned
    from fewer than MIN_TEXTS negative texts, whatever words are left out)."""
    assert MIN_TEXTS > 0
    path = _orders_file(
        tmp_path / "orders.csv",
        [f"C{i % 4},O{i},2026-10-{i + 1:02d},{10 + i}.50,shoes" for i in range(12)],
    )
    report = run_import(ws, [path])
    assert report.landed
    assert report.files[0].inserted == 12
    reads = [s for s in statements if "DISTINCT category" in s or "DISTINCT company" in s]
    assert reads == []
    statements.clear()
    refresh_listening(ws)  # again, as the window's refresh does: still unread
    assert [s for s in statements if "FROM orders" in s] == []


def test_enough_negative_texts_still_leave_the_categories_out(ws: Engine) -> None:
    """With MIN_TEXTS negative texts or more, the categories are read as before (the
    words of an order's category never name a reason)."""
    from services.listen import reasons

    with ws.connect() as conn:
        assert reasons._left_out_words(conn, few=True) == ([], [])
        cid = conn.execute(
            Customer.__table__.insert().values(source="t", external_id="C1", company="Acme")
        ).inserted_primary_key[0]
        _order(conn, int(cid), 1, "USD", None)
        conn.execute(update(Order).values(category="Knitwear"))
        assert reasons._left_out_words(conn, few=False) == (["Knitwear"], ["Acme"])


def test_the_playbooks_check_sees_no_running_playbook(ws: Engine) -> None:
    assert cli_imports._a_playbook_runs(ws) is False
    assert cli_imports._stop_playbooks(ws) == []


def test_the_quick_end_is_only_for_the_import_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """end_process returns (the usual exit follows) when no import ran in the process."""
    monkeypatch.setattr(cli_imports, "_ran", [])
    assert cli_imports.end_process(0) is None
