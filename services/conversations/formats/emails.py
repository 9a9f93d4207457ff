"""Emails: one ``.eml`` file, or an ``.mbox`` of many as Thunderbird and Google Takeout
write them, read with the standard library's ``email`` package (its current policy).

Each message is one conversation: who sent it, to whom (To and Cc), its Message-ID, the
thread it answers (In-Reply-To then References, without the angle brackets), the
subject as its title, its Date in UTC, and one turn holding what the sender wrote. The
plain-text part is preferred, else the HTML part made text. The quoted earlier message
("> " lines, the "On ... wrote:" tail, Outlook's "Original Message") and the signature
after "-- " are left out of the turn, so that a reply never carries our own words back
as the customer's. Attachments are not read; their names are kept in
``extra["attachments"]``. The headers that tell a message a machine sent on its own (an
out-of-office answer, a bulk mailing: services/mail/automatic.py's AUTOMATIC_HEADERS,
Auto-Submitted, X-Autoreply, X-Autorespond, X-Auto-Response-Suppress and Precedence) are
kept as written in ``extra["auto_headers"]`` (JSON), and what among them marks it (Outlook's
"Auto-Submitted: auto-replied", "Precedence: bulk"...) in ``extra["auto_submitted"]``.
"""

from __future__ import annotations

import datetime as dt
import email
import email.utils
import json
import mailbox
import re
from collections.abc import Callable
from email import policy
from email.message import EmailMessage, Message
from pathlib import Path
from typing import Any

from services.conversations.formats._common import (
    decode,
    distinct,
    html_to_text,
    person,
    stable_key,
    utc,
)
from services.conversations.model import Conversation, Person, Skipped, Turn
from services.mail.automatic import AUTOMATIC_HEADERS, marked_by

# Told how far a long read has come: (the fraction done, what is being read, in words).
Progress = Callable[[float, str], None]
_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
# Where the quoted earlier message starts: "On Tue, 3 Mar 2026, Jane <j@x.com> wrote:"
# (on one line or two; and as German, French, Spanish, Dutch and Italian mailers write
# it), Outlook's separators, and the header lines of a quoted or forwarded message.
_QUOTE_HEAD = re.compile(
    r"^(?:(?:On|Am|Le|El|Op|Il)\s[^\n]{0,250}(?:\n[^\n]{0,250})?"
    r"\b(?:wrote|schrieb[^\n]{0,80}|a écrit|escribió|schreef[^\n]{0,80}|ha scritto)\s?:\s*$"
    r"|-{2,}\s*Original Message\s*-{2,}"
    r"|_{10,}\s*$"
    r"|From:\s[^\n]+\n(?:Sent|Date):\s)",
    re.MULTILINE | re.IGNORECASE,
)
_SIGNATURE = re.compile(r"^-- ?$", re.MULTILINE)


def reply_text(text: str) -> str:
    """What the sender wrote in ``text``: without quoted lines, the quoted earlier message
    and the signature."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    signature = _SIGNATURE.search(text)
    if signature is not None:
        text = text[: signature.start()]
    head = _QUOTE_HEAD.search(text)
    if head is not None:
        text = text[: head.start()]
    lines = [line.rstrip() for line in text.split("\n") if not line.lstrip().startswith(">")]
    kept = "\n".join(lines).strip()
    return re.sub(r"\n{3,}", "\n\n", kept)


_UNDECODED = re.compile("[\udc80-\udcff]")


def _fixed(text: str) -> str:
    """``text`` with the bytes the parser could not decode (8-bit headers written without
    encoded words, as some mailers and Google Takeout do) read as UTF-8, else Windows-1252."""
    if _UNDECODED.search(text) is None:
        return text
    return decode(text.encode("utf-8", "surrogateescape"))


def _subject(message: Message) -> str:
    raw = _raw(message, "Subject")
    subject = _fixed(raw) if _UNDECODED.search(raw) else _header(message, "Subject")
    return " ".join(subject.split())


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # a header the parser cannot make sense of
        return ""
    return str(value) if value is not None else ""


def _people(message: Message, *names: str) -> list[Person]:
    found: list[Person] = []
    for name in names:
        try:
            header = message.get(name)
            addresses = getattr(header, "addresses", None)
        except Exception:  # a malformed address header: read it as text
            header, addresses = None, None
        if addresses is not None:
            found += [
                person(_fixed(a.display_name), _fixed(a.addr_spec))
                for a in addresses
                if a.addr_spec
            ]
        elif header is not None:
            pairs = email.utils.getaddresses([str(header)])
            found += [person(_fixed(shown), _fixed(address)) for shown, address in pairs if address]
    return found


def _raw(message: Message, name: str) -> str:
    """A header's value as written (not decoded): enough for ids and dates, and far
    cheaper than the policy's parsed header on a mailbox of thousands of messages."""
    wanted = name.lower()
    for key, value in message.raw_items():
        if key.lower() == wanted:
            return str(value)
    return ""


