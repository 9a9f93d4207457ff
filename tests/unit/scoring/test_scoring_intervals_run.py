"""Scoring writes the 80% intervals into the snapshot (migration 0008), the confidence
label follows the churn-risk interval's width under the history ceiling, and a
workspace scored before the intervals upgrades with its snapshots kept.
Real data: the CDNOW 1/10 sample imported as an orders file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

from app.workspace import Workspace, open_workspace, to_url
from models.migrate import _raw_pragma, alembic_config, upgrade
from services.importing.service import run_import
from services.scoring.intervals import HIGH_CONFIDENCE_WIDTH, MEDIUM_CONFIDENCE_WIDTH
from services.scoring.run import score_workspace
from tests.support.cdnow import DATA
from tests.support.databases import (
    copy_workspace_url,
    database_params,
    new_workspace_url,
    stored_json,
)

AS_OF = dt.date(1997, 9, 30)
COLUMNS = (
    "churn_risk_low, churn_risk, churn_risk_high, predicted_orders_low, predicted_orders, "
    "predicted_orders_high, clv_12m_low_cents, clv_12m_cents, clv_12m_high_cents"
)


def _import_cdnow(url: str, folder: Path) -> str:
    """The CDNOW 1/10 sample's orders imported into the workspace at ``url``."""
    raw = pd.read_csv(
        DATA / "CDNOW_sample.txt", sep=r"\s+", header=None,
        names=["master_id", "id", "date", "cds", "amount"], dtype={"date": str},
    )  # fmt: skip
    orders = pd.DataFrame(
        {
            "customer_id": "C" + raw["id"].astype(str),
            "order_id": [f"O{i}" for i in range(len(raw))],
            "order_date": pd.to_datetime(raw["date"], format="%Y%m%d").dt.strftime("%Y-%m-%d"),
            "amount": raw["amount"].map(lambda v: f"{v:.2f}"),
        }
    )
    source = folder / "orders.csv"
    orders.to_csv(source, index=False)
    ws = open_workspace(url, backup=False)
    try:
        assert run_import(ws.engine, [source]).landed
    finally:
        ws.close()
    return url


