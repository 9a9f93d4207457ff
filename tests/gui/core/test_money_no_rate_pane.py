"""The customer detail never shows money in a currency with no rate as 0 in the home
currency, and converts it with the rate the organisation's policy locks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from app.gui.customers_source import WorkspaceCustomerSource
from app.workspace import Workspace, open_workspace, to_url
from services.core.policy import reload_policy
from services.importing import service
from tests.support.paths import DATA as TEST_DATA
from views.customers.detail_pane import CustomerDetailPane
from views.kit.jobs import JobRunner

DATA = TEST_DATA / "money"


@pytest.fixture
def eur_workspace(tmp_path: Path) -> Iterator[Workspace]:
    """EUR orders first (EUR becomes the home currency), then a USD orders file."""
    workspace = open_workspace(to_url(str(tmp_path / "w.radar.sqlite")), backup=False)
    for name in ("eur_orders.csv", "usd_orders.csv"):
        service.run_import(workspace.engine, [DATA / name], kind="orders")
    yield workspace
    workspace.close()


def show(qtbot: QtBot, jobs: JobRunner, workspace: Workspace, email: str) -> CustomerDetailPane:
    with workspace.engine.connect() as conn:
        found = conn.execute(text("SELECT id FROM customers WHERE email = :e"), {"e": email})
        customer_id = int(found.scalar_one())
    pane = CustomerDetailPane(jobs)
    qtbot.addWidget(pane)
    pane.resize(1000, 760)
    pane.set_source(WorkspaceCustomerSource(workspace))
    with qtbot.waitSignal(pane.detail_shown, timeout=10_000):
        pane.show_customer(customer_id)
    return pane


def test_usd_revenue_with_no_rate_is_shown_in_usd(
    qtbot: QtBot, jobs: JobRunner, eur_workspace: Workspace
) -> None:
    pane = show(qtbot, jobs, eur_workspace, "ann@example.com")
    assert pane.revenue_tile.value.full_text() == "$150"
    assert pane.revenue_tile.note.full_text() == "no exchange rate for USD"
    pane = show(qtbot, jobs, eur_workspace, "bob@example.com")
    assert pane.revenue_tile.value.full_text() == "$30 + €20"
    qtbot.waitUntil(jobs.is_idle)


def test_a_rate_locked_by_policy_converts_the_revenue(
    qtbot: QtBot, jobs: JobRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "policies.json"
    locked = {"workspace.exchange_rates": {"USD": 0.9}}
    path.write_text(json.dumps({"locked": locked}), encoding="utf-8")
    monkeypatch.setenv("ACCOUNT_RADAR_POLICIES", str(path))
    reload_policy()
    try:
        workspace = open_workspace(to_url(str(tmp_path / "p.radar.sqlite")), backup=False)
        try:
            for name in ("eur_orders.csv", "usd_orders.csv"):
                service.run_import(workspace.engine, [DATA / name], kind="orders")
            pane = show(qtbot, jobs, workspace, "ann@example.com")
            assert pane.revenue_tile.value.full_text() == "€135"  # $150 at 0.9
            assert "no exchange rate" not in pane.revenue_tile.note.full_text()
            qtbot.waitUntil(jobs.is_idle)
        finally:
            workspace.close()
    finally:
        monkeypatch.delenv("ACCOUNT_RADAR_POLICIES")
        reload_policy()


def test_the_customers_table_shows_usd_revenue_in_usd_not_zero(
    qtbot: QtBot, eur_workspace: Workspace
) -> None:
    """The Customers tab's Revenue cell says what was paid per currency, as the detail's
    tile does (never €0), and its tooltip says what to do."""
    from services.usecases.customers import load_customer_columns
    from views.item_models.customer_table_data import COLUMN_INDEX, CustomerTableData
    from views.item_models.customer_table_model import CustomerTableModel

    columns = load_customer_columns(eur_workspace.engine, scores=False)
    emails = list(columns["email"])
    ann = emails.index("ann@example.com")
    assert columns["revenue"][ann] != columns["revenue"][ann]  # NaN, not 0
    model = CustomerTableModel()
    model.set_table(CustomerTableData(columns))
    revenue = COLUMN_INDEX["revenue"]
    cells = [model.index(row, revenue) for row in range(model.rowCount())]
    texts = [cell.data() for cell in cells]
    assert "$150" in texts
    assert "$30 + €20" in texts
    assert "€0" not in texts
    tips = {cell.data(): cell.data(Qt.ItemDataRole.ToolTipRole) for cell in cells}
    assert "Settings ▸ Money" in tips["$150"]
    assert all(tip is None for text, tip in tips.items() if text.startswith("€"))
