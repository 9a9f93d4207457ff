"""Suggested thresholds: within the budget when it can be met, never an applicable change of
a setting IT locked, and applying writes only the applicable values (audited, undoable)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.workspace import open_workspace
from models.schema import AuditEvent
from services.core.policy import reload_policy
from services.learn.alert_replay import replay_alerts
from services.learn.replay_suggest import apply_suggestions, grid, restore_settings
from services.settings import get_setting
from tests.unit.learn.test_alert_replay import END, HISTORY, _fill

KEY = "alerts.gone_quiet.gap_multiple"


@pytest.fixture
def engine(workspace_url: str) -> Iterator[object]:
    _fill(workspace_url, list(HISTORY))
    ws = open_workspace(workspace_url, backup=False)
    yield ws.engine
    ws.close()


def test_grid_stays_within_the_bounds() -> None:
    assert grid(60, float, 0, 100) == [30, 45, 60, 75, 90]  # never the top: the rule off
    assert grid(2, int, 1, 3) == [1, 2]
    assert grid(3, int, 1, 3) == [2, 3]


def test_the_suggestion_keeps_to_the_budget_and_applies(engine: object) -> None:
    report = replay_alerts(engine, weeks=8, today=END, budget=1)  # type: ignore[arg-type]
    (gone_quiet,) = [s for s in report.suggestions if s.rule_key == "gone_quiet"]
    assert gone_quiet.setting == KEY
    assert report.suggested is not None
    # Today's thresholds are over the budget: early warnings and win-backs, the owner's work.
    assert report.work_per_owner_week > 1
    assert report.suggested.per_owner_week_mean <= 1
    assert gone_quiet.applicable
    before = apply_suggestions(engine, report.suggestions, actor="test")  # type: ignore[arg-type]
    with Session(engine) as s:  # type: ignore[call-overload]
        assert get_setting(s, KEY) == gone_quiet.suggested
        audited = s.scalars(
            select(AuditEvent.details).where(AuditEvent.action == "settings.changed")
        ).all()
        assert any(d["key"] == KEY for d in audited)
    restore_settings(engine, before, actor="test")  # type: ignore[arg-type]
    with Session(engine) as s:  # type: ignore[call-overload]
        assert get_setting(s, KEY) == 2.0


def test_a_locked_setting_is_never_applied(
    engine: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = tmp_path / "policies.json"
    policy.write_text(json.dumps({"locked": {KEY: 2.0}}), encoding="utf-8")
    monkeypatch.setenv("ACCOUNT_RADAR_POLICIES", str(policy))
    reload_policy()
    try:
        report = replay_alerts(engine, weeks=8, today=END, budget=1)  # type: ignore[arg-type]
        (s,) = [s for s in report.suggestions if s.setting == KEY]
        assert s.locked
        assert not s.applicable
        forced = dataclasses.replace(s, locked=False, suggested=3.0)  # even if told otherwise
        apply_suggestions(engine, (forced,), actor="test")  # type: ignore[arg-type]
        with Session(engine) as session:  # type: ignore[call-overload]
            assert get_setting(session, KEY) == 2.0
    finally:
        monkeypatch.delenv("ACCOUNT_RADAR_POLICIES")
        reload_policy()


def test_dates(engine: object) -> None:
    report = replay_alerts(engine, weeks=2, today=END - dt.timedelta(days=3), suggest=False)  # type: ignore[arg-type]
    assert report.end == END - dt.timedelta(days=3)  # today before the latest order


def test_each_rule_is_tuned_on_the_parameter_that_sets_its_volume() -> None:
    from services.alerts.config import RULE_TITLES, AlertConfig, RuleConfig
    from services.learn.replay_suggest import main_parameters

    rules = {key: RuleConfig(key, title, True, "info", {}) for key, title in RULE_TITLES.items()}
    main = main_parameters(AlertConfig(rules, 25, 7, 30))
    assert main["usage_drop"][0] == "min_drop_percent"  # not the length of its baseline
    assert main["negative_experience"][0] == "min_bad_tickets"  # not its window
    assert main["gone_quiet"][0] == "gap_multiple"  # the first numeric one by default
