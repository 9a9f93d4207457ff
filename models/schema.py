"""The workspace schema: every table of docs/design.md section 4 as typed ORM classes.

Conventions:
- Money is an integer number of cents (hundredths of the currency unit) in a
  BigInteger column whose name ends in ``_cents``; never a float. Hundredths for every
  currency, those without minor units too (¥1,000 is 100000), beside the row's ISO 4217
  ``currency``; services/core/money.py formats them (JPY and KRW without decimals). Sums over
  rows (rollups, scores) are in the workspace's home currency, converted with the user's
  rates; amounts of different currencies are never added at face value.
- Timestamps are ``UTCDateTime`` (naive UTC in storage, aware UTC in Python).
- Every imported row carries ``import_run_id`` so that an import can be undone.
- ``attributes`` keeps every source column the importer did not map.
- Nothing here is SQLite-only: the same classes run on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

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
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, JSONType, UTCDateTime, utcnow
from models.campaigns import CAMPAIGN_INDEX
from models.refunds import last_order_offset_column, refunded_orders_column
from models.score_indexes import TABLE_SCORES_INDEX
from models.sync_receipts import SyncReceipt as SyncReceipt  # re-exported; declared beside
from models.vocab import (  # noqa: F401  (re-exported: the vocabularies of these tables)
    ACTION_KINDS,
    ALERT_STATUSES,
    INTERACTION_KINDS,
    ORDER_STATUSES,
    SEVERITIES,
)


def _fk(table: str, *, nullable: bool = False, ondelete: str = "CASCADE") -> Mapped[Any]:
    return mapped_column(
        ForeignKey(f"{table}.id", ondelete=ondelete), nullable=nullable, index=True
    )


class ImportRun(Base):
    """One import of one file: what it was, what it did, and whether it was undone."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_path: Mapped[str] = mapped_column(Text)
    file_name: Mapped[str] = mapped_column(String(255))
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    detected_format: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str | None] = mapped_column(String(32))
    profile_name: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="running")
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    undone_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


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
    import_run_id: Mapped[int | None] = _fk("import_runs", nullable=True, ondelete="SET NULL")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # When a user ended the quiet period after contact (with a reason, in the audit):
    # contact up to this moment no longer holds outreach or new alerts back.
    quiet_override_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    orders: Mapped[list[Order]] = relationship(back_populates="customer", passive_deletes=True)


