"""Contracts imported: a plain contracts CSV, Chargebee / Recurly / Zuora subscriptions
exports, Salesforce contracts and renewal opportunities, HubSpot renewal deals, and the
contract terms of Stripe subscriptions. Each file is in its vendor's layout
(tests/data/contracts/); it is recognised from its header, its terms are stored as
written, its bad rows rejected with a plain reason, the terms of one contract settled into
renewals, and importing again or undoing behaves as for the other records, on SQLite and
PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, text

from app.workspace import open_workspace
from services.importing import contracts
from services.importing.formats import detect
from services.importing.generic.mapping import infer_kind
from services.importing.reader import read_table
from services.importing.service import run_import, undo_import
from services.renewals import vocab
from tests.support.paths import DATA

FILES = DATA / "contracts"
SAMPLES = DATA / "samples"


@pytest.fixture
def engine(workspace_url: str) -> Iterator[Engine]:
    """A new workspace, on SQLite then on PostgreSQL."""
    ws = open_workspace(workspace_url, backup=False)
    try:
        yield ws.engine
    finally:
        ws.close()


def terms(engine: Engine, source: str) -> dict[str, dict[str, Any]]:
    """The stored terms of one source by external id, dates as ISO text."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT external_id, customer_id, name, start_date, end_date, amount_cents, "
                "currency, period, auto_renew, notice_days, seats, outcome, "
                "renewed_amount_cents, decided_on, renewal_of_id, subscription_id, id "
                "FROM contracts WHERE source = :s"
            ),
            {"s": source},
        ).mappings()
        out = {}
        for r in rows:
            row = dict(r)
            for key in ("start_date", "end_date", "decided_on"):
                if row[key] is not None:
                    row[key] = str(row[key])[:10]
            row["auto_renew"] = bool(row["auto_renew"])
            out[str(r["external_id"])] = row
        return out


def count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())


def imported(engine: Engine, name: str, *, folder: Path = FILES, kind: str = "auto") -> Any:
    report = run_import(engine, [folder / name], kind=kind)
    (file,) = report.files
    assert file.landed, file.error
    return file


# --- the words, and detection -------------------------------------------------------------


def test_the_import_uses_the_renewals_words() -> None:
    assert (contracts.OPEN, contracts.RENEWED, contracts.CHURNED) == (
        vocab.OPEN,
        vocab.RENEWED,
        vocab.CHURNED,
    )
    assert contracts.PERIOD_MONTHS == vocab.PERIOD_MONTHS


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("chargebee_subscriptions.csv", "chargebee_subscriptions"),
        ("recurly_subscriptions.csv", "recurly_subscriptions"),
        ("zuora_subscriptions.csv", "zuora_subscriptions"),
        ("salesforce_contracts.csv", "salesforce_contracts"),
        ("salesforce_renewal_opportunities.csv", "salesforce_opportunity"),
        ("hubspot_renewal_deals.csv", "hubspot_deals"),
    ],
)
def test_each_vendor_file_is_recognised_from_its_header(name: str, expected: str) -> None:
    adapter = detect(read_table(FILES / name).header)
    assert adapter is not None
    assert adapter.name == expected


def test_a_plain_contracts_file_is_taken_for_contracts() -> None:
    table = read_table(FILES / "contracts.csv")
    assert detect(table.header) is None
    suggestion = infer_kind(table)
    assert suggestion.kind == "contracts"
    assert suggestion.confident
    mapping = suggestion.mapping
    assert mapping["Start Date"] == "start_date"
    assert mapping["End Date"] == "end_date"
    assert mapping["Recurring Amount"] == "amount"
    assert mapping["Contract ID"] == "contract_id"
    assert mapping["Notice Period (days)"] == "notice_days"


# --- the plain CSV: rows, rejects, renewals, re-import, undo -------------------------------


