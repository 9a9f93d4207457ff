"""The command line's shared argument types: the values they take and the words they refuse with."""

from __future__ import annotations

import argparse

import pytest

from app.cli.args import one_of, some_of, whole_number


def refusal(parse, text: str) -> str:
    with pytest.raises(argparse.ArgumentTypeError) as caught:
        parse(text)
    return str(caught.value)


def test_whole_numbers_within_bounds() -> None:
    assert whole_number()("-3") == -3
    assert refusal(whole_number(), "2.5") == "'2.5' is not a whole number"
    limit = whole_number(0, zero_means="all")
    assert limit("0") == 0
    assert limit("12") == 12
    assert refusal(limit, "-1") == "must be 0 (all) or more"
    customers = whole_number(1, 100_000)
    assert customers("100000") == 100_000
    assert refusal(customers, "0") == "must be between 1 and 100,000"
    assert refusal(whole_number(maximum=5), "6") == "must be 5 or less"


def test_choices_however_their_words_are_joined() -> None:
    goal = one_of(("win_back", "check_in"))
    assert goal("Check-in") == "check_in"
    assert goal(" win back ") == "win_back"
    assert refusal(goal, "upsell") == "'upsell' is not one of win_back, check_in"
    status = some_of(("open", "in_progress", "snoozed"), {"active": ("open", "in_progress")})
    assert status("active,snoozed,open") == ("open", "in_progress", "snoozed")
    assert (
        refusal(status, "open, gone") == "'gone' is not one of open, in_progress, snoozed, active"
    )
