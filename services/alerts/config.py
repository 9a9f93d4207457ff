"""The alert settings of a workspace, read once into a frozen configuration.

Every value is declared in services/settings/__init__.py (type, default, title, bounds); this
module only gathers them per rule, so that rules read ``config.rule("gone_quiet")``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.schema import Setting
from services.core.policy import resolve
from services.settings import (
    ALERT_GENERAL,
    ALERT_PARAMETERS,
    ALERT_RULES,
    SETTINGS,
    validate_setting,
)

RULE_TITLES = {rule.key: rule.title for rule in ALERT_RULES}
RULE_QUEUES = {rule.key: rule.queue for rule in ALERT_RULES}


@dataclass(frozen=True)
class RuleConfig:
    """One rule's settings: enabled, severity and its parameters."""

    key: str
    title: str
    enabled: bool
    severity: str
    params: dict[str, Any]

    def __getitem__(self, name: str) -> Any:
        return self.params[name]


@dataclass(frozen=True)
class AlertConfig:
    """Every alert setting of a workspace (defaults where nothing is stored)."""

    rules: dict[str, RuleConfig]
    daily_cap_per_owner: int
    cooldown_days: int
    realert_days: int
    # New critical alerts per owner per day at most (0: no ceiling).
    critical_cap_per_owner: int = 0
    # The home currency: alert priorities and the money in reasons are in it.
    currency: str = "USD"
    # Revenue at risk from the low end of the 80% churn-risk interval (issue 21).
    priority_uses_lower_bound: bool = False
    # New alerts per owner per week a user can handle (the suggested thresholds' budget,
    # services/learn/replay_suggest.py).
    weekly_budget_per_owner: int = 25

    def rule(self, key: str) -> RuleConfig:
        """The settings of one rule."""
        return self.rules[key]


def read_alert_config(session: Session) -> AlertConfig:
    """The workspace's alert settings in one read.

    Every value goes through the policy resolver (services.core.policy.resolve: locked by
    policy > the user's own > organisation default > built-in), as every setting does. A
    stored value that the schema refuses (a file edited by hand, an older build's value)
    counts as not stored rather than stopping the alerts.
    """
    stored = {
        row.key: row.value
        for row in session.scalars(select(Setting).where(Setting.key.like("alerts.%")))
    }

    def value(key: str) -> Any:
        spec = SETTINGS[key]
        usable = key in stored and validate_setting(key, stored[key]) is None
        return resolve(key, spec.default, stored.get(key) if usable else None, usable)

    rules = {}
    for rule in ALERT_RULES:
        params = {
            param: value(f"alerts.{rule.key}.{param}")
            for key, param, *_ in ALERT_PARAMETERS
            if key == rule.key
        }
        rules[rule.key] = RuleConfig(
            key=rule.key,
            title=rule.title,
            enabled=bool(value(f"alerts.{rule.key}.enabled")),
            severity=str(value(f"alerts.{rule.key}.severity")),
            params=params,
        )
    general = {param: int(value(f"alerts.{param}")) for _, param, *_ in ALERT_GENERAL}
    from services.core.money import load_money_context

    currency = load_money_context(session).home
    return AlertConfig(
        rules=rules,
        **general,
        currency=currency,
        priority_uses_lower_bound=bool(value("alerts.priority_uses_lower_bound")),
        weekly_budget_per_owner=int(value("alerts.weekly_budget_per_owner")),
    )


def default_actor() -> str:
    """Who the audit log names for what a user does here when no actor is given (the
    command line): $ACCOUNT_RADAR_USER, else the user's profile ("Name <email>", File ▸
    Who I am… in the window), else the OS user name."""
    from services.core.profile import current_actor

    return current_actor()
