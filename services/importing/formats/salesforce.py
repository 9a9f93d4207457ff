"""Salesforce exports: Data Export CSVs (Account, Contact, Opportunity) and report exports.

Data Export files use API field names, quote every value, write ISO dates, UTC datetimes
("2024-07-30T23:27:08.000Z") and 18-character record ids. A report export ("Details
Only", CSV) uses the UI labels, "$1,234.50" amounts, locale dates ("11/21/2026"),
15-character ids, and ends with a footer that is not data ("Grand Totals (46 records)",
"Confidential Information - Do Not Distribute", a copyright line).

Ids are normalised to the 18-character form (the 15-character id plus a 3-character
checksum of its letter case), so a report and a Data Export name the same records.

Mapping decisions:
- Account -> customer (source "salesforce", external_id the Account Id). A "Household"
  account (the B2C household model: Type "Household" or a name "<X> Household") is a
  person, whose name comes from the Contact; its account Name stays in attributes.
  Other accounts are companies. Customer_Number__c (the loyalty number) becomes the
  identities ("loyalty", number) and ("generic", number): the loyalty system's plain
  customer list imports as a generic file, whose default source is "generic".
- Contact -> customer with identities ("salesforce", AccountId) - the contact and its
  account are one customer - and ("shopify", Shopify_Customer_Id__c); and a contact of
  that customer (models/schema/contacts.py: name, email, Title, phone), so that an
  account's several people stay apart. An account with several contacts takes its name
  and address from its earliest contact only (services/importing/contact_accounts.py),
  not from whichever row comes last. AccountContactRole and OpportunityContactRole
  exports give the contacts their roles (services/importing/contact_roles.py).
- HasOptedOutOfEmail is Salesforce's mass-email opt-out (like a newsletter unsubscribe)
  and DoNotCall a phone opt-out; neither alone means "do not contact" (one-to-one email
  stays possible). ``do_not_contact`` is set only when a contact refused both; both flags
  always stay in attributes. An absent or false flag leaves do_not_contact unset, so it
  never clears a flag another source set.
- Owner: a Data Export names the owner only by user id (OwnerId, kept in attributes),
  which is not an owner anyone recognises, so ``owner`` is left to sources that give a
  name (the report's "Opportunity Owner", HubSpot owners). This also keeps a Data Export
  and a report of the same opportunities from overwriting each other's owner.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from services.importing import values
from services.importing.canonical import Batch
from services.importing.contact_accounts import one_row_per_account
from services.importing.formats._base import (
    BaseAdapter,
    Columns,
    RowErrors,
    attribute_dicts,
    contact_frame,
    join_names,
    settled_currency,
    value_where,
)

if TYPE_CHECKING:
    from services.importing.reader import RawTable

_CHECKSUM_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_ID_15 = re.compile(r"^[a-zA-Z0-9]{15}$")
_ID_18 = re.compile(r"^[a-zA-Z0-9]{18}$")


def salesforce_id18(record_id: str) -> str:
    """The 18-character form of a Salesforce id (15-character ids gain their checksum).

    Each 5-character chunk of the 15-character id gives one checksum character: bit i is
    set when character i of the chunk is an upper-case letter. Other values come back
    stripped but unchanged.
    """
    text = record_id.strip()
    if _ID_18.match(text):
        return text
    if not _ID_15.match(text):
        return text
    suffix = ""
    for start in (0, 5, 10):
        bits = 0
        for i, ch in enumerate(text[start : start + 5]):
            if "A" <= ch <= "Z":
                bits |= 1 << i
        suffix += _CHECKSUM_CHARS[bits]
    return text + suffix


def normalise_ids(column: pd.Series) -> pd.Series:
    """salesforce_id18 over a column (each distinct id computed once); "" -> None."""
    text = column.astype(object).fillna("").astype(str).str.strip()
    uniques = pd.unique(text)
    mapping = {u: (salesforce_id18(u) if u else None) for u in uniques}
    return text.map(mapping).astype(object)


def _stage_flags(stage: pd.Series, forecast: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(closed, won) from a stage name and forecast category, when IsClosed/IsWon are absent."""
    s = stage.astype(str).str.strip().str.lower()
    f = forecast.astype(str).str.strip().str.lower()
    won = s.str.contains("closed won", regex=False) | s.eq("won") | f.eq("closed")
    lost = s.str.contains("closed lost", regex=False) | s.eq("lost") | f.eq("omitted")
    return (won | lost).to_numpy(dtype=bool), won.to_numpy(dtype=bool)


