"""Money is never silently zero: an amount in a currency with no exchange rate keeps its
own currency in the import report, the customers export and the customer detail; and
rates the organisation's policy sets are the ones every figure is converted with."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from app.cli.main import main
from app.workspace import Workspace, open_workspace, to_url
from services.core import money
from services.core.money import MoneyContext, load_money_context, no_rate_note
from services.core.policy import reload_policy
from services.importing import service
from services.settings import get_setting, set_setting
from services.usecases.customer_detail import load_customer_detail
from services.usecases.exporting import export_table
from tests.support.paths import DATA as TEST_DATA

DATA = TEST_DATA / "money"
EUR_ORDERS = DATA / "eur_orders.csv"  # bob €20, cara €40: the first import, home is EUR
USD_ORDERS = DATA / "usd_orders.csv"  # ann $100 + $50 (+ $80 refunded), bob $30


@pytest.fixture
def ws(workspace_url: str) -> Iterator[Engine]:
    """A new workspace, on SQLite then on PostgreSQL."""
    workspace = open_workspace(workspace_url, backup=False)
    try:
        yield workspace.engine
    finally:
        workspace.close()


@pytest.fixture
def sqlite_ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = open_workspace(to_url(str(tmp_path / "w.radar.sqlite")), backup=False)
    yield workspace
    workspace.close()


@pytest.fixture
def policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Write a policy file and read it as the app does: ``policy({...})``."""

    def use(data: dict[str, Any]) -> Path:
        path = tmp_path / "policies.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        monkeypatch.setenv("ACCOUNT_RADAR_POLICIES", str(path))
        reload_policy()
        return path

    yield use
    monkeypatch.delenv("ACCOUNT_RADAR_POLICIES", raising=False)
    reload_policy()


def import_both(engine: Engine) -> list[str]:
    """The EUR file (which makes EUR the home currency), then the USD file: its notes."""
    first = service.run_import(engine, [EUR_ORDERS], kind="orders").files[0]
    assert first.landed
    assert first.rejected == 0
    second = service.run_import(engine, [USD_ORDERS], kind="orders").files[0]
    assert second.landed
    assert second.rejected == 0
    return list(second.notes)


def customer_id(engine: Engine, email: str) -> int:
    with engine.connect() as conn:
        found = conn.execute(text("SELECT id FROM customers WHERE email = :e"), {"e": email})
        return int(found.scalar_one())


def revenue_rollups(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT c.email, r.paid_revenue_cents FROM customer_rollups r "
                "JOIN customers c ON c.id = r.customer_id"
            )
        ).all()
    return {str(email): int(cents) for email, cents in rows}


