"""What every reader of a conversation file shares: decoding text the way the app decodes
a table (UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252), HTML made plain
text without fetching anything, times read as UTC, stable keys, and people's addresses.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import html
import math
import re
from html.parser import HTMLParser
from typing import Any

from services.conversations.model import Person

# Elements whose words are never the message: styles, scripts, the page's head, and the
# quoted earlier messages of a reply (Gmail's, Outlook's and Apple Mail's quote blocks).
_HIDDEN = {"style", "script", "head", "title", "blockquote", "template"}
_QUOTE_CLASSES = ("gmail_quote", "gmail_attr", "moz-cite-prefix", "yahoo_quoted")
_BLOCKS = {
    "p",
    "div",
    "br",
    "li",
    "tr",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "hr",
    "pre",
    "section",
    "article",
}
_VOID = {"br", "hr", "img", "meta", "link", "input", "wbr", "col", "area", "base", "source"}


class _TextOnly(HTMLParser):
    """Collects the visible text of an HTML fragment; a block element starts a new line.
    Nothing is fetched or run: images, links and scripts are only tags here."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._stack: list[bool] = []  # for each open element: does it hide its text?

    def _hidden(self) -> bool:
        return any(self._stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n")
        if tag in _VOID:
            return
        classes = " ".join(value or "" for name, value in attrs if name == "class")
        hides = tag in _HIDDEN or any(name in classes for name in _QUOTE_CLASSES)
        self._stack.append(hides)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        if self._stack:
            self._stack.pop()
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden():
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """The visible words of ``markup``, one paragraph a line, entities decoded; quoted
    earlier messages and styles left out. Never fetches anything."""
    parser = _TextOnly()
    try:
        parser.feed(markup)
        parser.close()
    except (AssertionError, ValueError):  # a malformed declaration: keep what was read
        pass
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def unescape(text: str) -> str:
    """``text`` with HTML entities (&amp;, &nbsp;) made characters."""
    return html.unescape(text).replace("\xa0", " ")


def looks_binary(data: bytes) -> bool:
    """True for bytes no text editor would show as text: NUL bytes without a UTF-16 mark,
    or mostly control characters."""
    sample = data[:8192]
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if b"\x00" in sample:
        return True
    controls = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 12, 13, 27))
    return controls > len(sample) // 20


def decode(data: bytes) -> str:
    """The text of ``data`` as the app reads text files: UTF-8 (a BOM is fine), UTF-16 with
    its BOM, else Windows-1252 (a byte it leaves undefined becomes U+FFFD)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def stable_key(source: str, file: str, index: int, content: str) -> str:
    """A key that is the same each time the same file is read: a hash of the file's name,
    the conversation's place in it and its words."""
    digest = hashlib.sha256(f"{file}\0{index}\0{content}".encode("utf-8", "replace"))
    return f"{source}:{digest.hexdigest()[:24]}"


def clock(seconds: float) -> str:
    """``seconds`` from the start of a recording as "hh:mm:ss" (00:12:31)."""
    whole = max(0, int(seconds)) if math.isfinite(seconds) else 0
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def utc(moment: dt.datetime) -> dt.datetime:
    """``moment`` in UTC; a moment without a zone is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


# Epoch numbers past this are milliseconds (the year 2286 in seconds).
_MILLISECONDS_FROM = 10_000_000_000


def parse_time(value: object) -> dt.datetime | None:
    """A moment in UTC from what exports write: an epoch number (seconds or milliseconds)
    or ISO 8601 text ("2026-03-04T10:00:00Z", "2026-03-04 10:00"); None when it is none."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        if isinstance(value, int | float):
            seconds = value / 1000 if abs(value) >= _MILLISECONDS_FROM else value
            return dt.datetime.fromtimestamp(seconds, dt.UTC)
        if isinstance(value, str) and value.strip():
            text = value.strip()
            if re.fullmatch(r"\d{9,13}(\.\d+)?", text):
                return parse_time(float(text))
            return utc(dt.datetime.fromisoformat(text.replace("Z", "+00:00")))
    except (ValueError, OverflowError, OSError):
        return None
    return None


def person(name: object, email: object = "") -> Person:
    """A Person from an export's values: the name as written, the address in lower case."""
    return Person(
        name=" ".join(str(name).split()) if isinstance(name, str) else "",
        email=str(email).strip().lower() if isinstance(email, str) else "",
    )


def distinct(people: list[Person]) -> tuple[Person, ...]:
    """``people`` in order with each one once (the same address, or the same name when
    neither has an address) and nobody who is neither named nor addressed."""
    seen: set[str] = set()
    out: list[Person] = []
    for who in people:
        mark = who.email or f"name:{who.name}"
        if mark in seen or not (who.name or who.email):
            continue
        seen.add(mark)
        out.append(who)
    return tuple(out)


def text_of(value: object) -> str:
    """``value`` as text when it is text, else "" (exports put null where text would be)."""
    return value if isinstance(value, str) else ""


def tables(value: object) -> list[dict[str, Any]]:
    """The tables (JSON objects) in ``value`` when it is a list, else none."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
