"""Lifecycle stages: the rules on their own, and the hand-made book of
tests/support/lifecycle_book.py staged as of two dates, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.workspace import open_workspace
from models.vocab import LIFECYCLE_STAGES
from services.lifecycle.book import field_value, stage_book
from services.lifecycle.stages import STAGE_LABELS, StageFacts, StageRules, field_stage, stage_of
from services.settings.store import set_setting
from tests.support.lifecycle_book import (
    AS_OF,
    EARLY,
    STAGES_EARLY,
    STAGES_ON_AS_OF,
    fill_lifecycle_book,
)

ON = dt.date(2025, 6, 30)


@pytest.fixture
def book(workspace_url: str) -> Iterator[tuple[Engine, dict[str, int]]]:
    ws = open_workspace(workspace_url, backup=False)
    ids = fill_lifecycle_book(ws.engine)
    yield ws.engine, ids
    ws.close()


def test_every_stage_has_its_words() -> None:
    assert tuple(STAGE_LABELS) == LIFECYCLE_STAGES


@pytest.mark.parametrize(
    ("words", "stage"),
    [
        ("Onboarding", "onboarding"),
        ("new customer", "onboarding"),
        ("ADOPTION", "adoption"),
        ("Established", "mature"),
        ("up_for-renewal", "renewal"),
        ("At risk", "at_risk"),
        ("prospect", None),
        ("", None),
    ],
)
def test_a_stage_column_s_words_are_read_as_a_stage(words: str, stage: str | None) -> None:
    assert field_stage(words) == stage


def test_the_stage_column_is_found_by_its_name_whatever_its_spelling() -> None:
    assert field_value({"Lifecycle Stage": "Mature"}) == "Mature"
    assert field_value({"lifecycle_stage": " new "}) == "new"
    assert field_value({"Stage": "Trial"}) == "Trial"
    assert field_value({"Deal stage name": "Won"}) is None
    assert field_value(None) is None


def test_contracts_decide_renewal_before_onboarding_and_count_from_the_first_start() -> None:
    rules = StageRules()
    first_year = StageFacts(1, first_contract_start=dt.date(2025, 6, 1),
                            running_contract_end=dt.date(2025, 7, 31))  # fmt: skip
    assert stage_of(first_year, rules, ON).stage == "renewal"  # 31 days left
    long_ago = StageFacts(1, first_contract_start=dt.date(2024, 6, 29),
                          running_contract_end=dt.date(2026, 6, 29))  # fmt: skip
    assert stage_of(long_ago, rules, ON).stage == "mature"  # 366 days
    assert stage_of(long_ago, StageRules(mature_days=400), ON).stage == "adoption"


def test_orders_need_both_the_count_and_the_tenure_to_be_mature() -> None:
    rules = StageRules()
    many_recent = StageFacts(1, first_order=dt.date(2025, 1, 1), orders=10)
    assert stage_of(many_recent, rules, ON).stage == "adoption"
    few_old = StageFacts(1, first_order=dt.date(2020, 1, 1), orders=3)
    assert stage_of(few_old, rules, ON).stage == "adoption"
    assert stage_of(few_old, StageRules(mature_orders=3), ON).stage == "mature"
    assert stage_of(StageFacts(1), rules, ON).stage is None


def test_the_high_churn_risk_band_makes_any_stage_at_risk() -> None:
    facts = StageFacts(1, first_order=dt.date(2025, 6, 29), orders=1, churn_risk=0.6)
    staged = stage_of(facts, StageRules(), ON)
    assert (staged.stage, staged.source) == ("at_risk", "churn risk")
    assert "60%" in staged.why
    below = StageFacts(1, first_order=dt.date(2025, 6, 29), orders=1, churn_risk=0.59)
    assert stage_of(below, StageRules(), ON).stage == "onboarding"


def test_the_book_is_staged_as_counted_by_hand(book: tuple[Engine, dict[str, int]]) -> None:
    engine, ids = book
    found = stage_book(engine, AS_OF)
    by_id = found.stage_by_customer()
    letters = {v: k for k, v in ids.items()}
    assert {letters[c]: s.stage for c, s in by_id.items()} == STAGES_ON_AS_OF
    assert by_id[ids["G"]].source == "field"
    assert by_id[ids["D"]].source == "orders"
    assert by_id[ids["B"]].why == "the contract ends in 62 days"
    assert found.run_as_of == dt.date(2025, 6, 28)  # not the later run


def test_each_stage_s_count_value_and_churn(book: tuple[Engine, dict[str, int]]) -> None:
    engine, _ids = book
    groups = {g.stage: g for g in stage_book(engine, AS_OF).groups}
    # onboarding A E I; adoption C F; mature D G; renewal B; at risk H
    assert {k: g.customers for k, g in groups.items()} == {
        "onboarding": 3, "adoption": 2, "mature": 2, "renewal": 1, "at_risk": 1,
    }  # fmt: skip
    assert groups["mature"].value_cents == 50_000  # D's $500; G has no score by 06-28
    assert groups["renewal"].value_cents == 120_000
    assert groups["adoption"].churn_risk == pytest.approx(0.50)  # F only is scored
    assert groups["mature"].churn_risk == pytest.approx(0.20)
    # Of those who had ordered, churned within 90 days after: E F G H; D ordered again.
    assert (groups["mature"].followed, groups["mature"].churned) == (2, 1)
    assert (groups["onboarding"].followed, groups["onboarding"].churned) == (1, 1)
    assert groups["at_risk"].churn_rate == 1.0
    assert groups["renewal"].churn_rate is None  # B never ordered


def test_a_past_date_reads_only_what_existed_then(book: tuple[Engine, dict[str, int]]) -> None:
    engine, ids = book
    letters = {v: k for k, v in ids.items()}
    found = stage_book(engine, EARLY)
    assert {letters[s.customer_id]: s.stage for s in found.staged} == STAGES_EARLY
    assert found.run_as_of is None


def test_the_source_setting_picks_one_source(book: tuple[Engine, dict[str, int]]) -> None:
    engine, ids = book
    _set(engine, "lifecycle.source", "orders")
    by_id = stage_book(engine, AS_OF).stage_by_customer()
    assert by_id[ids["G"]].stage == "onboarding"  # its first order, 10 days before
    assert by_id[ids["A"]].stage is None  # a contract only
    _set(engine, "lifecycle.onboarding_days", 5)
    assert stage_book(engine, AS_OF).stage_by_customer()[ids["E"]].stage == "adoption"


def _set(engine: Engine, key: str, value: object) -> None:
    with Session(engine) as s, s.begin():
        set_setting(s, key, value)


EARLY_UPDATE = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)  # before AS_OF: the column counts


def test_the_book_reads_a_stage_column_whatever_its_key_s_spelling(
    book: tuple[Engine, dict[str, int]],
) -> None:
    from sqlalchemy import update

    from models.schema import Customer

    engine, ids = book
    spelt = {"C": {"Life Cycle": "Renewal"}, "E": {"Plan": "Gold", "CUSTOMER_STAGE": "Mature"},
             "F": {"Plan": "Gold", "Notes": "a staged rollout"}}  # fmt: skip
    with Session(engine) as s, s.begin():
        for letter, attributes in spelt.items():
            s.execute(update(Customer).where(Customer.id == ids[letter])
                      .values(attributes=attributes, updated_at=EARLY_UPDATE))  # fmt: skip
    by_id = stage_book(engine, AS_OF).stage_by_customer()
    assert (by_id[ids["C"]].stage, by_id[ids["C"]].source) == ("renewal", "field")
    assert (by_id[ids["E"]].stage, by_id[ids["E"]].source) == ("mature", "field")
    # "staged" is no stage column: F keeps the stage its orders give.
    assert (by_id[ids["F"]].stage, by_id[ids["F"]].source) == ("adoption", "orders")
