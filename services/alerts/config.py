"""The alert settings of a workspace, read once into a frozen configuration.

Every value is declared in services/settings/alert_rules.py (type, default, title, bounds); this
module only gathers them per rule, so that rules read ``config.rule("gone_quiet")``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.schema import Setting
from services.alerts.worth import (
    FALLBACK_FLOOR_PERCENT,
    FALLBACK_WEIGHT,
    FLOOR_SETTING,
    WEIGHT_SETTING,
    Worth,
)
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
    # Revenue at risk from the low end of the 80% churn-risk interval.
    priority_uses_lower_bound: bool = False
    # New alerts per owner per week a user can handle (the suggested thresholds' budget,
    # services/learn/replay_suggest.py).
    weekly_budget_per_owner: int = 25
    # The lapse warnings' floor and weight (services/alerts/worth.py).
    worth: Worth = Worth()

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
        worth=_worth(session, stored, bool(value("alerts.priority_uses_lower_bound"))),
    )


def _worth(session: Session, stored: dict[str, Any], lower_bound: bool) -> Worth:
    """The lapse warnings' floor and weight: as set (IT's policy, the user, the
    organisation's default), else as the last Early-warning replay chose them, else the
    built-in values."""

    def given(key: str) -> Any:
        usable = key in stored and validate_setting(key, stored[key]) is None
        return resolve(key, None, stored.get(key) if usable else None, usable)

    floor, weight = given(FLOOR_SETTING), given(WEIGHT_SETTING)
    chosen = last_choice(session)
    source = "set" if floor is not None or weight is not None else "built-in"
    if chosen is not None and (floor is None or weight is None):
        source = "replay" if floor is None and weight is None else "set"
    if floor is None:
        floor = chosen[0] if chosen is not None else FALLBACK_FLOOR_PERCENT
    if weight is None:
        weight = chosen[1] if chosen is not None else FALLBACK_WEIGHT
    return Worth(
        floor=float(floor) / 100.0,
        weight=float(weight),
        source=source,
        uses_lower_bound=lower_bound,
    )


def worth_values(session: Session) -> dict[str, Any]:
    """The lapse warnings' floor (percent) and weight as the alerts use them (set, else the
    last replay's choice, else built in): what Settings and ``config show`` show for the
    two settings. With where they come from when the replay chose them."""
    worth = read_alert_config(session).worth
    return {FLOOR_SETTING: round(worth.floor * 100), WEIGHT_SETTING: worth.weight}


def worth_from_replay(session: Session) -> set[str]:
    """The two settings whose value comes from the last replay's choice (not set)."""
    stored = {
        row.key: row.value
        for row in session.scalars(
            select(Setting).where(Setting.key.in_((FLOOR_SETTING, WEIGHT_SETTING)))
        )
    }
    if last_choice(session) is None:
        return set()
    return {
        key
        for key in (FLOOR_SETTING, WEIGHT_SETTING)
        if resolve(key, None, stored.get(key), key in stored) is None
    }


# The audit action a kept replay has (services/learn/alert_replay.REPLAYED_ACTION).
REPLAYED_ACTION = "alerts.replayed"


def last_choice(session: Session) -> tuple[int, float] | None:
    """The floor (percent) and weight the last kept Early-warning replay chose (None: no
    replay, or one kept before it chose)."""
    from models.schema import AuditEvent

    details = session.scalar(
        select(AuditEvent.details)
        .where(AuditEvent.action == REPLAYED_ACTION)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    choice = details.get("worth_choice") if isinstance(details, dict) else None
    if not isinstance(choice, dict):
        return None
    try:
        floor, weight = int(choice["floor_percent"]), float(choice["weight"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (1 <= floor <= 99 and 0.0 <= weight <= 10_000.0):
        return None
    return floor, weight


def default_actor() -> str:
    """Who the audit log names for what a user does here when no actor is given (the
    command line): $ACCOUNT_RADAR_USER, else the user's profile ("Name <email>", File ▸
    Who I am… in the window), else the OS user name."""
    from services.core.profile import current_actor

    return current_actor()
