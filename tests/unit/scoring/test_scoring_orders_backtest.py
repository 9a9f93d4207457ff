"""The orders backtest (BG/NBD's expected purchases over the backtest window against the
purchases made) and the determinism of scoring, on a workspace holding the CDNOW 1/10
sample (2,357 customers, 6,919 purchase lines in 1997-01..1998-06).

The backtest's figures are checked against an independent computation from the raw
file: the customers' summaries and holdout purchase days with numpy, BG/NBD's
conditional expectation from its closed form (Fader, Hardie & Lee 2005, eq. 10, with
scipy's hypergeometric function), none of it from services/scoring.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.special import hyp2f1
from sqlalchemy import Engine, insert, text

from app.workspace import Workspace, open_workspace
from models.schema import Customer, Order
from services.core.records import orders_backtest_text
from services.scoring.churn import evaluate_orders
from services.scoring.queries import model_report
from services.scoring.run import score_workspace
from tests.support.databases import (
    copy_workspace_url,
    database_params,
    new_workspace_url,
    stored_json,
)
from tests.support.paths import DATA

SAMPLE = DATA / "cdnow" / "CDNOW_sample.txt"
AS_OF = dt.date(1997, 9, 30)
HORIZON = 273
# Columns of a snapshot that name the run rather than hold a score.
NOT_SCORES = {"id", "created_at", "scoring_run_id"}


def read_sample() -> list[tuple[str, dt.date, int]]:
    """(customer id, date, cents) per line of the sample (id, id in the 1/10 draw, date,
    CDs, dollars)."""
    rows = []
    for line in SAMPLE.read_text(encoding="ascii").splitlines():
        parts = line.split()
        if len(parts) == 5:
            day = dt.date(int(parts[2][:4]), int(parts[2][4:6]), int(parts[2][6:8]))
            rows.append((parts[0], day, int(round(float(parts[4]) * 100))))
    return rows


def open_ws(url: str) -> Workspace:
    return open_workspace(url, backup=False)


@pytest.fixture(scope="module", params=database_params())
def sample_file(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A workspace with the sample's customers and one paid order per line, on SQLite
    then on PostgreSQL: its URL."""
    rows = read_sample()
    url = new_workspace_url(request, request.param, tmp_path_factory.mktemp("cdnow"))
    ws = open_ws(url)
    try:
        with ws.engine.begin() as conn:
            names = sorted({c for c, _, _ in rows})
            conn.execute(insert(Customer), [{"external_id": c, "source": "cdnow"} for c in names])
            ids = dict(conn.execute(text("SELECT external_id, id FROM customers")).all())
            conn.execute(
                insert(Order),
                [
                    {
                        "customer_id": ids[c],
                        "external_id": f"L{i}",
                        "source": "cdnow",
                        "order_date": dt.datetime.combine(day, dt.time(12), dt.UTC),
                        "amount_cents": cents,
                        "status": "paid",
                    }
                    for i, (c, day, cents) in enumerate(rows)
                ],
            )
    finally:
        ws.close()
    return url


@pytest.fixture(scope="module")
def scored(
    request: pytest.FixtureRequest, sample_file: str, tmp_path_factory: pytest.TempPathFactory
) -> Any:
    ws = open_ws(copy_workspace_url(request, sample_file, tmp_path_factory.mktemp("scored")))
    summary = score_workspace(ws.engine, as_of=AS_OF, horizon_days=HORIZON)
    yield ws, summary
    ws.close()


