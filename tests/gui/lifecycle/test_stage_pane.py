"""The customer pane says the customer's lifecycle stage in a chip beside their name, and
which health profile applies in its tip (a real SQLite file, the book of
tests/unit/lifecycle/test_customer_stage.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel

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
    chips = [w for w in pane.findChildren(QLabel) if w.property("chip") == "plain"]
    (stage,) = [c for c in chips if c.text().endswith(" stage")]
    assert stage.text() == "Onboarding stage"
    assert stage.isVisible()
    assert "Health by one profile: this stage has no health weights" in stage.toolTip()