def _probability(column: pd.Series, errors: RowErrors, label: str) -> pd.Series:
    """Percent (0..100, "90%") -> 0..1."""
    number, bad = values.parse_number(column)
    errors.add_bad(bad, column, "a probability", label)
    out = number / 100.0
    errors.add(
        ((out < 0) | (out > 1)).fillna(False).to_numpy(dtype=bool),
        f"probability out of range ({label})",
    )
    return out


def _bool_column(column: pd.Series, errors: RowErrors, label: str) -> np.ndarray:
    parsed, bad = values.parse_bool(column)
    errors.add_bad(bad, column, "true or false", label)
    flags: np.ndarray = parsed.fillna(False).to_numpy(dtype=bool)
    return flags


def _opportunity_frame(
    adapter: BaseAdapter,
    frame: pd.DataFrame,
    rows: np.ndarray,
    cols: Columns,
    errors: RowErrors,
    *,
    id_column: str,
    account_column: str,
    account_name: str | None,
    name_column: str,
    stage_column: str,
    amount_column: str,
    probability_column: str,
    close_column: str,
    created_column: str,
    type_column: str,
    owner_column: str | None,
    closed_column: str | None,
    won_column: str | None,
    forecast_column: str,
) -> pd.DataFrame:
    """The opportunities of a Data Export or a report, already validated per row."""
    external_id = normalise_ids(cols.get(id_column))
    errors.add(external_id.isna().to_numpy(), f"missing opportunity id ({id_column})")
    account = normalise_ids(cols.get(account_column))
    errors.add(account.isna().to_numpy(), "no customer id or email")
    name, _ = values.clean_text(cols.get(name_column))
    amount_text = cols.get(amount_column)
    amount, read_currency, bad_amount = values.parse_money(amount_text)
    errors.add_bad(bad_amount, amount_text, "an amount", amount_column)
    errors.add(amount.fillna(0).to_numpy(dtype="int64") < 0, f"negative amount ({amount_column})")
    probability = _probability(cols.get(probability_column), errors, probability_column)
    # Close and created dates share one locale: parse them together to infer it.
    close_text = cols.get(close_column)
    created_text = cols.get(created_column)
    both = pd.concat([close_text, created_text], ignore_index=True)
    both_dates, bad_both = values.parse_dates(both)
    n = len(frame)
    close_date = both_dates.iloc[:n].reset_index(drop=True)
    bad_close = bad_both.iloc[:n].to_numpy()
    errors.add_bad(bad_close, close_text, "a date", close_column)
    if created_text.str.contains(r"\d[T ]\d", regex=True).any():
        created, bad_created = values.parse_datetimes(created_text)
        bad_created_arr = bad_created.to_numpy()
    else:
        created_dates = both_dates.iloc[n:].reset_index(drop=True)
        created = pd.to_datetime(created_dates.astype(object), errors="coerce").dt.tz_localize(
            "UTC"
        )
        bad_created_arr = bad_both.iloc[n:].to_numpy()
    errors.add_bad(bad_created_arr, created_text, "a date", created_column)
    stage, _ = values.clean_text(cols.get(stage_column))
    forecast = cols.get(forecast_column, use=False)
    derived_closed, derived_won = _stage_flags(cols.get(stage_column, use=False), forecast)
    closed = (
        _bool_column(cols.get(closed_column), errors, closed_column)
        if closed_column and cols.has(closed_column)
        else derived_closed
    )
    won = (
        _bool_column(cols.get(won_column), errors, won_column)
        if won_column and cols.has(won_column)
        else derived_won
    )
    owner = None
    if owner_column is not None:
        owner, _ = values.clean_text(cols.get(owner_column))
    kind, _ = values.clean_text(cols.get(type_column))
    # Multi-currency orgs export the record's currency; others are in the org currency.
    currency = settled_currency(
        cols,
        errors,
        ("CurrencyIsoCode", "Opportunity Currency"),
        amount_text,
        read_currency,
        amount_column,
    )
    company = None
    customer_name = None
    if account_name is not None:
        # "<Name> Household" accounts (the household model) are people, not companies:
        # their name comes from the contact.
        account_text, _ = values.clean_text(cols.get(account_name))
        household = account_text.fillna("").astype(str).str.lower().str.endswith(" household")
        company = account_text.where(~household, None)
        # A customer first seen in this file is named after its account (only a new
        # customer takes it: a contact's own name, imported before or after, wins).
        customer_name = account_text
    out = pd.DataFrame(
        {
            "row": rows.astype("int64"),
            "source": adapter.source,
            "external_id": external_id.to_numpy(dtype=object),
            "customer_source": "salesforce",
            "customer_external_id": account.to_numpy(dtype=object),
            "customer_email": None,
            "customer_name": (
                None if customer_name is None else customer_name.to_numpy(dtype=object)
            ),
            "customer_company": None if company is None else company.to_numpy(dtype=object),
            "guest": False,
            "name": name.to_numpy(dtype=object),
            "type": kind.to_numpy(dtype=object),
            "stage": stage.to_numpy(dtype=object),
            "amount_cents": amount.to_numpy(),
            "probability": probability.to_numpy(dtype="float64"),
            "close_date": close_date.to_numpy(dtype=object),
            "closed": closed,
            "won": won,
            "attributes": attribute_dicts(frame, cols.unused()),
        }
    )
    if owner is not None:
        out["owner"] = owner.to_numpy(dtype=object)
    out["amount_cents"] = amount.reset_index(drop=True)
    out["created_at"] = created.reset_index(drop=True)
    out["currency"] = currency.to_numpy(dtype=object)
    return out


