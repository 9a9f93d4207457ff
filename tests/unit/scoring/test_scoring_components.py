"""Engagement, health, RFM segments and drivers on hand-made feature tables."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest

from services.scoring.data import ScoringData, day_number
from services.scoring.drivers import top_drivers
from services.scoring.engagement import engagement_score
from services.scoring.features import Coverage, compute_features
from services.scoring.health import health_score
from services.scoring.rfm import GRID, SEGMENTS, quintile_scores, rfm_segments, segments
from services.settings import ENGAGEMENT_WEIGHTS, HEALTH_WEIGHTS

CUTOFF = day_number(dt.date(2025, 6, 30))
EVERYTHING = Coverage(
    tickets=True, rated_tickets=True, reviews=True, emails=True, logins=False, subscriptions=True
)


def frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A features frame with every column (as compute_features makes it), then the rows'
    values: customers with no data at all, except what each row says."""
    n = len(rows)
    i32, i8 = np.zeros(0, np.int32), np.zeros(0, np.int8)
    empty = ScoringData(
        customer_ids=np.arange(1, n + 1, dtype=np.int64),
        signup_day=np.full(n, np.nan),
        p_cust=i32,
        p_day=i32,
        p_amount=np.zeros(0, np.int64),
        p_orders=i32,
        i_cust=i32,
        i_day=i32,
        i_kind=i8,
        i_sat=i8,
        i_rating=np.zeros(0),
        i_sentiment=np.zeros(0),
        s_cust=i32,
        s_start=np.zeros(0),
        s_cancel=np.zeros(0),
    )
    f = compute_features(empty, CUTOFF)
    for i, row in enumerate(rows):
        for key, value in row.items():
            assert key in f.columns, key
            f.loc[i, key] = value
    return f


def buyer(**extra: Any) -> dict[str, Any]:
    """A customer with 6 purchase days, the last 10 days ago, usual gap 30 days."""
    base = {
        "purchase_days": 6,
        "orders_total": 6,
        "recency_days": 10,
        "tenure_days": 400,
        "gap_median": 30,
        "purchases_90": 2,
        "purchases_365": 5,
        "spend_total": 60000,
        "spend_365": 50000,
    }
    return base | extra


# ----------------------------------------------------------------------------- engagement


def test_engagement_points_follow_the_documented_formulas() -> None:
    f = frame(
        [
            buyer(recency_days=0, purchases_365=4, sends_180=6, opens_90=2, clicks_90=1),
            buyer(recency_days=90, purchases_365=0, spend_365=0),
        ]
    )
    score, points = engagement_score(f, ENGAGEMENT_WEIGHTS)
    w = ENGAGEMENT_WEIGHTS
    positive = w["recency"] + w["frequency"] + w["monetary"] + w["interaction"]
    # Customer 0: recency 1.0, frequency 1 - e^-1, monetary percentile 1 (only spender),
    # interaction 1 - e^-(2 + 2x1)/4.
    assert points["recency"][0] == pytest.approx(100 * w["recency"] / positive)
    assert points["frequency"][0] == pytest.approx(
        100 * w["frequency"] * (1 - np.exp(-1)) / positive
    )
    assert points["monetary"][0] == pytest.approx(100 * w["monetary"] / positive)
    assert points["interaction"][0] == pytest.approx(
        100 * w["interaction"] * (1 - np.exp(-1)) / positive
    )
    assert score[0] == pytest.approx(sum(points[k][0] for k in points))
    # Customer 1 has no email or login data: interaction is left out and the other three
    # are re-weighted to fill 100; recency halves after 90 days.
    rest = w["recency"] + w["frequency"] + w["monetary"]
    assert np.isnan(points["interaction"][1])
    assert points["recency"][1] == pytest.approx(100 * w["recency"] * 0.5 / rest)
    assert points["monetary"][1] == 0
    assert points["frequency"][1] == 0
    assert score[1] == pytest.approx(points["recency"][1])


def test_engagement_fatigue_is_a_penalty_for_unanswered_emails() -> None:
    rows = [buyer(sends_180=8, unopened_streak=n) for n in (0, 2, 4, 6, 9)]
    score, points = engagement_score(frame(rows), ENGAGEMENT_WEIGHTS)
    fatigue = points["fatigue"]
    assert list(fatigue) == pytest.approx([0, 0, -5, -10, -10])
    assert score[0] - score[3] == pytest.approx(10)


def test_engagement_weights_come_from_the_setting() -> None:
    f = frame([buyer(recency_days=0, purchases_365=0, spend_365=0)])
    only_recency = {"recency": 1, "frequency": 0, "monetary": 0, "interaction": 0, "fatigue": 0}
    score, _ = engagement_score(f, only_recency)
    assert score[0] == pytest.approx(100)
    only_frequency = {**only_recency, "recency": 0, "frequency": 1}
    score, _ = engagement_score(f, only_frequency)
    assert score[0] == pytest.approx(0)


