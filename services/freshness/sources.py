"""Each source's history as stored: its landed imports (by the format they were read in)
and the days of the records they brought, over every table an import writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Date, func, select
from sqlalchemy.orm import Session

from models.schema import (
    Contract,
    Customer,
    ImportRun,
    Interaction,
    Opportunity,
    Order,
    Subscription,
    UsageDay,
)

# The record days kept for learning the gap between records: the latest this many, from
# the records of the source's latest RECENT_IMPORTS imports (a source imported every day
# for years reads a few months of its rows, not all of them).
RECORD_DAYS = 120
RECENT_IMPORTS = 60
# Each table an import writes, with the date that says when its record happened.
DATED_COLUMNS: tuple[Any, ...] = (
    Order.order_date,
    Interaction.occurred_at,
    Subscription.started_at,
    Opportunity.created_at,
    Customer.signup_date,
    UsageDay.day,
    Contract.start_date,
)
# The first word of a format's name, as its maker writes it.
VENDORS = {
    "shopify": "Shopify",
    "stripe": "Stripe",
    "hubspot": "HubSpot",
    "salesforce": "Salesforce",
    "zendesk": "Zendesk",
    "mailchimp": "Mailchimp",
    "segment": "Segment",
    "mixpanel": "Mixpanel",
    "amplitude": "Amplitude",
    "pendo": "Pendo",
    "chargebee": "Chargebee",
    "recurly": "Recurly",
    "zuora": "Zuora",
}


@dataclass(frozen=True)
class ImportDay:
    """One landed import: when it started (UTC) and the rows it read."""

    run_id: int
    started_at: dt.datetime
    rows: int


def source_name(key: str) -> str:
    """A format as words: "shopify_orders" -> "Shopify orders", "generic_orders" ->
    "Orders (own file)", "generic" -> "Mapped files"."""
    words = [w for w in key.replace("-", "_").split("_") if w]
    if not words or words == ["generic"]:
        return "Mapped files"
    if words[0] == "generic":
        rest = " ".join(words[1:])
        return f"{rest[:1].upper()}{rest[1:]} (own file)"
    first = VENDORS.get(words[0].lower(), words[0][:1].upper() + words[0][1:])
    return " ".join([first, *words[1:]])


def landed_imports(session: Session) -> dict[str, list[ImportDay]]:
    """The landed imports by format, oldest first (undone, failed and running ones left
    out: they brought nothing that stayed)."""
    rows = session.execute(
        select(ImportRun.id, ImportRun.detected_format, ImportRun.started_at, ImportRun.rows_read)
        .where(ImportRun.status == "landed", ImportRun.detected_format.is_not(None))
        .order_by(ImportRun.started_at, ImportRun.id)
    ).all()
    found: dict[str, list[ImportDay]] = {}
    for run_id, key, started, rows_read in rows:
        when = started if started.tzinfo is not None else started.replace(tzinfo=dt.UTC)
        found.setdefault(str(key), []).append(ImportDay(int(run_id), when, int(rows_read or 0)))
    return found


def record_days(session: Session, run_ids: Sequence[int]) -> list[dt.date]:
    """The distinct days (UTC) of the records the latest RECENT_IMPORTS of these imports
    brought, newest first, at most RECORD_DAYS of them."""
    days: set[dt.date] = set()
    ids = list(run_ids)[-RECENT_IMPORTS:]  # the caller gives them oldest first
    for column in DATED_COLUMNS:
        table = column.table
        day = column if isinstance(column.type, Date) else func.date(column)
        found = session.execute(
            select(day)
            .where(table.c.import_run_id.in_(ids), column.is_not(None))
            .distinct()
            .order_by(day.desc())
            .limit(RECORD_DAYS)
        ).scalars()
        days.update(_as_date(value) for value in found if value is not None)
    return sorted(days, reverse=True)[:RECORD_DAYS]


def _as_date(value: object) -> dt.date:
    """A day as a database gives it back: a date, a datetime, or text on SQLite."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
