"""Send approved ▸ Open each in the mail app in the real review queue, on the scored demo
workspace: a link of a realistic length opens as a mail link, a longer one as an .eml
draft (said so), and with no mail program the emails are saved as .eml drafts, the queue
says where, and "Did you send them?" still asks, so that a webmail user's sends are
logged."""

# The fixtures come from the sibling module (imported below), hence the redefinitions.
# ruff: noqa: F811

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from PySide6.QtCore import Qt

from app.gui.outreach.batch_controller import BatchController
from app.workspace import Workspace
from services.mail.message import mailto_url
from tests.gui.outreach.test_review_queue import (  # noqa: F401  (the fixture)
    TIMEOUT_MS,
    contactable_alerts,
    controller,
    rows,
    start_batch,
)
from views.kit.jobs import JobRunner
from views.outreach.review_queue import ReviewQueueWindow


def approved(
    qtbot, controller: BatchController, jobs: JobRunner, workspace: Workspace, n: int
) -> tuple[ReviewQueueWindow, list[int]]:
    alert_ids = contactable_alerts(workspace, n)
    start_batch(qtbot, controller, alert_ids, jobs)
    queue = controller.queue
    assert queue is not None
    queue.list.setFocus()
    for _ in alert_ids:
        qtbot.keyClick(queue.list, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: queue.approved_count() == n and jobs.is_idle(), timeout=TIMEOUT_MS)
    return queue, alert_ids


def set_body(workspace: Workspace, row_id: int, body: str) -> None:
    with workspace.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE batch_drafts SET body = ? WHERE id = ?", (body, row_id))


def logged(workspace: Workspace) -> int:
    return int(rows(workspace, "SELECT COUNT(*) FROM outreach")[0][0])


def test_with_no_mail_program_they_are_saved_as_drafts_and_still_asked(
    qtbot, controller: BatchController, jobs: JobRunner, workspace: Workspace, tmp_path: Path
) -> None:
    tried: list[str] = []
    controller._open_url = lambda url: tried.append(url) and False  # nothing takes them
    controller._drafts_folder = lambda: tmp_path / "drafts"
    queue, _alerts = approved(qtbot, controller, jobs, workspace, 2)
    before = logged(workspace)
    queue.mail_app_action.trigger()
    qtbot.waitUntil(lambda: queue.sent_prompt.asking, timeout=TIMEOUT_MS)
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    assert len(tried) == 1, "the first link that does not open stops the others"
    notice = queue.notice.text()
    assert "No mail program opened 2 emails: saved as .eml drafts." in notice
    assert "too long" not in notice
    drafts = sorted((tmp_path / "drafts").glob("*.eml"))
    assert len(drafts) == 2
    asked = queue.sent_prompt.text.text().replace("\u200b", "")
    assert f"They are in {tmp_path / 'drafts'}" in asked
    assert "webmail" in asked
    assert logged(workspace) == before
    with qtbot.waitSignal(controller.outreach_recorded, timeout=TIMEOUT_MS):
        queue.sent_prompt.yes_button.click()
    qtbot.waitUntil(lambda: logged(workspace) == before + 2, timeout=TIMEOUT_MS)
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)


def test_a_long_draft_goes_as_an_eml_draft_and_a_realistic_one_as_a_link(
    qtbot, controller: BatchController, jobs: JobRunner, workspace: Workspace, tmp_path: Path
) -> None:
    opened: list[str] = []
    controller._open_url = lambda url: opened.append(url) or True
    controller._drafts_folder = lambda: tmp_path / "drafts"
    queue, _alerts = approved(qtbot, controller, jobs, workspace, 2)
    (first, email), (second, _email) = rows(
        workspace, "SELECT id, recipient FROM batch_drafts ORDER BY position, id"
    )
    # About 320 letters of Cyrillic: over 1,800 characters once percent-encoded, which
    # mail programs take (the old rule refused it).
    short = "Здравствуйте, Анна! " * 16
    subject = rows(workspace, "SELECT subject FROM batch_drafts WHERE id = ?", first)[0][0]
    assert 1_800 < len(mailto_url(email, subject, short)) <= 2_000
    set_body(workspace, first, short)
    set_body(workspace, second, "A long letter. " * 400)
    queue.mail_app_action.trigger()
    qtbot.waitUntil(lambda: queue.sent_prompt.asking, timeout=TIMEOUT_MS)
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    link, draft = opened
    assert urlsplit(link).scheme == "mailto"
    assert "Здравствуйте" in unquote(link)
    assert urlsplit(draft).scheme == "file"
    path = Path(unquote(urlsplit(draft).path))
    assert path.parent == tmp_path / "drafts"
    assert b"A long letter." in path.read_bytes()
    notice = queue.notice.text()
    assert "Opened 1 email in your mail app." in notice
    assert "1 email too long for a mail link: opened in your mail app as .eml drafts" in notice
    assert "Did you send them?" in queue.sent_prompt.text.text()
    before = logged(workspace)
    with qtbot.waitSignal(controller.outreach_recorded, timeout=TIMEOUT_MS):
        queue.sent_prompt.yes_button.click()
    qtbot.waitUntil(lambda: logged(workspace) == before + 2, timeout=TIMEOUT_MS)
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
