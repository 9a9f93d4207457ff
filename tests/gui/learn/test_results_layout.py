"""The Results tab at 1366x768: the breakdown table gives each column the room
its header and figures need, the name column (the rule, segment or owner) takes the rest
on one line, a long name elided with the whole of it in its tooltip, and each group's
rate reads with its size ("33.8% of 65") instead of two columns both headed "Rate"."""

from __future__ import annotations

import os

from PySide6.QtCore import Qt

from app.workspace import Workspace
from views.kit.jobs import JobRunner
from views.kit.theme import ThemeManager
from views.shell.main_window import MainWindow

from .test_results import measured, report_of, show_results, window

__all__ = ["measured", "window"]  # the fixtures, shared with test_results.py


def test_the_breakdown_table_gives_its_columns_room(
    qtbot, window: MainWindow, jobs: JobRunner, measured: Workspace, theme: ThemeManager
) -> None:
    show_results(qtbot, window, jobs)
    pane = window.results
    table = pane.breakdown_table
    model = pane.breakdown_model
    qtbot.waitUntil(lambda: model.rowCount() > 0, timeout=60_000)
    if os.environ.get("RESULTS_SHOT"):  # a look by eye: RESULTS_SHOT=/tmp/results
        for mode in ("light", "dark"):
            theme.set_mode(mode)
            window.grab().save(f"{os.environ['RESULTS_SHOT']}-{mode}.png")
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers[:6] == ["", "Contacted", "Held out", "Lift", "95% CI", "Won back"]
    report = report_of(measured)
    gone_quiet = next(p for p in report.breakdown if p.key == "gone_quiet")
    row = [p.key for p in report.breakdown].index("gone_quiet")
    contacted = gone_quiet.lift.contacted
    assert model.index(row, 1).data() == (
        f"{contacted.rate * 100:.1f}% of {contacted.customers.count:,}"
    )
    header = table.horizontalHeader()
    metrics = table.fontMetrics()
    for column in range(1, model.columnCount()):
        needed = max(
            metrics.horizontalAdvance(str(model.index(r, column).data() or ""))
            for r in range(model.rowCount())
        )
        needed = max(needed, header.fontMetrics().horizontalAdvance(headers[column]))
        assert header.sectionSize(column) >= needed + 12, headers[column]
    # One line per row, with room around it; the names whole at this size.
    assert not table.wordWrap()
    assert table.textElideMode() == Qt.TextElideMode.ElideRight
    assert table.rowHeight(0) >= metrics.height() + 10
    names = [str(model.index(r, 0).data()) for r in range(model.rowCount())]
    assert header.sectionSize(0) >= max(metrics.horizontalAdvance(n) for n in names) + 12
    assert [model.index(r, 0).data(Qt.ItemDataRole.ToolTipRole) for r in range(len(names))] == (
        names
    )
