"""What was exported to which CRM: one row per activities export, so that the next export
to the same CRM writes only the activities logged since (services/crm_files)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow


class CrmExport(Base):
    """An activities file written for a CRM: the target, the last activity it holds."""

    __tablename__ = "crm_exports"
    __table_args__ = (Index("ix_crm_exports_target", "target", "last_interaction_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # models.vocab.CRM_TARGETS: salesforce, hubspot, csv.
    target: Mapped[str] = mapped_column(String(16))
    # The highest interaction id the file holds: the next export starts after it.
    last_interaction_id: Mapped[int] = mapped_column(Integer)
    # The same for the tasks (actions) and the audited changes (audit_events) it holds.
    last_action_id: Mapped[int] = mapped_column(Integer, default=0)
    last_event_id: Mapped[int] = mapped_column(Integer, default=0)
    rows: Mapped[int] = mapped_column(Integer)
    path: Mapped[str | None] = mapped_column(Text)
    exported_by: Mapped[str | None] = mapped_column(String(255))
    exported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
