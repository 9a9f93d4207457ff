"""services/usecases/customers.py against a real SQLite workspace with hand-made rows whose
aggregates are known exactly (no Qt)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy.orm import Session

from app.workspace import Workspace, open_workspace, to_url
from models.db import session_scope
from models.schema import Customer, Interaction, Opportunity, Order, Subscription
from services.core.records import CustomerNotFoundError
from services.settings import set_setting
from services.usecases.customer_detail import load_customer_detail
from services.usecases.customers import TABLE_COLUMNS, load_customer_table, workspace_summary

UTC = dt.UTC
TODAY = dt.datetime(2026, 6, 30, 12, 0, tzinfo=UTC)


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    ws = open_workspace(to_url(str(tmp_path / "w.radar.sqlite")), backup=False)
    yield ws
    ws.close()


@pytest.fixture
def filled(workspace: Workspace) -> Workspace:
    """Three customers: Ada (busy), Bo (never ordered), Cy (one order, deleted owner)."""
    with Session(workspace.engine) as s, s.begin():
        ada = Customer(
            id=1,
            source="t",
            external_id="A",
            name="Ada Lovelace",
            email="ada@example.com",
            company="Analytical Engines",
            owner="Maya",
            tier="Gold",
            region="West",
            signup_date=dt.date(2024, 1, 15),
            phone="555-0101",
        )
        bo = Customer(id=2, source="t", external_id="B", name="Bo Diddley", email="bo@example.org")
        cy = Customer(
            id=3,
            source="t",
            external_id="C",
            name="Cy Young",
            owner="Liam",
            do_not_contact=True,
        )
        s.add_all([ada, bo, cy])
        s.flush()
        s.add_all(
            [
                # Ada: 3 paid (10.00 + 5.50 + 0.01), 1 refunded, 1 pending, 1 cancelled.
                Order(customer_id=1, source="t", external_id="o1", order_date=at("2026-01-10"),
                      amount_cents=1000, status="paid", category="Shoes", channel="web"),
                Order(customer_id=1, source="t", external_id="o2", order_date=at("2026-03-11"),
                      amount_cents=550, status="paid", category="Tops", channel="store"),
                Order(customer_id=1, source="t", external_id="o3", order_date=at("2026-05-10"),
                      amount_cents=1, status="paid", category=None, channel=None),
                Order(customer_id=1, source="t", external_id="o4", order_date=at("2026-06-01"),
                      amount_cents=10000, status="refunded", category="Coats", channel="web"),
                Order(customer_id=1, source="t", external_id="o5", order_date=at("2026-06-20"),
                      amount_cents=777, status="pending", category="Hats", channel="web"),
                Order(customer_id=1, source="t", external_id="o6", order_date=at("2026-06-25"),
                      amount_cents=2000, status="cancelled", category="Hats", channel="web"),
                # Cy: one paid order of 123.45.
                Order(customer_id=3, source="t", external_id="o7", order_date=at("2025-12-30"),
                      amount_cents=12345, status="paid", category="Denim", channel="app"),
                # Tickets: Ada has 2 open (open, pending) + 1 solved + 1 without status.
                Interaction(customer_id=1, source="t", external_id="t1", kind="ticket",
                            occurred_at=at("2026-02-01"), subject="Late", status="open"),
                Interaction(customer_id=1, source="t", external_id="t2", kind="ticket",
                            occurred_at=at("2026-02-02"), subject="Size", status="Pending"),
                Interaction(customer_id=1, source="t", external_id="t3", kind="ticket",
                            occurred_at=at("2026-02-03"), subject="Torn", status="solved",
                            satisfaction="bad"),
                Interaction(customer_id=1, source="t", external_id="t4", kind="ticket",
                            occurred_at=at("2026-02-04"), subject="Hm", status=None),
                Interaction(customer_id=3, source="t", external_id="t5", kind="ticket",
                            occurred_at=at("2026-02-05"), subject="Closed", status="closed"),
                # Emails to Ada: one opened and clicked, one ignored; an opened one of Bo's
                # with no matching send.
                Interaction(customer_id=1, source="t", kind="email_sent",
                            occurred_at=at("2026-04-01", 8), subject="Spring sale"),
                Interaction(customer_id=1, source="t", kind="email_open",
                            occurred_at=at("2026-04-01", 9), subject="Spring sale"),
                Interaction(customer_id=1, source="t", kind="email_click",
                            occurred_at=at("2026-04-01", 10), subject="Spring sale"),
                Interaction(customer_id=1, source="t", kind="email_sent",
                            occurred_at=at("2026-05-01", 8), subject="Summer"),
                Interaction(customer_id=1, source="t", kind="login",
                            occurred_at=at("2026-05-02"), subject=None),
                Interaction(customer_id=1, source="t", kind="review",
                            occurred_at=at("2026-05-20"), subject="Fell apart", rating=1,
                            text="Two washes."),
                Interaction(customer_id=1, source="t", kind="call",
                            occurred_at=at("2026-06-02"), subject="Check-in", text="Happy."),
                Interaction(customer_id=2, source="t", kind="email_open",
                            occurred_at=at("2026-04-02"), subject="Orphan open"),
                # Opportunities: Ada 2 open + 1 won; Cy 1 lost.
                Opportunity(customer_id=1, source="t", external_id="p1", name="Gifting",
                            stage="Proposal", amount_cents=400000, probability=0.5,
                            created_at=at("2026-03-01"), close_date=dt.date(2026, 8, 1)),
                Opportunity(customer_id=1, source="t", external_id="p2", name="Styling",
                            stage="Qualified", amount_cents=None, probability=None,
                            created_at=at("2026-03-02"), close_date=dt.date(2026, 7, 1)),
                Opportunity(customer_id=1, source="t", external_id="p3", name="Event",
                            stage="Closed Won", amount_cents=250000, closed=True, won=True,
                            created_at=at("2025-10-01"), stage_changed_at=at("2025-11-01")),
                Opportunity(customer_id=3, source="t", external_id="p4", name="Lost deal",
                            stage="Closed Lost", closed=True, won=False,
                            created_at=at("2025-10-01"), stage_changed_at=at("2025-10-15")),
                Subscription(customer_id=1, source="t", external_id="s1", plan="Club",
                             status="canceled", started_at=at("2025-06-01"),
                             canceled_at=at("2026-06-10"), amount_cents=1499, interval="month"),
            ]
        )  # fmt: skip
    return workspace


def test_table_has_one_row_per_customer_with_exact_aggregates(filled: Workspace) -> None:
    df = load_customer_table(filled.engine, today=TODAY)
    assert list(df.columns) == list(TABLE_COLUMNS)
    assert df["id"].tolist() == [1, 2, 3]
    ada, bo, cy = (df.iloc[i] for i in range(3))

    # The account is named by its company, its person beside it.
    assert (ada["name"], ada["person"]) == ("Analytical Engines", "Ada Lovelace")
    assert ada["email"] == "ada@example.com"
    assert ada["company"] == "Analytical Engines"
    assert (ada["owner"], ada["tier"], ada["region"]) == ("Maya", "Gold", "West")
    assert ada["signup_date"] == pd.Timestamp("2024-01-15")
    assert ada["orders"] == 3  # paid only
    assert ada["revenue"] == pytest.approx(15.51)  # 1000 + 550 + 1 cents
    assert ada["last_order"] == pd.Timestamp("2026-05-10 10:00")  # last *paid* order
    assert ada["days_since_last_order"] == 51
    assert ada["open_tickets"] == 2  # open + Pending; solved and no-status are not open
    assert ada["open_opportunities"] == 2

    assert bo["orders"] == 0
    assert bo["revenue"] == 0.0
    assert pd.isna(bo["last_order"])
    assert pd.isna(bo["days_since_last_order"])
    assert bo["open_tickets"] == 0
    assert bo["open_opportunities"] == 0
    assert bo["company"] is None
    assert bo["person"] is None  # the account is its person
    assert pd.isna(bo["signup_date"])

    assert cy["orders"] == 1
    assert cy["revenue"] == pytest.approx(123.45)
    assert cy["days_since_last_order"] == 182
    assert cy["open_tickets"] == 0
    assert cy["open_opportunities"] == 0


def test_table_dtypes_are_ready_for_numpy(filled: Workspace) -> None:
    df = load_customer_table(filled.engine, today=TODAY)
    assert df["last_order"].dtype == np.dtype("datetime64[ns]")
    assert df["signup_date"].dtype == np.dtype("datetime64[ns]")
    assert df["revenue"].dtype == np.float64
    for column in ("orders", "open_tickets", "open_opportunities", "id"):
        assert df[column].dtype == np.int64
    assert str(df["days_since_last_order"].dtype) == "Int64"


def test_empty_workspace_gives_an_empty_table(workspace: Workspace) -> None:
    df = load_customer_table(workspace.engine)
    assert len(df) == 0
    assert list(df.columns) == list(TABLE_COLUMNS)


def test_detail_profile_and_kpis(filled: Workspace) -> None:
    d = load_customer_detail(filled.engine, 1)
    assert (d.id, d.name, d.email, d.phone) == (
        1, "Analytical Engines", "ada@example.com", "555-0101",
    )  # fmt: skip
    assert (d.company, d.person) == ("Analytical Engines", "Ada Lovelace")
    assert d.signup_date == dt.date(2024, 1, 15)
    assert d.do_not_contact is False
    assert d.paid_orders == 3
    assert d.revenue == pytest.approx(15.51)
    assert d.last_order == at("2026-05-10")
    # Gaps between paid orders: Jan 10 -> Mar 11 (60 d), Mar 11 -> May 10 (60 d).
    assert d.avg_gap_days == pytest.approx(60.0)

    assert list(d.orders.columns) == [
        "order_date", "amount", "status", "category", "channel", "currency", "original",
    ]  # fmt: skip
    assert d.orders["amount"].tolist() == [10.0, 5.5, 0.01, 100.0, 7.77, 20.0]
    assert d.orders["status"].tolist() == [
        "paid", "paid", "paid", "refunded", "pending", "cancelled"
    ]  # fmt: skip
    assert load_customer_detail(filled.engine, 3).do_not_contact is True


def test_detail_timeline_is_newest_first_and_covers_every_kind(filled: Workspace) -> None:
    d = load_customer_detail(filled.engine, 1)
    whens = [e.when for e in d.timeline]
    assert whens == sorted(whens, reverse=True)
    assert all(e.when.tzinfo is not None for e in d.timeline)
    kinds = [e.kind for e in d.timeline]
    # 3 paid + 1 pending orders, 2 refunded/cancelled, 4 tickets (one rated bad),
    # 2 emails (opens/clicks folded in, login left out), 1 bad review, 1 call,
    # 3 opportunity openings + 1 win, 1 subscription start + 1 cancellation.
    assert kinds.count("order") == 4
    assert kinds.count("refund") == 2
    assert kinds.count("ticket") == 3
    assert kinds.count("bad_ticket") == 1
    assert kinds.count("email") == 1
    assert kinds.count("email_unopened") == 1
    assert kinds.count("bad_review") == 1
    assert kinds.count("call") == 1
    assert kinds.count("opportunity") == 4
    assert kinds.count("subscription") == 1
    assert kinds.count("unsubscribe") == 1
    assert len(d.timeline) == 20
    emails = {e.title: e.detail for e in d.timeline if e.kind.startswith("email")}
    assert emails == {"Email opened and clicked": "Spring sale", "Email not opened": "Summer"}
    newest = d.timeline[0]
    assert (newest.kind, newest.amount, newest.when) == ("refund", 20.0, at("2026-06-25"))


def test_detail_open_opportunities_sorted_by_close_date(filled: Workspace) -> None:
    d = load_customer_detail(filled.engine, 1)
    assert [o.name for o in d.open_opportunities] == ["Styling", "Gifting"]
    gifting = d.open_opportunities[1]
    assert gifting.amount == 4000.0
    assert gifting.probability == 0.5
    assert d.open_opportunities[0].amount is None


def test_orphan_email_engagement_still_shows(filled: Workspace) -> None:
    d = load_customer_detail(filled.engine, 2)
    assert [(e.kind, e.title) for e in d.timeline] == [("email", "Opened an email")]
    assert d.paid_orders == 0
    assert d.last_order is None
    assert d.avg_gap_days is None
    assert len(d.orders) == 0


def test_unknown_customer_is_a_clear_error(filled: Workspace) -> None:
    with pytest.raises(CustomerNotFoundError):
        load_customer_detail(filled.engine, 999)


def test_summary_counts_and_demo_flag(filled: Workspace) -> None:
    summary = workspace_summary(filled.engine)
    assert (summary.customers, summary.orders, summary.opportunities) == (3, 7, 4)
    assert summary.interactions == 13  # 5 tickets, 5 emails, a login, a review, a call
    assert summary.is_demo is False
    assert summary.demo_info is None
    with Session(filled.engine) as s, s.begin():
        set_setting(s, "workspace.demo", {"customers": 3, "seed": 1})
    summary = workspace_summary(filled.engine)
    assert summary.is_demo is True
    assert summary.demo_info == {"customers": 3, "seed": 1}


def test_the_window_s_summary_counts_only_the_customers(filled: Workspace) -> None:
    # The status bar shows the customers and the demo marker; at a million customers the
    # other tables are 24 million rows, so they are not counted for it.
    summary = workspace_summary(filled.engine, rows=False)
    assert summary.customers == 3
    assert (summary.orders, summary.interactions, summary.opportunities) == (None, None, None)
    assert summary.is_demo is False


def test_the_usual_gap_is_the_median_between_purchase_days(workspace: Workspace) -> None:
    # The same definition as scoring's "usual gap" driver: two orders on one day are one
    # purchase day, and one long pause does not drag the usual gap up.
    with session_scope(workspace.sessions) as s:
        c = Customer(name="Gap", source="t", external_id="g")
        s.add(c)
        s.flush()
        for i, day in enumerate(
            ["2026-01-01", "2026-01-01", "2026-01-11", "2026-01-21", "2026-06-01"]
        ):
            s.add(
                Order(
                    customer_id=c.id,
                    external_id=f"g{i}",
                    source="t",
                    order_date=at(day),
                    amount_cents=100,
                )
            )
        cid = c.id
    d = load_customer_detail(workspace.engine, cid)
    assert d.avg_gap_days == pytest.approx(10.0)
