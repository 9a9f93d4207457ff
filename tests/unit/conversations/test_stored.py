"""A kept conversation read back (services/conversations/stored.py): the text split into
turns exactly by the marks the import keeps (a turn of several lines, a speaker with no
name, a text cut short), or at each "Speaker: " line for a conversation kept before the
marks were; and a model's reading put in place, the offline one kept beside it."""

from __future__ import annotations

import datetime as dt

from services.conversations.model import Conversation, Person, Turn
from services.conversations.stored import (
    as_conversation,
    transcript,
    turn_marks,
    with_model_reading,
    with_offline_reading,
)

MARCO = Person("Marco Ruiz", "marco@northwind.example")
DANA = Person("Dana Whitfield", "dana@ourco.example")
TURNS = (
    Turn(DANA, "Hi Marco,\nthe quote is attached.\nDana", anchor="message 1"),
    Turn(MARCO, "Thanks: we: will: look.", anchor="message 2"),
    Turn(Person(), "An unnamed line.", anchor="line 3"),
)


def _kept(turns: tuple[Turn, ...]) -> str:
    return "\n".join(
        f"{t.speaker.name or t.speaker.email}: {t.text}" if t.speaker.name or t.speaker.email
        else t.text
        for t in turns
    )  # fmt: skip


def test_the_marks_split_the_text_back_into_its_turns_exactly() -> None:
    conversation = Conversation("email", "mbox", "k", turns=TURNS)
    marks = turn_marks(conversation, {MARCO}.__contains__)
    turns = transcript(_kept(TURNS), {"turns": marks})
    assert [(t.speaker, t.text, t.customer, t.anchor) for t in turns] == [
        ("Dana Whitfield", "Hi Marco,\nthe quote is attached.\nDana", False, "message 1"),
        ("Marco Ruiz", "Thanks: we: will: look.", True, "message 2"),
        ("", "An unnamed line.", False, "line 3"),
    ]
    # Read back as the readers take it: the same people, the customer's side known.
    row = {"id": 1, "kind": "email_received", "subject": "Quote", "attributes": {"turns": marks},
           "occurred_at": dt.datetime(2026, 3, 5, 8, 15)}  # fmt: skip
    again, theirs = as_conversation(row, turns)
    assert [t.speaker.email for t in again.turns] == [DANA.email, MARCO.email, ""]
    assert {p.email for p in theirs} == {MARCO.email}
    assert again.kind == "email"
    assert again.started_at == dt.datetime(2026, 3, 5, 8, 15, tzinfo=dt.UTC)


def test_a_text_cut_short_keeps_the_turns_it_holds() -> None:
    conversation = Conversation("email", "mbox", "k", turns=TURNS)
    marks = turn_marks(conversation, {MARCO}.__contains__)
    cut = _kept(TURNS)[:72] + "…"  # in Marco's words
    turns = transcript(cut, {"turns": marks})
    assert [t.speaker for t in turns] == ["Dana Whitfield", "Marco Ruiz"]
    assert turns[0].text == TURNS[0].text
    assert turns[1].text == "Thanks…"


def test_without_marks_each_speaker_line_starts_a_turn_and_the_matched_person_is_theirs() -> None:
    kept = "Dana Whitfield: Hello.\nMarco Ruiz: We will cancel.\nand a second line"
    turns = transcript(kept, {"with": {"name": "Marco Ruiz", "email": ""}})
    assert [(t.speaker, t.text, t.customer) for t in turns] == [
        ("Dana Whitfield", "Hello.", False),
        ("Marco Ruiz", "We will cancel.\nand a second line", True),
    ]


def test_a_model_reading_keeps_the_offline_one_and_going_back_keeps_the_models() -> None:
    offline = {"summary": ["a"], "summary_method": "extractive", "risks": [{"kind": "x"}],
               "file": "call.vtt"}  # fmt: skip
    model = {"summary": ["b"], "summary_method": "model", "risks": []}
    read = with_model_reading(offline, model)
    assert read["summary_method"] == "model"
    assert read["file"] == "call.vtt"
    assert read["offline_reading"] == {"summary": ["a"], "summary_method": "extractive",
                                       "risks": [{"kind": "x"}]}  # fmt: skip
    # A second model reading does not lose the offline one.
    again = with_model_reading(read, {**model, "summary": ["c"]})
    assert again["offline_reading"] == read["offline_reading"]
    back = with_offline_reading(again)
    assert back is not None
    assert back["summary"] == ["a"]
    assert back["model_reading"]["summary"] == ["c"]
    assert "offline_reading" not in back
    assert with_offline_reading(offline) is None
