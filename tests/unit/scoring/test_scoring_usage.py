"""Product usage in scoring: read with the rest (SQLite and PostgreSQL), its features only
on a workspace with usage, and engagement and health counting it only then."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np
import pytest
from sqlalchemy import insert

from app.workspace import Workspace, open_workspace
from models.schema import Customer, Order, UsageDay
from services.scoring._usage import USAGE_FEATURES
from services.scoring.churn import _usable_columns
from services.scoring.data import day_number, load_scoring_data
from services.scoring.engagement import engagement_score
from services.scoring.features import compute_features, coverage
from services.scoring.health import health_score
from services.settings import ENGAGEMENT_WEIGHTS, HEALTH_WEIGHTS

T = dt.date(2025, 6, 30)
T_DAY = day_number(T)


@pytest.fixture
def workspace(workspace_url: str) -> Iterator[Workspace]:
    ws = open_workspace(workspace_url, backup=False)
    yield ws
    ws.close()


def _fill(ws: Workspace, *, usage: bool) -> dict[str, int]:
    """Three buyers; with ``usage``, A uses the product less lately, B steadily, C never."""
    with ws.engine.begin() as conn:
        conn.execute(insert(Customer), [{"external_id": x, "source": "s"} for x in "ABC"])
        ids = dict(conn.exec_driver_sql("SELECT external_id, id FROM customers").all())
        conn.execute(
            insert(Order),
            [
                {
                    "customer_id": ids[x],
                    "external_id": f"{x}{d}",
                    "source": "s",
                    "order_date": dt.datetime.combine(T - dt.timedelta(days=d), dt.time(10)),
                    "amount_cents": 5000,
                    "status": "paid",
                }  # fmt: skip
                for x in "ABC"
                for d in (20, 80, 140)
            ],
        )
        if usage:
            rows = [(ids["A"], d, 4) for d in (35, 40, 45, 50, 55)] + [(ids["A"], 12, 2)]
            rows += [(ids["B"], d, 3) for d in (5, 15, 25, 35, 45, 55)]
            rows += [(ids["B"], -3, 50)]  # after T: not read
            rows += [(ids["A"], 12, 1, "other")]  # type: ignore[list-item]
            conn.execute(
                insert(UsageDay),
                [
                    {"customer_id": r[0], "source": r[3] if len(r) > 3 else "app",
                     "day": T - dt.timedelta(days=r[1]), "sessions": r[2], "events": 1}
                    for r in rows
                ],
            )  # fmt: skip
    return ids


def _pos(data: object, cid: int) -> int:
    return int(np.flatnonzero(data.customer_ids == cid)[0])  # type: ignore[attr-defined]


def test_usage_features_appear_only_with_usage(workspace: Workspace) -> None:
    _fill(workspace, usage=False)
    data = load_scoring_data(workspace.engine, until_day=T_DAY)
    f = compute_features(data, T_DAY)
    for name in USAGE_FEATURES:
        assert f[name].isna().all(), name
        assert name not in _usable_columns(f)
    assert not coverage(data, T_DAY).usage


def test_usage_features_of_hand_made_customers(workspace: Workspace) -> None:
    ids = _fill(workspace, usage=True)
    data = load_scoring_data(workspace.engine, until_day=T_DAY)
    assert coverage(data, T_DAY).usage
    f = compute_features(data, T_DAY)
    a, b, c = (f.iloc[_pos(data, ids[x])] for x in "ABC")
    # A: 3 sessions (two sources on one day) in the last 30 days, 20 in the 30 before.
    assert (a.usage_sessions_30, a.usage_sessions_prev_30, a.usage_days_30) == (3, 20, 1)
    assert a.usage_trend == pytest.approx(4 / 21)
    assert a.usage_days_since_active == 12
    assert (b.usage_sessions_30, b.usage_sessions_prev_30, b.usage_days_30) == (9, 9, 3)
    assert b.usage_days_since_active == 5  # the row after T is not read
    assert (c.usage_sessions_30, c.usage_sessions_prev_30) == (0, 0)
    assert np.isnan(c.usage_days_since_active)
    # Read as of an earlier cutoff, only rows up to it count.
    earlier = compute_features(data, T_DAY - 30)
    assert earlier.iloc[_pos(data, ids["A"])].usage_sessions_30 == 20


def test_usage_features_do_not_depend_on_row_order(workspace: Workspace) -> None:
    import dataclasses

    _fill(workspace, usage=True)
    data = load_scoring_data(workspace.engine, until_day=T_DAY)
    order = np.random.default_rng(3).permutation(data.u_cust.size)
    shuffled = dataclasses.replace(
        data, u_cust=data.u_cust[order], u_day=data.u_day[order], u_sessions=data.u_sessions[order]
    )
    left = compute_features(data, T_DAY)[list(USAGE_FEATURES)]
    right = compute_features(shuffled, T_DAY)[list(USAGE_FEATURES)]
    assert left.equals(right)


def test_engagement_and_health_count_usage_only_with_it(workspace: Workspace) -> None:
    ids = _fill(workspace, usage=True)
    data = load_scoring_data(workspace.engine, until_day=T_DAY)
    f = compute_features(data, T_DAY)
    cover = coverage(data, T_DAY)
    score, points = engagement_score(f, ENGAGEMENT_WEIGHTS)
    a, b, c = (_pos(data, ids[x]) for x in "ABC")
    assert points["usage"][b] > points["usage"][a] > 0
    assert np.isnan(points["usage"][c])  # never used the product: left out, not 0
    health, h_points, share = health_score(f, cover, HEALTH_WEIGHTS)
    # B: 9 sessions (level 1 - e^(-9/8)), steady (trend 1); no conversations: their weight
    # is not counted.
    counted = sum(w for k, w in HEALTH_WEIGHTS.items() if k != "conversations")
    level = 1 - np.exp(-9 / 8)
    assert h_points["product_usage"][b] * 100 / HEALTH_WEIGHTS["product_usage"] == pytest.approx(
        100 * (0.5 * level + 0.5) * 100 / (share[b] * counted)
    )
    assert h_points["product_usage"][b] > h_points["product_usage"][a]
    # Without usage in the workspace, the same customers score as if usage never existed.
    f_none = f.assign(**{name: np.nan for name in USAGE_FEATURES})
    plain = {k: v for k, v in ENGAGEMENT_WEIGHTS.items() if k != "usage"}
    no_usage_cover = coverage(data, T_DAY - 400)
    e1, p1 = engagement_score(f_none, ENGAGEMENT_WEIGHTS)
    e2, _ = engagement_score(f_none, plain)
    assert "usage" not in p1
    assert np.allclose(e1, e2)
    h1, hp1, s1 = health_score(f_none, no_usage_cover, HEALTH_WEIGHTS)
    h2, _, s2 = health_score(
        f_none, no_usage_cover, {k: v for k, v in HEALTH_WEIGHTS.items() if k != "product_usage"}
    )
    assert "product_usage" not in hp1
    assert np.allclose(h1, h2, equal_nan=True)
    assert np.allclose(s1, s2)
    assert score.shape == health.shape == (3,)
