"""A conversation as the workspace keeps it, read back: its turns, who spoke for the
customer, and what was read out of it, as the window and the command line show it.

An imported conversation is one interaction (services/importing/conversation_files.py):
its ``text`` holds the turns as "Speaker: words" lines, and its ``attributes`` what was
read out of it, with ``turns``: each turn's speaker, place in the file (its anchor and,
for a turn merged from several cues or lines, each one's place: ``marks``), side and
length, so that the lines can be split back into turns exactly (a turn of an email holds
line breaks). A conversation kept before turns were recorded is split at
each "Speaker: " line, and its customer's side is whom it was matched with and who
raised its risks.

A reading replaced by the model's keeps the offline one beside it
(``attributes["offline_reading"]``), so that the user can go back to it.

Pure Python: no database.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from services.conversations.model import Conversation, Person, Turn
from services.core.proof import Proof
from services.listen.proven_risks import unproven_words

# The parts of the attributes that are a reading (services/importing's reading_attributes).
READING_KEYS = ("summary", "summary_method", "summary_note", "actions", "risks", "topics")
OFFLINE_KEY = "offline_reading"
MODEL_KEY = "model_reading"
KIND_WORDS = {
    "call": "Call",
    "meeting": "Meeting",
    "chat": "Chat",
    "email_received": "Email from them",
    "email_sent": "Email to them",
    "social": "Social mention",
}
_SPEAKER_LINE = re.compile(r"^([^:\n]{1,80}): (.*)$")


@dataclass(frozen=True)
class TranscriptTurn:
    """One turn as shown: who spoke, their words, whether for the customer, where."""

    speaker: str
    text: str
    customer: bool
    anchor: str = ""


@dataclass(frozen=True)
class RiskShown:
    """A risk the customer raised, in their own words, and the turn where they said it
    (an index into the transcript; None when the turn is not in the kept text)."""

    kind: str
    label: str
    quote: str
    who: str
    anchor: str
    turn: int | None
    # Found by the app's own rules and kept beside a model's reading that missed it.
    by_rules: bool = False
    # Why it raises nothing ("unproven: precision 71 % ... below the 85 % the rule asks
    # for; it raises nothing"), "" when it may raise alerts, the digest and the scores.
    unproven: str = ""


@dataclass(frozen=True)
class PromiseShown:
    """An action promised: who, what, by when (None: no day said), its turn, and the task
    already made of it (None: none yet)."""

    number: int  # 1, 2... in the reading's order
    who: str
    what: str
    by: dt.date | None
    anchor: str
    turn: int | None
    task_id: int | None = None


@dataclass(frozen=True)
class TopicShown:
    """The customer's sentiment about one topic, -1 to 1."""

    label: str
    sentiment: float
    sentences: int | None


@dataclass(frozen=True)
class OpenedConversation:
    """One conversation, opened: everything its window and ``conversations show`` say."""

    id: int
    customer_id: int
    customer: str
    kind: str  # the interaction's kind: call, meeting, chat, email_received...
    kind_words: str  # "Call", "Email from them"
    when: dt.datetime | None  # UTC
    title: str
    with_name: str
    with_email: str
    matched: str  # "by address", "by domain", "by name", "" when not said
    file: str
    link: str
    summary: tuple[str, ...]
    method: str  # "extractive" or "model"
    method_note: str
    risks: tuple[RiskShown, ...]
    promises: tuple[PromiseShown, ...]
    topics: tuple[TopicShown, ...]
    turns: tuple[TranscriptTurn, ...]
    sentiment: float | None = None
    offline_kept: bool = False  # a model's reading, the offline one kept to go back to
    model_kept: bool = False  # the offline reading, a model's kept to go back to


def turn_marks(conversation: Conversation, customer_side: Callable[[Person], bool]) -> list[Any]:
    """What the interaction keeps of each turn beside its text (``attributes["turns"]``)."""
    return [
        {
            "who": turn.speaker.name or turn.speaker.email,
            "email": turn.speaker.email,
            "anchor": turn.anchor,
            "customer": bool(customer_side(turn.speaker)),
            "length": len(turn.text),
            # The places of the cues or lines merged into the turn (Turn.marks).
            **({"marks": [list(mark) for mark in turn.marks]} if turn.marks else {}),
        }
        for turn in conversation.turns
    ]


def _pieces(mark: Mapping[str, Any]) -> tuple[tuple[int, str], ...]:
    """A kept turn's pieces (Turn.marks), as far as they are readable."""
    kept = mark.get("marks")
    return tuple(
        (piece[0], piece[1])
        for piece in (kept if isinstance(kept, list) else [])
        if isinstance(piece, list) and len(piece) == 2  # noqa: PLR2004
        and isinstance(piece[0], int) and isinstance(piece[1], str)
    )  # fmt: skip