def backtest_of(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        raw = conn.execute(
            text("SELECT backtest FROM scoring_runs WHERE status = 'finished'")
        ).scalar_one()
    out: dict[str, Any] = stored_json(raw)  # type: ignore[assignment]
    return out


def bgnbd_expected(
    p: dict[str, float], t: float, x: np.ndarray, tx: np.ndarray, big_t: np.ndarray
) -> np.ndarray:
    """BG/NBD's E[purchases in (T, T+t] | x, t_x, T], the published closed form."""
    r, alpha, a, b = p["r"], p["alpha"], p["a"], p["b"]
    z = t / (alpha + big_t + t)
    head = (a + b + x - 1) / (a - 1)
    body = 1 - ((alpha + big_t) / (alpha + big_t + t)) ** (r + x) * hyp2f1(
        r + x, b + x, a + b + x - 1, z
    )
    repeat = np.where(x > 0, a / np.maximum(b + x - 1, 1e-12), 0.0)
    return head * body / (1 + repeat * ((alpha + big_t) / (alpha + tx)) ** (r + x))


def test_evaluate_orders_by_hand() -> None:
    predicted = np.array([0.5, 1.0, 2.0, 0.0])
    actual = np.array([0.0, 1.0, 3.0, 0.0])
    m = evaluate_orders(predicted, actual)
    assert m["customers"] == 4
    assert m["predicted"] == 3.5
    assert m["actual"] == 4.0
    assert m["rmse"] == pytest.approx(np.sqrt((0.25 + 0 + 1 + 0) / 4))
    assert m["bias"] == pytest.approx(-0.125)
    # Pearson by its definition: covariance over the product of the spreads.
    dp, da = predicted - predicted.mean(), actual - actual.mean()
    assert m["correlation"] == pytest.approx(
        (dp * da).sum() / np.sqrt((dp**2).sum() * (da**2).sum())
    )
    # Nobody bought: no bias; a constant side: no correlation.
    none = evaluate_orders(np.array([0.2, 0.4]), np.zeros(2))
    assert none["bias"] is None
    assert none["correlation"] is None
    assert none["rmse"] == pytest.approx(np.sqrt((0.04 + 0.16) / 2))
    assert evaluate_orders(np.zeros(0), np.zeros(0))["rmse"] is None


def test_orders_backtest_matches_an_independent_computation(scored: Any) -> None:
    ws, summary = scored
    backtest = backtest_of(ws.engine)
    h = int(backtest["label_days"])
    cutoff = dt.date.fromisoformat(backtest["cutoff"])
    assert cutoff == AS_OF - dt.timedelta(days=h)
    orders = backtest["orders"]

    # The truth from the raw file: purchase days (same-day lines merged) per customer.
    days: dict[str, set[dt.date]] = {}
    for c, day, _ in read_sample():
        days.setdefault(c, set()).add(day)
    known = sorted(c for c, d in days.items() if min(d) <= cutoff)
    end = cutoff + dt.timedelta(days=h)
    x, tx, big_t, actual = [], [], [], []
    for c in known:
        before = sorted(d for d in days[c] if d <= cutoff)
        x.append(len(before) - 1)
        tx.append((before[-1] - before[0]).days / 7)
        big_t.append((cutoff - before[0]).days / 7)
        actual.append(sum(1 for d in days[c] if cutoff < d <= end))
    y = np.array(actual, dtype=float)
    predicted = bgnbd_expected(
        backtest["bgnbd_params"], h / 7, np.array(x, float), np.array(tx), np.array(big_t)
    )

    assert orders["customers"] == len(known) == backtest["customers"]
    assert orders["actual"] == y.sum()
    assert orders["predicted"] == pytest.approx(predicted.sum(), rel=1e-6)
    assert orders["rmse"] == pytest.approx(np.sqrt(np.mean((predicted - y) ** 2)), rel=1e-6)
    assert orders["correlation"] == pytest.approx(np.corrcoef(predicted, y)[0, 1], rel=1e-6)
    assert orders["bias"] == pytest.approx((predicted.sum() - y.sum()) / y.sum(), rel=1e-5)
    # BG/NBD carries real information about who buys again.
    assert orders["correlation"] > 0.3

    # Shown where the churn backtest is: the score command's summary and the report.
    line = orders_backtest_text(orders, h)
    assert f"same {h} days" in line
    assert f"{y.sum():,.0f} placed" in line
    assert f"(RMSE) {orders['rmse']:.2f} orders" in line
    assert f"  {line}" in summary.lines()
    from sqlalchemy.orm import Session

    with Session(ws.engine) as session:
        report = model_report(session)
    assert report is not None
    assert report.orders_backtest == orders


def test_no_backtest_no_orders_line() -> None:
    assert orders_backtest_text({}, 90) == ""
    assert orders_backtest_text({"rmse": None, "customers": 0}, 90) == ""


def test_two_fresh_copies_score_identically_to_the_last_digit(
    request: pytest.FixtureRequest, sample_file: str, tmp_path: Path
) -> None:
    rows = []
    backtests = []
    for name in ("one", "two"):
        ws = open_ws(copy_workspace_url(request, sample_file, tmp_path, f"{name}.radar.sqlite"))
        try:
            score_workspace(ws.engine, as_of=AS_OF, horizon_days=HORIZON)
            with ws.engine.connect() as conn:
                result = conn.execute(text("SELECT * FROM score_snapshots ORDER BY customer_id"))
                columns = list(result.keys())
                keep = [k for k in columns if k not in NOT_SCORES]
                rows.append([tuple(getattr(r, k) for k in keep) for r in result])
            backtests.append(backtest_of(ws.engine))
        finally:
            ws.close()
    # Every column a snapshot holds (any added later too), compared exactly.
    assert len(keep) >= 15
    assert len(rows[0]) == 2357
    assert rows[0] == rows[1]
    assert backtests[0] == backtests[1]
