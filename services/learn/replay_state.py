"""The raw material of an alert replay (services/learn/alert_replay.py makes it; the figures
and the suggested thresholds, services/learn/replay_suggest.py, read it)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
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


def _late(raised: pd.DataFrame) -> npt.NDArray[np.bool_]:
    if "late" not in raised:
        return np.zeros(len(raised), bool)
    out: npt.NDArray[np.bool_] = raised["late"].fillna(False).to_numpy(bool)
    return out


def early_only(raised: pd.DataFrame) -> pd.DataFrame:
    """The early warnings among ``raised``: the risk-queue rules' alerts on customers not
    lapsed yet when raised (``late`` false: services.alerts.lapse.win_back_mask)."""
    risk = risk_only(raised)
    return risk[~_late(risk)]


def win_back_only(raised: pd.DataFrame) -> pd.DataFrame:
    """The win-back alerts among ``raised``: risk alerts on customers already lapsed."""
    risk = risk_only(raised)
    return risk[_late(risk)]


@dataclass
class WeekState:
    """What one replayed week leaves for the figures and the suggestions."""

    day: int
    inputs: AlertInputs
    raised: pd.DataFrame
    critical: list[int]
    # The rules' candidates of the week, before admission, and which of them are risk
    # alerts on a customer already lapsed (services.alerts.lapse.win_back_mask).
    candidates: pd.DataFrame | None = None
    late: npt.NDArray[np.bool_] | None = None


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