def _marked_turns(text: str, marks: list[Any]) -> list[TranscriptTurn]:
    turns: list[TranscriptTurn] = []
    at = 0
    for mark in marks:
        if not isinstance(mark, dict) or at > len(text):
            break
        who = str(mark.get("who") or "")
        prefix = f"{who}: " if who else ""
        if text[at : at + len(prefix)] != prefix:
            break  # the kept text was cut before this turn
        start = at + len(prefix)
        length = int(mark.get("length") or 0)
        words = text[start : start + length]
        turns.append(
            TranscriptTurn(who, words, bool(mark.get("customer")), str(mark.get("anchor") or ""))
        )
        at = start + length + 1
    return turns


def _split_lines(text: str, theirs: set[str]) -> list[TranscriptTurn]:
    turns: list[TranscriptTurn] = []
    for line in text.split("\n"):
        found = _SPEAKER_LINE.match(line)
        if found:
            who = found.group(1).strip()
            turns.append(TranscriptTurn(who, found.group(2), who.lower() in theirs))
        elif turns:
            last = turns[-1]
            turns[-1] = TranscriptTurn(last.speaker, f"{last.text}\n{line}", last.customer)
        elif line.strip():
            turns.append(TranscriptTurn("", line, False))
    return turns


def _name(person: Any) -> str:
    if isinstance(person, dict):
        return str(person.get("name") or person.get("email") or "")
    return str(person or "")


def transcript(text: str | None, attributes: Mapping[str, Any]) -> list[TranscriptTurn]:
    """The kept text split back into turns (the module's docstring)."""
    text = text or ""
    marks = attributes.get("turns")
    if isinstance(marks, list) and marks:
        return _marked_turns(text, marks)
    with_ = attributes.get("with") if isinstance(attributes.get("with"), dict) else {}
    theirs = {str(v).lower() for v in (with_ or {}).values() if v}
    theirs |= {_name(r.get("who")).lower() for r in _items(attributes, "risks")}
    theirs.discard("")
    return _split_lines(text, theirs)


