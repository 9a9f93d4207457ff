"""ask_customers' order totals (paid orders, refunded orders, revenue, the last order's
time): read from the rollups while they are current, else worked out from the orders, so
that a write not yet rolled up never leaves an answer out of date; and the FitMap returns
question, which finds its customers by the rollups' refunded orders (migration 0022). On
SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from app.workspace import open_workspace
from models.db import session_scope
from models.schema import Customer, Interaction, Order
from services.ask.library import answer_saved, find_question
from services.ask.readonly import run_query
from services.core.rollups import marked_current, refresh_rollups

TODAY = dt.date(2026, 11, 26)
_TOTALS = (
    "SELECT name, paid_orders, refunded_orders, revenue_home, last_order_at "
    "FROM ask_customers ORDER BY name"
)


def _at(when: str) -> dt.datetime:
    return dt.datetime.fromisoformat(when).replace(tzinfo=dt.UTC)


def _order(customer: Customer, when: str, cents: int, status: str = "paid") -> Order:
    return Order(
        customer_id=customer.id,
        order_date=_at(when),
        amount_cents=cents,
        currency="USD",
        status=status,
    )


def _totals(engine: Engine) -> list[tuple[Any, ...]]:
    rows = run_query(engine, _TOTALS).rows
    return [(n, p, r, float(v), str(t)[:16] if t else None) for n, p, r, v, t in rows]


def _returns(engine: Engine) -> dict[str, tuple[int, int, int]]:
    answer = answer_saved(engine, find_question(engine, "fit_tool_returns"), today=TODAY)
    return {row[0]: (row[1], row[2], row[3]) for row in answer.rows}


def _tell_the_rollups_past_their_watch(engine: Engine, customer_id: int) -> None:
    with engine.begin() as conn:  # as another program would: not marked stale
        conn.exec_driver_sql(
            "UPDATE customer_rollups SET refunded_orders = 5, paid_orders = 7 "
            f"WHERE customer_id = {customer_id}"
        )


def test_the_totals_come_from_the_rollups_while_current_else_from_the_orders(
    workspace_url: str,
) -> None:
    ws = open_workspace(workspace_url, backup=False)
    try:
        with session_scope(ws.sessions) as session:
            ada, bo, cy = (Customer(name=n, source="t") for n in ("Ada", "Bo", "Cy"))
            session.add_all([ada, bo, cy])
            session.flush()
            session.add_all([
                _order(ada, "2026-11-01 10:00", 1500),
                _order(ada, "2026-11-20 03:00", 2500),
                _order(ada, "2026-11-22 03:00", 4000, status="refunded"),
                _order(bo, "2026-11-05 12:00", 700, status="refunded"),
                _order(bo, "2026-11-06 12:00", 300, status="cancelled"),
            ])  # fmt: skip
            ada_id, bo_id, cy_id = ada.id, bo.id, cy.id
        expected = [
            ("Ada", 2, 1, 40.0, "2026-11-20 03:00"),
            ("Bo", 0, 1, 0.0, None),
            ("Cy", 0, 0, 0.0, None),
        ]
        with Session(ws.engine) as session:
            assert not marked_current(session)
        assert _totals(ws.engine) == expected  # from the orders
        with session_scope(ws.sessions) as session:
            refresh_rollups(session)
        assert _totals(ws.engine) == expected  # from the rollups
        # Written past the rollups' watch, a rollup tells: the view reads it while current.
        _tell_the_rollups_past_their_watch(ws.engine, cy_id)
        assert _totals(ws.engine) == [*expected[:2], ("Cy", 7, 5, 0.0, None)]
        # A write through the app marks them stale: every total is the orders' again.
        with session_scope(ws.sessions) as session:
            session.execute(insert(Order).values(
                customer_id=bo_id, order_date=_at("2026-11-25 10:00"), amount_cents=1250,
                currency="USD", status="paid",
            ))  # fmt: skip
        with Session(ws.engine) as session:
            assert not marked_current(session)
        assert _totals(ws.engine) == [
            ("Ada", 2, 1, 40.0, "2026-11-20 03:00"),
            ("Bo", 1, 1, 12.5, "2026-11-25 10:00"),
            ("Cy", 0, 0, 0.0, None),
        ]
        assert ada_id != bo_id
    finally:
        ws.close()


def test_fitmap_returns_read_the_refunds_from_the_rollups_or_the_orders(
    workspace_url: str,
) -> None:
    ws = open_workspace(workspace_url, backup=False)
    try:
        with session_scope(ws.sessions) as session:
            fit = {"fitmap_sessions": 3}
            ada = Customer(name="Ada", source="t", attributes=fit)
            bo = Customer(name="Bo", source="t", attributes=fit)
            cy = Customer(name="Cy", source="t", attributes={"fitmap_sessions": 0})
            session.add_all([ada, bo, cy])
            session.flush()
            session.add_all([
                _order(ada, "2026-11-01 10:00", 1500, status="refunded"),
                _order(bo, "2026-11-01 10:00", 1500),  # paid: not a return
                _order(cy, "2026-11-01 10:00", 1500, status="refunded"),  # no FitMap
            ])  # fmt: skip
            for who in (ada, bo, cy):
                session.add(
                    Interaction(
                        customer_id=who.id, kind="ticket", occurred_at=_at("2026-11-03 10:00"),
                        subject=f"{who.name}'s size was wrong", source="t",
                        external_id=f"T-{who.name}",
                    )
                )  # fmt: skip
            bo_id = bo.id
        with session_scope(ws.sessions) as session:
            refresh_rollups(session)
        assert _returns(ws.engine) == {"Other": (1, 1, 1)}  # Ada's ticket, from the rollups
        # Bo's refund written through the app: the rollups are stale, the orders are read.
        with session_scope(ws.sessions) as session:
            session.execute(insert(Order).values(
                customer_id=bo_id, order_date=_at("2026-11-25 10:00"), amount_cents=1250,
                currency="USD", status="refunded",
            ))  # fmt: skip
        assert _returns(ws.engine) == {"Other": (2, 2, 2)}
        with session_scope(ws.sessions) as session:
            refresh_rollups(session)
        assert _returns(ws.engine) == {"Other": (2, 2, 2)}  # the rollups agree
    finally:
        ws.close()
