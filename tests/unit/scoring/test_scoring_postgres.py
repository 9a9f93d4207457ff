"""Scoring on a real PostgreSQL server gives the same scores as on SQLite.

Uses the throwaway cluster of tests/unit/workspace/test_postgres.py (skipped without PostgreSQL's
server binaries).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from app.workspace import open_workspace, to_url
from services.demo import build_demo
from services.scoring.queries import customer_scores, latest_scores_columns, scores_frame
from services.scoring.run import score_workspace
from tests.unit.workspace.test_postgres import pg_url  # noqa: F401  (the fixture)

TODAY = dt.date(2026, 6, 30)


def _by_customer(engine: Engine) -> dict[str, tuple[Any, ...]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT c.external_id, s.engagement_score, s.churn_risk, s.predicted_orders, "
                "s.clv_12m_cents, s.segment, s.health_score, s.confidence "
                "FROM score_snapshots s JOIN customers c ON c.id = s.customer_id"
            )
        ).all()
    return {r[0]: tuple(r[1:]) for r in rows}


def test_scores_on_postgresql_match_sqlite(pg_url: str, tmp_path: Path) -> None:  # noqa: F811
    pg = open_workspace(pg_url)
    lite = open_workspace(to_url(str(tmp_path / "same.radar.sqlite")), backup=False)
    try:
        for ws in (pg, lite):
            build_demo(ws.engine, customers=400, seed=12, today=TODAY)
        on_pg = score_workspace(pg.engine, as_of=TODAY, horizon_days=90)
        on_lite = score_workspace(lite.engine, as_of=TODAY, horizon_days=90)
        assert on_pg.customers == on_lite.customers == 400
        assert on_pg.chosen_model == on_lite.chosen_model
        assert on_pg.auc == pytest.approx(on_lite.auc)
        assert on_pg.bgnbd == pytest.approx(on_lite.bgnbd)
        a, b = _by_customer(pg.engine), _by_customer(lite.engine)
        assert a.keys() == b.keys()
        for key in a:
            assert a[key] == pytest.approx(b[key], nan_ok=True), key

        with pg.engine.connect() as conn:
            columns = latest_scores_columns(Session(bind=conn))
        assert columns is not None
        assert np.isfinite(columns["churn_risk"]).sum() == 400
        with Session(pg.engine) as s:
            frame = scores_frame(s)
            first = int(columns["customer_id"][0])
            scores = customer_scores(s, first)
        assert len(frame) == 400
        assert frame["top_driver"].notna().any()
        assert scores is not None
        assert scores.drivers
        assert "health" in scores.components
        # Scoring again replaces the snapshot on PostgreSQL too.
        score_workspace(pg.engine, as_of=TODAY, horizon_days=90)
        with pg.engine.connect() as conn:
            assert conn.execute(text("SELECT COUNT(*) FROM score_snapshots")).scalar_one() == 400
    finally:
        pg.close()
        lite.close()
