"""The raw material of an alert replay (services/learn/alert_replay.py makes it; the figures
and the suggested thresholds, services/learn/replay_suggest.py, read it)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from services.alerts.config import AlertConfig
from services.alerts.inputs import AlertInputs

# An alert raised in the replay stays active this many days: the same customer and rule
# are not raised again meanwhile (no one resolves it earlier, no re-alert pause after).
ACTIVE_DAYS = 30


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
