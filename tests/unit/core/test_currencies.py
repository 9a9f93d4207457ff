"""Money in other currencies: read the currency, store it, never add different ones."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from app.workspace import open_workspace
from models.schema import Setting
from services.core import money
from services.importing import service, values


@pytest.fixture
def ws(workspace_url: str) -> Iterator[Engine]:
    """A new workspace, on SQLite then on PostgreSQL."""
    workspace = open_workspace(workspace_url, backup=False)
    try:
        yield workspace.engine
    finally:
        workspace.close()


def rows(engine: Engine, sql: str) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


MIXED = (
    "order_id,customer_email,order_date,amount\n"
    "1,a@x.com,2026-01-02,€12.50\n"
    "2,b@x.com,2026-01-03,£5\n"
    "3,c@x.com,2026-01-04,¥1000\n"
    "4,d@x.com,2026-01-05,12 EUR\n"
    '5,e@x.com,2026-01-06,"CHF 1\'234.50"\n'
    "6,f@x.com,2026-01-07,7.25\n"
    "7,g@x.com,2026-01-08,€3.00\n"
)


# --- parsing --------------------------------------------------------------------------------


def test_parse_money_reads_the_currency_of_each_cell() -> None:
    cells = ["€12.50", "£5", "¥1000", "12 EUR", "EUR 12", "CHF 1'234.50", "US$4", "C$5", "$3", "9"]
    cents, currency, bad = values.parse_money(pd.Series(cells))
    assert cents.tolist() == [1250, 500, 100000, 1200, 1200, 123450, 400, 500, 300, 900]
    assert currency.tolist() == [
        "EUR", "GBP", "JPY", "EUR", "EUR", "CHF", "USD", "CAD", "$", None,
    ]  # fmt: skip
    assert not bad.any()


def test_parse_money_european_forms_and_unknown_marks() -> None:
    cents, currency, bad = values.parse_money(pd.Series(["1 234,50 €", "12,00 €"]))
    assert cents.tolist() == [123450, 1200]
    assert currency.tolist() == ["EUR", "EUR"]
    assert not bad.any()
    cents, currency, bad = values.parse_money(pd.Series(["12 apples", "€12 USD", "5"]))
    assert bad.tolist() == [True, True, False]
    assert cents.isna().tolist() == [True, True, False]
    # The old parser (kept for its callers) still returns cents only.
    assert values.parse_money_cents(pd.Series(["€12.50"]))[0].tolist() == [1250]


def test_import_stores_the_currency_and_sets_the_home_currency(ws: Engine, tmp_path: Path) -> None:
    engine = ws
    report = service.run_import(engine, [write_csv(tmp_path / "m.csv", MIXED)], kind="orders")
    file = report.files[0]
    assert file.landed
    assert file.rejected == 0
    stored = rows(engine, "SELECT external_id, amount_cents, currency FROM orders ORDER BY 1")
    assert stored == [
        ("1", 1250, "EUR"),
        ("2", 500, "GBP"),
        ("3", 100000, "JPY"),
        ("4", 1200, "EUR"),
        ("5", 123450, "CHF"),
        ("6", 725, "EUR"),  # no sign: the home currency (this file's commonest, EUR)
        ("7", 300, "EUR"),
    ]
    with Session(engine) as session:
        home = session.scalars(
            select(Setting.value).where(Setting.key == "workspace.home_currency")
        ).all()
    assert home == ["EUR"]
    assert any("home currency set to EUR" in note for note in file.notes)
    audit = rows(engine, "SELECT action, details FROM audit_events")
    assert any("workspace.home_currency" in str(d) for _a, d in audit)


def test_home_currency_is_kept_by_later_imports_and_plain_dollar_follows_it(
    ws: Engine, tmp_path: Path
) -> None:
    engine = ws
    first = "order_id,customer_email,order_date,amount\n1,a@x.com,2026-01-02,C$10\n"
    service.run_import(engine, [write_csv(tmp_path / "a.csv", first)], kind="orders")
    second = (
        "order_id,customer_email,order_date,amount\n"
        "2,a@x.com,2026-01-03,$20\n3,a@x.com,2026-01-04,30\n4,a@x.com,2026-01-05,€40\n"
    )
    report = service.run_import(engine, [write_csv(tmp_path / "b.csv", second)], kind="orders")
    assert not any("home currency" in n for n in report.files[0].notes)
    stored = rows(engine, "SELECT external_id, currency FROM orders ORDER BY 1")
    # A bare "$" is the home currency when it is a dollar (CAD); no sign is the home one.
    assert stored == [("1", "CAD"), ("2", "CAD"), ("3", "CAD"), ("4", "EUR")]


def test_currency_column_wins_and_a_contradicting_sign_rejects_the_row(
    ws: Engine, tmp_path: Path
) -> None:
    engine = ws
    text = (
        "order_id,customer_email,order_date,amount,currency\n"
        "1,a@x.com,2026-01-02,12.50,gbp\n"
        "2,b@x.com,2026-01-03,€12.50,USD\n"
        "3,c@x.com,2026-01-04,$7,CAD\n"
        "4,d@x.com,2026-01-05,5,Doubloons\n"
        "5,e@x.com,2026-01-06,£5,\n"
    )
    report = service.run_import(engine, [write_csv(tmp_path / "c.csv", text)], kind="orders")
    file = report.files[0]
    reasons = {r.row: r.reason for r in file.rejects}
    assert set(reasons) == {3, 5}  # file rows (the header is row 1)
    assert "'€12.50' is in EUR but column currency says USD" in reasons[3]
    assert "unknown currency 'Doubloons'" in reasons[5]
    stored = rows(engine, "SELECT external_id, amount_cents, currency FROM orders ORDER BY 1")
    assert stored == [("1", 1250, "GBP"), ("3", 700, "CAD"), ("5", 500, "GBP")]


def test_adapter_sign_conflicts_with_its_currency_column(ws: Engine, tmp_path: Path) -> None:
    engine = ws
    text = (
        "id,Customer ID,Customer Email,Customer Name,Status,Plan,Amount,Currency,Interval,"
        "Created (UTC),Current Period End (UTC),Cancel At Period End,Canceled At (UTC)\n"
        "sub_1,cus_1,a@x.com,Ann,active,Pro,€20.00,eur,month,2026-01-01 00:00,"
        "2026-02-01 00:00,false,\n"
        "sub_2,cus_2,b@x.com,Bob,active,Pro,£20.00,usd,month,2026-01-01 00:00,"
        "2026-02-01 00:00,false,\n"
    )
    report = service.run_import(engine, [write_csv(tmp_path / "subscriptions.csv", text)])
    file = report.files[0]
    assert file.detected_format.startswith("stripe"), file
    assert [r.row for r in file.rejects] == [3]
    assert "is in GBP but Currency says USD" in file.rejects[0].reason
    assert rows(engine, "SELECT external_id, amount_cents, currency FROM subscriptions") == [
        ("sub_1", 2000, "EUR")
    ]


# --- formatting -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cents", "currency", "kwargs", "expected"),
    [
        (123400, "USD", {}, "$1,234"),
        (1250, "EUR", {}, "€12.50"),
        (123450, "CHF", {}, "CHF 1,234.50"),
        (100000, "JPY", {}, "¥1,000"),
        (100060, "KRW", {}, "₩1,001"),
        (500, "gbp", {}, "£5"),
        (-1250, "EUR", {}, "-€12.50"),
        (1250, "EUR", {"decimals": 0}, "€12"),
        (1200, "USD", {"decimals": 2}, "$12.00"),
        (1_200_000, "USD", {"compact": True}, "$12k"),
        (120_000_000, "EUR", {"compact": True}, "€1.2M"),
        (85_000, "USD", {"compact": True}, "$850"),
        (None, "USD", {}, ""),
    ],
)
def test_format_money(cents: Any, currency: str, kwargs: dict[str, Any], expected: str) -> None:
    assert money.format_money(cents, currency, **kwargs) == expected


def test_format_totals_and_rates_text() -> None:
    assert money.format_totals({"USD": 1_240_000, "EUR": 310_000}) == "$12,400 + €3,100"
    assert money.format_totals({"USD": 0}) == "$0"
    assert money.parse_rates("eur=1.08, GBP = 1,27") == {"EUR": 1.08, "GBP": 1.27}
    assert money.format_rates({"GBP": 1.27, "EUR": 1.08}) == "EUR=1.08, GBP=1.27"
    with pytest.raises(ValueError, match="'XYZ' is not a currency code"):
        money.parse_rates("XYZ=2")
    with pytest.raises(ValueError, match="must be a number"):
        money.parse_rates("EUR=lots")
    with pytest.raises(ValueError, match="above 0"):
        money.parse_rates("EUR=0")


# --- never adding different currencies -----------------------------------------------------

TWO_CURRENCIES = (
    "order_id,customer_email,order_date,amount\n"
    "1,a@x.com,2025-01-10,$100\n"
    "2,a@x.com,2025-04-10,$100\n"
    "3,a@x.com,2025-08-10,$100\n"
    "4,b@x.com,2025-02-10,€50\n"
    "5,b@x.com,2025-06-10,€50\n"
    "6,c@x.com,2025-03-10,$10\n"
    "7,c@x.com,2025-09-10,€20\n"
) + "".join(
    # Enough dollar customers for the scoring models to fit: 20 x 2 x $30.
    f"f{i}a,f{i}@x.com,2025-0{1 + i % 5}-0{1 + i % 9},$30\nf{i}b,f{i}@x.com,2025-10-1{i % 9},$30\n"
    for i in range(20)
)
FILLER_CENTS = 20 * 2 * 3000


def rollups(engine: Engine) -> dict[str, tuple[int, int]]:
    found = rows(
        engine,
        "SELECT c.email, r.paid_orders, r.paid_revenue_cents FROM customer_rollups r "
        "JOIN customers c ON c.id = r.customer_id WHERE c.email IN ('a@x.com', 'b@x.com', "
        "'c@x.com')",
    )
    return {email: (n, cents) for email, n, cents in found}


def set_rates(engine: Engine, rates: dict[str, float]) -> None:
    from sqlalchemy.orm import Session

    from services.core.rollups import refresh_rollups
    from services.settings import set_setting

    with Session(engine) as session, session.begin():
        set_setting(session, "workspace.exchange_rates", rates)
        refresh_rollups(session)


def test_rollups_and_scoring_never_add_euros_to_dollars(ws: Engine, tmp_path: Path) -> None:
    import datetime as dt

    import numpy as np

    from services.scoring.data import day_number, load_scoring_data
    from services.scoring.run import score_workspace
    from services.usecases.customers import load_customer_columns

    engine = ws
    service.run_import(engine, [write_csv(tmp_path / "o.csv", TWO_CURRENCIES)], kind="orders")
    # No rate: euros count as orders but add nothing to the dollar figures.
    assert rollups(engine) == {"a@x.com": (3, 30000), "b@x.com": (2, 0), "c@x.com": (2, 1000)}
    columns = load_customer_columns(engine, scores=False)
    # The Customers tab: no euro figure turned into $0; what was paid, per currency.
    paid = dict(zip(columns["email"], columns["revenue_unconverted"], strict=True))
    revenue = dict(zip(columns["email"], columns["revenue"].tolist(), strict=True))
    assert (paid["b@x.com"], paid["c@x.com"], paid["a@x.com"]) == ("€100", "€20 + $10", None)
    assert np.isnan(revenue["b@x.com"])
    assert np.isnan(revenue["c@x.com"])
    assert float(np.nansum(columns["revenue"])) * 100 == 30000 + FILLER_CENTS
    day = day_number(dt.date(2025, 12, 31))
    data = load_scoring_data(engine, until_day=day)
    assert data.currency == "USD"
    assert int(data.p_amount.sum()) == 31000 + FILLER_CENTS
    assert int(data.p_orders.sum()) == 47  # every order still counts as a purchase
    assert data.left_out == {"EUR": 3}
    summary = score_workspace(engine, as_of=dt.date(2025, 12, 31))
    note = "3 orders in EUR left out of money figures (no exchange rate to USD): add an "
    assert any(n.startswith(note) for n in summary.notes), summary.notes

    # With a rate the euros are converted (1 EUR = 1.10 USD), never added at face value.
    set_rates(engine, {"EUR": 1.1})
    assert rollups(engine) == {"a@x.com": (3, 30000), "b@x.com": (2, 11000), "c@x.com": (2, 3200)}
    data = load_scoring_data(engine, until_day=day)
    assert int(data.p_amount.sum()) == 44200 + FILLER_CENTS
    assert data.left_out == {}
    # The live aggregate (rollups stale) agrees with the stored one.
    from services.core.rollups import stale_rollups

    with engine.connect() as conn:
        assert stale_rollups(Session(bind=conn)) == 0


def test_exports_say_the_currency_of_their_money(ws: Engine, tmp_path: Path) -> None:
    import csv
    import datetime as dt

    from services.scoring.run import score_workspace
    from services.usecases.exporting import export_table

    engine = ws
    euros = TWO_CURRENCIES.replace("$", "€")
    service.run_import(engine, [write_csv(tmp_path / "o.csv", euros)], kind="orders")
    out = tmp_path / "customers.csv"
    export_table(engine, "customers", out)
    with out.open(encoding="utf-8") as handle:
        table = list(csv.DictReader(handle))
    header = list(table[0])
    assert header[header.index("revenue") + 1] == "currency"
    assert {row["currency"] for row in table} == {"EUR"}
    score_workspace(engine, as_of=dt.date(2025, 12, 31))
    out = tmp_path / "scores.csv"
    export_table(engine, "scores", out)
    with out.open(encoding="utf-8") as handle:
        table = list(csv.DictReader(handle))
    header = list(table[0])
    assert "value" in header
    assert header.index("currency") > header.index("value")
    assert {row["currency"] for row in table} == {"EUR"}


def test_cli_alert_priorities_and_customer_detail_use_the_home_currency(
    ws: Engine, tmp_path: Path
) -> None:
    import numpy as np

    from app.cli.alerts import format_table
    from services.usecases.customer_detail import load_customer_detail

    columns = {
        "id": np.array([1]),
        "severity": np.array(["warning"], dtype=object),
        "customer": np.array(["Ann"], dtype=object),
        "rule": np.array(["Gone quiet"], dtype=object),
        "reason": np.array(["no order"], dtype=object),
        "priority_cents": np.array([123456]),
        "created_at": np.array(["2026-01-01T00:00:00"], dtype="datetime64[s]"),
        "owner": np.array([None], dtype=object),
        "status": np.array(["new"], dtype=object),
    }
    line = format_table(columns, 1_767_225_600.0, 0, "EUR")[1]
    assert "€1,235" in line
    assert "$" not in line

    engine = ws
    service.run_import(engine, [write_csv(tmp_path / "o.csv", TWO_CURRENCIES)], kind="orders")
    (customer_id,) = rows(engine, "SELECT id FROM customers WHERE email = 'c@x.com'")[0]
    detail = load_customer_detail(engine, customer_id)
    # $10 and €20 with no rate: $10 of revenue, and €20 beside it, never $30.
    assert detail.currency == "USD"
    assert detail.revenue == 10.0
    assert detail.revenue_left_out == {"EUR": 20.0}
    events = [(e.amount, e.currency) for e in detail.timeline if e.kind == "order"]
    assert sorted(events) == [(10.0, "USD"), (20.0, "EUR")]


def test_draft_offer_is_in_the_customers_currency_or_not_made(ws: Engine, tmp_path: Path) -> None:
    import datetime as dt

    from sqlalchemy.orm import Session

    from services.outreach.context import build_context
    from services.scoring.run import score_workspace

    engine = ws
    service.run_import(engine, [write_csv(tmp_path / "o.csv", TWO_CURRENCIES)], kind="orders")
    score_workspace(engine, as_of=dt.date(2025, 12, 31))
    (b_id,) = rows(engine, "SELECT id FROM customers WHERE email = 'b@x.com'")[0]
    now = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    with Session(engine) as session:
        context = build_context(session, b_id, now=now)
    # b buys in euros; no EUR rate: no amount can be offered, and the average is in EUR.
    assert context.currency == "EUR"
    assert context.currency_symbol == "€"
    assert context.incentive_cap_cents is None
    assert context.average_order_cents == 5000
    set_rates(engine, {"EUR": 1.25})
    score_workspace(engine, as_of=dt.date(2025, 12, 31))
    with Session(engine) as session:
        context = build_context(session, b_id, now=now)
        clv = rows(
            engine,
            f"SELECT clv_12m_cents FROM score_snapshots WHERE customer_id = {b_id} "
            "ORDER BY id DESC LIMIT 1",
        )[0][0]
    share = 10  # the default incentive cap: 10% of the 12-month value (in USD)
    assert clv
    # 10% of the value in euros (under one euro: to the cent, rounded down).
    assert clv / 1.25 * share < 100 * 100
    assert context.incentive_cap_cents == int(clv / 1.25 * share // 100)
    assert context.incentive is not None
    assert context.incentive.startswith("€")