def _ids(value: str) -> list[str]:
    ids = _MESSAGE_ID.findall(value)
    return ids or ([value.strip()] if value.strip() and " " not in value.strip() else [])


def _date(message: Message) -> dt.datetime | None:
    try:
        moment = email.utils.parsedate_to_datetime(" ".join(_raw(message, "Date").split()))
    except (TypeError, ValueError, IndexError, OverflowError):  # no date, or none a parser reads
        return None
    return utc(moment)


_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _part_text(part: Message) -> tuple[str, str]:
    """A text part's words and its type ("text/plain", "text/html"). The Content-Type is
    read once: the policy parses a header again on each look, which on a mailbox of
    thousands of messages is most of the time spent."""
    header = part.get("Content-Type")
    kind = str(getattr(header, "content_type", "") or "text/plain").lower()
    params = getattr(header, "params", None) or {}
    charset = str(params.get("charset") or "utf-8")
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return "", kind
    try:
        text = payload.decode(charset, "replace")
    except LookupError:  # a charset Python does not know: UTF-8, else Windows-1252
        text = decode(payload)
    # Bytes no charset makes text of (NUL and other controls) show as a mail reader shows
    # them, and never reach the store (PostgreSQL refuses a NUL in text).
    return _CONTROLS.sub("\ufffd", text), kind


def _body(message: Message) -> str:
    body: Message | None = None
    if not message.is_multipart():
        body = message
    elif isinstance(message, EmailMessage):
        try:
            body = message.get_body(preferencelist=("plain", "html"))
        except Exception:  # a broken structure: read no body
            body = None
    if body is None:
        return ""
    text, kind = _part_text(body)
    if kind == "text/html":
        text = html_to_text(text)
    return reply_text(text)


def _attachments(message: Message) -> list[str]:
    if not isinstance(message, EmailMessage) or not message.is_multipart():
        return []
    try:
        return [part.get_filename() or "(no name)" for part in message.iter_attachments()]
    except Exception:  # a broken structure: name none
        return []


def _message(message: Message, source: str, file: str, index: int, raw: bytes) -> Conversation:
    senders = _people(message, "From")
    sender = senders[0] if senders else Person()
    recipients = distinct(_people(message, "To", "Cc"))
    message_id = next(iter(_ids(_raw(message, "Message-ID"))), "")
    replies_to = tuple(
        dict.fromkeys(_ids(_raw(message, "In-Reply-To")) + _ids(_raw(message, "References")))
    )
    started = _date(message)
    text = _body(message)
    attachments = _attachments(message)
    extra = {"attachments": "; ".join(attachments)} if attachments else {}
    headers = _automatic_headers(message)
    if headers:
        extra["auto_headers"] = json.dumps(headers, ensure_ascii=False)
        automatic = marked_by(headers, _subject(message))
        if automatic:
            extra["auto_submitted"] = automatic
    return Conversation(
        kind="email",
        source=source,
        key=message_id or stable_key(source, file, index, raw.decode("utf-8", "replace")),
        title=_subject(message),
        started_at=started,
        participants=distinct([sender, *recipients]),
        turns=(Turn(speaker=sender, text=text, at=started, anchor=f"message {index}"),)
        if text
        else (),
        file=file,
        sender=sender,
        recipients=recipients,
        message_id=message_id,
        replies_to=replies_to,
        extra=extra,
    )


