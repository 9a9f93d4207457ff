"""The people of an account, as the customer pane, the composer and the command line read
them, and the changes a user makes to them (a role set, a person added).

A customer with contacts rows (models/schema/contacts.py) has those people; one without
stands for its own one person, its name and email (``Person.contact_id`` None): a B2C book
reads as it did before contacts existed. Each person carries their role (the one the user
set, else the CRM's), whether they have left the account, and their last two-way contact:
the latest interaction they took part in of TWO_WAY_KINDS (a call that reached them, a
meeting, a chat, a ticket they raised, an email they wrote). Where an account has one
person, every such interaction of the account is theirs; with several, only those that
name the person (``interactions.contact_id``).

Whom to write to (``recipient``): the person the user picked, else the champion, else the
decision maker, a user, someone with no role, and the billing contact last
(RECIPIENT_ORDER); never someone who has left or has no address.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd
from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.orm import Session

from models.base import utcnow
from models.db import translate_db_errors
from models.errors import UserFacingError
from models.schema import AuditEvent, Contact, ContactChange, Customer, Interaction, Order
from models.vocab import (
    CALL_CONVERSATION,
    CALL_OUTCOMES,
    CONTACT_ROLE_LABELS,
    CONTACT_ROLES,
    TWO_WAY_KINDS,
)
from services.core.formatting import format_date
from services.people.activity import activity_of, activity_words
from services.people.history import bounced_on
from services.settings.views import KeyContactSettings

_RANK = {role: i for i, role in enumerate(CONTACT_ROLES)}
# The roles whose leaving or silence puts an account at risk.
KEY_ROLES = ("champion", "decision_maker")
_MISSED = tuple(o for o in CALL_OUTCOMES if o != CALL_CONVERSATION)


def _aware(value: object) -> dt.datetime:
    when = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)


class ContactError(UserFacingError):
    """A change to a contact that cannot be made, in words."""


@dataclass(frozen=True)
class Person:
    """One person at an account."""

    contact_id: int | None  # None: the customer itself, its one person
    name: str
    email: str
    title: str = ""
    phone: str = ""
    role: str | None = None  # CONTACT_ROLES; the user's where set, else the CRM's
    role_set_by_user: bool = False
    left_on: dt.date | None = None
    last_two_way: dt.datetime | None = None
    source: str = ""
    # The day their address bounced, as the CRM recorded it (Salesforce's
    # EmailBouncedDate): no email goes there until it is fixed.
    bounced_on: dt.date | None = None
    # Their own records at the account, in words ("2 orders · 1 ticket · used 4 Nov 2026":
    # services/people/activity.py); "" when none.
    activity: str = ""
    # The account their address is now listed under, when it was listed there after them.
    moved_to: str = ""
    # A champion or decision maker heard from before (two-way, or an order, ticket or use
    # of their own) but not for this many days (the Key contact gone dark alert's
    # setting): None when they are not gone dark.
    dark_days: int | None = None
    # A champion or decision maker never heard from at all: no interaction, order, ticket
    # or use of the product of theirs.
    never_heard: bool = False
    # What the relationship signal their status raises is worth, when it is unproven on
    # this workspace's history ("unproven signal": services/alerts/signal_proofs.py).
    signal_note: str = ""

    @property
    def status(self) -> str:
        """Whether they are still there and heard from, in words ("" when nothing is
        amiss): "left Nov 3, 2026", "address bounced Nov 3, 2026", "now at Globex",
        "not heard from in 74 days", "never heard from"; with the signal's note when it is
        unproven ("not heard from in 74 days; unproven signal")."""
        said = []
        if self.left_on is not None:
            said.append(f"left {format_date(self.left_on)}")
        if self.bounced_on is not None:
            said.append(f"address bounced {format_date(self.bounced_on)}")
        if self.moved_to:
            said.append(f"now at {self.moved_to}")
        if self.dark_days is not None and not said:
            said.append(f"not heard from in {self.dark_days:,} days")
        if self.never_heard and not said:
            said.append("never heard from")
        if said and self.signal_note:
            said.append(self.signal_note)
        return "; ".join(said)

    @property
    def role_label(self) -> str:
        return CONTACT_ROLE_LABELS.get(self.role or "", "")

    @property
    def reachable(self) -> bool:
        """Whether an email can go to them: an address that has not bounced, and still at
        the account."""
        return bool(self.email) and self.left_on is None and self.bounced_on is None

    @property
    def label(self) -> str:
        """ "Name <email>", "Name" or the email: how a recipient list names them."""
        if self.name and self.email:
            return f"{self.name} <{self.email}>"
        return self.name or self.email


# The local parts of shared mailboxes: a team's address, not a person to greet by name.
MAILBOX_LOCALS = frozenset(
    {
        "ap", "ar", "accounts", "accountspayable", "accounts.payable", "billing", "finance",
        "invoices", "invoice", "info", "office", "support", "sales", "admin", "hello",
        "contact", "team", "orders", "purchasing", "procurement", "payables", "hr",
    }
)  # fmt: skip


def is_mailbox(name: str, email: str) -> bool:
    """Whether a contact is a shared mailbox ("Accounts Payable" <ap@…>), whom a draft
    greets without a first name."""
    local = email.split("@", 1)[0].lower() if "@" in email else ""
    words = name.lower().replace("-", " ").split()
    return local in MAILBOX_LOCALS or " ".join(words) in {"accounts payable", "billing", "finance"}


def _order(person: Person) -> tuple[bool, int, bool, float, str]:
    return (
        person.left_on is not None,
        _RANK.get(person.role or "", len(_RANK)),
        not person.role_set_by_user,  # the user's own choice before the CRM's
        -(person.last_two_way.timestamp() if person.last_two_way else 0.0),
        (person.name or person.email).lower(),
    )


def _two_way(session: Session, customer_id: int, by_contact: bool) -> dict[int | None, dt.datetime]:
    """The latest two-way interaction of the account, by contact (None: naming no one)."""
    i = Interaction.__table__.c
    reached = (i.kind != "call") | i.status.is_(None) | i.status.not_in(_MISSED)
    key = i.contact_id if by_contact else None
    query = (
        select(i.contact_id, func.max(i.occurred_at))
        .where(i.customer_id == customer_id, i.kind.in_(TWO_WAY_KINDS), reached)
        .group_by(i.contact_id)
    )
    latest: dict[int | None, dt.datetime] = {}
    for contact_id, at in session.execute(query):
        if at is None:
            continue
        when = _aware(at)
        slot = contact_id if key is not None else None
        if slot not in latest or when > latest[slot]:
            latest[slot] = when
    return latest


def people_of(session: Session, customer_id: int) -> list[Person]:
    """The account's people, champion first (then the other roles, the most recently
    heard from, the name); those who left come last."""
    c = Contact.__table__.c
    rows = session.execute(
        select(
            c.id,
            c.name,
            c.email,
            c.title,
            c.phone,
            c.role,
            c.user_role,
            c.left_on,
            c.source,
            c.attributes,
            c.email_normalized,
            c.created_at,
        ).where(c.customer_id == customer_id)
    ).all()
    if not rows:
        cust = Customer.__table__.c
        own = session.execute(
            select(cust.name, cust.email, cust.phone).where(cust.id == customer_id)
        ).first()
        if own is None:
            return []
        latest = _two_way(session, customer_id, by_contact=False).get(None)
        return [
            Person(
                None, own.name or "", own.email or "", phone=own.phone or "", last_two_way=latest
            )
        ]
    from services.people.signals import read_people_signals  # it reads this module

    now = utcnow()
    signals = read_people_signals(session, [customer_id], now).set_index("contact_id")
    moved = _moved(session, customer_id, rows)
    quiet = KeyContactSettings.read(session).quiet_days
    today = now.date()
    people = []
    for row in rows:
        found = signals.loc[int(row.id)] if int(row.id) in signals.index else None
        last = _moment(found["last_two_way"]) if found is not None else None
        heard = _moment(found["last_heard"]) if found is not None else None
        role = row.user_role or row.role
        key = role in KEY_ROLES
        # Silent since their last contact of any kind: a two-way one, or an order, ticket
        # or use of the product of their own (the Key contact gone dark rule's reading).
        silent = (today - heard.date()).days if heard is not None else None
        people.append(
            Person(
                contact_id=int(row.id),
                name=row.name or "",
                email=row.email or "",
                title=row.title or "",
                phone=row.phone or "",
                role=row.user_role or row.role,
                role_set_by_user=row.user_role is not None,
                left_on=row.left_on,
                last_two_way=last,
                source=row.source or "",
                bounced_on=bounced_on(row.attributes),
                moved_to=moved.get(int(row.id), ""),
                dark_days=silent if silent is not None and silent > quiet and key else None,
                never_heard=key and found is not None and heard is None,
            )
        )
    return sorted(people, key=_order)


def _moment(value: Any) -> dt.datetime | None:
    """A frame's timestamp as an aware datetime (None: NaT)."""
    if value is None or pd.isna(value):
        return None
    moment: dt.datetime = pd.Timestamp(value).to_pydatetime()
    return moment