class SalesforceAccount(BaseAdapter):
    """Salesforce Data Export, Account object."""

    name = "salesforce_account"
    title = "Salesforce accounts (Data Export)"
    kinds = ("customers",)
    source = "salesforce"
    required = (
        ("Id", "Name", "IsDeleted", "BillingStreet"),
        ("Id", "Name", "IsDeleted", "AccountNumber"),
        ("Id", "Name", "OwnerId", "BillingCity"),
    )
    excluded = ("AccountId", "Email", "StageName")

    def convert(self, table: RawTable) -> Batch:
        """Accounts -> customers."""
        frame, rows = self.data_of(table)
        cols = Columns(frame)
        errors = RowErrors(len(frame))
        external_id = normalise_ids(cols.get("Id"))
        errors.add(external_id.isna().to_numpy(), "missing account id (Id)")
        errors.add(_deleted(cols, errors), "deleted record (IsDeleted)")
        account_text = cols.get("Name", use=False)
        account_name, _ = values.clean_text(account_text)
        kind = cols.get("Type", use=False).astype(str).str.strip().str.lower()
        household = (kind == "household") | account_text.astype(str).str.lower().str.endswith(
            " household"
        )
        phone, _ = values.parse_phone(cols.get("Phone"))
        region, _ = values.clean_text(cols.get("BillingState", "ShippingState", use=False))
        number, _ = values.clean_text(cols.get("Customer_Number__c"))
        # The loyalty number names the customer in the loyalty/POS system, whose plain
        # exports import as generic files (source "generic" unless a profile names one).
        identities = [
            [("loyalty", str(v)), ("generic", str(v))] if v else [] for v in number.tolist()
        ]
        # A household is named after its contact (who comes from Contact.csv); its
        # account Name stays in attributes. Other accounts are companies.
        companies = account_name.where(~household, None)
        customers = pd.DataFrame(
            {
                "row": rows.astype("int64"),
                "source": self.source,
                "external_id": external_id.to_numpy(dtype=object),
                "company": companies.to_numpy(dtype=object),
                "phone": phone.to_numpy(dtype=object),
                "region": region.to_numpy(dtype=object),
                "identities": pd.Series(identities, dtype=object).to_numpy(),
                "attributes": attribute_dicts(frame, cols.unused()),
            }
        )
        ok = errors.ok
        return self.batch(
            table,
            {"customers": customers[ok].reset_index(drop=True)},
            errors.rejects(self.file_of(table), rows),
            len(frame),
        )


