"""Automatic answers among emails (tests/data/conversations/automatic, whose README gives
the truth): the email reader keeps the headers that tell one (Auto-Submitted, X-Autoreply,
X-Autorespond, X-Auto-Response-Suppress, Precedence) as written, and says what among them
marks the message: Outlook's out-of-office answer, a mailbox's Precedence: auto_reply and a
bulk newsletter are marked; a person's own answer carrying Outlook's
X-Auto-Response-Suppress is not."""

from __future__ import annotations

import json

from services.conversations.formats import read_conversations
from services.mail.automatic import is_automatic_email, marked_by
from tests.support.paths import DATA

FILES = DATA / "conversations" / "automatic"


def _read(name: str) -> tuple[dict[str, str], str, str]:
    [mail], skipped = read_conversations(FILES / name)
    assert skipped == []
    headers = json.loads(mail.extra.get("auto_headers", "{}"))
    return headers, mail.extra.get("auto_submitted", ""), mail.title


def test_outlooks_out_of_office_answer_is_marked_by_its_headers() -> None:
    headers, marker, title = _read("outlook_auto_reply.eml")
    assert headers == {"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"}
    assert marker == "auto-submitted: auto-replied"
    assert title == "Automatic reply: Your order 1042"


def test_precedence_auto_reply_and_bulk_are_marked() -> None:
    headers, marker, title = _read("precedence_reply.eml")
    assert (headers, marker) == ({"Precedence": "auto_reply"}, "precedence: auto_reply")
    # Only the header tells it: a reply's subject, a sentence a person could write.
    assert not is_automatic_email(title, "Your message has been received.")
    assert is_automatic_email(title, "", headers)
    assert _read("bulk_newsletter.eml")[:2] == ({"Precedence": "bulk"}, "precedence: bulk")


def test_a_persons_answer_with_outlooks_suppress_header_is_not_marked() -> None:
    headers, marker, title = _read("person_reply.eml")
    assert (headers, marker) == ({"X-Auto-Response-Suppress": "All"}, "")
    assert not is_automatic_email(title, "Hi Fern, the sizes are right", headers)
    # The same header with an automatic answer's subject marks it.
    assert marked_by(headers, "Automatic reply: Your order 1042") == (
        "x-auto-response-suppress: all"
    )
    assert marked_by({"Auto-Submitted": "no", "X-Autoreply": "yes"}) == "x-autoreply"
    assert marked_by({"Auto-Submitted": "No"}) == ""