def _automatic_headers(message: Message) -> dict[str, str]:
    """The headers that may mark a message as sent by a machine on its own, as written
    (their whitespace evened out), by their usual names; {} when it has none."""
    found: dict[str, str] = {}
    for name in AUTOMATIC_HEADERS:
        value = " ".join(_raw(message, name).split())
        if value or _has(message, name):
            found[name] = value
    return found


def _has(message: Message, name: str) -> bool:
    wanted = name.lower()
    return any(key.lower() == wanted for key in message)


# The most MIME parts one email may have: mail with attachments has a few dozen; the
# parser's time grows faster than the count, so a message of tens of thousands of parts
# would hold the import for minutes. Counted on the raw bytes before parsing.
MAX_PARTS = 1_000
_BOUNDARY = re.compile(rb'boundary\s*=\s*(?:"([^"\r\n]{1,200})"|([^\s;"]{1,200}))', re.IGNORECASE)


class TooManyParts(ValueError):
    """An email with more MIME parts than MAX_PARTS."""


def _parts_over_limit(raw: bytes) -> int:
    """How many MIME parts the message has when more than MAX_PARTS, else 0: the
    delimiter lines of each boundary its headers declare (linear in the message's size)."""
    boundaries = {a or b for a, b in _BOUNDARY.findall(raw)}
    if len(boundaries) > MAX_PARTS:
        return len(boundaries)
    parts = 0
    for boundary in boundaries:
        parts += raw.count(b"\n--" + boundary)
        if parts > MAX_PARTS:
            return parts
    return 0


def _parse(raw: bytes) -> Message:
    parts = _parts_over_limit(raw)
    if parts:
        raise TooManyParts(
            f"it has more than {MAX_PARTS:,} MIME parts (the most an email may have here): left out"
        )
    return email.message_from_bytes(raw, policy=policy.default)


def read_eml(data: bytes, file: str) -> tuple[list[Conversation], list[Skipped]]:
    """The one email in an .eml file's bytes."""
    try:
        return [_message(_parse(data), "eml", file, 1, data)], []
    except TooManyParts as exc:
        return [], [Skipped(file, "", str(exc))]
    except Exception as exc:  # a message the parser gives up on
        return [], [Skipped(file, "", f"it could not be read as an email ({exc})")]


def read_mbox(
    path: Path,
    file: str,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> tuple[list[Conversation], list[Skipped]]:
    """Every email in an mbox file, each one a conversation; a message that cannot be read
    is skipped with its number. ``progress(fraction, words)`` is told every hundred
    messages; when ``cancelled()`` says so, reading stops with what was read."""
    conversations: list[Conversation] = []
    skipped: list[Skipped] = []
    box: Any = mailbox.mbox(str(path), create=False)
    try:
        keys = list(box.iterkeys())
        for index, key in enumerate(keys, 1):
            if index % 100 == 1:
                if cancelled is not None and cancelled():
                    break
                if progress is not None:
                    progress((index - 1) / len(keys), f"Reading email {index:,} of {len(keys):,}")
            try:
                raw = box.get_bytes(key)
                conversations.append(_message(_parse(raw), "mbox", file, index, raw))
            except TooManyParts as exc:
                skipped.append(Skipped(file, f"message {index}", str(exc)))
            except Exception as exc:  # one bad message: read the others
                skipped.append(Skipped(file, f"message {index}", f"it could not be read ({exc})"))
    finally:
        box.close()
    return conversations, skipped
