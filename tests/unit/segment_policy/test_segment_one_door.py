"""Every setting a segment may set reaches every reader through the one door: set a
segment's value and the composer's tone, the check's cap, the batch's tone, the alert
rules' thresholds, the card's suggested playbook and the owner of a new alert change for
a customer of that segment, and not for one outside it; IT's lock of a setting wins over
every segment. Each reader three times: with a rule of an RFM segment (Champions), with a
rule of a lifecycle stage (Renewal, the stage stored with the scores) and with a rule
naming a team filter (the Champions whose name holds "ada", kind "filter"), whose members
the door reads by the one filter definition. On SQLite and PostgreSQL (the Book's
workspace_url)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models.schema import BatchDraft, Customer, ScoringRun
from services.alerts.playbooks import suggested_playbook
from services.core.policy import reload_policy
from services.outreach.batch import create_batch
from services.outreach.checks import check_draft
from services.outreach.composer_text import incentive_words
from services.outreach.context import build_context
from services.settings import SettingError, set_setting
from tests.unit.alerts.test_alerts_rules import NOW, Book, by_customer, make_book, only
from tests.unit.alerts.test_lapse_coming import PARAMS, H

CHAMPIONS = {
    "kind": "segment",
    "name": "Champions",
    "values": {
        "outreach.default_tone": "concise",
        "outreach.incentive_cap_percent": 25,
        "alerts.high_risk_high_value.min_churn_risk": 50,
        "alerts.lapse_coming.min_chance_percent": 10,
        "playbooks.suggested": "renewal_save",
        "alerts.unassigned_owner": "Rita",
    },
}

# The same values for the customers in renewal (named by the stage's label: kept by key).
RENEWAL = {**CHAMPIONS, "kind": "stage", "name": "Renewal"}
# A team filter keeping Ada (a Champion whose name holds "ada") and no one else here.
TEAM_FILTER = {"name": "Ada's accounts", "filter": {"segments": ["Champions"]}, "search": "ada"}
ADAS = {**CHAMPIONS, "kind": "filter", "name": TEAM_FILTER["name"]}
# Who each rule names, in words (what a reader says the value comes from).
LABELS = {
    "segment": "Champions",
    "stage": "Lifecycle stage: Renewal",
    "filter": f"Team filter: {TEAM_FILTER['name']}",
}
# Ada is a Champion in renewal; Bo and Cy are Loyal and mature.
ADA = {"segment": "Champions", "stage": "renewal"}
OTHER = {"segment": "Loyal", "stage": "mature"}


@pytest.fixture(params=["segment", "stage", "filter"])
def rule(request: pytest.FixtureRequest, book: Book) -> dict[str, Any]:
    """The rule under test: an RFM segment's, a lifecycle stage's or a team filter's (the
    filter shared in the book first)."""
    if request.param == "filter":
        book.set("customers.team_filters", [TEAM_FILTER])
        return ADAS
    return CHAMPIONS if request.param == "segment" else RENEWAL


def _label(rule: dict[str, Any]) -> str:
    return LABELS[rule["kind"]]


@pytest.fixture
def book(workspace_url: str) -> Iterator[Book]:
    yield from make_book(workspace_url)


@pytest.fixture
def lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    def write(locked: dict[str, Any]) -> None:
        path = tmp_path / "policies.json"
        path.write_text(json.dumps({"locked": locked}), "utf-8")
        monkeypatch.setenv("ACCOUNT_RADAR_POLICIES", str(path))
        assert not reload_policy().problems

    yield write
    monkeypatch.delenv("ACCOUNT_RADAR_POLICIES", raising=False)
    reload_policy()


def _unowned(book: Book, *names: str) -> list[int]:
    return [book.customer(name, owner=None) for name in names]


def _two_customers(book: Book) -> tuple[int, int]:
    """Ada, a Champion in renewal, and Bo, Loyal and mature: both with a 12-month value of
    $1,000."""
    ada, bo = _unowned(book, "Ada Champion", "Bo Loyal")
    book.score(
        {
            ada: {"churn": 0.55, "clv": 1000.0, **ADA},
            bo: {"churn": 0.55, "clv": 1000.0, **OTHER},
        }
    )
    return ada, bo


def test_the_draft_tone_and_offer_cap_and_its_check_follow_the_segment(
    book: Book, rule: dict[str, Any]
) -> None:
    ada, bo = _two_customers(book)
    book.set("segments.rules", [rule])
    with Session(book.engine) as s:
        own, other = build_context(s, ada, now=NOW), build_context(s, bo, now=NOW)
    assert (own.tone, own.tone_segment) == ("concise", _label(rule))
    assert (other.tone, other.tone_segment) == ("warm", "")
    # The cap: 25% of $1,000 for the Champion, the workspace's 10% for the other.
    assert (own.incentive_cap_percent, own.incentive_cap_cents) == (25, 25_000)
    assert (other.incentive_cap_percent, other.incentive_cap_cents) == (10, 10_000)
    assert own.cap_segment == _label(rule)
    assert other.cap_segment == ""
    # The pre-send check: $200 off is within Ada's cap, above Bo's.
    body = "Hi,\n\nHere is $200 off your next order.\n\nBest"
    assert [p.kind for p in check_draft("Hello", body, own, max_words=200)] == []
    assert "incentive" in [p.kind for p in check_draft("Hello", body, other, max_words=200)]
    # A tone chosen for the draft wins over the segment's, and says no segment.
    with Session(book.engine) as s:
        chosen = build_context(s, ada, tone="friendly", now=NOW)
    assert (chosen.tone, chosen.tone_segment) == ("friendly", "")


def test_the_risk_floor_and_the_owner_of_new_alerts_follow_the_segment(
    book: Book, rule: dict[str, Any]
) -> None:
    only(book, "high_risk_high_value")
    book.set("alerts.high_risk_high_value.top_value_percent", 100)
    ada, bo = _two_customers(book)
    (cy,) = _unowned(book, "Cy Loyal")
    book.score(
        {
            ada: {"churn": 0.55, "clv": 1000.0, **ADA},
            bo: {"churn": 0.55, "clv": 1000.0, **OTHER},
            cy: {"churn": 0.9, "clv": 1000.0, **OTHER},
        }
    )
    book.set("alerts.unassigned_owner", "Walt")
    book.generate()
    assert set(by_customer(book, "high_risk_high_value")) == {cy}  # 60% floor for all
    book.set("segments.rules", [rule])
    book.generate()
    alerts = by_customer(book, "high_risk_high_value")
    # Ada's segment lowers her floor to 50%: 55% is in; Bo's stays at 60%.
    assert set(alerts) == {ada, cy}
    assert alerts[ada]["owner"] == "Rita"
    assert alerts[cy]["owner"] == "Walt"


def test_the_lapse_floor_follows_the_segment(book: Book, rule: dict[str, Any]) -> None:
    only(book, "lapse_coming")
    ada, bo = _unowned(book, "Ada Frequent", "Bo Frequent")
    for cid in (ada, bo):  # every 5 days, quiet for 55: likely to lapse, 35 days left
        book.orders(cid, [float(d) for d in range(200, 54, -5)], cents=4000)
    run = book.score(
        {
            ada: {"churn": 0.5, "clv": 400.0, **ADA},
            bo: {"churn": 0.5, "clv": 400.0, **OTHER},
        },
        horizon=H,
    )
    with Session(book.engine) as s, s.begin():
        s.execute(
            update(ScoringRun)
            .where(ScoringRun.id == run)
            .values(params={"bgnbd": PARAMS.to_dict(), "time_unit": "weeks"})
        )
    book.set("alerts.lapse_coming.min_chance_percent", 99)
    book.generate()
    assert by_customer(book, "lapse_coming") == {}
    book.set("segments.rules", [rule])
    book.generate()
    assert set(by_customer(book, "lapse_coming")) == {ada}


def test_the_batch_tone_and_the_suggested_playbook_follow_the_segment(
    book: Book, rule: dict[str, Any]
) -> None:
    only(book, "high_risk_high_value")
    book.set("alerts.high_risk_high_value.top_value_percent", 100)
    book.set("alerts.high_risk_high_value.min_churn_risk", 10)
    book.set("learn.holdout_percent", 0)  # both alerts in the outreach arm
    ada, bo = _two_customers(book)
    for cid in (ada, bo):
        with Session(book.engine) as s, s.begin():
            s.execute(update(Customer).where(Customer.id == cid).values(owner="Maya"))
    book.generate()
    book.set("segments.rules", [rule])
    alerts = by_customer(book, "high_risk_high_value")
    batch = create_batch(book.engine, [alerts[ada]["id"], alerts[bo]["id"]], offline=True, now=NOW)
    with Session(book.engine) as s:
        tones = dict(
            s.execute(
                select(BatchDraft.customer_id, BatchDraft.tone).where(BatchDraft.batch_id == batch)
            ).all()
        )
        assert tones == {ada: "concise", bo: "warm"}
        assert suggested_playbook(s, ada) == ("renewal_save", _label(rule))
        assert suggested_playbook(s, bo) == ("", "")
    book.set("playbooks.suggested", "win_back")
    with Session(book.engine) as s:
        assert suggested_playbook(s, bo) == ("win_back", "")


def test_a_lock_of_the_setting_wins_over_every_segment(
    book: Book, lock: Callable[..., None], rule: dict[str, Any]
) -> None:
    ada, bo = _two_customers(book)
    book.set("segments.rules", [rule])
    lock({"outreach.default_tone": "professional"})
    with Session(book.engine) as s:
        assert build_context(s, ada, now=NOW).tone == "professional"
        assert build_context(s, bo, now=NOW).tone == "professional"
        # The cap is not locked: Ada's segment still sets hers.
        assert build_context(s, ada, now=NOW).incentive_cap_percent == 25


def test_a_locked_table_cannot_be_changed(book: Book, lock: Callable[..., None]) -> None:
    it_rules = [{"kind": "tier", "name": "Gold", "values": {"outreach.incentive_cap_percent": 5}}]
    lock({"segments.rules": it_rules})
    with Session(book.engine) as s, s.begin(), pytest.raises(SettingError, match="organisation"):
        set_setting(s, "segments.rules", [CHAMPIONS])
    ada, _ = _two_customers(book)
    with Session(book.engine) as s, s.begin():
        s.execute(update(Customer).where(Customer.id == ada).values(tier="gold "))
    with Session(book.engine) as s:
        # IT's table applies (names compare without case or spaces).
        assert build_context(s, ada, now=NOW).incentive_cap_percent == 5


def test_the_composer_says_whose_offer_cap_it_is(book: Book, rule: dict[str, Any]) -> None:
    ada, bo = _two_customers(book)
    book.set("segments.rules", [rule])
    with Session(book.engine) as s:
        own, other = build_context(s, ada, now=NOW), build_context(s, bo, now=NOW)
    assert incentive_words(own) == (
        "Any offer stays at or under $250 (25% of the predicted 12-month value, the cap for "
        f"{_label(rule)})."
    )
    assert incentive_words(other) == (
        "Any offer stays at or under $100 (10% of the predicted 12-month value)."
    )
