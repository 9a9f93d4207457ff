"""Which account, and which person at it, a conversation was with.

Each conversation's people are split into our side and theirs: our side is everyone whose
address is on one of the team's domains (setting outreach.team_domains) or is one of the
given addresses of ours (the sender set up for email, the user's own), and the people a
vendor marks internal (``Conversation.extra["internal"]``: Gong's Internal parties,
Intercom's admins, Zendesk's agents). An email's side is its sender's: from us, its
recipients are theirs.

Their people are then matched, in this order, the first that settles it:
1. by address: a contact's (models/schema/contacts.py), else a customer's own;
2. by domain: an address on a domain that only one account's people or customer use
   (never a public mail domain such as gmail.com: thousands of accounts share those);
3. by name: a contact's or customer's name, when exactly one has it (transcripts name
   speakers, not addresses).
A conversation whose people match two accounts by the same means, or none, is unmatched:
the import lists it with its people, and stores nothing for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.schema import Contact, Customer
from services.conversations.model import Conversation, Person

# Addresses on these domains are people's own, not a company's: a domain match says nothing.
PUBLIC_DOMAINS = frozenset(
    {
        "gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "outlook.com",
        "hotmail.com", "hotmail.co.uk", "live.com", "msn.com", "icloud.com", "me.com",
        "mac.com", "aol.com", "proton.me", "protonmail.com", "gmx.com", "gmx.de",
        "web.de", "mail.com", "yandex.com", "zoho.com", "fastmail.com", "hey.com",
        "example.com", "example.org", "example.net",
    }
)  # fmt: skip
HOW_WORDS = {"address": "by address", "domain": "by domain", "name": "by name"}


@dataclass(frozen=True)
class Match:
    """The account and person a conversation was with, and how that was found."""

    customer_id: int
    contact_id: int | None
    how: str  # a key of HOW_WORDS
    person: Person


def _domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].lower() if "@" in email else ""


def _name_key(name: str) -> str:
    return " ".join(name.lower().split())


class Directory:
    """The workspace's people by address, domain and name, read once per import."""

    def __init__(
        self, session: Session, *, team_domains: Iterable[str] = (), ours: Iterable[str] = ()
    ) -> None:
        self.team_domains = {d.lower().lstrip("@") for d in team_domains if d}
        self.ours = {a.strip().lower() for a in ours if a and "@" in a}
        self.by_email: dict[str, tuple[int, int | None]] = {}
        self.by_domain: dict[str, set[int]] = {}
        self.by_name: dict[str, set[tuple[int, int | None]]] = {}
        c, cu = Contact.__table__.c, Customer.__table__.c
        for cid, email, name in session.execute(select(cu.id, cu.email_normalized, cu.name)):
            self._add(int(cid), None, email, name)
        for contact_id, cid, email, name in session.execute(
            select(c.id, c.customer_id, c.email_normalized, c.name)
        ):
            self._add(int(cid), int(contact_id), email, name)

    def _add(self, cid: int, contact_id: int | None, email: str | None, name: str | None) -> None:
        if email:
            key = email.strip().lower()
            # A contact's own address names them; the customer's stands for the account.
            if contact_id is not None or key not in self.by_email:
                self.by_email[key] = (cid, contact_id)
            domain = _domain(key)
            if domain and domain not in PUBLIC_DOMAINS:
                self.by_domain.setdefault(domain, set()).add(cid)
        if name and name.strip():
            self.by_name.setdefault(_name_key(name), set()).add((cid, contact_id))

    def is_ours(self, person: Person, internal: set[str]) -> bool:
        """Whether a person is on our side of the conversation."""
        email = person.email.lower()
        if email and (email in self.ours or _domain(email) in self.team_domains):
            return True
        return bool(internal) and (
            (email and email in internal) or _name_key(person.name) in internal
        )

    def theirs(self, conversation: Conversation) -> list[Person]:
        """The conversation's people on the customer's side."""
        internal = {
            _name_key(x) for x in conversation.extra.get("internal", "").split(";") if x.strip()
        }
        if conversation.kind == "email" and conversation.sender is not None:
            if not self.is_ours(conversation.sender, internal):
                return [conversation.sender]
            return [p for p in conversation.recipients if not self.is_ours(p, internal)]
        people = list(conversation.participants) or [t.speaker for t in conversation.turns]
        seen: list[Person] = []
        for person in people:
            named = bool(person.name or person.email)
            if named and person not in seen and not self.is_ours(person, internal):
                seen.append(person)
        return seen

    def match(self, conversation: Conversation) -> Match | None:
        """The account and person the conversation was with (module docstring)."""
        people = self.theirs(conversation)
        for how in ("address", "domain", "name"):
            found: dict[int, Match] = {}
            for person in people:
                hit = self._lookup(person, how)
                if hit is not None and hit.customer_id not in found:
                    found[hit.customer_id] = hit
            if len(found) == 1:
                return next(iter(found.values()))
            if len(found) > 1:
                return None  # two accounts by the same means: not guessed
        return None

    def customer_side(self, conversation: Conversation, match: Match) -> frozenset[Person]:
        """Who spoke for the account: those of their side known to be its people (so an
        unknown speaker of ours, with no address, does not raise the customer's risks),
        else all of their side."""
        theirs = self.theirs(conversation)
        known = frozenset(
            p
            for p in theirs
            for how in ("address", "domain", "name")
            if (hit := self._lookup(p, how)) is not None and hit.customer_id == match.customer_id
        )
        return known or frozenset(theirs)

    def _lookup(self, person: Person, how: str) -> Match | None:
        email = person.email.lower()
        if how == "address" and email in self.by_email:
            cid, contact_id = self.by_email[email]
            return Match(cid, contact_id, how, person)
        if how == "domain" and email:
            accounts = self.by_domain.get(_domain(email), set())
            if len(accounts) == 1:
                return Match(next(iter(accounts)), None, how, person)
        if how == "name" and person.name.strip():
            named = self.by_name.get(_name_key(person.name), set())
            if len({cid for cid, _ in named}) == 1:
                cid = next(iter(named))[0]
                contacts = [c for _, c in named if c is not None]
                return Match(cid, contacts[0] if len(contacts) == 1 else None, how, person)
        return None
