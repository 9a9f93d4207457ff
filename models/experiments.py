"""Strategy experiments (services/alerts/experiments.py): two or more ways of reaching a
customer tried against each other within the outreach arm, and which alert got which.

Beside the schema's modules (models/schema/), imported wherever its tables are registered.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, JSONType, UTCDateTime, utcnow
from models.vocab import EXPERIMENT_KINDS, EXPERIMENT_STATUSES  # noqa: F401  (re-exported)


class Experiment(Base):
    """One experiment: its strategies (a list of {"key", "label", "value"}; ``kind`` from
    models.vocab.EXPERIMENT_KINDS says what the value sets), which alerts take part (risk
    rules and bands), the seed of its draw, the draw counters per band, and when it ran."""

    __tablename__ = "experiments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))
    strategies: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    rules: Mapped[list[str]] = mapped_column(JSONType)
    bands: Mapped[list[str]] = mapped_column(JSONType)
    seed: Mapped[int] = mapped_column(Integer)
    draws: Mapped[dict[str, int]] = mapped_column(JSONType, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="running")
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[str | None] = mapped_column(String(255))
    note: Mapped[str | None] = mapped_column(Text)


class ExperimentAssignment(Base):
    """The strategy one alert was given: its band, the block and position of the draw
    (as the holdout's), and when. An alert takes part in one experiment at most."""

    __tablename__ = "experiment_assignments"
    __table_args__ = (UniqueConstraint("alert_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    experiment_id: Mapped[int] = mapped_column(
        ForeignKey("experiments.id", ondelete="CASCADE"), index=True
    )
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    strategy: Mapped[str] = mapped_column(String(64))
    band: Mapped[str] = mapped_column(String(16))
    block: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    assigned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
