"""Generic files: column mapping by name and content, kind inference, conversion."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.errors import UserFacingError
from services.importing import generic
from services.importing.reader import read_table
from tests.support.paths import DATA


def table_of(tmp_path: Path, text: str, name: str = "f.csv"):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_table(path)


@pytest.mark.parametrize("header", ["customer_id", "Cust No", "client id", "Customer Number"])
def test_customer_id_synonyms(tmp_path: Path, header: str) -> None:
    table = table_of(tmp_path, f"{header},order_date,amount\nX1,2026-01-01,5.00\n")
    suggestion = generic.infer_kind(table)
    assert suggestion.kind == "orders"
    assert suggestion.confident
    assert suggestion.mapping[header] == "customer_id"


@pytest.mark.parametrize(
    ("date_header", "amount_header"),
    [("order_date", "amount"), ("Date", "Total"), ("purchased at", "Revenue"), ("date", "price")],
)
def test_order_date_and_amount_synonyms(
    tmp_path: Path, date_header: str, amount_header: str
) -> None:
    table = table_of(tmp_path, f"E-mail,{date_header},{amount_header}\na@x.com,2026-01-01,5.00\n")
    suggestion = generic.infer_kind(table)
    assert suggestion.kind == "orders"
    assert suggestion.confident
    assert suggestion.mapping == {
        "E-mail": "customer_email",
        date_header: "order_date",
        amount_header: "amount",
    }


def test_content_finds_columns_with_unhelpful_names(tmp_path: Path) -> None:
    table = table_of(
        tmp_path,
        "who,when,how much\na@x.com,2026-01-01,$5.00\nb@x.com,2026-02-01,$7.50\n",
    )
    suggestion = generic.suggest_mapping(table, "orders")
    assert suggestion.mapping == {
        "who": "customer_email",
        "when": "order_date",
        "how much": "amount",
    }
    # Guessed from content only: shown to the user, not trusted without a look.
    assert not suggestion.confident
    assert all(g.score < generic.CONFIDENT for g in suggestion.guesses)


def test_kinds_are_inferred_from_the_columns(tmp_path: Path) -> None:
    cases = {
        "customers": "customer_id,email,first_name,last_name\n1,a@x.com,A,B\n",
        "opportunities": "account id,opportunity name,stage,close date,amount\n"
        "1,Big deal,Negotiation,2026-12-01,100\n",
        "subscriptions": "customer email,plan,status,current period end\n"
        "a@x.com,Gold,active,2026-12-01\n",
        "interactions": "customer email,date,subject,type\na@x.com,2026-01-01,Hello,call\n",
    }
    for kind, text in cases.items():
        assert generic.infer_kind(table_of(tmp_path, text, f"{kind}.csv")).kind == kind


def test_generic_customers_sample_needs_no_mapping() -> None:
    table = read_table(DATA / "samples" / "generic" / "customers.csv")
    suggestion = generic.infer_kind(table)
    assert suggestion.kind == "customers"
    assert suggestion.confident
    mapping = suggestion.mapping
    assert mapping["customer_id"] == "customer_id"
    assert mapping["email"] == "email"
    assert mapping["zip"] is None
    assert mapping["street"] is None
    batch = generic.convert(table, "customers", mapping)
    frame = batch.frames["customers"]
    assert len(frame) == 300
    assert not batch.rejects
    assert frame["name"].iloc[0] == "Clem Vetchdale"
    assert frame["attributes"].iloc[0]["zip"] == "06511"


def test_mapping_mistakes_are_explained(tmp_path: Path) -> None:
    table = table_of(tmp_path, "a,b\n1,2\n")
    with pytest.raises(UserFacingError, match="Two columns, 'a' and 'b'"):
        generic.convert(table, "customers", {"a": "email", "b": "email"})
    with pytest.raises(UserFacingError, match="'price' is not a field of customers"):
        generic.convert(table, "customers", {"a": "price"})
    with pytest.raises(UserFacingError, match="'fish' is not a kind"):
        generic.fields_for_kind("fish")


def test_header_signature_ignores_case_and_spacing() -> None:
    assert generic.header_key(["Customer ID", "Order Date"]) == generic.header_key(
        ["customer_id", " order  date"]
    )
    assert generic.header_key(["a", "b"]) != generic.header_key(["b", "a"])
