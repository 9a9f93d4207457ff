"""Meeting transcripts as captions: WebVTT (.vtt) and SubRip (.srt).

WebVTT as the meeting tools write it. Zoom and Google Meet number each cue and put the
speaker before the words::

    WEBVTT

    1
    00:00:01.230 --> 00:00:04.560
    Jane Doe: Thanks for joining.

Microsoft Teams gives each cue an id such as ``3f0c.../12-0`` and names the speaker in a
voice tag, ``<v Jane Doe>Thanks for joining.</v>``, sometimes with ``NOTE`` blocks
between cues. SubRip numbers its cues and writes the times with a comma
(``00:00:01,230 --> 00:00:04,560``); a speaker, when named, is ``Name: words``.

Consecutive cues by one speaker are one turn (the meeting tools cut a sentence into
several cues); the turn keeps its first cue's start as its place, "00:12:31", and each
cue's words keep their own start (``Turn.marks``), so that what was said in a later cue
is found at that cue's time. A cue with
no speaker is a turn of speaker "". A cue whose times are not times is skipped with the
line it is on; the other cues are read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.conversations.formats._common import clock, distinct, stable_key, unescape
from services.conversations.model import Conversation, Person, Skipped, Turn

# "00:01:02.500", "01:02.500" (WebVTT may leave out the hours), "00:01:02,500" (SubRip).
_TIME = r"(?:(\d{1,3}):)?(\d{1,2}):(\d{2})[.,](\d{1,3})"
_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(?:\s.*)?$")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?(?:\s+([^>]*))?>(.*?)(?=</v>|<v[\s.>]|\Z)", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
# "Jane Doe: words", "- Jane Doe: words" (SubRip's dialogue dash).
_SPEAKER = re.compile(r"^\s*(?:-\s*)?([^\s:<>\-][^:<>]{0,59}?)\s*:\s+(\S.*)$")
_MOST_WORDS_IN_A_NAME = 5


@dataclass
class _Said:
    speaker: str
    text: str
    start: float


def speaker_and_words(line: str) -> tuple[str, str] | None:
    """("Jane Doe", "words") for the line "Jane Doe: words", else None (a colon inside a
    sentence, a time, an address)."""
    match = _SPEAKER.match(line)
    if match is None:
        return None
    name = match.group(1).strip()
    if (
        len(name.split()) > _MOST_WORDS_IN_A_NAME
        or "://" in line[: match.end(1) + 3]
        or name.replace(" ", "").isdigit()
        or name.startswith(("http", "www."))
        or (name[-1].isdigit() and match.group(2)[:1].isdigit())  # "at 10: 30"
    ):
        return None
    return name, match.group(2).strip()


def _seconds(groups: tuple[str | None, ...]) -> float:
    hours, minutes, seconds, fraction = groups
    return (
        int(hours or 0) * 3600
        + int(minutes or 0) * 60
        + int(seconds or 0)
        + int((fraction or "0").ljust(3, "0")) / 1000
    )


def _plain(text: str) -> str:
    return " ".join(unescape(_TAG.sub("", text)).split())


def _cue_words(lines: list[str], start: float) -> list[_Said]:
    """What a cue's text lines say, and who says it: voice tags, else "Name: words" lines
    (a line without a name goes on with the line before it)."""
    body = "\n".join(lines)
    if "<v" in body:
        voiced = [
            _Said(" ".join((match.group(1) or "").split()), _plain(match.group(2)), start)
            for match in _VOICE.finditer(body)
        ]
        return [said for said in voiced if said.text]
    out: list[_Said] = []
    for line in lines:
        plain = _plain(line)
        if not plain:
            continue
        named = speaker_and_words(plain)
        if named is not None:
            out.append(_Said(named[0], named[1], start))
        elif out:
            out[-1].text = f"{out[-1].text} {plain}"
        else:
            out.append(_Said("", plain, start))
    return out


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """The file's blocks of lines between blank lines, each with its first line's number."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    first = 0
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        if line.strip():
            if not current:
                first = number
            current.append(line.rstrip())
        elif current:
            blocks.append((first, current))
            current = []
    if current:
        blocks.append((first, current))
    return blocks


