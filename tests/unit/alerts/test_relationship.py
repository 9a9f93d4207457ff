"""The relationship rules on the hand-made book of tests/support/relationship_book.py
(SQLite and PostgreSQL): with the signals proven, each planted story raises its alert in
words on its day, the accounts next to it raise nothing, a B2C customer (no contacts rows)
raises nothing, and a run as of an earlier day sees only the people and events of that
day; unproven, the same book raises none of them."""

from __future__ import annotations

import datetime as dt

from services.settings import ALERT_RULE_KEYS
from tests.support.relationship_book import VALUES, plant, prove_signals
from tests.unit.alerts.test_alerts_rules import NOW, TODAY, Book, book, by_customer

__all__ = ["book"]  # the fixture, used by name

RULES = ("champion_left", "key_contact_dark", "single_threaded", "new_decision_maker")


def only_relationships(book: Book) -> None:
    book.set("alerts.cooldown_days", 0)
    for key in ALERT_RULE_KEYS:
        if key not in RULES:
            book.set(f"alerts.{key}.enabled", False)


def scored(book: Book, ids: dict[str, int], as_of: dt.date = TODAY, proven: bool = True) -> None:
    book.score(
        {cid: {"churn": 0.1, "clv": VALUES.get(name, 100.0)} for name, cid in ids.items()},
        as_of=as_of,
    )
    if proven:
        prove_signals(book.engine, as_of)


def found(book: Book, ids: dict[str, int]) -> dict[str, dict[str, tuple[str, str]]]:
    """Each rule -> account -> (severity, reason) of its active alerts."""
    names = {cid: name for name, cid in ids.items()}
    return {
        rule: {names[c]: (a["severity"], a["reason"]) for c, a in by_customer(book, rule).items()}
        for rule in RULES
    }


def test_each_story_is_alerted_in_words(book: Book) -> None:
    only_relationships(book)
    ids = plant(book, NOW)
    scored(book, ids)
    book.generate()
    alerts = found(book, ids)
    assert alerts["champion_left"] == {
        "Acme": (
            "critical",
            "Ann Lee (champion) is no longer in the Salesforce export since Jun 5, 2025",
        ),
        "Brio": ("warning", "Dee Moss (champion): their address bounced on Jun 10, 2025"),
        "Cora": ("warning", "Fay Ruiz (decision maker) is now listed at Dune since Jun 12, 2025"),
    }
    assert alerts["key_contact_dark"] == {
        "Echo": ("warning", "Hal Ito (champion) not heard from in 70 days (last on Apr 6, 2025)"),
        # The account's one person: its calls are hers.
        "Kit": ("warning", "Kay Lo (champion) not heard from in 90 days (last on Mar 17, 2025)"),
    }
    assert alerts["single_threaded"] == {
        "Fox": (
            "warning",
            "only Jay Fox (champion) heard from in 90 days, of 3 people on record; worth $5,000",
        )
    }
    assert alerts["new_decision_maker"] == {
        "Hub": ("info", "Max Orr (decision maker) added on Jun 10, 2025, not met yet")
    }


def test_the_stakes_are_shares_of_the_accounts_value(book: Book) -> None:
    only_relationships(book)
    ids = plant(book, NOW)
    scored(book, ids)
    book.generate()
    stakes = {
        (rule, cid): a["priority_cents"]
        for rule in RULES
        for cid, a in by_customer(book, rule).items()
    }
    # The larger of revenue at risk (10% x the value) and the rule's share of the value.
    assert stakes[("champion_left", ids["Acme"])] == round(0.3 * 300_000)
    assert stakes[("champion_left", ids["Brio"])] == round(0.3 * 200_000)
    assert stakes[("single_threaded", ids["Fox"])] == round(0.15 * 500_000)
    assert stakes[("key_contact_dark", ids["Echo"])] == round(0.2 * 10_000)
    assert stakes[("new_decision_maker", ids["Hub"])] == round(0.1 * 10_000)


def test_an_earlier_day_sees_only_what_existed_then(book: Book) -> None:
    only_relationships(book)
    ids = plant(book, NOW)
    earlier = NOW - dt.timedelta(days=20)
    scored(book, ids, as_of=earlier.date())
    book.generate(now=earlier)
    alerts = found(book, ids)
    # Ann was still in the export, Dee's address had not bounced, Fay was not listed at
    # Dune, Hal had been heard from 50 days before, Max had not been added; Kay's silence
    # was 70 days then.
    assert alerts["champion_left"] == {}
    assert alerts["key_contact_dark"] == {
        "Kit": ("warning", "Kay Lo (champion) not heard from in 70 days (last on Mar 17, 2025)")
    }
    assert alerts["new_decision_maker"] == {}


def test_a_rule_switched_off_or_a_set_value_floor(book: Book) -> None:
    only_relationships(book)
    book.set("alerts.champion_left.enabled", False)
    book.set("alerts.single_threaded.min_value", 50)
    ids = plant(book, NOW)
    scored(book, ids)
    book.generate()
    alerts = found(book, ids)
    assert alerts["champion_left"] == {}
    # Every account of at least $50 with one of several people heard from: Gem, Echo and
    # Hub too (Echo's Ida and Hub's Max never were).
    assert set(alerts["single_threaded"]) == {"Fox", "Gem", "Echo", "Hub"}


def test_a_b2c_book_raises_none_of_them(book: Book) -> None:
    from sqlalchemy import text

    from services.importing.service import run_import
    from tests.support.paths import DATA

    only_relationships(book)
    # Households, each its own one person (one contacts row, no role), some heard from long
    # ago, one sold to far more than the others.
    for name in ("Account.csv", "Contact.csv"):
        assert run_import(book.engine, [DATA / "samples" / "salesforce" / name]).landed
    with book.engine.connect() as conn:
        ids = [int(c) for (c,) in conn.execute(text("SELECT id FROM customers ORDER BY id"))]
    for cid in ids[:20]:
        book.interaction(cid, "call", 120)
    book.score({cid: {"clv": 5000.0 if cid == ids[0] else 100.0} for cid in ids})
    result = book.generate()
    assert len(ids) == 300
    assert result.created == 0
    assert book.alerts() == []
