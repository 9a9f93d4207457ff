"""Per-customer rollups: refreshed by writers, equal to the live aggregates, used by reads."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.workspace import open_workspace
from models.schema import Customer, CustomerRollup, Interaction, Opportunity, Order
from services.core.rollups import refresh_rollups, stale_rollups
from services.demo import build_demo
from services.usecases.customers import load_customer_columns

TODAY = dt.date(2026, 11, 21)


def test_demo_build_leaves_rollups_equal_to_live_aggregates(
    tmp_path: Path, workspace_url: str
) -> None:
    ws = open_workspace(workspace_url)
    try:
        build_demo(ws.engine, customers=150, seed=5, today=TODAY)
        with ws.engine.connect() as conn:
            assert stale_rollups(Session(bind=conn)) == 0
            n = conn.execute(select(func.count()).select_from(CustomerRollup)).scalar_one()
            assert n == 150
    finally:
        ws.close()


def test_rollups_hold_exact_figures_and_staleness_is_detected(
    tmp_path: Path, workspace_url: str
) -> None:
    ws = open_workspace(workspace_url)
    try:
        with ws.engine.begin() as conn:
            cid = conn.execute(
                Customer.__table__.insert().values(source="t", external_id="1", name="Ada")
            ).inserted_primary_key[0]
            orders = [
                (dt.datetime(2026, 1, 5, 10), 1000, "paid"),
                (dt.datetime(2026, 3, 9, 10), 2550, "paid"),
                (dt.datetime(2026, 4, 1, 10), 9999, "refunded"),
            ]
            for when, cents, status in orders:
                conn.execute(
                    Order.__table__.insert().values(
                        customer_id=cid, order_date=when, amount_cents=cents, status=status
                    )
                )
            for status in ("open", "solved", None):
                conn.execute(
                    Interaction.__table__.insert().values(
                        customer_id=cid,
                        kind="ticket",
                        occurred_at=dt.datetime(2026, 2, 1),
                        status=status,
                    )
                )
            conn.execute(
                Opportunity.__table__.insert().values(customer_id=cid, name="Gift", closed=False)
            )
            assert stale_rollups(Session(bind=conn)) == 1  # no rollup row yet
            assert refresh_rollups(Session(bind=conn)) == 1
            assert stale_rollups(Session(bind=conn)) == 0
            row = conn.execute(select(CustomerRollup)).one()
            assert row.paid_orders == 2
            assert row.paid_revenue_cents == 3550
            assert row.first_order_at == dt.datetime(2026, 1, 5, 10, tzinfo=dt.UTC)
            assert row.last_order_at == dt.datetime(2026, 3, 9, 10, tzinfo=dt.UTC)
            assert row.open_tickets == 1
            assert row.open_opportunities == 1
            conn.execute(Order.__table__.update().values(amount_cents=1))
            assert stale_rollups(Session(bind=conn)) == 1
    finally:
        ws.close()


def test_table_reads_the_same_with_and_without_rollups(tmp_path: Path, workspace_url: str) -> None:
    ws = open_workspace(workspace_url)
    try:
        build_demo(ws.engine, customers=200, seed=9, today=TODAY)
        fast = load_customer_columns(ws.engine, today=TODAY)
        with ws.engine.begin() as conn:
            conn.execute(delete(CustomerRollup))  # forces the live aggregate path
        live = load_customer_columns(ws.engine, today=TODAY)
        assert fast.keys() == live.keys()
        for name in fast:
            a, b = fast[name], live[name]
            if a.dtype.kind in "fM":  # floats and dates: NaN / NaT compare equal here
                np.testing.assert_array_equal(a, b)
            else:
                assert list(a) == list(b), name
        assert fast["orders"].sum() > 200
        # The source system's ids come along (the search finds a customer by them).
        with ws.engine.connect() as conn:
            stored = dict(conn.execute(select(Customer.id, Customer.external_id)).all())
        assert list(fast["external_id"]) == [stored[int(i)] for i in fast["id"]]
        assert all(isinstance(x, str) and x for x in fast["external_id"])
    finally:
        ws.close()


def test_a_write_without_refresh_marks_rollups_stale_and_reads_stay_correct(
    tmp_path: Path, workspace_url: str
) -> None:
    from models.db import session_scope

    ws = open_workspace(workspace_url)
    try:
        build_demo(ws.engine, customers=60, seed=4, today=TODAY)
        before = load_customer_columns(ws.engine, today=TODAY)
        row = int(np.argmax(before["orders"]))
        cid = int(before["id"][row])

        # A rolled-back write changes nothing, not even the stale mark.
        try:
            with session_scope(ws.sessions) as s:
                s.add(
                    Order(
                        customer_id=cid,
                        order_date=dt.datetime(2026, 11, 20, 12),
                        amount_cents=50_000,
                        status="paid",
                    )
                )
                s.flush()
                raise RuntimeError("abandon")
        except RuntimeError:
            pass
        with ws.engine.connect() as conn:
            assert get_stale(conn) is False

        # An ORM write, the way a future feature would add an order, with no refresh.
        with session_scope(ws.sessions) as s:
            s.add(
                Order(
                    customer_id=cid,
                    order_date=dt.datetime(2026, 11, 20, 12),
                    amount_cents=50_000,
                    status="paid",
                )
            )
        with ws.engine.connect() as conn:
            assert get_stale(conn) is True
        after = load_customer_columns(ws.engine, today=TODAY)
        assert after["orders"][row] == before["orders"][row] + 1
        assert after["revenue"][row] == before["revenue"][row] + 500.0
        assert after["days_since_last_order"][row] == 1

        with ws.engine.begin() as conn:
            refresh_rollups(Session(bind=conn))
            assert get_stale(conn) is False
            assert stale_rollups(Session(bind=conn)) == 0
        again = load_customer_columns(ws.engine, today=TODAY)
        assert again["orders"][row] == after["orders"][row]
    finally:
        ws.close()


def get_stale(conn) -> bool:  # type: ignore[no-untyped-def]
    from sqlalchemy.orm import Session

    from services.settings import get_setting

    with Session(bind=conn) as s:
        return bool(get_setting(s, "rollups.stale"))


def test_the_home_currency_shortcut_gives_the_same_rollups(
    tmp_path: Path, workspace_url: str
) -> None:
    """With every order in the home currency the amounts are summed as they are (the
    index answers it); the result is the same as converting each, and one order in
    another currency turns the conversion back on."""
    from services.core.money import load_money_context
    from services.core.rollups import has_foreign_orders, live_rollups

    ws = open_workspace(workspace_url)
    try:
        build_demo(ws.engine, customers=120, seed=3, today=TODAY)
        with ws.engine.connect() as conn:
            ctx = load_money_context(conn)
            assert not has_foreign_orders(Session(bind=conn), ctx)
            fast = conn.execute(live_rollups(ctx, foreign=False)).all()
            slow = conn.execute(live_rollups(ctx, foreign=True)).all()
            assert sorted(fast) == sorted(slow)
        with ws.engine.begin() as conn:
            conn.execute(
                Order.__table__.update()
                .where(Order.id == select(func.min(Order.id)).scalar_subquery())
                .values(currency="XTS" if ctx.home != "XTS" else "EUR")
            )
            assert has_foreign_orders(Session(bind=conn), ctx)
            refresh_rollups(Session(bind=conn))
            assert stale_rollups(Session(bind=conn)) == 0
    finally:
        ws.close()
