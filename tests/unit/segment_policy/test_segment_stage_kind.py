"""The segment kind "stage": its labels are the lifecycle's own, a rule names a stage by
key or label and keeps the key, and a customer's stage is the one stored with the latest
finished scoring (none before one)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from models.vocab import LIFECYCLE_STAGES
from services.lifecycle.stages import STAGE_LABELS
from services.segment_policy import known_names, memberships
from services.settings.segments import (
    SEGMENT_KINDS,
    SegmentRule,
    canonical_name,
    parse_rules,
    rule_problem,
    stage_label,
)
from tests.unit.alerts.test_alerts_rules import Book, make_book


@pytest.fixture
def book(workspace_url: str) -> Iterator[Book]:
    yield from make_book(workspace_url)


def test_the_stage_labels_are_the_lifecycle_s() -> None:
    assert SEGMENT_KINDS["stage"] == "Lifecycle stage"
    assert {k: stage_label(k) for k in LIFECYCLE_STAGES} == STAGE_LABELS


@pytest.mark.parametrize("given", ["at_risk", "At risk", "AT RISK", "at-risk", " atrisk "])
def test_a_stage_is_named_by_key_or_label(given: str) -> None:
    assert canonical_name("stage", given) == "at_risk"
    assert rule_problem({"kind": "stage", "name": given, "values": {}}) is None
    (rule,) = parse_rules([{"kind": "stage", "name": given, "values": {}}])
    assert rule == SegmentRule("stage", "at_risk", {})
    assert rule.label == "Lifecycle stage: At risk"


def test_an_unknown_stage_is_no_rule() -> None:
    problem = rule_problem({"kind": "stage", "name": "churned", "values": {}})
    assert problem is not None
    assert "no lifecycle stage" in problem
    assert parse_rules([{"kind": "stage", "name": "churned", "values": {}}]) == ()
    # Other kinds keep their names as given.
    assert canonical_name("tier", " Gold ") == "Gold"


def test_a_customer_s_stage_is_the_latest_scoring_s(book: Book) -> None:
    ada, bo = book.customer("Ada"), book.customer("Bo")
    with Session(book.engine) as s:
        assert memberships(s, [ada], ["stage"]) == {}  # never scored
        assert known_names(s)["stage"] == tuple(STAGE_LABELS.values())
    book.score({ada: {"stage": "renewal"}, bo: {}}, as_of=dt.date(2025, 5, 1))
    book.score({ada: {"stage": "at_risk"}, bo: {"stage": "mature"}}, as_of=dt.date(2025, 6, 1))
    # A replay of an earlier date after it does not change the current stage.
    book.score({ada: {"stage": "onboarding"}}, as_of=dt.date(2025, 4, 1))
    with Session(book.engine) as s:
        found = memberships(s, [ada, bo], ["stage"])
    assert found == {ada: {"stage": "at_risk"}, bo: {"stage": "mature"}}
    rule = SegmentRule("stage", "at_risk", {})
    assert rule.matches(found[ada])
    assert not rule.matches(found[bo])
