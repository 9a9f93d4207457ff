"""A renewal call names who made it in one form wherever it is shown: the person's name,
whether the call was recorded in the window (the profile's "Name <email>") or on the
command line as a plain name or login."""

from __future__ import annotations

import datetime as dt

import pytest

from services.renewals.card_records import CallRecord


def _call(made_by: str) -> CallRecord:
    return CallRecord(
        id=1, contract_id=1, customer_id=1, checkpoint_months=3, call="at_risk", note="",
        made_by=made_by, made_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC), model_likelihood=None,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("made_by", "who"),
    [
        ("Priya Raman <priya@example.com>", "Priya Raman"),
        ("Priya Raman <priya@example.com> (account priya)", "Priya Raman"),
        ("Priya Raman", "Priya Raman"),
        ("priya", "priya"),
        ("", ""),
    ],
)
def test_the_caller_is_named_by_name(made_by: str, who: str) -> None:
    assert _call(made_by).who == who
