"""Zendesk Support CSV ticket export -> ticket interactions.

Each ticket is an interaction of kind "ticket" (source "zendesk", external_id the ticket
Id) at its "Created at" time (account-local with a UTC offset, converted to UTC), with
its Subject, Status, channel (from "Via") and Satisfaction Score (good, bad, offered,
unoffered; lower-cased). The requester is found by ("shopify", Requester external id),
then by Requester email. Custom fields ("Categories [list]", "Order Number [txt]") go to
attributes under their plain names ("Categories", "Order Number"), with every other
column not mapped.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from services.importing import values
from services.importing.canonical import Batch
from services.importing.formats._base import (
    BaseAdapter,
    Columns,
    RowErrors,
    attribute_dicts,
    value_where,
)

if TYPE_CHECKING:
    from services.importing.reader import RawTable

# "Name [list]", "Name [txt]", "Name [int]", "Name [date]", "Name [checkbox]"...
_CUSTOM_FIELD = re.compile(r"^(?P<name>.*\S)\s*\[[a-z_ ]+\]$", re.IGNORECASE)
_SATISFACTION = {
    "good": "good",
    "bad": "bad",
    "offered": "offered",
    "unoffered": "unoffered",
    "not offered": "unoffered",
    "good, i'm satisfied": "good",
    "bad, i'm unsatisfied": "bad",
}
_CHANNELS = (
    ("mail", "email"),
    ("email", "email"),
    ("chat", "chat"),
    ("messag", "chat"),
    ("phone", "phone"),
    ("voice", "phone"),
    ("web", "web"),
    ("api", "web"),
)


def _channel(via: pd.Series) -> np.ndarray:
    lowered = via.astype(str).str.strip().str.lower()
    out = np.full(len(lowered), None, dtype=object)
    for key, channel in _CHANNELS[::-1]:
        out[lowered.str.contains(key, regex=False).to_numpy()] = channel
    return out


class ZendeskTickets(BaseAdapter):
    """Zendesk ticket export."""

    name = "zendesk_tickets"
    title = "Zendesk tickets export"
    kinds = ("interactions",)
    source = "zendesk"
    required = (
        ("Id", "Requester", "Subject", "Status", "Created at", "Requester email"),
        ("Id", "Requester", "Subject", "Status", "Created at", "Requester id"),
    )

    def convert(self, table: RawTable) -> Batch:
        """Tickets -> ticket interactions."""
        frame, rows = self.data_of(table)
        cols = Columns(frame)
        n = len(frame)
        errors = RowErrors(n)
        ticket_id, _ = values.clean_text(cols.get("Id"))
        errors.add(ticket_id.isna().to_numpy(), "missing ticket id (Id)")
        created_text = cols.get("Created at")
        created, bad_created = values.parse_datetimes(created_text)
        errors.add_bad(bad_created, created_text, "a date and time", "Created at")
        errors.add(created.isna().to_numpy(), "missing ticket date (Created at)")
        email_text = cols.get("Requester email")
        email, bad_email = values.normalize_email(email_text)
        errors.add_bad(bad_email, email_text, "an email address", "Requester email")
        external, _ = values.clean_text(cols.get("Requester external id"))
        errors.add((email.isna() & external.isna()).to_numpy(), "no customer id or email")
        requester, _ = values.clean_text(cols.get("Requester"))
        subject, _ = values.clean_text(cols.get("Subject"))
        status, _ = values.clean_text(cols.get("Status"))
        score_text = cols.get("Satisfaction Score").astype(str).str.strip().str.lower()
        satisfaction = score_text.map(_SATISFACTION)
        unknown = (score_text != "") & satisfaction.isna()
        # An unknown rating is kept as written rather than rejecting the ticket.
        satisfaction = satisfaction.where(~unknown, score_text).where(score_text != "", None)
        channel = _channel(cols.get("Via", use=False))
        # Custom fields by their plain name; other unmapped columns as they are.
        keep = cols.unused()
        keys = []
        for column in keep:
            match = _CUSTOM_FIELD.match(column)
            keys.append(match.group("name") if match else column)
        out = pd.DataFrame(
            {
                "row": rows.astype("int64"),
                "source": self.source,
                "external_id": ticket_id.to_numpy(dtype=object),
                "customer_source": value_where(external.notna(), "shopify"),
                "customer_external_id": external.to_numpy(dtype=object),
                "customer_email": email.to_numpy(dtype=object),
                "customer_name": requester.to_numpy(dtype=object),
                "customer_company": None,
                "guest": False,
                "kind": "ticket",
                "channel": channel,
                "subject": subject.to_numpy(dtype=object),
                "text": None,
                "status": status.to_numpy(dtype=object),
                "satisfaction": satisfaction.to_numpy(dtype=object),
                "attributes": attribute_dicts(frame, keep, keys=keys),
            }
        )
        out["occurred_at"] = created.reset_index(drop=True)
        out["utc_offset_minutes"] = values.event_offsets(created_text).to_numpy()
        counts = pd.Series(out.loc[errors.ok, "satisfaction"]).value_counts()
        notes = (
            ["satisfaction: " + ", ".join(f"{int(v):,} {k}" for k, v in counts.items())]
            if len(counts)
            else []
        )
        return self.batch(
            table,
            {"interactions": out[errors.ok].reset_index(drop=True)},
            errors.rejects(self.file_of(table), rows),
            n,
            notes,
        )
