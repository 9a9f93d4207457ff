"""Meeting transcripts as captions: Zoom's, Teams' and Meet's WebVTT and SubRip, read from
real files in their layouts (tests/support/conversation_samples.py), with the BOMs, line
endings and encodings the tools write, and a broken cue time skipped in words."""

from __future__ import annotations

import codecs
import string
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from services.conversations.formats import read_conversations
from services.conversations.formats.captions import read_srt, read_webvtt
from tests.support.conversation_samples import CALL_SRT, ZOOM_VTT, write_sample


def _said(conversation) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return [(turn.speaker.name, turn.anchor, turn.text) for turn in conversation.turns]


def test_a_zoom_file_with_bom_and_crlf_merges_a_speakers_cues_into_one_turn(
    tmp_path: Path,
) -> None:
    text = "\ufeff" + ZOOM_VTT.replace("\n", "\r\n")
    [meeting], skipped = read_conversations(write_sample(tmp_path, "zoom.vtt", text))
    assert skipped == []
    assert (meeting.kind, meeting.source, meeting.file) == ("meeting", "webvtt", "zoom.vtt")
    assert _said(meeting) == [
        (
            "Dana Whitfield",
            "00:00:01",
            "Thanks for making time today, Marco. I wanted to talk about the renewal in March.",
        ),
        (
            "Marco Ruiz",
            "00:00:09",
            "Sure. Honestly the price increase is a problem for us. "
            "We are also looking at another vendor.",
        ),
        ("Dana Whitfield", "00:12:37", "Understood. I will send a revised quote by Friday."),
    ]
    assert [turn.offset_seconds for turn in meeting.turns] == [1.23, 9.5, 757.0]
    assert [who.name for who in meeting.participants] == ["Dana Whitfield", "Marco Ruiz"]
    assert meeting.started_at is None


def test_a_teams_file_reads_voice_tags_and_passes_over_its_notes(tmp_path: Path) -> None:
    [meeting], skipped = read_conversations(write_sample(tmp_path, "teams.vtt"))
    assert skipped == []
    assert _said(meeting) == [
        (
            "Priya Nair",
            "00:00:02",
            "Good morning, can everyone hear me? Let's go through the onboarding plan.",
        ),
        ("Tom O'Brien", "00:00:09", "Yes. We still can't log in with single sign-on."),
        ("Priya Nair", "00:01:15", "I'll raise it with support today."),
    ]
    assert "NOTE" not in meeting.text
    assert "duration" not in meeting.text


def test_a_cue_with_two_voices_is_two_turns_at_the_same_place() -> None:
    vtt = "WEBVTT\n\n00:00:04.000 --> 00:00:06.000\n<v.loud Ann Lee>Hi.</v><v Bo Chen>Hello.</v>\n"
    [meeting], _ = read_webvtt(vtt, "x.vtt")
    assert _said(meeting) == [("Ann Lee", "00:00:04", "Hi."), ("Bo Chen", "00:00:04", "Hello.")]


def test_a_cue_without_a_speaker_and_a_broken_cue_time(tmp_path: Path) -> None:
    [meeting], skipped = read_conversations(write_sample(tmp_path, "meet.vtt"))
    assert _said(meeting) == [
        ("Ines Moreau", "00:00:00", "Hello, is the recording on?"),
        ("", "00:00:03", "Yes, it is."),
        ("Ines Moreau", "00:01:02", "Then let's review the quarterly usage."),
    ]
    assert [(s.file, s.where) for s in skipped] == [("meet.vtt", "line 9")]
    assert "00:00:xx.000" in skipped[0].reason
    assert "not a cue time" in skipped[0].reason


def test_a_vtt_whose_every_cue_time_is_broken_is_skipped_whole(tmp_path: Path) -> None:
    text = "WEBVTT\n\n1\n00:00:aa --> 00:00:02.000\nAnn: hi\n\n2\n1:2 -> 3\nBo: hello\n"
    conversations, skipped = read_conversations(write_sample(tmp_path, "zoom.vtt", text))
    assert conversations == []
    assert [s.where for s in skipped] == ["line 4", "line 7", ""]
    assert skipped[-1].reason == "it has no cue with words in it"


def test_an_srt_with_a_speakerless_cue(tmp_path: Path) -> None:
    [meeting], skipped = read_conversations(write_sample(tmp_path, "call.srt"))
    assert skipped == []
    assert (meeting.source, meeting.kind) == ("srt", "meeting")
    assert _said(meeting) == [
        ("Alex Kim", "00:00:00", "Hi Jordan, thanks for joining."),
        (
            "Jordan Lee",
            "00:00:03",
            "Happy to. We renewed last year and the team loves the reports.",
        ),
        ("", "00:00:08", "Can you hear the echo?"),
    ]
    assert [turn.offset_seconds for turn in meeting.turns] == [0.5, 3.2, 8.0]


def test_an_srt_in_windows_1252_keeps_its_accents(tmp_path: Path) -> None:
    text = "1\r\n00:00:01,000 --> 00:00:02,000\r\nJürgen Müller: Grüße aus München – danke.\r\n"
    path = write_sample(tmp_path, "call.srt", text, encoding="cp1252")
    assert "ü".encode() not in path.read_bytes()  # the file really is Windows-1252
    [meeting], _ = read_conversations(path)
    assert _said(meeting) == [("Jürgen Müller", "00:00:01", "Grüße aus München – danke.")]