# --------------------------------------------------------------------------------- health


def test_health_defaults_and_components() -> None:
    f = frame(
        [
            buyer(
                recency_days=30,
                purchases_365=3,
                good_tickets_365=3,
                bad_tickets_365=1,
                sends_180=10,
                opens_180=3,
                open_rate_180=0.3,
                reviews=2,
                review_rating=4.0,
                tickets_180=1,
            )
        ]
    )
    score, points, share = health_score(f, EVERYTHING, HEALTH_WEIGHTS)
    expected = {
        "recency": 100.0,  # within the usual gap
        "frequency": 100 * (1 - np.exp(-1)),
        "satisfaction": 100 * 4 / 6,
        "email_engagement": 60.0,  # a 30% open rate of the 50% that scores 100
        "review_sentiment": 75.0,
        "ticket_volume": 50.0,
    }
    for name, value in expected.items():
        assert points[name][0] == pytest.approx(HEALTH_WEIGHTS[name] * value / 100), name
    assert score[0] == pytest.approx(sum(HEALTH_WEIGHTS[k] * v / 100 for k, v in expected.items()))
    assert share[0] == pytest.approx(1.0)


def test_health_reweights_missing_components_and_reports_coverage() -> None:
    # No tickets, emails or reviews for this customer, no tickets in the workspace.
    f = frame([buyer(recency_days=90, gap_median=30, purchases_365=3)])
    orders_only = Coverage(False, False, False, False, False, False)
    score, points, share = health_score(f, orders_only, HEALTH_WEIGHTS)
    recency = 100 * 0.5**2  # 90 days is two usual gaps past the first one
    frequency = 100 * (1 - np.exp(-1))
    assert score[0] == pytest.approx((30 * recency + 20 * frequency) / 50)
    for name in ("satisfaction", "email_engagement", "review_sentiment", "ticket_volume"):
        assert np.isnan(points[name][0])
    assert share[0] == pytest.approx(0.5)
    # With tickets in the workspace, "no tickets" is data: full marks for ticket volume.
    score2, points2, share2 = health_score(f, EVERYTHING, HEALTH_WEIGHTS)
    assert points2["ticket_volume"][0] == pytest.approx(10 * 100 / 60)
    assert share2[0] == pytest.approx(0.6)
    assert score2[0] > score[0]


def test_health_weights_are_configurable_and_unsubscribing_scores_zero() -> None:
    f = frame([buyer(unsubscribed=1, sends_180=0)])
    weights = {k: 0.0 for k in HEALTH_WEIGHTS} | {"email_engagement": 1.0}
    score, points, _ = health_score(f, EVERYTHING, weights)
    assert score[0] == 0
    assert points["email_engagement"][0] == 0
    never = frame([{"purchase_days": 0}])
    score, _, share = health_score(
        never, Coverage(False, False, False, False, False, False), weights
    )
    assert np.isnan(score[0])
    assert share[0] == 0


# ------------------------------------------------------------------------------------ RFM


def test_quintile_scores_rank_ties_at_their_lowest_place() -> None:
    values = np.array([1, 1, 1, 1, 1, 1, 2, 3, 4, 10], dtype=float)
    assert list(quintile_scores(values)) == [1, 1, 1, 1, 1, 1, 4, 4, 5, 5]
    assert list(quintile_scores(np.arange(10.0))) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_segment_rules_on_a_hand_made_table() -> None:
    r = np.array([5, 5, 5, 4, 4, 3, 3, 3, 2, 2, 1, 1, 1, 2, 5, 0])
    f = np.array([1, 2, 5, 1, 4, 1, 3, 5, 1, 3, 1, 5, 4, 4, 5, 0])
    m = np.array([1, 3, 5, 2, 4, 1, 3, 5, 1, 3, 1, 5, 5, 2, 1, 0])
    names = list(segments(r, f, m))
    assert names == [
        "New",
        "Potential Loyalist",
        "Champions",
        "Promising",
        "Loyal",
        "About to Sleep",
        "Need Attention",
        "Loyal",
        "Hibernating",
        "At Risk",
        "Lost",
        "Can't Lose Them",
        "Can't Lose Them",  # At Risk by R/F, but a top spender
        "At Risk",
        "Loyal",  # Champions by R/F, but M 1 is below the threshold
        None,  # never ordered
    ]
    assert set(np.array(GRID).ravel()) <= set(SEGMENTS)
    assert segments(r[14:15], f[14:15], m[14:15], champion_min_monetary=1)[0] == "Champions"


def test_rfm_segments_from_features() -> None:
    rows = [
        buyer(recency_days=3, purchase_days=20, spend_total=900_00),
        buyer(recency_days=400, purchase_days=1, spend_total=20_00),
    ] + [buyer(recency_days=50 + i, purchase_days=3, spend_total=100_00) for i in range(8)]
    names = rfm_segments(frame(rows))
    assert names[0] == "Champions"
    assert names[1] == "Lost"


