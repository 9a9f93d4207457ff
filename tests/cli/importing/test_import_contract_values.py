"""`import` of contract files whose values are wrong in some rows: each bad amount, notice,
seat count, quantity or billing period is rejected with its row and reason, and the good
rows land (tests/data/contracts holds the real layouts)."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

from tests.cli.commands.test_cli import run
from tests.support.paths import DATA

HEADER = (
    "Contract ID,Customer ID,Customer Email,Company,Plan,Start Date,End Date,Recurring Amount,"
    "Currency,Billing Period,Auto Renew,Notice Period (days),Seats,Status\n"
)


def _row(k: int, amount: str, notice: str = "60", seats: str = "25") -> str:
    return (f"K-{k},A{k},a{k}@example.com,Account {k},Team,2025-03-01,2026-02-28,{amount},USD,"
            f"year,yes,{notice},{seats},active\n")  # fmt: skip


def _terms(db: Path) -> list[tuple[str, int, int, int]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT external_id, amount_cents, notice_days, seats FROM contracts ORDER BY id"
        ).fetchall()


def _rejected(stdout: str) -> list[str]:
    return [line.split(": ", 1)[1] for line in stdout.splitlines() if "rejected: " in line]


def test_nine_bad_amounts_are_rejected_by_row_and_the_good_one_lands(tmp_path: Path) -> None:
    amounts = ['"12,000.00"', "-12000", "1e20", "NaN", "inf", "12345678901234567890123456",
               "", "abc", "-1", "5 apples"]  # fmt: skip
    path = tmp_path / "contracts.csv"
    path.write_text(HEADER + "".join(_row(k, a) for k, a in enumerate(amounts, 1)), "utf-8")
    db = tmp_path / "w.radar.sqlite"
    done = run("--db", str(db), "import", str(path), home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "could not tell which column" not in done.stdout + done.stderr
    assert done.stdout.splitlines()[0].endswith(
        "landed as import 1: 10 rows read, 1 inserted, 0 updated, 0 unchanged, 9 rejected"
    )
    assert _terms(db) == [("K-1@2025-03-01", 1_200_000, 60, 25)]
    rejected = _rejected(done.stdout)
    assert [line.split(":")[0] for line in rejected] == [f"contracts.csv row {k}"
                                                         for k in range(3, 12)]  # fmt: skip
    assert "row 3: negative amount" in rejected[0]
    assert "cannot read '1e20' as an amount (Recurring Amount)" in rejected[1]
    assert "row 8: missing recurring amount" in rejected[5]


def test_notice_and_seats_outside_their_bounds_are_rejected(tmp_path: Path) -> None:
    rows = [_row(1, "100"), _row(2, "100", notice="-5"), _row(3, "100", notice="1000000000"),
            _row(4, "100", seats="-3"), _row(5, "100", seats="1000000000000")]  # fmt: skip
    path = tmp_path / "contracts.csv"
    path.write_text(HEADER + "".join(rows), "utf-8")
    db = tmp_path / "w.radar.sqlite"
    done = run("--db", str(db), "import", str(path), home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert _terms(db) == [("K-1@2025-03-01", 10_000, 60, 25)]
    assert _rejected(done.stdout) == [
        "contracts.csv row 3: Notice period (days): -5 is out of range (0 to 3,650)",
        "contracts.csv row 4: Notice period (days): 1,000,000,000 is out of range (0 to 3,650)",
        "contracts.csv row 5: Seats: -3 is out of range (0 to 10,000,000)",
        "contracts.csv row 6: Seats: 1,000,000,000,000 is out of range (0 to 10,000,000)",
    ]


def test_a_chargebee_quantity_below_zero_or_a_billing_period_of_zero_is_rejected(
    tmp_path: Path,
) -> None:
    with (DATA / "contracts" / "chargebee_subscriptions.csv").open(encoding="utf-8") as f:
        header, first, *_ = list(csv.reader(f))
    path = tmp_path / "subscriptions.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for k, (quantity, period) in enumerate([("12", "1"), ("-4", "1"), ("3", "0")]):
            row = dict(zip(header, first, strict=True))
            row.update({"subscriptions.id": f"sub{k}", "subscriptions.customer_id": f"cust{k}",
                        "customers.email": f"c{k}@example.com",
                        "subscriptions.plan_quantity": quantity,
                        "subscriptions.billing_period": period})  # fmt: skip
            writer.writerow([row[name] for name in header])
    db = tmp_path / "w.radar.sqlite"
    done = run("--db", str(db), "import", str(path), home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert [seats for _, _, _, seats in _terms(db)] == [12]
    assert _rejected(done.stdout) == [
        "subscriptions.csv row 3: subscriptions.plan_quantity: -4 is out of range "
        "(0 to 10,000,000)",
        "subscriptions.csv row 4: subscriptions.billing_period: 0 is out of range (1 to 120)",
    ]