def _items(attributes: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    value = attributes.get(key)
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def turn_of(turns: list[TranscriptTurn], anchor: str, words: str, *, customer: bool) -> int | None:
    """The turn at ``anchor`` holding ``words``, else the first (of the customer's side
    when ``customer``) holding them, else the one at the anchor; None when none."""
    words = " ".join(words.split()).lower()

    def holds(turn: TranscriptTurn) -> bool:
        return bool(words) and words in " ".join(turn.text.split()).lower()

    at_anchor = [i for i, t in enumerate(turns) if anchor and t.anchor == anchor]
    for index in at_anchor:
        if holds(turns[index]):
            return index
    for index, turn in enumerate(turns):
        if (turn.customer or not customer) and holds(turn):
            return index
    return at_anchor[0] if at_anchor else None


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def promises(attributes: Mapping[str, Any], turns: list[TranscriptTurn]) -> list[PromiseShown]:
    """The actions promised in the kept reading, numbered from 1."""
    return [
        PromiseShown(
            number, _name(item.get("who")), str(item.get("what") or ""), _date(item.get("by")),
            str(item.get("anchor") or ""),
            turn_of(turns, str(item.get("anchor") or ""), str(item.get("what") or ""),
                    customer=False),
        )
        for number, item in enumerate(_items(attributes, "actions"), start=1)
    ]  # fmt: skip


def opened(
    row: Mapping[str, Any],
    customer: str,
    tasks: Mapping[int, int] | None = None,
    proofs: Mapping[str, Proof] | None = None,
) -> OpenedConversation:
    """The conversation ``row`` (an interaction's id, customer_id, kind, occurred_at,
    subject, text, sentiment, attributes) as its window shows it; ``tasks``: the task
    already made of each promise (its number -> the task's id); ``proofs``: each kind of
    risk's measured precision against the rule's level (risks are marked unproven by it)."""
    attributes = row.get("attributes") if isinstance(row.get("attributes"), dict) else {}
    assert attributes is not None
    turns = transcript(row.get("text"), attributes)
    risks = [
        RiskShown(
            str(item.get("kind") or ""), str(item.get("label") or item.get("kind") or ""),
            str(item.get("quote") or ""), _name(item.get("who")), str(item.get("anchor") or ""),
            turn_of(turns, str(item.get("anchor") or ""), str(item.get("quote") or ""),
                    customer=True),
            item.get("by") == "rules",
            unproven_words(item, attributes, proofs) if proofs is not None else "",
        )
        for item in _items(attributes, "risks")
    ]  # fmt: skip
    made = tasks or {}
    topics = [
        TopicShown(str(t.get("label") or t.get("topic") or ""), _float(t.get("sentiment")) or 0.0,
                   t.get("sentences") if isinstance(t.get("sentences"), int) else None)
        for t in _items(attributes, "topics")
    ]  # fmt: skip
    with_ = attributes.get("with") if isinstance(attributes.get("with"), dict) else {}
    kind = str(row.get("kind") or "")
    return OpenedConversation(
        id=int(row["id"]),
        customer_id=int(row["customer_id"]),
        customer=customer,
        kind=kind,
        kind_words=KIND_WORDS.get(kind, "Conversation"),
        when=row.get("occurred_at"),
        title=str(row.get("subject") or ""),
        with_name=str((with_ or {}).get("name") or ""),
        with_email=str((with_ or {}).get("email") or ""),
        matched=str(attributes.get("matched") or ""),
        file=str(attributes.get("file") or ""),
        link=str(attributes.get("link") or ""),
        summary=tuple(str(s) for s in attributes.get("summary") or []),
        method=str(attributes.get("summary_method") or "extractive"),
        method_note=str(attributes.get("summary_note") or ""),
        risks=tuple(risks),
        promises=tuple(
            PromiseShown(**{**p.__dict__, "task_id": made.get(p.number)})
            for p in promises(attributes, turns)
        ),
        topics=tuple(topics),
        turns=tuple(turns),
        sentiment=_float(row.get("sentiment")),
        offline_kept=isinstance(attributes.get(OFFLINE_KEY), dict),
        model_kept=isinstance(attributes.get(MODEL_KEY), dict),
    )


def as_conversation(
    row: Mapping[str, Any], turns: list[TranscriptTurn]
) -> tuple[Conversation, frozenset[Person]]:
    """The kept conversation as the readers take it, and who spoke for the customer."""
    attributes = row.get("attributes") if isinstance(row.get("attributes"), dict) else {}
    marks = (attributes or {}).get("turns") or []
    people: list[Turn] = []
    theirs: set[Person] = set()
    for index, shown in enumerate(turns):
        mark = marks[index] if index < len(marks) and isinstance(marks[index], dict) else {}
        email = str(mark.get("email") or "")
        name = shown.speaker if shown.speaker != email else ""
        person = Person(name=name, email=email)
        people.append(Turn(person, shown.text, anchor=shown.anchor, marks=_pieces(mark)))
        if shown.customer:
            theirs.add(person)
    kind = str(row.get("kind") or "")
    when = row.get("occurred_at")
    if isinstance(when, dt.datetime) and when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    conversation = Conversation(
        kind="email" if kind.startswith("email") else kind,
        source=str((attributes or {}).get("format") or ""),
        key=str(row.get("external_id") or row.get("id")),
        title=str(row.get("subject") or ""),
        started_at=when if isinstance(when, dt.datetime) else None,
        turns=tuple(people),
    )
    return conversation, frozenset(theirs)


def reading_part(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """The reading's keys of the attributes, alone."""
    return {key: attributes[key] for key in READING_KEYS if key in attributes}


def with_model_reading(attributes: Mapping[str, Any], model: Mapping[str, Any]) -> dict[str, Any]:
    """The attributes with the model's reading in place, the offline one kept beside it
    (the first offline reading is the one kept: a second model reading does not lose it).

    A risk the offline rules found stays in the model's reading when the model did not
    name it (the same kind at the same turn), marked ``"by": "rules"``: it is the
    customer's own words either way, and a model that misses a cancellation must not
    erase it from the scores and the alerts."""
    new = dict(attributes)
    if attributes.get("summary_method") != "model" or OFFLINE_KEY not in attributes:
        new[OFFLINE_KEY] = reading_part(attributes)
    new.pop(MODEL_KEY, None)
    new.update(model)
    offline = new[OFFLINE_KEY] if isinstance(new.get(OFFLINE_KEY), dict) else {}
    risks = [dict(r) for r in model.get("risks") or [] if isinstance(r, Mapping)]
    named = {(r.get("kind"), r.get("anchor")) for r in risks}
    for risk in offline.get("risks") or []:
        if isinstance(risk, Mapping) and (risk.get("kind"), risk.get("anchor")) not in named:
            risks.append({**risk, "by": "rules"})
    new["risks"] = risks
    return new


def with_offline_reading(attributes: Mapping[str, Any]) -> dict[str, Any] | None:
    """The attributes with the offline reading back in place, the model's kept beside it;
    None when no offline reading is kept."""
    kept = attributes.get(OFFLINE_KEY)
    if not isinstance(kept, dict):
        return None
    new = {k: v for k, v in attributes.items() if k not in (OFFLINE_KEY, *READING_KEYS)}
    new[MODEL_KEY] = reading_part(attributes)
    new.update(kept)
    return new
