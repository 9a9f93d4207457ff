"""Known export formats: detection from the header, and conversion to the canonical form.

Real sample exports (tests/data/samples/<vendor>/, copied from the shared sample set with
their manifest) plus small files written here for the cases the samples do not hold.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from services.importing.canonical import Batch
from services.importing.formats import ADAPTERS, adapter_named, detect, salesforce_id18
from services.importing.reader import read_table
from tests.support.paths import DATA

SAMPLES = DATA / "samples"
MANIFEST = json.loads((SAMPLES / "manifest.json").read_text(encoding="utf-8"))

EXPECTED_FORMAT = {
    "salesforce/Account.csv": "salesforce_account",
    "salesforce/Contact.csv": "salesforce_contact",
    "salesforce/Opportunity.csv": "salesforce_opportunity",
    "salesforce/opportunity_report.csv": "salesforce_opportunity_report",
    "hubspot/hubspot-crm-exports-all-companies-2026-11-15.csv": "hubspot_companies",
    "hubspot/hubspot-crm-exports-all-contacts-2026-11-15.csv": "hubspot_contacts",
    "hubspot/hubspot-crm-exports-all-deals-2026-11-15.csv": "hubspot_deals",
    "zendesk/tickets.csv": "zendesk_tickets",
    "shopify/orders_export_1.csv": "shopify_orders",
    "stripe/subscriptions.csv": "stripe_subscriptions",
    "mailchimp/subscribed_members.csv": "mailchimp_subscribed",
    "mailchimp/unsubscribed_members.csv": "mailchimp_unsubscribed",
    "email/campaign_activity.csv": "email_campaign_activity",
}
# The billing systems' subscriptions exports, whose samples are with the contracts
# (tests/data/contracts; tested in tests/unit/importing/test_import_contracts.py).
CONTRACT_FORMATS = {
    "chargebee_subscriptions.csv": "chargebee_subscriptions",
    "recurly_subscriptions.csv": "recurly_subscriptions",
    "zuora_subscriptions.csv": "zuora_subscriptions",
    "salesforce_contracts.csv": "salesforce_contracts",
}

# The people of business accounts (tests/data/contacts; tested in
# tests/unit/importing/test_import_contacts.py).
CONTACT_FORMATS = {
    "AccountContactRole.csv": "salesforce_contact_role",
    "OpportunityContactRole.csv": "salesforce_contact_role",
    "Contact.csv": "salesforce_contact",
    "hubspot-crm-exports-all-contacts-2026-11-20.csv": "hubspot_contacts",
}


# CRM activity files (tests/data/activities; tested in
# tests/unit/importing/test_import_crm_activities.py).
ACTIVITY_FORMATS = {
    "Task.csv": "salesforce_activities",
    "hubspot-calls.csv": "hubspot_activities",
    "radar-activities.csv": "radar_activities",
    "freshdesk-tickets.csv": "freshdesk_tickets",
}


def convert(path: Path) -> Batch:
    table = read_table(path)
    adapter = detect(table.header)
    assert adapter is not None, f"{path.name} not recognised"
    return adapter.convert(table)


def sample(name: str) -> Batch:
    return convert(SAMPLES / name)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- detection ------------------------------------------------------------------------------


def test_every_non_generic_sample_has_an_expected_format() -> None:
    vendor_files = {k for k in MANIFEST["files"] if not k.startswith("generic/")}
    assert vendor_files == set(EXPECTED_FORMAT)
    assert {a.name for a in ADAPTERS} == set(EXPECTED_FORMAT.values()) | set(
        CONTRACT_FORMATS.values()
    ) | set(CONTACT_FORMATS.values()) | set(ACTIVITY_FORMATS.values())


@pytest.mark.parametrize("name", sorted(CONTACT_FORMATS))
def test_each_contacts_file_is_recognised_from_its_header(name: str) -> None:
    adapter = detect(read_table(DATA / "contacts" / name).header)
    assert adapter is not None
    assert adapter.name == CONTACT_FORMATS[name]


@pytest.mark.parametrize("name", sorted(EXPECTED_FORMAT))
def test_each_sample_is_recognised_from_its_header(name: str) -> None:
    table = read_table(SAMPLES / name)
    adapter = detect(table.header)
    assert adapter is not None
    assert adapter.name == EXPECTED_FORMAT[name]
    assert adapter.title
    assert adapter.kinds
    assert adapter_named(adapter.name) is adapter


@pytest.mark.parametrize("name", sorted(EXPECTED_FORMAT))
def test_detection_survives_reordered_recased_and_extra_columns(name: str) -> None:
    header = list(read_table(SAMPLES / name).header)
    changed = [h.upper() if i % 2 else f"  {h} " for i, h in enumerate(reversed(header))]
    changed.append("Some Column Added By A Later Release")
    adapter = detect(changed)
    assert adapter is not None
    assert adapter.name == EXPECTED_FORMAT[name]


@pytest.mark.parametrize(
    "header",
    [
        # The generic samples (loyalty customers, POS orders) and other plain files.
        "customer_id,email,first_name,last_name,phone,street,city,state,zip,country,"
        "created_at,accepts_marketing",
        "customer_email,order_id,order_date,amount,category",
        "customer_id,order_id,order_date,amount",
        "Email,Name,Phone",
        "id,name,email,created",
        "Order ID,Customer,Date,Total,Status",
        "email,campaign",  # activity needs sent_at and opens or clicks
        "Record ID,Notes",  # a HubSpot export of another object
        "Id,Name",  # too little to be a Salesforce account
        "Name,Email,Total",  # too little to be a Shopify export
    ],
)
def test_generic_headers_are_not_claimed_by_any_format(header: str) -> None:
    assert detect(header.split(",")) is None


def test_a_format_missing_a_required_column_is_not_recognised() -> None:
    header = list(read_table(SAMPLES / "shopify/orders_export_1.csv").header)
    header.remove("Financial Status")
    assert detect(header) is None


# --- Shopify --------------------------------------------------------------------------------


def test_shopify_sample_groups_line_items_into_orders_with_the_manifest_figures() -> None:
    truth = MANIFEST["files"]["shopify/orders_export_1.csv"]["truth"]
    batch = sample("shopify/orders_export_1.csv")
    orders = batch.frames["orders"]
    assert batch.rows_read == truth["line_item_rows"]
    assert not batch.rejects
    assert len(orders) == truth["distinct_orders"] == orders["external_id"].nunique()
    counts = orders["status"].value_counts()
    assert counts["paid"] == truth["paid_orders"]
    assert counts["refunded"] == truth["refunded_orders"]
    assert counts["cancelled"] == truth["cancelled_orders"]
    paid = orders[orders["status"] == "paid"]
    assert paid["amount_cents"].sum() == round(truth["net_paid_revenue"] * 100)
    assert paid.loc[paid["guest"], "amount_cents"].sum() == round(truth["guest_paid_revenue"] * 100)
    assert int(orders["guest"].sum()) == truth["guest_orders"]
    assert orders.loc[orders["guest"], "customer_email"].isna().all()
    assert orders["customer_email"].nunique() == truth["distinct_customer_emails"]
    lines = orders["attributes"].map(lambda a: len(a["Lineitems"]))
    assert int((lines > 1).sum()) == truth["multi_line_item_orders"]
    assert int(lines.sum()) == truth["line_item_rows"]
    # Gross totals and refunds stay in attributes next to the net amount.
    partial = paid[paid["attributes"].map(lambda a: a["Financial Status"]) == "partially_refunded"]
    assert len(partial) == truth["partially_refunded_orders"]
    gross = paid["attributes"].map(lambda a: round(float(a["Total"]) * 100)).sum()
    assert gross == round(truth["gross_total_of_paid_orders"] * 100)
    local = orders["order_date"].dt.tz_convert("America/New_York").dt.date
    assert str(local.min()) == truth["first_order_date"]
    assert str(local.max()) == truth["last_order_date"]
    assert str(orders["order_date"].dtype) == "datetime64[ns, UTC]"
    multiline_notes = orders["attributes"].map(lambda a: "\n" in a.get("Note Attributes", ""))
    assert int(multiline_notes.sum()) == truth["orders_with_multiline_note_attributes"]


SHOPIFY_HEADER = (
    "Name,Email,Financial Status,Paid at,Currency,Total,Created at,Lineitem quantity,"
    "Lineitem name,Lineitem price,Billing Name,Billing Phone,Cancelled at,Refunded Amount,"
    "Source,Lineitem product type\n"
)


def test_shopify_statuses_amounts_and_continuation_rows(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "orders_export.csv",
        SHOPIFY_HEADER
        # A paid order of two lines: the continuation row has no order-level fields.
        + "#1005,Ann@Example.com,paid,,USD,130.00,2026-03-14 22:30:00 -0400,2,Socks,"
        "15.00,Ann Lee,'+1 201-555-0147,,0.00,web,Accessories\n"
        + "#1005,ann@example.com,,,,,2026-03-14 22:30:00 -0400,1,Coat,100.00,,,,,,Outerwear\n"
        # Partially refunded: net = 80 - 30.
        + "#1004,bo@example.com,partially_refunded,,USD,80.00,2026-01-10 10:00:00 -0500,1,"
        "Hat,80.00,Bo,,,30.00,pos,\n"
        # Refunded, cancelled (voided with Cancelled at), and pending.
         + "#1003,cy@example.com,refunded,,USD,50.00,2026-01-09 10:00:00 -0500,1,Hat,50.00,"
        "Cy,,,50.00,web,\n"
        + "#1002,cy@example.com,voided,,USD,40.00,2026-01-08 10:00:00 -0500,1,Hat,40.00,Cy,,"
        "2026-01-08 12:00:00 -0500,0.00,web,\n"
        + "#1001,,pending,,USD,20.00,2026-01-07 10:00:00 -0500,1,Hat,20.00,,,,0.00,web,\n",
    )
    batch = convert(path)
    orders = batch.frames["orders"].set_index("external_id")
    assert not batch.rejects
    assert batch.rows_read == 6
    assert list(orders.index) == ["#1005", "#1004", "#1003", "#1002", "#1001"]
    first = orders.loc["#1005"]
    assert first["status"] == "paid"
    assert first["amount_cents"] == 13000
    assert first["items"] == 3
    assert first["row"] == 2
    assert first["customer_email"] == "ann@example.com"
    assert first["customer_name"] == "Ann Lee"
    assert first["category"] == "Outerwear"  # the most expensive line's category
    # Created at is converted to UTC (the local date was the 14th).
    assert first["order_date"] == pd.Timestamp("2026-03-15 02:30:00", tz="UTC")
    # The apostrophe Excel needs stays in the attributes text; line items are kept.
    assert first["attributes"]["Billing Phone"] == "'+1 201-555-0147"
    assert [li["Lineitem name"] for li in first["attributes"]["Lineitems"]] == ["Socks", "Coat"]
    assert orders.loc["#1004", "status"] == "paid"
    assert orders.loc["#1004", "amount_cents"] == 5000
    assert orders.loc["#1004", "attributes"]["Total"] == "80.00"
    assert orders.loc["#1004", "attributes"]["Refunded Amount"] == "30.00"
    assert orders.loc["#1004", "channel"] == "store"
    assert orders.loc["#1003", "status"] == "refunded"
    assert orders.loc["#1003", "amount_cents"] == 5000  # the gross total
    assert orders.loc["#1002", "status"] == "cancelled"
    assert orders.loc["#1001", "status"] == "pending"
    assert bool(orders.loc["#1001", "guest"])
    assert pd.isna(orders.loc["#1001", "customer_email"])
    assert not orders.loc[["#1005", "#1004", "#1003", "#1002"], "guest"].any()


def test_shopify_bad_rows_reject_their_whole_order_with_reasons(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "orders_export.csv",
        SHOPIFY_HEADER
        + "#2,a@example.com,paid,,USD,30.00,2026-01-07 10:00:00 -0500,1,Hat,10.00,,,,0.00,web,\n"
        + "#2,a@example.com,,,,,2026-01-07 10:00:00 -0500,two,Cap,20.00,,,,,,\n"
        + "#3,b@example.com,paid,,USD,-5.00,2026-01-08 10:00:00 -0500,1,Hat,10.00,,,,0.00,web,\n"
        + "#4,c@example.com,paid,,USD,25.00,someday,1,Hat,25.00,,,,0.00,web,\n"
        + "#5,d@example.com,paid,,USD,25.00,2026-01-09 10:00:00 -0500,1,Hat,25.00,,,,0.00,web,\n"
        + ",e@example.com,paid,,USD,25.00,2026-01-09 10:00:00 -0500,1,Hat,25.00,,,,0.00,web,\n",
    )
    batch = convert(path)
    assert list(batch.frames["orders"]["external_id"]) == ["#5"]
    reasons = {r.row: r.reason for r in batch.rejects}
    assert set(reasons) == {2, 3, 4, 5, 7}
    assert "part of order #2" in reasons[2]
    assert "'two'" in reasons[3]
    assert "Lineitem quantity" in reasons[3]
    assert "negative amount" in reasons[4]
    assert "'someday'" in reasons[5]
    assert "Created at" in reasons[5]
    assert "missing order name" in reasons[7]
    assert all(r.file == "orders_export.csv" for r in batch.rejects)


# --- Salesforce -----------------------------------------------------------------------------


def test_salesforce_15_character_ids_gain_their_case_checksum() -> None:
    assert salesforce_id18("0018b0000pOcAI0") == "0018b0000pOcAI0AAN"
    assert salesforce_id18("0068b0000H27UvX") == "0068b0000H27UvXAQU"
    assert salesforce_id18("001000000000000") == "001000000000000AAA"
    assert salesforce_id18("AAAAAAAAAAAAAAA") == "AAAAAAAAAAAAAAA555"
    assert salesforce_id18("0018b0000pOcAI0AAN") == "0018b0000pOcAI0AAN"
    assert salesforce_id18(" not-an-id ") == "not-an-id"


def test_salesforce_report_and_data_export_name_the_same_records() -> None:
    truth = MANIFEST["files"]["salesforce/opportunity_report.csv"]["truth"]
    report = sample("salesforce/opportunity_report.csv").frames["opportunities"]
    export = sample("salesforce/Opportunity.csv").frames["opportunities"]
    assert len(report) == len(export) == truth["opportunities"]
    assert (report["external_id"].str.len() == 18).all()
    assert set(report["external_id"]) == set(export["external_id"])
    assert set(report["customer_external_id"]) == set(export["customer_external_id"])
    accounts = set(sample("salesforce/Account.csv").frames["customers"]["external_id"])
    assert set(report["customer_external_id"]) <= accounts
    merged = report.merge(export, on="external_id", suffixes=("_report", "_export"))
    for column in ("amount_cents", "close_date", "closed", "won", "stage", "probability"):
        assert (merged[f"{column}_report"] == merged[f"{column}_export"]).all(), column
    for frame in (report, export):
        won = frame[frame["won"]]
        assert len(won) == truth["closed_won"]
        assert won["amount_cents"].sum() == round(truth["closed_won_amount"] * 100)
        assert int((frame["closed"] & ~frame["won"]).sum()) == truth["closed_lost"]
        open_ = frame[~frame["closed"]]
        assert len(open_) == truth["open"]
        assert open_["amount_cents"].sum() == round(truth["open_amount"] * 100)
        assert frame["customer_external_id"].nunique() == truth["distinct_accounts"]
    first = report.set_index("external_id").loc["0068b0000H27UvXAQU"]
    assert first["close_date"] == dt.date(2025, 1, 2)  # "1/2/2025" is M/D/YYYY
    assert first["amount_cents"] == 189550  # "$1,895.50"
    assert first["probability"] == 0.0
    assert first["owner"] == "Marcus Oyelaran"


def test_salesforce_report_footer_is_not_data() -> None:
    path = SAMPLES / "salesforce/opportunity_report.csv"
    table = read_table(path)
    adapter = detect(table.header)
    assert adapter is not None
    footer = adapter.footer_rows(table)
    assert len(footer) == 3
    malformed = {row for row, _, _ in table.malformed}
    assert footer == malformed  # the three footer lines are exactly the odd rows
    batch = adapter.convert(table)
    assert batch.rows_read == 46
    assert not batch.rejects


def test_salesforce_report_footer_as_padded_rows(tmp_path: Path) -> None:
    # Re-saved by a spreadsheet, the footer lines are padded to the header's width.
    header = '"Opportunity Owner","Account Name","Account ID","Opportunity Name",'
    header += '"Opportunity ID","Stage","Amount","Close Date","Probability (%)"\n'
    row = '"Jane Ferris","Larch Household","0018b0000JUjTnm","Larch - Kit","0068b0000TNsg2f",'
    row += '"Closed Won","$3,140.50","3/19/2025","100%"\n'
    pad = ",,,,,,,,\n"
    text = header + row + pad
    text += '"Grand Totals (1 records)",,,,,,,,\n' + pad
    text += '"Confidential Information - Do Not Distribute",,,,,,,,\n'
    text += '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.",,,,,,,,\n'
    path = write(tmp_path, "report.csv", text)
    table = read_table(path)
    adapter = detect(table.header)
    assert adapter is not None
    assert adapter.name == "salesforce_opportunity_report"
    assert len(adapter.footer_rows(table)) == 3
    batch = adapter.convert(table)
    opportunities = batch.frames["opportunities"]
    assert not batch.rejects
    assert len(opportunities) == 1
    assert batch.rows_read == 1
    assert opportunities["external_id"].iat[0] == "0068b0000TNsg2fAQB"  # as in Opportunity.csv
    assert opportunities["customer_external_id"].iat[0] == "0018b0000JUjTnmAQF"
    assert bool(opportunities["won"].iat[0])
    assert opportunities["amount_cents"].iat[0] == 314050


def test_salesforce_accounts_and_contacts_link_to_each_other_and_to_shopify() -> None:
    accounts = sample("salesforce/Account.csv").frames["customers"]
    contacts = sample("salesforce/Contact.csv").frames["customers"]
    truth = MANIFEST["files"]["salesforce/Contact.csv"]["truth"]
    assert len(accounts) == 300
    assert len(contacts) == truth["contacts"]
    loyalty = accounts["identities"].map(lambda ids: [i for s, i in ids if s == "loyalty"])
    assert loyalty.map(len).eq(1).all()
    assert loyalty.map(lambda x: x[0]).nunique() == 300
    truth_accounts = MANIFEST["files"]["salesforce/Account.csv"]["truth"]
    assert loyalty.map(lambda x: x[0]).nunique() == truth_accounts["distinct_customer_numbers"]
    linked = contacts["identities"].map(lambda ids: {s: i for s, i in ids})
    assert set(linked.map(lambda d: d["salesforce"])) == set(accounts["external_id"])
    shopify = linked.map(lambda d: d.get("shopify"))
    assert shopify.notna().sum() == 265
    assert contacts["email"].nunique() == truth["distinct_emails"]
    opted_out = contacts["attributes"].map(lambda a: a.get("HasOptedOutOfEmail") == "true")
    assert int(opted_out.sum()) == truth["has_opted_out_of_email"]
    # An email opt-out alone is not "do not contact" (see salesforce.py).
    assert contacts["do_not_contact"].isna().all()
    # A household is a person (named by its contact), not a company.
    household = accounts.set_index("external_id").loc["0018b0000CKAED2AQP"]
    assert "name" not in accounts
    assert pd.isna(household["company"])
    assert household["attributes"]["Name"] == "Vetchcombe Household"
    assert "Apt 18B" in household["attributes"]["BillingStreet"]
    assert ("generic", "C10399") in household["identities"]


def test_salesforce_contact_opted_out_of_everything_is_do_not_contact(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Contact.csv",
        '"Id","AccountId","FirstName","LastName","Email","HasOptedOutOfEmail","DoNotCall"\n'
        '"0038b0000lGXIJe","0018b0000CKAED2","Bo","Vetch","BO@example.org","true","true"\n'
        '"0038b0000gbCARa","0018b0000kil8GF","Eb","Zeph","eb@example.net","true","false"\n',
    )
    contacts = convert(path).frames["customers"]
    assert list(contacts["do_not_contact"]) == [True, None]
    assert contacts["external_id"].iat[0] == salesforce_id18("0038b0000lGXIJe")
    assert contacts["email"].iat[0] == "bo@example.org"
    assert contacts["identities"].iat[0] == [("salesforce", salesforce_id18("0018b0000CKAED2"))]


# --- HubSpot --------------------------------------------------------------------------------


def test_hubspot_deactivated_owners_lose_the_suffix_and_keep_a_flag(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "hubspot-crm-exports-all-contacts.csv",
        '"Record ID","First Name","Last Name","Email","Contact owner"\n'
        '"101","Ann","Lee","ann@example.com","jane@acme.com (Deactivated User)"\n'
        '"102","Bo","Ray","bo@example.com","Dana Whitlock"\n'
        '"103","Cy","","cy@example.com",""\n',
    )
    contacts = convert(path).frames["customers"].set_index("external_id")
    assert contacts.loc["101", "owner"] == "jane@acme.com"
    assert contacts.loc["101", "attributes"]["owner_deactivated"] is True
    assert contacts.loc["102", "owner"] == "Dana Whitlock"
    assert contacts.loc["102", "attributes"] is None
    assert contacts.loc["103", "owner"] is None
    assert contacts.loc["103", "name"] == "Cy"


def test_hubspot_samples_give_contacts_companies_and_deals() -> None:
    files = MANIFEST["files"]
    contacts = sample("hubspot/hubspot-crm-exports-all-contacts-2026-11-15.csv")
    companies = sample("hubspot/hubspot-crm-exports-all-companies-2026-11-15.csv")
    deals = sample("hubspot/hubspot-crm-exports-all-deals-2026-11-15.csv")
    people = contacts.frames["customers"]
    truth = files["hubspot/hubspot-crm-exports-all-contacts-2026-11-15.csv"]["truth"]
    assert len(people) == truth["contacts"] == people["email"].nunique()
    assert int(people["company"].notna().sum()) == truth["with_associated_company"]
    # Companies are accounts (what contacts belong to), never customers.
    assert "customers" not in companies.frames
    orgs = companies.frames["accounts"]
    truth = files["hubspot/hubspot-crm-exports-all-companies-2026-11-15.csv"]["truth"]
    assert len(orgs) == truth["companies"] == orgs["external_id"].nunique()
    assert not orgs["external_id"].str.startswith("company:").any()
    first = orgs.set_index("external_id").loc["83833774260"]
    assert first["name"] == "Bramblefield Hockey Association"
    assert first["attributes"]["company_industry"] == "Sports"
    assert first["attributes"]["company_owner"] == "Dana Whitlock"
    assert first["attributes"]["company_id"] == "83833774260"
    opportunities = deals.frames["opportunities"]
    truth = files["hubspot/hubspot-crm-exports-all-deals-2026-11-15.csv"]["truth"]
    assert len(opportunities) == truth["deals"]
    won = opportunities[opportunities["won"]]
    assert len(won) == truth["closed_won"]
    assert won["amount_cents"].sum() == round(truth["closed_won_amount"] * 100)
    assert int((opportunities["closed"] & ~opportunities["won"]).sum()) == truth["closed_lost"]
    still_open = opportunities[~opportunities["closed"]]
    assert still_open["amount_cents"].sum() == round(truth["open_amount"] * 100)
    assert set(opportunities["customer_source"]) == {"hubspot"}
    assert opportunities["customer_external_id"].nunique() == truth["distinct_associated_contacts"]
    assert set(opportunities["customer_external_id"]) <= set(people["external_id"])


# --- Zendesk --------------------------------------------------------------------------------


def test_zendesk_tickets_satisfaction_status_and_custom_fields() -> None:
    truth = MANIFEST["files"]["zendesk/tickets.csv"]["truth"]
    batch = sample("zendesk/tickets.csv")
    tickets = batch.frames["interactions"]
    assert len(tickets) == truth["tickets"]
    assert not batch.rejects
    assert set(tickets["kind"]) == {"ticket"}
    assert tickets["satisfaction"].value_counts().to_dict() == truth["satisfaction"]
    status = {k: v for k, v in truth["status"].items() if v}
    assert tickets["status"].value_counts().to_dict() == status
    assert tickets["customer_email"].nunique() == truth["distinct_requester_emails"]
    linked = tickets["attributes"].map(lambda a: bool(a and a.get("Order Number")))
    assert int(linked.sum()) == truth["tickets_linked_to_shopify_order"]
    first = tickets.set_index("external_id").loc["4178"]
    assert first["attributes"]["Categories"] == "Product question"
    assert "Categories [list]" not in first["attributes"]
    # "2024-07-09 14:58:25 -0400" in UTC.
    assert first["occurred_at"] == pd.Timestamp("2024-07-09 18:58:25", tz="UTC")
    assert first["channel"] == "chat"
    assert first["subject"].startswith("Restock date")
    shopify = tickets[tickets["customer_external_id"].notna()]
    assert set(shopify["customer_source"]) == {"shopify"}
    assert tickets.loc[tickets["customer_external_id"].isna(), "customer_source"].isna().all()


# --- Stripe ---------------------------------------------------------------------------------


def test_stripe_subscriptions_metadata_identities_and_timestamps() -> None:
    truth = MANIFEST["files"]["stripe/subscriptions.csv"]["truth"]
    batch = sample("stripe/subscriptions.csv")
    subs = batch.frames["subscriptions"]
    customers = batch.frames["customers"]
    assert len(subs) == truth["subscriptions"]
    assert subs["status"].value_counts().to_dict() == truth["status"]
    assert int(subs["cancel_at_period_end"].sum()) == truth["cancel_at_period_end_true"]
    tiers = subs["attributes"].map(lambda a: a["plan_tier"]).value_counts().to_dict()
    assert tiers == truth["plan_tier"]
    assert not any("plan_tier (metadata)" in a for a in subs["attributes"])
    assert len(customers) == truth["distinct_customer_emails"] == customers["email"].nunique()
    assert (customers["external_id"].str.startswith("cus_")).all()
    with_shopify = customers["identities"].map(lambda ids: [i for s, i in ids if s == "shopify"])
    assert with_shopify.map(len).max() == 1
    assert with_shopify.map(len).sum() > 0
    assert set(subs["customer_external_id"]) == set(customers["external_id"])
    live = subs[subs["status"].isin(["active", "past_due"])]
    mrr = (live["amount_cents"] / live["interval"].map({"month": 1, "year": 12})).sum()
    assert round(mrr / 100, 2) == truth["mrr_active_and_past_due"]
    first = subs.set_index("external_id").loc["sub_1bSmmZ8GnN00xDiWnnZv3iLB"]
    assert first["current_period_end"] == pd.Timestamp("2026-11-27 15:28", tz="UTC")
    assert first["currency"] == "USD"
    assert first["amount_cents"] == 990


# --- Mailchimp and campaign activity --------------------------------------------------------


def test_mailchimp_subscribed_members_are_customers_only() -> None:
    batch = sample("mailchimp/subscribed_members.csv")
    assert set(batch.frames) == {"customers"}
    members = batch.frames["customers"]
    assert len(members) == 188 == members["email"].nunique()
    first = members.iloc[0]
    assert first["name"] == "Rhea Mosscroft"
    assert first["email"] == "rmosscroft@example.com"
    assert first["attributes"]["TAGS"] == '"Newsletter"'
    assert first["attributes"]["OPTIN_TIME"] == "2024-06-19 06:37:05"


def test_mailchimp_unsubscribed_members_get_one_unsubscribe_each() -> None:
    batch = sample("mailchimp/unsubscribed_members.csv")
    members = batch.frames["customers"]
    events = batch.frames["interactions"]
    assert len(members) == len(events) == 33
    assert set(events["kind"]) == {"unsubscribe"}
    assert events["external_id"].nunique() == 33
    first = events.iloc[0]
    assert first["occurred_at"] == pd.Timestamp("2026-11-13 19:17:00", tz="UTC")
    assert first["subject"] == "Black Friday Early Access"
    assert first["text"] == "I no longer want to receive these emails"
    assert first["customer_email"] == "bodhi.vetchcombe@example.org"
    other = events[events["text"].str.startswith("Other", na=False)]
    assert len(other)
    assert other["text"].str.contains(": ").all()
    assert not any("UNSUB_TIME" in (a or {}) for a in members["attributes"])


def test_campaign_activity_becomes_sends_opens_and_clicks() -> None:
    truth = MANIFEST["files"]["email/campaign_activity.csv"]["truth"]
    batch = sample("email/campaign_activity.csv")
    events = batch.frames["interactions"]
    counts = events["kind"].value_counts().to_dict()
    assert counts == {
        "email_sent": truth["sends"],
        "email_open": truth["opens"],
        "email_click": truth["clicks"],
    }
    assert events["external_id"].is_unique
    sends = events[events["kind"] == "email_sent"]
    assert sends["subject"].value_counts().to_dict() == truth["sends_per_campaign"]
    assert events["customer_email"].nunique() == truth["distinct_emails"]
    # Same file, same ids: re-importing finds the same records.
    again = sample("email/campaign_activity.csv").frames["interactions"]
    assert list(again["external_id"]) == list(events["external_id"])


def test_every_sample_converts_without_rejects_and_keeps_unmapped_columns() -> None:
    for name, info in MANIFEST["files"].items():
        if name.startswith("generic/"):
            continue
        batch = sample(name)
        assert batch.detected_format == EXPECTED_FORMAT[name]
        assert batch.rows_read == info["rows"], name
        assert not batch.rejects, (name, batch.rejects[:3])
        for frame in batch.frames.values():
            assert frame["row"].min() >= 2
            assert frame["external_id"].notna().all(), name
            assert frame["attributes"].map(lambda a: a is None or isinstance(a, dict)).all()
