"""The workspace schema: every table of docs/design.md section 4 as typed ORM classes, one
module per feature's tables, all of them importable from here.

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

Importing this package registers every table below on ``Base.metadata``; the strategy
experiments' tables are declared in models/experiments.py and registered by importing it.
"""

from __future__ import annotations

from models.base import Base
from models.schema.alerts import Action, Alert, AlertRule, Escalation
from models.schema.contacts import Contact, ContactChange
from models.schema.crm import CrmExport
from models.schema.customers import Customer, CustomerIdentity, CustomerRollup
from models.schema.imports import ImportChange, ImportRun, MappingProfile
from models.schema.outreach import BatchDraft, DraftBatch, Outreach
from models.schema.playbooks import PlaybookRun, PlaybookStep
from models.schema.records import Interaction, Opportunity, Order, Subscription
from models.schema.renewals import Contract, RenewalCall, RenewalForecast
from models.schema.scoring import ScoreSnapshot, ScoringRun
from models.schema.team import AuditEvent, DemoTruth, Setting, TeamMember
from models.schema.usage import UsageDay
from models.sync_receipts import SyncReceipt
from models.vocab import (  # the vocabularies of these tables
    ACTION_KINDS,
    ALERT_STATUSES,
    INTERACTION_KINDS,
    ORDER_STATUSES,
    SEVERITIES,
)

__all__ = [
    "ACTION_KINDS",
    "ALERT_STATUSES",
    "ALL_TABLES",
    "INTERACTION_KINDS",
    "ORDER_STATUSES",
    "SEVERITIES",
    "Action",
    "Alert",
    "AlertRule",
    "AuditEvent",
    "BatchDraft",
    "Contact",
    "ContactChange",
    "Contract",
    "CrmExport",
    "Customer",
    "CustomerIdentity",
    "CustomerRollup",
    "DemoTruth",
    "DraftBatch",
    "Escalation",
    "ImportChange",
    "ImportRun",
    "Interaction",
    "MappingProfile",
    "Opportunity",
    "Order",
    "Outreach",
    "PlaybookRun",
    "PlaybookStep",
    "RenewalCall",
    "RenewalForecast",
    "ScoreSnapshot",
    "ScoringRun",
    "Setting",
    "Subscription",
    "SyncReceipt",
    "TeamMember",
    "UsageDay",
]

ALL_TABLES = [t.name for t in Base.metadata.sorted_tables]
