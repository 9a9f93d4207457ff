"""The lifecycle's records, plain and frozen, for every surface (the window's views read
them without the database libraries): the customers by stage as of a date, and what
Results ▸ Stages shows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from services.lifecycle.reach_records import ReachReport
from services.lifecycle.stages import Staged, StageRules

__all__ = ["LifecycleResults", "ScoredFacts", "StageBook", "StageGroup"]


@dataclass(frozen=True)
class ScoredFacts:
    """What the latest run as of the date said of a customer."""

    churn_risk: float | None
    value_cents: int | None
    segment: str | None
    health: float | None


@dataclass(frozen=True)
class StageGroup:
    """The customers of one stage (``stage`` None: those without one)."""

    stage: str | None
    label: str
    customers: int
    scored: int  # with a churn risk from the run
    value_cents: int  # their predicted value over the run's months, summed
    churn_risk: float | None  # their mean churn risk
    followed: int  # customers whose horizon after the date has passed
    churned: int  # of those, no paid order within it

    @property
    def churn_rate(self) -> float | None:
        """The share of the followed customers who then churned."""
        return self.churned / self.followed if self.followed else None


@dataclass(frozen=True)
class StageBook:
    """Every customer's stage on ``as_of``, and the groups by stage."""

    as_of: dt.date
    rules: StageRules
    staged: tuple[Staged, ...]
    groups: tuple[StageGroup, ...]
    currency: str
    horizon_days: int
    run_as_of: dt.date | None  # the scoring run read (None: none as of the date)
    names: Mapping[int, str] = field(default_factory=dict)
    scores: Mapping[int, ScoredFacts] = field(default_factory=dict)
    # Whether each customer who had ordered by the date then churned (no paid order within
    # the horizon after it); empty until the horizon has passed.
    outcomes: Mapping[int, bool] = field(default_factory=dict)

    def stage_by_customer(self) -> dict[int, Staged]:
        """Each customer's stage, by id."""
        return {s.customer_id: s for s in self.staged}


@dataclass(frozen=True)
class LifecycleResults:
    """Results ▸ Stages: the stages, the health profiles' verdict in words, the best times
    to reach out."""

    book: StageBook
    profiles_rank: bool
    profiles_words: str
    reach: ReachReport
