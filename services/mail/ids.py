"""The Message-ID the app writes on its own emails, so that a reply can be traced back to
the email it answers without keeping the id anywhere.

The id is ``<ar.{tag}.{nonce}@{domain}>``: ``tag`` is a short hash of the recipient's
address, the subject and the text, exactly what the outreach log keeps of the email, so
the tag of any recorded email can be worked out again from its outreach row; ``nonce``
keeps two identical emails' ids apart (mail services drop a second message with an id
they have seen). A reply's In-Reply-To or References naming an id of this shape names
the email with that tag (services/replies/definition.py).
"""

from __future__ import annotations

import email.utils
import hashlib
import re
import secrets

PREFIX = "ar."
TAG_LENGTH = 16
_OURS = re.compile(r"^ar\.([0-9a-f]{16})\.[0-9a-z]+@", re.IGNORECASE)


def _address(recipient: str) -> str:
    _shown, address = email.utils.parseaddr(recipient or "")
    return (address or recipient or "").strip().lower()


def outreach_tag(recipient: str | None, subject: str | None, body: str | None) -> str:
    """The tag of an email to ``recipient`` with this subject and text: the same for the
    email as built and for its outreach row (whitespace in the subject and line ends in
    the text do not count)."""
    text = (body or "").replace("\r\n", "\n").strip()
    words = " ".join((subject or "").split())
    data = "\x1f".join((_address(recipient or ""), words, text)).encode("utf-8")
    return hashlib.sha256(data).hexdigest()[:TAG_LENGTH]


def outreach_message_id(
    recipient: str | None, subject: str | None, body: str | None, domain: str | None
) -> str:
    """A fresh Message-ID carrying the email's tag (``domain``: the sender's, else a
    name that is nobody's)."""
    nonce = secrets.token_hex(6)
    where = (domain or "").strip() or "account-radar.invalid"
    return f"<{PREFIX}{outreach_tag(recipient, subject, body)}.{nonce}@{where}>"


def tag_of(message_id: str) -> str | None:
    """The tag an id of the app's own carries (with or without the angle brackets);
    None for anyone else's id."""
    found = _OURS.match(message_id.strip().strip("<>"))
    return found.group(1).lower() if found else None
