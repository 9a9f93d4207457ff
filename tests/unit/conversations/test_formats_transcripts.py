"""Call transcripts that are not captions: Gong's JSON (its calls and transcripts as the
API gives them, merged) and plain text with speaker lines, its header block (title, date,
people) and what makes a text a transcript rather than a table; each line or sentence
merged into a turn keeps its own place."""

from __future__ import annotations

import datetime as dt
import json
import string
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.conversations.formats import read_conversations
from services.conversations.formats.plain_text import looks_like_transcript, read_text
from services.conversations.model import Person, Skipped
from tests.support.conversation_samples import GONG_JSON, SAMPLES, write_sample

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


# --- header blocks, short transcripts, and each piece's own place ---------------------------


def test_a_header_block_is_the_title_date_and_people_never_speakers(tmp_path: Path) -> None:
    [meeting], skipped = read_conversations(write_sample(tmp_path, "headed_call.txt"))
    assert skipped == []
    assert meeting.title == "Renewal check-in"
    assert meeting.started_at == dt.datetime(2026, 11, 20, 15, 30, tzinfo=dt.UTC)
    minh = Person("Minh Williams", "minh.williams@contoso.example")
    assert meeting.participants == (minh, Person("Dana Whitfield"))
    assert [(t.speaker, t.anchor) for t in meeting.turns] == [
        (Person("Dana Whitfield"), "line 5"),
        (minh, "line 6"),  # the attendees' address is his
        (Person("Dana Whitfield"), "line 7"),
    ]
    assert not {"Meeting", "Date", "Attendees"} & {t.speaker.name for t in meeting.turns}


@pytest.mark.parametrize(
    ("written", "moment"),
    [
        ("2026-11-20", dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)),
        ("2026-11-20 14:05", dt.datetime(2026, 11, 20, 14, 5, tzinfo=dt.UTC)),
        ("2026-11-20T14:05:00+01:00", dt.datetime(2026, 11, 20, 13, 5, tzinfo=dt.UTC)),
        ("20 Nov 2026", dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)),
        ("20 November 2026 09:30", dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)),
        ("November 20, 2026", dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)),
        ("Friday, Nov 20, 2026 at 3:30 PM", dt.datetime(2026, 11, 20, 15, 30, tzinfo=dt.UTC)),
        ("Nov 20, 2026 9 am GMT", dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC)),
        # A zone by name could be hours off: the day is kept, not the time.
        ("20 Nov 2026 15:30 CET", dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)),
    ],
)
def test_a_header_date_in_its_usual_written_forms(written: str, moment: dt.datetime) -> None:
    text = f"Title: Check-in\ndate: {written}\n\nAnna Berg: Hi.\nSam Lee: Hello.\n"
    [meeting], skipped = read_text(text, "call.txt")
    assert (meeting.started_at, meeting.title, skipped) == (moment, "Check-in", [])
    assert [t.speaker.name for t in meeting.turns] == ["Anna Berg", "Sam Lee"]


def test_a_date_and_a_time_on_two_header_lines_and_attendees_as_a_list() -> None:
    text = (
        "Subject: Quarterly review\nDate: 2026-11-20\nTime: 16:45\nParticipants:\n"
        "- Anna Berg\n- Sam Lee <sam@contoso.example>\n\nAnna Berg: Hi Sam.\nSam Lee: Hi.\n"
    )
    [meeting], _ = read_text(text, "review.txt")
    assert meeting.started_at == dt.datetime(2026, 11, 20, 16, 45, tzinfo=dt.UTC)
    assert meeting.title == "Quarterly review"
    sam = Person("Sam Lee", "sam@contoso.example")
    assert meeting.participants == (Person("Anna Berg"), sam)
    assert meeting.turns[1].speaker == sam


def test_a_header_date_that_is_no_date_is_said_with_its_line_and_the_words_are_read() -> None:
    text = "Meeting: Sync\nDate: next Tuesday\nAnna Berg: Hi.\nSam Lee: Hello.\n"
    [meeting], skipped = read_text(text, "sync.txt")
    assert meeting.started_at is None
    assert [t.speaker.name for t in meeting.turns] == ["Anna Berg", "Sam Lee"]
    (problem,) = skipped
    assert (problem.file, problem.where) == ("sync.txt", "line 2")
    assert "“next Tuesday” is not a date" in problem.reason
    assert "20 Nov 2026" in problem.reason


def test_a_date_line_after_someone_spoke_is_what_they_said() -> None:
    [meeting], _ = read_text("Anna Berg: Hi.\nDate: 2026-11-20\n", "x.txt")
    assert [t.speaker.name for t in meeting.turns] == ["Anna Berg", "Date"]
    assert meeting.started_at is None


def test_each_line_carried_into_a_turn_keeps_its_own_place(tmp_path: Path) -> None:
    [meeting], _ = read_conversations(write_sample(tmp_path, "transcript.txt"))
    omar = meeting.turns[2]
    at = omar.text.index("The March invoice")
    assert (omar.anchor, omar.anchor_at(0), omar.anchor_at(at)) == ("line 3", "line 3", "line 4")
    [short], _ = read_conversations(write_sample(tmp_path, "short_call.txt"))
    anna, sam = short.turns
    assert anna.anchor_at(anna.text.index("I wanted")) == "line 2"
    assert sam.anchor_at(sam.text.index("The new price")) == "line 3"
    assert sam.anchor_at(sam.text.index("and we are looking")) == "line 4"
    # A turn said on one line is one piece.
    assert meeting.turns[3].marks == ()


def test_each_sentence_of_a_gong_monologue_keeps_its_own_start(tmp_path: Path) -> None:
    [call], _ = read_conversations(write_sample(tmp_path, "gong.json"))
    dana = call.turns[0]
    assert dana.anchor_at(dana.text.index("Thanks for joining")) == "00:00:01"
    assert dana.anchor_at(dana.text.index("How is the rollout")) == "00:00:04"
    assert call.turns[1].marks == ()


@pytest.mark.parametrize(
    ("text", "transcript"),
    [
        ("Anna Berg: Hi Sam, thanks for calling.\nSam Lee: Thanks, Anna.\n", True),
        (SAMPLES["short_call.txt"], True),
        ("Date: 2026-11-20\nAnna Berg: Thanks for calling, Sam.\n", True),
        (SAMPLES["transcript.txt"], True),
        # Tables, though their cells hold a colon and a space.
        ("customer_id,note\nN1,Callback: Monday\nN2,Status: churned\n", False),
        ("customer_id,name,email\nN1,Marco Ruiz,marco@northwind.example\n", False),
        ("id;status\n1;Note: call back\n2;Note: renewed\n3;Note: left\n", False),
        # One line of one speaker is no conversation.
        ("Anna Berg: Hi Sam, thanks for calling.\n", False),
    ],
)
def test_a_text_is_a_transcript_as_a_person_would_read_it(text: str, transcript: bool) -> None:
    assert looks_like_transcript(text) is transcript