def _deleted(cols: Columns, errors: RowErrors) -> np.ndarray:
    if not cols.has("IsDeleted"):
        return np.zeros(len(cols.frame), dtype=bool)
    return _bool_column(cols.get("IsDeleted"), errors, "IsDeleted")


class SalesforceContact(BaseAdapter):
    """Salesforce Data Export, Contact object."""

    name = "salesforce_contact"
    title = "Salesforce contacts (Data Export)"
    kinds = ("customers", "contacts")
    source = "salesforce"
    required = (("Id", "AccountId", "LastName", "Email"), ("Id", "LastName", "FirstName", "Email"))
    excluded = ("StageName",)

    def convert(self, table: RawTable) -> Batch:
        """Contacts -> customers, linked to their account and Shopify customer."""
        frame, rows = self.data_of(table)
        cols = Columns(frame)
        errors = RowErrors(len(frame))
        external_id = normalise_ids(cols.get("Id"))
        errors.add(external_id.isna().to_numpy(), "missing contact id (Id)")
        errors.add(_deleted(cols, errors), "deleted record (IsDeleted)")
        email_text = cols.get("Email")
        email, bad_email = values.normalize_email(email_text)
        errors.add_bad(bad_email, email_text, "an email address", "Email")
        name = join_names(cols.get("FirstName"), cols.get("LastName"))
        phone, _ = values.parse_phone(cols.get("Phone", "MobilePhone"))
        mobile, _ = values.parse_phone(cols.get("MobilePhone", use=False))
        phone = phone.where(phone.notna(), mobile)
        region, _ = values.clean_text(cols.get("MailingState", use=False))
        opted_out = _bool_column(
            cols.get("HasOptedOutOfEmail", use=False), errors, "HasOptedOutOfEmail"
        )
        no_calls = _bool_column(cols.get("DoNotCall", use=False), errors, "DoNotCall")
        do_not_contact = value_where(opted_out & no_calls, True)
        account = normalise_ids(cols.get("AccountId"))
        shopify, _ = values.clean_text(cols.get("Shopify_Customer_Id__c"))
        identities: list[list[tuple[str, str]]] = []
        for acc, shop in zip(account.tolist(), shopify.tolist(), strict=True):
            ids: list[tuple[str, str]] = []
            if acc:
                ids.append(("salesforce", str(acc)))
            if shop:
                ids.append(("shopify", str(shop)))
            identities.append(ids)
        customers = pd.DataFrame(
            {
                "row": rows.astype("int64"),
                "source": self.source,
                "external_id": external_id.to_numpy(dtype=object),
                "email": email.to_numpy(dtype=object),
                "name": name.to_numpy(dtype=object),
                "phone": phone.to_numpy(dtype=object),
                "region": region.to_numpy(dtype=object),
                "do_not_contact": do_not_contact,
                "identities": pd.Series(identities, dtype=object).to_numpy(),
                "attributes": attribute_dicts(frame, cols.unused()),
            }
        )
        title, _ = values.clean_text(cols.get("Title", use=False))
        contacts = contact_frame(
            rows,
            self.source,
            external_id,
            account.where(account.notna(), external_id),
            email,
            name,
            title,
            phone,
            customers["attributes"],
        )
        ok = errors.ok
        created = cols.get("CreatedDate", use=False)
        one = one_row_per_account(customers[ok], account[ok], created[ok])
        return self.batch(
            table,
            {
                "customers": one.reset_index(drop=True),
                "contacts": contacts[ok].reset_index(drop=True),
            },
            errors.rejects(self.file_of(table), rows),
            len(frame),
        )