class CustomerIdentity(Base):
    """Another source's id for a customer (Shopify id, Zendesk external id, HubSpot record...).

    Identity resolution looks a (source, external_id) up here first, then the normalised
    email; the customer's own (source, external_id) is listed here too.
    """

    __tablename__ = "customer_identities"
    __table_args__ = (UniqueConstraint("source", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = _fk("customers")
    source: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(255))
    import_run_id: Mapped[int | None] = _fk("import_runs", nullable=True, ondelete="SET NULL")


class ImportChange(Base):
    """The values a row had before an import updated it, so that the import can be undone.

    Rows an import inserted are found by their ``import_run_id``; rows it updated are
    restored from ``before`` (column name -> stored value, JSON-safe).
    """

    __tablename__ = "import_changes"
    __table_args__ = (Index("ix_import_changes_table_row", "table_name", "row_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    import_run_id: Mapped[int] = _fk("import_runs")
    table_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[int] = mapped_column(BigInteger)
    before: Mapped[dict[str, Any]] = mapped_column(JSONType)


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
    import_run_id: Mapped[int | None] = _fk("import_runs", nullable=True, ondelete="SET NULL")
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
    rating: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str | None] = mapped_column(String(32))
    satisfaction: Mapped[str | None] = mapped_column(String(32))
    external_id: Mapped[str | None] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(String(64), default="manual")
    attributes: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    import_run_id: Mapped[int | None] = _fk("import_runs", nullable=True, ondelete="SET NULL")
    campaign_type: Mapped[str | None] = mapped_column(Text)  # an email's: models/campaigns.py


class Opportunity(Base):
    """A deal in the pipeline (upsell, renewal, event...)."""

    __tablename__ = "opportunities"
    __table_args__ = (UniqueConstraint("source", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = _fk("customers")
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
    import_run_id: Mapped[int | None] = _fk("import_runs", nullable=True, ondelete="SET NULL")


class Subscription(Base):
    """A contractual relationship (e.g. a Stripe subscription)."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("source", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = _fk("customers")
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
    import_run_id: Mapped[int | None] = _fk("import_runs", nullable=True, ondelete="SET NULL")


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
    import_run_id: Mapped[int | None] = _fk("import_runs", nullable=True, ondelete="SET NULL")


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


class ScoringRun(Base):
    """One scoring run: as-of date, horizon, fitted parameters, chosen model and backtest."""

    __tablename__ = "scoring_runs"
    __table_args__ = (Index("ix_scoring_runs_asof", "as_of", "horizon_days"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[dt.date] = mapped_column(Date)
    horizon_days: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="running")
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    customers: Mapped[int] = mapped_column(Integer, default=0)
    model_version: Mapped[str | None] = mapped_column(String(64))
    chosen_model: Mapped[str | None] = mapped_column(String(32))
    # The workspace configuration version the run used (settings changes bump it).
    config_version: Mapped[int] = mapped_column(Integer, default=0)
    # Fitted parameters: BG/NBD, Gamma-Gamma, classifier summary.
    params: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # Backtest on the most recent complete horizon: AUC, Brier, calibration table, lift.
    backtest: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    notes: Mapped[str | None] = mapped_column(Text)


class ScoreSnapshot(Base):
    """One customer's scores as of a date for a horizon; kept over time for trends."""

    __tablename__ = "score_snapshots"
    __table_args__ = (
        Index("ix_score_snapshots_customer_asof", "customer_id", "as_of"),
        Index("ix_score_snapshots_asof", "as_of", "horizon_days"),
        TABLE_SCORES_INDEX,  # one run's scores as the customers table shows them (0020)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    as_of: Mapped[dt.date] = mapped_column(Date)
    horizon_days: Mapped[int] = mapped_column(Integer)
    engagement_score: Mapped[float | None] = mapped_column(Float)
    churn_risk: Mapped[float | None] = mapped_column(Float)
    predicted_orders: Mapped[float | None] = mapped_column(Float)
    predicted_revenue_cents: Mapped[int | None] = mapped_column(BigInteger)
    clv_12m_cents: Mapped[int | None] = mapped_column(BigInteger)
    segment: Mapped[str | None] = mapped_column(String(64))
    health_score: Mapped[float | None] = mapped_column(Float)
    confidence: Mapped[str | None] = mapped_column(String(8))
    drivers: Mapped[list[Any] | dict[str, Any] | None] = mapped_column(JSONType)
    model_version: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    scoring_run_id: Mapped[int | None] = _fk("scoring_runs", nullable=True)
    p_alive: Mapped[float | None] = mapped_column(Float)
    revenue_at_risk_cents: Mapped[int | None] = mapped_column(BigInteger)
    # Per-component contributions (engagement, health) and model figures: the explanation.
    components: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # 80% intervals (services/scoring/intervals.py); NULL in snapshots scored before them.
    churn_risk_low: Mapped[float | None] = mapped_column(Float)
    churn_risk_high: Mapped[float | None] = mapped_column(Float)
    predicted_orders_low: Mapped[float | None] = mapped_column(Float)
    predicted_orders_high: Mapped[float | None] = mapped_column(Float)
    clv_12m_low_cents: Mapped[int | None] = mapped_column(BigInteger)
    clv_12m_high_cents: Mapped[int | None] = mapped_column(BigInteger)


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
    score_snapshot_id: Mapped[int | None] = _fk(
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
    customer_id: Mapped[int] = _fk("customers")
    alert_id: Mapped[int | None] = _fk("alerts", nullable=True, ondelete="SET NULL")
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
    customer_id: Mapped[int] = _fk("customers")
    action_id: Mapped[int | None] = _fk("actions", nullable=True, ondelete="SET NULL")
    assignee: Mapped[str | None] = mapped_column(String(255))
    emailed_to: Mapped[str | None] = mapped_column(String(255))
    email_problem: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


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
    customer_id: Mapped[int] = _fk("customers")
    alert_id: Mapped[int | None] = _fk("alerts", nullable=True, ondelete="SET NULL")
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
    run_id: Mapped[int] = _fk("playbook_runs")
    position: Mapped[int] = mapped_column(Integer)
    day_offset: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    due_date: Mapped[dt.date] = mapped_column(Date)
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    skipped_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    done_by: Mapped[str | None] = mapped_column(String(255))


class Outreach(Base):
    """An email drafted, exported or sent to a customer (or withheld: holdout)."""

    __tablename__ = "outreach"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = _fk("customers")
    alert_id: Mapped[int | None] = _fk("alerts", nullable=True, ondelete="SET NULL")
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
    batch_id: Mapped[int] = _fk("draft_batches", ondelete="CASCADE")
    position: Mapped[int] = mapped_column(Integer, default=0)
    customer_id: Mapped[int] = _fk("customers", ondelete="CASCADE")
    alert_id: Mapped[int | None] = _fk("alerts", nullable=True, ondelete="SET NULL")
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
    outreach_id: Mapped[int | None] = _fk("outreach", nullable=True, ondelete="SET NULL")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class MappingProfile(Base):
    """A saved column mapping for a file header that no built-in format recognises."""

    __tablename__ = "mapping_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    header_signature: Mapped[str] = mapped_column(String(64), index=True)
    mapping: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


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


ALL_TABLES = [t.name for t in Base.metadata.sorted_tables]
