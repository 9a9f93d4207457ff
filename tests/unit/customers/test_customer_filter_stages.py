"""The one filter definition (services/core/customer_filter.py): the stage field, and a
reader without a column (no scores, no stages) keeps no one a range or stage asks for."""

from __future__ import annotations

import numpy as np

from services.core.customer_filter import (
    CustomerFilter,
    filter_from_json,
    filter_mask,
    filter_to_json,
)

IDS = np.array([1, 2, 3, 4], dtype=np.int64)
DNC = np.array([False, True, False, False])
COLUMNS = {
    "segment": np.array(["Champions", "Lost", None, "At risk"], dtype=object),
    "owner": np.array(["Dana", None, "", "Dana"], dtype=object),
    "stage": np.array(["onboarding", "at_risk", None, "mature"], dtype=object),
    "churn_risk": np.array([0.1, 0.9, np.nan, 0.65]),
}


def kept(f: CustomerFilter, columns: dict[str, np.ndarray] = COLUMNS) -> list[int]:
    mask = filter_mask(f, columns, IDS, DNC)
    return IDS.tolist() if mask is None else IDS[mask].tolist()


def test_stages_keep_their_customers_and_blank_means_without_a_stage() -> None:
    assert kept(CustomerFilter(stages=frozenset({"onboarding", "mature"}))) == [1, 4]
    assert kept(CustomerFilter(stages=frozenset({""}))) == [3]
    assert kept(CustomerFilter(stages=frozenset({"", "at_risk"}))) == [2, 3]
    # Stages narrow with the other fields, never widen them.
    both = CustomerFilter(stages=frozenset({"", "at_risk"}), do_not_contact=False)
    assert kept(both) == [3]


def test_a_reader_without_stages_or_scores_keeps_no_one_they_ask_for() -> None:
    bare = {"owner": COLUMNS["owner"]}
    assert kept(CustomerFilter(stages=frozenset({"mature"})), bare) == []
    assert kept(CustomerFilter(churn_risk=(0.6, 1.0)), bare) == []
    assert kept(CustomerFilter(owner=""), bare) == [2, 3]


def test_stages_survive_json() -> None:
    f = CustomerFilter(stages=frozenset({"renewal", ""}), owner="Dana")
    assert filter_from_json(filter_to_json(f)) == f
    assert filter_from_json({"stages": ["mature", 3, None]}).stages == frozenset({"mature"})