def test_a_plain_contracts_csv_stores_its_terms_and_rejects_bad_rows(engine: Engine) -> None:
    file = imported(engine, "contracts.csv", kind="contracts")
    assert file.inserted == 6
    assert {(r.row, r.reason) for r in file.rejects} == {
        (8, "no customer id or email"),
        (9, "the end date is before the start date"),
        (10, "negative amount"),
        (11, "cannot read 'fortnightly' as a billing period (use month, quarter or year)"),
    }
    got = terms(engine, "generic")
    first, second = got["K-1001@2024-03-01"], got["K-1001@2025-03-01"]
    assert (first["amount_cents"], first["period"], first["currency"]) == (1_200_000, "year", "USD")
    assert (first["notice_days"], first["seats"], first["auto_renew"]) == (60, 25, True)
    # The second term follows the first: the first renewed, at the second's amount.
    assert first["outcome"] == "renewed"
    assert first["renewed_amount_cents"] == 1_440_000
    assert first["decided_on"] == "2025-02-28"
    assert second["renewal_of_id"] == first["id"]
    assert second["outcome"] == "open"
    # Terms in any order in the file: the earlier (by date) is the renewed one.
    early, late = got["K-1002@2024-01-15"], got["K-1002@2025-01-15"]
    assert (early["outcome"], early["renewed_amount_cents"]) == ("renewed", 25_000)
    assert late["renewal_of_id"] == early["id"]
    # An ended, cancelled term with no follower churned; a term ahead stays open.
    assert got["K-1003@2024-06-01"]["outcome"] == "churned"
    assert got["K-1003@2024-06-01"]["renewal_of_id"] is None
    assert got["K-1004@2026-04-01"]["outcome"] == "open"
    assert first["customer_id"] == second["customer_id"]


def test_reimporting_the_same_contracts_changes_nothing(engine: Engine) -> None:
    imported(engine, "contracts.csv")
    before = terms(engine, "generic")
    again = imported(engine, "contracts.csv")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 6)
    assert terms(engine, "generic") == before


def test_a_later_file_adds_the_next_term_and_undo_puts_the_renewal_back(
    engine: Engine, tmp_path: Path
) -> None:
    imported(engine, "contracts.csv")
    later = tmp_path / "contracts_2026.csv"
    later.write_text(
        "Contract ID,Customer ID,Customer Email,Start Date,End Date,Recurring Amount,Status\n"
        'K-1004,ORION-11,admin@orion-labs.co,2027-04-01,2028-03-31,"18,000.00",active\n'
        'K-1003,BLUE-03,it@bluepeak.de,2025-06-01,2026-05-31,"9,900.00",active\n',
        encoding="utf-8",
    )
    report = run_import(engine, [later])
    (file,) = report.files
    assert file.inserted == 2
    got = terms(engine, "generic")
    # The churned 2024 term of K-1003 turns out renewed, at the new term's amount.
    assert got["K-1003@2024-06-01"]["outcome"] == "renewed"
    assert got["K-1003@2024-06-01"]["renewed_amount_cents"] == 990_000
    assert got["K-1003@2025-06-01"]["renewal_of_id"] == got["K-1003@2024-06-01"]["id"]
    # An upcoming term is renewed once its follower is known: a contraction here.
    assert got["K-1004@2026-04-01"]["renewed_amount_cents"] == 1_800_000
    # The first file again: its cancelled K-1003 term stays renewed (its follower shows
    # what happened), and nothing changes.
    again = imported(engine, "contracts.csv")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 6)
    assert terms(engine, "generic") == got
    undo_import(engine, file.run_id)
    back = terms(engine, "generic")
    assert "K-1003@2025-06-01" not in back
    assert back["K-1003@2024-06-01"]["outcome"] == "churned"
    assert back["K-1003@2024-06-01"]["renewed_amount_cents"] is None
    assert back["K-1004@2026-04-01"]["outcome"] == "open"
    undo_import(engine, report.files[0].run_id - 1)
    assert count(engine, "contracts") == 0


# --- the billing systems ---------------------------------------------------------------------


