"""Product usage, summed per customer and day on import."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, JSONType
from models.schema.keys import fk


class UsageDay(Base):
    """A customer's product usage on one local day (or one week, ``period_days`` 7, when the
    source gave weekly aggregates), summed on import from a product-analytics export
    (Segment, Mixpanel, Amplitude, Pendo or an aggregate file): raw events are never kept.

    ``users`` holds short keys of the people active that day, so that active users over a
    week or a month count each person once; ``features`` counts the uses of each feature.
    One row per customer, source and day: the figures of several files add up.
    """

    __tablename__ = "usage_days"
    __table_args__ = (
        UniqueConstraint("customer_id", "source", "day"),
        Index("ix_usage_days_day", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(64))
    day: Mapped[dt.date] = mapped_column(Date)
    period_days: Mapped[int] = mapped_column(SmallInteger, default=1)
    events: Mapped[int] = mapped_column(Integer, default=0)
    sessions: Mapped[int | None] = mapped_column(Integer)
    logins: Mapped[int | None] = mapped_column(Integer)
    active_users: Mapped[int | None] = mapped_column(Integer)
    minutes: Mapped[float | None] = mapped_column(Float)
    documents_viewed: Mapped[int | None] = mapped_column(Integer)
    features: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    users: Mapped[list[str] | None] = mapped_column(JSONType)
    import_run_id: Mapped[int | None] = fk("import_runs", nullable=True, ondelete="SET NULL")
