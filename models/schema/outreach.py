"""The emails to customers, and the batches of drafts of "Draft for all"."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, JSONType, UTCDateTime, utcnow
from models.schema.keys import fk


class Outreach(Base):
    """An email drafted, exported or sent to a customer (or withheld: holdout)."""

    __tablename__ = "outreach"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = fk("customers")
    alert_id: Mapped[int | None] = fk("alerts", nullable=True, ondelete="SET NULL")
    channel: Mapped[str] = mapped_column(String(16), default="email")
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft, exported, sent
    recipient: Mapped[str | None] = mapped_column(String(320))
    subject: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str | None] = mapped_column(Text)
    provider: Mapped[str | None] = mapped_column(String(64))
    model: Mapped[str | None] = mapped_column(String(128))
    template: Mapped[str | None] = mapped_column(String(128))
    holdout: Mapped[bool] = mapped_column(Boolean, default=False)
    # What was sent, for comparing them (Learn): the goal and tone asked for, the draft
    # variant (0 the first, 1 the second version...; NULL: written by hand or logged from
    # elsewhere) and whether the user changed the draft before it went.
    goal: Mapped[str | None] = mapped_column(String(32))
    tone: Mapped[str | None] = mapped_column(String(32))
    variant: Mapped[int | None] = mapped_column(Integer)
    edited: Mapped[bool | None] = mapped_column(Boolean)
    # The offers it made, found when recorded: {"amounts": [cents...], "percents": [...]}
    # (services.outreach.checks.find_offers; NULL: recorded before they were stored).
    offers: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class DraftBatch(Base):
    """One "Draft for all": the customers it was asked for, how, and by whom."""

    __tablename__ = "draft_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(255))  # what was drafted for, in words
    goal: Mapped[str | None] = mapped_column(String(32))  # None: each alert's own goal
    tone: Mapped[str | None] = mapped_column(String(32))
    offline: Mapped[bool] = mapped_column(Boolean, default=False)  # templates only
    created_by: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class BatchDraft(Base):
    """One customer's email in a batch and its review state (models.vocab.BATCH_DRAFT_STATES).

    ``generated_subject`` and ``generated_body`` keep the draft as written, so that an
    edit is known when it goes; ``outreach_id`` is set in the transaction that records
    the email, once.
    """

    __tablename__ = "batch_drafts"
    __table_args__ = (
        UniqueConstraint("batch_id", "customer_id", name="uq_batch_drafts_batch_customer"),
        Index("ix_batch_drafts_batch_state", "batch_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = fk("draft_batches", ondelete="CASCADE")
    position: Mapped[int] = mapped_column(Integer, default=0)
    customer_id: Mapped[int] = fk("customers", ondelete="CASCADE")
    alert_id: Mapped[int | None] = fk("alerts", nullable=True, ondelete="SET NULL")
    state: Mapped[str] = mapped_column(String(16), default="queued")
    skip_reason: Mapped[str | None] = mapped_column(Text)
    recipient: Mapped[str | None] = mapped_column(String(320))
    goal: Mapped[str | None] = mapped_column(String(32))
    tone: Mapped[str | None] = mapped_column(String(32))
    variant: Mapped[int] = mapped_column(Integer, default=0)
    subject: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str | None] = mapped_column(Text)
    generated_subject: Mapped[str | None] = mapped_column(Text)
    generated_body: Mapped[str | None] = mapped_column(Text)
    provider: Mapped[str | None] = mapped_column(String(64))
    model: Mapped[str | None] = mapped_column(String(128))
    template: Mapped[str | None] = mapped_column(String(128))
    checks: Mapped[list[Any] | None] = mapped_column(JSONType)  # the draft's problems, in words
    error: Mapped[str | None] = mapped_column(Text)  # why drafting or sending failed
    outreach_id: Mapped[int | None] = fk("outreach", nullable=True, ondelete="SET NULL")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
