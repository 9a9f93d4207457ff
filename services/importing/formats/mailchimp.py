"""Mailchimp audience exports (subscribed / unsubscribed members).

- Subscribed members -> customers (source "mailchimp", external_id the member's LEID, or
  the email when there is none): email, name, phone; every other column (OPTIN_TIME,
  TAGS, ...) stays in attributes.
- Unsubscribed members -> the same customers, plus one "unsubscribe" interaction at
  UNSUB_TIME with the campaign title as subject and the reason as text. An unsubscribe
  from a mailing list is recorded as that interaction; it does not set do_not_contact.

Mailchimp timestamps are naive UTC.
"""

from __future__ import annotations

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
    join_names,
    value_where,
)

if TYPE_CHECKING:
    from services.importing.reader import RawTable

_UNSUB_COLUMNS = (
    "UNSUB_TIME",
    "UNSUB_CAMPAIGN_TITLE",
    "UNSUB_CAMPAIGN_ID",
    "UNSUB_REASON",
    "UNSUB_REASON_OTHER",
)


class _Audience(BaseAdapter):
    source = "mailchimp"

    def _members(
        self, frame: pd.DataFrame, rows: np.ndarray, cols: Columns, errors: RowErrors
    ) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
        """(customers frame before filtering, member ids, emails)."""
        email_text = cols.get("Email Address")
        email, bad = values.normalize_email(email_text)
        errors.add_bad(bad, email_text, "an email address", "Email Address")
        errors.add(
            (email_text.astype(str).str.strip() == "").to_numpy(), "missing email (Email Address)"
        )
        leid, _ = values.clean_text(cols.get("LEID"))
        member_id = leid.where(leid.notna(), email)
        name = join_names(cols.get("First Name"), cols.get("Last Name"))
        phone, _ = values.parse_phone(cols.get("Phone Number"))
        cols.use(*_UNSUB_COLUMNS)
        customers = pd.DataFrame(
            {
                "row": rows.astype("int64"),
                "source": self.source,
                "external_id": member_id.to_numpy(dtype=object),
                "email": email.to_numpy(dtype=object),
                "name": name.to_numpy(dtype=object),
                "phone": phone.to_numpy(dtype=object),
                "attributes": attribute_dicts(frame, cols.unused()),
            }
        )
        return customers, member_id, email


class MailchimpSubscribed(_Audience):
    """Mailchimp audience export, subscribed members."""

    name = "mailchimp_subscribed"
    title = "Mailchimp subscribed members"
    kinds = ("customers",)
    required = (("Email Address", "MEMBER_RATING", "OPTIN_TIME", "LEID"),)
    excluded = ("UNSUB_TIME", "CLEAN_TIME")

    def convert(self, table: RawTable) -> Batch:
        """Members -> customers."""
        frame, rows = self.data_of(table)
        cols = Columns(frame)
        errors = RowErrors(len(frame))
        customers, _, _ = self._members(frame, rows, cols, errors)
        return self.batch(
            table,
            {"customers": customers[errors.ok].reset_index(drop=True)},
            errors.rejects(self.file_of(table), rows),
            len(frame),
        )


class MailchimpUnsubscribed(_Audience):
    """Mailchimp audience export, unsubscribed members."""

    name = "mailchimp_unsubscribed"
    title = "Mailchimp unsubscribed members"
    kinds = ("customers", "interactions")
    required = (
        ("Email Address", "UNSUB_TIME", "LEID"),
        ("Email Address", "UNSUB_TIME", "MEMBER_RATING"),
    )

    def convert(self, table: RawTable) -> Batch:
        """Members -> customers, and one unsubscribe interaction each."""
        frame, rows = self.data_of(table)
        cols = Columns(frame)
        n = len(frame)
        errors = RowErrors(n)
        customers, member_id, email = self._members(frame, rows, cols, errors)
        when_text = cols.get("UNSUB_TIME")
        when, bad_when = values.parse_datetimes(when_text)
        errors.add_bad(bad_when, when_text, "a date and time", "UNSUB_TIME")
        errors.add(when.isna().to_numpy(), "missing unsubscribe time (UNSUB_TIME)")
        campaign, _ = values.clean_text(cols.get("UNSUB_CAMPAIGN_TITLE"))
        reason, _ = values.clean_text(cols.get("UNSUB_REASON"))
        other, _ = values.clean_text(cols.get("UNSUB_REASON_OTHER"))
        reason_text = [
            (f"{r}: {o}" if r and o else (r or o)) for r, o in zip(reason, other, strict=True)
        ]
        campaign_id, _ = values.clean_text(cols.get("UNSUB_CAMPAIGN_ID"))
        attrs = [{"UNSUB_CAMPAIGN_ID": c} if c else None for c in campaign_id.tolist()]
        stamp = when.dt.strftime("%Y-%m-%dT%H:%M:%S").fillna("")
        external = [
            f"unsubscribe:{m}:{s}" if m else None
            for m, s in zip(member_id.tolist(), stamp.tolist(), strict=True)
        ]
        interactions = pd.DataFrame(
            {
                "row": rows.astype("int64"),
                "source": self.source,
                "external_id": external,
                "customer_source": value_where(member_id.notna(), self.source),
                "customer_external_id": member_id.to_numpy(dtype=object),
                "customer_email": email.to_numpy(dtype=object),
                "customer_name": customers["name"].to_numpy(dtype=object),
                "customer_company": None,
                "guest": False,
                "kind": "unsubscribe",
                "channel": "email",
                "subject": campaign.to_numpy(dtype=object),
                "text": pd.Series(reason_text, dtype=object)
                .where(pd.Series(reason_text, dtype=object).notna(), None)
                .to_numpy(),
                "attributes": pd.Series(attrs, dtype=object).to_numpy(),
            }
        )
        interactions["occurred_at"] = when.reset_index(drop=True)
        ok = errors.ok
        return self.batch(
            table,
            {
                "customers": customers[ok].reset_index(drop=True),
                "interactions": interactions[ok].reset_index(drop=True),
            },
            errors.rejects(self.file_of(table), rows),
            n,
        )
