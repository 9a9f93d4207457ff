"""Freshdesk ticket export (CSV) -> ticket interactions.

Each ticket is an interaction of kind "ticket" (source "freshdesk", external_id the
Ticket ID) at its "Created time" (the helpdesk's time zone, read as UTC when the file does
not say), with its Subject, Description, Status and channel (from "Source": Email, Phone,
Chat, Portal...). The requester's customer is the one the "Account Radar customer" column
names by its own id in the app ("source:id", the column of the app's own ticket file),
else the one of the contact's "Email"; "Full name" names them. Priority, Type, Tags, the
agent and every other column go to attributes.

The columns are declared here once: the app's own Freshdesk ticket file
(services/crm_files/ticket.py) writes ``TICKET_COLUMNS``, the ones this adapter reads
(services/core/freshdesk_fields.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from services.core.freshdesk_fields import (
    APP_CUSTOMER,
    CREATED_TIME,
    DESCRIPTION,
    EMAIL,
    FULL_NAME,
    PRIORITY,
    SOURCE,
    STATUS,
    SUBJECT,
    TICKET_ID,
)
from services.importing import values
from services.importing.canonical import Batch
from services.importing.formats._base import (
    BaseAdapter,
    Columns,
    RowErrors,
    app_customer_ids,
    attribute_dicts,
)

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
    required = ((TICKET_ID, SUBJECT, STATUS, PRIORITY, CREATED_TIME),)

    def convert(self, table: RawTable) -> Batch:
        """Tickets -> ticket interactions."""
        frame, rows = self.data_of(table)
        cols = Columns(frame)
        n = len(frame)
        errors = RowErrors(n)
        ticket_id, _ = values.clean_text(cols.get(TICKET_ID))
        errors.add(ticket_id.isna().to_numpy(), f"missing ticket id ({TICKET_ID})")
        created_text = cols.get(CREATED_TIME)
        created, bad_created = values.parse_datetimes(created_text)
        errors.add_bad(bad_created, created_text, "a date and time", CREATED_TIME)
        errors.add(created.isna().to_numpy(), f"missing ticket date ({CREATED_TIME})")
        customer_source, customer_id = app_customer_ids(_plain(cols.get(APP_CUSTOMER)))
        email_text = cols.get(EMAIL)
        email, bad_email = values.normalize_email(email_text)
        errors.add_bad(bad_email, email_text, "an email address", EMAIL)
        errors.add((email.isna() & customer_id.isna()).to_numpy(), "no customer id or email")
        name, _ = values.clean_text(cols.get(FULL_NAME))
        source_words = cols.get(SOURCE).astype(str).str.strip().str.lower()
        channel = source_words.map(_CHANNELS).where(source_words != "", None)
        out = pd.DataFrame(
            {
                "row": rows.astype("int64"),
                "source": self.source,
                "external_id": ticket_id.to_numpy(dtype=object),
                "customer_source": customer_source.to_numpy(dtype=object),
                "customer_external_id": customer_id.to_numpy(dtype=object),
                "customer_email": email.to_numpy(dtype=object),
                "customer_name": name.to_numpy(dtype=object),
                "customer_company": None,
                "guest": False,
                "kind": "ticket",
                "channel": np.asarray(channel.astype(object).to_numpy(), dtype=object),
                "subject": _plain(cols.get(SUBJECT)).to_numpy(dtype=object),
                "text": _plain(cols.get(DESCRIPTION)).to_numpy(dtype=object),
                "status": _plain(cols.get(STATUS)).to_numpy(dtype=object),
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
