"""The Results tab's "Time to action" tiles on the measured demo: they show the figures
services.learn.response computes, and a tile opens the customers of the alerts it counts."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.workspace import Workspace
from services.learn.response import duration_text, response_report, share_text
from tests.gui.learn.test_results import (
    TIMEOUT_MS,
    measured,
    show_results,
    shown_ids,
    window,
)
from views.kit.jobs import JobRunner
from views.shell.main_window import TAB_CUSTOMERS, MainWindow

__all__ = ["measured", "window"]  # fixtures used by name


def test_the_tiles_match_the_service_and_open_their_customers(
    qtbot, window: MainWindow, jobs: JobRunner, measured: Workspace
) -> None:
    show_results(qtbot, window, jobs)
    tiles = window.results.response_tiles
    qtbot.waitUntil(lambda: tiles.report is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    expected = response_report(measured.engine).overall
    assert expected.alerts > 0
    assert tiles.isVisible()
    first = tiles.tiles["first"]
    assert first.value.full_text() == duration_text(expected.first_action_median)
    assert f"80% within {duration_text(expected.first_action_p80)}" in first.note.full_text()
    assert tiles.tiles["within"].value.full_text() == share_text(expected.within_share)
    assert tiles.tiles["resolved"].value.full_text() == duration_text(expected.resolution_median)
    window.results.grab().save("/tmp/results_response.png")

    qtbot.mouseClick(tiles.tiles["first"], Qt.MouseButton.LeftButton)
    assert window.tabs.currentIndex() == TAB_CUSTOMERS
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    report = response_report(measured.engine)
    assert shown_ids(window) == list(report.customer_ids(report.overall.acted_ids))


def test_the_table_breaks_it_down_and_a_row_opens_its_customers(
    qtbot, window: MainWindow, jobs: JobRunner, measured: Workspace
) -> None:
    show_results(qtbot, window, jobs)
    tiles = window.results.response_tiles
    qtbot.waitUntil(lambda: tiles.report is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    report = response_report(measured.engine)
    for index, group in enumerate(("owner", "rule", "month")):
        tiles.by_combo.setCurrentIndex(index)
        assert tiles.group() == group
        parts = report.groups[group]
        assert tiles.model.rowCount() == len(parts)
        key, part = next(iter(parts.items()))
        model = tiles.model
        assert model.data(model.index(0, 0)) == report.key_label(group, key)
        assert model.data(model.index(0, 2)) == duration_text(part.first_action_median)
    tiles.by_combo.setCurrentIndex(0)
    key, part = next(iter(report.groups["owner"].items()))
    table = tiles.table
    rect = table.visualRect(table.model().index(0, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.tabs.currentIndex() == TAB_CUSTOMERS
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    assert shown_ids(window) == list(report.customer_ids(part.acted_ids))
