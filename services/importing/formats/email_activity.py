"""Per-recipient email campaign activity -> email_sent / email_open / email_click.

One row per (recipient, campaign): email, campaign, sent_at, opened_at, clicked_at (ISO
8601 UTC; empty = not opened / not clicked). Mailchimp has no dated per-recipient export,
so this is the plain shape such activity comes in. Each row gives a send, and an open and
a click when they happened (source "email_activity", subject = the campaign), with
external ids derived from email + campaign + kind so that re-importing changes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from services.importing import values
from services.importing.canonical import Batch
from services.importing.formats._base import (
    BaseAdapter,
    Columns,
    RowErrors,
    attribute_dicts,
    stable_id,
)

if TYPE_CHECKING:
    from services.importing.reader import RawTable


class EmailCampaignActivity(BaseAdapter):
    """Per-recipient campaign activity: sends, opens and clicks."""

    name = "email_campaign_activity"
    title = "Email campaign activity"
    kinds = ("interactions",)
    source = "email_activity"
    required = (
        ("email", "campaign", "sent_at", "opened_at"),
        ("email", "campaign", "sent_at", "clicked_at"),
    )

    def convert(self, table: RawTable) -> Batch:
        """Each row -> a send, and an open and a click when they happened."""
        frame, rows = self.data_of(table)
        cols = Columns(frame)
        n = len(frame)
        errors = RowErrors(n)
        email_text = cols.get("email")
        email, bad = values.normalize_email(email_text)
        errors.add_bad(bad, email_text, "an email address", "email")
        errors.add(email.isna().to_numpy(), "no customer id or email")
        campaign, _ = values.clean_text(cols.get("campaign"))
        errors.add(campaign.isna().to_numpy(), "missing campaign (campaign)")
        stamps: dict[str, pd.Series] = {}
        offsets: dict[str, pd.Series] = {}
        for column in ("sent_at", "opened_at", "clicked_at"):
            text = cols.get(column)
            offsets[column] = values.event_offsets(text).reset_index(drop=True)
            parsed, bad_stamp = values.parse_datetimes(text)
            errors.add_bad(bad_stamp, text, "a date and time", column)
            stamps[column] = parsed.reset_index(drop=True)
        errors.add(stamps["sent_at"].isna().to_numpy(), "missing send time (sent_at)")
        attrs = attribute_dicts(frame, cols.unused())
        ok = errors.ok
        base_ids = [
            stable_id(e, c) if e and c else ""
            for e, c in zip(email.tolist(), campaign.tolist(), strict=True)
        ]
        parts = []
        for column, kind in (
            ("sent_at", "email_sent"),
            ("opened_at", "email_open"),
            ("clicked_at", "email_click"),
        ):
            when = stamps[column]
            mask = ok & when.notna().to_numpy()
            part = pd.DataFrame(
                {
                    "row": rows[mask].astype("int64"),
                    "source": self.source,
                    "external_id": [
                        f"{b}:{kind}" for b, m in zip(base_ids, mask, strict=True) if m
                    ],
                    "customer_source": None,
                    "customer_external_id": None,
                    "customer_email": email[mask].to_numpy(dtype=object),
                    "customer_name": None,
                    "customer_company": None,
                    "guest": False,
                    "kind": kind,
                    "channel": "email",
                    "subject": campaign[mask].to_numpy(dtype=object),
                    "attributes": pd.Series(attrs, dtype=object)[mask].to_numpy(),
                }
            )
            part["occurred_at"] = when[mask].reset_index(drop=True)
            part["utc_offset_minutes"] = offsets[column][mask].to_numpy()
            parts.append(part)
        interactions = pd.concat(parts, ignore_index=True)
        counts = interactions["kind"].value_counts()
        sent, opened, clicked = (
            int(counts.get(k, 0)) for k in ("email_sent", "email_open", "email_click")
        )
        notes = [f"{sent:,} sends, {opened:,} opens, {clicked:,} clicks"]
        return self.batch(
            table,
            {"interactions": interactions},
            errors.rejects(self.file_of(table), rows),
            n,
            notes,
        )