@pytest.fixture(scope="module")
def imported_file(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A workspace file with the CDNOW sample's orders (not scored yet): its URL."""
    folder = tmp_path_factory.mktemp("cdnow-sample")
    return _import_cdnow(to_url(str(folder / "w.radar.sqlite")), folder)


@pytest.fixture(scope="module", params=database_params())
def imported(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The same on SQLite (the file above), then on PostgreSQL."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("imported_file"))
    folder = tmp_path_factory.mktemp("cdnow-pg")
    return _import_cdnow(new_workspace_url(request, request.param, folder), folder)


@pytest.fixture
def workspace(request: pytest.FixtureRequest, imported: str, tmp_path: Path) -> Iterator[Workspace]:
    ws = open_workspace(copy_workspace_url(request, imported, tmp_path), backup=False)
    yield ws
    ws.close()


@pytest.fixture
def sqlite_workspace(
    request: pytest.FixtureRequest, imported_file: str, tmp_path: Path
) -> Iterator[Workspace]:
    ws = open_workspace(copy_workspace_url(request, imported_file, tmp_path), backup=False)
    yield ws
    ws.close()


def _snapshot(ws: Workspace, run_id: int) -> pd.DataFrame:
    with ws.engine.connect() as conn:
        return pd.read_sql_query(
            text(
                f"SELECT customer_id, confidence, {COLUMNS} FROM score_snapshots "
                "WHERE scoring_run_id = :run ORDER BY customer_id"
            ),
            conn,
            params={"run": run_id},
        )


def test_scoring_stores_intervals_that_hold_the_figures_and_repeat(workspace: Workspace) -> None:
    first = score_workspace(workspace.engine, as_of=AS_OF, horizon_days=90)
    frame = _snapshot(workspace, first.run_id)
    assert len(frame) == 2357
    assert frame.notna().all().all()
    for name in ("churn_risk", "predicted_orders", "clv_12m"):
        point = frame[f"{name}_cents" if name == "clv_12m" else name]
        low = frame[f"{name}_low_cents" if name == "clv_12m" else f"{name}_low"]
        high = frame[f"{name}_high_cents" if name == "clv_12m" else f"{name}_high"]
        assert (low <= point).all(), name
        assert (point <= high).all(), name
        assert (high > low).mean() > 0.5, name  # mostly real ranges, not points
    # The order ranges are checked on the backtest window, in the run's record and notes.
    with workspace.engine.connect() as conn:
        params = stored_json(
            conn.execute(
                text("SELECT params FROM scoring_runs WHERE id = :r"), {"r": first.run_id}
            ).scalar_one()
        )
    check = params["intervals"]["backtest"]
    assert check["days"] == 90
    assert check["customers"] > 1000
    assert 0.7 <= check["coverage_orders"] <= 0.95
    assert any(f"{check['coverage_orders']:.0%} of" in n for n in first.notes)
    # Scoring the same data again gives the same intervals to the last digit.
    again = score_workspace(workspace.engine, as_of=AS_OF, horizon_days=90)
    pd.testing.assert_frame_equal(frame, _snapshot(workspace, again.run_id))


def test_confidence_follows_the_width_under_the_history_ceiling(workspace: Workspace) -> None:
    run = score_workspace(workspace.engine, as_of=AS_OF, horizon_days=90)
    frame = _snapshot(workspace, run.run_id)
    width = frame["churn_risk_high"] - frame["churn_risk_low"]
    level = frame["confidence"]
    assert (width[level == "high"] < HIGH_CONFIDENCE_WIDTH).all()
    assert (width[level == "medium"] < MEDIUM_CONFIDENCE_WIDTH).all()
    assert (level[width >= MEDIUM_CONFIDENCE_WIDTH] == "low").all()
    assert set(level) >= {"low", "medium"}
    # History stays a ceiling: fewer than 3 purchase days by the as-of date is never
    # high, however narrow the interval.
    with workspace.engine.connect() as conn:
        days = dict(
            conn.execute(
                text(
                    "SELECT customer_id, COUNT(DISTINCT date(order_date)) FROM orders "
                    "WHERE order_date < '1997-10-01' GROUP BY customer_id"
                )
            ).all()
        )
    few = frame["customer_id"].map(days) < 3
    assert few.any()
    assert not (level[few] == "high").any()


def test_a_workspace_scored_before_intervals_upgrades_with_its_scores(
    sqlite_workspace: Workspace,
) -> None:
    """SQLite's migration path (batch mode rebuilds the tables on the way down)."""
    workspace = sqlite_workspace
    run = score_workspace(workspace.engine, as_of=AS_OF, horizon_days=90)
    from alembic import command

    cfg = alembic_config()
    with workspace.engine.connect() as conn:
        # As models.migrate.upgrade does: batch mode rebuilds tables on the way down.
        _raw_pragma(conn, "PRAGMA foreign_keys = OFF")
        with conn.begin():
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0006")
        _raw_pragma(conn, "PRAGMA foreign_keys = ON")
    with workspace.engine.connect() as conn:
        columns = [r[1] for r in conn.execute(text("PRAGMA table_info(score_snapshots)"))]
        kept = conn.execute(text("SELECT COUNT(*) FROM score_snapshots")).scalar_one()
    assert "churn_risk_low" not in columns
    assert "clv_12m_high_cents" not in columns
    assert kept == 2357
    upgrade(workspace.engine)
    with workspace.engine.connect() as conn:
        rows = conn.execute(
            text(f"SELECT churn_risk, {COLUMNS} FROM score_snapshots WHERE scoring_run_id = :r"),
            {"r": run.run_id},
        ).all()
    assert len(rows) == 2357
    # The old snapshots keep their scores and have no intervals until scored again.
    assert all(r[0] is not None for r in rows)
    assert all(v is None for r in rows for i, v in enumerate(r[1:]) if i % 3 != 1)
    rescored = score_workspace(workspace.engine, as_of=AS_OF, horizon_days=90)
    frame = _snapshot(workspace, rescored.run_id)
    assert np.isfinite(frame["churn_risk_low"]).all()
