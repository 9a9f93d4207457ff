"""Contracts and their renewals: each contract's term and recurring amount, the model's
likelihood that it renews (one row a scoring run and contract), and the owner's own call
at the checkpoints before the renewal date.

A contract comes from an import (a plain contracts CSV, Chargebee / Recurly / Zuora
subscriptions exports, Salesforce or HubSpot renewal opportunities) or from a Stripe
subscription already imported (``subscription_id``). Its renewal date is ``end_date``; once
that date has passed, ``outcome`` says what happened (renewed, churned) and
``renewed_amount_cents`` the recurring amount it renewed at, so expansion and contraction
at renewal read from one row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Float,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, JSONType, UTCDateTime, utcnow
from models.schema.keys import fk


class Contract(Base):
    """One contract term: customer, start and end (the renewal date), the recurring amount
    in cents a billing period (``period``: month, quarter, year), auto-renew and the
    notice period in days, and once decided its outcome."""

    __tablename__ = "contracts"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        Index("ix_contracts_end_date", "end_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = fk("customers")
    external_id: Mapped[str | None] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(String(64), default="manual")
    name: Mapped[str | None] = mapped_column(String(255))  # plan or contract name
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)  # the renewal date
    amount_cents: Mapped[int] = mapped_column(BigInteger)  # recurring, a period
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    period: Mapped[str] = mapped_column(String(16), default="year")  # month, quarter, year
    auto_renew: Mapped[bool] = mapped_column(Boolean, default=False)
    notice_days: Mapped[int] = mapped_column(Integer, default=0)
    seats: Mapped[int | None] = mapped_column(Integer)
    # open (not yet decided), renewed, churned; decided once the end date has passed
    outcome: Mapped[str] = mapped_column(String(16), default="open")
    renewed_amount_cents: Mapped[int | None] = mapped_column(BigInteger)
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    renewal_of_id: Mapped[int | None] = fk("contracts", nullable=True, ondelete="SET NULL")
    subscription_id: Mapped[int | None] = fk("subscriptions", nullable=True, ondelete="SET NULL")
    owner: Mapped[str | None] = mapped_column(String(255))
    attributes: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    import_run_id: Mapped[int | None] = fk("import_runs", nullable=True, ondelete="SET NULL")
    # A hash of the file row it was imported from (services/importing/rowhash.py).
    row_hash: Mapped[int | None] = mapped_column(BigInteger)


class RenewalForecast(Base):
    """The model's likelihood that a contract renews, as a scoring run saw it: the
    calibrated chance, the model that gave it (fitted, or the cold-start fallback), and its
    drivers in words."""

    __tablename__ = "renewal_forecasts"
    __table_args__ = (UniqueConstraint("run_id", "contract_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = fk("scoring_runs")
    contract_id: Mapped[int] = fk("contracts")
    customer_id: Mapped[int] = fk("customers")
    as_of: Mapped[dt.date] = mapped_column(Date)
    likelihood: Mapped[float] = mapped_column(Float)
    model: Mapped[str] = mapped_column(String(32))  # fitted, cold_start
    drivers: Mapped[list[Any] | None] = mapped_column(JSONType)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class RenewalCall(Base):
    """The owner's own call on a renewal at a checkpoint before its date (months before:
    6 and 3 by default): commit, likely, at_risk or lost, with a note. The latest call a
    contract and checkpoint is the one that counts; earlier ones stay as its history."""

    __tablename__ = "renewal_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = fk("contracts")
    customer_id: Mapped[int] = fk("customers")
    checkpoint_months: Mapped[int] = mapped_column(Integer)
    call: Mapped[str] = mapped_column(String(16))  # commit, likely, at_risk, lost
    note: Mapped[str | None] = mapped_column(Text)
    made_by: Mapped[str | None] = mapped_column(String(255))
    made_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The model's likelihood when the call was made, kept so that forecast against actual
    # compares the two as they stood.
    model_likelihood: Mapped[float | None] = mapped_column(Float)