def test_chargebee_terms_amounts_and_renewal(engine: Engine) -> None:
    file = imported(engine, "chargebee_subscriptions.csv")
    assert [(r.row, r.reason) for r in file.rejects] == [(6, "no customer id or email")]
    got = terms(engine, "chargebee")
    old, new = got["AzZiYVUR1k2Ks3qD@2025-03-01"], got["AzZiYVUR1k2Ks3qD@2026-03-01"]
    # 10 seats at 49.00 a year, then 12: an expansion at renewal.
    assert (old["amount_cents"], old["seats"], old["period"]) == (49_000, 10, "year")
    assert (old["outcome"], old["renewed_amount_cents"]) == ("renewed", 58_800)
    assert new["renewal_of_id"] == old["id"]
    monthly = got["16CRibSRx9dC11Ow@2026-06-10"]
    assert (monthly["amount_cents"], monthly["period"]) == (5_700, "month")
    assert (monthly["outcome"], monthly["auto_renew"]) == ("churned", False)
    quarterly = got["2smoc9ELxZ0PMa4e@2026-10-01"]
    # Billed every 3 months: a quarter; non-renewing: no auto-renew, still open.
    assert (quarterly["period"], quarterly["currency"], quarterly["amount_cents"]) == (
        "quarter",
        "EUR",
        60_000,
    )
    assert (quarterly["auto_renew"], quarterly["outcome"]) == (False, "open")
    with engine.connect() as conn:
        emails = conn.execute(
            text("SELECT email FROM customers WHERE source = 'chargebee' ORDER BY email")
        ).scalars()
        assert list(emails) == [
            "anna@kiefer-bau.de",
            "maria@harbourlight.com",
            "tom@quillandink.co",
        ]


def test_recurly_terms(engine: Engine) -> None:
    file = imported(engine, "recurly_subscriptions.csv")
    assert [(r.row, r.reason) for r in file.rejects] == [
        (4, "cannot read 'three hundred' as an amount (unit_amount)")
    ]
    got = terms(engine, "recurly")
    team = got["5d2c4f1a8b9e4c7d9f1a2b3c4d5e6f70@2026-02-01"]
    assert (team["amount_cents"], team["period"], team["seats"]) == (240_000, "year", 8)
    assert (team["end_date"], team["auto_renew"], team["outcome"]) == ("2027-02-01", True, "open")
    expired = got["6e3d5a2b9c0f4d8e0a2b3c4d5e6f7081@2025-02-15"]
    assert (expired["outcome"], expired["decided_on"]) == ("churned", "2026-02-15")


def test_zuora_terms_leave_evergreen_subscriptions_out(engine: Engine) -> None:
    file = imported(engine, "zuora_subscriptions.csv")
    assert [(r.row, r.reason) for r in file.rejects] == [(5, "the term ends before it starts")]
    assert any("1 evergreen subscription(s) left out" in n for n in file.notes)
    got = terms(engine, "zuora")
    assert set(got) == {"A-S00004211@2026-01-01", "A-S00004212@2025-04-01"}
    active = got["A-S00004211@2026-01-01"]
    assert (active["amount_cents"], active["period"], active["auto_renew"]) == (
        185_000,
        "month",
        True,
    )
    assert got["A-S00004212@2025-04-01"]["outcome"] == "churned"
    assert active["seats"] is None


# --- the CRMs ----------------------------------------------------------------------------------


def test_salesforce_contracts_follow_each_other_by_account(engine: Engine) -> None:
    file = imported(engine, "salesforce_contracts.csv")
    assert {(r.row, r.reason) for r in file.rejects} == {
        (6, "no customer id or email"),
        (7, "cannot read '2025-13-01' as a date (StartDate)"),
    }
    got = terms(engine, "salesforce")
    first = got["0018b0000pOcAI0AAN@8008b000000QxA1AAK"]
    second = got["0018b0000pOcAI0AAN@8008b000000QxA2AAK"]
    assert (first["amount_cents"], first["notice_days"], first["auto_renew"]) == (
        1_800_000,
        60,
        True,
    )
    assert (first["outcome"], first["renewed_amount_cents"]) == ("renewed", 2_100_000)
    assert second["renewal_of_id"] == first["id"]
    # No EndDate: Salesforce's own rule, the day before the start plus the term.
    assert got["0018b0000ICjnWEAQZ@8008b000000QxA3AAK"]["end_date"] == "2028-02-29"
    assert got["0018b0000ICjnWXAQZ@8008b000000QxA4AAK"]["outcome"] == "churned"


