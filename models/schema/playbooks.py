"""The playbooks started on customers and their steps."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow
from models.schema.keys import fk

_RUNNING_PLAYBOOK = text("stopped_at IS NULL")


class PlaybookRun(Base):
    """A playbook started on an alert's customer (services/alerts/playbooks.py): which
    one, when and by whom, and when and why it stopped (models.vocab.PLAYBOOK_STOP_REASONS;
    NULL while it runs). At most one runs per customer."""

    __tablename__ = "playbook_runs"
    __table_args__ = (
        Index(
            "uq_playbook_runs_running_customer",
            "customer_id",
            unique=True,
            sqlite_where=_RUNNING_PLAYBOOK,
            postgresql_where=_RUNNING_PLAYBOOK,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = fk("customers")
    alert_id: Mapped[int | None] = fk("alerts", nullable=True, ondelete="SET NULL")
    playbook: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_by: Mapped[str | None] = mapped_column(String(255))
    stopped_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    stop_reason: Mapped[str | None] = mapped_column(String(32))
    stopped_by: Mapped[str | None] = mapped_column(String(255))


class PlaybookStep(Base):
    """One step of a running playbook: its day (from the start), what to do
    (models.vocab.PLAYBOOK_STEP_KINDS), its due date, and when it was done or skipped."""

    __tablename__ = "playbook_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = fk("playbook_runs")
    position: Mapped[int] = mapped_column(Integer)
    day_offset: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    due_date: Mapped[dt.date] = mapped_column(Date)
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    skipped_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    done_by: Mapped[str | None] = mapped_column(String(255))
