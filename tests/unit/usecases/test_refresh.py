"""Score, then raise alerts: the one service the command line, the window and the demo
call (services/usecases/refresh.py), on a real demo workspace."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

import services.alerts.generate as generate_module
from app.workspace import open_workspace
from models.errors import UserFacingError
from services.demo import build_demo
from services.scoring.run import ScoringCancelled
from services.usecases.refresh import SCORES_SHARE, score_and_alert

TODAY = dt.date(2025, 6, 15)
RAISED_TODAY = f"created_at >= '{TODAY.isoformat()}'"


def _demo(url: str) -> str:
    """The demo built in the new workspace at ``url`` (SQLite, then PostgreSQL)."""
    ws = open_workspace(url, backup=False)
    try:
        build_demo(ws.engine, customers=300, seed=3, today=TODAY)
    finally:
        ws.close()
    return url


def _count(url: str, sql: str) -> int:
    ws = open_workspace(url, backup=False)
    try:
        with ws.engine.connect() as conn:
            return int(conn.execute(text(sql)).scalar_one())
    finally:
        ws.close()


def test_scores_then_alerts_with_one_progress_bar(workspace_url: str) -> None:
    url = _demo(workspace_url)
    seen: list[float] = []
    ws = open_workspace(url, backup=False)
    try:
        result = score_and_alert(
            ws.engine, as_of=TODAY, horizon_days=90, progress=lambda f, _m: seen.append(f)
        )
    finally:
        ws.close()
    assert result.alerts_error is None
    assert result.alerts is not None
    assert result.scores.customers == _count(url, "SELECT COUNT(*) FROM score_snapshots")
    # The demo's own past alerts (services/demo/outreach.py) date from before today.
    assert result.alerts.created == _count(
        url,
        f"SELECT COUNT(*) FROM alerts WHERE status <> 'held_back' AND {RAISED_TODAY}",
    )
    assert result.alerts.created > 0
    # One bar: the scores fill it up to SCORES_SHARE, the alerts the rest; never backwards.
    assert seen == sorted(seen)
    assert max(f for f in seen if f < SCORES_SHARE) < SCORES_SHARE
    assert any(f > SCORES_SHARE for f in seen)


def test_alerts_that_fail_leave_the_scores_and_say_why(
    workspace_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _demo(workspace_url)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise UserFacingError("The workspace is locked by another program.")

    monkeypatch.setattr(generate_module, "generate_alerts", broken)
    ws = open_workspace(url, backup=False)
    try:
        result = score_and_alert(ws.engine, as_of=TODAY, horizon_days=90)
    finally:
        ws.close()
    assert result.alerts is None
    assert result.alerts_error == "The workspace is locked by another program."
    assert _count(url, "SELECT COUNT(*) FROM score_snapshots") == result.scores.customers
    assert _count(url, f"SELECT COUNT(*) FROM alerts WHERE {RAISED_TODAY}") == 0


def test_a_cancelled_scoring_writes_nothing_and_raises_no_alert(workspace_url: str) -> None:
    url = _demo(workspace_url)
    ws = open_workspace(url, backup=False)
    try:
        with pytest.raises(ScoringCancelled):
            score_and_alert(ws.engine, as_of=TODAY, cancelled=lambda: True)
    finally:
        ws.close()
    assert _count(url, "SELECT COUNT(*) FROM score_snapshots") == 0
    assert _count(url, f"SELECT COUNT(*) FROM alerts WHERE {RAISED_TODAY}") == 0
