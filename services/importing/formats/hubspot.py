"""HubSpot CRM exports: companies, contacts and deals (first column "Record ID").

- Contacts -> customers (source "hubspot", external_id the Record ID).
- Companies are accounts, not customers: a company (a club, a school PTA) is what its
  contacts belong to, so that a person is counted once and no company is counted as a
  person. The adapter gives an "accounts" frame (external_id the Record ID, name, and
  the company's columns as "company_*" attributes: company_domain, company_industry,
  company_owner ...); services/importing/companies.py, which sees the workspace, turns it
  into updates of the contacts that belong to each company (their ``company`` and those
  attributes), whichever of the two exports comes first.
- Deals -> opportunities, linked by "Associated Contact IDs" (the first one) to
  ("hubspot", contact id). A deal with only "Associated Company IDs" refers to
  "company:<Record ID>"; services/importing/companies.py attaches it to the company's
  primary (else first) contact, and only when the workspace has none of its contacts is a
  customer made for the company, which the report says.

Owners of deactivated HubSpot users are exported as "jane@acme.com (Deactivated User)":
the owner is the text without the suffix and the record keeps "owner_deactivated": True
in its attributes. Datetimes ("2025-03-03 09:26") are in the portal's time zone, which
the export does not state; they are read as UTC.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from services.importing import values
from services.importing.canonical import Batch
from services.importing.consent import tracking_opted_out
from services.importing.contact_roles import read_roles
from services.importing.formats._base import (
    BaseAdapter,
    Columns,
    RowErrors,
    attribute_dicts,
    contact_frame,
    join_names,
    merge_attributes,
    settled_currency,
    value_where,
)

if TYPE_CHECKING:
    from services.importing.reader import RawTable

_DEACTIVATED = r"\s*\((?:deactivated|inactive) user\)\s*$"
COMPANY_PREFIX = "company:"


def split_owner(column: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """(owner without a "(Deactivated User)" suffix or None, deactivated flags)."""
    text, _ = values.clean_text(column)
    filled = text.fillna("").astype(str)
    deactivated = filled.str.contains(_DEACTIVATED, case=False, regex=True).to_numpy(dtype=bool)
    owner = filled.str.replace(_DEACTIVATED, "", case=False, regex=True).str.strip()
    return owner.where(owner != "", None).astype(object), deactivated


def _first_id(column: pd.Series) -> pd.Series:
    """The first id of a ";"- or ","-separated list of HubSpot ids; None when empty."""
    first = column.astype(str).str.split(r"[;,]", regex=True).str[0].str.strip()
    return first.where(first != "", None).astype(object)


def _record_ids(cols: Columns, errors: RowErrors) -> pd.Series:
    record_id, _ = values.clean_text(cols.get("Record ID"))
    errors.add(record_id.isna().to_numpy(), "missing record id (Record ID)")
    return record_id


class _HubSpot(BaseAdapter):
    source = "hubspot"

    def _batch(
        self, table: RawTable, kind: str, out: pd.DataFrame, errors: RowErrors, rows: np.ndarray
    ) -> Batch:
        return self.batch(
            table,
            {kind: out[errors.ok].reset_index(drop=True)},
            errors.rejects(self.file_of(table), rows),
            len(out),
        )


class HubSpotContacts(_HubSpot):
    """HubSpot contacts export."""

    name = "hubspot_contacts"
    title = "HubSpot contacts export"
    kinds = ("customers", "contacts")
    required = (("Record ID", "Email"), ("Record ID", "First Name", "Last Name"))
    excluded = ("Deal Name", "Company name", "Deal Stage")

    def convert(self, table: RawTable) -> Batch:
        """Contacts -> customers, each also the one contact of its own customer (its Job
        Title, and its Buying Role as services/importing/contact_roles.py reads it)."""
        frame, rows = self.data_of(table)
        cols = Columns(frame)
        errors = RowErrors(len(frame))
        record_id = _record_ids(cols, errors)
        email_text = cols.get("Email")
        email, bad = values.normalize_email(email_text)
        errors.add_bad(bad, email_text, "an email address", "Email")
        name = join_names(cols.get("First Name"), cols.get("Last Name"))
        phone, _ = values.parse_phone(cols.get("Phone Number", "Mobile Phone Number"))
        owner, deactivated = split_owner(cols.get("Contact owner", "HubSpot Owner"))
        company, _ = values.clean_text(cols.get("Associated Company", "Company Name"))
        region, _ = values.clean_text(cols.get("State/Region", use=False))
        # A portal's "Do not track" property: the contact opted out of activity tracking.
        untracked = None
        if cols.has("Do not track", "Opted out of tracking"):
            flags, bad_flag = values.parse_bool(cols.get("Do not track", "Opted out of tracking"))
            errors.add_bad(
                bad_flag, cols.get("Do not track", use=False), "yes or no", "Do not track"
            )
            untracked = tracking_opted_out(flags)
        attrs = merge_attributes(
            attribute_dicts(frame, cols.unused()),
            {"owner_deactivated": value_where(deactivated, True)},
        )
        out = pd.DataFrame(
            {
                "row": rows.astype("int64"),
                "source": self.source,
                "external_id": record_id.to_numpy(dtype=object),
                "email": email.to_numpy(dtype=object),
                "name": name.to_numpy(dtype=object),
                "company": company.to_numpy(dtype=object),
                "phone": phone.to_numpy(dtype=object),
                "owner": owner.to_numpy(dtype=object),
                "region": region.to_numpy(dtype=object),
                "attributes": pd.Series(attrs, dtype=object).to_numpy(),
            }
        )
        if untracked is not None:
            out["tracking_opted_out_at"] = untracked
        title, _ = values.clean_text(cols.get("Job Title", use=False))
        role = read_roles(cols.get("Buying Role"))[0] if cols.has("Buying Role") else None
        contacts = contact_frame(
            rows,
            self.source,
            record_id,
            record_id,
            email,
            name,
            title,
            phone,
            out["attributes"],
            role,
        )
        ok = errors.ok
        return self.batch(
            table,
            {
                "customers": out[ok].reset_index(drop=True),
                "contacts": contacts[ok].reset_index(drop=True),
            },
            errors.rejects(self.file_of(table), rows),
            len(out),
        )


# Company columns kept as "company_*" attributes of its contacts (others: a slug of the
# column name, so that nothing the export holds is lost).
_COMPANY_KEYS = {
    "company domain name": "company_domain",
    "domain": "company_domain",
    "website url": "company_website",
    "industry": "company_industry",
    "phone number": "company_phone",
    "city": "company_city",
    "state/region": "company_region",
    "country/region": "company_country",
    "number of employees": "company_employees",
    "annual revenue": "company_annual_revenue",
}


def company_key(column: str) -> str:
    """The attribute a company column is kept under ("Industry" -> "company_industry")."""
    known = _COMPANY_KEYS.get(column.strip().lower())
    if known:
        return known
    slug = "_".join("".join(ch if ch.isalnum() else " " for ch in column.lower()).split())
    return f"company_{slug}" if slug else "company_column"


class HubSpotCompanies(_HubSpot):
    """HubSpot companies export: accounts that contacts belong to, not customers."""

    name = "hubspot_companies"
    title = "HubSpot companies export"
    kinds = ("customers",)
    required = (("Record ID", "Company name"),)
    excluded = ("Deal Name", "Deal Stage")

    def convert(self, table: RawTable) -> Batch:
        """Companies -> an "accounts" frame (name and "company_*" attributes)."""
        frame, rows = self.data_of(table)
        cols = Columns(frame)
        errors = RowErrors(len(frame))
        record_id = _record_ids(cols, errors)
        company, _ = values.clean_text(cols.get("Company name"))
        errors.add(company.isna().to_numpy(), "missing company name (Company name)")
        owner, deactivated = split_owner(cols.get("Company owner", "HubSpot Owner"))
        unused = cols.unused()
        attrs = merge_attributes(
            attribute_dicts(frame, unused, keys=[company_key(c) for c in unused]),
            {
                "company_id": record_id.to_numpy(dtype=object),
                "company_owner": owner.to_numpy(dtype=object),
                "company_owner_deactivated": value_where(deactivated, True),
            },
        )
        out = pd.DataFrame(
            {
                "row": rows.astype("int64"),
                "source": self.source,
                "external_id": record_id.to_numpy(dtype=object),
                "name": company.to_numpy(dtype=object),
                "attributes": pd.Series(attrs, dtype=object).to_numpy(),
            }
        )
        return self._batch(table, "accounts", out, errors, rows)


class HubSpotDeals(_HubSpot):
    """HubSpot deals export."""

    name = "hubspot_deals"
    title = "HubSpot deals export"
    kinds = ("opportunities",)
    required = (("Record ID", "Deal Name", "Deal Stage"), ("Record ID", "Deal Name", "Amount"))

    def convert(self, table: RawTable) -> Batch:
        """Deals -> opportunities linked to their contact (or company)."""
        frame, rows = self.data_of(table)
        cols = Columns(frame)
        n = len(frame)
        errors = RowErrors(n)
        record_id = _record_ids(cols, errors)
        name, _ = values.clean_text(cols.get("Deal Name"))
        stage, _ = values.clean_text(cols.get("Deal Stage"))
        amount_text = cols.get("Amount")
        amount, read_currency, bad_amount = values.parse_money(amount_text)
        errors.add_bad(bad_amount, amount_text, "an amount", "Amount")
        errors.add(amount.fillna(0).to_numpy(dtype="int64") < 0, "negative amount (Amount)")
        close_text = cols.get("Close Date")
        close_date, bad_close = values.parse_dates(close_text)
        errors.add_bad(bad_close, close_text, "a date", "Close Date")
        created_text = cols.get("Create Date")
        created, bad_created = values.parse_datetimes(created_text)
        errors.add_bad(bad_created, created_text, "a date and time", "Create Date")
        owner, deactivated = split_owner(cols.get("Deal owner", "HubSpot Owner"))
        currency = settled_currency(
            cols, errors, ("Currency", "Deal Currency Code"), amount_text, read_currency, "Amount"
        )
        kind, _ = values.clean_text(cols.get("Deal Type", use=False))
        probability = pd.Series(np.nan, index=frame.index, dtype="float64")
        if cols.has("Deal probability"):
            prob_text = cols.get("Deal probability")
            prob, bad_prob = values.parse_number(prob_text)
            errors.add_bad(bad_prob, prob_text, "a probability", "Deal probability")
            percent = prob_text.astype(str).str.contains("%", regex=False) | (prob > 1)
            probability = prob.where(~percent, prob / 100.0)
        lowered = stage.fillna("").astype(str).str.lower()
        won = lowered.str.contains("closed won", regex=False) | lowered.eq("won")
        lost = lowered.str.contains("closed lost", regex=False) | lowered.eq("lost")
        # Associated records stay in attributes (a deal may list several).
        contact = _first_id(cols.get("Associated Contact IDs", use=False))
        company = _first_id(cols.get("Associated Company IDs", use=False))
        company_ref = (COMPANY_PREFIX + company.fillna("").astype(str)).where(company.notna(), None)
        customer_id = contact.where(contact.notna(), company_ref)
        errors.add(customer_id.isna().to_numpy(), "no customer id or email")
        attrs = merge_attributes(
            attribute_dicts(frame, cols.unused()),
            {"owner_deactivated": value_where(deactivated, True)},
        )
        out = pd.DataFrame(
            {
                "row": rows.astype("int64"),
                "source": self.source,
                "external_id": record_id.to_numpy(dtype=object),
                "customer_source": self.source,
                "customer_external_id": customer_id.to_numpy(dtype=object),
                "customer_email": None,
                "customer_name": None,
                "customer_company": None,
                "guest": False,
                "name": name.to_numpy(dtype=object),
                "type": kind.to_numpy(dtype=object),
                "stage": stage.to_numpy(dtype=object),
                "currency": currency.to_numpy(dtype=object),
                "probability": probability.to_numpy(dtype="float64"),
                "close_date": close_date.to_numpy(dtype=object),
                "closed": (won | lost).to_numpy(dtype=bool),
                "won": won.to_numpy(dtype=bool),
                "owner": owner.to_numpy(dtype=object),
                "attributes": pd.Series(attrs, dtype=object).to_numpy(),
            }
        )
        out["amount_cents"] = amount.reset_index(drop=True)
        out["created_at"] = created.reset_index(drop=True)
        return self._batch(table, "opportunities", out, errors, rows)
