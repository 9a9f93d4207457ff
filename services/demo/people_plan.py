"""Which relationship story each demo account with a contract carries, and on which day:
what the contracts' outcomes (services/demo/renewal_truth.py) and the accounts' people
(services/demo/people.py) both follow, so that the relationship signals measured on the
demo have a known answer.

The stories fall in the past year, where the signals' replay (52 weeks, judged within the
churn horizon, 90 days by default) can judge them:

- ``left``: the champion goes 20 to 70 days before a renewal date, and that renewal is
  likely lost (the contracts' ``champion_left`` weight);
- ``left_free``: the champion goes 15 to 60 days after a renewal date, the next a year
  away: nothing follows within the horizon;
- ``dark``: the decision maker, who wrote now and then, stops; 60 days later (the day Key
  contact gone dark finds it) falls 20 to 70 days before a renewal date, likely lost (the
  ``contact_dark`` weight);
- ``dark_free``: the same, 10 to 60 days after a renewal date;
- ``single``: the users stop writing and the decision maker never did: only the champion
  is heard from (the best buyers first, whose value puts them in the book's top quarter);
- ``new_dm``: a decision maker added to the account and never met (half in the last weeks,
  half over the year);
- ``unmet_dm``: the decision maker on record from the start was never heard from.

Drawn from a random stream of its own ([seed, 23, 1]): no other row of the demo moves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from services.demo.vocabulary import _LOYAL, _VIP

IntArray = npt.NDArray[np.int64]

PLAN_STREAM = (23, 1)
HORIZON = 90  # scoring's default churn horizon: the signals are judged within it
QUIET_DAYS = 60  # Key contact gone dark's default
# The share of the accounts with a contract that carries each story, placed in this order.
SHARES = {
    "left": 0.16,
    "dark": 0.12,
    "left_free": 0.07,
    "dark_free": 0.05,
    "single": 0.10,
    "new_dm": 0.10,
    "unmet_dm": 0.08,
}
# Days from the renewal date a story's day falls in (before: negative).
_BEFORE = (-70, -20)
_AFTER = {"left_free": (15, 60), "dark_free": (10, 60)}


@dataclass(frozen=True)
class Story:
    """One account's relationship story."""

    kind: str  # a key of SHARES
    day: int  # when it is found: the champion gone, the decision maker silent for
    # QUIET_DAYS, the new decision maker added (a day number; 0 for single and unmet_dm)
    renewal: int | None = None  # the renewal date it precedes or follows


def plan_stories(
    seed: int,
    accounts: IntArray,
    term_customer: IntArray,
    term_end: IntArray,
    arch: IntArray,
    first_day: IntArray,
    today_day: int,
) -> dict[int, Story]:
    """Each account's story (module docstring), by customer (generation order), from the
    accounts holding a contract and the renewal dates of their terms."""
    rng = np.random.default_rng([seed, *PLAN_STREAM])
    window = (today_day - 350, today_day - HORIZON - 10)
    ends: dict[int, list[int]] = {}
    for customer, end in zip(term_customer.tolist(), term_end.tolist(), strict=True):
        if end < today_day:  # decided: its outcome is known
            ends.setdefault(int(customer), []).append(int(end))
    order = [int(k) for k in accounts[rng.permutation(len(accounts))].tolist()]
    quota = {kind: round(share * len(accounts)) for kind, share in SHARES.items()}
    stories: dict[int, Story] = {}
    for kind in ("left", "dark", "left_free", "dark_free"):
        placed = 0
        for k in order:
            if placed >= quota[kind] or k in stories:
                continue
            story = _place(rng, kind, sorted(ends.get(k, [])), int(first_day[k]), window)
            if story is not None:
                stories[k] = story
                placed += 1
    rest = [k for k in order if k not in stories]
    # The best buyers first for single-threaded: their value puts them in the top quarter.
    for k in sorted(rest, key=lambda k: int(arch[k]) not in (_VIP, _LOYAL))[: quota["single"]]:
        stories[k] = Story("single", 0)
    rest = [k for k in rest if k not in stories]
    for n, k in enumerate(rest[: quota["new_dm"]]):
        recent = n % 2 == 0
        day = today_day - int(rng.integers(3, 25)) if recent else int(rng.integers(*window))
        stories[k] = Story("new_dm", max(day, int(first_day[k]) + 30))
    for k in rest[quota["new_dm"] : quota["new_dm"] + quota["unmet_dm"]]:
        stories[k] = Story("unmet_dm", 0)
    return stories


def _place(
    rng: np.random.Generator, kind: str, ends: list[int], first: int, window: tuple[int, int]
) -> Story | None:
    """The story's day near one of the account's renewal dates, inside ``window`` and late
    enough for the person to have been heard from first; None when none fits."""
    low, high = _AFTER.get(kind, _BEFORE)
    # A person gone dark was heard from QUIET_DAYS before the day it is found.
    earliest = first + 20 + (QUIET_DAYS if kind in ("dark", "dark_free") else 0)
    fits = []
    for end in ends:
        lo, hi = max(end + low, window[0], earliest), min(end + high, window[1])
        # Nothing within the horizon after a story that should have no consequence.
        later = [e for e in ends if e > end]
        if kind in _AFTER and later and later[0] <= hi + HORIZON:
            hi = min(hi, later[0] - HORIZON - 1)
        if lo <= hi:
            fits.append((end, lo, hi))
    if not fits:
        return None
    end, lo, hi = fits[int(rng.integers(0, len(fits)))]
    return Story(kind, int(rng.integers(lo, hi + 1)), end)
