"""The raw material of an alert replay (services/learn/alert_replay.py makes it; the figures
and the suggested thresholds, services/learn/replay_suggest.py, read it)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from services.alerts.config import AlertConfig
from services.alerts.inputs import AlertInputs
from services.settings import ALERT_RULES

# The rules whose alerts warn of a lapse (models.vocab.ALERT_QUEUES' "risk" queue): the
# overall figures and the recency rule's volume count only theirs; growth (expansion) and
# pipeline alerts are no early warning of a lapse and are measured in their own rows only.
RISK_RULE_KEYS = frozenset(rule.key for rule in ALERT_RULES if rule.queue == "risk")

# An alert raised in the replay stays active this many days: the same customer and rule
# are not raised again meanwhile (no one resolves it earlier, no re-alert pause after).
ACTIVE_DAYS = 30


def risk_only(raised: pd.DataFrame) -> pd.DataFrame:
    """The alerts of the risk-queue rules among ``raised`` (a frame with rule_key)."""
    return raised[raised["rule_key"].isin(RISK_RULE_KEYS)]


@dataclass
class WeekState:
    """What one replayed week leaves for the figures and the suggestions."""

    day: int
    inputs: AlertInputs
    raised: pd.DataFrame
    critical: list[int]


@dataclass
class Replay:
    """A replay's raw material: the weeks, the lapses, the configuration."""

    config: AlertConfig
    weeks: list[WeekState]
    week_days: list[int]
    end_day: int
    horizon: int
    owners: int
    customers: int
    lapses: dict[int, list[int]]
    last_days: list[dict[int, int]]
    ties: dict[int, int]
    evaluated: set[str]
    contacted: list[frozenset[int]]
