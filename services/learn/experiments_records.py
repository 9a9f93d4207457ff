"""The records of Results ▸ Experiments and ``report experiments``
(services/learn/experiments.py), without the database: the window's views read them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.learn.experiments_stats import Comparison


@dataclass(frozen=True)
class StrategyRow:
    """One strategy of an experiment: what it sets, the alerts given it, and the customers
    counted (and re-engaged) in its rate."""

    key: str
    label: str
    value: str
    assigned: int
    customer_ids: tuple[int, ...]
    reengaged_ids: tuple[int, ...]


@dataclass(frozen=True)
class ExperimentResult:
    """One experiment and its comparison."""

    id: int
    name: str
    kind: str
    status: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    rules: tuple[str, ...]
    bands: tuple[str, ...]
    seed: int
    strategies: tuple[StrategyRow, ...]
    holdout_ids: tuple[int, ...]
    comparison: Comparison
    rule_titles: tuple[str, ...] = ()  # the rules' titles, as the window names them

    @property
    def assigned(self) -> int:
        """Alerts given a strategy so far."""
        return sum(s.assigned for s in self.strategies)


@dataclass(frozen=True)
class ExperimentsReport:
    """Every experiment, the latest started first."""

    experiments: tuple[ExperimentResult, ...]
    window_days: int
    as_of: dt.datetime
