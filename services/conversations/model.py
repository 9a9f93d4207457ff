"""A conversation as every reader of one sees it, whatever file it came from.

A transcript of a call or meeting (WebVTT, SRT, Gong-style JSON, plain text with speaker
lines), a chat log (Intercom, Zendesk chat), an email (.eml, .mbox) or a social mention
becomes one ``Conversation``: who took part, and what each said, in order, with where in
the file each turn is (``Turn.anchor``) so that a quote can point back to its place.

The formats' readers (services/conversations/formats/) make these; matching a
conversation to its account and contact, reading it (summary, actions promised, risks
raised, sentiment per topic) and keeping it work on them alone. Plain dataclasses: no
database, no pandas.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass, field

# What a conversation is, as the timeline and the drivers name it.
KINDS = ("call", "meeting", "chat", "email", "social")


@dataclass(frozen=True)
class Person:
    """Someone who took part: a name and an address, either may be empty."""

    name: str = ""
    email: str = ""  # lower case; "" when the file gives none


def _start(mark: tuple[int, str]) -> int:
    return mark[0]


@dataclass(frozen=True)
class Turn:
    """One speaker's words, in the order of the conversation."""

    speaker: Person
    text: str
    # When it was said: the moment (UTC, timezone-aware) where the file dates each turn
    # (chat messages, emails), else None.
    at: dt.datetime | None = None
    # Seconds from the start of a recording (transcripts), else None.
    offset_seconds: float | None = None
    # Where in the file the turn is, in words a person can find it by: "00:12:31" in a
    # transcript, "line 42" in plain text, "message 3" in a chat log.
    anchor: str = ""
    # Where each piece of a turn merged from several cues or lines starts: (the first
    # character of the piece in ``text``, its own anchor), in order; () when the turn is
    # one piece. A sentence is found at the place of the piece it starts in.
    marks: tuple[tuple[int, str], ...] = ()

    def anchor_at(self, position: int) -> str:
        """The anchor of the piece holding character ``position`` of ``text``."""
        # A binary search: a turn merged from 150,000 caption cues has as many marks, and
        # each of its sentences asks (a scan each was hours of import).
        k = bisect_right(self.marks, position, key=_start)
        return self.marks[k - 1][1] if k else self.anchor


@dataclass(frozen=True)
class Conversation:
    """One call, meeting, chat, email or social mention."""

    kind: str  # one of KINDS
    # The format it was read from: "webvtt", "srt", "gong", "text", "intercom",
    # "zendesk_chat", "eml", "mbox", "social_csv".
    source: str
    # Its identity across imports of the same file or a later export: the email's
    # Message-ID, the vendor's conversation id, else a hash of the file name and content.
    key: str
    title: str = ""  # the subject, the meeting's title, else ""
    started_at: dt.datetime | None = None  # UTC, timezone-aware; None when unknown
    participants: tuple[Person, ...] = ()
    turns: tuple[Turn, ...] = ()
    file: str = ""  # the file's name (not its path)
    link: str = ""  # a social mention's address; a recording's URL where given
    # Emails: who sent it and to whom, and the thread it belongs to.
    sender: Person | None = None
    recipients: tuple[Person, ...] = ()
    message_id: str = ""
    replies_to: tuple[str, ...] = ()  # In-Reply-To then References, without <>
    extra: dict[str, str] = field(default_factory=dict)  # vendor fields worth keeping

    @property
    def text(self) -> str:
        """Every turn's words, one turn a line."""
        return "\n".join(turn.text for turn in self.turns)


@dataclass(frozen=True)
class Skipped:
    """A record of a file that could not be read as a conversation, and why, in words."""

    file: str
    where: str  # "line 12", "message 4", "" for the whole file
    reason: str
