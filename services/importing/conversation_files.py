"""Conversations as a source of their own: call and meeting transcripts, chat logs, emails
(one .eml, a folder of them, an .mbox) and social mentions, each matched to its account and
person and kept as one interaction, with what was read out of it on this computer.

``sniff(path)`` tells a conversation file (or a folder of them) from a table;
``import_conversations`` reads it (services/conversations/formats/), matches each
conversation (services/conversations/matching.py), reads it offline
(services/conversations/reading.py: a short summary, the actions promised, the risks raised
in the customer's own words, sentiment per topic) and writes one interaction each in one
import run: undone, listed and re-imported like any other import. Conversations no account
matches are listed with their people and not stored; nothing creates a customer.

What an interaction holds: ``kind`` call, meeting, chat, email_received (their email),
email_sent (ours) or social; ``subject`` the title; ``text`` the turns as "Speaker: words"
lines (cut at the import's text cap); ``sentiment`` the customer's own sentences' mean
(their side only, not ours); ``contact_id`` the person it was with, when known; and in
``attributes``: the file, the format, how it was matched, the summary and how it was made,
the actions, the risks (kind, quote, who, anchor), the topics, and each turn's speaker,
anchor, side and length (services/conversations/stored.py splits the text back into turns);
an email's also its Message-ID, the ids it answers (``replies_to``), its sender (``from``),
the headers that tell an automatic answer (``auto_headers``) and, when they mark it as
sent by a machine on its own, what marks it (``auto_submitted``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.orm import Session

from models.base import utcnow
from models.errors import UserFacingError
from models.schema import ImportRun, Interaction
from services.conversations.formats import FORMATS, read_conversations
from services.conversations.formats._common import decode
from services.conversations.formats.headers import date_in
from services.conversations.formats.plain_text import looks_like_transcript
from services.conversations.formats.social import columns_of, looks_like_mentions
from services.conversations.matching import HOW_WORDS, Directory, Match
from services.conversations.model import Conversation, Person
from services.conversations.reading import Reading, read_offline
from services.conversations.stored import turn_marks
from services.core.output_files import display_path
from services.importing.transaction import import_transaction
from services.importing.types import (
    FilePreview,
    FileReport,
    ImportCancelled,
    KindCounts,
    RejectedRow,
)
from services.settings.views import ListenSettings, MailSettings, OutreachSettings

CONVERSATIONS_KIND = "conversations"
# Each format as an import's detected format names it (the history, the report).
FORMAT_NAMES = {
    "webvtt": "WebVTT transcript",
    "srt": "SRT transcript",
    "gong": "Gong calls",
    "text": "Text transcript",
    "intercom": "Intercom chats",
    "zendesk_chat": "Zendesk Chat",
    "eml": "Email (.eml)",
    "mbox": "Mailbox (.mbox)",
    "social_csv": "Social mentions",
}
SOURCE = "conversations"
TEXT_LIMIT = 20_000
_EXTENSIONS = frozenset(ext for f in FORMATS for ext in f.extensions)
_ALWAYS = frozenset({".vtt", ".srt", ".eml", ".mbox"})
# The largest JSON file looked into to tell a conversation export (larger: not one).
JSON_SNIFF_LIMIT = 200_000_000
# How many unmatched conversations the report names (the count is always given).
LISTED = 20
# How many files dated by their last change the report names.
NAMED_FILES = 3

ProgressFn = Callable[[float, str], None]
CancelledFn = Callable[[], bool]


def _head(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            return decode(handle.read(65_536)).lstrip("\ufeff")
    except OSError:
        return ""


def sniff(path: Path) -> bool:
    """Whether ``path`` is a conversation file, or a folder holding some (a table, even a
    .txt or .csv one, is not: it is imported as rows)."""
    if path.is_dir():
        return any(sniff(p) for p in _candidates(path))
    suffix = path.suffix.lower()
    if suffix in _ALWAYS:
        return True
    if suffix == ".json":
        return _conversation_json(path)
    if suffix == ".txt":
        head = _head(path)
        if head.lstrip()[:1] in ("{", "["):  # JSON lines (a usage export), not speech
            return False
        # As a person would: speaker lines (two of two people do), never a table.
        return "-->" in head[:4_000] or looks_like_transcript(head)
    if suffix == ".csv":
        head = _head(path)
        first = head.split("\n", 1)[0].lower()
        return looks_like_mentions(head) and {"author", "text"} <= set(columns_of(first.split(",")))
    return False


def _conversation_json(path: Path) -> bool:
    """Whether a JSON file is a Gong, Intercom or Zendesk Chat export (product-usage JSON
    and other files are not)."""
    from services.conversations.formats.chats import is_intercom, is_zendesk_chat
    from services.conversations.formats.gong import is_gong
    from services.core.safe_read import BadFile, read_json

    if not path.is_file():
        return False
    try:
        data = read_json(path, JSON_SNIFF_LIMIT, 48)
    except (BadFile, OSError, ValueError):
        return False
    return is_gong(data) or is_intercom(data) or is_zendesk_chat(data)


def _candidates(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in _EXTENSIONS)


def _files(path: Path) -> list[Path]:
    """The conversation files of ``path``: itself, or a folder's files that hold
    conversations (an orders table beside them is not one)."""
    if not path.is_dir():
        return [path]
    return [p for p in _candidates(path) if sniff(p)]


@dataclass
class Tally:
    """What one import found."""

    read: int = 0
    stored: int = 0
    unchanged: int = 0
    undated: int = 0
    unmatched: list[str] = field(default_factory=list)
    skipped: list[RejectedRow] = field(default_factory=list)
    by_how: dict[str, int] = field(default_factory=dict)
    dated_by: dict[str, int] = field(default_factory=dict)  # how the undated were dated
    changed_files: list[str] = field(default_factory=list)  # dated by their last change


def _kind(conversation: Conversation, directory: Directory) -> str:
    if conversation.kind == "email":
        sender = conversation.sender
        internal: set[str] = set()
        return (
            "email_sent"
            if sender is not None and directory.is_ours(sender, internal)
            else "email_received"
        )
    return conversation.kind


def _key(conversation: Conversation) -> str:
    key = conversation.key
    return key if len(key) <= 255 else "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def _person_dict(person: Person) -> dict[str, str]:
    return {"name": person.name, "email": person.email}


def reading_attributes(reading: Reading) -> dict[str, Any]:
    """What was read out of a conversation, as the interaction's attributes keep it."""
    return {
        "summary": list(reading.summary),
        "summary_method": reading.method,
        "summary_note": reading.method_note,
        "actions": [
            {"who": _person_dict(a.who), "what": a.what,
             "by": a.by.isoformat() if a.by else None, "anchor": a.anchor}
            for a in reading.actions
        ],
        "risks": [
            {"kind": r.kind, "label": r.label, "quote": r.quote, "who": _person_dict(r.who),
             "anchor": r.anchor, **({"name": r.name} if r.name else {})}
            for r in reading.risks
        ],
        "topics": [
            {"topic": t.topic, "label": t.label, "sentiment": round(t.sentiment, 3),
             "sentences": t.sentences}
            for t in reading.topics
        ],
    }  # fmt: skip


