"""Results ▸ Retention, driven as a user would, on the hand-made book of
tests/support/retention_book.py: the section reads the year 2025 through the job runner,
shows the figures counted by hand there, opens the customers behind a tile and a table
cell, follows the basis and breakdown picked, and says so when there is nothing to count."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt

from app.gui.results_source import WorkspaceResultsSource
from app.workspace import Workspace, open_workspace
from tests.support.retention_book import SINCE, UNTIL, fill_retention_book
from views.item_models.customer_filters import CustomerFilter
from views.results.retention import RetentionSection
from views.results.sections import section_classes

TIMEOUT_MS = 60_000


@pytest.fixture
def book(workspace_url: str) -> Iterator[tuple[Workspace, dict[str, int]]]:
    ws = open_workspace(workspace_url, backup=False)
    ids = fill_retention_book(ws.engine)
    yield ws, ids
    ws.close()


def _section(qtbot, jobs, ws: Workspace) -> RetentionSection:  # type: ignore[no-untyped-def]
    section = RetentionSection(jobs)
    qtbot.addWidget(section)
    section.resize(1300, 700)
    section.show()
    section.set_source(WorkspaceResultsSource(ws))
    section.reload(SINCE, UNTIL)
    qtbot.waitUntil(lambda: section.report is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    return section


def _reloaded(qtbot, jobs, section: RetentionSection, change) -> None:  # type: ignore[no-untyped-def]
    before = section.report
    change()
    qtbot.waitUntil(lambda: section.report is not before and jobs.is_idle(), timeout=TIMEOUT_MS)


def test_the_section_is_listed() -> None:
    assert RetentionSection in section_classes()


def test_the_year_and_its_months(qtbot, jobs, book) -> None:  # type: ignore[no-untyped-def]
    ws, ids = book
    section = _section(qtbot, jobs, ws)
    # A B C D H I J K at start; A B H I K kept: 62.5%. NRR 480/1,030, GRR 330/1,030.
    assert section.tiles["at_start"].value.text() == "8"
    assert section.tiles["retained"].value.text() == "5"
    assert section.tiles["churned"].value.text() == "3"
    assert section.tiles["nrr"].value.text() == "46.6%"
    assert section.tiles["grr"].value.text() == "32.0%"
    assert "62.5%" in section.headline_label.text()
    assert "read the rates with care" in section.headline_label.text()  # 8 customers
    model = section.model
    assert model.rowCount() == 13  # the year, then its 12 months
    assert model.index(0, 0).data() == "All customers *"
    assert model.index(3, 0).data() == "Mar 2025 *"
    assert model.index(3, 3).data() == "1"  # A lapses in March
    assert "fewer than 20 customers" in section.notes_label.text()
    # The year's churned cell opens C, D and J.
    with qtbot.waitSignal(section.customers_requested, timeout=TIMEOUT_MS) as opened:
        rect = section.table.visualRect(model.index(0, 3))
        qtbot.mouseClick(section.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    chosen = opened.args[0]
    assert isinstance(chosen, CustomerFilter)
    assert chosen.customer_ids == frozenset({ids["C"], ids["D"], ids["J"]})
    assert "churned (3)" in chosen.title


def test_a_tile_and_the_owner_breakdown(qtbot, jobs, book) -> None:  # type: ignore[no-untyped-def]
    ws, ids = book
    section = _section(qtbot, jobs, ws)
    with qtbot.waitSignal(section.customers_requested, timeout=TIMEOUT_MS) as opened:
        qtbot.mouseClick(section.tiles["retained"], Qt.MouseButton.LeftButton)
    assert opened.args[0].customer_ids == frozenset(ids[x] for x in "ABHIK")
    section.by_combo.setCurrentIndex(section.by_combo.findData("owner"))
    labels = [section.model.index(r, 0).data() for r in range(section.model.rowCount())]
    assert labels == ["All customers *", "Leo *", "Maya *"]
    assert section.model.index(2, 4).data() == "50.0%"  # Maya: A B of A B C D
    assert section.table_title.text() == "Retention by owner"
    with qtbot.waitSignal(section.customers_requested, timeout=TIMEOUT_MS) as opened:
        rect = section.table.visualRect(section.model.index(1, 2))
        qtbot.mouseClick(section.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args[0].customer_ids == frozenset(ids[x] for x in "HIK")
    assert opened.args[0].title.startswith("Leo: ")


def test_the_subscription_basis(qtbot, jobs, book) -> None:  # type: ignore[no-untyped-def]
    ws, _ids = book
    section = _section(qtbot, jobs, ws)
    combo = section.basis_combo
    _reloaded(qtbot, jobs, section, lambda: combo.setCurrentIndex(combo.findData("subscriptions")))
    # L M B K at start, L and B kept; $161.67 a month at the start, $40 at the end.
    assert section.report is not None
    assert section.report.basis == "subscriptions"
    assert section.tiles["at_start"].value.text() == "4"
    assert section.tiles["retained"].value.text() == "2"
    assert section.tiles["nrr"].value.text() == "24.7%"


def test_an_empty_workspace_says_so(qtbot, jobs, workspace_url: str) -> None:  # type: ignore[no-untyped-def]
    ws = open_workspace(workspace_url, backup=False)
    try:
        section = _section(qtbot, jobs, ws)
    finally:
        ws.close()
    assert "No paid orders in this workspace yet" in section.headline_label.text()
    assert section.tiles_row.isHidden()
    assert section.table_card.isHidden()


def test_the_results_pane_has_a_retention_tab(qtbot, jobs) -> None:  # type: ignore[no-untyped-def]
    from views.results.pane import ResultsPane

    pane = ResultsPane(jobs)
    qtbot.addWidget(pane)
    titles = [pane.tabs.tabText(i) for i in range(pane.tabs.count())]
    assert "Retention" in titles
    assert any(isinstance(s, RetentionSection) for s in pane.sections)
