"""Reading a workspace for scoring and the features as of a cutoff, on hand-made rows."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import insert

from app.workspace import Workspace, open_workspace
from models.schema import Customer, Interaction, Order, Subscription
from models.vocab import GUEST_EXTERNAL_ID
from services.scoring.data import ScoringData, day_date, day_number, load_scoring_data
from services.scoring.features import (
    MODEL_FEATURES,
    compute_features,
    coverage,
    labels_no_purchase,
)

T = dt.date(2025, 6, 30)
T_DAY = day_number(T)


def at(days_before_t: int, hour: int = 10) -> dt.datetime:
    """A UTC timestamp that many days before T (negative: after T)."""
    return dt.datetime.combine(T - dt.timedelta(days=days_before_t), dt.time(hour), dt.UTC)


@pytest.fixture
def workspace(workspace_url: str) -> Iterator[Workspace]:
    """A new workspace, on SQLite then on PostgreSQL."""
    ws = open_workspace(workspace_url, backup=False)
    yield ws
    ws.close()


def _fill(ws: Workspace) -> dict[str, int]:
    """Four customers: a regular, a one-timer, one who never paid, and the guest."""
    orders: list[dict[str, Any]] = []
    inter: list[dict[str, Any]] = []
    with ws.engine.begin() as conn:
        conn.execute(
            insert(Customer),
            [
                {"external_id": "A", "source": "s", "signup_date": T - dt.timedelta(days=400)},
                {"external_id": "B", "source": "s", "signup_date": None},
                {"external_id": "C", "source": "s", "signup_date": T - dt.timedelta(days=10)},
                {"external_id": GUEST_EXTERNAL_ID, "source": "s", "signup_date": None},
            ],
        )
        ids = dict(conn.exec_driver_sql("SELECT external_id, id FROM customers").all())

        def order(cust: str, days: int, cents: int, status: str = "paid", hour: int = 10) -> None:
            n = len(orders)
            orders.append(
                {
                    "customer_id": ids[cust],
                    "external_id": f"o{n}",
                    "order_date": at(days, hour),
                    "amount_cents": cents,
                    "status": status,
                }
            )

        # A: purchase days 200, 170, 140, 100 days before T; two orders on day 100;
        # one refunded and one after T (both ignored).
        for days, cents in ((200, 1000), (170, 2000), (140, 3000), (100, 500)):
            order("A", days, cents)
        order("A", 100, 700, hour=15)
        order("A", 60, 9999, status="refunded")
        order("A", -5, 8888)
        order("B", 50, 4000)
        order("C", 20, 1234, status="cancelled")
        order(GUEST_EXTERNAL_ID, 30, 5555)

        def event(cust: str, kind: str, days: int, **extra: Any) -> None:
            row = {"satisfaction": None, "status": None, "rating": None, "sentiment": None}
            row["subject"] = None
            inter.append(
                {
                    **row,
                    "customer_id": ids[cust],
                    "kind": kind,
                    "occurred_at": at(days),
                    "external_id": f"i{len(inter)}",
                    **extra,
                }
            )

        event("A", "ticket", 30, satisfaction="bad", status="solved")
        event("A", "ticket", 100, satisfaction="Good", status="solved")
        event("A", "ticket", -3, satisfaction="bad", status="open")  # after T
        event("A", "review", 90, rating=2, sentiment=-0.55)
        event("A", "review", 20, rating=4, sentiment=0.5)
        event("B", "review", 40, sentiment=0.8)
        for days in (170, 140, 110, 80, 50, 20):
            event("A", "email_sent", days, subject=f"c{days}")
        event("A", "email_open", 110, subject="c110")
        event("A", "email_click", 110, subject="c110")
        event("A", "unsubscribe", 15)
        event("B", "login", 5)
        event("B", "login", 45)
        event("B", "nps", 12, rating=9)
        conn.execute(insert(Order), orders)
        conn.execute(insert(Interaction), inter)
        conn.execute(
            insert(Subscription),
            [
                {
                    "customer_id": ids["A"],
                    "status": "canceled",
                    "started_at": at(300),
                    "canceled_at": at(25),
                    "external_id": "s1",
                },
                {
                    "customer_id": ids["B"],
                    "status": "active",
                    "started_at": at(60),
                    "canceled_at": None,
                    "external_id": "s2",
                },
                {
                    "customer_id": ids["C"],
                    "status": "active",
                    "started_at": at(-2),  # after T
                    "canceled_at": None,
                    "external_id": "s3",
                },
            ],
        )
    return ids


def _pos(data: ScoringData, customer_id: int) -> int:
    """A customer's position in the scoring data (customers come in a stable order of their
    keys, not of their ids)."""
    return int(np.flatnonzero(data.customer_ids == customer_id)[0])


def _row(frame: pd.DataFrame, data: ScoringData, customer_id: int) -> pd.Series:
    return frame.iloc[_pos(data, customer_id)]


def test_reads_paid_orders_merged_by_day_and_leaves_guests_out(workspace: Workspace) -> None:
    ids = _fill(workspace)
    data = load_scoring_data(workspace.engine, until_day=T_DAY)
    assert sorted(data.customer_ids) == sorted([ids["A"], ids["B"], ids["C"]])
    # A: 4 purchase days (the two orders of day 100 merged); B: 1. Refunded, cancelled,
    # later and guest orders are not there.
    a = _pos(data, ids["A"])
    mine = data.p_cust == a
    assert list(data.p_day[mine]) == [T_DAY - d for d in (200, 170, 140, 100)]
    assert list(data.p_amount[mine]) == [1000, 2000, 3000, 1200]
    assert list(data.p_orders[mine]) == [1, 1, 1, 2]
    assert data.p_day.size == 5
    assert data.p_day.max() <= T_DAY
    # Interactions: sorted by customer then day, nothing after T, codes decoded.
    assert data.i_day.max() <= T_DAY
    assert np.all(np.diff(data.i_cust) >= 0)
    review = data.i_kind == 4
    assert sorted(data.i_rating[review][~np.isnan(data.i_rating[review])]) == [2.0, 4.0]
    assert sorted(np.round(data.i_sentiment[review], 2)) == [-0.55, 0.5, 0.8]
    assert data.kinds_present >= {"ticket", "review", "email_sent", "login", "nps"}
    # Subscriptions keep their dates; C's starts after T and counts as not started.
    assert data.s_cust.size == 3


def test_features_of_hand_made_customers(workspace: Workspace) -> None:
    ids = _fill(workspace)
    data = load_scoring_data(workspace.engine, until_day=T_DAY)
    f = compute_features(data, T_DAY)
    a, b, c = (_row(f, data, ids[k]) for k in "ABC")
    assert a.recency_days == 100
    assert a.tenure_days == 200
    assert a.purchase_days == 4
    assert a.orders_total == 5
    assert a.spend_total == 7200
    assert a.avg_order_value == 1800
    assert a.repeat_value == pytest.approx((2000 + 3000 + 1200) / 3)
    # Gaps 30, 30, 40: usual (median) gap 30, mean 33.3, largest and last 40.
    assert a.gap_median == 30
    assert a.gap_max == 40
    assert a.gap_last == 40
    assert a.gap_mean == pytest.approx(100 / 3)
    assert a.overdue_ratio == pytest.approx(100 / 30)
    assert a.purchases_90 == 0
    assert a.purchases_prev_90 == 3
    assert a.purchases_365 == 4
    assert a.spend_trend == pytest.approx(-1.0)
    assert a.bad_tickets_60 == 1
    assert a.good_tickets_365 == 1
    assert a.tickets_180 == 2
    assert a.days_since_ticket == 30
    assert a.reviews == 2
    assert a.review_rating == 3.0
    assert a.review_last_rating == 4.0
    assert a.sends_180 == 6
    assert a.opens_180 == 1
    assert a.clicks_180 == 1
    assert a.open_rate_180 == pytest.approx(1 / 6)
    assert a.days_since_open == 110
    assert a.unopened_streak == 3
    assert day_date(int(a.first_send_180)).month == 1  # 170 days before 2025-06-30
    assert a.unsubscribed == 1
    assert a.days_since_unsubscribe == 15
    assert a.subscription_active == 0
    assert a.subscription_cancelled == 1
    assert a.days_since_subscription_cancel == 25
    assert a.signup_age_days == 400

    assert b.purchase_days == 1
    assert b.recency_days == 50
    assert np.isnan(b.gap_median)
    assert b.review_sentiment == pytest.approx(0.8)
    assert np.isnan(b.review_rating)
    assert b.logins_30 == 1
    assert b.logins_90 == 2
    assert b.days_since_login == 5
    assert b.nps_last == 9
    assert b.subscription_active == 1
    assert np.isnan(b.open_rate_180)
    assert b.sends_180 == 0

    assert c.purchase_days == 0
    assert np.isnan(c.recency_days)
    assert c.spend_total == 0
    assert c.subscription_active == 0  # it starts after T
    assert set(MODEL_FEATURES) <= set(f.columns)


def test_features_use_only_data_dated_up_to_the_cutoff(workspace: Workspace) -> None:
    ids = _fill(workspace)
    everything = load_scoring_data(workspace.engine, until_day=T_DAY + 400)
    # Known from the signup or the first order of any status (B: none, first order 50 days
    # before T; C: a cancelled order 20 days before T, signed up 10 days before it).
    known = {T_DAY - 120: "A", T_DAY - 45: "AB", T_DAY - 20: "ABC", T_DAY: "ABC"}
    for cutoff, names in known.items():
        # The same features from all data sliced at the cutoff, and from data read
        # only up to it, for the customers known by then (the only ones read).
        upto = load_scoring_data(workspace.engine, until_day=cutoff)
        assert set(upto.customer_ids.tolist()) == {ids[n] for n in names}
        then = np.isin(everything.customer_ids, upto.customer_ids)
        pd.testing.assert_frame_equal(
            compute_features(everything, cutoff)[then].reset_index(drop=True),
            compute_features(upto, cutoff),
        )
        # Nothing after the cutoff exists in the second read.
        assert upto.p_day.max() <= cutoff
        assert upto.i_day.max() <= cutoff


def test_labels_look_only_at_the_window_after_the_cutoff(workspace: Workspace) -> None:
    ids = _fill(workspace)
    data = load_scoring_data(workspace.engine, until_day=T_DAY)
    a = _pos(data, ids["A"])
    b = _pos(data, ids["B"])
    # A bought 100 days before T: yes in (T-120, T-90], no in (T-90, T].
    assert not labels_no_purchase(data, T_DAY - 120, 30)[a]
    assert labels_no_purchase(data, T_DAY - 90, 90)[a]
    assert not labels_no_purchase(data, T_DAY - 60, 60)[b]
    # The window is (cutoff, cutoff + days]: a purchase on the cutoff day is not in it.
    assert labels_no_purchase(data, T_DAY - 50, 10)[b]


def test_coverage_says_which_data_the_workspace_has(workspace: Workspace) -> None:
    _fill(workspace)
    data = load_scoring_data(workspace.engine, until_day=T_DAY)
    full = coverage(data, T_DAY)
    assert full.tickets
    assert full.rated_tickets
    assert full.reviews
    assert full.emails
    assert full.logins
    assert full.subscriptions
    assert full.interactions
    early = coverage(data, T_DAY - 160)  # before any ticket, review or login
    assert not early.tickets
    assert not early.reviews
    assert not early.logins
    assert early.emails
    bare = dataclasses.replace(
        data,
        i_cust=data.i_cust[:0],
        i_day=data.i_day[:0],
        i_kind=data.i_kind[:0],
        i_sat=data.i_sat[:0],
        i_rating=data.i_rating[:0],
        i_sentiment=data.i_sentiment[:0],
    )
    assert not coverage(bare, T_DAY).interactions
