"""The readers of conversation files: a file in, its conversations out, and what could not
be read in plain words.

``read_conversations(path)`` tells the format from the file's content as well as its
name (a ``.txt`` holding WebVTT is read as WebVTT; a ``.vtt`` holding an email is read
as an email), reads it, and returns ``(conversations, skipped)``. A file that is not a
conversation file at all raises ``UserFacingError`` naming the formats it can read; a
file that is one but cannot be read (too large, empty, damaged, nested too deeply) is a
``Skipped`` for the whole file, and a bad part of a good file (a cue, a message, a row)
is a ``Skipped`` naming where it is. Nothing else escapes.

Text is decoded as the app decodes tables: UTF-8 with or without a BOM, UTF-16 with its
BOM, else Windows-1252. A folder of ``.eml`` files is the caller's loop, one file a call.
"""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.errors import UserFacingError
from services.conversations.formats._common import decode, looks_binary
from services.conversations.formats.captions import read_srt, read_webvtt
from services.conversations.formats.chats import (
    is_intercom,
    is_zendesk_chat,
    read_intercom,
    read_zendesk_chat,
)
from services.conversations.formats.emails import Progress, read_eml, read_mbox
from services.conversations.formats.gong import is_gong, read_gong
from services.conversations.formats.plain_text import (
    has_speaker_lines,
    looks_like_transcript,
    read_text,
)
from services.conversations.formats.social import looks_like_mentions, read_mentions
from services.conversations.model import Conversation, Skipped
from services.core.safe_read import BadFile, parse_json, read_bytes

# The largest conversation file read: a year of a team's mail as one mbox is far less.
MAX_BYTES = 200_000_000
# The deepest nesting a JSON export may have (Gong's calls with their parties' context
# need about a dozen levels).
MAX_JSON_DEPTH = 48


@dataclass(frozen=True)
class Format:
    """A kind of file the readers read, named as the import dialog and --help name it."""

    name: str  # Conversation.source
    words: str  # what a person calls it
    extensions: tuple[str, ...]


FORMATS: tuple[Format, ...] = (
    Format(
        "webvtt", "Meeting transcripts from Zoom, Microsoft Teams or Google Meet (.vtt)", (".vtt",)
    ),
    Format("srt", "Subtitles with speakers (.srt)", (".srt",)),
    Format("gong", "Gong call transcripts (.json)", (".json",)),
    Format("text", "Plain-text transcripts with a speaker on each line (.txt)", (".txt",)),
    Format("intercom", "Intercom conversations (.json)", (".json",)),
    Format("zendesk_chat", "Zendesk Chat transcripts (.json)", (".json",)),
    Format("eml", "Single emails (.eml)", (".eml",)),
    Format("mbox", "Mailboxes from Thunderbird or Google Takeout (.mbox)", (".mbox",)),
    Format("social_csv", "Social mentions: author, date, text and link (.csv)", (".csv",)),
)

Result = tuple[list[Conversation], list[Skipped]]
_TIMING = re.compile(r"^\s*(?:\d{1,3}:)?\d{1,2}:\d{2}([.,])\d{1,3}\s*-->", re.MULTILINE)
_HEADER = re.compile(r"^([A-Za-z][A-Za-z0-9-]{0,40}):", re.MULTILINE)
_JSON_KINDS = ("a Gong export", "an Intercom export", "a Zendesk Chat export")
# How much of a file's beginning tells its format.
_SNIFF_BYTES = 65_536
_MAIL_HEADERS = {"date", "subject", "message-id", "to", "received", "mime-version"}


def formats_in_words() -> str:
    """Every format read, in a sentence: "Meeting transcripts from Zoom ...; Gong ..."."""
    return "; ".join(form.words for form in FORMATS)


def _not_conversations(file: str, why: str) -> UserFacingError:
    return UserFacingError(
        f"{file} is not a conversation file Account Radar can read ({why}). "
        f"It reads: {formats_in_words()}."
    )


def _looks_like_email(text: str) -> bool:
    head = text.lstrip().replace("\r\n", "\n").split("\n\n", 1)[0]
    names = {name.lower() for name in _HEADER.findall(head)}
    return "from" in names and len(names & _MAIL_HEADERS) >= 2


def _looks_like_mbox(text: str) -> bool:
    first, _, rest = text.lstrip("\ufeff").partition("\n")
    return first.startswith("From ") and _looks_like_email(rest)


