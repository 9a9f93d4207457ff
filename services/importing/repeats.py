"""Parsing the distinct cells of a big column once, when they repeat (dates, amounts,
emails): shared by the parsers of services/importing/values.py."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Parsed", "by_unique", "repeated_values"]

Parsed = tuple[pd.Series, pd.Series]
"""A parsed Series and its bad-cell mask."""


def by_unique(parser: Callable[..., Parsed]) -> Callable[..., Parsed]:
    """Run a parser on the distinct values only, when they repeat (dates, amounts, emails).

    A million-row column usually holds far fewer distinct strings; factorizing is a C hash
    pass, so parsing the distinct values and taking them back costs a fraction.
    """

    @functools.wraps(parser)
    def wrapper(s: pd.Series, *args: Any, **kwargs: Any) -> Parsed:
        repeated = repeated_values(s)
        if repeated is None:
            return parser(s, *args, **kwargs)
        codes, distinct = repeated
        parsed, bad = parser(distinct, *args, **kwargs)
        out = parsed.take(codes)
        out.index = s.index
        return out, pd.Series(bad.to_numpy()[codes], index=s.index, dtype=bool)

    return wrapper


def repeated_values(s: pd.Series) -> tuple[np.ndarray[Any, Any], pd.Series] | None:
    """``(codes, distinct)`` when a big column's values repeat (``distinct`` ends with ""
    for the missing cells, ``distinct[codes]`` is the column); None to parse it whole."""
    if len(s) < 2000:
        return None
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    if len(uniques) * 2 > len(s):
        return None
    distinct = pd.Series(list(uniques) + [""], dtype=object)
    return np.where(codes < 0, len(uniques), codes), distinct
