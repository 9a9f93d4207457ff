"""`import` of a CRM's people export into a book whose accounts came from elsewhere: the
account a contact names by the id it was stored under, or one of whose people's addresses
is the stored customer's own, is that customer; no empty copy is made beside it."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

from tests.cli.commands.test_cli import count, run
from tests.support.paths import DATA

CUSTOMERS = (
    "customer_id,name,email,company\n"
    "S1,Sam Lee,sam.lee@fabrikam.example,Fabrikam\n"
    "C000014,Rachel Pereira,rachel.pereira@contoso.example,Contoso\n"
)


def _contacts(path: Path, account: str, people: list[tuple[str, str, str, str]]) -> Path:
    """A Salesforce Contact export (the real header) of ``people`` of one account:
    (first name, last name, email, created date)."""
    with (DATA / "contacts" / "Contact.csv").open(encoding="utf-8", newline="") as sample:
        header = next(csv.reader(sample))
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, quoting=csv.QUOTE_ALL)
        writer.writerow(header)
        for k, (first, last, email, created) in enumerate(people):
            row = dict.fromkeys(header, "")
            row.update(Id=f"003ZZ0000000{k}{account[-3:]}", IsDeleted="false",
                       AccountId=account, FirstName=first, LastName=last, Email=email,
                       CreatedDate=created)  # fmt: skip
            writer.writerow([row[name] for name in header])
    return path


def _workspace(tmp_path: Path) -> Path:
    db = tmp_path / "w.radar.sqlite"
    book = tmp_path / "customers.csv"
    book.write_text(CUSTOMERS, encoding="utf-8")
    assert run("--db", str(db), "import", str(book), home=tmp_path).returncode == 0
    return db


def _people(db: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT c.name, k.name, k.email FROM contacts k JOIN customers c "
            "ON c.id = k.customer_id ORDER BY k.id"
        ).fetchall()


def test_an_account_id_of_a_stored_customer_finds_it(tmp_path: Path) -> None:
    db = _workspace(tmp_path)
    people = _contacts(tmp_path / "Contact.csv", "C000014", [
        ("Ana", "Silva", "ana.silva@contoso.example", "2024-01-01T09:00:00.000Z"),
        ("Rachel", "Pereira", "rachel.pereira@contoso.example", "2024-02-01T09:00:00.000Z"),
    ])  # fmt: skip
    done = run("--db", str(db), "import", str(people), home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert count(db, "customers") == 2
    assert _people(db) == [
        ("Rachel Pereira", "Ana Silva", "ana.silva@contoso.example"),
        ("Rachel Pereira", "Rachel Pereira", "rachel.pereira@contoso.example"),
    ]


def test_an_address_of_any_of_the_accounts_people_finds_it(tmp_path: Path) -> None:
    db = _workspace(tmp_path)
    people = _contacts(tmp_path / "Contact.csv", "001NEW", [
        ("Zed", "Ames", "zed.ames@fabrikam.example", "2024-01-01T09:00:00.000Z"),
        ("Sam", "Lee", "sam.lee@fabrikam.example", "2024-03-01T09:00:00.000Z"),
    ])  # fmt: skip
    done = run("--db", str(db), "import", str(people), home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert count(db, "customers") == 2
    assert [account for account, _, _ in _people(db)] == ["Sam Lee", "Sam Lee"]
