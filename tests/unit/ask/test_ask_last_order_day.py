"""ask_customers.last_order_day: read from the rollups (the last order's time and offset,
migration 0021) while they are current, else looked up in the orders; the same day either
way, the source's local day, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from app.workspace import open_workspace
from models.db import session_scope
from models.schema import Customer, Order
from services.ask.library import answer_saved, find_question
from services.core.rollups import marked_current, refresh_rollups

TODAY = dt.date(2026, 11, 26)


def _order(customer: Customer, when: str, offset: int | None, status: str = "paid") -> Order:
    return Order(
        customer_id=customer.id,
        order_date=dt.datetime.fromisoformat(when).replace(tzinfo=dt.UTC),
        utc_offset_minutes=offset,
        amount_cents=1000,
        currency="USD",
        status=status,
    )


def _last_order_days(engine: Engine) -> dict[str, str | None]:
    question = find_question(engine, "tier_no_email_engagement")
    answer = answer_saved(engine, question, {"tier": "Gold"}, today=TODAY)
    name, day = answer.columns.index("customer"), answer.columns.index("last_order_day")
    return {row[name]: row[day] for row in answer.rows}


def test_the_last_order_day_is_the_same_from_the_rollups_and_from_the_orders(
    workspace_url: str,
) -> None:
    ws = open_workspace(workspace_url, backup=False)
    try:
        with session_scope(ws.sessions) as session:
            people = {n: Customer(name=n, source="t", tier="Gold") for n in ("Ada", "Bo", "Cy")}
            session.add_all([*people.values(), Customer(name="Di", source="t", tier="Gold")])
            session.flush()
            ada, bo, cy = people["Ada"], people["Bo"], people["Cy"]
            session.add_all([
                _order(ada, "2026-11-01 10:00", 60),
                _order(ada, "2026-11-20 03:00", -420),  # 19 November at -0700
                _order(ada, "2026-11-24 03:00", 0, status="refunded"),
                _order(bo, "2026-11-09 23:30", None),  # no zone: the stored day
                _order(cy, "2026-11-09 23:30", -300),
                _order(cy, "2026-11-09 23:30", 60),  # the same time: the later local day
            ])  # fmt: skip
        expected = {"Ada": "2026-11-19", "Bo": "2026-11-09", "Cy": "2026-11-10", "Di": None}
        with session_scope(ws.sessions) as session:
            assert not marked_current(session)
        assert _last_order_days(ws.engine) == expected  # looked up in the orders
        with session_scope(ws.sessions) as session:
            refresh_rollups(session)
        with session_scope(ws.sessions) as session:
            assert marked_current(session)
        assert _last_order_days(ws.engine) == expected  # read from the rollups
        # Written past the rollups' watch, a rollup tells: the view reads it while current.
        with ws.engine.begin() as conn:
            conn.exec_driver_sql(
                "UPDATE customer_rollups SET last_order_offset_min = 0 "
                f"WHERE customer_id = {ada.id}"
            )
        assert _last_order_days(ws.engine)["Ada"] == "2026-11-20"
        # A write through the app marks them stale: the orders are read again.
        with session_scope(ws.sessions) as session:
            session.execute(insert(Order).values(
                customer_id=bo.id, order_date=dt.datetime(2026, 11, 25, 2, tzinfo=dt.UTC),
                utc_offset_minutes=-180, amount_cents=500, currency="USD", status="paid",
            ))  # fmt: skip
        with Session(ws.engine) as session:
            assert not marked_current(session)
        assert _last_order_days(ws.engine) == {**expected, "Bo": "2026-11-24"}
    finally:
        ws.close()
