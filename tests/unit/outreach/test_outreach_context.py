"""The drafting context on real SQLite files: the customer, their orders, scores, tickets
and reviews, the goal from the alert's rule, the tone and the incentive cap from the
settings, and the do-not-contact flags."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import insert, update

from models.db import session_scope
from models.schema import Customer, Order
from services.outreach.context import (
    DraftContextError,
    build_context,
    find_customers,
    goal_for_rule,
    tenure_words,
    top_alert_id,
)
from services.outreach.records import GOAL_LABELS, TONE_LABELS, DraftContext
from services.settings import GOALS, TONES
from tests.unit.alerts.test_alerts_rules import NOW, Book, at, make_book


@pytest.fixture
def book(workspace_url: str) -> Iterator[Book]:
    yield from make_book(workspace_url)


def context(book: Book, cid: int, **kwargs: object) -> DraftContext:
    with session_scope(book.workspace.sessions) as s:
        return build_context(s, cid, now=NOW, **kwargs)  # type: ignore[arg-type]


def orders(book: Book, cid: int, rows: list[tuple[float, int, str, str]]) -> None:
    """(days ago, cents, category, status) per order."""
    with book.engine.begin() as conn:
        conn.execute(
            insert(Order),
            [
                {
                    "customer_id": cid,
                    "external_id": f"O{cid}-{k}",
                    "source": "t",
                    "order_date": at(d),
                    "amount_cents": cents,
                    "category": category,
                    "status": status,
                }
                for k, (d, cents, category, status) in enumerate(rows)
            ],
        )


def test_the_vocabularies_match_the_settings() -> None:
    assert tuple(GOAL_LABELS) == GOALS
    assert tuple(TONE_LABELS) == TONES
    assert GOAL_LABELS["expansion"] == "Introduce a new line"


def test_tenure_words() -> None:
    assert tenure_words(None) == ""
    assert tenure_words(0) == "customer for 0 days"
    assert tenure_words(1) == "customer for 1 day"
    assert tenure_words(45) == "customer for 1 month"
    assert tenure_words(200) == "customer for 6 months"
    assert tenure_words(365) == "customer for 1 year"
    assert tenure_words(800) == "customer for 2 years"


def test_goal_for_rule() -> None:
    assert goal_for_rule("negative_experience") == "apology"
    assert goal_for_rule("ticket_past_sla") == "apology"
    assert goal_for_rule("expansion") == "expansion"
    assert goal_for_rule("stalled_opportunity") == "check_in"
    assert goal_for_rule("gone_quiet") == "win_back"
    assert goal_for_rule(None) == "win_back"


def test_the_context_of_a_customer(book: Book) -> None:
    ada = book.customer("Ada Byron Lovelace", owner="Maya Thompson", company="Engines Ltd")
    with book.engine.begin() as conn:
        conn.execute(
            update(Customer)
            .where(Customer.id == ada)
            .values(
                signup_date=(NOW - dt.timedelta(days=800)).date(),
                tier="Gold",
                region="West",
                attributes={"phone_number": "+1 555 0100"},
            )
        )
    orders(
        book,
        ada,
        [
            (400, 12_000, "Knitwear", "paid"),
            (300, 9_000, "Outerwear", "paid"),
            (200, 9_000, "Outerwear", "paid"),
            (150, 2_000, "Socks", "paid"),
            (100, 1_000, "Hats", "paid"),
            (95, 4_000, "Denim", "paid"),
            (10, 90_000, "Jewellery", "refunded"),  # not paid: neither last nor favourite
        ],
    )
    book.interaction(ada, "ticket", 30, subject="Zip broke", text="The zip broke.", status="open")
    book.interaction(ada, "ticket", 20, subject="Where is my refund", text="Still waiting.",
                     status="solved")  # fmt: skip
    book.interaction(ada, "review", 10, text="Lovely wool", rating=5)
    book.interaction(ada, "review", 200, text="Too old to count", rating=1)
    book.interaction(ada, "email_open", 5)
    book.score(
        {ada: {"churn": 0.72, "clv": 1540.0, "segment": "At Risk"}},
        drivers=[{"text": "No order in 95 days", "weight": 1}, {"weight": 0.2}],
    )
    book.set("outreach.signature", "Warm wishes,\n{owner}\nThe Fern & Co. team")
    book.set("outreach.sender_name", "Sam Reyes")  # the user signs, not the owner
    book.set("outreach.brand_voice", "plain, no exclamation marks")

    got = context(book, ada)

    assert (got.first_name, got.surname, got.name) == (
        "Ada",
        "Byron Lovelace",
        "Ada Byron Lovelace",
    )
    assert got.email == "ada.byron.lovelace@example.com"
    assert got.phone == "+1 555 0100"
    assert (got.company, got.tier, got.region, got.owner) == (
        "Engines Ltd",
        "Gold",
        "West",
        "Maya Thompson",
    )
    assert got.tenure_days == 800
    assert got.tenure == "customer for 2 years"
    assert got.last_order is not None
    assert (got.last_order.days_ago, got.last_order.category, got.last_order.amount) == (
        95,
        "Denim",
        "$40",
    )
    # By paid spend: Outerwear $180, Knitwear $120, Denim $40 (Jewellery was refunded).
    assert got.categories == ("Outerwear", "Knitwear", "Denim")
    assert got.paid_orders == 6
    assert got.average_order_cents == round(37_000 / 6)
    assert (got.segment, got.churn_risk, got.clv_12m_cents) == ("At Risk", 0.72, 154_000)
    assert got.drivers == ("No order in 95 days",)
    assert [t.subject for t in got.open_tickets] == ["Zip broke"]
    # Tickets and reviews with text in the last 120 days, newest first.
    assert [(f.kind, f.text) for f in got.recent_feedback] == [
        ("review", "Lovely wool"),
        ("ticket", "Still waiting."),
        ("ticket", "The zip broke."),
    ]
    assert got.goal == "win_back"
    assert got.tone == "warm"
    # 10% (the default cap) of the 12-month value of $1,540.
    assert got.incentive_cap_cents == 15_400
    assert got.incentive == "$154"
    # $154 is more than a whole average order of $61.67: the ceiling of 50% applies.
    assert got.max_percent_off == 50
    assert got.signature == "Warm wishes,\nSam Reyes\nThe Fern & Co. team"
    # The cap reads in whole units, rounded down; under one unit it stays as it is.
    assert replace(got, incentive_cap_cents=10_138).incentive == "$101"
    assert replace(got, incentive_cap_cents=75).incentive == "$0.75"
    assert got.brand_voice == "plain, no exclamation marks"
    assert got.send_blocked is None
    assert not got.do_not_contact
    assert not got.unsubscribed


def test_goal_from_the_alert_and_explicit_choices(book: Book) -> None:
    ada = book.customer("Ada")
    book.interaction(ada, "ticket", 5, status="open", subject="Late parcel")
    book.set("alerts.cooldown_days", 0)
    book.score({ada: {}})
    book.generate()
    alert = next(a for a in book.alerts() if a["rule_key"] == "ticket_past_sla")
    with session_scope(book.workspace.sessions) as s:
        assert top_alert_id(s, ada) is not None
    assert context(book, ada, alert_id=alert["id"]).goal == "apology"
    chosen = context(book, ada, alert_id=alert["id"], goal="check_in", tone="concise")
    assert (chosen.goal, chosen.tone, chosen.alert_rule) == (
        "check_in",
        "concise",
        "ticket_past_sla",
    )
    book.set("outreach.default_tone", "professional")
    assert context(book, ada).tone == "professional"
    with pytest.raises(DraftContextError, match="not a goal"):
        context(book, ada, goal="bribe")
    with pytest.raises(DraftContextError, match="not a tone"):
        context(book, ada, tone="angry")
    with pytest.raises(DraftContextError, match="does not exist"):
        context(book, 9999)
    bo = book.customer("Bo")
    with pytest.raises(DraftContextError, match="not an alert of this customer"):
        context(book, bo, alert_id=alert["id"])


def test_no_value_or_a_zero_cap_means_no_offer(book: Book) -> None:
    ada, bo = book.customer("Ada"), book.customer("Bo")
    book.score({ada: {"clv": 500.0}})  # Bo was never scored
    assert context(book, bo).incentive_cap_cents is None
    assert context(book, bo).segment is None
    assert context(book, bo).last_order is None
    assert context(book, ada).incentive_cap_cents == 5_000
    book.set("outreach.incentive_cap_percent", 0)
    assert context(book, ada).incentive_cap_cents is None
    book.set("outreach.incentive_cap_percent", 25)
    assert context(book, ada).incentive_cap_cents == 12_500


def test_currency_and_the_expansion_suggestions(book: Book) -> None:
    ada, bo = book.customer("Ada"), book.customer("Bo")
    with book.engine.begin() as conn:
        conn.execute(
            insert(Order),
            [
                {"customer_id": ada, "order_date": at(d), "amount_cents": 2_550,
                 "currency": "EUR", "category": "Knitwear", "status": "paid"}
                for d in (50, 40)
            ]
            + [
                {"customer_id": bo, "order_date": at(d), "amount_cents": 1_000,
                 "currency": "USD", "category": c, "status": "paid"}
                for d, c in ((30, "Denim"), (20, "Denim"), (10, "Hats"))
            ],
        )  # fmt: skip
    got = context(book, ada, goal="expansion")
    assert got.currency_symbol == "€"
    assert got.last_order is not None
    assert got.last_order.amount == "€25.50"
    assert got.new_categories == ("Denim", "Hats")
    assert context(book, ada).new_categories == ()  # only worked out for expansion


def test_do_not_contact_and_unsubscribed_may_be_drafted_but_not_sent(book: Book) -> None:
    ada = book.customer("Ada", dnc=True)
    bo = book.customer("Bo")
    book.interaction(bo, "unsubscribe", 3)
    assert context(book, ada).do_not_contact
    assert "asked not to be contacted" in (context(book, ada).send_blocked or "")
    assert context(book, bo).unsubscribed
    assert "unsubscribed" in (context(book, bo).send_blocked or "")


def test_find_customers(book: Book) -> None:
    ada = book.customer("Ada Lovelace")
    ada2 = book.customer("Ada King")
    bo = book.customer("Bo Diddley", email="BO@Example.com")
    with session_scope(book.workspace.sessions) as s:
        assert [i for i, _ in find_customers(s, "ada lovelace")] == [ada]
        assert [i for i, _ in find_customers(s, "c003")] == [bo]  # external id, any case
        assert [i for i, _ in find_customers(s, "bo@example.com")] == [bo]
        assert sorted(i for i, _ in find_customers(s, "ada")) == sorted([ada, ada2])
        assert find_customers(s, "zed") == []
        assert find_customers(s, "  ") == []
        assert find_customers(s, "%") == []  # a LIKE wildcard is a plain character here
        (_, label), *_ = find_customers(s, "Bo Diddley")
        assert label == "Bo Diddley <BO@Example.com> [C003]"
