"""Calls exported from Gong as JSON.

Based on Gong's public API as its reference and its client libraries describe it:
``POST /v2/calls/extensive`` gives each call as ``{"metaData": {"id", "url", "title",
"scheduled", "started" (ISO 8601 with its offset), "duration", ...}, "parties": [{"id",
"name", "emailAddress", "speakerId", "affiliation": "Internal" | "External" |
"Unknown", ...}]}``, and ``POST /v2/calls/transcript`` gives ``{"callTranscripts":
[{"callId", "transcript": [{"speakerId", "topic", "sentences": [{"start", "end",
"text"}]}]}]}`` with ``start`` and ``end`` in milliseconds from the start of the call.
An export merges the two: a call object holding ``metaData``, ``parties`` and
``transcript``; ``{"calls": [...]}`` with the transcripts beside them in
``callTranscripts``; or a list of calls. Parties inside ``metaData`` are read too.

Each monologue (one speaker's sentences until another speaks) is one turn, placed at its
first sentence's start ("00:12:31"); each later sentence keeps its own start
(``Turn.marks``). The people on the call's own side (affiliation
Internal) are named in ``extra["internal"]``.
"""

from __future__ import annotations

from typing import Any

from services.conversations.formats._common import (
    clock,
    distinct,
    parse_time,
    person,
    stable_key,
    tables,
    text_of,
)
from services.conversations.model import Conversation, Person, Skipped, Turn


def is_gong(data: Any) -> bool:
    """True for JSON shaped as a Gong call, a list of them, or Gong's transcripts."""
    if isinstance(data, list):
        return bool(data) and all(isinstance(item, dict) and _is_call(item) for item in data)
    if not isinstance(data, dict):
        return False
    return (
        _is_call(data)
        or isinstance(data.get("callTranscripts"), list)
        or (
            isinstance(data.get("calls"), list)
            and any(isinstance(call, dict) and _is_call(call) for call in data["calls"])
        )
    )


def _is_call(item: dict[str, Any]) -> bool:
    transcript = item.get("transcript")
    return isinstance(item.get("metaData"), dict) or (
        isinstance(transcript, list)
        and all(isinstance(part, dict) and "sentences" in part for part in transcript)
        and "callId" in item
    )


def _meta(call: dict[str, Any]) -> dict[str, Any]:
    meta = call.get("metaData")
    return meta if isinstance(meta, dict) else {}


def _calls(data: Any) -> list[dict[str, Any]]:
    """Every call in the export, each with its transcript found beside it."""
    if isinstance(data, list):
        return [item for item in data if isinstance(item, dict)]
    if _is_call(data):
        return [data]
    calls = tables(data.get("calls"))
    transcripts = {
        str(item.get("callId")): item.get("transcript")
        for item in tables(data.get("callTranscripts"))
    }
    known = {str(_meta(call).get("id")) for call in calls}
    merged = [
        {**call, "transcript": call.get("transcript") or transcripts.get(str(meta_id))}
        for call in calls
        for meta_id in [_meta(call).get("id")]
    ]
    # Transcripts whose call is not in the file are read without its details.
    merged += [
        {"metaData": {"id": call_id}, "transcript": transcript}
        for call_id, transcript in transcripts.items()
        if call_id not in known
    ]
    return merged


def _parties(call: dict[str, Any]) -> list[dict[str, Any]]:
    return tables(call.get("parties") or _meta(call).get("parties"))


def _seconds(start: Any) -> float | None:
    return start / 1000 if isinstance(start, int | float) and not isinstance(start, bool) else None


def _turns(transcript: Any, people: dict[str, Person]) -> tuple[Turn, ...]:
    turns: list[Turn] = []
    for part in tables(transcript):
        words, marks = "", []
        first: float | None = None
        for index, sentence in enumerate(tables(part.get("sentences"))):
            said = " ".join(text_of(sentence.get("text")).split())
            seconds = _seconds(sentence.get("start"))
            if index == 0:
                first = seconds  # the monologue starts where its first sentence does
            if not said:
                continue
            words += " " if words else ""
            marks.append((len(words), clock(seconds) if seconds is not None else ""))
            words += said
        if not words:
            continue
        anchor = clock(first) if first is not None else ""
        # Each sentence keeps its own start; the first is at the monologue's place.
        pieces = [(0, anchor), *marks[1:]] if len(marks) > 1 else []
        speaker_id = str(part.get("speakerId") or "")
        turns.append(
            Turn(
                speaker=people.get(speaker_id, Person()),
                text=words,
                offset_seconds=first,
                anchor=anchor,
                marks=tuple(pieces),
            )
        )
    return tuple(turns)


def _call(call: dict[str, Any], index: int, file: str) -> Conversation | None:
    meta = _meta(call)
    parties = _parties(call)
    people = {
        str(party.get("speakerId")): person(party.get("name"), party.get("emailAddress"))
        for party in parties
        if party.get("speakerId") is not None
    }
    turns = _turns(call.get("transcript"), people)
    if not turns:
        return None
    internal = [
        who.email or who.name
        for party in parties
        if str(party.get("affiliation", "")).lower() == "internal"
        for who in [person(party.get("name"), party.get("emailAddress"))]
        if who.email or who.name
    ]
    call_id = meta.get("id")
    extra = {"internal": "; ".join(internal)} if internal else {}
    topics = [text_of(part.get("topic")) for part in tables(call.get("transcript"))]
    if any(topics):
        extra["topics"] = "; ".join(dict.fromkeys(topic for topic in topics if topic))
    return Conversation(
        kind="call",
        source="gong",
        key=(
            f"gong:{call_id}"
            if call_id not in (None, "", "None")
            else stable_key("gong", file, index, "\n".join(t.text for t in turns))
        ),
        title=text_of(meta.get("title")),
        started_at=parse_time(meta.get("started") or meta.get("scheduled")),
        participants=distinct(
            [person(p.get("name"), p.get("emailAddress")) for p in parties]
            + [t.speaker for t in turns]
        ),
        turns=turns,
        file=file,
        link=text_of(meta.get("url")),
        extra=extra,
    )


def read_gong(data: Any, file: str) -> tuple[list[Conversation], list[Skipped]]:
    """The calls in a Gong export (already parsed JSON)."""
    conversations: list[Conversation] = []
    skipped: list[Skipped] = []
    for index, call in enumerate(_calls(data), 1):
        made = _call(call, index, file)
        if made is None:
            skipped.append(Skipped(file, f"call {index}", "it has no transcript"))
        else:
            conversations.append(made)
    return conversations, skipped
