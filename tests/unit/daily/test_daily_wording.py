"""Small wording on real data: the score summary with a backtest window that held no
data (no "nan"), the 360-degree view's orders with no item count, one item or several
(no "0 item(s)"), and an import of customers whose fields another source owns (the
report says which source wins, and why, instead of a bare "unchanged")."""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
from pathlib import Path

from app.cli.main import main
from app.workspace import Workspace
from services.ask.library import answer_saved, find_question
from services.core.records import ScoringSummary
from tests.support.paths import ROOT
from tests.unit.ask.test_ask_readonly import scored_file, ws  # noqa: F401  (the fixtures)

CONTACTS = ROOT / "tests/data/samples/hubspot/hubspot-crm-exports-all-contacts-2026-11-15.csv"


def _summary(orders_backtest: dict[str, object], auc: float | None) -> ScoringSummary:
    return ScoringSummary(
        run_id=3, as_of=dt.date(2026, 11, 25), horizon_days=90, customers=40,
        chosen_model="bgnbd", auc=auc, brier=float("nan"), lift_top_decile=None,
        bridged=None, seconds=1.5, backtest_cutoff=dt.date(2026, 8, 27),
        baseline={"recency": {"auc": float("nan"), "brier": 0.2, "lift_top_decile": 1.5}},
        orders_backtest=orders_backtest,
    )  # fmt: skip


def test_a_backtest_window_with_no_data_prints_no_nan() -> None:
    empty = {"customers": 40, "predicted": float("nan"), "actual": 0.0,
             "rmse": float("nan"), "correlation": None, "bias": None}  # fmt: skip
    text = "\n".join(_summary(empty, 0.71).lines())
    assert "nan" not in text.lower()
    assert (
        "Orders (BG/NBD, same 90 days): not checked, the backtest window held no orders "
        "to compare against."
    ) in text
    assert "  recency                     -   0.2000          1.50" in text.splitlines()


def test_a_backtest_with_figures_is_printed_as_before() -> None:
    figures = {"customers": 40, "predicted": 52.4, "actual": 50.0, "rmse": 1.234,
               "correlation": 0.61, "bias": 0.048}  # fmt: skip
    text = "\n".join(_summary(figures, 0.71).lines())
    assert (
        "Orders (BG/NBD, same 90 days): 52 predicted, 50 placed (+4.8%); per customer, "
        "typical error (RMSE) 1.23 orders, correlation 0.61."
    ) in text


def test_the_360_view_says_an_orders_items_only_when_the_file_gave_them(
    ws: Workspace,  # noqa: F811
) -> None:
    path = ws.path
    assert path is not None
    with sqlite3.connect(path) as con:
        ids = [r[0] for r in con.execute(
            "SELECT id FROM orders WHERE customer_id = 42 ORDER BY id LIMIT 3")]  # fmt: skip
        for order_id, items in zip(ids, (None, 1, 3), strict=True):
            con.execute("UPDATE orders SET items = ? WHERE id = ?", (items, order_id))
    answer = answer_saved(ws.engine, find_question(ws.engine, "customer_360"), {"customer": "42"})
    part, detail = answer.columns.index("part"), answer.columns.index("detail")
    orders = [row[detail] for row in answer.rows if row[part] == "Order"]
    assert len(orders) >= 3
    assert not any("item(s)" in d or "0 item" in d for d in orders)
    assert any(d.endswith(" · 1 item") for d in orders)
    assert any(d.endswith(" · 3 items") for d in orders)
    assert any("item" not in d for d in orders)


def _import(db: Path, *args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    assert main(["--db", str(db), "import", *args], out=out, err=err) == 0, err.getvalue()
    return out.getvalue()


def test_an_import_says_which_source_kept_a_customers_field_and_why(tmp_path: Path) -> None:
    db = tmp_path / "w.radar.sqlite"
    _import(db, str(CONTACTS))
    other = tmp_path / "customers.csv"
    other.write_text(
        "customer_id,email,name,phone\n"
        "x1,rmosscroft@example.com,Rhea Moss-Croft,+1 555 0100\n"  # name differs
        "x2,junorookfield@example.org,Juno Rookfield,+16175550165\n",  # all the same
        encoding="utf-8",
    )
    report = _import(db, "--kind", "customers", str(other))
    assert "0 inserted, 1 updated, 1 unchanged" in report
    assert (
        "note: kept the stored name (1 customer) where this file gives a different value: "
        "those customers came from 'hubspot', and a customer's own source wins its fields "
        "(another file only fills empty ones). To change them, import a newer 'hubspot' "
        "export or edit them in the window"
    ) in report
    with sqlite3.connect(db) as con:
        name, phone = con.execute(
            "SELECT name, phone FROM customers WHERE email = 'rmosscroft@example.com'"
        ).fetchone()
    assert name == "Rhea Mosscroft"  # HubSpot's, kept
    assert phone  # the empty phone was filled


def test_an_import_that_agrees_with_the_owner_adds_no_note(tmp_path: Path) -> None:
    db = tmp_path / "w.radar.sqlite"
    _import(db, str(CONTACTS))
    other = tmp_path / "customers.csv"
    other.write_text(
        "customer_id,email,name\nx2,junorookfield@example.org,Juno Rookfield\n", encoding="utf-8"
    )
    report = _import(db, "--kind", "customers", str(other))
    assert "kept the stored" not in report
