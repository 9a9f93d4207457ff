"""What a reply to one of the app's emails is: defined here once, for every surface.

An email counts as sent when its outreach row is an email sent or exported (not a
holdout: the held-out get none). An imported email from the customer's side
(``email_received``) answers it when

1. it names the email's Message-ID in In-Reply-To or References (the app writes ids that
   can be worked out again from the outreach row: services/mail/ids.py), at any time
   after sending; else
2. it comes from the email's recipient, or from someone at the same customer, with the
   email's subject behind "Re:" (or AW:, SV:, any case, with the whitespace evened out),
   within REPLY_DAYS days of sending: for emails sent before the app wrote its own ids,
   and for mail programs that write ids of their own.

An automatic answer is not a reply: it is counted apart. What makes an email automatic
(Auto-Submitted other than "no", X-Autoreply, X-Autorespond, Precedence auto_reply, bulk or
junk, X-Auto-Response-Suppress with an automatic subject, or a subject or text opening "Out
of office", "Automatic reply", "Auto-reply") is services/mail/automatic.py's, the same the
people's signals use. When
several emails could be the one answered, it is the latest sent before the answer.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from services.mail.automatic import AUTOMATIC_SUBJECT, is_automatic_email
from services.mail.ids import outreach_tag, tag_of

REPLY_DAYS = 30
# "Re:", "RE:", "Aw:", "SV:", "Re[2]:", "Re :"; repeated ("Re: AW: ...").
_PREFIX = re.compile(r"^\s*(?:re|aw|sv)\s*(?:\[\d+\])?\s*:\s*", re.IGNORECASE)
DEFINITIONS: tuple[tuple[str, str], ...] = (
    (
        "Email sent",
        "an email the app sent, or handed to a mail program and was told was sent, to a "
        "customer in the period (the held-out get none).",
    ),
    (
        "Reply",
        "an imported email from the customer that names the app's email in its thread "
        "(In-Reply-To or References); else one from the email's recipient, or someone at "
        "the same customer, whose subject is the email's behind Re:, AW: or SV:, within "
        f"{REPLY_DAYS} days of sending. Replies count once the customer's emails are "
        "imported (Import ▸ an .eml folder or an .mbox).",
    ),
    (
        "Automatic reply",
        "an out-of-office or other answer a mail program sent on its own (marked so in its "
        "headers: Auto-Submitted, X-Autoreply, Precedence bulk or auto_reply, Outlook's "
        "X-Auto-Response-Suppress with an automatic subject; or titled \u201cOut of "
        "office\u201d or \u201cAutomatic reply\u201d): counted apart, never as a reply.",
    ),
    (
        "Reply rate",
        "replied / sent, with its 95 % interval (Wilson's): the range the rate is likely "
        "in, given so few emails. Fewer than 10 sent: too few to compare. A group is named "
        "best only when its interval clears every other's.",
    ),
    (
        "Time to reply",
        "from sending to the first reply. Median: half the replies came sooner.",
    ),
)


@dataclass(frozen=True)
class Sent:
    """One email the app sent, as its outreach row keeps it (times naive UTC)."""

    outreach_id: int
    customer_id: int
    recipient: str
    subject: str
    body: str
    sent_at: dt.datetime

    @property
    def tag(self) -> str:
        """The tag of the Message-ID the app wrote on it."""
        return outreach_tag(self.recipient, self.subject, self.body)


@dataclass(frozen=True)
class Received:
    """One imported email from the customer's side."""

    interaction_id: int
    customer_id: int
    sender: str  # lower case
    subject: str
    text: str
    at: dt.datetime  # naive UTC
    replies_to: tuple[str, ...] = ()
    auto_submitted: str = ""  # what the importer found marking it (services/mail/automatic.py)
    # The automatic-answer headers the importer kept, as (name, value) pairs.
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Answer:
    """An email answered: by which received email, how it was found, and whether a machine
    sent it."""

    outreach_id: int
    interaction_id: int
    at: dt.datetime
    how: str  # "thread" (its Message-ID) or "subject"
    automatic: bool


def bare_subject(subject: str) -> str:
    """The subject without its reply prefixes, whitespace evened out, in lower case."""
    text = " ".join((subject or "").split())
    while True:
        stripped = _PREFIX.sub("", text, count=1)
        if stripped == text:
            return text.casefold()
        text = stripped


def _without_automatic(subject: str) -> str:
    text = " ".join((subject or "").split())
    found = AUTOMATIC_SUBJECT.match(text)
    return text[found.end() :].lstrip(" :-") if found else text


def is_reply_subject(subject: str, original: str) -> bool:
    """Whether ``subject`` is ``original`` behind at least one reply prefix (an automatic
    answer's "Automatic reply:" before it allowed)."""
    text = _without_automatic(subject)
    if not _PREFIX.match(text):
        return False
    return bare_subject(text) == bare_subject(original) != ""


def is_automatic(received: Received) -> bool:
    """Whether a mail program sent it on its own (an out-of-office answer): by its headers,
    else its subject or the opening of its text (services/mail/automatic.py)."""
    return is_automatic_email(
        received.subject, received.text, received.headers, received.auto_submitted
    )


def _address(value: str) -> str:
    _shown, address = email.utils.parseaddr(value or "")
    return (address or value or "").strip().lower()


def _latest_before(candidates: Iterable[Sent], at: dt.datetime) -> Sent | None:
    before = [s for s in candidates if s.sent_at <= at]
    return max(before, key=lambda s: (s.sent_at, s.outreach_id)) if before else None


def find_answers(sent: Sequence[Sent], received: Sequence[Received]) -> list[Answer]:
    """Every received email that answers one of ``sent``, as defined above (each received
    email answers at most one)."""
    by_tag: dict[str, list[Sent]] = {}
    by_customer: dict[int, list[Sent]] = {}
    by_address: dict[str, list[Sent]] = {}
    for one in sent:
        by_tag.setdefault(one.tag, []).append(one)
        by_customer.setdefault(one.customer_id, []).append(one)
        by_address.setdefault(_address(one.recipient), []).append(one)
    answers: list[Answer] = []
    for mail in received:
        automatic = is_automatic(mail)
        tags = [t for t in (tag_of(i) for i in mail.replies_to) if t is not None]
        threaded = [s for t in tags for s in by_tag.get(t, ())]
        hit = _latest_before(threaded, mail.at)
        how = "thread"
        if hit is None:
            how = "subject"
            window = dt.timedelta(days=REPLY_DAYS)
            hit = _latest_before(
                (
                    s
                    for s in by_customer.get(mail.customer_id, ())
                    if mail.at - s.sent_at <= window and is_reply_subject(mail.subject, s.subject)
                ),
                mail.at,
            )
            # The recipient's own address stands even when the import matched the sender
            # to another account (a consultant, a shared mailbox).
            if hit is None and mail.sender:
                hit = _latest_before(
                    (
                        s
                        for s in by_address.get(mail.sender, ())
                        if mail.at - s.sent_at <= window
                        and is_reply_subject(mail.subject, s.subject)
                    ),
                    mail.at,
                )
        if hit is not None:
            answers.append(Answer(hit.outreach_id, mail.interaction_id, mail.at, how, automatic))
    return answers
