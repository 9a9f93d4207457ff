"""Whether an email was sent by a mail program on its own (an out-of-office answer, a
bounce, a bulk mailing): defined here once, for the replies (services/replies/definition.py)
and for the people's signals (services/people/signals.py), which count neither as a person
answering.

An email is automatic when one of its headers says so:

- ``Auto-Submitted`` with any value but "no" (RFC 3834: "auto-replied", "auto-generated");
- ``X-Autoreply`` or ``X-Autorespond``, whatever their value (older mailers);
- ``Precedence: auto_reply``, ``bulk`` or ``junk``;
- ``X-Auto-Response-Suppress`` (Outlook and Exchange write it on their automatic replies,
  but also on some mail a person sends) together with an automatic subject;

or, without such headers, when its subject opens as an automatic answer does ("Out of
office", "Automatic reply", "Auto-reply", and the same in German, French and Spanish) or
its text opens "I am out of the office".

The email importer keeps these headers as written (``AUTOMATIC_HEADERS``) and what marks
the message (``marked_by``) with the stored email, so that every reader judges it alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

# The headers an email's importer keeps, as their names are usually written.
AUTOMATIC_HEADERS = (
    "Auto-Submitted",
    "X-Autoreply",
    "X-Autorespond",
    "X-Auto-Response-Suppress",
    "Precedence",
)
AUTOMATIC_PRECEDENCE = ("auto_reply", "bulk", "junk")
AUTOMATIC_SUBJECT = re.compile(
    r"^\s*(?:out of (?:the )?office|automatic reply|auto[- ]?reply|autoreply|"
    r"automatische antwort|abwesenheitsnotiz|réponse automatique|respuesta automática)\b",
    re.IGNORECASE,
)
AUTOMATIC_TEXT = re.compile(
    r"^\s*(?:i am|i'm|i will be)?\s*(?:currently\s+)?out of (?:the )?office\b", re.IGNORECASE
)


def _lowered(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    return {str(k).strip().lower(): " ".join(str(v).split()).lower() for k, v in pairs}


def automatic_subject(subject: str) -> bool:
    """Whether a subject opens as an automatic answer's does ("Automatic reply: …")."""
    return AUTOMATIC_SUBJECT.match(" ".join((subject or "").split())) is not None


def automatic_text(text: str) -> bool:
    """Whether an email's text (after a "Speaker:" label) opens "I am out of the office"."""
    text = text or ""
    words = text.split(":", 1)[-1] if ":" in text[:80] else text
    return AUTOMATIC_TEXT.match(words) is not None


def marked_by(headers: Mapping[str, str] | Iterable[tuple[str, str]], subject: str = "") -> str:
    """What among an email's headers marks it as automatic, in lower case
    ("auto-submitted: auto-replied", "x-autoreply", "precedence: bulk",
    "x-auto-response-suppress: all"); "" when none does."""
    found = _lowered(headers)
    submitted = found.get("auto-submitted", "")
    if submitted and submitted != "no":
        return f"auto-submitted: {submitted}"
    for name in ("x-autoreply", "x-autorespond"):
        if name in found:
            return name
    precedence = found.get("precedence", "")
    if precedence in AUTOMATIC_PRECEDENCE:
        return f"precedence: {precedence}"
    suppress = found.get("x-auto-response-suppress", "")
    if suppress and automatic_subject(subject):
        return f"x-auto-response-suppress: {suppress}"
    return ""


def is_automatic_email(
    subject: str,
    text: str = "",
    headers: Mapping[str, str] | Iterable[tuple[str, str]] = (),
    marker: str = "",
) -> bool:
    """Whether a mail program sent it on its own (module docstring); ``marker``: what the
    importer found marking it (``marked_by``), when it kept that and not the headers."""
    if marker or marked_by(headers, subject):
        return True
    return automatic_subject(subject) or automatic_text(text)
