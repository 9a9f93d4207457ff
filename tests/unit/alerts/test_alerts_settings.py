"""Alert settings: one typed declaration each, validation in plain words, storage in the
workspace, and the rules reading them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from models.db import session_scope
from services.alerts.config import read_alert_config
from services.settings import (
    ALERT_RULE_KEYS,
    SettingError,
    config_version,
    get_setting,
    reset_setting,
    set_setting,
    set_settings,
    setting_specs,
    validate_setting,
)
from tests.support.databases import stored_json
from tests.unit.alerts.test_alerts_rules import Book, make_book


@pytest.fixture
def book(workspace_url: str) -> Iterator[Book]:
    yield from make_book(workspace_url)


def test_every_alert_setting_is_declared_once_with_a_title_and_a_group() -> None:
    specs = setting_specs("alerts.")
    keys = [s.key for s in specs]
    assert len(keys) == len(set(keys))
    for rule in ALERT_RULE_KEYS:
        assert f"alerts.{rule}.enabled" in keys
        assert f"alerts.{rule}.severity" in keys
    assert {"alerts.daily_cap_per_owner", "alerts.cooldown_days", "alerts.realert_days"} <= set(
        keys
    )
    assert all(s.title and s.group for s in specs)
    by_key = {s.key: s for s in specs}
    assert by_key["alerts.gone_quiet.gap_multiple"].default == 2.0
    assert by_key["alerts.stalled_opportunity.stages"].default == [
        "Qualified",
        "Qualification",
        "Proposal",
    ]
    assert by_key["alerts.expansion.severity"].choices == (
        "critical",
        "warning",
        "opportunity",
        "info",
    )
    assert by_key["alerts.high_risk_high_value.min_churn_risk"].unit == "%"
    # Every default passes its own validation.
    assert [s.key for s in specs if validate_setting(s.key, s.default) is not None] == []


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        ("alerts.high_risk_high_value.min_churn_risk", 120, "at most 100%"),
        ("alerts.gone_quiet.gap_multiple", 0.5, "at least 1 times the usual gap"),
        ("alerts.cooldown_days", True, "must be of type whole number (got true or false)"),
        ("alerts.cooldown_days", 2.5, "must be of type whole number (got number)"),
        ("alerts.cooldown_days", -1, "at least 0 days"),
        ("alerts.expansion.severity", "urgent", "must be one of critical, warning"),
        ("alerts.expansion.enabled", "yes", "must be of type true or false (got text)"),
        ("alerts.stalled_opportunity.stages", [], "give at least one stage name"),
        ("alerts.stalled_opportunity.stages", ["Proposal", " "], "non-empty name"),
        ("alerts.negative_experience.max_review_stars", 5, "at most 4 stars"),
        ("alerts.ticket_past_sla.sla_hours", float("nan"), "whole number"),
    ],
)
def test_bad_values_are_refused_with_a_plain_reason(key: str, value: object, reason: str) -> None:
    problem = validate_setting(key, value)
    assert problem is not None
    assert reason in problem
    assert problem.startswith("'")  # names the setting: "'Gone quiet: No order for..."


def test_good_values_pass() -> None:
    assert validate_setting("alerts.gone_quiet.gap_multiple", 3) is None
    assert validate_setting("alerts.high_risk_high_value.min_churn_risk", 75.5) is None
    assert validate_setting("alerts.stalled_opportunity.stages", ["Demo"]) is None
    with pytest.raises(SettingError, match="Unknown setting"):
        validate_setting("alerts.no_such_rule.enabled", True)


def test_settings_are_stored_versioned_audited_and_read_by_the_rules(book: Book) -> None:
    sessions = book.workspace.sessions
    with session_scope(sessions) as s:
        before = config_version(s)
        set_setting(s, "alerts.gone_quiet.gap_multiple", 3, actor="maya")
        set_setting(s, "alerts.expansion.enabled", False, actor="maya")
    with session_scope(sessions) as s:
        assert get_setting(s, "alerts.gone_quiet.gap_multiple") == 3
        assert config_version(s) == before + 2
        config = read_alert_config(s)
    assert config.rule("gone_quiet")["gap_multiple"] == 3
    assert not config.rule("expansion").enabled
    assert config.rule("gone_quiet").enabled
    assert config.daily_cap_per_owner == 0  # set by the fixture
    with book.engine.connect() as conn:
        events = conn.execute(
            text("SELECT actor, details FROM audit_events WHERE action = 'settings.changed'")
        ).all()
    changes = [(actor, stored_json(details)) for actor, details in events]
    assert (
        "maya",
        {
            "key": "alerts.gone_quiet.gap_multiple",
            "old": 2.0,
            "new": 3,
            "config_version": before + 1,
        },
    ) in changes


def test_a_refused_value_changes_nothing(book: Book) -> None:
    sessions = book.workspace.sessions
    with pytest.raises(SettingError, match="at most 100%"), session_scope(sessions) as s:
        set_settings(
            s,
            {
                "alerts.cooldown_days": 7,
                "alerts.high_risk_high_value.min_churn_risk": 150,
            },
        )
    with session_scope(sessions) as s:
        assert get_setting(s, "alerts.cooldown_days") == 14
        set_settings(s, {"alerts.cooldown_days": 7, "alerts.realert_days": 3})
    with session_scope(sessions) as s:
        assert get_setting(s, "alerts.cooldown_days") == 7
        reset_setting(s, "alerts.cooldown_days")
    with session_scope(sessions) as s:
        assert get_setting(s, "alerts.cooldown_days") == 14
        assert get_setting(s, "alerts.realert_days") == 3


def test_a_bad_stored_value_falls_back_to_the_default(book: Book) -> None:
    # A value no build would write (edited by hand): the rules use the default instead.
    with book.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO settings (key, value, updated_at) VALUES "
                "('alerts.gone_quiet.gap_multiple', '\"often\"', '2025-01-01 00:00:00')"
            )
        )
    with session_scope(book.workspace.sessions) as s:
        assert read_alert_config(s).rule("gone_quiet")["gap_multiple"] == 2.0
