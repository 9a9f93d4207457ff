"""The workspace's audit, its settings, the people of a shared workspace, and a demo
workspace's simulated truth."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, JSONType, UTCDateTime, utcnow


class AuditEvent(Base):
    """Who did what, when: every state change a user or a job makes."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str | None] = mapped_column(String(64))
    entity_id: Mapped[int | None] = mapped_column(BigInteger)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # The database user who wrote it, set by the database itself on a shared workspace
    # (a trigger, services/team/security.py); NULL in a workspace file.
    db_user: Mapped[str | None] = mapped_column(String(255))


class Setting(Base):
    """A workspace setting (JSON value); settings travel with the workspace."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONType)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class TeamMember(Base):
    """A person of a shared workspace (PostgreSQL): their database role, what they may do
    (models.vocab.TEAM_ROLES) and whose book is theirs (the customers' ``owner``).

    Written only by an admin (``team add-user``); the row-level security policies of
    services/team/security.py read it with ``current_user``, which no client can set.
    Empty in a workspace file of one's own."""

    __tablename__ = "team_members"

    db_role: Mapped[str] = mapped_column(String(63), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    owner_name: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class DemoTruth(Base):
    """What a demo workspace's simulation decided, kept beside the data it generated so
    that a benchmark or a test can grade the app against it: one row per part (outreach,
    usage, renewals, calls, people), its JSON body. Per customer or per contract, it grows
    with the book, so it is kept here rather than in the demo marker (the setting
    ``workspace.demo``: how the demo was built), which every settings read loads.
    Empty in a workspace of real data (services/demo/truth.py)."""

    __tablename__ = "demo_truths"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    body: Mapped[Any] = mapped_column(JSONType, nullable=True)
    built_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
