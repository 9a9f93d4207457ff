"""Send approved ▸ Save as a folder of .eml files in the real review queue, on the scored
demo workspace: the files are written and nothing is logged until "Did you send them?"
is answered (the bar Open each in the mail app uses); Yes logs each once and moves the
alerts to in progress, Not sent keeps them approved with nothing in outreach,
interactions or the audit; closing the queue with the question open asks once more."""

# The fixtures come from the sibling module (imported below), hence the redefinitions.
# ruff: noqa: F811

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from app.gui.outreach.batch_controller import BatchController
from app.workspace import Workspace
from tests.gui.outreach.test_review_queue import (  # noqa: F401  (the fixture)
    TIMEOUT_MS,
    contactable_alerts,
    controller,
    rows,
    start_batch,
)
from views.kit.jobs import JobRunner
from views.outreach.review_queue import ReviewQueueWindow

TABLES = ("outreach", "interactions", "audit_events")


def counts(workspace: Workspace) -> dict[str, int]:
    return {t: int(rows(workspace, f"SELECT COUNT(*) FROM {t}")[0][0]) for t in TABLES}


def approved_and_saved(
    qtbot, controller: BatchController, jobs: JobRunner, workspace: Workspace, folder: Path
) -> tuple[ReviewQueueWindow, list[int], dict[str, int]]:
    """Two drafts approved with A, then Save as a folder of .eml files into ``folder``:
    the queue asking, and what the tables held before the save."""
    controller._ask_folder = lambda: str(folder)
    alert_ids = contactable_alerts(workspace, 2)
    start_batch(qtbot, controller, alert_ids, jobs)
    queue = controller.queue
    assert queue is not None
    queue.list.setFocus()
    for _ in alert_ids:
        qtbot.keyClick(queue.list, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: queue.approved_count() == 2 and jobs.is_idle(), timeout=TIMEOUT_MS)
    before = counts(workspace)
    assert queue.send_button.isEnabled()
    queue.eml_action.trigger()
    qtbot.waitUntil(lambda: queue.sent_prompt.asking, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: jobs.is_idle() and not controller.busy, timeout=TIMEOUT_MS)
    assert "Did you send them?" in queue.sent_prompt.text.text()
    assert "Not sent keeps them approved" in queue.sent_prompt.text.text()
    assert "Saved 2 emails as .eml files." in queue.notice.text()
    # (the path may break after each separator: a zero-width space)
    assert f"They are in {folder}" in queue.sent_prompt.text.text().replace("\u200b", "")
    assert len(list(folder.glob("*.eml"))) == 2
    assert counts(workspace) == before, "nothing logged before the answer"
    return queue, alert_ids, before


def alert_states(workspace: Workspace, alert_ids: list[int]) -> list[str]:
    marks = ", ".join("?" for _ in alert_ids)
    found = rows(workspace, f"SELECT status FROM alerts WHERE id IN ({marks})", *alert_ids)
    return [s for (s,) in found]


def test_saved_then_yes_logs_each_once(
    qtbot, controller: BatchController, jobs: JobRunner, workspace: Workspace, tmp_path: Path
) -> None:
    queue, alert_ids, before = approved_and_saved(
        qtbot, controller, jobs, workspace, tmp_path / "emails"
    )
    assert alert_states(workspace, alert_ids) == ["open", "open"]
    with qtbot.waitSignal(controller.outreach_recorded, timeout=TIMEOUT_MS):
        queue.sent_prompt.yes_button.click()
    assert not queue.sent_prompt.asking
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    assert "Logged 2 as sent (saved as .eml files)" in queue.notice.text()
    logged = rows(
        workspace,
        f"SELECT alert_id, status FROM outreach WHERE alert_id IN ({', '.join('?' * 2)})",
        *alert_ids,
    )
    assert sorted(logged) == sorted((a, "exported") for a in alert_ids)  # each once
    assert counts(workspace)["outreach"] == before["outreach"] + 2
    assert alert_states(workspace, alert_ids) == ["in_progress", "in_progress"]
    qtbot.waitUntil(lambda: queue.approved_count() == 0, timeout=TIMEOUT_MS)
    assert not queue.send_button.isEnabled()


def test_saved_then_not_sent_logs_nothing_and_keeps_them_approved(
    qtbot, controller: BatchController, jobs: JobRunner, workspace: Workspace, tmp_path: Path
) -> None:
    queue, alert_ids, before = approved_and_saved(
        qtbot, controller, jobs, workspace, tmp_path / "emails"
    )
    queue.sent_prompt.no_button.click()
    assert not queue.sent_prompt.asking
    qtbot.wait(200)
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    assert "stay approved" in queue.notice.text()
    assert counts(workspace) == before
    assert queue.approved_count() == 2
    assert {s for (s,) in rows(workspace, "SELECT state FROM batch_drafts")} == {"approved"}
    assert alert_states(workspace, alert_ids) == ["open", "open"]
    assert queue.send_button.isEnabled()


def test_closing_the_queue_with_the_question_open_asks_once_more(
    qtbot, controller: BatchController, jobs: JobRunner, workspace: Workspace, tmp_path: Path
) -> None:
    asked: list[int] = []

    def answer(count: int) -> bool:
        asked.append(count)
        return False

    controller._ask_sent_on_close = answer
    queue, _alert_ids, before = approved_and_saved(
        qtbot, controller, jobs, workspace, tmp_path / "first"
    )
    queue.close_button.click()
    assert asked == [2]
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    assert counts(workspace) == before
    # Open again: the question is not left over, the drafts still approved; save again and
    # this time say, on closing, that they were sent.
    controller.review_latest()
    qtbot.waitUntil(
        lambda: queue.isVisible() and queue.approved_count() == 2 and jobs.is_idle(),
        timeout=TIMEOUT_MS,
    )
    assert not queue.sent_prompt.asking
    controller._ask_folder = lambda: str(tmp_path / "second")
    controller._ask_sent_on_close = lambda count: asked.append(count) or True
    queue.eml_action.trigger()
    qtbot.waitUntil(lambda: queue.sent_prompt.asking, timeout=TIMEOUT_MS)
    with qtbot.waitSignal(controller.outreach_recorded, timeout=TIMEOUT_MS):
        queue.close_button.click()
    assert asked == [2, 2]
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    assert counts(workspace)["outreach"] == before["outreach"] + 2
