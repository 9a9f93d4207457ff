"""The incentive cap, defined once (services/core/incentive.py): value x percent / 100,
rounded down to whole units, as the drafts and the next-step card both state it."""

from __future__ import annotations

import pytest

from services.core.incentive import cap_percent_words, incentive_cap_cents


@pytest.mark.parametrize(
    ("value", "percent", "cap"),
    [
        (112_600, 10, 11_200),  # $112.60: $112 on both (the card said $113, the draft $112)
        (112_999, 10, 11_200),  # never rounded up past the cap
        (123_400, 5, 6_100),
        (606, 10, 60),  # under one unit: to the cent
        (100_000, 12.5, 12_500),
        (100_000, 0, None),  # 0%: no offer at all
        (None, 10, None),
        (float("nan"), 10, None),
        (0, 10, None),
        (-5_000, 10, None),
    ],
)
def test_the_cap_in_money(value: float | None, percent: float, cap: int | None) -> None:
    assert incentive_cap_cents(value, percent) == cap


def test_the_percent_is_the_settings_percent_never_a_fraction_of_it() -> None:
    assert cap_percent_words(10) == "10%"
    assert cap_percent_words(10.0) == "10%"
    assert cap_percent_words(12.5) == "12.5%"