def test_a_vtt_in_utf_16_with_its_bom(tmp_path: Path) -> None:
    path = tmp_path / "teams.vtt"
    path.write_bytes(codecs.BOM_UTF16_LE + ZOOM_VTT.encode("utf-16-le"))
    [meeting], _ = read_conversations(path)
    assert [turn.speaker.name for turn in meeting.turns] == [
        "Dana Whitfield",
        "Marco Ruiz",
        "Dana Whitfield",
    ]


def test_the_content_decides_not_the_name(tmp_path: Path) -> None:
    # A Zoom transcript saved as .txt, and SubRip saved as .vtt.
    [zoom], _ = read_conversations(write_sample(tmp_path, "zoom.txt", ZOOM_VTT))
    [srt], _ = read_conversations(write_sample(tmp_path, "call.vtt", CALL_SRT))
    assert (zoom.source, zoom.turns[1].anchor) == ("webvtt", "00:00:09")
    assert (srt.source, srt.turns[0].speaker.name) == ("srt", "Alex Kim")


def test_the_same_file_has_the_same_key_and_another_file_another(tmp_path: Path) -> None:
    [first], _ = read_conversations(write_sample(tmp_path, "zoom.vtt"))
    [again], _ = read_conversations(write_sample(tmp_path, "zoom.vtt"))
    [other], _ = read_conversations(write_sample(tmp_path, "teams.vtt"))
    assert first.key == again.key != other.key
    assert first.key.startswith("webvtt:")


def test_a_colon_in_a_sentence_or_a_time_is_not_a_speaker() -> None:
    srt = (
        "1\n00:00:01,000 --> 00:00:02,000\n"
        "the plan is simple and we think it will work out well: ship it\n\n"
        "2\n00:00:03,000 --> 00:00:04,000\nMeet at 10: 30 sharp, see https://x.example\n"
    )
    [meeting], _ = read_srt(srt, "x.srt")
    assert [turn.speaker.name for turn in meeting.turns] == [""]
    assert "ship it" in meeting.text
    assert "10: 30" in meeting.text


_CAPTION_TEXT = st.text(
    alphabet=st.sampled_from(string.printable + "<>/:-–\ufeff\u00e9v"), max_size=400
)


@settings(max_examples=150, deadline=None)
@given(
    body=_CAPTION_TEXT,
    cues=st.lists(st.tuples(_CAPTION_TEXT, st.integers(0, 10**6)), max_size=5),
)
def test_the_caption_readers_never_raise(body: str, cues: list[tuple[str, int]]) -> None:
    vtt = (
        "WEBVTT\n\n"
        + body
        + "".join(
            f"\n\n{ms // 60000:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d} --> 99:00.000\n{words}"
            for words, ms in cues
        )
    )
    for read in (read_webvtt, read_srt):
        conversations, skipped = read(vtt, "x.vtt")
        assert len(conversations) <= 1
        assert all(s.file == "x.vtt" and s.reason for s in skipped)
        for conversation in conversations:
            assert all(turn.text for turn in conversation.turns)


def test_a_speakers_cues_in_a_row_keep_each_cues_own_time(tmp_path: Path) -> None:
    [meeting], skipped = read_conversations(write_sample(tmp_path, "monologue.srt"))
    assert skipped == []
    marco, dana = meeting.turns
    assert (marco.anchor, dana.anchor) == ("00:00:01", "00:03:16")
    # A sentence is at the time of the cue it was said in: the third cue's, 3 minutes on.
    places = [
        marco.anchor_at(marco.text.index(words))
        for words in ("Thanks for the update", "The reports are", "We are also looking")
    ]
    assert places == ["00:00:01", "00:00:04", "00:03:10"]
    assert dana.marks == ()


def test_webvtt_cues_merged_into_a_turn_keep_their_times(tmp_path: Path) -> None:
    [zoom], _ = read_conversations(write_sample(tmp_path, "zoom.vtt"))
    marco = zoom.turns[1]
    assert marco.anchor_at(marco.text.index("Honestly the price")) == "00:00:09"
    assert marco.anchor_at(marco.text.index("We are also looking")) == "00:12:31"
    [teams], _ = read_conversations(write_sample(tmp_path, "teams.vtt"))
    priya = teams.turns[0]
    second = priya.text.index("Let's go through")
    assert (priya.anchor_at(0), priya.anchor_at(second)) == ("00:00:02", "00:00:05")


def test_a_long_run_of_one_speakers_cues_is_one_turn_each_cue_at_its_own_time() -> None:
    # A webinar's captions: thousands of cues by one speaker. Each sentence is found at
    # the time of the cue it was said in, the first and the last alike.
    cues = 3000

    def clock(i: int) -> str:
        return f"00:{i // 60 % 60:02d}:{i % 60:02d}"

    blocks = [
        f"{i + 1}\n{clock(i)},000 --> {clock(i)},900\nDana Cole: Sentence number {i}."
        for i in range(cues)
    ]
    [meeting], skipped = read_srt("\n\n".join(blocks) + "\n", "webinar.srt")
    assert skipped == []
    [turn] = meeting.turns
    assert turn.text == " ".join(f"Sentence number {i}." for i in range(cues))
    for i in (0, 1, 59, 60, 1234, cues - 1):
        at = turn.text.index(f"Sentence number {i}.")
        assert turn.anchor_at(at) == turn.anchor_at(at + 5) == clock(i)
