"""The customer pane says the customer's lifecycle stage and which health profile applies
(a real SQLite file, the book of tests/unit/lifecycle/test_customer_stage.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.gui.customers_source import WorkspaceCustomerSource
from app.workspace import Workspace, open_workspace, to_url
from tests.unit.lifecycle.test_customer_stage import fill
from views.customers.detail_pane import CustomerDetailPane
from views.kit.jobs import JobRunner
from views.kit.theme import ThemeManager

TIMEOUT_MS = 30_000


@pytest.fixture
def book(tmp_path: Path) -> Iterator[tuple[Workspace, dict[str, int]]]:
    ws = open_workspace(to_url(str(tmp_path / "stages.radar.sqlite")), backup=False)
    ids = fill(ws.engine)
    yield ws, ids
    ws.close()


def test_the_pane_says_the_stage_and_the_health_profile(
    qtbot, theme: ThemeManager, jobs: JobRunner, book
) -> None:  # type: ignore[no-untyped-def]
    ws, ids = book
    pane = CustomerDetailPane(jobs, load_at_once=True)
    qtbot.addWidget(pane)
    pane.resize(900, 900)
    pane.show()
    pane.set_source(WorkspaceCustomerSource(ws, user=lambda: "me", owner_name=lambda: "Me"))
    pane.show_customer(ids["new"])
    qtbot.waitUntil(lambda: pane.detail is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    text = pane.account_label.text()
    assert "Onboarding stage · health by one profile" in text
    assert "no health weights of its own" in pane.account_label.toolTip()
