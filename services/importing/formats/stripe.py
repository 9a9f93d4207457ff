"""Stripe subscriptions export (Dashboard > Subscriptions > Export) -> customers + subscriptions.

Timestamps are in columns named "... (UTC)"; metadata keys are columns named
"<key> (metadata)" and go to attributes under the bare key. Each distinct Stripe customer
becomes a customer record (source "stripe", external_id the Customer ID, with email and
name), with the identity ("shopify", id) when its "shopify_customer_id" metadata is set;
each subscription refers to it by ("stripe", Customer ID), then by email.

Each subscription also gives a contract term (services/importing/contracts.py): its
current period as the term, its amount and interval as the recurring amount and period,
auto-renew unless it cancels at the period's end, churned once a cancelled
subscription's period has ended. The term keeps the subscription's id, so that importing
a later export updates it instead of adding another.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from services.importing import values
from services.importing.canonical import Batch
from services.importing.contracts import contracts_from_subscriptions
from services.importing.formats._base import (
    BaseAdapter,
    Columns,
    RowErrors,
    attribute_dicts,
    settled_currency,
    value_where,
)

if TYPE_CHECKING:
    from services.importing.reader import RawTable

_METADATA = re.compile(r"^(?P<key>.*\S)\s*\(metadata\)$", re.IGNORECASE)
_SHOPIFY_KEYS = ("shopify_customer_id", "shopify_id", "shopify_customer")


class StripeSubscriptions(BaseAdapter):
    """Stripe subscriptions export."""

    name = "stripe_subscriptions"
    title = "Stripe subscriptions export"
    # The contract terms derived from the subscriptions come with them (not a kind of
    # their own that a user picks).
    kinds = ("customers", "subscriptions")
    source = "stripe"
    required = (
        ("id", "Customer ID", "Status", "Plan", "Current Period End (UTC)"),
        ("id", "Customer ID", "Status", "Interval", "Amount"),
    )

    def convert(self, table: RawTable) -> Batch:
        """Subscriptions, and the customers they belong to."""
        frame, rows = self.data_of(table)
        cols = Columns(frame)
        n = len(frame)
        errors = RowErrors(n)
        sub_id, _ = values.clean_text(cols.get("id"))
        errors.add(sub_id.isna().to_numpy(), "missing subscription id (id)")
        customer_id, _ = values.clean_text(cols.get("Customer ID"))
        email_text = cols.get("Customer Email")
        email, bad_email = values.normalize_email(email_text)
        errors.add_bad(bad_email, email_text, "an email address", "Customer Email")
        errors.add((customer_id.isna() & email.isna()).to_numpy(), "no customer id or email")
        name, _ = values.clean_text(cols.get("Customer Name"))
        status_text = cols.get("Status").astype(str).str.strip().str.lower()
        errors.add(status_text == "", "missing subscription status (Status)")
        plan, _ = values.clean_text(cols.get("Plan", "Product"))
        amount_text = cols.get("Amount")
        amount, read_currency, bad_amount = values.parse_money(amount_text)
        errors.add_bad(bad_amount, amount_text, "an amount", "Amount")
        errors.add(amount.fillna(0).to_numpy(dtype="int64") < 0, "negative amount (Amount)")
        currency = settled_currency(
            cols, errors, ("Currency",), amount_text, read_currency, "Amount"
        )
        interval, _ = values.clean_text(cols.get("Interval"))
        cancel_text = cols.get("Cancel At Period End")
        cancel_end, bad_cancel = values.parse_bool(cancel_text)
        errors.add_bad(bad_cancel, cancel_text, "true or false", "Cancel At Period End")

        def stamp(*names: str) -> pd.Series:
            column = cols.name(*names)
            text = cols.get(*names)
            parsed, bad = values.parse_datetimes(text)
            errors.add_bad(bad, text, "a date and time", column or names[0])
            return parsed.reset_index(drop=True)

        started = stamp("Start Date (UTC)", "Start (UTC)", "Created (UTC)")
        period_end = stamp("Current Period End (UTC)")
        canceled = stamp("Canceled At (UTC)")

        # Metadata columns by key; the other unmapped columns as they are.
        meta_cols = [c for c in cols.frame.columns if _METADATA.match(str(c))]
        meta_keys = [_METADATA.match(str(c)).group("key") for c in meta_cols]  # type: ignore[union-attr]
        shopify = pd.Series(None, index=frame.index, dtype=object)
        for column, key in zip(meta_cols, meta_keys, strict=True):
            if key.strip().lower() in _SHOPIFY_KEYS:
                shopify, _ = values.clean_text(cols.get(column, use=False))
                break
        cols.use(*meta_cols)
        other = cols.unused()
        attrs = attribute_dicts(frame, other + meta_cols, keys=other + meta_keys)

        ok = errors.ok
        subscriptions = pd.DataFrame(
            {
                "row": rows.astype("int64"),
                "source": self.source,
                "external_id": sub_id.to_numpy(dtype=object),
                "customer_source": value_where(customer_id.notna(), self.source),
                "customer_external_id": customer_id.to_numpy(dtype=object),
                "customer_email": email.to_numpy(dtype=object),
                "customer_name": name.to_numpy(dtype=object),
                "customer_company": None,
                "guest": False,
                "plan": plan.to_numpy(dtype=object),
                "status": status_text.to_numpy(dtype=object),
                "cancel_at_period_end": cancel_end.fillna(False).to_numpy(dtype=bool),
                "currency": currency.to_numpy(dtype=object),
                "interval": interval.to_numpy(dtype=object),
                "attributes": pd.Series(attrs, dtype=object).to_numpy(),
            }
        )
        subscriptions["amount_cents"] = amount.reset_index(drop=True)
        subscriptions["started_at"] = started
        subscriptions["current_period_end"] = period_end
        subscriptions["canceled_at"] = canceled
        subscriptions = subscriptions[ok].reset_index(drop=True)

        customers = self._customers(
            rows[ok],
            customer_id[ok].tolist(),
            email[ok].tolist(),
            name[ok].tolist(),
            shopify[ok].tolist(),
            cols.get("Customer Description", use=False)[ok].tolist(),
        )
        return self.batch(
            table,
            {
                "customers": customers,
                "subscriptions": subscriptions,
                "contracts": contracts_from_subscriptions(subscriptions, dt.date.today()),
            },
            errors.rejects(self.file_of(table), rows),
            n,
        )

    def _customers(
        self,
        rows: np.ndarray,
        ids: list[Any],
        emails: list[Any],
        names: list[Any],
        shopify: list[Any],
        descriptions: list[Any],
    ) -> pd.DataFrame:
        """One customer per Stripe Customer ID (first non-empty value of each field)."""
        found: dict[str, dict[str, Any]] = {}
        for row, cid, email, name, shop, desc in zip(
            rows.tolist(), ids, emails, names, shopify, descriptions, strict=True
        ):
            if not cid:
                continue
            entry = found.setdefault(
                cid, {"row": row, "email": None, "name": None, "shopify": None, "desc": None}
            )
            for key, value in (("email", email), ("name", name), ("shopify", shop), ("desc", desc)):
                if entry[key] is None and value:
                    entry[key] = value
        records = []
        for cid, entry in found.items():
            records.append(
                {
                    "row": int(entry["row"]),
                    "source": self.source,
                    "external_id": cid,
                    "email": entry["email"],
                    "name": entry["name"],
                    "identities": [("shopify", str(entry["shopify"]))] if entry["shopify"] else [],
                    "attributes": (
                        {"Customer Description": entry["desc"]} if entry["desc"] else None
                    ),
                }
            )
        columns = ["row", "source", "external_id", "email", "name", "identities", "attributes"]
        return pd.DataFrame.from_records(records, columns=columns)
