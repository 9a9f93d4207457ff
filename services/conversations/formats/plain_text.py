"""A transcript kept as plain text, one speaker a line::

    Jane Doe: Thanks for joining.
    [00:01:02] Sam Patel: Happy to be here.
    Jane Doe (00:01:10): Shall we start with the renewal?

or as Otter writes it, the speaker and time on a line of their own and the words below::

    Jane Doe  0:03
    Thanks for joining.

A line without a speaker goes on with the turn before it (a long turn wrapped over
lines); words before the first speaker are a turn of speaker "". Each turn's place is
"line N", where it starts, and each line merged into it keeps its own (``Turn.marks``); a
time written on the line is its ``offset_seconds``.

A header block before anyone speaks ("Title:", "Subject:", "Meeting:", "Date:",
"Attendees:", "Participants:": services/conversations/formats/headers.py) is the
conversation's title, date and people, never speakers; a date it writes that cannot be
read is said, with its line, and the conversation is read without it. A speaker the
attendees name with an address is that person, address and all.

A text file is a transcript when a person would take it for one
(``looks_like_transcript``): two speaker lines of two people are enough, and a table
(a header line of column names over rows of as many cells) never is.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field

from services.conversations.formats._common import stable_key
from services.conversations.formats.captions import speaker_and_words
from services.conversations.formats.headers import Header, header_line
from services.conversations.formats.social import DELIMITERS
from services.conversations.model import Conversation, Skipped, Turn

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
# Lines naming a speaker that make a transcript: two of two people, or three of anyone.
_SPEAKERS = 2
_ANY_SPEAKERS = 3


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


@dataclass
class _Turn:
    name: str
    offset: float | None
    number: int  # the line the turn starts on
    pieces: list[tuple[int, str]] = field(default_factory=list)  # (line, words)

    def made(self, header: Header) -> Turn:
        text, marks = "", []
        for index, (number, words) in enumerate(self.pieces):
            if text:
                text += " "
            # The first piece is at the turn's own place (the speaker's line).
            marks.append((len(text), f"line {number if index else self.number}"))
            text += words
        return Turn(
            speaker=header.speaker(self.name),
            text=text,
            offset_seconds=self.offset,
            anchor=f"line {self.number}",
            marks=tuple(marks) if len(marks) > 1 else (),
        )


def _lines(text: str) -> list[str]:
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")


def read_text(text: str, file: str) -> tuple[list[Conversation], list[Skipped]]:
    """The conversation in a plain-text transcript with speaker lines (and its header
    block: services/conversations/formats/headers.py)."""
    header = Header()
    turns: list[_Turn] = []
    for number, raw in enumerate(_lines(text), 1):
        line = raw.strip()
        if not line:
            continue
        # Header lines are read until someone speaks: "Date: ..." is no speaker.
        if not any(turn.name for turn in turns) and header.take(line, number):
            continue
        found = speaker_line(line)
        if found is not None:
            turns.append(_Turn(found[0], found[2], number))
            if found[1]:
                turns[-1].pieces.append((number, found[1]))
        elif turns:
            turns[-1].pieces.append((number, line))
        else:
            turns.append(_Turn("", None, number, [(number, line)]))
    header.finish()
    skipped = [Skipped(file, f"line {number}", reason) for number, reason in header.problems]
    made = tuple(turn.made(header) for turn in turns if turn.pieces)
    if not made:
        return [], [*skipped, Skipped(file, "", "it has no words in it")]
    conversation = Conversation(
        kind="meeting",
        source="text",
        key=stable_key("text", file, 0, text),
        title=header.title,
        started_at=header.date,
        participants=header.participants([turn.speaker for turn in made]),
        turns=made,
        file=file,
    )
    return [conversation], skipped


def _spoken(lines: list[str]) -> list[str]:
    """The speakers' names of the lines that name one, the header block left out."""
    header = Header()
    names: list[str] = []
    for number, line in enumerate(lines, 1):
        if not names and header.take(line, number):
            continue
        found = speaker_line(line)
        if found is not None:
            names.append(" ".join(found[0].lower().split()))
    return names


def has_speaker_lines(text: str, at_least: int = 1) -> bool:
    """True when ``text`` holds ``at_least`` lines that name their speaker (the first 200
    lines are looked at; a header block's lines name none)."""
    lines = [line.strip() for line in text.splitlines()[:200] if line.strip()]
    return len(_spoken(lines)) >= at_least


def _cells(line: str, delimiter: str) -> int:
    return len(next(csv.reader([line], delimiter=delimiter), []))


def _is_table(lines: list[str]) -> bool:
    """Whether ``lines`` read as a table: a header line of delimited names (no speaker),
    and most of the next rows with as many cells, none naming a speaker before its first
    delimiter ("N1,Note: call back" is a row; "Anna Berg: Hi Sam, thanks" is speech)."""
    first = lines[0]
    delimiter = max(DELIMITERS, key=first.count)
    if not first.count(delimiter) or speaker_line(first) is not None:
        return False
    width = _cells(first, delimiter)
    rows = lines[1:6]

    def row(line: str) -> bool:
        spoken = speaker_line(line)
        speech = spoken is not None and delimiter not in spoken[0]
        return not speech and _cells(line, delimiter) == width

    return not rows or sum(map(row, rows)) * 2 > len(rows)


def looks_like_transcript(text: str) -> bool:
    """Whether a person would read ``text`` as a transcript: not a table, and lines that
    name their speaker, two or more of two people or more (three of anyone), or one after
    a header block ("Date: ...", "Attendees: ..."). The first 200 lines are looked at."""
    lines = [line.strip() for line in text.splitlines()[:200] if line.strip()]
    if not lines or _is_table(lines):
        return False
    names = _spoken(lines)
    headed = header_line(lines[0]) is not None
    return (
        len(names) >= _ANY_SPEAKERS
        or (len(names) >= _SPEAKERS and len(set(names)) >= _SPEAKERS)
        or (headed and bool(names))
    )