def test_an_overdue_frequent_buyer_is_at_risk_not_loyal() -> None:
    # Most of this book has lapsed, so 132 days is a middle recency quintile; but a
    # customer who ordered every 35 days and has been silent for 132 is overdue.
    lapsed = [buyer(recency_days=300 + i, purchase_days=2, spend_total=80_00) for i in range(6)]
    rows = [
        buyer(recency_days=132, purchase_days=12, spend_total=1600_00, gap_median=35),
        buyer(recency_days=132, purchase_days=12, spend_total=1600_00, gap_median=90),
    ] + lapsed
    names = rfm_segments(frame(rows))
    assert names[0] in ("At Risk", "Can't Lose Them")
    assert names[1] == "Loyal"  # within twice its usual gap: not overdue


# -------------------------------------------------------------------------------- drivers


def test_drivers_say_what_is_wrong_with_numbers() -> None:
    rows = [
        buyer(
            recency_days=142,
            gap_median=35,
            purchases_90=0,
            bad_tickets_60=2,
            spend_prev_90=500_00,
            spend_90=200_00,
            spend_trend=-0.6,
        ),
        buyer(recency_days=142, gap_median=35, purchases_90=0, sends_180=6, opens_180=0),
        buyer(recency_days=5, purchases_90=4, subscription_active=1),
    ]
    f = frame(rows)
    f.loc[1, "first_send_180"] = day_number(dt.date(2025, 6, 2))
    table = top_drivers(f, np.array([0.9, 0.9, 0.05]))
    first = [t for t in table.text[0] if t]
    assert first[0] == "no order in 142 days; usual gap 35 days"
    assert "2 bad-satisfaction tickets in 60 days" in first
    assert "spend down 60% vs previous 90 days" in first
    assert list(table.direction[0]) == ["risk", "risk", "risk"]
    assert "opened 0 of 6 emails since June" in list(table.text[1])
    good = [t for t in table.text[2] if t]
    assert good[0] == "ordered 4 times in the last 90 days"
    assert "active subscription" in good
    assert set(table.direction[2]) == {"good"}
    # Weights are 0..1, heaviest first.
    assert (np.diff(table.weight, axis=1) <= 0).all()
    assert table.weight.max() <= 1
    assert table.weight[0, 0] > 0
    assert list(table.top_text()) == [first[0], table.text[1][0], good[0]]


def test_no_spend_down_100_percent_next_to_no_order_in_n_days() -> None:
    # Nothing spent in the last 90 days: "no order in 132 days" already says it.
    row = buyer(
        recency_days=132,
        gap_median=35,
        purchases_90=0,
        spend_prev_90=300_00,
        spend_90=0,
        spend_trend=-1.0,
    )
    texts = [t for t in top_drivers(frame([row]), np.array([0.9])).text[0] if t]
    assert texts[0] == "no order in 132 days; usual gap 35 days"
    assert not any(t.startswith("spend down") for t in texts)


def test_drivers_follow_the_risk_direction() -> None:
    # The same facts, one good and one bad; the churn risk decides which leads.
    row = buyer(recency_days=142, gap_median=35, purchases_90=0, subscription_active=1)
    f = frame([row, row])
    table = top_drivers(f, np.array([0.95, 0.05]))
    assert table.direction[0][0] == "risk"
    assert table.direction[1][0] == "good"


def test_a_customer_with_nothing_to_say_has_no_drivers() -> None:
    table = top_drivers(frame([{"purchase_days": 0}]), np.array([0.5]))
    assert list(table.text[0]) == ["", "", ""]
    assert table.top_text()[0] is None
    assert list(table.weight[0]) == [0, 0, 0]


def test_a_new_customer_s_risk_is_said_to_come_from_a_thin_history() -> None:
    # One order 25 days ago, two orders in 90 days with good email habits: the risk
    # reason is the thin history, not only the reassuring signs.
    rows = [
        buyer(purchase_days=1, orders_total=1, recency_days=25, tenure_days=25, purchases_90=1),
        buyer(
            purchase_days=2,
            orders_total=2,
            recency_days=10,
            tenure_days=90,
            purchases_90=2,
            sends_180=6,
            opens_180=6,
        ),
        buyer(purchase_days=2, orders_total=2, recency_days=30, tenure_days=400),
    ]
    table = top_drivers(frame(rows), np.array([0.9, 0.8, 0.8]))
    assert table.text[0][0] == "new customer, thin history: one order so far, 25 days ago"
    assert table.direction[0][0] == "risk"
    texts = [t for t in table.text[1] if t]
    assert "new customer, thin history: 2 orders so far, the first 90 days ago" in texts
    # A customer of more than half a year is not new, whatever their order count.
    assert not any(t.startswith("new customer") for t in table.text[2])
