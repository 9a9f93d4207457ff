"""The lapse warnings' floor and weight chosen on the workspace's own history.

services/alerts/worth.py ranks the lapse warnings by chance x (value + weight x typical
value) and leaves out those below a floor on the chance. Which floor and weight suit a
book depends on it: how many customers lapse a week against the budget, how value and
lapses go together. The replay tries each pair of FLOORS x WEIGHTS within the weekly
budget and measures, with Lapse coming's notice (replay_records.DEFINITIONS):

- the lapsing customers the queue warned with that notice, against the recency rule at
  the same weekly volume kept to customers with that notice left, longest quiet first;
- their value (each one's T-month value when first warned), against the same recency
  customers ranked by value.

The choice is the pair that warns the most lapsing customers while beating both baselines
by at least replay_records.WORTH_MARGIN (more value breaks ties, then the higher floor,
then the lower weight); when none does, the pair that comes closest (the largest of the
smaller of its two ratios), said as not met. The window and ``report alerts`` show it;
generation uses it when no one has set the two settings (services/alerts/config.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pandas as pd

from services.learn.replay_metrics import figures
from services.learn.replay_queue import (
    recency_frame,
    week_values,
    with_notice_left,
    within_budget,
)
from services.learn.replay_records import WorthTrial
from services.learn.replay_state import Replay

FLOORS = (50, 55, 60, 65, 70, 75, 80, 85, 90)  # percent
WEIGHTS = (0.0, 5.0, 20.0, 100.0)  # typical values


def trials(
    replay: Replay, budget: int, notice: int, step: Callable[[float], None] | None = None
) -> list[WorthTrial]:
    """Every floor and weight within ``budget`` (module docstring)."""

    common = {
        "weeks": replay.week_days,
        "end_day": replay.end_day,
        "horizon": replay.horizon,
        "owners": replay.owners,
        "values": week_values(replay),
    }
    baselines: dict[tuple[int, ...], tuple[int, int]] = {}
    out = []
    pairs = [(f, w) for f in FLOORS for w in WEIGHTS]
    for k, (floor, weight) in enumerate(pairs):
        if step is not None:
            step(k / len(pairs))
        worth = replace(replay.config.worth, floor=floor / 100.0, weight=weight)
        whole = within_budget(replay, budget, worth)
        queue = with_notice_left(replay, whole, notice)
        app = figures("trial", "trial", queue, replay.lapses, **common)  # type: ignore[arg-type]
        volume = _volume(replay, queue)
        if volume not in baselines:
            quiet = figures(
                "q",
                "q",
                recency_frame(replay, queue, notice),
                replay.lapses,
                **common,  # type: ignore[arg-type]
            )
            by_value = figures(
                "v", "v", recency_frame(replay, queue, notice, by_value=True), replay.lapses,
                **common,  # type: ignore[arg-type]
            )  # fmt: skip
            baselines[volume] = (quiet.warned(notice), by_value.warned_value(notice))
        recency_warned, recency_value = baselines[volume]
        out.append(
            WorthTrial(
                floor_percent=floor,
                weight=weight,
                warned=app.warned(notice),
                value_cents=app.warned_value(notice),
                recency_warned=recency_warned,
                recency_value_cents=recency_value,
                alerts=len(whole),
            )
        )
    return out


def _volume(replay: Replay, queue: pd.DataFrame) -> tuple[int, ...]:
    """The distinct customers alerted each replayed week (what the recency rule matches)."""
    counts = queue.groupby("day")["customer_id"].nunique() if len(queue) else pd.Series()
    return tuple(int(counts.get(w.day, 0)) for w in replay.weeks)


def choose(tried: list[WorthTrial]) -> WorthTrial | None:
    """The pair chosen among ``tried`` (module docstring); None: nothing tried."""
    if not tried:
        return None
    met = [t for t in tried if t.met]
    if met:
        return max(met, key=lambda t: (t.warned, t.value_cents, t.floor_percent, -t.weight))
    return max(tried, key=lambda t: (t.closeness, t.warned, t.floor_percent, -t.weight))