def _read_cue(
    first: int, lines: list[str], file: str, skipped: list[Skipped]
) -> list[_Said] | None:
    at = next((i for i, line in enumerate(lines) if "-->" in line), None)
    if at is None:
        skipped.append(Skipped(file, f"line {first}", "it has no cue time (a line with -->)"))
        return None
    timing = _TIMING.match(lines[at])
    if timing is None:
        reason = f"“{lines[at].strip()[:60]}” is not a cue time like 00:01:02.500 --> 00:01:05.000"
        skipped.append(Skipped(file, f"line {first + at}", reason))
        return None
    return _cue_words(lines[at + 1 :], _seconds(timing.groups()[:4]))


def _merged(said: list[_Said]) -> tuple[Turn, ...]:
    """Consecutive cues of one speaker as one turn, each cue's words keeping its own
    time (``Turn.marks``), so that a sentence of its third cue is at that cue's time."""
    # Each turn's pieces are joined once at the end: adding each cue to the text so far
    # copied the whole turn per cue (hours for a webinar's 150,000 cues by one speaker).
    turns: list[tuple[_Said, list[str], list[tuple[int, str]]]] = []
    length = 0  # of the last turn's text so far
    for piece in said:
        if turns and turns[-1][0].speaker == piece.speaker:
            _first, pieces, marks = turns[-1]
            marks.append((length + 1, clock(piece.start)))
            pieces.append(piece.text)
            length += 1 + len(piece.text)
        else:
            turns.append((piece, [piece.text], [(0, clock(piece.start))]))
            length = len(piece.text)
    return tuple(
        Turn(
            speaker=Person(name=first.speaker),
            text=" ".join(pieces),
            offset_seconds=first.start,
            anchor=clock(first.start),
            marks=tuple(marks) if len(marks) > 1 else (),
        )
        for first, pieces, marks in turns
    )


def _conversation(
    source: str, text: str, file: str, title: str, said: list[_Said], skipped: list[Skipped]
) -> tuple[list[Conversation], list[Skipped]]:
    if not said:
        skipped.append(Skipped(file, "", "it has no cue with words in it"))
        return [], skipped
    turns = _merged(said)
    conversation = Conversation(
        kind="meeting",
        source=source,
        key=stable_key(source, file, 0, text),
        title=title,
        participants=distinct([turn.speaker for turn in turns]),
        turns=turns,
        file=file,
    )
    return [conversation], skipped


def read_webvtt(text: str, file: str) -> tuple[list[Conversation], list[Skipped]]:
    """The meeting in a WebVTT file (Zoom, Microsoft Teams, Google Meet)."""
    blocks = _blocks(text.lstrip("\ufeff"))
    skipped: list[Skipped] = []
    if not blocks or not blocks[0][1][0].startswith("WEBVTT"):
        return [], [Skipped(file, "line 1", "it does not start with WEBVTT")]
    header = blocks[0][1]
    title = header[0][len("WEBVTT") :].strip(" -\t")
    said: list[_Said] = []
    # A header block may run straight into the first cue when the blank line is missing.
    rest = [(blocks[0][0] + 1, header[1:])] if any("-->" in line for line in header) else []
    for first, lines in rest + blocks[1:]:
        if lines[0].startswith(("NOTE", "STYLE", "REGION")) and not any(
            "-->" in line for line in lines
        ):
            continue
        said.extend(_read_cue(first, lines, file, skipped) or [])
    return _conversation("webvtt", text, file, title, said, skipped)


def read_srt(text: str, file: str) -> tuple[list[Conversation], list[Skipped]]:
    """The meeting in a SubRip file: numbered cues, a speaker as "Name: words"."""
    skipped: list[Skipped] = []
    said: list[_Said] = []
    for first, lines in _blocks(text.lstrip("\ufeff")):
        said.extend(_read_cue(first, lines, file, skipped) or [])
    return _conversation("srt", text, file, "", said, skipped)
