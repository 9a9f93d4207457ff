"""The customers, the other sources' ids for them, and their totals kept up to date."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, JSONType, UTCDateTime, utcnow
from models.refunds import last_order_offset_column, refunded_orders_column
from models.schema.keys import fk

if TYPE_CHECKING:
    from models.schema.records import Order


class Customer(Base):
    """A person or account we sell to, matched by source external id, then by email."""

    __tablename__ = "customers"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        Index("ix_customers_owner", "owner"),
        Index("ix_customers_name", "name"),
        Index("ix_customers_tier", "tier"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(String(64), default="manual")
    email: Mapped[str | None] = mapped_column(String(320))
    # Lower-cased, trimmed email: the identity key across sources.
    email_normalized: Mapped[str | None] = mapped_column(String(320), index=True)
    name: Mapped[str | None] = mapped_column(String(255))
    company: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(64))
    owner: Mapped[str | None] = mapped_column(String(255))
    tier: Mapped[str | None] = mapped_column(String(64))
    region: Mapped[str | None] = mapped_column(String(128))
    signup_date: Mapped[dt.date | None] = mapped_column(Date)
    do_not_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    attributes: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    import_run_id: Mapped[int | None] = fk("import_runs", nullable=True, ondelete="SET NULL")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # When a user ended the quiet period after contact (with a reason, in the audit):
    # contact up to this moment no longer holds outreach or new alerts back.
    quiet_override_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # When the customer opted out of activity tracking (a CRM's field or the user's
    # toggle): their usage and conversations are left out of scores and of every request
    # to a model from then on. NULL: not opted out.
    tracking_opted_out_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    orders: Mapped[list[Order]] = relationship(back_populates="customer", passive_deletes=True)


class CustomerIdentity(Base):
    """Another source's id for a customer (Shopify id, Zendesk external id, HubSpot record...).

    Identity resolution looks a (source, external_id) up here first, then the normalised
    email; the customer's own (source, external_id) is listed here too.
    """

    __tablename__ = "customer_identities"
    __table_args__ = (UniqueConstraint("source", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = fk("customers")
    source: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(255))
    import_run_id: Mapped[int | None] = fk("import_runs", nullable=True, ondelete="SET NULL")


class CustomerRollup(Base):
    """Per-customer totals from orders, tickets and opportunities, refreshed by every writer
    (services/core/rollups.py): the customers table opens fast on a million orders; readers
    fall back to live aggregates when it is stale; `db check` verifies it."""

    __tablename__ = "customer_rollups"

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    paid_orders: Mapped[int] = mapped_column(Integer, default=0)
    paid_revenue_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    first_order_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_order_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_order_offset_min: Mapped[int | None] = last_order_offset_column()  # that order's
    refunded_orders: Mapped[int] = refunded_orders_column()  # models/refunds.py
    open_tickets: Mapped[int] = mapped_column(Integer, default=0)
    open_opportunities: Mapped[int] = mapped_column(Integer, default=0)
