"""Scores stored outside the window (the command line, the daily round, a teammate) are
noticed and offered with one click; the window's own Score now is not offered back
(the application's own controller, a real scored workspace file, a second connection
scoring it as another process would)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt

from app.gui.application import GuiController
from app.workspace import open_workspace, to_url
from services.scoring.run import score_workspace
from tests.gui.importing.test_watched_rescore import controller  # noqa: F401  (the fixture)
from views.scoring.dialog import ScoringParameters

TIMEOUT_MS = 120_000


def _score_elsewhere(path: Path) -> int:
    """Score the workspace file through a connection of its own, as `score` would."""
    other = open_workspace(to_url(str(path)), backup=False)
    try:
        return score_workspace(other.engine).run_id
    finally:
        other.close()


def _poll(qtbot, controller: GuiController) -> object:  # noqa: F811
    watch = controller.score_watch
    with qtbot.waitSignal(watch.checked, timeout=TIMEOUT_MS) as blocker:
        watch.poll()
    return blocker.args[0]


def test_scores_stored_outside_are_offered_and_shown_on_a_click(
    qtbot,
    controller: GuiController,  # noqa: F811
    presented_errors: list[str],
    monkeypatch,
) -> None:
    jobs, watch = controller.jobs, controller.score_watch
    qtbot.waitUntil(lambda: controller.workspace is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: watch.known is not None, timeout=TIMEOUT_MS)
    shown_run = watch.known
    assert watch.timer.isActive()
    # Nothing new: no notice.
    _poll(qtbot, controller)
    assert watch.notice is None

    assert controller.workspace is not None
    path = Path(str(controller.workspace.engine.url.database))
    new_run = _score_elsewhere(path)
    assert new_run != shown_run
    stamp = _poll(qtbot, controller)
    assert stamp is not None
    assert stamp[0] == new_run
    notice = watch.notice
    assert notice is not None
    assert notice.isVisible()
    assert "stored outside this window" in notice.text
    # A second round offers the same run once, not a second notice.
    _poll(qtbot, controller)
    assert watch.notice is notice
    assert sum(1 for n in controller.imports.notices._notices if "outside" in n.text) == 1

    reloads: list[int] = []
    original = controller.window.refresh_scores
    monkeypatch.setattr(
        controller.window, "refresh_scores", lambda: (reloads.append(1), original())[1]
    )
    assert notice.action_button is not None
    qtbot.mouseClick(notice.action_button, Qt.MouseButton.LeftButton)
    assert reloads == [1]
    assert watch.notice is None
    assert watch.known == new_run
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    _poll(qtbot, controller)
    assert watch.notice is None  # shown: not offered again
    assert presented_errors == []


def test_the_windows_own_scoring_is_not_offered_back(
    qtbot,
    controller: GuiController,  # noqa: F811
    presented_errors: list[str],
) -> None:
    jobs, watch = controller.jobs, controller.score_watch
    qtbot.waitUntil(lambda: controller.workspace is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: watch.known is not None, timeout=TIMEOUT_MS)
    before = watch.known
    with qtbot.waitSignal(controller.scoring.scoring_finished, timeout=TIMEOUT_MS):
        controller.scoring.start(ScoringParameters(dt.datetime.now(dt.UTC).date(), 90))
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    assert watch.known is not None
    assert watch.known != before
    _poll(qtbot, controller)
    assert watch.notice is None
    assert presented_errors == []


def test_a_closed_notice_is_not_raised_again_for_the_same_run(
    qtbot,
    controller: GuiController,  # noqa: F811
) -> None:
    jobs, watch = controller.jobs, controller.score_watch
    qtbot.waitUntil(lambda: controller.workspace is not None and jobs.is_idle(), timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: watch.known is not None, timeout=TIMEOUT_MS)
    assert controller.workspace is not None
    new_run = _score_elsewhere(Path(str(controller.workspace.engine.url.database)))
    _poll(qtbot, controller)
    assert watch.notice is not None
    watch.notice.dismiss()
    assert watch.notice is None
    assert watch.known == new_run
    _poll(qtbot, controller)
    assert watch.notice is None


def test_the_notice_says_when_on_the_users_clock() -> None:
    import datetime as dt

    from app.gui.score_watch import notice_text

    now = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)
    local = now.astimezone()
    today = notice_text((3, dt.date(2026, 11, 27), now - dt.timedelta(minutes=5)), now)
    assert today.startswith("New scores as of Nov 27, 2026 were stored outside this window at ")
    assert f"at {(local - dt.timedelta(minutes=5)):%H:%M} (" in today
    before = notice_text((3, dt.date(2026, 11, 20), now - dt.timedelta(days=3)), now)
    earlier = local - dt.timedelta(days=3)
    assert f" on {earlier:%b} {earlier.day} at {earlier:%H:%M} (" in before
    assert "2026-" not in today + before  # one date style in the sentence
