"""Every sample export imports to the manifest's truth, alone and all together.

The samples (tests/data/samples/, copied with their manifest from the shared sample set)
go through the real import service into real SQLite workspaces; the figures are read back
with SQL: customers, orders, paid revenue, and the per-customer truth of the manifest's
named customers (order count, total spend, last order date, tickets, subscriptions,
Mailchimp status, closed-won deals). Importing everything again changes nothing, and the
order in which files are imported does not change the result.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, text

from app.workspace import open_workspace
from models.vocab import GUEST_EXTERNAL_ID
from services.importing.service import run_import
from services.importing.types import ImportReport
from tests.support.databases import new_workspace_url, stored_json
from tests.support.paths import DATA

SAMPLES = DATA / "samples"
MANIFEST = json.loads((SAMPLES / "manifest.json").read_text(encoding="utf-8"))
FILES = sorted(MANIFEST["files"])
STORE_ZONE = "America/New_York"  # Shopify "Created at" offsets (-0500/-0400): local dates
TABLES = ("customers", "customer_identities", "orders", "interactions", "opportunities")


def cents(amount: float) -> int:
    return round(amount * 100)


@pytest.fixture
def engine(workspace_url: str) -> Iterator[Engine]:
    """A new workspace, on SQLite then on PostgreSQL."""
    ws = open_workspace(workspace_url, backup=False)
    try:
        yield ws.engine
    finally:
        ws.close()


def import_files(engine: Engine, names: list[str]) -> ImportReport:
    report = run_import(engine, [SAMPLES / n for n in names])
    for f in report.files:
        assert f.landed, (f.file, f.error)
        assert f.error is None, (f.file, f.error)
    return report


@dataclass
class Figures:
    """What a workspace holds, as DataFrames read back with SQL."""

    customers: pd.DataFrame  # without the guest customers
    guests: pd.DataFrame
    identities: pd.DataFrame
    orders: pd.DataFrame
    interactions: pd.DataFrame
    opportunities: pd.DataFrame
    subscriptions: pd.DataFrame

    @property
    def paid(self) -> pd.DataFrame:
        return self.orders[self.orders["status"] == "paid"]

    def customer_id(self, email: str) -> int:
        found = self.customers.loc[self.customers["email_normalized"] == email, "id"]
        assert len(found) == 1, f"{email}: {len(found)} customers"
        return int(found.iloc[0])


def figures(engine: Engine) -> Figures:
    with engine.connect() as conn:

        def read(table: str) -> pd.DataFrame:
            return pd.read_sql(f"SELECT * FROM {table} ORDER BY id", conn)

        customers = read("customers")
        orders = read("orders")
        identities = read("customer_identities")
        interactions = read("interactions")
        opportunities = read("opportunities")
        subscriptions = read("subscriptions")
    guest = customers["external_id"] == GUEST_EXTERNAL_ID
    orders["order_date"] = pd.to_datetime(orders["order_date"], utc=True)
    # The manifest's dates are the dates as written: the store's local date for Shopify,
    # the plain date for POS orders (stored as midnight UTC).
    local = orders["order_date"].dt.tz_convert(STORE_ZONE).dt.date
    orders["local_date"] = local.where(orders["source"] == "shopify", orders["order_date"].dt.date)
    return Figures(
        customers=customers[~guest].reset_index(drop=True),
        guests=customers[guest].reset_index(drop=True),
        identities=identities,
        orders=orders,
        interactions=interactions,
        opportunities=opportunities,
        subscriptions=subscriptions,
    )


def snapshot(engine: Engine, without: tuple[str, ...] = ()) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the data tables (to show that an import changed nothing), leaving out
    the columns ``without``."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for t in (*TABLES, "subscriptions"):
            result = conn.execute(text(f"SELECT * FROM {t} ORDER BY id"))
            keep = [i for i, k in enumerate(result.keys()) if k not in without]
            out[t] = [tuple(r[i] for i in keep) for r in result]
    return out


def named_people(engine: Engine) -> dict[tuple[str, int], int | None]:
    """(table, id) -> the person the record names, for orders and interactions."""
    with engine.connect() as conn:
        return {
            (t, int(i)): c
            for t in ("orders", "interactions")
            for i, c in conn.execute(text(f"SELECT id, contact_id FROM {t}"))
        }


# --- the copied samples are the shared ones ----------------------------------------------------


@pytest.mark.parametrize("name", FILES)
def test_sample_copy_matches_the_manifest_checksum(name: str) -> None:
    data = (SAMPLES / name).read_bytes()
    assert hashlib.sha256(data).hexdigest() == MANIFEST["files"][name]["sha256"]


# --- each file alone --------------------------------------------------------------------------


def check_alone(name: str, f: Figures) -> None:
    """The truth one file reaches on its own."""
    info = MANIFEST["files"][name]
    truth = info["truth"]
    customers = f.customers
    emails = customers["email_normalized"].dropna()
    if name == "salesforce/Account.csv":
        assert len(customers) == truth["accounts"]
        loyalty = f.identities[f.identities["source"] == "loyalty"]
        assert loyalty["external_id"].nunique() == truth["distinct_customer_numbers"]
        assert loyalty["customer_id"].nunique() == truth["accounts"]
    elif name == "salesforce/Contact.csv":
        assert len(customers) == truth["contacts"] == emails.nunique()
        # Each contact is linked to its account and (when it has one) its Shopify id.
        accounts = f.identities[f.identities["source"] == "salesforce"]
        assert accounts["customer_id"].value_counts().eq(2).all()  # contact + account ids
        attrs = customers["attributes"].map(stored_json)
        opted_out = attrs.map(lambda a: a.get("HasOptedOutOfEmail") == "true")
        assert int(opted_out.sum()) == truth["has_opted_out_of_email"]
    elif name in ("salesforce/Opportunity.csv", "salesforce/opportunity_report.csv"):
        check_opportunities(f.opportunities, truth, "salesforce")
        assert len(customers) == truth["distinct_accounts"]
    elif name.startswith("hubspot/") and "companies" in name:
        # Companies are accounts of their contacts, not customers: alone, they add none.
        assert len(customers) == 0
        assert truth["companies"] == 24
    elif name.startswith("hubspot/") and "contacts" in name:
        assert len(customers) == truth["contacts"] == emails.nunique()
        stages = customers["attributes"].map(lambda a: stored_json(a).get("Lifecycle Stage"))
        buyers = stages.isin(["Customer", "Evangelist"])
        assert int(buyers.sum()) == truth["lifecycle_customer_or_evangelist"]
        assert int((~buyers).sum()) == truth["non_customers"]
    elif name.startswith("hubspot/") and "deals" in name:
        check_opportunities(f.opportunities, truth, "hubspot")
        assert len(customers) == truth["distinct_associated_contacts"]
    elif name == "zendesk/tickets.csv":
        tickets = f.interactions
        assert len(tickets) == truth["tickets"]
        assert set(tickets["kind"]) == {"ticket"}
        assert tickets["satisfaction"].value_counts().to_dict() == truth["satisfaction"]
        status = {k: v for k, v in truth["status"].items() if v}
        assert tickets["status"].value_counts().to_dict() == status
        assert len(customers) == truth["distinct_requester_emails"] == emails.nunique()
    elif name == "shopify/orders_export_1.csv":
        check_shopify(f, truth)
        assert len(customers) == truth["distinct_customer_emails"] == emails.nunique()
    elif name == "stripe/subscriptions.csv":
        subs = f.subscriptions
        assert len(subs) == truth["subscriptions"]
        assert subs["status"].value_counts().to_dict() == truth["status"]
        assert int(subs["cancel_at_period_end"].sum()) == truth["cancel_at_period_end_true"]
        assert len(customers) == truth["distinct_customer_emails"] == emails.nunique()
        two = subs["customer_id"].value_counts()
        assert int((two == 2).sum()) == truth["customers_with_2_subscriptions"]
        live = subs[subs["status"].isin(["active", "past_due"])]
        months = live["interval"].map({"month": 1, "year": 12})
        assert round((live["amount_cents"] / months).sum()) == cents(
            truth["mrr_active_and_past_due"]
        )
    elif name.startswith("mailchimp/"):
        assert len(customers) == truth["members"] == emails.nunique()
        unsubscribes = f.interactions
        expected = truth["members"] if "unsubscribed" in name else 0
        assert len(unsubscribes) == expected
        assert set(unsubscribes["kind"]) <= {"unsubscribe"}
    elif name == "email/campaign_activity.csv":
        kinds = f.interactions["kind"].value_counts().to_dict()
        assert kinds == {
            "email_sent": truth["sends"],
            "email_open": truth["opens"],
            "email_click": truth["clicks"],
        }
        assert len(customers) == truth["distinct_emails"]
    elif name == "generic/customers.csv":
        assert len(customers) == truth["customers"] == emails.nunique()
    elif name == "generic/orders.csv":
        assert len(f.orders) == truth["orders"]
        assert f.paid["amount_cents"].sum() == cents(truth["total_amount"])
        assert len(customers) == truth["distinct_customer_emails"]
        assert str(f.orders["local_date"].min()) == truth["first_order_date"]
        assert str(f.orders["local_date"].max()) == truth["last_order_date"]
    else:  # pragma: no cover - a new sample needs its truth here
        raise AssertionError(f"no truth check for {name}")


def check_opportunities(opps: pd.DataFrame, truth: dict[str, Any], source: str) -> None:
    key = "opportunities" if source == "salesforce" else "deals"
    assert len(opps) == truth[key]
    assert set(opps["source"]) == {source}
    won = opps[opps["won"].astype(bool)]
    assert len(won) == truth["closed_won"]
    assert won["amount_cents"].sum() == cents(truth["closed_won_amount"])
    lost = opps["closed"].astype(bool) & ~opps["won"].astype(bool)
    assert int(lost.sum()) == truth["closed_lost"]
    still_open = opps[~opps["closed"].astype(bool)]
    assert len(still_open) == truth["open"]
    assert still_open["amount_cents"].sum() == cents(truth["open_amount"])


def check_shopify(f: Figures, truth: dict[str, Any]) -> None:
    shopify = f.orders[f.orders["source"] == "shopify"]
    assert len(shopify) == truth["distinct_orders"]
    status = shopify["status"].value_counts()
    assert status["paid"] == truth["paid_orders"]
    assert status["refunded"] == truth["refunded_orders"]
    assert status["cancelled"] == truth["cancelled_orders"]
    paid = shopify[shopify["status"] == "paid"]
    assert paid["amount_cents"].sum() == cents(truth["net_paid_revenue"])
    # Guest checkouts belong to the one guest customer, outside the customer counts.
    guest_ids = set(f.guests.loc[f.guests["source"] == "shopify", "id"])
    assert len(guest_ids) == 1
    guest_orders = shopify[shopify["customer_id"].isin(guest_ids)]
    assert len(guest_orders) == truth["guest_orders"]
    guest_paid = guest_orders[guest_orders["status"] == "paid"]["amount_cents"].sum()
    assert guest_paid == cents(truth["guest_paid_revenue"])
    assert str(shopify["local_date"].min()) == truth["first_order_date"]
    assert str(shopify["local_date"].max()) == truth["last_order_date"]


@pytest.mark.parametrize("name", FILES)
def test_each_sample_alone_reaches_its_truth_and_reimports_as_no_op(
    engine: Engine, name: str
) -> None:
    info = MANIFEST["files"][name]
    report = import_files(engine, [name])
    (result,) = report.files
    assert result.rows_read == info["rows"]
    assert result.rejected == 0
    assert not result.rejects
    check_alone(name, figures(engine))
    before = snapshot(engine)
    again = import_files(engine, [name]).files[0]
    assert (again.inserted, again.updated) == (0, 0)
    assert snapshot(engine) == before


# --- everything together ----------------------------------------------------------------------


def check_all(f: Figures) -> None:
    overall = MANIFEST["overall"]
    customers = f.customers
    people = customers[customers["email_normalized"].notna()]
    # Everyone is one customer however many files name them, and every customer is a
    # person: the HubSpot companies are the accounts their contacts belong to.
    assert (
        len(people) == overall["distinct_emails_all_files"] == people["email_normalized"].nunique()
    )
    assert len(customers) == len(people)
    assert not customers["external_id"].fillna("").str.startswith("company:").any()
    truth_contacts = MANIFEST["files"]["hubspot/hubspot-crm-exports-all-contacts-2026-11-15.csv"]
    with_company = customers["attributes"].map(lambda a: bool(a) and "company_id" in stored_json(a))
    assert int(with_company.sum()) == truth_contacts["truth"]["with_associated_company"]
    paid = f.paid
    buyers = paid[~paid["customer_id"].isin(f.guests["id"])]["customer_id"].unique()
    assert len(buyers) == overall["customers_with_paid_orders"] == MANIFEST["customers"]
    assert len(people) - len(buyers) == overall["contacts_without_orders"]
    assert len(paid) == overall["paid_orders_total"]
    assert paid["amount_cents"].sum() == cents(overall["paid_revenue_total"])
    by_source = paid.groupby("source")["amount_cents"].sum()
    assert by_source["shopify"] == cents(overall["paid_revenue_shopify_net"])
    assert by_source.drop("shopify").sum() == cents(overall["paid_revenue_store_pos"])
    guest_orders = f.orders[f.orders["customer_id"].isin(f.guests["id"])]
    assert len(guest_orders) == overall["guest_orders_without_email"]
    check_shopify(f, MANIFEST["files"]["shopify/orders_export_1.csv"]["truth"])
    files = MANIFEST["files"]
    check_opportunities(
        f.opportunities[f.opportunities["source"] == "salesforce"],
        files["salesforce/Opportunity.csv"]["truth"],
        "salesforce",
    )
    check_opportunities(
        f.opportunities[f.opportunities["source"] == "hubspot"],
        files["hubspot/hubspot-crm-exports-all-deals-2026-11-15.csv"]["truth"],
        "hubspot",
    )
    # Deals reach the customers' one record: through the account and its contact
    # (Salesforce), through the contact record (HubSpot).
    with_email = set(people["id"])
    sf = f.opportunities[f.opportunities["source"] == "salesforce"]["customer_id"]
    truth_sf = files["salesforce/Opportunity.csv"]["truth"]
    assert sf.nunique() == truth_sf["distinct_customer_emails_via_account_contact"]
    assert set(sf) <= with_email
    hs = f.opportunities[f.opportunities["source"] == "hubspot"]["customer_id"]
    truth_hs = files["hubspot/hubspot-crm-exports-all-deals-2026-11-15.csv"]["truth"]
    assert hs.nunique() == truth_hs["distinct_associated_contacts"]
    assert len(set(hs) & set(buyers)) == truth_hs["distinct_associated_customer_emails"]
    tickets = f.interactions[f.interactions["kind"] == "ticket"]
    assert len(tickets) == files["zendesk/tickets.csv"]["truth"]["tickets"]
    assert (
        tickets["customer_id"].nunique()
        == files["zendesk/tickets.csv"]["truth"]["distinct_requester_emails"]
    )
    # Mailchimp members who are buyers.
    mailchimp = set(f.identities.loc[f.identities["source"] == "mailchimp", "customer_id"])
    unsubscribed = set(f.interactions.loc[f.interactions["kind"] == "unsubscribe", "customer_id"])
    subscribed = mailchimp - unsubscribed
    assert (
        len(subscribed & set(buyers))
        == files["mailchimp/subscribed_members.csv"]["truth"]["customers"]
    )
    assert (
        len(unsubscribed & set(buyers))
        == files["mailchimp/unsubscribed_members.csv"]["truth"]["customers"]
    )
    check_named_customers(f, subscribed, unsubscribed)


def check_named_customers(f: Figures, subscribed: set[int], unsubscribed: set[int]) -> None:
    for named in MANIFEST["named_customers"]:
        email = named["email"]
        cid = f.customer_id(email)
        paid = f.paid[f.paid["customer_id"] == cid]
        assert len(paid) == named["order_count"], email
        assert paid["amount_cents"].sum() == cents(named["total_spend"]), email
        assert str(paid["local_date"].max()) == named["last_order_date"], email
        as_of = dt.date.fromisoformat(MANIFEST["as_of"])
        assert (as_of - paid["local_date"].max()).days == named["days_since_last_order"]
        shop = paid[paid["source"] == "shopify"]
        assert shop["amount_cents"].sum() == cents(named["shopify"]["net_spend"]), email
        all_shop = f.orders[(f.orders["customer_id"] == cid) & (f.orders["source"] == "shopify")]
        assert len(all_shop) == named["shopify"]["orders"], email
        for status in ("refunded", "cancelled"):
            count = int((all_shop["status"] == status).sum())
            assert count == named["shopify"][f"{status}_orders"], (email, status)
        tickets = f.interactions[
            (f.interactions["customer_id"] == cid) & (f.interactions["kind"] == "ticket")
        ]
        assert len(tickets) == named["zendesk_tickets"], email
        assert int((tickets["satisfaction"] == "bad").sum()) == named["zendesk_bad_ratings"]
        subs = f.subscriptions[f.subscriptions["customer_id"] == cid]
        if named["stripe_subscription_status"] is None:
            assert subs.empty, email
        else:
            latest = subs.sort_values("started_at").iloc[-1]
            assert latest["status"] == named["stripe_subscription_status"], email
        mailchimp = (
            "unsubscribed" if cid in unsubscribed else "subscribed" if cid in subscribed else None
        )
        assert mailchimp == named["mailchimp"], email
        opps = f.opportunities[f.opportunities["customer_id"] == cid]
        won = opps[opps["won"].astype(bool)]
        for source in ("salesforce", "hubspot"):
            amount = won.loc[won["source"] == source, "amount_cents"].sum()
            assert amount == cents(named[f"{source}_closed_won_amount"]), (email, source)


def customer_view(f: Figures) -> pd.DataFrame:
    """Per customer (by email, or company for organisations): what the app shows."""
    customers = f.customers.set_index("id")
    key = customers["email_normalized"].where(
        customers["email_normalized"].notna(), "company:" + customers["company"].astype(str)
    )
    paid = f.paid.assign(key=f.paid["customer_id"].map(key))
    view = paid.groupby("key").agg(
        orders=("id", "size"), spend=("amount_cents", "sum"), last=("local_date", "max")
    )
    for kind, frame in (
        ("interactions", f.interactions),
        ("opportunities", f.opportunities),
        ("subscriptions", f.subscriptions),
    ):
        view = view.join(frame["customer_id"].map(key).value_counts().rename(kind), how="outer")
    ids = f.identities.assign(key=f.identities["customer_id"].map(key))
    view = view.join(ids.groupby("key")["external_id"].nunique().rename("identities"), how="outer")
    return view.reindex(sorted(key.unique())).fillna(0)


def test_all_samples_together_in_any_order_reach_the_same_truth(
    database: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    views = []
    for label, names in (("sorted", FILES), ("reversed", FILES[::-1])):
        folder = tmp_path / label
        folder.mkdir()
        ws = open_workspace(new_workspace_url(request, database, folder), backup=False)
        try:
            report = import_files(ws.engine, names)
            assert sum(r.rejected for r in report.files) == 0
            assert [r.rows_read for r in report.files] == [
                MANIFEST["files"][n]["rows"] for n in names
            ]
            f = figures(ws.engine)
            check_all(f)
            views.append(customer_view(f))
        finally:
            ws.close()
    # The same customer view whichever order the files came in.
    pd.testing.assert_frame_equal(views[0], views[1])


def test_reimporting_all_samples_changes_nothing(engine: Engine) -> None:
    # Opportunity.csv and opportunity_report.csv hold the same 46 opportunities: importing
    # one after the other must not flip the records back and forth either.
    import_files(engine, FILES)
    # A person's link, and the row hashes of a file read with other people in the workspace
    # (services/importing/rowhash.py), may be new on the second pass; nothing else.
    linked = ("contact_id", "row_hash")
    before, named_before = snapshot(engine, without=linked), named_people(engine)
    again = import_files(engine, FILES)
    changed = {r.file: (r.inserted, r.updated) for r in again.files if r.inserted or r.updated}
    assert changed == {}
    assert snapshot(engine, without=linked) == before
    # The second pass names the person of the records read before their contacts were
    # (the email activity precedes Salesforce's Contact.csv): a link added, none changed.
    named_after = named_people(engine)
    added = {k for k, v in named_after.items() if named_before[k] != v}
    assert added
    assert all(named_before[k] is None for k in added)
    settled = snapshot(engine)
    import_files(engine, FILES)
    assert snapshot(engine) == settled
    check_all(figures(engine))
