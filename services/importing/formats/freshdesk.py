"""Freshdesk ticket export (CSV) -> ticket interactions.

Each ticket is an interaction of kind "ticket" (source "freshdesk", external_id the
Ticket ID) at its "Created time" (the helpdesk's time zone, read as UTC when the file does
not say), with its Subject, Description, Status and channel (from "Source": Email, Phone,
Chat, Portal...). The requester is found by the contact's "Email"; "Full name" names them.
Priority, Type, Tags, the agent and every other column go to attributes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from services.importing import values
from services.importing.canonical import Batch
from services.importing.formats._base import BaseAdapter, Columns, RowErrors, attribute_dicts

if TYPE_CHECKING:
    from services.importing.reader import RawTable

_CHANNELS = {
    "email": "email",
    "phone": "phone",
    "chat": "chat",
    "portal": "web",
    "feedback widget": "web",
    "outbound email": "email",
}
_QUOTED = ("'=", "'+", "'-", "'@")


def _plain(column: pd.Series) -> pd.Series:
    text, _ = values.clean_text(column)
    quoted = text.map(lambda v: isinstance(v, str) and v.startswith(_QUOTED))
    return text.where(~quoted, text.str[1:]).astype(object)


class FreshdeskTickets(BaseAdapter):
    """Freshdesk ticket export."""

    name = "freshdesk_tickets"
    title = "Freshdesk tickets export"
    kinds = ("interactions",)
    source = "freshdesk"
    required = (("Ticket ID", "Subject", "Status", "Priority", "Created time"),)

    def convert(self, table: RawTable) -> Batch:
        """Tickets -> ticket interactions."""
        frame, rows = self.data_of(table)
        cols = Columns(frame)
        n = len(frame)
        errors = RowErrors(n)
        ticket_id, _ = values.clean_text(cols.get("Ticket ID"))
        errors.add(ticket_id.isna().to_numpy(), "missing ticket id (Ticket ID)")
        created_text = cols.get("Created time")
        created, bad_created = values.parse_datetimes(created_text)
        errors.add_bad(bad_created, created_text, "a date and time", "Created time")
        errors.add(created.isna().to_numpy(), "missing ticket date (Created time)")
        email_text = cols.get("Email")
        email, bad_email = values.normalize_email(email_text)
        errors.add_bad(bad_email, email_text, "an email address", "Email")
        errors.add(email.isna().to_numpy(), "no customer id or email")
        name, _ = values.clean_text(cols.get("Full name"))
        source_words = cols.get("Source").astype(str).str.strip().str.lower()
        channel = source_words.map(_CHANNELS).where(source_words != "", None)
        out = pd.DataFrame(
            {
                "row": rows.astype("int64"),
                "source": self.source,
                "external_id": ticket_id.to_numpy(dtype=object),
                "customer_source": None,
                "customer_external_id": None,
                "customer_email": email.to_numpy(dtype=object),
                "customer_name": name.to_numpy(dtype=object),
                "customer_company": None,
                "guest": False,
                "kind": "ticket",
                "channel": np.asarray(channel.astype(object).to_numpy(), dtype=object),
                "subject": _plain(cols.get("Subject")).to_numpy(dtype=object),
                "text": _plain(cols.get("Description")).to_numpy(dtype=object),
                "status": _plain(cols.get("Status")).to_numpy(dtype=object),
                "satisfaction": None,
                "attributes": attribute_dicts(frame, cols.unused()),
            }
        )
        out["occurred_at"] = created.reset_index(drop=True)
        out["utc_offset_minutes"] = values.event_offsets(created_text).to_numpy()
        return self.batch(
            table,
            {"interactions": out[errors.ok].reset_index(drop=True)},
            errors.rejects(self.file_of(table), rows),
            n,
        )
