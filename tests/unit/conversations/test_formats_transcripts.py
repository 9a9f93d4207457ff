"""Call transcripts that are not captions: Gong's JSON (its calls and transcripts as the
API gives them, merged) and plain text with speaker lines."""

from __future__ import annotations

import datetime as dt
import json
import string
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from services.conversations.formats import read_conversations
from services.conversations.formats.plain_text import read_text
from services.conversations.model import Skipped
from tests.support.conversation_samples import GONG_JSON, write_sample

DANA = ("Dana Whitfield", "dana.whitfield@ourco.example")
MARCO = ("Marco Ruiz", "marco.ruiz@northwind.example")


def test_a_gong_export_is_one_call_with_its_parties_and_monologues(tmp_path: Path) -> None:
    [call], skipped = read_conversations(write_sample(tmp_path, "gong.json"))
    assert skipped == []
    assert (call.kind, call.source, call.key) == ("call", "gong", "gong:7782342274025937895")
    assert call.title == "Northwind renewal check-in"
    # 16:01:12 at -08:00 is 00:01:12 the next day in UTC.
    assert call.started_at == dt.datetime(2026, 3, 5, 0, 1, 12, tzinfo=dt.UTC)
    assert call.link == "https://app.gong.io/call?id=7782342274025937895"
    assert [(p.name, p.email) for p in call.participants] == [DANA, MARCO]
    assert [
        ((t.speaker.name, t.speaker.email), t.anchor, t.offset_seconds, t.text) for t in call.turns
    ] == [
        (DANA, "00:00:01", 1.2, "Thanks for joining, Marco. How is the rollout going?"),
        (MARCO, "00:12:31", 751.0, "The new pricing is hard to justify."),
        (DANA, "00:20:05", 1205.3, "I will send a proposal on Monday."),
    ]
    assert call.extra == {
        "internal": "dana.whitfield@ourco.example",
        "topics": "Call Setup; Pricing; Next Steps",
    }


def test_a_single_call_with_its_transcript_inside_and_a_list_of_calls(tmp_path: Path) -> None:
    export = json.loads(GONG_JSON)
    call = {
        **export["calls"][0],
        "transcript": export["callTranscripts"][0]["transcript"],
    }
    [one], _ = read_conversations(write_sample(tmp_path, "call.json", json.dumps(call)))
    second = {**call, "metaData": {**call["metaData"], "id": "99"}, "transcript": []}
    many, skipped = read_conversations(
        write_sample(tmp_path, "calls.json", json.dumps([call, second]))
    )
    assert one.key == "gong:7782342274025937895"
    assert len(one.turns) == 3
    assert [c.key for c in many] == ["gong:7782342274025937895"]
    assert [(s.where, s.reason) for s in skipped] == [("call 2", "it has no transcript")]


def test_a_transcript_export_without_its_calls_keeps_the_words(tmp_path: Path) -> None:
    export = json.loads(GONG_JSON)
    only = {"callTranscripts": export["callTranscripts"]}
    [call], _ = read_conversations(write_sample(tmp_path, "t.json", json.dumps(only)))
    assert call.key == "gong:7782342274025937895"
    assert [t.speaker.name for t in call.turns] == ["", "", ""]
    assert call.turns[1].text == "The new pricing is hard to justify."
    assert call.started_at is None


def test_a_plain_text_transcript_with_three_ways_of_naming_the_speaker(tmp_path: Path) -> None:
    [meeting], skipped = read_conversations(write_sample(tmp_path, "transcript.txt"))
    assert skipped == []
    assert (meeting.source, meeting.kind) == ("text", "meeting")
    assert [(t.speaker.name, t.anchor, t.offset_seconds, t.text) for t in meeting.turns] == [
        ("", "line 1", None, "Weekly sync, Contoso"),
        ("Lena Park", "line 2", 5.0, "Morning all. Quick agenda today."),
        (
            "Omar Haddad",
            "line 3",
            12.0,
            "Morning. We have a question about invoices. The March invoice was charged twice.",
        ),
        ("Lena Park", "line 5", 62.0, "Sorry about that, I'll get finance to refund it."),
        ("Omar Haddad", "line 7", None, "Thanks. Otherwise the rollout is going well."),
    ]
    assert [p.name for p in meeting.participants] == ["Lena Park", "Omar Haddad"]


def test_a_text_file_without_any_words_is_skipped(tmp_path: Path) -> None:
    assert read_text("\n  \n", "blank.txt") == (
        [],
        [Skipped("blank.txt", "", "it has no words in it")],
    )


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(string.printable + "[]():–é\ufeff\r\u2028"),
        max_size=500,
    )
)
def test_the_plain_text_reader_never_raises(text: str) -> None:
    conversations, skipped = read_text(text, "notes.txt")
    assert len(conversations) + len(skipped) == 1
    for conversation in conversations:
        assert all(turn.text for turn in conversation.turns)
        assert all(turn.anchor.startswith("line ") for turn in conversation.turns)


def test_otters_layout_puts_the_words_under_the_speaker_and_time(tmp_path: Path) -> None:
    otter = (
        "Jane Doe  0:03\nThanks for joining.\nLet's start.\n\n"
        "Sam Patel  1:02:15\nHappy to be here.\n"
    )
    [meeting], _ = read_conversations(write_sample(tmp_path, "otter.txt", otter))
    assert [(t.speaker.name, t.anchor, t.offset_seconds, t.text) for t in meeting.turns] == [
        ("Jane Doe", "line 1", 3.0, "Thanks for joining. Let's start."),
        ("Sam Patel", "line 5", 3735.0, "Happy to be here."),
    ]
