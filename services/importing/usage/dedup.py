"""Exact duplicate events: an export that holds one event twice (a retried send, two
overlapping pages of an export, a file concatenated with itself) counts it once. Each
event's key (services/importing/usage/events.py, a 64-bit hash of what the row says) is
remembered for the whole file, in a few sorted arrays merged as they grow (8 bytes an
event, a lookup a binary search), never in a Python set."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["SeenKeys"]


class SeenKeys:
    """The keys of the events met so far in one file."""

    def __init__(self) -> None:
        self.levels: list[np.ndarray[Any, Any]] = []

    def fresh(self, keys: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        """Which of ``keys`` are met for the first time (the first of equal ones in the
        chunk); they are remembered."""
        first: np.ndarray[Any, Any] = ~pd.Series(keys).duplicated().to_numpy()
        for level in self.levels:
            at = np.searchsorted(level, keys)
            found = at < len(level)
            found[found] = level[at[found]] == keys[found]
            first &= ~found
        new = np.sort(keys[first])
        # Merge with the smaller levels (a binary counter): log(n) levels, each key moved
        # log(n) times.
        while self.levels and len(self.levels[-1]) <= len(new):
            new = np.sort(np.concatenate([self.levels.pop(), new]), kind="mergesort")
        if len(new):
            self.levels.append(new)
        return first
