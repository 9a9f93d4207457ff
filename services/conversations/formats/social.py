"""Social mentions kept as a table (CSV): one mention a row, with who wrote it, when, its
words and its address. Headers are matched without regard to case, under a few common
names each: author / user / handle / name, date / created_at / published, text /
content / message / post, link / url / permalink. Commas, semicolons or tabs separate
the columns (the one the header line uses most).

Every cell is kept as the text it is: a cell such as ``=HYPERLINK(...)`` is words, never
a formula. A row without words is skipped with its line; a date that is not a date
leaves the mention undated.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from services.conversations.formats._common import parse_time, person, stable_key, utc
from services.conversations.model import Conversation, Skipped, Turn

COLUMNS = {
    "author": ("author", "user", "handle", "name", "username", "screen_name"),
    "date": ("date", "created_at", "published", "published_at", "timestamp", "time"),
    "text": ("text", "content", "message", "post", "body"),
    "link": ("link", "url", "permalink"),
}
# What separates the columns of a table kept as text.
DELIMITERS = (",", ";", "\t")
# Dates as people's spreadsheets write them, after ISO 8601 (day first is never guessed).
_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%d %b %Y %H:%M")


def _delimiter(header_line: str) -> str:
    return max(DELIMITERS, key=header_line.count)


def columns_of(header: list[str]) -> dict[str, int]:
    """Which column holds each field ("author", "date", "text", "link") in ``header``."""
    names = [cell.strip().lstrip("\ufeff").lower() for cell in header]
    found: dict[str, int] = {}
    for field, synonyms in COLUMNS.items():
        for synonym in synonyms:
            if synonym in names:
                found[field] = names.index(synonym)
                break
    return found


def looks_like_mentions(text: str) -> bool:
    """True when the first line of ``text`` is a header naming at least the words' column."""
    first = text.lstrip("\ufeff").split("\n", 1)[0].strip("\r")
    if not first:
        return False
    header = next(csv.reader([first], delimiter=_delimiter(first)), [])
    return len(header) >= 2 and "text" in columns_of(header)


def _when(value: str) -> dt.datetime | None:
    moment = parse_time(value)
    if moment is not None:
        return moment
    for form in _DATE_FORMATS:
        try:
            return utc(dt.datetime.strptime(value.strip(), form))
        except ValueError:
            continue
    return None


def _mention(
    row: list[str], where: dict[str, int], file: str, index: int, line: int
) -> Conversation | Skipped | None:
    """The mention in ``row`` (on ``line``), a Skipped when it has no words, None for an
    empty row."""

    def cell(field: str) -> str:
        column = where.get(field)
        return row[column].strip() if column is not None and column < len(row) else ""

    words = cell("text")
    if not words:
        has_any = any(value.strip() for value in row)
        return Skipped(file, f"line {line}", "it has no words in it") if has_any else None
    link, when = cell("link"), _when(cell("date"))
    speaker = person(cell("author"))
    return Conversation(
        kind="social",
        source="social_csv",
        key=f"social_csv:{link}" if link else stable_key("social_csv", file, index, "\t".join(row)),
        started_at=when,
        participants=(speaker,) if speaker.name else (),
        turns=(Turn(speaker=speaker, text=words, at=when, anchor=f"line {line}"),),
        file=file,
        link=link,
    )


def _unreadable(exc: csv.Error) -> str:
    """Why a row is left out, in words: a post too long to keep, or a row that is not one."""
    if "field limit" in str(exc):
        return f"a cell holds more than {csv.field_size_limit():,} characters: left out"
    return f"it is not a table row ({exc})"


def read_mentions(text: str, file: str) -> tuple[list[Conversation], list[Skipped]]:
    """The mentions in a social CSV, one conversation a row."""
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0].strip("\r")
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first))
    header = next(rows, [])
    where = columns_of(header)
    if "text" not in where:
        return [], [Skipped(file, "line 1", "it has no column of words (text, content, post)")]
    conversations: list[Conversation] = []
    skipped: list[Skipped] = []
    ended = rows.line_num  # the row's place is the line it starts on
    index = 0
    while True:
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:  # a cell over the csv module's limit, a stray quote at the end
            skipped.append(Skipped(file, f"line {ended + 1}", _unreadable(exc)))
            if rows.line_num == ended:  # nothing more was read: the end of the file
                break
            ended = rows.line_num
            continue
        index += 1
        line, ended = ended + 1, rows.line_num
        made = _mention(row, where, file, index, line)
        if isinstance(made, Conversation):
            conversations.append(made)
        elif made is not None:
            skipped.append(made)
    return conversations, skipped
