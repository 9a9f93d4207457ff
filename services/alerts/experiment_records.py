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
    sets (a tone key, a template's goal, a playbook key, an offer cap in percent of the
    predicted value ("0": no offer), a channel: by the experiment's kind)."""

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
        if self.kind == "channel":
            what = CHANNEL_WORDS.get(self.value, self.label)
            return f'Experiment "{self.experiment}": {what} (chosen at random for this alert).'
        return f'Experiment "{self.experiment}": {self.label} (chosen at random for this alert).'

    @property
    def offer_percent(self) -> float | None:
        """The offer cap an offer-size strategy sets, in percent (0: no offer); None for
        other kinds."""
        if self.kind != "offer":
            return None
        return offer_percent(self.value)


# What an experiment's strategies set, as Results and the report name it.
KIND_WORDS = {"offer": "offer size"}


def kind_words(kind: str) -> str:
    """The kind in words: "tone", "offer size"."""
    return KIND_WORDS.get(kind, kind)


# What the next step says a channel strategy asks for.
CHANNEL_WORDS = {
    "email": "email this customer",
    "call": "call this customer",
    "meeting": "meet this customer",
}
# Where the action pane offers it.
CHANNEL_ACTIONS = {
    "email": "Write it with Draft email (E).",
    "call": "Log it with Log a call (C); the call counts as the contact.",
    "meeting": "Invite them with Schedule a meeting… (M); the meeting counts as the contact.",
}


def offer_percent(value: str) -> float:
    """An offer strategy's value as a percent; ExperimentError when it is not one."""
    try:
        percent = float(value)
    except ValueError:
        raise ExperimentError(f"An offer cap is a percent, not {value!r}.") from None
    if not 0 <= percent <= 100:
        raise ExperimentError("An offer cap is a percent from 0 to 100.")
    return percent


def offer_label(percent: float) -> str:
    """The label of an offer cap: "No offer", "Up to 5% of the predicted value"."""
    return "No offer" if percent <= 0 else f"Up to {percent:g}% of the predicted value"


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


def experiment_step_words(strategy: AssignedStrategy) -> str:
    """What the next step adds for an offer-size or a channel strategy."""
    percent = strategy.offer_percent
    if percent is not None:
        if percent <= 0:
            return "Make no offer: the email composer and Draft for all offer nothing."
        return (
            f"Any offer stays at or under {percent:g}% of the predicted value: the email "
            "composer and Draft for all use this cap."
        )
    if strategy.kind == "channel":
        return CHANNEL_ACTIONS.get(strategy.value, "")
    return ""
