"""A big customers table's first screenful (load_customer_head): every customer's row in
the table's default order, the first few read in full with exactly the values the whole
read gives, and no first screenful where the whole read must be waited for (a real SQLite
workspace, no Qt)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.orm import Session

from app.workspace import Workspace, open_workspace, to_url
from models.schema import Customer, Order, ScoreSnapshot, ScoringRun
from models.vocab import GUEST_EXTERNAL_ID
from services.core.rollups import refresh_rollups
from services.usecases.customers import load_customer_columns, load_customer_head

TODAY = dt.datetime(2026, 6, 30, 12, 0, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 6, 29, 8, 0, tzinfo=dt.UTC)
# Revenue at risk in cents by customer: ties (2, 5 and 7), none (6, no snapshot: 8).
AT_RISK = {1: 500, 2: 9000, 3: 120, 4: 45000, 5: 9000, 6: None, 7: 9000}


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    """Eight customers and a guest, with orders; rollups current."""
    ws = open_workspace(to_url(str(tmp_path / "w.radar.sqlite")), backup=False)
    with Session(ws.engine) as s, s.begin():
        for cid in range(1, 9):
            owner = "Zed" if cid % 2 else "amy"
            s.add(Customer(id=cid, source="t", external_id=f"c{cid}", name=f"N{cid}", owner=owner))
        s.add(Customer(id=9, source="t", external_id=GUEST_EXTERNAL_ID, name="Guest"))
        s.flush()
        for n, cid in enumerate((1, 1, 2, 3, 4, 4, 4, 5, 7, 8, 9)):
            day = dt.datetime(2026, 5, 1 + n, 9, tzinfo=dt.UTC)
            cents = 1000 * (n + 1) if cid != 5 else 4000  # 5 and 4's first two tie on revenue
            s.add(Order(customer_id=cid, external_id=f"o{n}", order_date=day, amount_cents=cents))
        s.flush()
        refresh_rollups(s)
    yield ws
    ws.close()


def _score(ws: Workspace) -> None:
    with Session(ws.engine) as s, s.begin():
        run = ScoringRun(
            as_of=NOW.date(),
            horizon_days=90,
            status="finished",
            started_at=NOW,
            finished_at=NOW,
            customers=len(AT_RISK),
        )
        s.add(run)
        s.flush()
        for cid, cents in AT_RISK.items():
            s.add(
                ScoreSnapshot(
                    customer_id=cid,
                    as_of=NOW.date(),
                    horizon_days=90,
                    churn_risk=0.1 * cid,
                    clv_12m_cents=100 * cid,
                    revenue_at_risk_cents=cents,
                    engagement_score=10.0 * cid,
                    health_score=50.0 + cid,
                    segment="Loyal" if cid % 2 else "At Risk",
                    confidence="high",
                    drivers=[],
                    scoring_run_id=run.id,
                )
            )


def _descending(values: np.ndarray) -> np.ndarray:
    """Row positions largest first, ties in row (id) order, NaN last: the table's sort."""
    return np.argsort(-values, kind="stable")


def _same(head: np.ndarray, full: np.ndarray) -> bool:
    if full.dtype.kind == "M":
        return bool(np.array_equal(head.astype(np.int64), full.astype(np.int64)))
    if full.dtype.kind in "fiu":
        floats = head.astype(np.float64), full.astype(np.float64)
        return bool(np.array_equal(*floats, equal_nan=True))
    return head.tolist() == full.tolist()


def _check_head(ws: Workspace, column: str, rows: int) -> dict[str, np.ndarray]:
    full = load_customer_columns(ws.engine, today=TODAY)
    head = load_customer_head(ws.engine, today=TODAY, rows=rows, min_customers=1)
    assert head is not None
    order = _descending(full[column])
    # Every customer (not the guest), in the table's default order.
    assert head["id"].tolist() == full["id"].tolist() == list(range(1, 9))
    assert head["order"].tolist() == order.tolist()
    assert head["whole_columns"].tolist() == ["id", column]
    assert _same(head[column], full[column])
    # The first rows in that order read in full, with the values of the whole read.
    loaded = np.flatnonzero(head["loaded"])
    assert sorted(loaded.tolist()) == sorted(order[:rows].tolist())
    assert set(head) - {"loaded", "whole_columns", "order"} == set(full)
    for name, values in full.items():
        assert _same(head[name][loaded], values[loaded]), name
    # The others: nothing but their id and the order's column.
    rest = np.flatnonzero(~head["loaded"])
    assert head["name"][rest].tolist() == [None] * len(rest)
    assert np.isnan(head["orders"][rest]).all()
    return head


def test_a_scored_table_opens_on_revenue_at_risk(workspace: Workspace) -> None:
    _score(workspace)
    head = _check_head(workspace, "revenue_at_risk", rows=3)
    # 4 (450.00), then the three tied at 90.00 in id order; 6 and 8 (none) last.
    assert head["id"][head["order"]].tolist() == [4, 2, 5, 7, 1, 3, 6, 8]
    assert head["name"][head["loaded"]].tolist() == ["N2", "N4", "N5"]
    assert head["churn_risk"][head["loaded"]].tolist() == pytest.approx([0.2, 0.4, 0.5])


def test_a_table_never_scored_opens_on_revenue(workspace: Workspace) -> None:
    head = _check_head(workspace, "revenue", rows=2)
    assert "churn_risk" not in head
    assert head["id"][head["order"]][:3].tolist() == [4, 8, 7]


def test_no_first_screenful_when_the_whole_read_is_the_one_to_wait_for(
    workspace: Workspace,
) -> None:
    # A small table: read whole before the paint, as before.
    assert load_customer_head(workspace.engine, today=TODAY) is None
    assert load_customer_head(workspace.engine, today=TODAY, min_customers=9) is None
    with Session(workspace.engine) as s, s.begin():
        # Any write marks the rollups stale: the table aggregates live, in one read.
        s.add(Order(customer_id=6, external_id="new", order_date=NOW, amount_cents=100))
    assert load_customer_head(workspace.engine, today=TODAY, min_customers=1) is None