def _moved(session: Session, customer_id: int, rows: Sequence[Any]) -> dict[int, str]:
    """The account each person's address was listed under after them, by contact id."""
    emails = {str(r.email_normalized) for r in rows if r.email_normalized}
    if not emails:
        return {}
    c = Contact.__table__.c
    cu = Customer.__table__.c
    later = session.execute(
        select(c.email_normalized, c.created_at, cu.company, cu.name)
        .join(Customer.__table__, cu.id == c.customer_id)
        .where(c.email_normalized.in_(sorted(emails)), c.customer_id != customer_id)
        .order_by(c.created_at)
    ).all()
    out: dict[int, str] = {}
    for row in rows:
        for email, created, company, name in later:
            if email == row.email_normalized and _aware(created) > _aware(row.created_at):
                out[int(row.id)] = company or name or ""
                break
    return out


def read_people(engine: Engine, customer_id: int) -> list[Person]:
    """people_of in a connection of its own, each person with their activity."""
    with translate_db_errors(), Session(engine) as session:
        people = people_of(session, customer_id)
        done = activity_of(session, customer_id)
    return [replace(p, activity=activity_words(done.get(p.contact_id))) for p in people]


# Whom an account's emails go to first when no one is picked: the champion, the decision
# maker, a user, someone with no role; the billing contact (invoices) only when no one else.
RECIPIENT_ORDER = ("champion", "decision_maker", "user", None, "other", "billing")


