"""The rules that raise alerts, the alerts, what was done about them and what was escalated."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, JSONType, UTCDateTime, utcnow
from models.schema.keys import fk


class AlertRule(Base):
    """A rule that raises alerts, with its parameters and severity."""

    __tablename__ = "alert_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    severity: Mapped[str] = mapped_column(String(16))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    params: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


_ACTIVE_ALERT = text("status IN ('open', 'snoozed', 'in_progress')")


class Alert(Base):
    """A flagged customer: why, how urgent, and where it is in its lifecycle.

    ``cleared_at`` is when a scoring first found the rule's condition no longer met (None
    while it holds); services/alerts documents what happens to such alerts.
    """

    __tablename__ = "alerts"
    __table_args__ = (
        Index("ix_alerts_status_priority", "status", "priority_cents"),
        Index("ix_alerts_customer_rule", "customer_id", "rule_key"),
        # One active alert per customer and rule, even with two writers at once.
        Index(
            "uq_alerts_active_customer_rule",
            "customer_id",
            "rule_key",
            unique=True,
            sqlite_where=_ACTIVE_ALERT,
            postgresql_where=_ACTIVE_ALERT,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    rule_key: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="open")
    reason: Mapped[str] = mapped_column(Text)
    drivers: Mapped[list[Any] | dict[str, Any] | None] = mapped_column(JSONType)
    priority_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    owner: Mapped[str | None] = mapped_column(String(255))
    score_snapshot_id: Mapped[int | None] = fk(
        "score_snapshots", nullable=True, ondelete="SET NULL"
    )
    snoozed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    snooze_until_clear: Mapped[bool] = mapped_column(Boolean, default=False)
    outcome: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    cleared_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Learn's holdout (services/alerts/holdout.py), decided once when the alert is raised:
    # ``holdout`` true means no outreach is suggested for it; ``holdout_band`` is the risk
    # band it was drawn in (models.vocab.RISK_BANDS; NULL: raised with the holdout off or
    # before it existed, so the alert is in no group). A held-out customer contacted
    # anyway keeps the flag, with when and why: Learn then counts them in neither group.
    holdout: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    holdout_band: Mapped[str | None] = mapped_column(String(16))
    holdout_contacted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    holdout_contact_reason: Mapped[str | None] = mapped_column(Text)
    # Bumped by every change a person (or a job) makes: an action sent with the version
    # the user saw is refused when someone else changed the alert meanwhile. The ORM
    # bumps it itself and adds "AND version = <the version read>" to every UPDATE of an
    # alert (0 rows matched raises StaleDataError); the services' bulk UPDATEs bump it in
    # their SQL (services/alerts/conflict.py says which changes count).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    __mapper_args__ = {"version_id_col": version}


class Action(Base):
    """Something an account manager did or plans to do: a task, a call, a note."""

    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = fk("customers")
    alert_id: Mapped[int | None] = fk("alerts", nullable=True, ondelete="SET NULL")
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(255))
    body: Mapped[str | None] = mapped_column(Text)
    # A call's outcome (models.vocab.CALL_OUTCOMES); NULL for other kinds and for calls
    # logged before outcomes existed (they count as a conversation).
    outcome: Mapped[str | None] = mapped_column(String(16))
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Escalation(Base):
    """A cause that was escalated (services/alerts/escalation.py): never twice."""

    __tablename__ = "escalations"

    id: Mapped[int] = mapped_column(primary_key=True)
    cause_key: Mapped[str] = mapped_column(String(255), unique=True)
    rule_key: Mapped[str] = mapped_column(String(32))
    customer_id: Mapped[int] = fk("customers")
    action_id: Mapped[int | None] = fk("actions", nullable=True, ondelete="SET NULL")
    assignee: Mapped[str | None] = mapped_column(String(255))
    emailed_to: Mapped[str | None] = mapped_column(String(255))
    email_problem: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
