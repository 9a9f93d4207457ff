"""The words the offline reading looks for, sentence by sentence: the risks and their
negations, promises, the days they are due, sentences and topics."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.conversations.reading_rules import (
    RISK_KINDS,
    RISK_LABELS,
    RISK_RULES,
    competitor_rule,
    due_date,
    is_promise,
    risk_kinds,
    sentences,
    topics_of,
)

TUESDAY = dt.date(2026, 11, 24)
_NAMED = competitor_rule(["Northwind", "Tailspin Toys"])
assert _NAMED is not None
RULES = (*RISK_RULES, _NAMED)


@pytest.mark.parametrize(
    ("sentence", "kinds"),
    [
        ("We are evaluating Northwind for next year.", ["competitor"]),
        ("tailspin   toys called us last week.", ["competitor"]),
        ("We're switching to Fabrikam next quarter.", ["competitor"]),
        ("Fabrikam offered us a 30% discount.", ["competitor"]),
        ("We're looking at other vendors.", ["competitor"]),
        ("We are not looking at other vendors.", []),
        ("Told us they are moving to another supplier.", ["competitor"]),
        ("Our new buyer is reviewing all suppliers.", ["competitor"]),
        ("The programme is being cut next year.", ["budget_cut"]),
        ("We're switching to annual billing.", []),
        ("It's too expensive for what we use.", ["price_complaint"]),
        ("The price is really high.", ["price_complaint"]),
        ("Honestly it's not worth the money.", ["price_complaint"]),
        ("The renewal price went up 15%, which is hard to justify.", ["price_complaint"]),
        ("We can't justify the spend anymore.", ["price_complaint"]),
        ("Honestly the value is great for the price.", []),
        ("We're a bit tight on budget this quarter.", ["budget_cut"]),
        ("We can't afford another increase.", ["budget_cut"]),
        ("Our budgets were cut 20 % this year.", ["budget_cut"]),
        ("We have no budget for this next year.", ["budget_cut"]),
        ("Our budget was not cut this year.", []),
        ("We might cancel our subscription.", ["cancellation"]),
        ("We don't think we'll renew.", ["cancellation"]),
        ("We won't be renewing the contract.", ["cancellation"]),
        ("We're not cancelling, just asking.", []),
        ("We have no plans to cancel.", []),
        ("Please cancel tomorrow's meeting.", []),
        ("I'm leaving the company in January.", ["champion_leaving"]),
        ("Maria is leaving at the end of the month.", ["champion_leaving"]),
        ("We have a new head of procurement.", ["champion_leaving"]),
        ("I'm moving to a new role next month.", ["champion_leaving"]),
        ("I'm leaving for the airport now.", []),
        ("I'm not leaving the company.", []),
        (
            "Budgets were cut, so we will cancel and move to Northwind.",
            ["cancellation", "competitor", "budget_cut"],
        ),
        ("Thanks, everything works well.", []),
    ],
)
def test_the_kinds_a_customers_sentence_raises(sentence: str, kinds: list[str]) -> None:
    assert risk_kinds(sentence, RULES) == kinds


def test_every_kind_has_its_label_in_plain_words() -> None:
    assert set(RISK_LABELS) == set(RISK_KINDS)
    assert RISK_LABELS["cancellation"] == "raised cancellation"
    assert all("_" not in label for label in RISK_LABELS.values())


def test_no_names_no_competitor_rule() -> None:
    assert competitor_rule(["", "  "]) is None
    assert risk_kinds("We are evaluating Northwind.", RISK_RULES) == []


@pytest.mark.parametrize(
    ("sentence", "due"),
    [
        ("I'll send it by Friday.", dt.date(2026, 11, 27)),
        ("I'll send it by Tuesday.", dt.date(2026, 12, 1)),  # said on a Tuesday: next one
        ("We will get back to you next week.", dt.date(2026, 12, 4)),
        ("You will have it by 12 Dec.", dt.date(2026, 12, 12)),
        ("You will have it by Dec 12th, 2027.", dt.date(2027, 12, 12)),
        ("Expect it by 3 March.", dt.date(2027, 3, 3)),  # the next 3 March
        ("Expect it by the end of month.", dt.date(2026, 11, 30)),
        ("Expect it by the end of next month.", dt.date(2026, 12, 31)),
        ("Expect it tomorrow.", dt.date(2026, 11, 25)),
        ("Expect it in two weeks.", dt.date(2026, 12, 8)),
        ("Expect it by the end of the week.", dt.date(2026, 11, 27)),
        ("Expect it soon.", None),
        ("By 31 Feb.", None),
    ],
)
def test_the_day_a_sentence_says(sentence: str, due: dt.date | None) -> None:
    assert due_date(sentence, TUESDAY) == due


def test_without_a_day_to_count_from_only_a_full_date_is_read() -> None:
    assert due_date("by Friday", None) is None
    assert due_date("by 12 Dec", None) is None
    assert due_date("by 12 December 2026", None) == dt.date(2026, 12, 12)


@pytest.mark.parametrize(
    ("sentence", "promise"),
    [
        ("I'll send the revised quote by Friday.", True),
        ("We will set up a call with your team.", True),
        ("I'm going to put together a proposal.", True),
        ("Let me check with finance.", True),
        ("We'll be sending the contract today.", True),
        ("I can get you the numbers by Thursday.", True),
        ("I can get you the numbers.", False),  # no day said: an offer, not a promise
        ("I'll be honest with you.", False),
        ("Let me know if anything changes.", False),
        ("We will not send anything.", False),
        ("Will you send me the contract?", False),
        ("Shall I send it over?", False),
        ("We'll have to see.", False),
    ],
)
def test_what_is_a_promise(sentence: str, promise: bool) -> None:
    assert is_promise(sentence, due_date(sentence, TUESDAY)) is promise


def test_sentences_keep_the_words_as_written() -> None:
    text = (
        "Hi Tom,\n\nMy last day is Dec. 12, e.g. next month.  Thanks!\n> On Monday you wrote:"
        "\n> Please cancel."
    )
    assert sentences(text) == ["Hi Tom,", "My last day is Dec. 12, e.g. next month.", "Thanks!"]


def test_the_topics_of_a_sentence() -> None:
    assert topics_of("The invoice was wrong and the support team never replied.") == [
        "price",
        "support",
    ]
    assert topics_of("Setup was easy and the go-live went well.") == ["onboarding"]
    assert topics_of("Lovely weather today.") == []


@given(st.text(max_size=300))
def test_every_sentence_is_a_piece_of_the_text(text: str) -> None:
    for sentence in sentences(text):
        assert sentence
        assert sentence in text
        assert sentence == sentence.strip()
