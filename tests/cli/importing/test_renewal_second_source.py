"""`import` of a Salesforce Contract export and of the renewal Opportunities of the same
renewals, in either order: each renewal is one contract term (the import says the second
source was already recorded and counted once), `report renewals` counts it once, importing
either file again adds nothing, and two different contracts of one account stay two."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.cli.commands.test_cli import run

CONTRACTS = (
    '"Id","IsDeleted","AccountId","ContractNumber","Status","StatusCode","StartDate",'
    '"EndDate","ContractTerm","OwnerExpirationNotice","CurrencyIsoCode","ARR__c",'
    '"Auto_Renew__c","OwnerId","CreatedDate"\n'
    '"8008b000000QxB1AAK","false","0018b0000pAAAA1AAN","00000201","Activated","Activated",'
    '"2026-01-01","2026-12-31","12","60","USD","30000.00","true","0058b0000T5jAEWAQ2",'
    '"2025-12-10T10:00:00.000Z"\n'
    '"8008b000000QxB2AAK","false","0018b0000pAAAA2AAN","00000202","Activated","Activated",'
    '"2026-03-01","2027-02-28","12","60","USD","20000.00","true","0058b0000T5jAEWAQ2",'
    '"2026-02-10T10:00:00.000Z"\n'
    # A second, different contract of the first account: it renews in June, not December.
    '"8008b000000QxB3AAK","false","0018b0000pAAAA1AAN","00000203","Activated","Activated",'
    '"2026-07-01","2027-06-30","12","60","USD","10000.00","true","0058b0000T5jAEWAQ2",'
    '"2026-06-10T10:00:00.000Z"\n'
)
OPPORTUNITIES = (
    '"Id","IsDeleted","AccountId","IsPrivate","Name","StageName","Amount","Probability",'
    '"CloseDate","Type","IsClosed","IsWon","ForecastCategory","CurrencyIsoCode",'
    '"ContractTerm__c","OwnerId","CreatedDate"\n'
    '"0068b0000R2nw01AAA","false","0018b0000pAAAA1AAN","false","Acct1 - Renewal 2027",'
    '"Negotiation/Review","30000.00","70","2026-12-31","Renewal","false","false","Pipeline",'
    '"USD","12","0058b0000T5jAEWAQ2","2026-09-01T09:00:00.000Z"\n'
    '"0068b0000R2nw02AAA","false","0018b0000pAAAA2AAN","false","Acct2 - Renewal 2027",'
    '"Negotiation/Review","20000.00","70","2027-02-28","Renewal","false","false","Pipeline",'
    '"USD","12","0058b0000T5jAEWAQ2","2026-09-01T09:00:00.000Z"\n'
)


def _month(stdout: str, month: str) -> list[str]:
    line = next(line for line in stdout.splitlines() if line.startswith(month))
    return line.split()[2:4]


def _terms(db: Path) -> list[tuple[str, str, int]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT external_id, end_date, amount_cents FROM contracts ORDER BY end_date"
        ).fetchall()


@pytest.mark.parametrize("contracts_first", [True, False])
def test_a_renewal_from_the_contract_and_its_opportunity_counts_once(
    tmp_path: Path, contracts_first: bool
) -> None:
    contracts, opportunities = tmp_path / "Contract.csv", tmp_path / "Opportunity.csv"
    contracts.write_text(CONTRACTS, "utf-8")
    opportunities.write_text(OPPORTUNITIES, "utf-8")
    db = tmp_path / "w.radar.sqlite"
    first, second = (contracts, opportunities) if contracts_first else (opportunities, contracts)
    assert run("--db", str(db), "import", str(first), home=tmp_path).returncode == 0
    done = run("--db", str(db), "import", str(second), home=tmp_path)
    assert done.returncode == 0, done.stderr
    other = "the contracts of Contract.csv" if contracts_first else (
        "the renewal opportunities of Opportunity.csv")  # fmt: skip
    assert f"note: 2 renewals already recorded from {other}: counted once" in done.stdout
    expected = [
        ("0018b0000pAAAA2AAN@8008b000000QxB2AAK", "2027-02-28", 2_000_000),
        ("0018b0000pAAAA1AAN@8008b000000QxB3AAK", "2027-06-30", 1_000_000),
        ("0018b0000pAAAA1AAN@8008b000000QxB1AAK", "2026-12-31", 3_000_000),
    ]
    assert sorted(_terms(db)) == sorted(expected)
    # Either file again adds nothing.
    for path in (contracts, opportunities):
        again = run("--db", str(db), "import", str(path), home=tmp_path)
        assert again.returncode == 0, again.stderr
        assert "contracts: 0 inserted" in again.stdout or " 0 inserted," in again.stdout
    assert sorted(_terms(db)) == sorted(expected)
    report = run("--db", str(db), "report", "renewals", "--as-of", "2026-10-01", home=tmp_path)
    assert report.returncode == 0, report.stderr
    assert _month(report.stdout, "Dec 2026") == ["1", "$30k"]
    assert _month(report.stdout, "Feb 2027") == ["1", "$20k"]


def test_an_opportunity_fills_what_the_contract_lacks(tmp_path: Path) -> None:
    """A Contract export without an amount field: the opportunity gives the amount, and
    its won stage the outcome; importing the Contract export again takes neither back."""
    no_amount = [
        ",".join(c for k, c in enumerate(line.split(",")) if k != 11)
        for line in CONTRACTS.splitlines()
    ]
    contracts, opportunities = tmp_path / "Contract.csv", tmp_path / "Opportunity.csv"
    contracts.write_text("\n".join(no_amount) + "\n", "utf-8")
    won = OPPORTUNITIES.replace(
        '"Negotiation/Review","20000.00","70","2027-02-28","Renewal","false","false"',
        '"Closed Won","20000.00","100","2027-02-28","Renewal","true","true"',
    )
    opportunities.write_text(won, "utf-8")
    db = tmp_path / "w.radar.sqlite"
    for path in (contracts, opportunities, contracts):
        done = run("--db", str(db), "import", str(path), home=tmp_path)
        assert done.returncode == 0, done.stderr
    assert "2 renewals already recorded from" in done.stdout
    with sqlite3.connect(db) as conn:
        got = dict(
            (e, (a, o, r))
            for e, a, o, r in conn.execute(
                "SELECT external_id, amount_cents, outcome, renewed_amount_cents FROM contracts"
            )
        )
    assert {e: a for e, (a, _o, _r) in got.items()} == {
        "0018b0000pAAAA1AAN@8008b000000QxB1AAK": 3_000_000,
        "0018b0000pAAAA2AAN@8008b000000QxB2AAK": 2_000_000,
        "0018b0000pAAAA1AAN@8008b000000QxB3AAK": 0,
    }
    assert got["0018b0000pAAAA2AAN@8008b000000QxB2AAK"] == (2_000_000, "renewed", 2_000_000)
