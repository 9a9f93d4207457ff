"""Subscription billing systems' exports -> customers + contract terms: Chargebee, Recurly
and Zuora.

Each row is one subscription with its current term: the term becomes a contract term
(``<subscription>@<term start>``, so that a later export adds the next term beside it
and the renewal is settled, services/importing/contracts.py), its recurring amount the
plan's amount times its quantity for one billing period, auto-renew unless the
subscription is cancelled or set not to renew, churned once a cancelled subscription's
term has ended. Each billing account becomes a customer (source "chargebee", "recurly" or
"zuora", external_id its id), found again by its email when it is already known.

The layouts, as the vendors document them:
- Chargebee: the Subscriptions export (Export Data ▸ Subscriptions; the same CSV the
  exports API writes), columns named "<object>.<field>" after Chargebee's subscription
  and customer objects: subscriptions.id, subscriptions.customer_id, subscriptions.status
  (future, in_trial, active, non_renewing, paused, cancelled), subscriptions.plan_id,
  subscriptions.plan_quantity, subscriptions.plan_amount, subscriptions.currency_code,
  subscriptions.billing_period, subscriptions.billing_period_unit,
  subscriptions.current_term_start, subscriptions.current_term_end,
  subscriptions.cancelled_at, customers.email, customers.first_name, customers.last_name,
  customers.company. Amounts are written in the currency's units ("99.00").
- Recurly: Exports ▸ Subscriptions (the columns of its export schema): uuid,
  account_code, email, first_name, last_name, company_name, plan_code, plan_name, state
  (active, canceled, expired, future, paused), quantity, unit_amount, currency,
  activated_at, canceled_at, expires_at, current_period_started_at,
  current_period_ends_at, current_term_started_at, current_term_ends_at, auto_renew,
  plan_interval_length, plan_interval_unit.
- Zuora: Reporting ▸ Data Sources ▸ Subscription, columns named "<Object>: <Field>":
  Subscription: Name, Subscription: Status, Subscription: Term Start Date,
  Subscription: Term End Date, Subscription: Term Type (TERMED, EVERGREEN),
  Subscription: Auto Renew, Subscription: Cancelled Date, Subscription: CMRR (the
  contracted monthly recurring revenue), Subscription: Notes, Account: Account Number,
  Account: Name, Account: Currency, Bill To: Work Email. An evergreen subscription has no
  term end, so no renewal date: it is left out and the report says how many.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import pandas as pd

from services.importing import values
from services.importing.canonical import Batch
from services.importing.contracts import (
    CHURNED,
    PERIOD_COUNT,
    SEATS,
    ended_status,
    out_of_range,
    outcomes_from_status,
    read_periods,
    term_ids,
)
from services.importing.formats._base import (
    BaseAdapter,
    Columns,
    RowErrors,
    attribute_dicts,
    join_names,
    settled_currency,
    value_where,
)

if TYPE_CHECKING:
    from services.importing.reader import RawTable


_EVERGREEN_NOTE = "evergreen subscription(s) left out: they have no term end, so no renewal date"


@dataclass(frozen=True)
class Layout:
    """Where one vendor keeps each field (candidate column names, first found wins)."""

    subscription: tuple[str, ...]
    customer: tuple[str, ...]
    email: tuple[str, ...]
    first_name: tuple[str, ...]
    last_name: tuple[str, ...]
    full_name: tuple[str, ...]
    company: tuple[str, ...]
    plan: tuple[str, ...]
    status: tuple[str, ...]
    start: tuple[str, ...]
    end: tuple[str, ...]
    amount: tuple[str, ...]
    quantity: tuple[str, ...]
    currency: tuple[str, ...]
    period_count: tuple[str, ...]
    period_unit: tuple[str, ...]
    auto_renew: tuple[str, ...] = ()
    canceled: tuple[str, ...] = ()
    evergreen: tuple[str, ...] = ()
    fixed_period: str | None = None  # the period every amount is of (Zuora's CMRR: month)


class _BillingExport(BaseAdapter):
    """One billing system's subscriptions export (see the module docstring)."""

    kinds = ("customers", "contracts")
    layout: ClassVar[Layout]

    def convert(self, table: RawTable) -> Batch:
        """The current term of each subscription, and the accounts they belong to."""
        frame, rows = self.data_of(table)
        cols = Columns(frame)
        lay = self.layout
        n = len(frame)
        errors = RowErrors(n)
        sub_id, _ = values.clean_text(cols.get(*lay.subscription))
        errors.add(sub_id.isna().to_numpy(), f"missing subscription id ({lay.subscription[0]})")
        customer, _ = values.clean_text(cols.get(*lay.customer))
        email_text = cols.get(*lay.email)
        email, bad_email = values.normalize_email(email_text)
        errors.add_bad(bad_email, email_text, "an email address", lay.email[0])
        errors.add((customer.isna() & email.isna()).to_numpy(), "no customer id or email")
        status = cols.get(*lay.status).astype(str).str.strip().str.lower()
        evergreen = np.zeros(n, dtype=bool)
        if lay.evergreen:
            evergreen = cols.get(*lay.evergreen).astype(str).str.strip().str.upper() == "EVERGREEN"
            evergreen = evergreen.to_numpy(dtype=bool)
        start, end = self._term(cols, errors, evergreen)
        amount, currency, quantity, period = self._amounts(cols, errors, evergreen)
        auto = self._auto_renew(cols, errors, status)
        today = dt.date.today()
        outcome, given = outcomes_from_status(status, end, today)
        canceled_on = self._dates(cols, errors, lay.canceled) if lay.canceled else None
        decided = [
            (e if o == CHURNED else None) for e, o in zip(end.tolist(), outcome, strict=True)
        ]
        ok = errors.ok & ~evergreen
        attrs = attribute_dicts(frame, cols.unused())
        name = self._names(cols)
        contracts = pd.DataFrame(
            {
                "row": rows.astype("int64"),
                "source": self.source,
                "external_id": term_ids(sub_id, start),
                "customer_source": value_where(customer.notna(), self.source),
                "customer_external_id": customer.to_numpy(dtype=object),
                "customer_email": email.to_numpy(dtype=object),
                "customer_name": name.to_numpy(dtype=object),
                "customer_company": values.clean_text(cols.get(*lay.company))[0].to_numpy(
                    dtype=object
                ),
                "guest": False,
                "name": values.clean_text(cols.get(*lay.plan))[0].to_numpy(dtype=object),
                "start_date": start.to_numpy(dtype=object),
                "end_date": end.to_numpy(dtype=object),
                "amount_cents": pd.array(amount.to_numpy(), dtype="Int64"),
                "currency": currency.to_numpy(dtype=object),
                "period": period.to_numpy(dtype=object),
                "auto_renew": auto,
                "seats": pd.array(
                    quantity.round().to_numpy() if self.layout.quantity else [None] * n,
                    dtype="Int64",
                ),
                "outcome": outcome,
                "outcome_given": given,
                "decided_on": decided,
                "attributes": pd.Series(attrs, dtype=object).to_numpy(),
            }
        )
        if canceled_on is not None:
            contracts["attributes"] = [
                ({**(a or {}), "canceled_on": c.isoformat()} if isinstance(c, dt.date) else a)
                for a, c in zip(contracts["attributes"], canceled_on, strict=True)
            ]
        contracts = contracts[ok].reset_index(drop=True)
        customers = self._customers(contracts)
        left_out = int(evergreen.sum())
        notes = [f"{left_out:,} {_EVERGREEN_NOTE}"] if left_out else []
        return self.batch(
            table,
            {"customers": customers, "contracts": contracts},
            errors.rejects(self.file_of(table), rows),
            n,
            notes,
        )

    def _term(
        self, cols: Columns, errors: RowErrors, evergreen: np.ndarray
    ) -> tuple[pd.Series, pd.Series]:
        """Each row's term start and end (rows missing one, or ending before they start,
        rejected; an evergreen subscription has no end and is left out, not rejected)."""
        lay = self.layout
        start = self._dates(cols, errors, lay.start)
        end = self._dates(cols, errors, lay.end)
        errors.add(start.isna().to_numpy() & ~evergreen, f"missing term start ({lay.start[0]})")
        errors.add(end.isna().to_numpy() & ~evergreen, f"missing term end ({lay.end[0]})")
        before = [
            isinstance(s, dt.date) and isinstance(e, dt.date) and e < s
            for s, e in zip(start, end, strict=True)
        ]
        errors.add(np.asarray(before, dtype=bool), "the term ends before it starts")
        return start, end

    def _amounts(
        self, cols: Columns, errors: RowErrors, evergreen: np.ndarray
    ) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
        """(recurring amount in cents a billing period, currency, quantity, period): the
        unit amount times the quantity, for a period the billing unit and count name."""
        lay = self.layout
        index = cols.frame.index
        amount_text = cols.get(*lay.amount)
        unit, read_currency, bad_amount = values.parse_money(amount_text)
        errors.add_bad(
            bad_amount, amount_text, "an amount", cols.name(*lay.amount) or lay.amount[0]
        )
        errors.add(unit.isna().to_numpy() & ~evergreen, f"missing amount ({lay.amount[0]})")
        errors.add(unit.fillna(0).to_numpy() < 0, f"negative amount ({lay.amount[0]})")
        currency = settled_currency(
            cols, errors, lay.currency, amount_text, read_currency, lay.amount[0]
        )
        quantity = self._quantity(cols, errors)
        if lay.fixed_period is not None:
            period = pd.Series(lay.fixed_period, index=index, dtype=object)
            factor = pd.Series(1.0, index=index)
        else:
            unit_text = cols.get(*lay.period_unit)
            count = cols.get(*lay.period_count) if cols.has(*lay.period_count) else None
            if count is not None:
                outside, reason = out_of_range(
                    count, PERIOD_COUNT, cols.name(*lay.period_count) or lay.period_count[0]
                )
                errors.add(outside, reason)
            period, factor, bad_period = read_periods(unit_text, count)
            errors.add(
                bad_period,
                "cannot read '"
                + unit_text.astype(str)
                + f"' as a billing period ({lay.period_unit[0]})",
            )
        amount = (unit.astype(float) * quantity * factor.to_numpy()).round()
        return amount, currency, quantity, period

    def _dates(self, cols: Columns, errors: RowErrors, names: tuple[str, ...]) -> pd.Series:
        text = cols.get(*names)
        parsed, bad = values.parse_dates(text)
        errors.add_bad(bad, text, "a date", cols.name(*names) or names[0])
        return parsed.reset_index(drop=True)

    def _quantity(self, cols: Columns, errors: RowErrors) -> pd.Series:
        names = self.layout.quantity
        if not names or not cols.has(*names):
            return pd.Series(1.0, index=cols.frame.index)
        text = cols.get(*names)
        qty, bad = values.parse_number(text)
        errors.add_bad(bad, text, "a number", cols.name(*names) or names[0])
        outside, reason = out_of_range(qty, SEATS, cols.name(*names) or names[0])
        errors.add(outside, reason)
        return qty.astype(float).fillna(1.0)

    def _auto_renew(self, cols: Columns, errors: RowErrors, status: pd.Series) -> np.ndarray:
        """Auto-renew: the file's column where it has one, never for a subscription that
        is cancelled or set not to renew."""
        stops = ended_status(status)
        names = self.layout.auto_renew
        if names and cols.has(*names):
            text = cols.get(*names)
            flag, bad = values.parse_bool(text)
            errors.add_bad(bad, text, "true or false", cols.name(*names) or names[0])
            return np.asarray(flag.fillna(True).to_numpy(dtype=bool) & ~stops, dtype=bool)
        return np.asarray(~stops, dtype=bool)

    def _names(self, cols: Columns) -> pd.Series:
        lay = self.layout
        if lay.full_name and cols.has(*lay.full_name):
            return values.clean_text(cols.get(*lay.full_name))[0]
        return join_names(cols.get(*lay.first_name), cols.get(*lay.last_name))

    def _customers(self, contracts: pd.DataFrame) -> pd.DataFrame:
        """One customer per account id (its first row's email, name and company)."""
        columns = ["row", "source", "external_id", "email", "name", "company", "attributes"]
        known = contracts[contracts["customer_external_id"].notna()]
        first = known.drop_duplicates("customer_external_id", keep="first")
        return pd.DataFrame(
            {
                "row": first["row"].to_numpy(),
                "source": self.source,
                "external_id": first["customer_external_id"].to_numpy(),
                "email": first["customer_email"].to_numpy(),
                "name": first["customer_name"].to_numpy(),
                "company": first["customer_company"].to_numpy(),
                "attributes": None,
            },
            columns=columns,
        )


