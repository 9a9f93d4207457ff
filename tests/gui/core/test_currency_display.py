"""The window says which currency a figure is in: a EUR workspace shows "€", never "$"."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.workspace import Workspace, open_workspace
from services.core.records import CustomerScores
from services.importing import service
from services.scoring.queries import customer_scores
from services.scoring.run import score_workspace
from services.usecases.customer_detail import load_customer_detail
from services.usecases.customers import load_customer_columns
from views.customers.score_tiles import ScoreStrip
from views.item_models.customer_table_data import ALL_COLUMNS, CustomerTableData
from views.item_models.customer_table_model import CustomerTableModel

AS_OF = dt.date(2025, 12, 31)
EUROS = (
    "order_id,customer_email,order_date,amount\n"
    "1,a@x.com,2025-01-10,€100\n2,a@x.com,2025-04-10,€100\n3,a@x.com,2025-08-10,€100\n"
    '4,b@x.com,2025-02-10,"1.234,50 €"\n5,b@x.com,2025-06-10,€50\n'
) + "".join(
    f"f{i}a,f{i}@x.com,2025-0{1 + i % 5}-0{1 + i % 9},€30\nf{i}b,f{i}@x.com,2025-10-1{i % 9},€30\n"
    for i in range(20)
)


@pytest.fixture
def eur_workspace(tmp_path: Path) -> Iterator[Workspace]:
    workspace = open_workspace(f"sqlite:///{tmp_path / 'eur.radar.sqlite'}")
    source = tmp_path / "orders.csv"
    source.write_text(EUROS, encoding="utf-8")
    service.run_import(workspace.engine, [source], kind="orders")
    score_workspace(workspace.engine, as_of=AS_OF)
    try:
        yield workspace
    finally:
        workspace.close()


def test_customer_table_shows_euros_in_a_eur_workspace(qtbot, eur_workspace: Workspace) -> None:
    model = CustomerTableModel()
    model.set_table(CustomerTableData(load_customer_columns(eur_workspace.engine)))
    keys = [c.key for c in ALL_COLUMNS]
    emails = [model.data(model.index(r, keys.index("email"))) for r in range(model.rowCount())]
    row = emails.index("b@x.com")
    revenue = model.data(model.index(row, keys.index("revenue")), Qt.ItemDataRole.DisplayRole)
    assert revenue == "€1,284.50"
    clv = model.data(model.index(row, keys.index("clv_12m")), Qt.ItemDataRole.DisplayRole)
    assert clv.startswith("€")
    assert "$" not in clv


def test_score_tiles_show_the_home_currency(qtbot, eur_workspace: Workspace) -> None:
    with eur_workspace.sessions() as session:
        detail = load_customer_detail(eur_workspace.engine, 1)
        scores = customer_scores(session, detail.id)
    assert isinstance(scores, CustomerScores)
    assert scores.currency == "EUR"
    strip = ScoreStrip()
    qtbot.addWidget(strip)
    strip.resize(900, 80)
    strip.set_scores(dataclasses.replace(scores, previous=None))
    for key in ("clv_12m", "revenue_at_risk"):
        text = strip.tiles[key].value.full_text()
        assert text.startswith("€"), text
        assert "$" not in text, text


def test_saving_rates_in_settings_recomputes_customer_totals(tmp_path: Path) -> None:
    import sqlite3

    from app.gui.settings_controller import MONEY_SAVED_MESSAGE, save_settings, validate

    workspace = open_workspace(f"sqlite:///{tmp_path / 'mixed.radar.sqlite'}")
    try:
        source = tmp_path / "orders.csv"
        source.write_text(
            "order_id,customer_email,order_date,amount\n"
            "1,a@x.com,2025-01-10,$10\n2,a@x.com,2025-02-10,€20\n3,a@x.com,2025-03-10,$5\n",
            encoding="utf-8",
        )
        service.run_import(workspace.engine, [source], kind="orders")

        def revenue() -> int:
            with sqlite3.connect(tmp_path / "mixed.radar.sqlite") as con:
                return int(
                    con.execute("SELECT paid_revenue_cents FROM customer_rollups").fetchone()[0]
                )

        assert revenue() == 1500  # €20 has no rate: not added to the $15
        problem = validate("workspace.exchange_rates", "EUR=1.10, XYZ=2")
        assert problem is not None
        assert "'XYZ' is not a currency code" in problem
        save_settings(workspace, {"workspace.exchange_rates": {"EUR": 1.1}}, "tester")
        assert revenue() == 1500 + 2200
        save_settings(workspace, {"workspace.home_currency": "eur"}, "tester")
        with workspace.sessions() as session:
            from services.settings import get_setting

            assert get_setting(session, "workspace.home_currency") == "EUR"
        # Now in euros: dollars have no EUR rate; €20 counts as it is.
        assert revenue() == 2000
        assert "Re-score" in MONEY_SAVED_MESSAGE
    finally:
        workspace.close()
