"""The scoring queries return the contract's records, columns and export frame; scoring
settings are validated, versioned and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from app.workspace import Workspace, open_workspace
from models.schema import AuditEvent, Customer, Order
from models.vocab import GUEST_EXTERNAL_ID
from services.core.records import (
    CalibrationBin,
    CustomerScores,
    Driver,
    ModelReport,
    ScoreHistoryPoint,
    ScoringSummary,
)
from services.demo import build_demo
from services.scoring.queries import (
    EXPORT_COLUMNS,
    customer_scores,
    latest_run_id,
    latest_scores_columns,
    model_report,
    score_history,
    scores_frame,
)
from services.scoring.run import read_config, score_workspace
from services.settings import SettingError, config_version, get_setting, set_setting
from tests.support.databases import database_params, new_workspace_url, stored_json

TODAY = dt.date(2025, 6, 15)
EARLIER = TODAY - dt.timedelta(days=14)


@pytest.fixture(scope="module", params=database_params())
def scored(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Workspace, ScoringSummary, ScoringSummary]]:
    """A demo scored twice, with a settings change in between, plus a guest customer; on
    SQLite, then on PostgreSQL."""
    url = new_workspace_url(request, request.param, tmp_path_factory.mktemp("q"))
    ws = open_workspace(url, backup=False)
    build_demo(ws.engine, customers=600, seed=5, today=TODAY)
    with ws.engine.begin() as conn:
        conn.execute(insert(Customer).values(external_id=GUEST_EXTERNAL_ID, source="shop"))
        guest = conn.execute(
            select(Customer.id).where(Customer.external_id == GUEST_EXTERNAL_ID)
        ).scalar_one()
        conn.execute(
            insert(Order).values(
                customer_id=guest,
                external_id="g1",
                order_date=dt.datetime(2025, 1, 5, tzinfo=dt.UTC),
                amount_cents=1000,
            )
        )
    first = score_workspace(ws.engine, as_of=EARLIER)
    with Session(ws.engine) as s, s.begin():
        set_setting(s, "scoring.health_weights", {"recency": 40.0}, actor="maya")
    second = score_workspace(ws.engine, as_of=TODAY)
    yield ws, first, second
    ws.close()


def test_latest_scores_columns_align_with_the_customers_table(
    scored: tuple[Workspace, ScoringSummary, ScoringSummary],
) -> None:
    ws, _, second = scored
    with ws.engine.connect() as conn:
        columns = latest_scores_columns(Session(bind=conn))
    assert columns is not None
    with ws.engine.connect() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT id FROM customers ORDER BY id"))]
        stored = {
            r.customer_id: r
            for r in conn.execute(
                text(f"SELECT * FROM score_snapshots WHERE scoring_run_id = {second.run_id}")
            )
        }
        guest = conn.execute(
            text(f"SELECT id FROM customers WHERE external_id = '{GUEST_EXTERNAL_ID}'")
        ).scalar_one()
        # The same columns through a connection.
        again = latest_scores_columns(Session(bind=conn))
    assert again is not None
    assert list(columns["customer_id"]) == ids
    assert len(ids) == 601
    for name in (
        "engagement_score",
        "churn_risk",
        "health_score",
        "clv_12m_cents",
        "revenue_at_risk_cents",
        "predicted_orders",
    ):
        assert columns[name].dtype == np.float64, name
        np.testing.assert_array_equal(columns[name], again[name])
    for i, cid in enumerate(ids):
        if cid == guest:
            assert np.isnan(columns["churn_risk"][i])
            assert columns["segment"][i] is None
            continue
        row = stored[cid]
        assert columns["churn_risk"][i] == row.churn_risk
        assert columns["clv_12m_cents"][i] == row.clv_12m_cents
        assert columns["segment"][i] == row.segment
        assert columns["confidence"][i] == row.confidence
        if row.health_score is None:
            assert np.isnan(columns["health_score"][i])


def test_latest_scores_columns_is_none_before_any_scoring(workspace_url: str) -> None:
    ws = open_workspace(workspace_url, backup=False)
    try:
        with ws.engine.connect() as conn:
            assert latest_scores_columns(Session(bind=conn)) is None
        with Session(ws.engine) as s:
            assert latest_run_id(s) is None
            assert model_report(s) is None
            assert customer_scores(s, 1) is None
            assert score_history(s, 1) == ()
            frame = scores_frame(s)
        assert list(frame.columns) == list(EXPORT_COLUMNS)
        assert frame.empty
    finally:
        ws.close()


def test_customer_scores_with_the_previous_snapshot(
    scored: tuple[Workspace, ScoringSummary, ScoringSummary],
) -> None:
    ws, _, _ = scored
    with Session(ws.engine) as s:
        latest = customer_scores(s, 1)
    assert isinstance(latest, CustomerScores)
    assert latest.as_of == TODAY
    assert latest.horizon_days == 90
    assert latest.previous is not None
    assert latest.previous.as_of == EARLIER
    assert latest.previous.previous is None
    assert latest.drivers
    assert all(isinstance(d, Driver) for d in latest.drivers)
    assert all(d.direction in ("risk", "good") and 0 < d.weight <= 1 for d in latest.drivers)
    assert set(latest.components) == {"engagement", "health"}
    engagement = latest.components["engagement"]
    assert latest.engagement_score is not None
    assert sum(engagement.values()) == pytest.approx(latest.engagement_score, abs=0.2)
    health = latest.components["health"]
    assert latest.health_score is not None
    assert sum(health.values()) == pytest.approx(latest.health_score, abs=0.2)
    assert all(isinstance(v, float) for v in health.values())  # nulls left out
    assert latest.p_alive is not None
    assert 0 <= latest.p_alive <= 1
    assert isinstance(latest.clv_12m_cents, int)


def test_score_history_marks_the_configuration_version(
    scored: tuple[Workspace, ScoringSummary, ScoringSummary],
) -> None:
    ws, _, _ = scored
    with Session(ws.engine) as s:
        history = score_history(s, 1)
    assert all(isinstance(p, ScoreHistoryPoint) for p in history)
    assert [p.as_of for p in history] == [EARLIER, TODAY]
    assert [p.config_version for p in history] == [0, 1]


def test_model_report_of_the_latest_run(
    scored: tuple[Workspace, ScoringSummary, ScoringSummary],
) -> None:
    ws, first, second = scored
    with Session(ws.engine) as s:
        report = model_report(s)
        older = model_report(s, first.run_id)
    assert isinstance(report, ModelReport)
    assert isinstance(older, ModelReport)
    assert report.run_id == second.run_id
    assert older.run_id == first.run_id
    assert report.as_of == TODAY
    assert report.customers == 600
    assert report.chosen_model == second.chosen_model
    assert report.config_version == 1
    assert report.auc == second.auc
    assert report.brier == second.brier
    assert report.backtest_cutoff == TODAY - dt.timedelta(days=90)
    assert set(report.baseline) >= {"recency"}
    assert second.chosen_model not in report.baseline
    assert report.calibration
    assert all(isinstance(b, CalibrationBin) for b in report.calibration)
    assert sum(b.count for b in report.calibration) > 400
    assert set(report.bgnbd) == {"r", "alpha", "a", "b"}
    assert set(report.gamma_gamma) == {
        "p",
        "q",
        "v",
    }
    assert report.reason
    assert report.reason == second.reason
    assert report.config_changes
    assert report.config_changes[0][1] == 1
    assert report.finished_at.tzinfo is not None


def test_scores_frame_has_the_export_columns(
    scored: tuple[Workspace, ScoringSummary, ScoringSummary],
) -> None:
    ws, first, second = scored
    with Session(ws.engine) as s:
        frame = scores_frame(s)
        older = scores_frame(s, first.run_id)
    assert list(frame.columns) == list(EXPORT_COLUMNS)
    assert len(frame) == 600
    assert frame["customer_id"].is_unique
    assert (frame["as_of"] == TODAY).all()
    assert (older["as_of"] == EARLIER).all()
    assert (frame["horizon_days"] == 90).all()
    with ws.engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT c.external_id, s.clv_12m_cents, s.revenue_at_risk_cents, "
                "s.predicted_revenue_cents, s.drivers FROM score_snapshots s JOIN customers c "
                f"ON c.id = s.customer_id WHERE s.scoring_run_id = {second.run_id} LIMIT 1"
            )
        ).one()
    mine = frame.set_index("customer_id").loc[row.external_id]
    assert mine["value"] == pytest.approx(row.clv_12m_cents / 100)
    assert mine["revenue_at_risk"] == pytest.approx(row.revenue_at_risk_cents / 100)
    assert mine["predicted_revenue"] == pytest.approx(row.predicted_revenue_cents / 100)
    assert isinstance(mine["top_driver"], str)
    assert mine["top_driver"] == stored_json(row.drivers)[0]["text"]
    assert pd.api.types.is_float_dtype(frame["churn_risk"])


# ------------------------------------------------------------------------------- settings


def test_scoring_settings_are_versioned_and_audited(workspace_url: str) -> None:
    ws = open_workspace(workspace_url, backup=False)
    try:
        with Session(ws.engine) as s, s.begin():
            assert config_version(s) == 0
            assert get_setting(s, "scoring.horizon_days") == 90
            set_setting(s, "scoring.horizon_days", 120, actor="maya")
            set_setting(s, "scoring.horizon_days", 120, actor="maya")  # no change, no bump
            set_setting(s, "scoring.engagement_weights", {"fatigue": 0.0})
            set_setting(s, "workspace.name", "East")  # not a scoring setting
        with Session(ws.engine) as s:
            assert config_version(s) == 2
            events = s.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
            config = read_config(s)
        assert [e.action for e in events] == ["settings.changed", "settings.changed"]
        assert events[0].actor == "maya"
        assert events[0].details == {
            "key": "scoring.horizon_days",
            "old": 90,
            "new": 120,
            "config_version": 1,
        }
        assert config.horizon_days == 120
        assert config.config_version == 2
        # A partial dict keeps the other defaults.
        assert config.engagement_weights["fatigue"] == 0
        assert config.engagement_weights["recency"] > 0
    finally:
        ws.close()


@pytest.mark.parametrize(
    ("key", "value", "complaint"),
    [
        ("scoring.health_weights", {"mood": 3}, "unknown component"),
        ("scoring.health_weights", {"recency": -1}, "at least 0"),
        ("scoring.engagement_weights", {"recency": "high"}, "at least 0"),
        (
            "scoring.engagement_weights",
            {"recency": 0, "frequency": 0, "monetary": 0, "interaction": 0},
            "above 0",
        ),
        ("scoring.horizon_days", 0, "between 1 and"),
        ("scoring.horizon_days", "90", "must be of type"),
        ("scoring.thresholds", {"new_customer_days": -3}, "at least 0"),
    ],
)
def test_bad_scoring_settings_are_refused(
    workspace_url: str, key: str, value: object, complaint: str
) -> None:
    ws = open_workspace(workspace_url, backup=False)
    try:
        with Session(ws.engine) as s:
            with pytest.raises(SettingError, match=complaint):
                set_setting(s, key, value)
            assert config_version(s) == 0
    finally:
        ws.close()


def test_the_horizon_setting_is_the_default_horizon(workspace_url: str) -> None:
    ws = open_workspace(workspace_url, backup=False)
    try:
        build_demo(ws.engine, customers=300, seed=2, today=TODAY)
        with Session(ws.engine) as s, s.begin():
            set_setting(s, "scoring.horizon_days", 60)
        summary = score_workspace(ws.engine, as_of=TODAY)
        assert summary.horizon_days == 60
        with ws.engine.connect() as conn:
            version = conn.execute(text("SELECT config_version FROM scoring_runs")).scalar_one()
        assert version == 1
    finally:
        ws.close()


def test_a_latest_run_without_snapshots_gives_empty_columns(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A finished run that scored nobody (every customer left out of it): the customers
    table still gets one empty score per customer, not an error."""
    from models.schema import ScoringRun

    ws = open_workspace(f"sqlite:///{tmp_path / 'w.radar.sqlite'}", backup=False)
    try:
        with Session(ws.engine) as s, s.begin():
            s.add_all([Customer(external_id=f"c{i}", source="shop") for i in range(3)])
            s.add(ScoringRun(as_of=TODAY, horizon_days=90, status="finished"))
        with Session(ws.engine) as s:
            columns = latest_scores_columns(s)
            raw = latest_scores_columns(s, aligned=False)
    finally:
        ws.close()
    assert columns is not None
    assert len(columns["customer_id"]) == 3
    assert np.isnan(columns["churn_risk"]).all()
    assert list(columns["segment"]) == [None, None, None]
    assert raw is not None
    assert len(raw["customer_id"]) == 0