def recipient(people: Sequence[Person], chosen: int | None = None) -> Person | None:
    """Whom an email goes to: the chosen contact (if still reachable), else the first
    reachable person by RECIPIENT_ORDER (the user's own role first within a role, then
    the pane's order)."""
    reachable = [p for p in people if p.reachable]
    if chosen is not None:
        for person in reachable:
            if person.contact_id == chosen:
                return person
    if not reachable:
        return None
    rank = {role: i for i, role in enumerate(RECIPIENT_ORDER)}
    return min(reachable, key=lambda p: rank.get(p.role, len(rank)))


def _audit(
    session: Session, actor: str, action: str, contact_id: int, details: dict[str, object]
) -> None:
    session.add(
        AuditEvent(
            occurred_at=utcnow(),
            actor=actor,
            action=action,
            entity_type="contact",
            entity_id=contact_id,
            details={k: v for k, v in details.items() if v is not None},
        )
    )


def set_role(engine: Engine, contact_id: int, role: str | None, actor: str) -> str | None:
    """Set the role the user gives a contact (None: back to the CRM's); returns the role
    the user had set before (for undo). Audited."""
    with translate_db_errors(), Session(engine) as session, session.begin():
        return set_role_in(session, contact_id, role, actor)


def set_role_in(session: Session, contact_id: int, role: str | None, actor: str) -> str | None:
    """set_role inside the caller's transaction."""
    if role is not None and role not in CONTACT_ROLES:
        raise ContactError(f"'{role}' is not a role; use one of {', '.join(CONTACT_ROLES)}.")
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise ContactError(f"There is no contact {contact_id}; 'contacts list' shows them.")
    before = contact.user_role
    contact.user_role = role
    _audit(session, actor, "contact.role_set", contact_id, {"from": before, "to": role})
    if before != role:  # dated, so that a replay of an earlier day reads the role then
        session.add(
            ContactChange(
                customer_id=contact.customer_id, contact_id=contact_id, field="user_role",
                before=before, after=role, changed_at=utcnow(), actor=actor,
            )
        )  # fmt: skip
    session.flush()
    return before


