"""The changes a user makes to an account's people, as undoable actions (Ctrl+Z in the
window): a role set, a person added. The people themselves are services/people/contacts.py."""

from __future__ import annotations

from sqlalchemy import Engine

from models.vocab import CONTACT_ROLE_LABELS
from services.alerts.config import default_actor
from services.alerts.records import Undoable
from services.people.contacts import add_contact, set_role


def set_contact_role(
    engine: Engine, customer_id: int, contact_id: int, name: str, role: str | None,
    actor: str | None = None,
) -> Undoable:  # fmt: skip
    """Give a contact a role (None: back to the CRM's); undo puts back the one before."""
    before = set_role(engine, contact_id, role, actor or default_actor())
    said = CONTACT_ROLE_LABELS[role].lower() if role else "the CRM's role"
    return Undoable(
        label=f"Made {name} {said}" if role else f"Gave {name} {said} again",
        undid="contact.role_set",
        customer_id=customer_id,
        contact_roles=((contact_id, before),),
    )


def add_person(
    engine: Engine, customer_id: int, *, name: str, email: str, title: str = "",
    role: str | None = None, actor: str | None = None,
) -> Undoable:  # fmt: skip
    """Add a person to an account; undo removes them."""
    contact_id = add_contact(
        engine, customer_id, name=name, email=email, title=title, role=role,
        actor=actor or default_actor(),
    )  # fmt: skip
    return Undoable(
        label=f"Added {name or email}",
        undid="contact.added",
        customer_id=customer_id,
        contacts_added=(contact_id,),
    )
