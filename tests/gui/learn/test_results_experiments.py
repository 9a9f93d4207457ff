"""Results ▸ Experiments with pytest-qt on a hand-made workspace: the section shows each
strategy against the holdout and each other (the service's figures), a row opens its
customers, New experiment… starts one through the dialog (filled in with the mouse and
keyboard), and End experiment ends it (asked first)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from sqlalchemy import text

from app.gui.results_source import WorkspaceResultsSource
from app.workspace import Workspace
from services.alerts.experiment_records import ExperimentChoices, ExperimentSpec
from services.alerts.experiments import start_experiment
from services.learn.experiments import experiments_report
from services.learn.wording import rate
from tests.unit.alerts.test_alerts_rules import at
from tests.unit.learn.test_experiments import TWO, book, email_everyone, workspace
from views.results.experiment_dialog import NewExperimentDialog
from views.results.experiments import EMPTY_TEXT, ExperimentsSection
from views.results.pane import ResultsPane

TIMEOUT_MS = 60_000


@pytest.fixture
def filled(tmp_path: Path) -> Iterator[Workspace]:
    with workspace(tmp_path) as ws:
        book(ws.engine, contacted=90, held=45)
        yield ws


def _section(qtbot, jobs, ws: Workspace) -> ExperimentsSection:  # type: ignore[no-untyped-def]
    section = ExperimentsSection(jobs)
    qtbot.addWidget(section)
    section.resize(1300, 700)
    section.set_source(WorkspaceResultsSource(ws))
    section.reload(None, None)
    qtbot.waitUntil(lambda: section.report is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    return section


def test_the_section_shows_the_service_figures_and_opens_customers(qtbot, jobs, filled) -> None:  # type: ignore[no-untyped-def]
    spec = ExperimentSpec("Tone test", "tone", TWO, ("gone_quiet",), ("medium",), seed=3)
    start_experiment(filled.engine, spec, now=at(41))
    email_everyone(filled.engine)
    section = _section(qtbot, jobs, filled)
    section.show()
    (result,) = experiments_report(filled.engine).experiments
    assert section.verdict_label.text() == result.comparison.verdict
    assert section.verdict_label.text().startswith("No winner yet: ")
    assert section.strategy_model.rowCount() == 3  # two strategies and the holdout
    model = section.strategy_model
    for row, figures in enumerate(result.comparison.strategies):
        assert model.index(row, 0).data(Qt.ItemDataRole.DisplayRole) == figures.label
        assert model.index(row, 2).data(Qt.ItemDataRole.DisplayRole) == f"{figures.n:,}"
        assert model.index(row, 4).data(Qt.ItemDataRole.DisplayRole) == rate(figures.rate)
    assert model.index(2, 0).data(Qt.ItemDataRole.DisplayRole) == "Holdout (no outreach)"
    assert section.pair_model.rowCount() == 1
    assert "Bonferroni for 3 comparisons" in section.method_label.text()
    assert "running since" in section.details_label.text().lower()
    with qtbot.waitSignal(section.customers_requested) as opened:
        index = model.index(0, 0)
        rect = section.strategy_table.visualRect(index)
        qtbot.mouseClick(
            section.strategy_table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center()
        )
    assert opened.args[0].customer_ids == frozenset(result.strategies[0].customer_ids)
    assert len(opened.args[0].customer_ids) == result.comparison.strategies[0].n


def test_new_experiment_through_the_dialog_then_end_it(qtbot, jobs, filled) -> None:  # type: ignore[no-untyped-def]
    section = _section(qtbot, jobs, filled)
    section.show()
    assert section.verdict_label.text() == EMPTY_TEXT
    assert not section.end_button.isVisible()
    dialogs: list[NewExperimentDialog] = []

    def fill(choices: ExperimentChoices) -> ExperimentSpec | None:
        dialog = NewExperimentDialog(choices, section)
        qtbot.addWidget(dialog)
        dialogs.append(dialog)
        dialog.show()
        start = dialog.start_button
        qtbot.mouseClick(start, Qt.MouseButton.LeftButton)  # no name yet
        assert dialog.problem_label.text() == "Give the experiment a name."
        qtbot.keyClicks(dialog.name_edit, "Warm or concise")
        boxes = {b.property("key"): b for b in dialog.strategy_boxes}
        assert [b.isChecked() for b in dialog.strategy_boxes][:2] == [True, True]
        for box in dialog.strategy_boxes:
            box.setChecked(False)
        qtbot.mouseClick(start, Qt.MouseButton.LeftButton)
        assert dialog.problem_label.text() == "Choose 2 to 6 strategies."
        boxes["warm"].setChecked(True)
        boxes["concise"].setChecked(True)
        for box in dialog.band_boxes:
            box.setChecked(box.property("key") == "medium")
        with qtbot.waitSignal(dialog.accepted):
            qtbot.mouseClick(start, Qt.MouseButton.LeftButton)
        return dialog.spec()

    section.ask_spec = fill
    qtbot.mouseClick(section.new_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: section.report is not None and len(section.report.experiments) == 1,
        timeout=TIMEOUT_MS,
    )
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    (result,) = section.report.experiments  # type: ignore[union-attr]
    assert result.name == "Warm or concise"
    assert [s.label for s in result.strategies] == ["Warm tone", "Concise tone"]
    assert result.bands == ("medium",)
    assert result.assigned == 90  # the outreach arm's alerts waiting, every one assigned
    with filled.engine.connect() as conn:
        audited = conn.execute(
            text("SELECT COUNT(*) FROM audit_events WHERE action = 'alert.experiment_assigned'")
        ).scalar_one()
    assert audited == 90
    assert section.end_button.isVisible()
    asked: list[str] = []
    section.confirm = lambda title, question: asked.append(question) is None
    qtbot.mouseClick(section.end_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: section.report is not None and section.report.experiments[0].ended_at is not None,
        timeout=TIMEOUT_MS,
    )
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    assert asked
    assert asked[0].startswith('End "Warm or concise"?')
    assert not section.end_button.isVisible()
    assert "Ran " in section.details_label.text()


def test_the_dialog_cancel_gives_nothing(qtbot) -> None:  # type: ignore[no-untyped-def]
    tones = (("warm", "Warm tone"), ("concise", "Concise tone"))
    choices = ExperimentChoices(
        kinds=(("tone", "Tone"),), values={"tone": tones},
        rules=(("gone_quiet", "Gone quiet"),), bands=(("medium", "Medium"),),
    )  # fmt: skip
    dialog = NewExperimentDialog(choices)
    qtbot.addWidget(dialog)
    dialog.show()
    buttons = dialog.findChild(QDialogButtonBox)
    with qtbot.waitSignal(dialog.rejected):
        qtbot.mouseClick(
            buttons.button(QDialogButtonBox.StandardButton.Cancel), Qt.MouseButton.LeftButton
        )


def test_the_results_tab_has_the_experiments_tab(qtbot, jobs) -> None:  # type: ignore[no-untyped-def]
    pane = ResultsPane(jobs)
    qtbot.addWidget(pane)
    titles = [pane.tabs.tabText(i) for i in range(pane.tabs.count())]
    assert "Experiments" in titles
    assert any(isinstance(s, ExperimentsSection) for s in pane.sections)