def add_contact(
    engine: Engine,
    customer_id: int,
    *,
    name: str,
    email: str,
    title: str = "",
    role: str | None = None,
    actor: str,
) -> int:
    """A person the user adds to an account (source "manual"); returns their id. An
    address already among the account's people is refused (they are there)."""
    name, email, title = name.strip(), email.strip(), title.strip()
    if not name and not email:
        raise ContactError("A contact needs a name or an email address.")
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise ContactError(f"'{email}' is not an email address.")
    if role is not None and role not in CONTACT_ROLES:
        raise ContactError(f"'{role}' is not a role; use one of {', '.join(CONTACT_ROLES)}.")
    key = email.lower() or None
    with translate_db_errors(), Session(engine) as session, session.begin():
        if session.get(Customer, customer_id) is None:
            raise ContactError(f"There is no customer {customer_id}.")
        if key is not None:
            taken = session.scalar(
                select(Contact.id).where(
                    Contact.customer_id == customer_id, Contact.email_normalized == key
                )
            )
            if taken is not None:
                raise ContactError(f"{email} is already one of this account's people.")
        contact = Contact(
            customer_id=customer_id,
            source="manual",
            name=name or None,
            email=email or None,
            email_normalized=key,
            title=title or None,
            user_role=role,
        )
        session.add(contact)
        session.flush()
        contact.external_id = f"manual-{contact.id}"
        _audit(session, actor, "contact.added", contact.id, {"customer": customer_id, "role": role})
        return int(contact.id)


def remove_contact(engine: Engine, contact_id: int, actor: str) -> None:
    """Remove a person the user added (the undo of add_contact); an imported contact is
    refused: the next import would bring them back."""
    with translate_db_errors(), Session(engine) as session, session.begin():
        remove_contact_in(session, contact_id, actor)


def remove_contact_in(session: Session, contact_id: int, actor: str) -> None:
    """remove_contact inside the caller's transaction."""
    contact = session.get(Contact, contact_id)
    if contact is None:
        return
    if contact.source != "manual":
        raise ContactError(
            f"{contact.name or contact.email} came from {contact.source}; only people "
            "added in the app can be removed here."
        )
    for table in (Interaction, Order):
        session.execute(update(table).where(table.contact_id == contact_id).values(contact_id=None))
    session.execute(delete(ContactChange).where(ContactChange.contact_id == contact_id))
    session.delete(contact)
    _audit(session, actor, "contact.removed", contact_id, {"customer": contact.customer_id})
    session.flush()


def champions(session: Session, customer_ids: Sequence[int]) -> dict[int, Person]:
    """Whom each account's emails go to by default (``recipient`` of its people), for the
    accounts among ``customer_ids`` that have contacts rows; the others write to
    themselves. One read of their contacts, in chunks of a thousand ids."""
    c = Contact.__table__.c
    by_account: dict[int, list[Person]] = {}
    ids = sorted(set(customer_ids))
    for start in range(0, len(ids), 1000):
        part = ids[start : start + 1000]
        query = select(
            c.id, c.customer_id, c.name, c.email, c.role, c.user_role, c.left_on, c.attributes
        ).where(c.customer_id.in_(part))
        for row in session.execute(query):
            by_account.setdefault(int(row.customer_id), []).append(
                Person(
                    contact_id=int(row.id),
                    name=row.name or "",
                    email=row.email or "",
                    role=row.user_role or row.role,
                    role_set_by_user=row.user_role is not None,
                    left_on=row.left_on,
                    bounced_on=bounced_on(row.attributes),
                )
            )
    out = {}
    for customer_id, people in by_account.items():
        chosen = recipient(sorted(people, key=_order))
        if chosen is not None:
            out[customer_id] = chosen
    return out


def addressee_label(person_name: str, account: str) -> str:
    """ "Maria Delgado (Contoso Freight)": a person at an account, as the review queue and
    the composer name whom an email goes to; the account alone when they are one."""
    if person_name and account and person_name != account:
        return f"{person_name} ({account})"
    return account or person_name


def names_by_address(
    session: Session, pairs: Sequence[tuple[int, str | None]]
) -> dict[tuple[int, str | None], str]:
    """The name of the person at each (customer id, address) pair that names one of the
    account's people (the address in any case), keyed by the pair as given."""
    c = Contact.__table__.c
    wanted = {(cid, (email or "").strip().lower()): (cid, email) for cid, email in pairs if email}
    ids = sorted({cid for cid, _ in wanted})
    out: dict[tuple[int, str | None], str] = {}
    for start in range(0, len(ids), 1000):
        part = ids[start : start + 1000]
        rows = session.execute(
            select(c.customer_id, c.email_normalized, c.name).where(c.customer_id.in_(part))
        )
        for cid, email, name in rows:
            pair = wanted.get((int(cid), email or ""))
            if pair is not None and name:
                out[pair] = name
    return out
