"""The codes of a child file's customer references (services/importing/identity.py): the
first part that varies, with no missing value, keeps its own codes instead of being
factorized twice; the codes and their count are those of the combination, as before."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from services.importing.identity import _constant, reference_codes


def _combined(n: int, parts: tuple[Any, ...]) -> tuple[np.ndarray[Any, Any], int]:
    """The combination as it was made before: every varying part factorized in."""
    codes = np.zeros(n, dtype=np.int64)
    count = 1
    for part in parts:
        if part is None or _constant(part):
            continue
        part_codes, part_uniques = pd.factorize(part, use_na_sentinel=True)
        codes, distinct = pd.factorize(codes * (len(part_uniques) + 1) + (part_codes + 1))
        count = len(distinct)
    return codes, count


def _column(rng: np.random.Generator, n: int, distinct: int, missing: float) -> Any:
    values = np.array([f"v{i}" for i in rng.integers(0, distinct, n)], dtype=object)
    values[rng.random(n) < missing] = None
    return values


@pytest.mark.parametrize("seed", range(6))
def test_the_codes_are_those_of_the_combination(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 400
    source = np.array(["shop"] * n, dtype=object)
    cases: list[tuple[Any, ...]] = [
        (source, _column(rng, n, 50, 0.0), None),  # ids alone: the shortcut
        (source, _column(rng, n, 50, 0.1), None),  # a missing id: factorized again
        (source, _column(rng, n, 50, 0.0), _column(rng, n, 30, 0.2)),  # ids and emails
        (_column(rng, n, 3, 0.0), _column(rng, n, 50, 0.0), None),  # two sources
        (None, None, _column(rng, n, 30, 0.0)),  # emails alone
        (source, None, None),  # nothing varies
    ]
    for parts in cases:
        codes, count = reference_codes(n, parts)
        expected, expected_count = _combined(n, parts)
        assert count == expected_count
        assert codes.dtype == np.int64
        assert codes.tolist() == expected.tolist()
