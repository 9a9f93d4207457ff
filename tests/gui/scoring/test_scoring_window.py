"""Score now in the window, on a real demo workspace: the table gains the score
columns, the detail shows score tiles, drivers and the score history; a second run
with another as-of date brings trend arrows; cancel and failure leave nothing behind.

Scoring a few hundred customers takes seconds (model fits): the runs here are few.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QPushButton

from app.gui.context import WindowContext
from app.gui.customers_source import WorkspaceCustomerSource
from app.gui.scoring_controller import (
    CANCELLED_MESSAGE,
    FAILED_MESSAGE,
    ScoringController,
    in_window_words,
)
from app.workspace import Workspace, open_workspace, to_url
from models.errors import UserFacingError
from services.core.records import ScoringSummary
from tests.gui.conftest import RecordingPresenter
from views.item_models.customer_table_data import (
    COLUMN_INDEX,
    COLUMNS,
    SCORE_COLUMNS,
    SCORED_VISUAL_ORDER,
)
from views.kit.jobs import JobRunner
from views.kit.theme import ThemeManager
from views.kit.tiles import DOWN, UP
from views.scoring.dialog import ScoringParameters
from views.shell.main_window import MainWindow

SCORING_TIMEOUT_MS = 600_000  # a shared 2-core machine can be slow to fit the models
TODAY = dt.datetime.now(dt.UTC).date()


class Asker:
    """Answers the Score now dialog: remembers the defaults offered, returns an answer."""

    def __init__(self) -> None:
        self.offered: list[ScoringParameters] = []
        self.answer: ScoringParameters | None = None

    def __call__(self, defaults: ScoringParameters) -> ScoringParameters | None:
        self.offered.append(defaults)
        return self.answer


def make_window(
    qtbot, jobs: JobRunner, theme: ThemeManager, settings: QSettings, workspace: Workspace
) -> tuple[MainWindow, ScoringController, Asker]:
    window = MainWindow(jobs, theme, settings)
    qtbot.addWidget(window)
    asker = Asker()
    controller = ScoringController(
        WindowContext(jobs, window, lambda: workspace),
        theme,
        ask_parameters=asker,
        today=lambda: TODAY,
    )
    window.resize(1400, 860)
    window.set_source(WorkspaceCustomerSource(workspace))
    window.show()
    return window, controller, asker


def settled(window: MainWindow, jobs: JobRunner) -> bool:
    """Nothing left to do: the table's background preparation (started a moment after
    each load) is done too, so no work is in flight when the test ends."""
    table = window.customers_pane.model.table
    return (table.size == 0 or table.prepared) and jobs.is_idle()


def wait_loaded(qtbot, window: MainWindow, jobs: JobRunner) -> None:
    qtbot.waitUntil(
        lambda: window.detail_pane.detail is not None and settled(window, jobs), timeout=30_000
    )


def score_through_the_menu(
    qtbot, window: MainWindow, controller: ScoringController, asker: Asker, as_of: dt.date
) -> ScoringSummary:
    asker.answer = ScoringParameters(as_of, 90)
    with qtbot.waitSignal(controller.scoring_finished, timeout=SCORING_TIMEOUT_MS) as done:
        window.menus.score_action.trigger()
        # The run is under way: a cancellable progress dialog, Score now disabled.
        qtbot.waitUntil(lambda: controller.running, timeout=10_000)
        assert controller.progress_dialog is not None
        assert controller.progress_dialog.isVisible()
        assert not window.menus.score_action.isEnabled()
    summary = done.args[0]
    assert isinstance(summary, ScoringSummary)
    return summary


def runs_in(path: Path) -> int:
    with sqlite3.connect(path) as con:
        return int(con.execute("SELECT COUNT(*) FROM scoring_runs").fetchone()[0])


def visible_titles(window: MainWindow) -> list[str]:
    table = window.customers_pane.table
    header = table.horizontalHeader()
    model = window.customers_pane.model
    return [
        model.headerData(header.logicalIndex(v), Qt.Orientation.Horizontal)
        for v in range(header.count())
    ]


def test_score_now_fills_the_table_and_the_detail_then_trends_follow(
    qtbot,
    jobs: JobRunner,
    theme: ThemeManager,
    ui_settings: QSettings,
    demo_workspace: Workspace,
    demo_copy: Path,
) -> None:
    window, controller, asker = make_window(qtbot, jobs, theme, ui_settings, demo_workspace)
    wait_loaded(qtbot, window, jobs)
    pane, detail = window.customers_pane, window.detail_pane

    # Before any scoring: no score columns, and both panes say how to get them.
    assert pane.model.columnCount() == len(COLUMNS)
    assert pane.score_hint.isVisible()
    assert "Score now" in pane.score_hint.text()
    assert detail.score_hint.isVisible()
    assert not detail.score_strip.isVisible()
    assert window.menus.score_action.shortcut().toString() == "Ctrl+R"

    # First run, through Scoring ▸ Score now: the dialog offered today and the
    # workspace's horizon; the status bar gives the summary.
    first = score_through_the_menu(qtbot, window, controller, asker, TODAY - dt.timedelta(40))
    assert asker.offered[0] == ScoringParameters(TODAY, 90)
    assert first.customers > 250
    assert first.auc is not None
    assert first.brier is not None
    message = window.statusBar().currentMessage()
    assert f"Scored {first.customers:,} customers" in message
    assert f"ROC AUC {first.auc:.2f}" in message
    assert f"Brier {first.brier:.3f}" in message
    assert controller.progress_dialog is None
    assert window.menus.score_action.isEnabled()

    # The table reloads with the score columns, next to the name, sorted by the money at
    # stake; the detail reloads with tiles, chips and drivers.
    qtbot.waitUntil(lambda: pane.model.scored and settled(window, jobs), timeout=30_000)
    assert pane.model.columnCount() == len(COLUMNS) + len(SCORE_COLUMNS)
    assert not pane.score_hint.isVisible()
    titles = visible_titles(window)
    by_key = {c.key: c.title for c in COLUMNS + SCORE_COLUMNS}
    assert titles == [by_key[k] for k in SCORED_VISUAL_ORDER]
    assert pane.model.sort_column == COLUMN_INDEX["revenue_at_risk"]
    at_risk = pane.model.column_values("revenue_at_risk")
    assert list(at_risk[:20]) == sorted(at_risk[:20], reverse=True)
    assert at_risk[0] > 0
    risk = pane.model.index(0, COLUMN_INDEX["churn_risk"]).data()
    assert risk.endswith("%")
    assert 0 <= int(risk.strip("<>%")) <= 100
    segment = pane.model.index(0, COLUMN_INDEX["segment"]).data()
    assert segment
    assert segment != "—"

    qtbot.waitUntil(lambda: detail.scores is not None, timeout=30_000)
    scores = detail.scores
    assert scores is not None
    assert scores.as_of == first.as_of
    assert scores.previous is None
    assert detail.score_strip.isVisible()
    assert not detail.score_hint.isVisible()
    risk_tile = detail.score_strip.tiles["churn_risk"]
    assert risk_tile.value.full_text() == f"{scores.churn_risk * 100:.0f}%" or (
        risk_tile.value.full_text() in ("<1%", ">99%")
    )
    assert risk_tile.note.full_text() == "no order in 90 days"  # nothing to compare yet
    assert all(t is None for t in detail.score_strip.trends.values())
    assert 1 <= len(detail.drivers_panel.shown) <= 3
    shown_rows = [r for r in detail.drivers_panel.rows if r.isVisible()]
    assert len(shown_rows) == len(detail.drivers_panel.shown)
    for row, driver in zip(shown_rows, detail.drivers_panel.shown, strict=True):
        assert row.arrow.text() == (UP if driver.direction == "risk" else DOWN)
        assert row.bar.weight == pytest.approx(min(max(driver.weight, 0.0), 1.0))
        assert row.text.full_text().lower() == driver.text.lower()
    chart = detail.history_chart
    assert chart is not None
    assert chart.point_counts["churn_risk"] == 1

    # Second run, as of today: the same customer now has a previous snapshot, and the
    # tiles show arrows coloured by whether the move is good or bad.
    customer_id = detail.detail.id if detail.detail is not None else None
    second = score_through_the_menu(qtbot, window, controller, asker, TODAY)
    assert second.run_id != first.run_id
    assert runs_in(demo_copy) == 2
    qtbot.waitUntil(
        lambda: (
            detail.scores is not None
            and detail.scores.as_of == TODAY
            and detail.detail is not None
            and detail.detail.id == customer_id
            and settled(window, jobs)
        ),
        timeout=30_000,
    )
    scores = detail.scores
    assert scores is not None
    assert scores.previous is not None
    assert scores.previous.as_of == first.as_of
    for key, move in detail.score_strip.trends.items():
        assert move is not None, key
    risk_move = detail.score_strip.trends["churn_risk"]
    assert risk_move is not None
    delta = (scores.churn_risk or 0) - (scores.previous.churn_risk or 0)
    if abs(delta) >= 0.005:
        # Risk up is bad (red), risk down good (green).
        assert risk_move.direction == ("up" if delta > 0 else "down")
        assert risk_move.tone == ("critical" if delta > 0 else "positive")
        assert risk_tile.note.property("tone") == risk_move.tone
        assert risk_tile.note.full_text().startswith(UP if delta > 0 else DOWN)
        assert f"since {first.as_of:%b} {first.as_of.day}" in risk_tile.note.full_text()
    health_move = detail.score_strip.trends["health_score"]
    health_delta = (scores.health_score or 0) - (scores.previous.health_score or 0)
    if health_move is not None and abs(health_delta) >= 0.5:
        # Health up is good.
        assert health_move.tone == ("positive" if health_delta > 0 else "critical")
    assert chart.point_counts == {"churn_risk": 2, "health_score": 2, "engagement_score": 2}


def test_the_pane_hint_asks_for_scoring_and_a_cancel_keeps_the_workspace_as_it_was(
    qtbot,
    jobs: JobRunner,
    theme: ThemeManager,
    ui_settings: QSettings,
    demo_workspace: Workspace,
    demo_copy: Path,
) -> None:
    window, controller, asker = make_window(qtbot, jobs, theme, ui_settings, demo_workspace)
    wait_loaded(qtbot, window, jobs)
    asker.answer = ScoringParameters(TODAY, 120)
    # "Score now" in the table's hint starts the same flow as the menu.
    with qtbot.waitSignal(controller.scoring_progressed, timeout=30_000):
        window.customers_pane.score_hint.linkActivated.emit("score")
    assert controller.running
    assert asker.offered == [ScoringParameters(TODAY, 90)]
    dialog = controller.progress_dialog
    assert dialog is not None
    assert dialog.isVisible()
    cancel = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Cancel")
    with qtbot.waitSignal(controller.scoring_cancelled, timeout=SCORING_TIMEOUT_MS):
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: settled(window, jobs), timeout=30_000)
    assert runs_in(demo_copy) == 0
    assert window.statusBar().currentMessage() == CANCELLED_MESSAGE
    assert controller.progress_dialog is None
    assert window.menus.score_action.isEnabled()
    assert not window.customers_pane.model.scored


def test_cancel_as_soon_as_it_starts_stores_nothing(
    qtbot,
    jobs: JobRunner,
    theme: ThemeManager,
    ui_settings: QSettings,
    demo_workspace: Workspace,
    demo_copy: Path,
) -> None:
    window, controller, _asker = make_window(qtbot, jobs, theme, ui_settings, demo_workspace)
    wait_loaded(qtbot, window, jobs)
    # Cancelled at the first progress report: the service stops at its next step.
    controller.scoring_progressed.connect(lambda *_args: controller.cancel())
    finished: list[object] = []
    controller.scoring_finished.connect(finished.append)
    with qtbot.waitSignal(controller.scoring_cancelled, timeout=SCORING_TIMEOUT_MS):
        controller.start(ScoringParameters(TODAY, 90))
    qtbot.waitUntil(lambda: settled(window, jobs), timeout=30_000)
    assert finished == []
    assert runs_in(demo_copy) == 0


@pytest.mark.presents_errors
def test_scoring_an_empty_workspace_says_why_in_plain_words(
    qtbot,
    jobs: JobRunner,
    presenter: RecordingPresenter,
    theme: ThemeManager,
    ui_settings: QSettings,
    tmp_path: Path,
) -> None:
    workspace = open_workspace(to_url(str(tmp_path / "empty.radar.sqlite")), backup=False)
    try:
        window, controller, asker = make_window(qtbot, jobs, theme, ui_settings, workspace)
        qtbot.waitUntil(lambda: settled(window, jobs), timeout=30_000)
        assert not window.customers_pane.score_hint.isVisible()  # nothing to score yet
        asker.answer = ScoringParameters(TODAY, 90)
        with qtbot.waitSignal(controller.scoring_failed, timeout=SCORING_TIMEOUT_MS) as failed:
            window.menus.score_action.trigger()
        qtbot.waitUntil(lambda: settled(window, jobs), timeout=30_000)
        (error,) = presenter.take()
        assert error is failed.args[0]
        assert isinstance(error, UserFacingError)
        text = str(error)
        assert "no paid orders" in text
        assert "--" not in text
        assert "Traceback" not in text
        assert window.statusBar().currentMessage() == FAILED_MESSAGE
        assert controller.progress_dialog is None
        assert window.menus.score_action.isEnabled()
        assert runs_in(tmp_path / "empty.radar.sqlite") == 0
    finally:
        workspace.close()


def test_command_line_words_become_window_words() -> None:
    error = in_window_words(UserFacingError("Nothing to score. Choose a later --as-of date."))
    assert str(error) == "Nothing to score. Choose a later as-of date."
    other = ValueError("a bug")
    assert in_window_words(other) is other