class ChargebeeSubscriptions(_BillingExport):
    """Chargebee subscriptions export."""

    name = "chargebee_subscriptions"
    title = "Chargebee subscriptions export"
    source = "chargebee"
    required = (
        ("subscriptions.id", "subscriptions.customer_id", "subscriptions.current_term_end"),
    )
    layout = Layout(
        subscription=("subscriptions.id",),
        customer=("subscriptions.customer_id", "customers.id"),
        email=("customers.email",),
        first_name=("customers.first_name",),
        last_name=("customers.last_name",),
        full_name=(),
        company=("customers.company",),
        plan=("subscriptions.plan_id", "subscription_items.item_price_id"),
        status=("subscriptions.status",),
        start=("subscriptions.current_term_start",),
        end=("subscriptions.current_term_end",),
        amount=("subscriptions.plan_unit_price", "subscriptions.plan_amount"),
        quantity=("subscriptions.plan_quantity",),
        currency=("subscriptions.currency_code",),
        period_count=("subscriptions.billing_period",),
        period_unit=("subscriptions.billing_period_unit",),
        canceled=("subscriptions.cancelled_at",),
    )


class RecurlySubscriptions(_BillingExport):
    """Recurly subscriptions export."""

    name = "recurly_subscriptions"
    title = "Recurly subscriptions export"
    source = "recurly"
    required = (
        ("uuid", "account_code", "plan_code", "current_period_ends_at"),
        ("uuid", "account_code", "plan_code", "current_term_ends_at"),
    )
    layout = Layout(
        subscription=("uuid",),
        customer=("account_code",),
        email=("email",),
        first_name=("first_name",),
        last_name=("last_name",),
        full_name=(),
        company=("company_name", "company"),
        plan=("plan_name", "plan_code"),
        status=("state", "subscription_state"),
        start=("current_term_started_at", "current_period_started_at"),
        end=("current_term_ends_at", "current_period_ends_at"),
        amount=("unit_amount", "subscription_unit_amount", "unit_amount_in_cents"),
        quantity=("quantity", "subscription_quantity"),
        currency=("currency",),
        period_count=("plan_interval_length",),
        period_unit=("plan_interval_unit",),
        auto_renew=("auto_renew",),
        canceled=("canceled_at",),
    )


class ZuoraSubscriptions(_BillingExport):
    """Zuora Subscription data source export."""

    name = "zuora_subscriptions"
    title = "Zuora subscriptions (data source export)"
    source = "zuora"
    required = (("Subscription: Name", "Subscription: Term End Date", "Account: Account Number"),)
    layout = Layout(
        subscription=("Subscription: Name",),
        customer=("Account: Account Number",),
        email=("Bill To: Work Email", "Sold To: Work Email"),
        first_name=("Bill To: First Name",),
        last_name=("Bill To: Last Name",),
        full_name=(),
        company=("Account: Name",),
        plan=("Rate Plan: Name", "Product: Name"),
        status=("Subscription: Status",),
        start=("Subscription: Term Start Date",),
        end=("Subscription: Term End Date",),
        amount=("Subscription: CMRR",),
        quantity=(),
        currency=("Account: Currency", "Subscription: Currency"),
        period_count=(),
        period_unit=(),
        auto_renew=("Subscription: Auto Renew",),
        canceled=("Subscription: Cancelled Date",),
        evergreen=("Subscription: Term Type",),
        fixed_period="month",
    )
