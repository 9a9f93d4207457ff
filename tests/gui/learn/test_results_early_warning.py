"""Results ▸ Early warning: the section opens the kept replay at once (figures, verdict,
chart, suggestions), Replay again runs through the job runner and keeps the new replay,
and Apply suggested thresholds writes the settings (asked first) and Undo puts them back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from sqlalchemy.orm import Session

from app.gui.early_warning_source import WorkspaceEarlyWarningSource
from app.workspace import Workspace, open_workspace
from services.learn.alert_replay import last_replay, replay_alerts, save_replay
from services.settings import get_setting
from tests.unit.learn.test_alert_replay import END, HISTORY, _fill
from views.charts.lead_time_chart import lead_buckets
from views.results.early_warning import EarlyWarningSection

TIMEOUT_MS = 120_000


@pytest.fixture
def workspace(workspace_url: str) -> Iterator[Workspace]:
    _fill(workspace_url, list(HISTORY))
    ws = open_workspace(workspace_url, backup=False)
    yield ws
    ws.close()


@pytest.fixture
def kept(workspace: Workspace) -> object:
    report = replay_alerts(workspace.engine, weeks=8, today=END, budget=1)
    save_replay(workspace.engine, report, actor="test")
    return report


def _section(qtbot, jobs, workspace: Workspace) -> EarlyWarningSection:  # type: ignore[no-untyped-def]
    section = EarlyWarningSection(jobs)
    qtbot.addWidget(section)
    section.resize(1300, 700)
    section.set_source(WorkspaceEarlyWarningSource(workspace))
    qtbot.waitUntil(lambda: section.report is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    return section


def test_the_section_opens_the_kept_replay(qtbot, jobs, workspace, kept) -> None:  # type: ignore[no-untyped-def]
    section = _section(qtbot, jobs, workspace)
    report = section.report
    assert report == kept
    assert not section.isHidden()
    # The verdict at the configured volume, then within the weekly budget (1 here), each
    # followed by the comparison with Lapse coming's notice (when the horizon leaves one).
    said = (kept.verdict, kept.notice_verdict, kept.budget_verdict, kept.budget_notice_verdict,
            kept.worth_words)  # fmt: skip
    assert section.verdict_label.text() == "\n".join(filter(None, said))
    # What a lapse warning must be worth, and where its floor comes from.
    assert "Lapse warnings are raised from a" in section.verdict_label.text()
    assert "than the recency rule" in section.verdict_label.text()
    assert "Within a budget of 1 alert per owner a week" in section.verdict_label.text()
    # Risk rules, each rule, the recency rule (and with notice), and the win-back alerts in a
    # row of their own.
    notice = kept.recency_notice is not None
    assert section.figures_model.rowCount() == 3 + notice + len(kept.rules)
    model = section.figures_model
    last = model.index(2 + notice + len(kept.rules), 0).data(Qt.ItemDataRole.DisplayRole)
    assert last == "Win-back (already lapsed)"
    if notice:
        row = model.index(1 + notice + len(kept.rules), 0).data(Qt.ItemDataRole.DisplayRole)
        assert row == f"Recency rule, {kept.notice_days}+ days left"
    first = section.figures_model.index(0, 0).data(Qt.ItemDataRole.DisplayRole)
    assert first == "All risk rules"
    recall = section.figures_model.index(0, 3).data(Qt.ItemDataRole.DisplayRole)
    assert recall == f"{kept.overall.recall:.0%}"
    assert section.chart.counts() == {
        "app": lead_buckets(kept.overall.lead_days),
        "recency": lead_buckets(kept.recency.lead_days),
    }
    assert "Replayed" in section.status_label.text()
    assert "changed since" not in section.status_label.text()  # computed on today's data
    assert section.suggestions_model.rowCount() == len(kept.suggestions)
    assert "for 1 alert per owner" in section.budget_label.text()


def test_replay_again_runs_through_the_runner(qtbot, jobs, workspace, kept) -> None:  # type: ignore[no-untyped-def]
    section = _section(qtbot, jobs, workspace)
    section.weeks = 3
    before = section.report.computed_at  # type: ignore[union-attr]
    qtbot.mouseClick(section.replay_button, Qt.MouseButton.LeftButton)
    assert not section.replay_button.isEnabled()  # running
    qtbot.waitUntil(
        lambda: (
            section.report is not None and section.report.computed_at != before and jobs.is_idle()
        ),
        timeout=TIMEOUT_MS,
    )
    assert section.report.weeks == 3  # type: ignore[union-attr]
    assert section.replay_button.isEnabled()
    assert section.cancel_button.isHidden()
    stored, current = last_replay(workspace.engine)
    assert stored == section.report
    assert current


def test_apply_and_undo_the_suggested_thresholds(qtbot, jobs, workspace, kept) -> None:  # type: ignore[no-untyped-def]
    section = _section(qtbot, jobs, workspace)
    asked: list[str] = []
    section.confirm = lambda title, text: asked.append(text) or True  # type: ignore[func-returns-value]
    wanted = [s for s in kept.suggestions if s.applicable]
    assert wanted
    assert section.apply_button.isEnabled()
    qtbot.mouseClick(section.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: not section.undo_button.isHidden() and jobs.is_idle(), timeout=TIMEOUT_MS
    )
    assert asked
    with Session(workspace.engine) as s:
        for suggestion in wanted:
            assert get_setting(s, suggestion.setting) == suggestion.suggested
    qtbot.mouseClick(section.undo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: section.undo_button.isHidden() and jobs.is_idle(), timeout=TIMEOUT_MS)
    with Session(workspace.engine) as s:
        for suggestion in wanted:
            assert get_setting(s, suggestion.setting) == suggestion.current


def test_no_replay_yet_says_so(qtbot, jobs, workspace) -> None:  # type: ignore[no-untyped-def]
    section = EarlyWarningSection(jobs)
    qtbot.addWidget(section)
    section.set_source(WorkspaceEarlyWarningSource(workspace))
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    assert section.report is None
    assert "Not replayed yet" in section.verdict_label.text()
    assert section.replay_button.text() == "Replay the past year"
    assert not section.apply_button.isEnabled()
    # The chart says nothing was replayed, not that no lapsing customer was warned.
    assert section.chart.summary() == "Not replayed yet"


def test_cancel_stops_the_replay_and_keeps_the_last_one(qtbot, jobs, workspace, kept) -> None:  # type: ignore[no-untyped-def]
    section = _section(qtbot, jobs, workspace)
    section.weeks = 8
    qtbot.mouseClick(section.replay_button, Qt.MouseButton.LeftButton)
    assert not section.cancel_button.isHidden()
    qtbot.mouseClick(section.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: section.replay_button.isEnabled() and jobs.is_idle(), timeout=TIMEOUT_MS
    )
    assert section.report == kept
    assert section.status_label.text().startswith("Replay cancelled.")
    assert last_replay(workspace.engine)[0] == kept  # nothing new kept
