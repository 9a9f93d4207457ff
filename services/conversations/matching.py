"""Which account, and which person at it, a conversation was with.

Each conversation's people are split into our side and theirs: our side is everyone whose
address is on one of the team's domains (setting outreach.team_domains) or is one of the
given addresses of ours (the sender set up for email, the user's own), the people a
vendor marks internal (``Conversation.extra["internal"]``: Gong's Internal parties,
Intercom's admins, Zendesk's agents), and the accounts' owners (``customers.owner``, a
name or an address: a transcript names its account manager, with no address). An email's
side is its sender's: from us, its recipients are theirs.

Their people are then matched, in this order, the first that settles it:
1. by address: a contact's (models/schema/contacts.py), else a customer's own;
2. by domain: an address on a domain that only one account's people or customer use
   (never a public mail domain such as gmail.com: thousands of accounts share those);
3. by name: a contact's or customer's name, when exactly one has it (transcripts name
   speakers, not addresses).
A domain or a name that several accounts share is settled by the people present: the
account whose owner is on our side of the conversation, or whose other known people are
on theirs, is the one (an account with both beats one with either); when that leaves none
or several, it settles nothing. A conversation whose people match two accounts by the
same means, or none, is unmatched: the import lists it with its people, and stores
nothing for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import parseaddr

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


def _keys(person: Person) -> set[str]:
    """How a person is known: their address and their name (names as ``name:...``)."""
    keys = {person.email.lower()} if person.email else set()
    if person.name.strip():
        keys.add("name:" + _name_key(person.name))
    return keys


def _owner_keys(owner: str | None) -> frozenset[str]:
    """An account's owner as a person's keys: "Dana Whitfield", "dana@ourco.example" or
    "Dana Whitfield <dana@ourco.example>"."""
    text = (owner or "").strip()
    if not text:
        return frozenset()
    name, address = parseaddr(text) if "@" in text else (text, "")
    if "@" not in address:
        address = ""
    return frozenset(_keys(Person(name=name, email=address)))


@dataclass(frozen=True)
class _Present:
    """Who is on a conversation: the keys of our side's people, and each person of theirs
    with their keys."""

    ours: frozenset[str]
    theirs: tuple[tuple[Person, frozenset[str]], ...]

    def others(self, person: Person) -> set[str]:
        """The keys of their side's people other than ``person``."""
        return {key for who, keys in self.theirs if who != person for key in keys}