def _text(conversation: Conversation) -> str:
    lines = [
        f"{turn.speaker.name or turn.speaker.email or 'Unknown'}: {turn.text}"
        if turn.speaker.name or turn.speaker.email
        else turn.text
        for turn in conversation.turns
    ]
    text = "\n".join(lines)
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"


def _row(
    conversation: Conversation, match: Match, kind: str, reading: Reading, run_id: int,
    theirs: frozenset[Person],
) -> dict[str, Any]:  # fmt: skip
    assert conversation.started_at is not None
    attributes = {
        "file": conversation.file,
        "format": conversation.source,
        "matched": HOW_WORDS[match.how],
        "with": _person_dict(match.person),
        **({"link": conversation.link} if conversation.link else {}),
        **_email_attributes(conversation),
        **reading_attributes(reading),
        # Each turn's speaker, place, side and length: the text splits back into turns.
        "turns": turn_marks(conversation, theirs.__contains__),
    }
    return {
        "customer_id": match.customer_id,
        "contact_id": match.contact_id,
        "kind": kind,
        "occurred_at": conversation.started_at.astimezone(dt.UTC).replace(tzinfo=None),
        "channel": conversation.source,
        "subject": conversation.title[:1_000] or None,
        "text": _text(conversation),
        "sentiment": reading.customer_sentiment,
        "source": SOURCE,
        "external_id": _key(conversation),
        "attributes": attributes,
        "import_run_id": run_id,
    }