def read_export(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {row["email"]: row for row in csv.DictReader(handle)}


def test_a_eur_workspace_keeps_usd_orders_in_usd_everywhere(ws: Engine, tmp_path: Path) -> None:
    engine = ws
    notes = import_both(engine)
    with Session(engine) as session:
        assert get_setting(session, "workspace.home_currency") == "EUR"
    # The import says which amounts have no rate and what to do.
    assert any(
        n.startswith("4 orders in USD have no exchange rate to EUR: set one in Settings ▸ Money")
        for n in notes
    ), notes

    # The export: no home figure for ann and bob (never 0.0 EUR), the amounts in USD.
    out = tmp_path / "customers.csv"
    result = export_table(engine, "customers", out)
    table = read_export(out)
    header = list(next(iter(table.values())))
    assert header[header.index("revenue") + 1 : header.index("revenue") + 3] == [
        "currency",
        "revenue_by_currency",
    ]
    ann, bob, cara = (table[f"{n}@example.com"] for n in ("ann", "bob", "cara"))
    assert (ann["revenue"], ann["currency"]) == ("", "EUR")
    assert ann["revenue_by_currency"] == "150.00 USD"
    assert (bob["revenue"], bob["revenue_by_currency"]) == ("", "20.00 EUR + 30.00 USD")
    assert (cara["revenue"], cara["currency"], cara["revenue_by_currency"]) == ("40.0", "EUR", "")
    assert len(result.notes) == 1
    assert result.notes[0].startswith("2 customers bought in USD, which has no exchange rate")
    assert "Settings ▸ Money" in result.notes[0]

    # The same in XLSX: an empty cell, not 0.
    xlsx = tmp_path / "customers.xlsx"
    export_table(engine, "customers", xlsx)
    sheet = load_workbook(xlsx, read_only=True).active
    assert sheet is not None
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    top = rows[0]
    by_email = {r[top.index("email")]: r for r in rows[1:]}
    ann_row = by_email["ann@example.com"]
    assert ann_row[top.index("revenue")] is None
    assert ann_row[top.index("revenue_by_currency")] == "150.00 USD"

    # The customer detail: ann's $150 kept in USD beside an empty EUR figure.
    detail = load_customer_detail(engine, customer_id(engine, "ann@example.com"))
    assert detail.currency == "EUR"
    assert detail.revenue == 0.0
    assert detail.revenue_left_out == {"USD": 150.0}
    detail = load_customer_detail(engine, customer_id(engine, "bob@example.com"))
    assert (detail.revenue, detail.revenue_left_out) == (20.0, {"USD": 30.0})


def test_the_cli_export_says_what_it_could_not_convert(
    sqlite_ws: Workspace, tmp_path: Path
) -> None:
    import_both(sqlite_ws.engine)
    out, err = io.StringIO(), io.StringIO()
    db = str(sqlite_ws.engine.url.database)
    target = tmp_path / "c.csv"
    assert main(["--db", db, "export", "customers", str(target)], out=out, err=err) == 0, err
    said = out.getvalue()
    assert "Note: 2 customers bought in USD, which has no exchange rate to EUR" in said
    assert read_export(target)["ann@example.com"]["revenue_by_currency"] == "150.00 USD"


def test_rates_locked_by_policy_convert_every_figure(
    sqlite_ws: Workspace, tmp_path: Path, policy: Any
) -> None:
    engine = sqlite_ws.engine
    with Session(engine) as session, session.begin():
        set_setting(session, "workspace.exchange_rates", {"USD": 2.0})  # the user's, before IT
    policy({"locked": {"workspace.exchange_rates": {"USD": 0.9}}})
    with engine.connect() as conn:
        assert load_money_context(conn).rates == {"USD": 0.9}
    notes = import_both(engine)
    assert not any("no exchange rate" in n for n in notes), notes
    # $150 at 0.9 is €135; bob's €20 + $30 is €47: the locked rate, not the user's 2.0.
    assert revenue_rollups(engine) == {
        "ann@example.com": 13500,
        "bob@example.com": 4700,
        "cara@example.com": 4000,
    }
    out = tmp_path / "customers.csv"
    result = export_table(engine, "customers", out)
    assert result.notes == ()
    table = read_export(out)
    assert [table[f"{n}@example.com"]["revenue"] for n in ("ann", "bob", "cara")] == [
        "135.0",
        "47.0",
        "40.0",
    ]
    assert {row["revenue_by_currency"] for row in table.values()} == {""}
    detail = load_customer_detail(engine, customer_id(engine, "ann@example.com"))
    assert (detail.revenue, detail.revenue_left_out) == (135.0, {})


def test_money_settings_follow_the_resolution_order(sqlite_ws: Workspace, policy: Any) -> None:
    engine = sqlite_ws.engine
    policy(
        {"defaults": {"workspace.home_currency": "EUR", "workspace.exchange_rates": {"USD": 0.8}}}
    )
    with engine.connect() as conn:
        ctx = load_money_context(conn)
    assert (ctx.home, dict(ctx.rates)) == ("EUR", {"USD": 0.8})  # organisation defaults
    with Session(engine) as session, session.begin():
        set_setting(session, "workspace.exchange_rates", {"USD": 0.95})
    with engine.connect() as conn:
        assert dict(load_money_context(conn).rates) == {"USD": 0.95}  # the user's own wins
    policy({"locked": {"workspace.home_currency": "GBP"}})
    with engine.connect() as conn:
        assert load_money_context(conn).home == "GBP"  # the lock wins over everything


def test_no_rate_note_words() -> None:
    ctx = MoneyContext("EUR", {"GBP": 1.15})
    counts = {"orders": {"USD": 1, "GBP": 3, "EUR": 9}, "subscriptions": {"CHF": 2}}
    assert no_rate_note(ctx, counts) == (
        "1 order in USD, 2 subscriptions in CHF have no exchange rate to EUR: set one in "
        "Settings ▸ Money. They are kept in their own currency and left out of EUR totals "
        "until then."
    )
    assert no_rate_note(ctx, {"orders": {"USD": 1}}) is not None
    assert no_rate_note(ctx, {"orders": {"USD": 1}}).startswith("1 order in USD has no")  # type: ignore[union-attr]
    assert no_rate_note(ctx, {"orders": {"EUR": 4, "GBP": 2}}) is None


def test_ask_leaves_revenue_paid_in_a_currency_with_no_rate_empty(ws: Engine) -> None:
    """Ask's ask_customers.revenue_home (the 360° view's revenue) is empty, never 0.00
    EUR, for a customer who paid in USD with no rate to EUR; converted once a rate is
    set."""
    from services.ask.readonly import run_query

    import_both(ws)
    sql = (
        "SELECT email, revenue_home FROM ask_customers "
        "WHERE email IN ('ann@example.com', 'cara@example.com') ORDER BY email"
    )
    rows = {email: revenue for email, revenue in run_query(ws, sql).rows}
    assert rows["ann@example.com"] is None
    assert rows["cara@example.com"] == pytest.approx(40.0)
    with Session(ws) as session, session.begin():
        set_setting(session, money.RATES_SETTING, {"USD": 0.9})
    rows = {email: revenue for email, revenue in run_query(ws, sql).rows}
    assert rows["ann@example.com"] == pytest.approx(135.0)


def test_scores_of_customers_who_bought_with_no_rate_are_empty_not_zero(
    workspace_url: str, tmp_path: Path
) -> None:
    """A demo bought in USD, its home currency made EUR with no rate: every paid customer's
    predicted revenue, 12-month value and revenue at risk are empty (not 0) in the scores,
    the scores export says why, and the effectiveness report names the orders it left out;
    the churn risk is still there (orders count as purchases)."""
    from services.demo.build import build_demo
    from services.learn.effectiveness import effectiveness_report
    from services.usecases.refresh import score_and_alert

    workspace = open_workspace(workspace_url, backup=False)
    try:
        engine = workspace.engine
        build_demo(engine, customers=120, seed=5)
        with Session(engine) as session, session.begin():
            set_setting(session, money.HOME_SETTING, "EUR")
        result = score_and_alert(engine)
        assert result.alerts_error is None
        assert any("in USD left out of money figures" in n for n in result.scores.notes)
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT churn_risk, predicted_revenue_cents, clv_12m_cents, "
                    "revenue_at_risk_cents FROM score_snapshots WHERE scoring_run_id = "
                    "(SELECT max(id) FROM scoring_runs) AND customer_id IN "
                    "(SELECT customer_id FROM orders WHERE status = 'paid')"
                )
            ).all()
        assert len(rows) > 50
        assert all(r[0] is not None for r in rows)
        assert all(r[1] is None and r[2] is None and r[3] is None for r in rows)
        exported = export_table(engine, "scores", tmp_path / "s.csv")
        assert any("no exchange rate to EUR" in n and "left empty" in n for n in exported.notes)
        with open(tmp_path / "s.csv", encoding="utf-8-sig", newline="") as f:
            table = list(csv.DictReader(f))
        paid = [r for r in table if r["predicted_orders"] not in ("", "0.0")]
        assert paid
        assert all(r["predicted_revenue"] == "" and r["revenue_at_risk"] == "" for r in paid)
        report = effectiveness_report(engine)
        assert report.money_note is not None
        assert "in USD left out of money figures" in report.money_note
    finally:
        workspace.close()
