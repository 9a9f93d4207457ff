"""``values.utc_offsets`` looks at the texts that may name a zone only (zones.py): the
offsets and the UTC flags are the ones the regular expressions give every text."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd
import pytest

from services.importing import values, zones

DAYS = ["2024-09-19", "2024-09-19T21:30", "2024-09-19 21:30:05", "11/21/2026 3:04", "", "21:30"]
ENDS = [
    "", "Z", "z", " UTC", "UTC", " (GMT)", "GMT", " gmt", "+7", " +07", "-0700", " -07:00",
    "+05:30", "+1", "-14:00", "+15:00", " PM", " PM -0500", "   ", "\t", " 5", "-", "+",
    " +07:0", "-07:60", "\u00a0", "\u0663", " Z ", "-12",
]  # fmt: skip


def _all_texts() -> pd.Series:
    texts = [day + end for day, end in itertools.product(DAYS, ENDS)]
    return pd.Series(texts + [None, float("nan")] + texts[::-1], dtype=object)


def _every_text(texts: Any) -> np.ndarray[Any, Any]:
    return np.ones(len(texts), dtype=bool)


def test_only_the_candidates_looked_at_and_the_same_offsets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = _all_texts()
    quick = values.utc_offsets(texts)
    monkeypatch.setattr(values, "zone_candidates", _every_text)
    full = values.utc_offsets(texts)
    pd.testing.assert_series_equal(quick[0], full[0])
    pd.testing.assert_series_equal(quick[1], full[1])
    assert full[0].notna().sum() > 20
    assert full[1].sum() > 10


def test_a_text_ending_in_its_seconds_is_no_candidate() -> None:
    found = zones.zone_candidates(
        np.array(["2024-09-19 21:30:05", "2024-09-19 21:30:05 +07", "2024-09-19 21:30Z"])
    )
    assert found.tolist() == [False, True, True]


def test_texts_that_repeat_are_told_from_their_distinct_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    distinct = _all_texts()
    repeated = pd.Series(np.repeat(distinct.to_numpy(), 10), dtype=object)
    assert zones.mostly_distinct(distinct.to_numpy())
    assert not zones.mostly_distinct(repeated.to_numpy())
    told: list[int] = []

    def counted(texts: Any) -> np.ndarray[Any, Any]:
        told.append(len(texts))
        return zones.zone_candidates(texts)

    monkeypatch.setattr(values, "zone_candidates", counted)
    found = values.utc_offsets(repeated)
    assert told == []  # a column of dates is not told text by text (0.67 s at a million)
    expected = values.utc_offsets(distinct)
    assert told[0] == len(distinct)  # mostly distinct: every text told
    pd.testing.assert_series_equal(
        found[0], pd.Series(np.repeat(expected[0].to_numpy(), 10), dtype="float64")
    )
    assert found[1].tolist() == np.repeat(expected[1].to_numpy(), 10).tolist()
    assert found[0].notna().sum() > 200
