"""Results ▸ Model check, driven as a user would, on the hand-made book of
tests/support/accuracy_book.py: the section reads the runs through the job runner, shows
the latest checkable run's figures worked out by hand there, draws the AUC and the bias
over the runs, opens a run's customers from its row, and says when the first run will be
checkable when none is yet."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt

from app.gui.results_source import WorkspaceResultsSource
from app.workspace import Workspace, open_workspace
from services.accuracy.report import accuracy_report
from tests.support.accuracy_book import fill_accuracy_book
from views.item_models.customer_filters import CustomerFilter
from views.results.accuracy import AccuracySection
from views.results.sections import section_classes

TIMEOUT_MS = 60_000


@pytest.fixture
def book(workspace_url: str) -> Iterator[tuple[Workspace, dict[str, int]]]:
    ws = open_workspace(workspace_url, backup=False)
    ids = fill_accuracy_book(ws.engine)
    yield ws, ids
    ws.close()


def _section(qtbot, jobs, ws: Workspace) -> AccuracySection:  # type: ignore[no-untyped-def]
    section = AccuracySection(jobs)
    qtbot.addWidget(section)
    section.resize(1300, 700)
    section.show()
    section.set_source(WorkspaceResultsSource(ws))
    section.reload(None, None)
    qtbot.waitUntil(lambda: section.report is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    return section


def test_the_section_is_listed() -> None:
    assert AccuracySection in section_classes()


def test_the_runs_against_what_followed(qtbot, jobs, book) -> None:  # type: ignore[no-untyped-def]
    ws, ids = book
    section = _section(qtbot, jobs, ws)
    # The latest checkable run (as of Apr 1, 2025): AUC 0 against 1.5/9 by recency, orders
    # 4.5 against 4 (+12%), revenue $350 against $170 (+106%), Brier 3.1125/6.
    assert section.tiles["auc"].value.text() == "0.00 (0.17)"
    assert section.tiles["orders_bias"].value.text() == "+12%"
    assert section.tiles["revenue_bias"].value.text() == "+106%"
    assert section.tiles["brier"].value.text() == "0.519"
    assert "Did not beat its baseline on churn" in section.headline_label.text()
    assert "Sep 1, 2025 (the newest order)" in section.subtitle_label.text()
    model = section.model
    assert model.rowCount() == 2
    assert model.index(0, 8).data() == "0.86 (0.78)"
    assert model.index(1, 10).data() == "misses baseline"
    assert "not yet checkable, on Oct 30, 2025" in section.pending_label.text()
    # Two runs: the charts show, a point a run.
    assert section.charts_row.isVisibleTo(section)
    assert [round(y, 4) for _x, y in section.bias_chart.points] == [-0.1, 0.125]
    # The first run's row opens its twelve customers, A to L.
    with qtbot.waitSignal(section.customers_requested, timeout=TIMEOUT_MS) as opened:
        rect = section.table.visualRect(model.index(0, 2))
        qtbot.mouseClick(section.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    chosen = opened.args[0]
    assert isinstance(chosen, CustomerFilter)
    assert chosen.customer_ids == frozenset(ids[x] for x in "ABCDEFGHIJKL")
    assert "(12)" in chosen.title


def test_none_checkable_yet_says_when(qtbot, jobs, book) -> None:  # type: ignore[no-untyped-def]
    ws, ids = book
    section = AccuracySection(jobs)
    qtbot.addWidget(section)
    section.show()
    # As read on Mar 1, 2025: no run's horizon has passed.
    section.show_report(accuracy_report(ws.engine, today=dt.date(2025, 3, 1)))
    assert section.headline_label.text() == (
        f"No scoring run has passed its horizon yet: the first, run {ids['run 2025-01-01']} "
        "as of Jan 1, 2025, can be checked on Apr 1, 2025."
    )
    assert not section.tiles_row.isVisibleTo(section)
    assert not section.table_card.isVisibleTo(section)
    assert not section.charts_row.isVisibleTo(section)
    assert "not yet checkable, on Apr 1, 2025" in section.pending_label.text()
