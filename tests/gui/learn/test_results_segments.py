"""Results ▸ Segments, driven as a user would: the section reads the hand-made book of
tests/support/segments_book.py through the job runner, draws each segment's figure per run
with the settings-change mark, lists the trends, picks two runs for the migration matrix,
and opens a cell's customers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.gui.results_source import WorkspaceResultsSource
from app.workspace import Workspace, open_workspace
from services.learn.segments_over_time import NOT_SCORED
from tests.support.segments_book import BOOK, fill_segments_book
from views.item_models.customer_filters import CustomerFilter
from views.results.pane import ResultsPane
from views.results.segments import SegmentsSection

TIMEOUT_MS = 60_000


@pytest.fixture
def book(workspace_url: str) -> Iterator[tuple[Workspace, dict[str, Any]]]:
    ws = open_workspace(workspace_url, backup=False)
    ids = fill_segments_book(ws.engine)
    yield ws, ids
    ws.close()


def _section(qtbot, jobs, ws: Workspace) -> SegmentsSection:  # type: ignore[no-untyped-def]
    section = SegmentsSection(jobs)
    qtbot.addWidget(section)
    section.resize(1300, 700)
    section.show()
    section.set_source(WorkspaceResultsSource(ws))
    section.reload(None, None)
    qtbot.waitUntil(lambda: section.matrix is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    return section


def test_the_chart_and_trends_follow_the_runs(qtbot, jobs, book) -> None:  # type: ignore[no-untyped-def]
    ws, _ids = book
    section = _section(qtbot, jobs, ws)
    assert "3 scorings" in section.status_label.text()
    assert section.chart.points("Champions") == [2.0, 1.0, 0.0]
    assert section.chart.points("Lost") == [1.0, 2.0, 1.0]
    assert section.chart.config_mark_count == 1  # settings v4 before the third run
    assert "Settings changed" in section.chart.legend_text
    # Another figure: the mean churn risk in %.
    section.figure_combo.setCurrentIndex(section.figure_combo.findData("mean_churn_risk"))
    assert section.chart.points("At Risk") == pytest.approx([70.0, 60.0, 60.0])
    # The value is named with the latest run's T (24 months in the book's third run).
    texts = [section.figure_combo.itemText(i) for i in range(section.figure_combo.count())]
    assert "24-month value" in texts
    header = section.trends_model.headerData(4, Qt.Orientation.Horizontal)
    assert header == "Mean 24-month value"
    rows = {r[0]: r for r in section.trends_model.rows}
    assert rows["Champions"][1]["customers"] == 2
    assert rows["Champions"][2]["customers"] == 0
    change = section.trends_model.index(list(rows).index("Champions"), 2).data()
    assert change == "-100%"


def test_the_migration_matrix_opens_a_cells_customers(qtbot, jobs, book) -> None:  # type: ignore[no-untyped-def]
    ws, ids = book
    section = _section(qtbot, jobs, ws)
    # The last two runs by default.
    matrix = section.matrix
    assert matrix is not None
    assert (matrix.earlier.run_id, matrix.later.run_id) == (ids["runs"][1], ids["runs"][2])
    # Pick the first and the second run.
    section.earlier_combo.setCurrentIndex(0)
    section.later_combo.setCurrentIndex(1)
    qtbot.waitUntil(
        lambda: (
            section.matrix is not None
            and section.matrix.earlier.run_id == ids["runs"][0]
            and section.matrix.later.run_id == ids["runs"][1]
        ),
        timeout=TIMEOUT_MS,
    )
    model = section.matrix_model
    row = section.matrix.rows.index("Champions")
    column = section.matrix.columns.index("Loyal")
    index = model.index(row, column)
    assert index.data() == "1 · $30"  # b: Champions → Loyal, $30 predicted now
    assert model.headerData(row, Qt.Orientation.Vertical) == "Champions (2)"
    assert section.matrix.columns[-1] == NOT_SCORED or "New" in section.matrix.columns
    assert "2 stayed" in section.migration_label.text()
    with qtbot.waitSignal(section.customers_requested, timeout=TIMEOUT_MS) as opened:
        rect = section.matrix_table.visualRect(index)
        qtbot.mouseClick(
            section.matrix_table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center()
        )
    chosen = opened.args[0]
    assert isinstance(chosen, CustomerFilter)
    assert chosen.customer_ids == frozenset({ids["customers"]["b"]})
    assert "Champions" in chosen.title
    assert "Loyal" in chosen.title
    # A new customer of the second run: Not scored → New.
    new = model.index(section.matrix.rows.index(NOT_SCORED), section.matrix.columns.index("New"))
    assert new.data().startswith("1 ·")
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)


def test_the_trend_row_opens_the_segment(qtbot, jobs, book) -> None:  # type: ignore[no-untyped-def]
    ws, _ids = book
    section = _section(qtbot, jobs, ws)
    at = [r[0] for r in section.trends_model.rows].index("At Risk")
    index = section.trends_model.index(at, 0)
    with qtbot.waitSignal(section.customers_requested, timeout=TIMEOUT_MS) as opened:
        rect = section.trends_table.visualRect(index)
        qtbot.mouseClick(
            section.trends_table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center()
        )
    chosen = opened.args[0]
    assert chosen.segments == frozenset({"At Risk"})
    last = sum(1 for per in BOOK.values() if per[2] is not None and per[2][0] == "At Risk")
    assert f"({last:,})" in chosen.title


def test_the_pane_has_a_segments_tab(qtbot, jobs) -> None:  # type: ignore[no-untyped-def]
    pane = ResultsPane(jobs)
    qtbot.addWidget(pane)
    titles = [pane.tabs.tabText(i) for i in range(pane.tabs.count())]
    assert "Segments" in titles
    assert any(isinstance(s, SegmentsSection) for s in pane.sections)


def test_no_runs_says_so(qtbot, jobs, workspace_url: str) -> None:  # type: ignore[no-untyped-def]
    ws = open_workspace(workspace_url, backup=False)
    try:
        section = SegmentsSection(jobs)
        qtbot.addWidget(section)
        section.set_source(WorkspaceResultsSource(ws))
        section.reload(None, None)
        qtbot.waitUntil(lambda: section.report is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
        assert section.status_label.text().startswith("Not scored yet")
        assert section.chart.empty_text == "Not scored yet"
        assert section.matrix_model.rowCount() == 0
    finally:
        ws.close()
