"""The raw material of an alert replay (services/learn/alert_replay.py makes it; the figures
and the suggested thresholds, services/learn/replay_suggest.py, read it)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from services.alerts.config import AlertConfig
from services.alerts.inputs import AlertInputs
from services.learn.replay_frames import NO_FLOOR, KeptFrames, key_of
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
    # The results kept between replays (services/learn/replay_frames.py; None: none), each
    # week's inputs' key and the tie-breaks' key, what those results are computed from.
    memo: KeptFrames | None = None
    week_keys: list[str] = field(default_factory=list)
    ties_key: str = ""
    # The key of the settings the weeks' candidates were evaluated with.
    candidates_key: str = ""

    # The key of the weeks and the settings (``key``), and the settings it was computed with.
    _base: tuple[AlertConfig, str] | None = field(default=None, repr=False, compare=False)

    def key(self, *extra: object) -> str:
        """The key of a result computed from every week of this replay and ``extra``: the
        weeks' inputs and days, the tie-breaks, the settings as they are now but what a
        lapse warning must be worth (which a result that depends on it puts in ``extra``:
        the replay's own choice moves it, and the weeks' admission with a given floor and
        weight does not depend on the one set), the horizon."""
        if self._base is None or self._base[0] is not self.config:
            days = [w.day for w in self.weeks]
            settings = dataclasses.replace(self.config, worth=NO_FLOOR)
            said = (self.week_keys, days, self.ties_key, self.candidates_key, settings,
                    self.horizon)  # fmt: skip
            self._base = (self.config, key_of(*said))
        return key_of(self._base[1], extra)

    def kept(self, key: str, compute: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        """``compute()``, or the result kept under ``key`` (no memo: computed)."""
        return compute() if self.memo is None else self.memo.get(key, compute)