def _read_json(text: str, file: str) -> Result:
    try:
        data = parse_json(text, MAX_JSON_DEPTH)
    except BadFile as exc:
        return [], [Skipped(file, "", str(exc))]
    readers: list[tuple[Callable[[Any], bool], Callable[[Any, str], Result]]] = [
        (is_gong, read_gong),
        (is_intercom, read_intercom),
        (is_zendesk_chat, read_zendesk_chat),
    ]
    for (recognises, read), what in zip(readers, _JSON_KINDS, strict=True):
        if recognises(data):
            return _guarded(read, data, file, what)
    raise _not_conversations(file, "it is JSON, but not a Gong, Intercom or Zendesk Chat export")


def _read_text_file(text: str, file: str, suffix: str) -> Result:
    """The format of a text file from its content, its name breaking a tie."""
    body = text.lstrip("\ufeff").lstrip()
    if body.startswith("WEBVTT"):
        return read_webvtt(body, file)
    if body[:1] in "{[":
        return _read_json(body, file)
    timing = _TIMING.search(body[:20_000])
    if timing is not None:
        # Cue times without a WEBVTT line: SubRip when they have a decimal comma (or the
        # name says .srt), else WebVTT that lost its first line.
        return (
            read_srt(body, file)
            if timing.group(1) == "," or suffix == ".srt"
            else (read_webvtt("WEBVTT\n\n" + body, file))
        )
    if (suffix == ".csv" or not looks_like_transcript(body)) and looks_like_mentions(body):
        return read_mentions(text, file)
    if has_speaker_lines(body):
        return read_text(text, file)
    raise _not_conversations(file, "no speakers, messages or cues were found in it")


def _read_bytes(path: Path, file: str) -> bytes | Skipped:
    try:
        if os.stat(path).st_size > MAX_BYTES:
            return Skipped(file, "", "it is larger than 200 MB; split it or export less")
        return read_bytes(path, MAX_BYTES)
    except BadFile as exc:
        return Skipped(file, "", str(exc))
    except OSError as exc:
        return Skipped(file, "", f"it could not be opened ({exc.strerror or exc})")


def _guarded(read: Callable[[Any, str], Result], data: Any, file: str, what: str) -> Result:
    """``read(data, file)``; a layout its reader does not expect (a list where a table
    should be, text where a number should be) is the whole file skipped in words."""
    try:
        return read(data, file)
    except (TypeError, ValueError, AttributeError, KeyError, IndexError, OverflowError) as exc:
        reason = f"it looks like {what} but its layout is not one Account Radar knows ({exc})"
        return [], [Skipped(file, "", reason)]


def read_conversations(
    path: Path,
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> tuple[list[Conversation], list[Skipped]]:
    """The conversations in the file ``path`` and, in words, what could not be read.
    ``progress`` and ``cancelled`` serve the one long read, a mailbox of thousands of
    emails: told how far it has come, and asked whether to stop (with what was read)."""
    file = path.name
    data = _read_bytes(path, file)
    if isinstance(data, Skipped):
        return [], [data]
    # What the file is, from its beginning: a mailbox is never decoded whole here. A mail
    # whose headers read as text is a mail whatever its body holds: a part in a charset no
    # one knows shows, as in a mail reader, with replacement characters.
    head = decode(data[:_SNIFF_BYTES]).replace("\ufeff", "")
    mail_like = _looks_like_mbox(head) or _looks_like_email(head.lstrip())
    if not mail_like and looks_binary(data):
        raise _not_conversations(file, "it is not text")
    if _looks_like_mbox(head):
        try:
            return read_mbox(path, file, progress, cancelled)
        except OSError as exc:
            return [], [Skipped(file, "", f"it could not be read ({exc.strerror or exc})")]
    if _looks_like_email(head.lstrip()):
        # The email package reads the bytes (each part names its charset); a byte-order
        # mark is not part of the first header.
        marked = data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        mail = decode(data).lstrip("\ufeff").encode("utf-8") if marked else data
        return _guarded(read_eml, mail, file, "an email")
    text = decode(data)
    if not text.replace("\ufeff", "").strip():
        return [], [Skipped(file, "", "it is empty")]
    return _read_text_file(text, file, path.suffix.lower())
