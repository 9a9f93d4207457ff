"""Which reader reads a file is told from its content, and a file that cannot be read says
why in words: not a conversation file at all (UserFacingError naming the formats), or a
conversation file that is empty, too large, damaged or nested too deeply (Skipped)."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.errors import UserFacingError
from services.conversations.formats import FORMATS, MAX_BYTES, _read_json, read_conversations
from services.conversations.model import Skipped
from tests.support.conversation_samples import (
    DATA,
    GONG_JSON,
    INTERCOM_JSON,
    SAMPLES,
    ZENDESK_CHAT_JSON,
    write_sample,
)

# What each sample is read as, and how many conversations it holds.
EXPECTED = {
    "zoom.vtt": ("webvtt", 1),
    "teams.vtt": ("webvtt", 1),
    "meet.vtt": ("webvtt", 1),
    "call.srt": ("srt", 1),
    "gong.json": ("gong", 1),
    "transcript.txt": ("text", 1),
    "intercom.json": ("intercom", 1),
    "zendesk_chat.json": ("zendesk_chat", 1),
    "reply.eml": ("eml", 1),
    "html_only.eml": ("eml", 1),
    "thread.mbox": ("mbox", 3),
    "mentions.csv": ("social_csv", 3),
    "short_call.txt": ("text", 1),
    "headed_call.txt": ("text", 1),
    "owner_call.txt": ("text", 1),
    "monologue.srt": ("srt", 1),
}


def test_the_shared_sample_files_are_the_samples_the_tests_read() -> None:
    # The files beside the README (a folder of its own holds other samples).
    kept = (path.name for path in DATA.iterdir() if path.is_file() and path.name != "README.md")
    assert sorted(kept) == sorted(SAMPLES)
    for name, text in SAMPLES.items():
        assert (DATA / name).read_bytes() == text.encode(), name


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_sample_is_read_by_its_reader(name: str) -> None:
    conversations, _ = read_conversations(DATA / name)
    source, count = EXPECTED[name]
    assert [c.source for c in conversations] == [source] * count
    assert all(c.file == name and c.key and c.turns for c in conversations)
    assert all(c.started_at is None or c.started_at.utcoffset() is not None for c in conversations)


def test_every_format_is_named_in_plain_words() -> None:
    assert {form.name for form in FORMATS} == {source for source, _ in EXPECTED.values()}
    assert all(form.words and form.extensions for form in FORMATS)


def test_binary_garbage_is_not_a_conversation_file(tmp_path: Path) -> None:
    path = tmp_path / "recording.vtt"
    path.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(UserFacingError) as raised:
        read_conversations(path)
    message = str(raised.value)
    assert message.startswith("recording.vtt is not a conversation file")
    assert "it is not text" in message
    assert "Zendesk Chat transcripts" in message
    assert "Mailboxes from Thunderbird or Google Takeout" in message


def test_json_of_another_kind_and_text_without_speakers_are_refused(tmp_path: Path) -> None:
    other = write_sample(tmp_path, "orders.json", '{"orders": [{"id": 1, "total": 9.5}]}')
    notes = write_sample(tmp_path, "notes.txt", "buy milk\nfix the bike\n")
    with pytest.raises(UserFacingError, match="not a Gong, Intercom or Zendesk Chat export"):
        read_conversations(other)
    with pytest.raises(UserFacingError, match="no speakers, messages or cues"):
        read_conversations(notes)


def test_a_short_transcript_is_speech_and_a_table_of_mentions_stays_a_table(
    tmp_path: Path,
) -> None:
    [call], _ = read_conversations(DATA / "short_call.txt")
    assert [t.speaker.name for t in call.turns] == ["Anna Berg", "Sam Lee"]
    table = "author,text\nAnna,Sam Lee: great call today\nBo,Re: the pricing\n"
    mentions, _ = read_conversations(write_sample(tmp_path, "mentions.txt", table))
    assert [(c.source, c.turns[0].text) for c in mentions] == [
        ("social_csv", "Sam Lee: great call today"),
        ("social_csv", "Re: the pricing"),
    ]


@pytest.mark.parametrize("content", [b"", b"   \r\n\n", b"\xef\xbb\xbf", b"\xff\xfe"])
def test_an_empty_file_is_skipped(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "call.vtt"
    path.write_bytes(content)
    assert read_conversations(path) == ([], [Skipped("call.vtt", "", "it is empty")])


def test_a_file_over_200_mb_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.mbox"
    with path.open("wb") as f:
        f.truncate(MAX_BYTES + 1)  # sparse: nothing is written to the disk
    assert read_conversations(path) == (
        [],
        [Skipped("huge.mbox", "", "it is larger than 200 MB; split it or export less")],
    )


def test_damaged_and_absurdly_deep_json_are_skipped(tmp_path: Path) -> None:
    deep = write_sample(tmp_path, "deep.json", "[" * 100_000 + "]" * 100_000)
    broken = write_sample(tmp_path, "broken.json", '{"calls": [{"metaData": ')
    [deep_skip] = read_conversations(deep)[1]
    [broken_skip] = read_conversations(broken)[1]
    assert (deep_skip.file, deep_skip.where) == ("deep.json", "")
    assert "nested too deeply" in deep_skip.reason
    assert broken_skip.reason.startswith("it is not JSON")


def test_a_missing_file_or_a_folder_is_skipped_in_words(tmp_path: Path) -> None:
    [missing] = read_conversations(tmp_path / "gone.vtt")[1]
    folder = tmp_path / "calls.vtt"
    folder.mkdir()
    [not_a_file] = read_conversations(folder)[1]
    assert missing.reason.startswith("it could not be opened")
    assert "not a regular file" in not_a_file.reason or "could not be opened" in not_a_file.reason


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX's")
def test_a_pipe_in_a_files_place_is_not_waited_on(tmp_path: Path) -> None:
    pipe = tmp_path / "call.vtt"
    os.mkfifo(pipe)
    [skipped] = read_conversations(pipe)[1]
    assert "not a regular file" in skipped.reason


_KEYS = st.sampled_from(
    [
        "calls",
        "callTranscripts",
        "metaData",
        "parties",
        "transcript",
        "sentences",
        "speakerId",
        "start",
        "text",
        "id",
        "started",
        "emailAddress",
        "name",
        "affiliation",
        "conversations",
        "conversation_parts",
        "source",
        "body",
        "author",
        "type",
        "created_at",
        "part_type",
        "chats",
        "history",
        "msg",
        "nick",
        "timestamp",
        "visitor",
        "message",
        "email",
        "callId",
        "topic",
    ]
)
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.sampled_from(["chat.msg", "offline_msg", "<p>hi</p>", "Internal", "2026-03-04T10:00Z"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=6),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(_JSON)
def test_any_json_is_read_skipped_or_refused_in_words(value: object) -> None:
    try:
        conversations, skipped = _read_json(json.dumps(value), "x.json")
    except UserFacingError as refused:
        message = str(refused)
        conversations, skipped = [], []
    else:
        message = "x.json is not a conversation file (read)"
    assert message.startswith("x.json is not a conversation file")
    assert all(c.turns for c in conversations)
    assert all(s.file == "x.json" and s.reason for s in skipped)


_ODD_VALUES = [None, True, 0, -1, 1e308, 10**30, "", "x", [], {}, [1], {"a": 1}, "2026-13-45"]


def _mutated(value: object, rng: random.Random) -> object:
    if rng.random() < 0.08:
        return rng.choice(_ODD_VALUES)
    if isinstance(value, dict):
        return {key: _mutated(item, rng) for key, item in value.items()}
    if isinstance(value, list):
        return [_mutated(item, rng) for item in value]
    return value


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([GONG_JSON, INTERCOM_JSON, ZENDESK_CHAT_JSON]), st.randoms())
def test_a_real_export_with_odd_values_never_raises(sample: str, rng: random.Random) -> None:
    text = json.dumps(_mutated(json.loads(sample), rng))
    try:
        conversations, skipped = _read_json(text, "x.json")
    except UserFacingError:
        return
    assert all(c.turns and c.key for c in conversations)
    # The readers take odd values in their stride: nothing is left to the last guard.
    assert not any("layout is not one" in s.reason for s in skipped)
