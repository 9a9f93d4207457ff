"""Salesforce Data Export, Contract object -> contract terms.

The Contract object's standard fields (API names, as Data Export writes them): Id,
AccountId, ContractNumber, Status (Draft, In Approval Process, Activated, Expired,
Terminated; StatusCode the same in API words), StartDate, EndDate (Salesforce fills it
from StartDate and ContractTerm), ContractTerm (months), OwnerExpirationNotice (days
before the end at which the owner is told: the notice period), CurrencyIsoCode in
multi-currency orgs, IsDeleted. The standard object has no amount: orgs add one
(ARR__c, Annual_Value__c, Contract_Value__c, Amount__c ...); a contract without one is
kept with an amount of 0 and the report says so (its renewal opportunity holds the value:
imported too, it fills the amount of the same renewal's term instead of adding a second
term, services/importing/contract_writing.py).

Each contract is linked to its account's customer, as opportunities are ("salesforce",
AccountId). A renewed contract is a new Contract record of the same account, so the
terms of one account are one contract's terms: the id is ``<AccountId>@<Contract Id>``,
and the terms settle into renewals by their dates (services/importing/contracts.py).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from services.importing import values
from services.importing.canonical import Batch
from services.importing.contracts import CHURNED, months_after, outcomes_from_status
from services.importing.formats._base import (
    BaseAdapter,
    Columns,
    RowErrors,
    attribute_dicts,
    settled_currency,
)
from services.importing.formats.salesforce import normalise_ids

if TYPE_CHECKING:
    from services.importing.reader import RawTable

_AMOUNT_FIELDS = (
    "ARR__c",
    "Annual_Value__c",
    "Annual_Contract_Value__c",
    "ACV__c",
    "Contract_Value__c",
    "Amount__c",
)
_AUTO_RENEW_FIELDS = ("Auto_Renew__c", "AutoRenew__c", "Auto_Renewal__c")
_DAY = dt.timedelta(days=1)


class SalesforceContract(BaseAdapter):
    """Salesforce Data Export, Contract object."""

    name = "salesforce_contracts"
    title = "Salesforce contracts (Data Export)"
    kinds = ("contracts",)
    source = "salesforce"
    required = (("Id", "AccountId", "StartDate", "ContractTerm"),)
    excluded = ("StageName",)

    def convert(self, table: RawTable) -> Batch:
        """Contracts, each linked to its account's customer."""
        frame, rows = self.data_of(table)
        cols = Columns(frame)
        n = len(frame)
        errors = RowErrors(n)
        if cols.has("IsDeleted"):
            deleted, _ = values.parse_bool(cols.get("IsDeleted"))
            errors.add(deleted.fillna(False).to_numpy(dtype=bool), "deleted record (IsDeleted)")
        contract = normalise_ids(cols.get("Id"))
        errors.add(contract.isna().to_numpy(), "missing contract id (Id)")
        account = normalise_ids(cols.get("AccountId"))
        errors.add(account.isna().to_numpy(), "no customer id or email")
        start = self._dates(cols, errors, "StartDate")
        errors.add(start.isna().to_numpy(), "missing start date (StartDate)")
        term_text = cols.get("ContractTerm")
        term, bad_term = values.parse_number(term_text)
        errors.add_bad(bad_term, term_text, "a number of months", "ContractTerm")
        end = self._dates(cols, errors, "EndDate")
        # Salesforce's own rule when EndDate is empty: the day before StartDate + term.
        for i in np.flatnonzero(end.isna().to_numpy() & start.notna().to_numpy()):
            if pd.notna(term.iloc[i]) and term.iloc[i] > 0:
                end.iloc[i] = months_after(start.iloc[i], int(term.iloc[i])) - _DAY
        errors.add(end.isna().to_numpy(), "no end date (EndDate, or StartDate and ContractTerm)")
        amount_column = cols.name(*_AMOUNT_FIELDS)
        amount, currency = self._amounts(cols, errors, amount_column)
        notice_text = cols.get("OwnerExpirationNotice")
        notice, bad_notice = values.parse_number(notice_text)
        errors.add_bad(bad_notice, notice_text, "a number of days", "OwnerExpirationNotice")
        auto = values.parse_bool(cols.get(*_AUTO_RENEW_FIELDS))[0].fillna(False)
        status = cols.get("StatusCode", "Status")
        outcome, given = outcomes_from_status(status, end, dt.date.today())
        name, _ = values.clean_text(cols.get("ContractNumber", "Name"))
        ids = [
            f"{a}@{c}" if a and c else None
            for a, c in zip(account.tolist(), contract.tolist(), strict=True)
        ]
        out = pd.DataFrame(
            {
                "row": rows.astype("int64"),
                "source": self.source,
                "external_id": ids,
                "customer_source": "salesforce",
                "customer_external_id": account.to_numpy(dtype=object),
                "customer_email": None,
                "customer_name": None,
                "customer_company": None,
                "guest": False,
                "name": name.to_numpy(dtype=object),
                "start_date": start.to_numpy(dtype=object),
                "end_date": end.to_numpy(dtype=object),
                "amount_cents": pd.array(amount.to_numpy(), dtype="Int64"),
                "currency": currency.to_numpy(dtype=object),
                "period": "year",
                "auto_renew": auto.to_numpy(dtype=bool),
                "notice_days": pd.array(notice.round().to_numpy(), dtype="Int64"),
                "outcome": outcome,
                "outcome_given": given,
                "decided_on": [
                    e if o == CHURNED else None for e, o in zip(end, outcome, strict=True)
                ],
                "attributes": attribute_dicts(frame, cols.unused()),
            }
        )
        ok = errors.ok
        notes = []
        if amount_column is None and ok.any():
            notes.append(
                f"{int(ok.sum()):,} contract(s) kept with an amount of 0: the Contract export "
                "has no amount field (import the renewal opportunities for their value)"
            )
        return self.batch(
            table,
            {"contracts": out[ok].reset_index(drop=True)},
            errors.rejects(self.file_of(table), rows),
            n,
            notes,
        )

    @staticmethod
    def _amounts(
        cols: Columns, errors: RowErrors, column: str | None
    ) -> tuple[pd.Series, pd.Series]:
        """The contract's amount (from the org's own amount field; 0 without one) and its
        currency."""
        if column is None:
            zero = pd.Series(0, index=cols.frame.index, dtype="int64")
            return zero, values.clean_text(cols.get("CurrencyIsoCode"))[0]
        amount_text = cols.get(column)
        amount, read_currency, bad = values.parse_money(amount_text)
        errors.add_bad(bad, amount_text, "an amount", column)
        errors.add(amount.fillna(0).to_numpy() < 0, f"negative amount ({column})")
        currency = settled_currency(
            cols, errors, ("CurrencyIsoCode",), amount_text, read_currency, column
        )
        return amount.fillna(0), currency

    @staticmethod
    def _dates(cols: Columns, errors: RowErrors, column: str) -> pd.Series:
        text = cols.get(column)
        parsed, bad = values.parse_dates(text)
        errors.add_bad(bad, text, "a date", column)
        return parsed.reset_index(drop=True)
