"""The people of an account: each contact with their name, address, title and role.

A customer is an account: a company, or a household (in a B2C book, the one person who
buys). Its contacts come from the people-level exports (Salesforce Contact, HubSpot
contacts, a contacts CSV) and carry their role at the account: ``role`` as the CRM's
contact roles give it, ``user_role`` as the user set it in the app (it wins, and an import
never overwrites it). A contact gone from a later export of its CRM keeps its row, with
``left_on`` the date the export first lacked it. A customer without contacts rows stands
for its own one person (its name and email), as before contacts existed.

What a person's role and presence were on an earlier day is kept in ``contact_changes``:
each change an import or a user made to ``role``, ``user_role`` or ``left_on``, with the
moment it was made and the value before and after (models.vocab.CONTACT_CHANGE_FIELDS),
so that a replay of a past day reads the people and roles of that day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Date, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, JSONType, UTCDateTime, utcnow
from models.schema.keys import fk


class Contact(Base):
    """One person at a customer (an account), from an import or added by the user."""

    __tablename__ = "contacts"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        Index("ix_contacts_email_normalized", "email_normalized"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = fk("customers")
    external_id: Mapped[str | None] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(String(64), default="manual")
    name: Mapped[str | None] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(320))
    email_normalized: Mapped[str | None] = mapped_column(String(320))
    title: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(64))
    # models.vocab.CONTACT_ROLES; the CRM's own wording stays in attributes ("crm_role").
    role: Mapped[str | None] = mapped_column(String(32))
    user_role: Mapped[str | None] = mapped_column(String(32))
    left_on: Mapped[dt.date | None] = mapped_column(Date)
    attributes: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    import_run_id: Mapped[int | None] = fk("import_runs", nullable=True, ondelete="SET NULL")
    # A hash of the file row it was imported from (services/importing/rowhash.py).
    row_hash: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ContactChange(Base):
    """One change to a contact's role (the CRM's or the user's) or presence, dated: the
    value before and after as text ("" for none; ``left_on`` as an ISO date)."""

    __tablename__ = "contact_changes"
    __table_args__ = (Index("ix_contact_changes_contact_changed", "contact_id", "changed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = fk("customers")
    contact_id: Mapped[int] = fk("contacts")
    # models.vocab.CONTACT_CHANGE_FIELDS: role, user_role, left_on.
    field: Mapped[str] = mapped_column(String(16))
    before: Mapped[str | None] = mapped_column(String(32))
    after: Mapped[str | None] = mapped_column(String(32))
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The import that made it (undo deletes it with the change), else the user who did.
    import_run_id: Mapped[int | None] = fk("import_runs", nullable=True, ondelete="SET NULL")
    actor: Mapped[str | None] = mapped_column(String(255))
