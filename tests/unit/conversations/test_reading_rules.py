"""The words the offline reading looks for, sentence by sentence: promises, the days they
are due, sentences and topics (the risks: test_risk_cues.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.conversations.reading_rules import (
    due_date,
    is_promise,
    sentences,
    topics_of,
)

TUESDAY = dt.date(2026, 11, 24)


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
        # A day of the month alone, the parts of today, a named month's end.
        ("I'll put it in writing by the 12th.", dt.date(2026, 12, 12)),
        ("I'll send it by the 30th.", dt.date(2026, 11, 30)),
        ("I'll email you the terms this afternoon.", dt.date(2026, 11, 24)),
        ("I'll confirm by close of business.", dt.date(2026, 11, 24)),
        ("I'll confirm which branches by the end of January.", dt.date(2027, 1, 31)),
        # Of two days, the one said after "by": "today" is when the work starts.
        ("I'll replace it today and send the results by Wednesday.", dt.date(2026, 11, 25)),
        ("The Monday outage: I'll have the cause to you by Thursday.", dt.date(2026, 11, 26)),
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
