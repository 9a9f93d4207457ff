"""Long work blocks no other screen: the Early-warning replay (minutes on a real book)
runs on the job runner's thread for long analyses, so Settings opens and Ask lists its
saved questions and its provider while it runs; and a screen whose read must wait behind
long work on the database worker (scoring) says what it waits for, not an empty library
or "no provider". The replay here is held running by an Event; the rest is real (the
demo workspace, the settings controller, the Ask pane and its source)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtWidgets import QWidget

from app.gui.ask_source import WorkspaceAskSource
from app.gui.context import WindowContext
from app.gui.early_warning_source import WorkspaceEarlyWarningSource
from app.gui.settings_controller import SettingsController
from app.workspace import Workspace
from services.learn.alert_replay import ReplayCancelled
from services.learn.replay_records import ReplayReport
from views.ask.pane import AskPane
from views.kit.jobs import JobRunner
from views.results.early_warning import EarlyWarningSection
from views.settings.dialog import SettingsDialog

TIMEOUT_MS = 20_000


class HeldReplay(WorkspaceEarlyWarningSource):
    """The real source, but its replay runs until released or cancelled."""

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(workspace)
        self.started, self.release = threading.Event(), threading.Event()

    def load_replay(self) -> tuple[ReplayReport | None, bool]:
        return None, True

    def run_replay(
        self, weeks: int, progress: Callable[[float, str], None], cancelled: Callable[[], bool]
    ) -> ReplayReport:
        self.started.set()
        while not self.release.wait(0.02):
            if cancelled():
                break
        raise ReplayCancelled("The replay was cancelled.")


@pytest.fixture
def release() -> Iterator[threading.Event]:
    event = threading.Event()
    yield event
    event.set()  # whatever the test did: no worker is left waiting


def _screens(
    qtbot, jobs: JobRunner, workspace: Workspace
) -> tuple[SettingsController, list[SettingsDialog], list[str], AskPane]:  # type: ignore[no-untyped-def]
    shown: list[SettingsDialog] = []
    statuses: list[str] = []
    parent = QWidget()
    qtbot.addWidget(parent)
    settings = SettingsController(
        WindowContext(jobs, parent, lambda: workspace),
        user=lambda: "dana.tester",
        show=lambda dialog: shown.append(dialog) or False,  # type: ignore[func-returns-value]
        status=statuses.append,
    )
    pane = AskPane(jobs)
    qtbot.addWidget(pane)
    return settings, shown, statuses, pane


def _ask_ready(pane: AskPane) -> bool:
    return pane.provider is not None and pane.library.model.rowCount() > 0


def test_settings_and_ask_work_while_the_replay_runs(  # type: ignore[no-untyped-def]
    qtbot, jobs: JobRunner, demo_workspace: Workspace
) -> None:
    section = EarlyWarningSection(jobs)
    qtbot.addWidget(section)
    source = HeldReplay(demo_workspace)
    section.set_source(source)
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    settings, shown, statuses, pane = _screens(qtbot, jobs, demo_workspace)
    try:
        section.replay()
        assert source.started.wait(10)
        settings.open()
        pane.set_source(WorkspaceAskSource(demo_workspace))
        pane.reload()
        qtbot.waitUntil(lambda: bool(shown) and _ask_ready(pane), timeout=TIMEOUT_MS)
        assert not section.replay_button.isEnabled()  # still replaying
        assert statuses == []  # nothing to wait for
        assert pane.provider_label.text().startswith("Offline: no provider is set up")
    finally:
        section.cancel()
        source.release.set()
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    assert section.status_label.text().startswith("Replay cancelled.")


def test_a_screen_behind_scoring_says_what_it_waits_for(  # type: ignore[no-untyped-def]
    qtbot, jobs: JobRunner, demo_workspace: Workspace, release: threading.Event
) -> None:
    settings, shown, statuses, pane = _screens(qtbot, jobs, demo_workspace)
    jobs.operation(lambda _state: release.wait(10), what="scoring").run()
    qtbot.waitUntil(lambda: jobs.waiting_for() == "scoring", timeout=TIMEOUT_MS)
    settings.open()
    pane.set_source(WorkspaceAskSource(demo_workspace))
    pane.reload()
    pane.ask("which customers did we lose")
    assert statuses == ["Waiting for scoring to finish; Settings opens then."]
    assert pane.provider_label.text() == (
        "Waiting for scoring to finish; the saved questions and the provider are read then."
    )
    assert pane.answer_view.message_label.text() == (
        "The saved questions and the provider are still being read (waiting for scoring "
        "to finish). Ask again in a moment."
    )
    assert not shown
    release.set()
    qtbot.waitUntil(lambda: bool(shown) and _ask_ready(pane), timeout=TIMEOUT_MS)
    assert jobs.waiting_for() is None
    assert pane.provider_label.text().startswith("Offline: no provider is set up")
