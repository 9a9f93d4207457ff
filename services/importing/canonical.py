"""The canonical form every importer produces, and the writer consumes.

A file is read into a table of strings (services/importing/reader.py), a format adapter
(services/importing/formats/) or a generic mapping turns it into a ``Batch`` of canonical
pandas DataFrames — one per kind, typed and validated — plus the rows it had to reject,
and services/importing/writer.py resolves identities and upserts the batch in one
transaction. Adapters never touch the database; the writer never looks at source columns.

Column conventions (every frame; a column that a source does not have may be absent):
- ``row``: the source row number a user sees in a spreadsheet (the header is row 1, the
  first data record is row 2; a record with quoted embedded newlines is still one row).
  Rejects and reports cite it.
- ``source``: where the record comes from: "salesforce", "hubspot", "zendesk", "shopify",
  "stripe", "mailchimp", "email_activity", or for generic files "generic" (or the
  mapping profile's source name). With ``external_id`` it is the record's identity.
- Money: ``*_cents`` int64 (minor units, never float), with ``currency`` (ISO code,
  default "USD").
- Timestamps: pandas datetime64[ns, UTC] (converted from whatever offset the file had;
  naive values are taken as UTC unless the adapter knows the zone). Dates: ``datetime.date``
  objects (object dtype) or NaT/None.
- Text stays text: no cell is evaluated or stripped of a leading = + - @.
- ``attributes``: dict of every source column the adapter did not map (column name ->
  original string, empty cells left out), or None.

Customer references (orders, interactions, opportunities, subscriptions, contracts): the
writer finds the customer by ``customer_source`` + ``customer_external_id`` in
customer_identities, then by ``customer_email`` (trimmed, lower-cased), and creates the
customer when neither matches, from ``customer_email``, ``customer_name`` and
``customer_company``. A record with
no usable reference at all is either a guest (``guest`` True: the writer attaches it to the
source's single guest customer, which is flagged and excluded from customer counts and
scoring) or rejected by the adapter with the reason "no customer id or email".

Customer records may carry ``identities``: a list of (source, external_id) pairs that
name the same customer in another system (Salesforce Contact.Shopify_Customer_Id__c ->
("shopify", id); Contact.AccountId -> ("salesforce", AccountId)). The writer records them
in customer_identities so that later files referring to those ids find this customer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from models.vocab import RECORD_KINDS

if TYPE_CHECKING:
    import pandas as pd

KINDS = RECORD_KINDS

CUSTOMER_REF = (
    "customer_source",
    "customer_external_id",
    "customer_email",
    "customer_name",
    "customer_company",
    "guest",
)

# The longest text the import keeps in a free-text column (the schema's Text columns);
# the others are capped at their String(n) length (text_limits()).
LONG_TEXT_LIMITS = {"subject": 1_000, "text": 20_000, "name": 255}
# The longest text kept in one value of ``attributes`` (a column the import did not map,
# kept with the record as it was written).
ATTRIBUTE_LIMIT = 2_000
# A customer reference in a record frame is capped like the customers column it fills.
REF_COLUMNS = {
    "customer_email": "email",
    "customer_name": "name",
    "customer_company": "company",
    "customer_external_id": "external_id",
    "customer_source": "source",
}


def text_limits(kind: str) -> dict[str, int]:
    """The longest value kept in each text column of a kind's frame (characters)."""
    from sqlalchemy import String, Text

    import models.schema  # noqa: F401  (the tables are declared there)
    from models.base import Base

    def limits(table_name: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for column in Base.metadata.tables[table_name].columns:
            kind_ = column.type
            if isinstance(kind_, Text):
                if column.name in LONG_TEXT_LIMITS:
                    out[column.name] = LONG_TEXT_LIMITS[column.name]
            elif isinstance(kind_, String) and kind_.length:
                out[column.name] = int(kind_.length)
        return out

    own = limits(kind) if kind in Base.metadata.tables else {}
    customers = limits("customers")
    own.update({ref: customers[col] for ref, col in REF_COLUMNS.items() if col in customers})
    return own


# kind -> the canonical columns (besides "row", "source", "external_id", "attributes").
COLUMNS: dict[str, tuple[str, ...]] = {
    "customers": (
        "email",
        "name",
        "company",
        "phone",
        "owner",
        "tier",
        "region",
        "signup_date",
        "do_not_contact",
        # When they opted out of activity tracking (a CRM's field): the import's time.
        "tracking_opted_out_at",
        "identities",
    ),
    "orders": CUSTOMER_REF
    + (
        "order_date",
        "utc_offset_minutes",
        "amount_cents",
        "currency",
        "status",
        "channel",
        "category",
        "items",
    ),
    "interactions": CUSTOMER_REF
    + (
        "kind",
        "occurred_at",
        "utc_offset_minutes",
        "channel",
        "subject",
        "text",
        "sentiment",
        "rating",
        "status",
        "satisfaction",
    ),
    "opportunities": CUSTOMER_REF
    + (
        "name",
        "type",
        "stage",
        "amount_cents",
        "currency",
        "probability",
        "created_at",
        "stage_changed_at",
        "close_date",
        "closed",
        "won",
        "owner",
    ),
    "subscriptions": CUSTOMER_REF
    + (
        "plan",
        "status",
        "started_at",
        "current_period_end",
        "canceled_at",
        "cancel_at_period_end",
        "amount_cents",
        "currency",
        "interval",
    ),
    # One person at an account (models/schema/contacts.py): the customer reference names
    # the account; ``email_normalized`` is the adapter's (values.email_key).
    "contacts": CUSTOMER_REF + ("name", "email", "email_normalized", "title", "phone", "role"),
    # One contract term (models/schema/renewals.py); ``subscription_id`` is filled by the
    # writer from ``subscription_external_id`` (a contract derived from a subscription).
    "contracts": CUSTOMER_REF
    + (
        "name",
        "start_date",
        "end_date",
        "amount_cents",
        "currency",
        "period",
        "auto_renew",
        "notice_days",
        "seats",
        "outcome",
        "renewed_amount_cents",
        "decided_on",
        "owner",
        "subscription_id",
    ),
}


def _stored(kind: str) -> tuple[str, ...]:
    own = tuple(c for c in COLUMNS[kind] if c not in CUSTOMER_REF and c != "identities")
    if kind == "customers":
        # The writer fills email_normalized from email (the identity key).
        own = ("email", "email_normalized", *(c for c in own if c != "email"))
    if kind in ("orders", "interactions"):
        # The writer fills the person at the account (services/importing/person_records.py).
        own = (*own, "contact_id")
    return ("external_id", "source", *own, "attributes")


# Stored columns per table (besides id, customer_id, import_run_id), in insert order: the
# canonical columns of each kind without the customer references, which the writer turns
# into customer_id. Derived here so that a field added to COLUMNS is stored too.
STORED_COLUMNS: dict[str, tuple[str, ...]] = {kind: _stored(kind) for kind in KINDS}


@dataclass(frozen=True)
class Reject:
    """A row that could not be read: where it is and why, in plain words."""

    file: str
    row: int
    reason: str


@dataclass
class Batch:
    """What one file holds, in canonical form: frames by kind, and the rejected rows."""

    file: str
    detected_format: str  # e.g. "shopify_orders_export", "generic_orders"
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    rejects: list[Reject] = field(default_factory=list)
    rows_read: int = 0
    # Notes for the report ("27 cancelled orders kept with status cancelled").
    notes: list[str] = field(default_factory=list)