def _email_attributes(conversation: Conversation) -> dict[str, Any]:
    """An email's thread and sender, so that a reply can be traced to the email it answers
    (services/replies): its Message-ID, the ids it answers, who sent it and whether a
    machine did on its own."""
    if conversation.kind != "email":
        return {}
    sender = conversation.sender.email if conversation.sender is not None else ""
    auto = conversation.extra.get("auto_submitted", "")
    try:  # the automatic-answer headers as written (services/mail/automatic.py)
        headers = json.loads(conversation.extra.get("auto_headers") or "{}")
    except ValueError:
        headers = {}
    return {
        "message_id": conversation.message_id,
        "replies_to": list(conversation.replies_to),
        "from": sender,
        **({"auto_submitted": auto} if auto else {}),
        **({"auto_headers": headers} if isinstance(headers, dict) and headers else {}),
    }


def _start_run(conn: Connection, path: Path) -> int:
    result = conn.execute(
        insert(ImportRun).values(
            source_path=display_path(path.resolve()),
            file_name=display_path(path.name),
            file_sha256=None,
            detected_format="Conversations",
            kind=CONVERSATIONS_KIND,
            status="running",
            started_at=utcnow(),
            rows_read=0,
            inserted=0,
            updated=0,
            rejected=0,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _stored_keys(session: Session, keys: list[str]) -> set[str]:
    found: set[str] = set()
    i = Interaction.__table__.c
    for start in range(0, len(keys), 500):
        part = keys[start : start + 500]
        found.update(
            session.scalars(
                select(i.external_id).where(i.source == SOURCE, i.external_id.in_(part))
            )
        )
    return found


_NAME_DATE = re.compile(r"(?<!\d)(20\d{2})-?(0[1-9]|1[0-2])-?(0[1-9]|[12]\d|3[01])(?!\d)")
_KIND_WORDS = {"social": "social mention", "email": "email"}
BY_NAME = "the date in its file name"
BY_CHANGE = "the file's last change"


def file_date(file: Path) -> tuple[dt.datetime, str] | None:
    """When a recording whose transcript holds no date took place: the date in its file
    name (Zoom's "GMT20261112-150012_Recording.transcript.vtt", "2026-11-12 call.txt",
    "Acme call - Nov 12, 2026.txt"), else the file's last change; with how it was found
    (``BY_NAME`` or ``BY_CHANGE``)."""
    found = _NAME_DATE.search(file.name)
    day: dt.datetime | None = None
    if found is not None:
        try:
            day = dt.datetime(int(found[1]), int(found[2]), int(found[3]), 12, tzinfo=dt.UTC)
        except ValueError:
            day = None
    day = day or date_in(file.stem)
    if day is not None:
        return day, BY_NAME
    try:
        changed = file.stat().st_mtime
    except OSError:
        return None
    return dt.datetime.fromtimestamp(changed, dt.UTC), BY_CHANGE


def _dated(conversations: list[Conversation], file: Path, tally: Tally) -> list[Conversation]:
    """Conversations without a date of their own (their content gives none) take their
    file's (file_date), said in the notes."""
    if all(c.started_at is not None for c in conversations):
        return conversations
    when = file_date(file)
    if when is None:
        return conversations
    out = []
    for conversation in conversations:
        if conversation.started_at is None:
            conversation = replace(conversation, started_at=when[0])
            tally.dated_by[when[1]] = tally.dated_by.get(when[1], 0) + 1
            if when[1] == BY_CHANGE and file.name not in tally.changed_files:
                tally.changed_files.append(file.name)
        out.append(conversation)
    return out


def _read_all(
    path: Path, tally: Tally, progress: ProgressFn, cancelled: CancelledFn | None
) -> list[Conversation]:
    conversations: list[Conversation] = []
    files = _files(path)
    for n, file in enumerate(files):
        progress(0.5 * n / max(len(files), 1), f"reading {file.name}")
        try:
            found, skipped = read_conversations(file, cancelled=cancelled)
        except UserFacingError as exc:
            if len(files) == 1:
                raise
            tally.skipped.append(RejectedRow(file.name, 0, str(exc)))
            continue
        conversations.extend(_dated(found, file, tally))
        tally.skipped.extend(
            RejectedRow(s.file, _line(s.where), s.reason + (f" ({s.where})" if s.where else ""))
            for s in skipped
        )
    return conversations


def _line(where: str) -> int:
    digits = "".join(ch for ch in where if ch.isdigit())
    return int(digits) if where.startswith("line") and digits else 0


def import_conversations(
    engine: Engine,
    path: Path,
    *,
    dry_run: bool = False,
    progress: ProgressFn,
    cancelled: CancelledFn | None = None,
) -> FileReport:
    """Import one conversation file or folder (module docstring)."""
    tally = Tally()
    progress(0.0, f"reading {path.name}")
    try:
        conversations = _read_all(path, tally, progress, cancelled)
    except UserFacingError as exc:
        return _failed(path, str(exc), tally)
    tally.read = len(conversations)
    if not conversations:
        why = tally.skipped[0].reason if tally.skipped else "it holds no conversation"
        return _failed(path, f"nothing could be read from {path.name}: {why}", tally)
    with import_transaction(engine, commit=not dry_run) as session:
        conn = session.connection()
        settings = OutreachSettings.read(session)
        mail = MailSettings.read(session)
        directory = Directory(session, team_domains=settings.team_domains, ours=_ours(mail))
        competitors = tuple(ListenSettings.read(session).competitors)
        stored = _stored_keys(session, [_key(c) for c in conversations])
        run_id = _start_run(conn, path)
        rows = _matched_rows(
            conversations, directory, competitors, stored, run_id, tally, progress, cancelled
        )
        if rows:
            session.execute(insert(Interaction), rows)
        notes = _notes(tally)
        conn.execute(
            update(ImportRun)
            .where(ImportRun.id == run_id)
            .values(
                status="landed",
                finished_at=utcnow(),
                rows_read=tally.read,
                inserted=tally.stored,
                updated=0,
                rejected=len(tally.skipped) + len(tally.unmatched) + tally.undated,
                detected_format=_format_name(conversations),
                report={"notes": notes},
            )
        )
    return FileReport(
        file=path.name,
        detected_format=_format_name(conversations),
        run_id=None if dry_run else run_id,
        landed=True,
        rows_read=tally.read,
        inserted=tally.stored,
        updated=0,
        unchanged=tally.unchanged,
        rejected=len(tally.skipped),
        rejects=tuple(tally.skipped),
        notes=tuple(notes),
        error=None,
        kind=CONVERSATIONS_KIND,
        by_kind=(KindCounts(CONVERSATIONS_KIND, tally.stored, 0, tally.unchanged),),
    )


def _format_name(conversations: list[Conversation]) -> str:
    formats = sorted({c.source for c in conversations})
    if len(formats) == 1:
        return FORMAT_NAMES.get(formats[0], formats[0])
    return "Conversations"


def _ours(mail: MailSettings) -> tuple[str, ...]:
    """Our own addresses: the user's (File ▸ Who I am…) and the mail server's From."""
    from services.core.profile import current_actor

    actor = current_actor()
    own = actor[actor.find("<") + 1 : actor.find(">")] if "<" in actor and ">" in actor else ""
    return tuple(a for a in (own, mail.from_address) if a)


def _matched_rows(
    conversations: list[Conversation],
    directory: Directory,
    competitors: tuple[str, ...],
    stored: set[str],
    run_id: int,
    tally: Tally,
    progress: ProgressFn,
    cancelled: CancelledFn | None,
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for n, conversation in enumerate(conversations):
        if cancelled is not None and cancelled():
            raise ImportCancelled("Import cancelled; no conversation was saved.")
        if n % 50 == 0:
            progress(
                0.5 + 0.45 * n / len(conversations), f"matching {n:,} of {len(conversations):,}"
            )
        key = _key(conversation)
        if key in stored or key in seen:
            tally.unchanged += 1
            continue
        seen.add(key)
        if conversation.started_at is None:
            tally.undated += 1
            continue
        match = directory.match(conversation)
        if match is None:
            tally.unmatched.append(_unmatched_words(conversation, directory))
            continue
        theirs = directory.customer_side(conversation, match)
        reading = read_offline(conversation, theirs.__contains__, competitors)
        kind = _kind(conversation, directory)
        rows.append(_row(conversation, match, kind, reading, run_id, theirs))
        tally.stored += 1
        tally.by_how[match.how] = tally.by_how.get(match.how, 0) + 1
    return rows


def _unmatched_words(conversation: Conversation, directory: Directory) -> str:
    people = directory.theirs(conversation)
    named = ", ".join(p.email or p.name for p in people[:3]) or "no one on their side"
    when = f" of {conversation.started_at:%b %d, %Y}" if conversation.started_at else ""
    title = f" \u201c{conversation.title}\u201d" if conversation.title else ""
    kind = _KIND_WORDS.get(conversation.kind, conversation.kind)
    return f"the {kind}{title}{when} with {named}"


def _notes(tally: Tally) -> list[str]:
    notes = []
    if tally.by_how:
        how = ", ".join(f"{n:,} {HOW_WORDS[k]}" for k, n in sorted(tally.by_how.items()))
        notes.append(f"{tally.stored:,} conversation(s) matched to their account: {how}")
    if tally.unmatched:
        notes.append(
            f"{len(tally.unmatched):,} conversation(s) matched no account and were not saved "
            "(import the people's accounts or contacts first, or add the person in the "
            "customer pane's People tab):"
        )
        notes.extend(f"  {line}" for line in tally.unmatched[:LISTED])
        if len(tally.unmatched) > LISTED:
            notes.append(f"  … and {len(tally.unmatched) - LISTED:,} more")
    for how, count in sorted(tally.dated_by.items()):
        if how == BY_CHANGE:
            notes.append(_changed_words(count, tally.changed_files))
        else:
            notes.append(f"{count:,} conversation(s) held no date: dated by {how}")
    if tally.undated:
        notes.append(f"{tally.undated:,} conversation(s) had no date and were not saved")
    if tally.unchanged:
        notes.append(f"{tally.unchanged:,} conversation(s) were already in the workspace")
    return notes


def _changed_words(count: int, files: list[str]) -> str:
    named = ", ".join(files[:NAMED_FILES])
    if len(files) > NAMED_FILES:
        named += f" and {len(files) - NAMED_FILES:,} more"
    return (
        f"{count:,} conversation(s) held no date, neither in the file nor in its name "
        f"({named}): dated by the file's last change, which may not be the day it took "
        "place. A line such as “Date: 2026-11-20” at the top of a text transcript, or the "
        "date in the file's name, gives its own day."
    )


def _failed(path: Path, message: str, tally: Tally) -> FileReport:
    return FileReport(
        file=path.name,
        detected_format=CONVERSATIONS_KIND,
        run_id=None,
        landed=False,
        rows_read=tally.read,
        inserted=0,
        updated=0,
        unchanged=0,
        rejected=len(tally.skipped),
        rejects=tuple(tally.skipped),
        notes=(),
        error=message,
        kind=CONVERSATIONS_KIND,
    )


PREVIEW_HEADER = ("When", "Kind", "Title", "People")


def preview_conversations(path: Path) -> FilePreview:
    """What the window's import preview shows of a conversation file or folder: its
    conversations' first rows (a mailbox is counted, not read: it may hold thousands)."""
    files = _files(path)
    rows: list[tuple[str, ...]] = []
    problems: list[str] = []
    count = 0
    formats: set[str] = set()
    for file in files:
        if file.suffix.lower() == ".mbox":
            messages = _mbox_messages(file)
            count += messages
            formats.add("mbox")
            problems.append(
                f"{file.name} is a mailbox of about {messages:,} emails: they are counted "
                "here, not read; they are read and matched when imported"
            )
            continue
        try:
            found, skipped = read_conversations(file)
        except UserFacingError as exc:
            problems.append(str(exc))
            continue
        count += len(found)
        formats.update(c.source for c in found)
        problems.extend(
            f"{s.file}: {s.reason}" + (f" ({s.where})" if s.where else "") for s in skipped[:5]
        )
        for c in found[: max(0, 20 - len(rows))]:
            when = f"{c.started_at:%Y-%m-%d %H:%M}" if c.started_at else "(the file's date)"
            people = ", ".join(p.name or p.email for p in c.participants[:4])
            rows.append((when, _KIND_WORDS.get(c.kind, c.kind), c.title, people))
    title = next((f.words for f in FORMATS if formats == {f.name}), "Conversations")

    return FilePreview(
        path=str(path),
        file_name=display_path(path.name),
        detected_format=FORMAT_NAMES.get(next(iter(formats)), "Conversations")
        if len(formats) == 1
        else "Conversations",
        format_title=title,
        kind=CONVERSATIONS_KIND,
        kinds=(CONVERSATIONS_KIND,),
        encoding="utf-8",
        delimiter=None,
        header=PREVIEW_HEADER,
        sample_rows=tuple(rows),
        rows_estimate=count,
        needs_mapping=False,
        columns=(),
        profile_name=None,
        problems=tuple(problems[:10]),
    )


def _mbox_messages(file: Path) -> int:
    """How many messages a mailbox holds: its "From " separator lines, counted by bytes."""
    count = 0
    try:
        with file.open("rb") as handle:
            previous = b"\n"  # the first message's separator is the file's first line
            while chunk := handle.read(1 << 20):
                count += (previous[-5:] + chunk).count(b"\nFrom ")
                previous = chunk
    except OSError:
        return 0
    return count