class Directory:
    """The workspace's people by address, domain and name, and the accounts' owners, read
    once per import."""

    def __init__(
        self, session: Session, *, team_domains: Iterable[str] = (), ours: Iterable[str] = ()
    ) -> None:
        self.team_domains = {d.lower().lstrip("@") for d in team_domains if d}
        self.ours = {a.strip().lower() for a in ours if a and "@" in a}
        self.by_email: dict[str, tuple[int, int | None]] = {}
        self.by_domain: dict[str, set[int]] = {}
        self.by_name: dict[str, set[tuple[int, int | None]]] = {}
        # Each account's owner and known people, by their keys (_keys).
        self.owner_of: dict[int, frozenset[str]] = {}
        self.people_of: dict[int, set[str]] = {}
        c, cu = Contact.__table__.c, Customer.__table__.c
        for cid, email, name, owner in session.execute(
            select(cu.id, cu.email_normalized, cu.name, cu.owner)
        ):
            self._add(int(cid), None, email, name)
            if keys := _owner_keys(owner):
                self.owner_of[int(cid)] = keys
        for contact_id, cid, email, name in session.execute(
            select(c.id, c.customer_id, c.email_normalized, c.name)
        ):
            self._add(int(cid), int(contact_id), email, name)
        self.owners = frozenset(key for keys in self.owner_of.values() for key in keys)

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
        self.people_of.setdefault(cid, set()).update(
            _keys(Person(name=name or "", email=(email or "").strip().lower()))
        )

    def is_ours(self, person: Person, internal: set[str]) -> bool:
        """Whether a person is on our side of the conversation: an address of ours or on
        the team's domains, someone the vendor marks internal, or an account's owner."""
        email = person.email.lower()
        if email and (email in self.ours or _domain(email) in self.team_domains):
            return True
        if _keys(person) & self.owners:
            return True
        return bool(internal) and (
            (email and email in internal) or _name_key(person.name) in internal
        )

    def _internal(self, conversation: Conversation) -> set[str]:
        return {
            _name_key(x) for x in conversation.extra.get("internal", "").split(";") if x.strip()
        }

    def theirs(self, conversation: Conversation) -> list[Person]:
        """The conversation's people on the customer's side."""
        internal = self._internal(conversation)
        if conversation.kind == "email" and conversation.sender is not None:
            if not self.is_ours(conversation.sender, internal):
                return [conversation.sender]
            return [p for p in conversation.recipients if not self.is_ours(p, internal)]
        seen: list[Person] = []
        for person in self._everyone(conversation):
            if not self.is_ours(person, internal):
                seen.append(person)
        return seen

    def _everyone(self, conversation: Conversation) -> list[Person]:
        """Everyone named on the conversation, each once."""
        people = list(conversation.participants) or [t.speaker for t in conversation.turns]
        seen: list[Person] = []
        for person in people:
            if (person.name or person.email) and person not in seen:
                seen.append(person)
        return seen

    def _present(self, conversation: Conversation) -> _Present:
        internal = self._internal(conversation)
        everyone = self._everyone(conversation)
        if conversation.sender is not None:
            everyone += [conversation.sender, *conversation.recipients]
        ours = {key for p in everyone if self.is_ours(p, internal) for key in _keys(p)}
        theirs = tuple((p, frozenset(_keys(p))) for p in self.theirs(conversation))
        return _Present(frozenset(ours), theirs)

    def match(self, conversation: Conversation) -> Match | None:
        """The account and person the conversation was with (module docstring)."""
        present = self._present(conversation)
        for how in ("address", "domain", "name"):
            found: dict[int, Match] = {}
            for person, _ in present.theirs:
                hit = self._lookup(person, how, present)
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
        present = self._present(conversation)
        known = frozenset(
            p
            for p, _ in present.theirs
            for how in ("address", "domain", "name")
            if (hit := self._lookup(p, how, present)) is not None
            and hit.customer_id == match.customer_id
        )
        return known or frozenset(p for p, _ in present.theirs)

    def _settled(self, accounts: set[int], person: Person, present: _Present) -> int | None:
        """The one account of ``accounts`` the people present point at: its owner is on
        our side of the call, or others of its known people are on theirs (both beat
        either); None when none or several do."""
        if len(accounts) == 1:
            return next(iter(accounts))
        others = present.others(person)
        scores = {
            cid: bool(self.owner_of.get(cid, frozenset()) & present.ours)
            + bool(self.people_of.get(cid, set()) & others)
            for cid in accounts
        }
        best = max(scores.values(), default=0)
        settled = [cid for cid, score in scores.items() if score == best]
        return settled[0] if best and len(settled) == 1 else None

    def _lookup(self, person: Person, how: str, present: _Present) -> Match | None:
        email = person.email.lower()
        if how == "address" and email in self.by_email:
            cid, contact_id = self.by_email[email]
            return Match(cid, contact_id, how, person)
        if how == "domain" and email:
            accounts = self.by_domain.get(_domain(email), set())
            settled = self._settled(accounts, person, present) if accounts else None
            if settled is not None:
                return Match(settled, None, how, person)
        if how == "name" and person.name.strip():
            named = self.by_name.get(_name_key(person.name), set())
            settled = self._settled({cid for cid, _ in named}, person, present) if named else None
            if settled is not None:
                contacts = [c for cid, c in named if cid == settled and c is not None]
                return Match(settled, contacts[0] if len(contacts) == 1 else None, how, person)
        return None
