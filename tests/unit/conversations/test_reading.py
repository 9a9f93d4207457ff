"""Reading a conversation on this computer: the summary, the actions promised with the day
they are due, the risks in the customer's own words, and the sentiment per topic, on
conversations written here whose content is known, each figure against a direct
computation."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

from services.conversations.model import Conversation, Person, Turn
from services.conversations.reading import (
    EXTRACTIVE_NOTE,
    Action,
    Reading,
    Risk,
    read_offline,
    sentence_sentiment,
    summarise,
)
from services.conversations.reading_rules import RISK_KINDS, TOPICS, sentences

ANNA = Person("Anna Berg", "anna@contoso.com")  # the customer
MARIA = Person("Maria Lind", "maria@contoso.com")
TOM = Person("Tom Reed", "tom@ourco.example")  # us
TUESDAY = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)


def customer(person: Person) -> bool:
    return person.email.endswith("@contoso.com")


def _call(*turns: tuple[Person, str, str], kind: str = "call") -> Conversation:
    return Conversation(
        kind=kind,
        source="webvtt",
        key="k",
        started_at=TUESDAY,
        turns=tuple(Turn(who, text, anchor=anchor) for who, text, anchor in turns),
    )


RENEWAL = _call(
    (
        TOM,
        "Thanks for joining, Anna. I wanted to walk through your renewal for next year.",
        "00:00:05",
    ),
    (
        ANNA,
        "Sure. To be honest, we are also looking at Northwind as an alternative for next "
        "year. "
        "Our budgets were cut 20 % across the board.",
        "00:00:21",
    ),
    (
        TOM,
        "I understand, and we never want you to cancel. I'll send the revised quote by Friday. "
        "We will also set up a training session for your new team next week.",
        "00:01:02",
    ),
    (
        ANNA,
        "The support has been great. We're not cancelling anything, we just need the price "
        "to work.",
        "00:01:40",
    ),
)


def _renewal() -> Reading:
    return read_offline(RENEWAL, customer, competitors=["Northwind", "Fabrikam"])


def test_the_renewal_call_raises_the_competitor_and_the_budget_cut_in_annas_words() -> None:
    assert _renewal().risks == (
        Risk("competitor",
             "To be honest, we are also looking at Northwind as an alternative for next year.",
             ANNA, "00:00:21", "Northwind"),
        Risk("budget_cut", "Our budgets were cut 20 % across the board.", ANNA, "00:00:21"),
    )  # fmt: skip
    # Our "we never want you to cancel" and Anna's "not cancelling" raise nothing.
    assert _renewal().risks[0].label == "mentioned a competitor"


def test_the_renewal_call_holds_our_two_promises_with_their_days() -> None:
    assert _renewal().actions == (
        Action(TOM, "I'll send the revised quote by Friday.", dt.date(2026, 11, 27), "00:01:02"),
        Action(
            TOM,
            "We will also set up a training session for your new team next week.",
            dt.date(2026, 12, 4),  # the Friday of next week
            "00:01:02",
        ),
    )


def test_without_the_competitors_list_an_evaluation_of_a_vendor_is_found_by_its_name() -> None:
    risks = read_offline(RENEWAL, customer).risks  # no competitors named in the settings
    assert [(risk.kind, risk.name) for risk in risks] == [
        ("competitor", "Northwind"),
        ("budget_cut", ""),
    ]


def test_the_summary_is_at_most_three_of_its_sentences_in_order() -> None:
    reading = _renewal()
    said = [s for turn in RENEWAL.turns for s in sentences(turn.text)]
    assert reading.method == "extractive"
    assert reading.method_note == EXTRACTIVE_NOTE
    assert len(reading.summary) == 3
    positions = [said.index(sentence) for sentence in reading.summary]
    assert positions == sorted(positions)
    # A sentence that raises a risk or promises something is what the call was about.
    key = {risk.quote for risk in reading.risks} | {action.what for action in reading.actions}
    assert set(reading.summary) <= key
    assert {risk.quote for risk in reading.risks} & set(reading.summary)
    assert {action.what for action in reading.actions} & set(reading.summary)


def test_the_summary_picks_the_sentences_most_like_the_rest() -> None:
    meeting = _call(
        (ANNA, "The export of the sales dashboard fails every Monday.", "00:00:10"),
        (TOM, "Which dashboard export fails, the weekly sales one?", "00:00:20"),
        (ANNA, "Yes, the weekly sales dashboard export fails with an error.", "00:00:31"),
        (TOM, "Our developers shipped a fix for dashboard exports yesterday.", "00:00:45"),
        (ANNA, "By the way, lovely weather in Malmo this morning.", "00:01:02"),
        (TOM, "My cat knocked the coffee over earlier today.", "00:01:15"),
    )
    # Nothing promised and no risk: the three sentences about the sales dashboard's export
    # share the most words with the others; the small talk shares none.
    assert read_offline(meeting, customer).summary == (
        "The export of the sales dashboard fails every Monday.",
        "Which dashboard export fails, the weekly sales one?",
        "Yes, the weekly sales dashboard export fails with an error.",
    )


def test_a_short_conversation_is_its_own_summary_and_greetings_are_left_out() -> None:
    chat = _call((ANNA, "Hi! Could you resend last month's invoice to our finance team?", "m1"))
    assert read_offline(chat, customer).summary == (
        "Could you resend last month's invoice to our finance team?",
    )


def test_sentiment_per_topic_is_the_mean_of_the_customers_sentences_about_it() -> None:
    reading = _renewal()
    anna_said = [
        "Sure.",
        "To be honest, we are also looking at Northwind as an alternative for next year.",
        "Our budgets were cut 20 % across the board.",
        "The support has been great.",
        "We're not cancelling anything, we just need the price to work.",
    ]
    about = {
        "price": [anna_said[2], anna_said[4]],  # budgets, price
        "support": [anna_said[3]],
        "contract": [anna_said[4]],  # cancelling
    }
    topics = {topic.topic: topic for topic in reading.topics}
    assert list(topics) == ["price", "support", "contract"]  # the vocabulary's order
    for topic, texts in about.items():
        expected = round(sum(sentence_sentiment(t) for t in texts) / len(texts), 3)
        assert topics[topic].sentiment == expected
        assert topics[topic].sentences == len(texts)
    assert topics["support"].sentiment > 0.05
    assert topics["price"].label == TOPICS["price"][0] == "Price and billing"
    # Budgets cut is said with a negative feeling, though its words hold no feeling word.
    assert sentence_sentiment(anna_said[2]) < -0.05 < 0.05 < topics["support"].sentiment
    expected_mean = round(sum(sentence_sentiment(t) for t in anna_said) / len(anna_said), 3)
    assert reading.customer_sentiment == expected_mean


def test_a_happy_onboarding_call_has_no_risk_and_a_positive_customer() -> None:
    call = _call(
        (TOM, "Welcome aboard! Today we will walk through the setup together.", "00:00:03"),
        (ANNA, "Thanks, the onboarding has been really smooth and the team loves it.", "00:00:20"),
        (ANNA, "The training videos were clear and helpful.", "00:00:41"),
        (TOM, "Wonderful. Let me send you the admin guide tomorrow.", "00:01:05"),
    )
    reading = read_offline(call, customer, competitors=["Northwind"])
    assert reading.risks == ()
    assert reading.actions == (
        Action(TOM, "Let me send you the admin guide tomorrow.", dt.date(2026, 11, 25),
               "00:01:05"),
    )  # fmt: skip
    onboarding = {t.topic: t for t in reading.topics}["onboarding"]
    assert onboarding.sentences == 2
    assert onboarding.sentiment > 0.5
    assert reading.customer_sentiment is not None
    assert reading.customer_sentiment > 0.5
    assert [t.topic for t in reading.topics] == ["onboarding"]


def test_not_cancelling_just_asking_is_no_risk() -> None:
    chat = _call(
        (ANNA, "How long is the notice period on our plan? Not cancelling, just asking.",
         "message 1"),
        (TOM, "It is thirty days. I'll email you the terms.", "message 2"),
        kind="chat",
    )  # fmt: skip
    reading = read_offline(chat, customer)
    assert reading.risks == ()
    assert [a.what for a in reading.actions] == ["I'll email you the terms."]
    assert reading.actions[0].by is None  # no day was said


def test_a_customer_who_decides_to_cancel_raises_cancellation() -> None:
    chat = _call(
        (ANNA, "Please cancel tomorrow's meeting.", "message 1"),
        (ANNA, "We have decided to cancel our subscription at the end of the term.", "message 2"),
        kind="chat",
    )
    assert read_offline(chat, customer).risks == (
        Risk("cancellation", "We have decided to cancel our subscription at the end of the term.",
             ANNA, "message 2"),
    )  # fmt: skip


def test_an_email_saying_my_last_day_raises_the_champion_leaving() -> None:
    email = Conversation(
        kind="email",
        source="eml",
        key="<a1@contoso.com>",
        title="Handover",
        started_at=dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC),
        turns=(
            Turn(
                ANNA,
                "Hi Tom,\n\nMy last day at Contoso is Dec 12, please contact Maria for "
                "anything about the renewal.\n\nBest,\nAnna",
                at=dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC),
                anchor="message 1",
            ),
        ),
        sender=ANNA,
        recipients=(TOM,),
    )
    reading = read_offline(email, customer)
    assert reading.risks == (
        Risk(
            "champion_leaving",
            "My last day at Contoso is Dec 12, please contact Maria for anything about the "
            "renewal.",
            ANNA,
            "message 1",
        ),
    )
    assert reading.risks[0].label == "said our contact is leaving"
    assert reading.actions == ()


def test_only_the_customers_side_raises_risks() -> None:
    call = _call(
        (TOM, "We know budgets were cut everywhere and Northwind is too expensive.", "00:00:01"),
        (MARIA, "Fine by us.", "00:00:09"),
    )
    assert read_offline(call, customer, competitors=["Northwind"]).risks == ()


def test_a_promise_said_into_a_recording_is_due_from_the_day_of_its_moment() -> None:
    late = dt.datetime(2026, 11, 24, 23, 50, tzinfo=dt.UTC)
    call = Conversation(
        kind="meeting",
        source="gong",
        key="g",
        started_at=late,
        turns=(Turn(TOM, "I'll send the deck tomorrow.", offset_seconds=1200, anchor="00:20:00"),),
    )
    # Twenty minutes in, it is already Wednesday: tomorrow is Thursday.
    assert read_offline(call, customer).actions[0].by == dt.date(2026, 11, 26)


def test_a_conversation_with_no_date_gives_no_relative_due_day() -> None:
    call = Conversation(
        kind="call",
        source="text",
        key="t",
        turns=(Turn(TOM, "I'll send the quote by Friday and the plan by 12 Dec 2026.",
                    anchor="line 3"),),
    )  # fmt: skip
    (action,) = read_offline(call, customer).actions
    # The calendar date with its year is still read; "by Friday" needs a day to count from.
    assert action.by == dt.date(2026, 12, 12)


_PEOPLE = st.sampled_from([ANNA, TOM, Person(), Person("", "x@contoso.com")])
_TURNS = st.lists(
    st.builds(Turn, speaker=_PEOPLE, text=st.text(max_size=200), anchor=st.text(max_size=5)),
    max_size=6,
)


@settings(max_examples=80, deadline=None)
@given(
    turns=_TURNS,
    started=st.none() | st.datetimes(timezones=st.just(dt.UTC)),
    competitors=st.lists(st.text(max_size=12), max_size=3),
)
def test_reading_never_raises_on_any_turns(
    turns: list[Turn], started: dt.datetime | None, competitors: list[str]
) -> None:
    conversation = Conversation("chat", "intercom", "h", started_at=started, turns=tuple(turns))
    reading = read_offline(conversation, customer, competitors)
    said = [s for turn in turns for s in sentences(turn.text)]
    assert len(reading.summary) <= 3
    assert all(sentence in said for sentence in reading.summary)
    assert all(risk.kind in RISK_KINDS and customer(risk.who) for risk in reading.risks)
    assert all(-1.0 <= topic.sentiment <= 1.0 for topic in reading.topics)


def test_the_summarys_centrality_is_the_mean_cosine_similarity_to_the_others() -> None:
    texts = [
        "The weekly sales report export fails on Mondays.",
        "Support answered the export question within the hour.",
        "The October invoice listed the wrong number of seats.",
        "The sales report is what the regional managers read first.",
        "Training for the new starters went well last month.",
        "Can you check why the weekly export to the CRM fails?",
        "Lovely weather in Malmo this morning.",
    ]
    matrix = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(texts)
    similarity = cosine_similarity(matrix)
    mean = [(sum(row) - row[i]) / (len(texts) - 1) for i, row in enumerate(similarity)]
    top = sorted(range(len(texts)), key=lambda i: -mean[i])[:3]
    assert summarise(texts) == tuple(texts[i] for i in sorted(top))
    # A sentence that promises or raises something comes first, whatever its centrality.
    boosts = [0.0] * 6 + [1.0]
    assert texts[6] in summarise(texts, boosts)
