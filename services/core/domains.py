"""Domain names as a browser reads them, and the team's own domains (the setting
``outreach.team_domains``): shared by the draft checks and the settings that declare it."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote, urlsplit

# Dots a browser treats as dots: ideographic, full-width and half-width.
# Full-width and ideographic dots a browser reads as ".".
DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})


def ascii_host(name: str) -> str:
    """A host name as a browser reads it: percent-escapes decoded, full-width letters and
    dots folded, lower case, no trailing dot, each label in IDNA (punycode) form. A name
    the IDNA codec refuses is returned as it is (it is then never a team domain)."""
    text = unicodedata.normalize("NFKC", unquote(name)).translate(DOTS).strip().lower()
    text = text.strip(".")
    if text.startswith("[") or text.isascii():
        return text
    if any(ch in text for ch in "ßς"):
        # Browsers keep these letters (IDNA 2008) where Python's codec maps them to "ss"
        # and "σ": no ASCII form here could be trusted to be the one a browser opens.
        return text
    try:
        return text.encode("idna").decode("ascii")
    except UnicodeError:
        return text


def team_domain(entry: str) -> str | None:
    """One entry of the setting as the domain it names ("https://www.Example.com/" ->
    "example.com", "*.example.com" -> "example.com", "@example.com" -> "example.com"),
    or None when it names no domain."""
    text = entry.strip()
    if "://" in text:
        text = urlsplit(text).hostname or ""
    text = text.split("/", 1)[0].lstrip("*.@").rsplit("@", 1)[-1]
    if text.lower().startswith("www."):
        text = text[4:]
    host = ascii_host(text)
    if not host or not re.fullmatch(r"[a-z0-9\-]+(?:\.[a-z0-9\-]+)+", host):
        return None
    return host


def team_domains_problem(value: object) -> str | None:
    """What is wrong with a value of ``outreach.team_domains`` (None when fine)."""
    if not isinstance(value, list):
        return "list the domains, e.g. example.com, shop.example.com"
    for entry in value:
        if not isinstance(entry, str) or team_domain(entry) is None:
            return f"{entry!r} is not a domain name (write it like example.com)"
    return None
