"""The records of strategy experiments (services/alerts/experiments.py), without the
database: the window's views read them."""

from __future__ import annotations

from dataclasses import dataclass

MIN_STRATEGIES = 2
MAX_STRATEGIES = 6


class ExperimentError(ValueError):
    """An experiment that cannot be started or ended, in plain words."""


@dataclass(frozen=True)
class Strategy:
    """One strategy: its key (stable within the experiment), its label, and the value it
    sets (a tone key, a template's goal, a playbook key: by the experiment's kind)."""

    key: str
    label: str
    value: str


@dataclass(frozen=True)
class ExperimentSpec:
    """What a user asks for when starting an experiment."""

    name: str
    kind: str
    strategies: tuple[Strategy, ...]
    rules: tuple[str, ...]
    bands: tuple[str, ...]
    seed: int | None = None  # None: from the holdout's seed and the experiment's id


@dataclass(frozen=True)
class AssignedStrategy:
    """The strategy an alert was given in a running experiment."""

    experiment_id: int
    experiment: str
    kind: str
    key: str
    label: str
    value: str

    @property
    def words(self) -> str:
        """One line for the composer and the action pane."""
        return f'Experiment "{self.experiment}": {self.label} (chosen at random for this alert).'


@dataclass(frozen=True)
class ExperimentChoices:
    """What the "New experiment" dialog offers: per kind, the values a strategy may set
    ((value, label)); the risk rules ((key, title)) and the bands ((key, label))."""

    kinds: tuple[tuple[str, str], ...]
    values: dict[str, tuple[tuple[str, str], ...]]
    rules: tuple[tuple[str, str], ...]
    bands: tuple[tuple[str, str], ...]


def applied_strategy(
    strategy: AssignedStrategy | None, goal: str | None, tone: str | None
) -> tuple[str | None, str | None]:
    """The goal and tone an experiment's strategy sets (a template is its goal's);
    a playbook strategy sets neither (the action pane offers the playbook)."""
    if strategy is None:
        return goal, tone
    if strategy.kind == "tone":
        return goal, strategy.value
    if strategy.kind == "template":
        return strategy.value, tone
    return goal, tone
