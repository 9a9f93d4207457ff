"""Which timestamp texts could name a zone, told without a regular expression per text.

A zone at the end of a timestamp (``values.utc_offsets``) is a letter or a bracket ("Z",
"UTC", "(GMT)") or a sign and one to four digits, with an optional colon ("+07",
"-0700", "+07:00"): a text ending in a digit with no sign among its last six characters
names none. Most timestamps end in their seconds, and a column of a million distinct
ones would otherwise go through the regular expressions a million times.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["mostly_distinct", "zone_candidates"]

# The longest sign-and-digits zone: "+07:00".
_LONGEST_OFFSET = 6


def _candidate(text: str) -> bool:
    text = text.rstrip()
    tail = text[-_LONGEST_OFFSET:]
    return not (text[-1:].isdigit() and "+" not in tail and "-" not in tail)


def zone_candidates(texts: np.ndarray[Any, Any]) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """True for each text (str) that may end in a zone; False where it cannot."""
    return np.fromiter(map(_candidate, texts), dtype=bool, count=len(texts))


# How many of a column's first texts tell whether its texts are mostly distinct.
_HEAD = 10_000


def mostly_distinct(texts: np.ndarray[Any, Any]) -> bool:
    """Whether most of the first texts differ (timestamps to the second), so that telling
    each text is cheaper than finding the distinct ones. Texts that repeat (dates alone)
    are best looked at once per distinct value. Either way the answer is the same."""
    head = texts[:_HEAD]
    return len(pd.unique(head)) * 4 > len(head)
