"""Results' Playbook breakdown in the window, on the measured demo whose
emails partly went out as a playbook's first step: each playbook is a row against every
held-out customer, and a row without enough data says so."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.workspace import Workspace
from services.learn.effectiveness import effectiveness_report
from tests.gui.learn.test_results import TIMEOUT_MS, measured, show_results, window  # noqa: F401  (the fixtures)
from views.kit.jobs import JobRunner
from views.shell.main_window import MainWindow


def test_the_playbook_breakdown_compares_each_playbook_with_the_held_out(
    qtbot,
    window: MainWindow,  # noqa: F811
    jobs: JobRunner,
    measured: Workspace,  # noqa: F811
) -> None:
    show_results(qtbot, window, jobs)
    pane = window.results
    combo = pane.by_combo
    combo.setCurrentIndex(combo.findData("playbook"))
    assert combo.currentText() == "Playbook"
    qtbot.waitUntil(
        lambda: (
            pane.breakdown() == "playbook"
            and pane.state == "data"
            and jobs.is_idle()
            and any(
                pane.breakdown_model.index(r, 0).data() == "Win-back"
                for r in range(pane.breakdown_model.rowCount())
            )
        ),
        timeout=TIMEOUT_MS,
    )
    report = effectiveness_report(measured.engine, by="playbook")
    model = pane.breakdown_model
    labels = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert labels == [p.label or p.key for p in report.breakdown]
    assert {"Win-back", "Renewal save", "(none)"} <= set(labels)
    held = {p.lift.holdout.customers.count for p in report.breakdown}
    assert held == {report.overall.lift.holdout.customers.count}  # all held out, each row
    assert "got no playbook" in pane.breakdown_note.text()
    headers = [
        model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
        for c in range(model.columnCount())
    ]
    lift = headers.index("Lift")
    for row, part in enumerate(report.breakdown):
        tip = model.index(row, lift).data(Qt.ItemDataRole.ToolTipRole)
        assert ("Not enough data yet" in tip) == (not part.lift.enough)
    window.grab().save("/tmp/pb_results.png")
