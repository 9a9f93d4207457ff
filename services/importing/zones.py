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

__all__ = ["zone_candidates"]

# The longest sign-and-digits zone: "+07:00".
_LONGEST_OFFSET = 6


def _candidate(text: str) -> bool:
    text = text.rstrip()
    tail = text[-_LONGEST_OFFSET:]
    return not (text[-1:].isdigit() and "+" not in tail and "-" not in tail)


def zone_candidates(texts: np.ndarray[Any, Any]) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """True for each text (str) that may end in a zone; False where it cannot."""
    return np.fromiter(map(_candidate, texts), dtype=bool, count=len(texts))