def test_salesforce_renewal_opportunities_become_terms_of_their_account(engine: Engine) -> None:
    imported(engine, "salesforce_renewal_opportunities.csv")
    got = terms(engine, "salesforce")
    # Renewal and Existing Business with an amount; not the new business, nor the
    # renewal without an amount.
    assert set(got) == {"0068b0000R1nw01AAA", "0068b0000R1nw02AAA", "0068b0000R1nw03AAA"}
    won = got["0068b0000R1nw01AAA"]
    assert (won["end_date"], won["start_date"]) == ("2024-12-31", "2023-12-31")
    assert (won["outcome"], won["renewed_amount_cents"]) == ("renewed", 2_100_000)
    assert got["0068b0000R1nw02AAA"]["outcome"] == "churned"
    open_ = got["0068b0000R1nw03AAA"]
    assert (open_["start_date"], open_["outcome"]) == ("2025-02-28", "open")
    with engine.connect() as conn:
        customer = conn.execute(
            text(
                "SELECT customer_id FROM customer_identities WHERE source = 'salesforce' "
                "AND external_id = '0018b0000pOcAI0AAN'"
            )
        ).scalar_one()
    assert won["customer_id"] == customer
    assert count(engine, "opportunities") == 5


def test_hubspot_renewal_deals_become_terms(engine: Engine) -> None:
    file = imported(engine, "hubspot_renewal_deals.csv")
    assert [(r.row, r.reason) for r in file.rejects] == [
        (6, "cannot read 'abc' as an amount (Amount)")
    ]
    got = terms(engine, "hubspot")
    assert set(got) == {"9100000001", "9100000002", "9100000003"}
    assert got["9100000001"]["outcome"] == "renewed"
    assert got["9100000002"]["outcome"] == "churned"
    assert got["9100000003"]["end_date"] == "2026-12-30"
    assert got["9100000001"]["customer_id"] == got["9100000003"]["customer_id"]


# --- Stripe ---------------------------------------------------------------------------------


def test_stripe_subscriptions_give_one_term_each_linked_and_never_duplicated(
    engine: Engine,
) -> None:
    imported(engine, "stripe/subscriptions.csv", folder=SAMPLES)
    stripe = pd.read_csv(SAMPLES / "stripe/subscriptions.csv", dtype=str)
    got = terms(engine, "stripe")
    assert len(got) == len(stripe)
    with engine.connect() as conn:
        subs = {
            str(e): (int(i), c)
            for e, i, c in conn.execute(
                text("SELECT external_id, id, customer_id FROM subscriptions")
            ).all()
        }
    today = dt.date.today()
    for _i, row in stripe.iterrows():
        term = got[row["id"]]
        assert (term["subscription_id"], term["customer_id"]) == subs[row["id"]]
        assert term["end_date"] == row["Current Period End (UTC)"][:10]
        assert term["period"] == ("year" if row["Interval"] == "year" else "month")
        assert term["amount_cents"] == round(float(row["Amount"]) * 100)
        cancels = str(row["Cancel At Period End"]).lower() == "true"
        if row["Status"] == "canceled":
            ended = dt.date.fromisoformat(term["end_date"]) <= today
            assert term["outcome"] == ("churned" if ended else "open")
            assert not term["auto_renew"]
        else:
            assert term["outcome"] == "open"
            assert term["auto_renew"] == (not cancels)
    again = imported(engine, "stripe/subscriptions.csv", folder=SAMPLES)
    assert again.inserted == 0
    assert count(engine, "contracts") == len(stripe)
