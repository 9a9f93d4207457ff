"""A transcript kept as plain text, one speaker a line::

    Jane Doe: Thanks for joining.
    [00:01:02] Sam Patel: Happy to be here.
    Jane Doe (00:01:10): Shall we start with the renewal?

or as Otter writes it, the speaker and time on a line of their own and the words below::

    Jane Doe  0:03
    Thanks for joining.

A line without a speaker goes on with the turn before it (a long turn wrapped over
lines); words before the first speaker are a turn of speaker "". Each turn's place is
"line N", where it starts; a time written on the line is its ``offset_seconds``.
"""

from __future__ import annotations

import re

from services.conversations.formats._common import distinct, stable_key
from services.conversations.formats.captions import speaker_and_words
from services.conversations.model import Conversation, Person, Skipped, Turn

_CLOCK = r"(?:(\d{1,3}):)?(\d{1,2}):(\d{2})(?:[.,]\d+)?"
# "[00:01:02] rest" or "(00:01:02) rest" or "00:01:02 rest" at the start of a line.
_LEADING_TIME = re.compile(rf"^\s*[\[(]?{_CLOCK}[\])]?\s+(.*)$")
# "Jane Doe (00:01:02): words" or "Jane Doe [00:01:02]: words".
_TIME_AFTER_NAME = re.compile(
    rf"^\s*([^\s:()\[\]][^:()\[\]]{{0,59}}?)\s*[\[(]{_CLOCK}[\])]\s*:\s*(.*)$"
)


# Otter's layout: "Jane Doe  0:03" on a line of its own (two spaces or a tab before the
# time), the words on the lines after it.
_NAME_THEN_TIME = re.compile(rf"^([^\s:\d][^:\t]{{0,59}}?)(?: {{2,}}|\t)\s*{_CLOCK}$")


def _seconds(hours: str | None, minutes: str, seconds: str) -> float:
    return float(int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds))


def speaker_line(line: str) -> tuple[str, str, float | None] | None:
    """(speaker, words, seconds or None) for a line that names its speaker, else None."""
    heading = _NAME_THEN_TIME.match(line)
    if heading is not None:
        name, hours, minutes, seconds = heading.groups()
        return name.strip(), "", _seconds(hours, minutes, seconds)
    match = _TIME_AFTER_NAME.match(line)
    if match is not None:
        name, hours, minutes, seconds, words = match.groups()
        return name.strip(), words.strip(), _seconds(hours, minutes, seconds)
    offset: float | None = None
    rest = line
    leading = _LEADING_TIME.match(line)
    if leading is not None:
        hours, minutes, seconds, rest = leading.groups()
        offset = _seconds(hours, minutes, seconds)
    named = speaker_and_words(rest)
    if named is None:
        return None
    return named[0], named[1], offset


def read_text(text: str, file: str) -> tuple[list[Conversation], list[Skipped]]:
    """The conversation in a plain-text transcript with speaker lines."""
    turns: list[tuple[str, list[str], float | None, int]] = []
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            continue
        found = speaker_line(line)
        if found is not None:
            turns.append((found[0], [found[1]] if found[1] else [], found[2], number))
        elif turns:
            turns[-1][1].append(line)
        else:
            turns.append(("", [line], None, number))
    made = tuple(
        Turn(
            speaker=Person(name=name),
            text=" ".join(words),
            offset_seconds=offset,
            anchor=f"line {number}",
        )
        for name, words, offset, number in turns
        if words
    )
    if not made:
        return [], [Skipped(file, "", "it has no words in it")]
    conversation = Conversation(
        kind="meeting",
        source="text",
        key=stable_key("text", file, 0, text),
        participants=distinct([turn.speaker for turn in made]),
        turns=made,
        file=file,
    )
    return [conversation], []


def has_speaker_lines(text: str, at_least: int = 1) -> bool:
    """True when ``text`` holds ``at_least`` lines that name their speaker (the first 200
    lines are looked at)."""
    found = 0
    for line in text.splitlines()[:200]:
        if line.strip() and speaker_line(line.strip()) is not None:
            found += 1
            if found >= at_least:
                return True
    return False
