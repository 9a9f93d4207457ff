"""Parsing a written draft and checking it: placeholders, the incentive cap, the length."""

from __future__ import annotations

from dataclasses import replace

import pytest

from services.outreach.checks import check_draft, has_subject, parse_draft, word_count
from services.outreach.records import DraftContext
from services.outreach.templates import sample_context

BODY = "Hi Ada,\n\nIt has been a while. We would love to see you again.\n\nBest regards,\nMaya"


def ctx(**changes: object) -> DraftContext:
    """Cap $154 (10% of $1,540), average order $90 unless changed."""
    return replace(sample_context(), **changes)  # type: ignore[arg-type]


def kinds(
    subject: str, body: str, context: DraftContext | None = None, words: int = 220
) -> list[str]:
    return [p.kind for p in check_draft(subject, body, context or ctx(), max_words=words)]


@pytest.mark.parametrize(
    "text",
    [
        "Subject: We miss you\n\nHi Ada,\nHello.",
        "subject: We miss you\nHi Ada,\nHello.",
        "**Subject:** We miss you\n\nHi Ada,\nHello.",
        "**Subject: We miss you**\n\nHi Ada,\nHello.",
        "Subject line - We miss you\n\nHi Ada,\nHello.",
        "```\nSubject: We miss you\n\nBody:\nHi Ada,\nHello.\n```",
        '\n\n  Subject: "We miss you"\n\n\nHi Ada,\nHello.\n\n',
        "Email subject: We miss you\r\n\r\nHi Ada,\r\nHello.",
    ],
)
def test_parse_draft_tolerates_the_usual_subject_lines(text: str) -> None:
    assert parse_draft(text) == ("We miss you", "Hi Ada,\nHello.")
    assert has_subject(text)


def test_a_missing_subject_comes_from_the_goal() -> None:
    assert parse_draft("Hi Ada,\nHello.", goal="apology") == ("We're sorry", "Hi Ada,\nHello.")
    assert parse_draft("Hi Ada,\nHello.", goal="check_in")[0] == "Checking in"
    assert not has_subject("Hi Ada,\nSubject: not a subject line here")
    # A "Subject:" later in the text is body text, not the subject.
    assert parse_draft("Hi Ada,\nSubject: x")[1] == "Hi Ada,\nSubject: x"


def test_a_clean_draft_passes() -> None:
    assert check_draft("We miss you", BODY, ctx(), max_words=220) == []
    assert word_count("Hi  Ada,\nhello there") == 4


@pytest.mark.parametrize(
    "hole",
    ["[Name]", "[Your Name]", "{first_name}", "{{ first_name }}", "<Company>", "XX%", "$XX",
     "INSERT", "{% if x %}", "[link]", "TBD"],
)  # fmt: skip
def test_placeholders_are_flagged(hole: str) -> None:
    problems = check_draft("Hello", f"Hi Ada, here is {hole} for you.", ctx(), max_words=220)
    assert [p.kind for p in problems] == ["placeholder"]
    assert hole.strip() in problems[0].message or hole in problems[0].message


def test_sizes_and_ordinary_words_are_not_placeholders() -> None:
    body = "Hi Ada, the XXL and XX-Large coats are back; insert the lining as you like."
    assert kinds("Hello", body) == []


def test_money_above_the_cap_is_flagged_and_within_it_is_not() -> None:
    assert kinds("Hello", "Hi Ada, here is $150 off your next order.") == []
    assert kinds("Hello", "Hi Ada, here is $154 off your next order.") == []
    problems = check_draft("Hello", "Hi Ada, here is $155 off.", ctx(), max_words=220)
    assert [p.kind for p in problems] == ["incentive"]
    assert "$155" in problems[0].message
    assert "$154" in problems[0].message
    assert kinds("Hello", "Hi Ada, take 200 dollars off.") == ["incentive"]
    assert kinds("Hello", "Hi Ada, a US$1,000 credit is yours.") == ["incentive"]
    assert kinds("A $500 gift for you", "Hi Ada.") == ["incentive"]  # the subject counts too


def test_percent_offers_are_judged_on_the_average_order() -> None:
    # Cap $154 on an average order of $600: at most 25% off.
    context = ctx(average_order_cents=60_000)
    assert context.max_percent_off == 25
    assert kinds("Hello", "Hi Ada, enjoy 25% off your next order.", context) == []
    problems = check_draft("Hello", "Hi Ada, enjoy 30% off.", context, max_words=220)
    assert [p.kind for p in problems] == ["incentive"]
    assert "at most 25%" in problems[0].message
    # A percent that is not an offer is left alone.
    assert kinds("Hello", "Hi Ada, our coats are 100% wool.", context) == []
    # No order history to judge a percent by: flagged, an amount is suggested.
    assert kinds("Hello", "Hi Ada, 10% off for you.", ctx(average_order_cents=None)) == [
        "incentive"
    ]


def test_any_offer_without_a_cap_is_flagged() -> None:
    context = ctx(incentive_cap_cents=None, clv_12m_cents=None)
    assert kinds("Hello", "Hi Ada, here is $5 off.", context) == ["no_offer_allowed"]
    assert kinds("Hello", "Hi Ada, 10% off your next order.", context) == ["no_offer_allowed"]
    # Money that is not an offer is not an offer.
    assert kinds("Hello", "Hi Ada, thank you for your $40 order.", context) == []


def test_the_injected_ninety_percent_is_flagged() -> None:
    body = "Hi Ada,\n\nAs you asked, here is 90% off everything in the store.\n\nMaya"
    # Worth more than the cap on an average order...
    problems = check_draft("90% off for you", body, ctx(average_order_cents=60_000), max_words=220)
    assert [p.kind for p in problems] == ["incentive", "incentive"]  # subject and body
    assert "90%" in problems[0].message
    assert "$540" in problems[0].message
    # ...and deeper than any draft may go even when the cap would cover it.
    generous = ctx(average_order_cents=9_000)  # 90% of $90 is $81, under the $154 cap
    problems = check_draft("Hello", body, generous, max_words=220)
    assert [p.kind for p in problems] == ["incentive"]
    assert "deeper than the 50%" in problems[0].message


def test_length_and_empty_body() -> None:
    long_body = " ".join(["word"] * 50)
    problems = check_draft("Hello", long_body, ctx(), max_words=40)
    assert [p.kind for p in problems] == ["length"]
    assert "50 words" in problems[0].message
    assert "40" in problems[0].message
    assert kinds("Hello", long_body, words=50) == []
    assert kinds("Hello", "  \n ") == ["empty"]


@pytest.mark.parametrize(
    "sentence",
    [
        "We will refund your entire purchase history.",
        "We can reimburse 100% of what you paid us.",
        "We will give you back all the money you spent with us.",
        "Get your money back on every order you placed.",
        "As a thank-you we are paying you back everything.",
    ],
)
def test_money_back_without_a_limit_is_flagged_in_other_words(sentence: str) -> None:
    body = f"Hi Ada, we are sorry about the late parcel. {sentence} Best, Sam"
    assert "unbounded_offer" in kinds("Sorry", body)


@pytest.mark.parametrize(
    "sentence",
    [
        "Thank you for all your orders. If anything arrived damaged, we will refund it.",
        "All refunds are processed within 5 days.",
    ],
)
def test_an_ordinary_word_about_refunds_is_not_an_unbounded_offer(sentence: str) -> None:
    body = f"Hi Ada, we are sorry about the late parcel. {sentence} Best, Sam"
    assert "unbounded_offer" not in kinds("Sorry", body)