class SalesforceOpportunity(BaseAdapter):
    """Salesforce Data Export, Opportunity object."""

    name = "salesforce_opportunity"
    title = "Salesforce opportunities (Data Export)"
    kinds = ("opportunities",)
    source = "salesforce"
    required = (("Id", "AccountId", "StageName", "CloseDate"),)

    def convert(self, table: RawTable) -> Batch:
        """Opportunities, each linked to its account's customer."""
        frame, rows = self.data_of(table)
        cols = Columns(frame)
        errors = RowErrors(len(frame))
        errors.add(_deleted(cols, errors), "deleted record (IsDeleted)")
        out = _opportunity_frame(
            self,
            frame,
            rows,
            cols,
            errors,
            id_column="Id",
            account_column="AccountId",
            account_name=None,
            name_column="Name",
            stage_column="StageName",
            amount_column="Amount",
            probability_column="Probability",
            close_column="CloseDate",
            created_column="CreatedDate",
            type_column="Type",
            owner_column=None,
            closed_column="IsClosed",
            won_column="IsWon",
            forecast_column="ForecastCategory",
        )
        return self.batch(
            table,
            {"opportunities": out[errors.ok].reset_index(drop=True)},
            errors.rejects(self.file_of(table), rows),
            len(frame),
        )


_FOOTER_PATTERNS = (
    re.compile(r"^grand totals?\b", re.IGNORECASE),
    re.compile(r"^confidential information\b", re.IGNORECASE),
    re.compile(r"^copyright\b.*salesforce", re.IGNORECASE),
    re.compile(r"^generated by\b", re.IGNORECASE),
)


def _footer_text(text: str) -> bool:
    cleaned = text.strip().strip('"').strip()
    return any(p.search(cleaned) for p in _FOOTER_PATTERNS)


class SalesforceOpportunityReport(BaseAdapter):
    """Salesforce report export ("Details Only" CSV) of opportunities."""

    name = "salesforce_opportunity_report"
    title = "Salesforce opportunity report"
    kinds = ("opportunities",)
    source = "salesforce"
    required = (
        ("Opportunity Name", "Stage", "Close Date", "Opportunity ID"),
        ("Opportunity Name", "Stage", "Close Date", "Account ID"),
    )

    def footer_rows(self, table: RawTable) -> set[int]:
        """The "Grand Totals" / "Confidential Information" / copyright rows at the end.

        They may come as malformed rows (one field where the header has many) or as
        ordinary rows with only the first cell filled; everything from the first footer
        line on is footer when it is not a full data row.
        """
        footer: set[int] = set()
        frame = table.frame
        rows = np.asarray(table.row_numbers, dtype=np.int64)
        if len(frame.columns) and len(frame):
            first = frame.iloc[:, 0].astype(object).fillna("").astype(str)
            rest_empty = (
                frame.iloc[:, 1:]
                .astype(object)
                .fillna("")
                .astype(str)
                .apply(lambda c: c.str.strip() == "")
                .all(axis=1)
                if frame.shape[1] > 1
                else pd.Series(True, index=frame.index)
            )
            candidates = np.flatnonzero(rest_empty.to_numpy())
            for i in candidates[::-1]:
                if _footer_text(first.iat[i]):
                    footer.add(int(rows[i]))
        for row, _reason, raw in table.malformed:
            if _footer_text(str(raw)):
                footer.add(int(row))
        return footer

    def convert(self, table: RawTable) -> Batch:
        """Report rows -> opportunities, with 15-character ids made 18-character."""
        frame, rows = self.data_of(table)
        cols = Columns(frame)
        errors = RowErrors(len(frame))
        out = _opportunity_frame(
            self,
            frame,
            rows,
            cols,
            errors,
            id_column="Opportunity ID",
            account_column="Account ID",
            account_name="Account Name",
            name_column="Opportunity Name",
            stage_column="Stage",
            amount_column="Amount",
            probability_column="Probability (%)",
            close_column="Close Date",
            created_column="Created Date",
            type_column="Type",
            owner_column="Opportunity Owner",
            closed_column=None,
            won_column=None,
            forecast_column="Forecast Category",
        )
        return self.batch(
            table,
            {"opportunities": out[errors.ok].reset_index(drop=True)},
            errors.rejects(self.file_of(table), rows),
            len(frame),
        )
