"""How an account is named (services/core/account_names.py), on SQLite and PostgreSQL: the
rule on values, and the same rule read four ways (one account, a batch, the SQL
expression in a query and as text, a table's numpy columns), which agree on every
customer; a person who left, or whose address bounced, is never the name nor the person."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from app.workspace import open_workspace
from models.schema import Contact, Customer
from services.core.account_names import (
    account_columns,
    account_name,
    account_name_sql,
    account_names,
    account_of,
    account_sql_text,
    main_person_sql,
    name_map,
    name_of,
    person_words,
    shared_account_name,
)
from tests.support.accounts_book import fill_accounts_book


def test_the_rule_on_values() -> None:
    assert account_name("Willow Creek Clinic", "Dana Cole", "d@w.test", 7) == "Willow Creek Clinic"
    assert account_name(None, "Dana Cole", "d@w.test", 7) == "Dana Cole"
    assert account_name("  ", "", "d@w.test", 7) == "d@w.test"
    assert account_name(None, None, None, 7) == "Customer 7"
    assert person_words("Dana Cole", "decision_maker") == "Dana Cole (decision maker)"
    assert person_words("Dana Cole", None) == "Dana Cole"


@pytest.fixture
def book(workspace_url: str) -> Iterator[tuple[Engine, dict[str, int]]]:
    ws = open_workspace(workspace_url, backup=False)
    ids = fill_accounts_book(ws.engine)
    with Session(ws.engine) as s, s.begin():
        # B: no company; its own person's address bounced, Cy (a user) and Bea (billing)
        # remain. E: a company named after itself (an account export names the customer
        # so): its person is its first person still there.
        b = Customer(name="Bo Brandt", email="bo@brandt.test", email_normalized="bo@brandt.test")
        e = Customer(name="Elm Press", company="Elm Press")
        s.add_all([b, e])
        s.flush()
        bounced = {"EmailBouncedDate": "2026-10-01T08:00:00.000Z"}
        s.add_all(
            [
                Contact(customer_id=b.id, name="Bo Brandt", email="bo@brandt.test",
                        email_normalized="bo@brandt.test", role="champion", attributes=bounced),
                Contact(customer_id=b.id, name="Bea Bills", email="ap@brandt.test",
                        email_normalized="ap@brandt.test", role="billing"),
                Contact(customer_id=b.id, name="Cy Stay", email="cy@brandt.test",
                        email_normalized="cy@brandt.test", role="user"),
                Contact(customer_id=e.id, name="Eve Elm", email="eve@elm.test",
                        email_normalized="eve@elm.test", role="champion"),
            ]
        )  # fmt: skip
        ids.update(B=int(b.id), E=int(e.id))
    yield ws.engine, ids
    ws.close()


def test_one_account_is_named_by_its_company_and_never_by_who_left(
    book: tuple[Engine, dict[str, int]],
) -> None:
    engine, ids = book
    with Session(engine) as s:
        w = account_of(s, ids["W"])
        a = account_of(s, ids["A"])
        b = account_of(s, ids["B"])
        e = account_of(s, ids["E"])
        assert account_of(s, 10_000) is None
        assert name_of(s, 10_000) == "Customer 10000"
        assert name_of(s, ids["N"]) == f"Customer {ids['N']}"
    assert w is not None
    assert a is not None
    assert b is not None
    assert e is not None
    # Henry left: the clinic's person is Dana, and Henry's address is not the account's.
    assert (w.name, w.person, w.role, w.email) == (
        "Willow Creek Clinic", "Dana Cole", "decision_maker", None,
    )  # fmt: skip
    assert w.person_line == "Dana Cole (decision maker)"
    assert w.with_person == "Willow Creek Clinic (Dana Cole, decision maker)"
    assert (a.name, a.person, a.person_line, a.email) == (
        "Ada Lovelace", "Ada Lovelace", "", "ada@lovelace.test",
    )  # fmt: skip
    # Bo's address bounced: without a company, the account takes its next person's name (a
    # user before the billing mailbox), never Bo's.
    assert (b.name, b.person, b.role, b.email) == ("Cy Stay", "Cy Stay", "user", None)
    assert (e.name, e.person, e.person_line) == ("Elm Press", "Eve Elm", "Eve Elm (champion)")


def test_the_sql_the_text_and_the_columns_agree_with_the_batch(
    book: tuple[Engine, dict[str, int]],
) -> None:
    engine, ids = book
    with Session(engine) as s:
        batch = account_names(s, ids.values())
        query = select(Customer.id, account_name_sql(), main_person_sql()).order_by(Customer.id)
        by_sql = {int(i): (n, p) for i, n, p in s.execute(query)}
        name_sql, person_sql = (
            account_sql_text(engine.dialect, "c"),
            account_sql_text(engine.dialect.name, "c", what="person"),
        )
        raw = text(f"SELECT c.id, {name_sql}, {person_sql} FROM customers c")
        by_text = {int(i): (n, p) for i, n, p in s.execute(raw)}
        rows = s.execute(
            select(Customer.id, Customer.company, Customer.name, Customer.email).order_by(
                Customer.id
            )
        ).all()
        cols = [np.array([r[k] for r in rows], dtype=object) for k in range(4)]
        named, beside = account_columns(s, cols[0].astype(np.int64), cols[1], cols[2], cols[3])
        every = name_map(s)
    assert set(batch) == set(by_sql) == set(by_text) == set(every)
    for k, (cid, *_rest) in enumerate(rows):
        account = batch[int(cid)]
        assert by_sql[int(cid)] == by_text[int(cid)] == (account.name, account.person or None)
        assert named[k] == every[int(cid)] == account.name
        assert beside[k] == (account.person if account.person_line else None)
    assert every[ids["W"]] == "Willow Creek Clinic"


def test_what_may_leave_this_computer() -> None:
    from services.core.account_names import AccountName

    w = AccountName(1, "Willow Creek Clinic", "Dana Cole", "decision_maker",
                    "Willow Creek Clinic", None, "Dana", "Cole")  # fmt: skip
    assert shared_account_name(w, ["company", "first_name"]) == "Willow Creek Clinic"
    assert shared_account_name(w, ["first_name"]) == "Dana"
    assert shared_account_name(w, ["first_name"], whole_names=True, fallback="") == ""
    assert shared_account_name(w, []) == "Customer 1"
    ada = AccountName(2, "Ada Lovelace", "Ada Lovelace", None, None, "ada@l.test", "Ada",
                      "Lovelace")  # fmt: skip
    assert shared_account_name(ada, ["first_name", "surname"]) == "Ada Lovelace"
    assert shared_account_name(ada, ["email"]) == "ada@l.test"
