"""What the sources say happened with a customer: orders, interactions (tickets, emails,
calls, notes...), deals in the pipeline and subscriptions."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, JSONType, UTCDateTime, utcnow
from models.campaigns import CAMPAIGN_INDEX
from models.schema.keys import fk

if TYPE_CHECKING:
    from models.schema.customers import Customer


class Order(Base):
    """A purchase; amount in cents, date in UTC, status paid/refunded/cancelled/pending."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        # Covering index: per-customer order history and aggregates without touching the table.
        Index("ix_orders_customer_date", "customer_id", "order_date", "amount_cents", "status"),
        Index("ix_orders_order_date", "order_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    external_id: Mapped[str | None] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(String(64), default="manual")
    order_date: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # The offset from UTC of the source's clock when the order was placed (-420 for
    # "-0700"): the local date of the event is order_date + this. NULL: the file gave no
    # zone and order_date holds its wall time (services/core/local_dates.py).
    utc_offset_minutes: Mapped[int | None] = mapped_column(SmallInteger)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    status: Mapped[str] = mapped_column(String(16), default="paid")
    channel: Mapped[str | None] = mapped_column(String(64))
    category: Mapped[str | None] = mapped_column(String(128))
    items: Mapped[int | None] = mapped_column(Integer)
    attributes: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # The person at the account who placed it (models/schema/contacts.py), when the order's
    # address is theirs; not a foreign key, as Interaction.contact_id.
    contact_id: Mapped[int | None] = mapped_column(Integer, index=True)
    import_run_id: Mapped[int | None] = fk("import_runs", nullable=True, ondelete="SET NULL")
    # A hash of the file row it was imported from and how (services/importing/rowhash.py):
    # a re-sync skips the rows whose hash is stored. NULL: not known (compared in full).
    row_hash: Mapped[int | None] = mapped_column(BigInteger)

    customer: Mapped[Customer] = relationship(back_populates="orders")


class Interaction(Base):
    """Anything that happened between us and the customer that is not an order."""

    __tablename__ = "interactions"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        Index("ix_interactions_customer_time", "customer_id", "occurred_at"),
        Index("ix_interactions_kind_time", "kind", "occurred_at"),
        # One customer's events of one kind, with each one's local day (saved questions).
        Index(
            "ix_interactions_customer_kind_time",
            "customer_id",
            "kind",
            "occurred_at",
            "utc_offset_minutes",
        ),
        CAMPAIGN_INDEX,  # the email events of a period with their campaign type (0019)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    utc_offset_minutes: Mapped[int | None] = mapped_column(SmallInteger)  # as Order's
    channel: Mapped[str | None] = mapped_column(String(64))
    subject: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text)
    sentiment: Mapped[float | None] = mapped_column(Float)  # -1..1, not money
    # Sentiment read from the text on the laptop (services/listen/sentiment.py), and the
    # hash of the text it was read from; an imported ``sentiment`` is preferred.
    text_sentiment: Mapped[float | None] = mapped_column(Float)
    text_sentiment_hash: Mapped[str | None] = mapped_column(String(16))
    # The reason learned from the workspace's negative text it falls under
    # (services/listen/reasons.py), by name; None when it is about none of them.
    reason: Mapped[str | None] = mapped_column(String(120))
    # The person at the account it was with (models/schema/contacts.py), when known. Not a
    # foreign key: it was added in place to a table of millions of rows, which SQLite can
    # give a named one only by rebuilding it; deleting a contact clears it here
    # (services/people/contacts.py, services/importing/history.py).
    contact_id: Mapped[int | None] = mapped_column(Integer, index=True)
    rating: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str | None] = mapped_column(String(32))
    satisfaction: Mapped[str | None] = mapped_column(String(32))
    external_id: Mapped[str | None] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(String(64), default="manual")
    attributes: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    import_run_id: Mapped[int | None] = fk("import_runs", nullable=True, ondelete="SET NULL")
    campaign_type: Mapped[str | None] = mapped_column(Text)  # an email's: models/campaigns.py


class Opportunity(Base):
    """A deal in the pipeline (upsell, renewal, event...)."""

    __tablename__ = "opportunities"
    __table_args__ = (UniqueConstraint("source", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = fk("customers")
    external_id: Mapped[str | None] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(String(64), default="manual")
    name: Mapped[str] = mapped_column(String(255))
    type: Mapped[str | None] = mapped_column(String(64))
    stage: Mapped[str | None] = mapped_column(String(64))
    amount_cents: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    probability: Mapped[float | None] = mapped_column(Float)  # 0..1
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    stage_changed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    close_date: Mapped[dt.date | None] = mapped_column(Date)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    won: Mapped[bool] = mapped_column(Boolean, default=False)
    owner: Mapped[str | None] = mapped_column(String(255))
    attributes: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    import_run_id: Mapped[int | None] = fk("import_runs", nullable=True, ondelete="SET NULL")


class Subscription(Base):
    """A contractual relationship (e.g. a Stripe subscription)."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("source", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = fk("customers")
    external_id: Mapped[str | None] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(String(64), default="manual")
    plan: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    current_period_end: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    canceled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    cancel_at_period_end: Mapped[bool] = mapped_column(Boolean, default=False)
    amount_cents: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    interval: Mapped[str | None] = mapped_column(String(16))  # month, year, week, day
    attributes: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    import_run_id: Mapped[int | None] = fk("import_runs", nullable=True, ondelete="SET NULL")
