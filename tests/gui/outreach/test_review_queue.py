"""Draft for all and the review queue on the scored demo workspace, driven with real keys
and buttons: the start dialog's count and skips, drafting in the background, A / S / J / K
and Ctrl+Z, an edit then approve recorded as edited, and sending through a real SMTP
server on loopback (exactly the approved emails, each recorded once)."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from app.gui.context import WindowContext
from app.gui.outreach.batch_controller import BatchController
from app.workspace import Workspace
from services.alerts.config import RULE_QUEUES
from tests.support.smtp_server import SMTPServer
from views.kit.jobs import JobRunner

TIMEOUT_MS = 30_000
USER = "dana.tester"


class Confirm:
    """Answers "Send the approved emails?" as told, and keeps what it was asked."""

    def __init__(self) -> None:
        self.answer = True
        self.asked: list[str] = []

    def __call__(self, _title: str, text: str) -> bool:
        self.asked.append(text)
        return self.answer


def rows(workspace: Workspace, sql: str, *params: object) -> list[tuple[Any, ...]]:
    path = workspace.engine.url.database
    assert path is not None
    con = sqlite3.connect(path)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def settings(workspace: Workspace, **values: Any) -> None:
    from services.settings import set_settings

    with workspace.sessions() as session, session.begin():
        set_settings(session, {k.replace("__", "."): v for k, v in values.items()})


def send_through(workspace: Workspace, server: SMTPServer) -> None:
    """The workspace sends by SMTP through the loopback ``server``."""
    settings(
        workspace,
        smtp__host="127.0.0.1",
        smtp__port=server.port,
        smtp__security="none",
        smtp__from_address="dana@fern.example",
    )


def contactable_alerts(workspace: Workspace, n: int) -> list[int]:
    """The top open alert of n customers who may be emailed (not held out), plus one of a
    customer who asked not to be contacted (left out by the batch)."""
    found = rows(
        workspace,
        "SELECT MIN(a.id) FROM alerts a JOIN customers c ON c.id = a.customer_id "
        "WHERE a.status = 'open' AND c.do_not_contact = 0 AND c.email IS NOT NULL "
        "AND a.holdout = 0 "
        "AND NOT EXISTS (SELECT 1 FROM interactions i WHERE i.customer_id = c.id AND "
        "i.kind = 'unsubscribe') GROUP BY c.id ORDER BY c.id LIMIT ?",
        n,
    )
    return [int(r[0]) for r in found]


@pytest.fixture
def controller(qtbot, jobs: JobRunner, workspace: Workspace):
    window = QWidget()
    qtbot.addWidget(window)
    settings(workspace, alerts__cooldown_days=0, outreach__send_per_minute=600)
    confirm = Confirm()
    batches = BatchController(
        WindowContext(jobs, window, lambda: workspace), user=lambda: USER, confirm_send=confirm,
    )  # fmt: skip
    batches.test_confirm = confirm  # type: ignore[attr-defined]
    yield batches
    batches.close()
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)


def start_batch(qtbot, controller: BatchController, alert_ids: list[int], jobs: JobRunner) -> None:
    controller.draft_for_all(tuple(alert_ids), "the test's alerts")
    qtbot.waitUntil(lambda: controller.dialog is not None, timeout=TIMEOUT_MS)
    dialog = controller.dialog
    assert dialog is not None
    assert dialog.start_button.text() == f"Draft {len(alert_ids)}"
    dialog.by_templates.setChecked(True)
    dialog.start_button.click()
    qtbot.waitUntil(lambda: controller.queue is not None, timeout=TIMEOUT_MS)

    def drafted() -> bool:
        queue = controller.queue
        return (
            queue is not None
            and not controller.busy
            and jobs.is_idle()
            and len(queue.model.rows) == len(alert_ids)
            and all(r.state == "drafted" for r in queue.model.rows)
        )

    qtbot.waitUntil(drafted, timeout=TIMEOUT_MS)


def states(controller: BatchController) -> list[str]:
    assert controller.queue is not None
    return [r.state for r in controller.queue.model.rows]


def saved_states(workspace: Workspace) -> list[str]:
    """The rows' states as the database holds them (the latest batch, in queue order)."""
    return [
        str(r[0])
        for r in rows(
            workspace,
            "SELECT state FROM batch_drafts WHERE batch_id = (SELECT MAX(id) FROM "
            "draft_batches) ORDER BY position, id",
        )
    ]


def test_keys_drive_the_queue(qtbot, controller: BatchController, jobs: JobRunner) -> None:
    alert_ids = contactable_alerts(controller._workspace(), 4)  # type: ignore[arg-type]
    start_batch(qtbot, controller, alert_ids, jobs)
    queue = controller.queue
    assert queue is not None
    queue.activateWindow()
    queue.list.setFocus()
    assert queue.list.currentIndex().row() == 0
    assert "A)" in queue.approve_button.toolTip()
    assert "S)" in queue.skip_button.toolTip()

    def key(k: Qt.Key) -> None:
        qtbot.keyClick(queue.list, k)

    key(Qt.Key.Key_A)  # approve the first, on to the next: shown at once
    assert states(controller)[0] == "approved"
    assert queue.send_button.text() == "Send approved (1)…"
    assert queue.list.currentIndex().row() == 1
    key(Qt.Key.Key_S)  # skip the second
    assert states(controller)[1] == "skipped"
    assert queue.list.currentIndex().row() == 2
    qtbot.waitUntil(lambda: not controller.saving, timeout=TIMEOUT_MS)
    assert saved_states(controller._workspace())[:2] == ["approved", "skipped"]  # type: ignore[arg-type]
    key(Qt.Key.Key_K)
    assert queue.list.currentIndex().row() == 1
    key(Qt.Key.Key_J)
    key(Qt.Key.Key_J)
    assert queue.list.currentIndex().row() == 3
    qtbot.keyClick(queue.list, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the skip
    qtbot.waitUntil(lambda: states(controller)[1] == "drafted", timeout=TIMEOUT_MS)
    assert states(controller) == ["approved", "drafted", "drafted", "drafted"]
    assert queue.send_button.text() == "Send approved (1)…"
    # A single key typed in the body is text, not a command.
    queue.body.setFocus()
    qtbot.keyClick(queue.body, Qt.Key.Key_S)
    assert queue.body.toPlainText() != queue.model.rows[3].body
    qtbot.wait(50)
    assert states(controller)[3] == "drafted"
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)


def test_edit_then_approve_is_sent_once_and_recorded_as_edited(
    qtbot, controller: BatchController, jobs: JobRunner, workspace: Workspace
) -> None:
    alert_ids = contactable_alerts(workspace, 3)
    ((before,),) = rows(workspace, "SELECT COALESCE(MAX(id), 0) FROM outreach")  # the demo's
    start_batch(qtbot, controller, alert_ids, jobs)
    queue = controller.queue
    assert queue is not None
    first = queue.model.rows[0]
    queue.body.setPlainText(first.body + "\n\nP.S. I kept your size aside.")
    queue.approve_button.click()  # approves the edited text
    qtbot.waitUntil(lambda: states(controller)[0] == "approved", timeout=TIMEOUT_MS)
    assert queue.model.rows[0].edited
    assert queue.list.currentIndex().row() == 1
    queue.approve_button.click()  # the second, as drafted
    qtbot.waitUntil(lambda: states(controller)[1] == "approved", timeout=TIMEOUT_MS)
    assert queue.send_button.text() == "Send approved (2)…"
    with SMTPServer() as server:
        send_through(workspace, server)
        confirm = controller.test_confirm  # type: ignore[attr-defined]
        confirm.answer = False  # asked first: no, and nothing goes
        queue.smtp_action.trigger()
        qtbot.waitUntil(lambda: len(confirm.asked) == 1, timeout=TIMEOUT_MS)
        assert "Send 2 approved emails now" in confirm.asked[-1]
        qtbot.wait(200)
        assert states(controller)[:2] == ["approved", "approved"]
        assert list(server.received.rcpt_to) == []
        confirm.answer = True
        queue.smtp_action.trigger()
        qtbot.waitUntil(lambda: states(controller)[:2] == ["sent", "sent"], timeout=TIMEOUT_MS)
        qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
        assert queue.notice.text() == "Sent 2."
        assert queue.send_button.text() == "Send approved (0)…"
        controller.deliver("smtp")  # nothing approved is left: nothing goes twice
        qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
        received = list(server.received.rcpt_to)
    expected = [queue.model.rows[0].recipient, queue.model.rows[1].recipient]
    assert [r.split("<", 1)[1].rstrip(">") for r in received] == expected
    sent = rows(
        workspace,
        "SELECT recipient, edited, variant, status FROM outreach WHERE recipient IN (?, ?) "
        "AND status = 'sent' AND id > ? ORDER BY id",  # not the demo's past emails to them
        *expected,
        before,
    )
    assert [(r[0], bool(r[1]), r[2], r[3]) for r in sent] == [
        (expected[0], True, 0, "sent"),
        (expected[1], False, 0, "sent"),
    ]
    assert states(controller)[2] == "drafted"  # never approved: never sent


def test_a_send_right_after_approving_waits_for_the_approval_to_be_saved(
    qtbot, controller: BatchController, jobs: JobRunner, workspace: Workspace
) -> None:
    """The database worker busy with a screen's read: A shows at once (the row, the
    count, Send approved enabled), the send waits, saying so, and then sends exactly the
    approved email once the approval is in the database."""
    import threading

    alert_ids = contactable_alerts(workspace, 2)
    start_batch(qtbot, controller, alert_ids, jobs)
    queue = controller.queue
    assert queue is not None
    release = threading.Event()
    jobs.operation(lambda _s: release.wait(20), label="a screen's long read").run()
    queue.approve_button.click()
    assert states(controller) == ["approved", "drafted"]
    assert queue.send_button.text() == "Send approved (1)…"
    assert queue.send_button.isEnabled()
    assert controller.saving
    with SMTPServer() as server:
        send_through(workspace, server)
        confirm = controller.test_confirm  # type: ignore[attr-defined]
        queue.smtp_action.trigger()
        qtbot.wait(100)
        assert confirm.asked == []  # not before the approval is saved
        assert queue.notice.text() == "Saving your review first…"
        assert saved_states(workspace) == ["drafted", "drafted"]
        release.set()
        qtbot.waitUntil(lambda: len(confirm.asked) == 1, timeout=TIMEOUT_MS)
        assert "Send 1 approved email now" in confirm.asked[0]
        qtbot.waitUntil(lambda: states(controller)[0] == "sent", timeout=TIMEOUT_MS)
        qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
        received = [r.split("<", 1)[1].rstrip(">") for r in server.received.rcpt_to]
        assert received == [queue.model.rows[0].recipient]
    assert saved_states(workspace) == ["sent", "drafted"]


def test_the_alert_list_drafts_for_the_cards_shown(
    qtbot, jobs: JobRunner, workspace: Workspace
) -> None:
    from app.gui.alerts_source import WorkspaceAlertSource
    from views.alerts.pane import AlertsPane

    pane = AlertsPane(jobs)
    qtbot.addWidget(pane)
    pane.set_source(WorkspaceAlertSource(workspace, user=USER))
    qtbot.waitUntil(lambda: pane.model.rowCount() > 0, timeout=TIMEOUT_MS)
    pane.set_queue("risk")
    shown = {pane.model.alert_id(row) for row in range(pane.model.rowCount())}
    with qtbot.waitSignal(pane.draft_all_requested, timeout=TIMEOUT_MS) as asked:
        pane.draft_all_button.click()
    ids, what = asked.args
    assert shown <= set(ids)  # every card's alerts, the most urgent of each among them
    queues = rows(
        workspace,
        f"SELECT DISTINCT rule_key FROM alerts WHERE id IN ({','.join('?' * len(ids))})",
        *ids,
    )
    assert {r[0] for r in queues} <= {k for k, queue in RULE_QUEUES.items() if queue == "risk"}
    assert {r[0] for r in queues}.isdisjoint({"expansion", "stalled_opportunity"})
    assert what == f"the {pane.model.rowCount():,} cards shown in the Risk queue"
    # Narrowed by a filter, the batch narrows with it.
    pane.search_box.setText(str(pane.model.record(0)["customer"]))
    with qtbot.waitSignal(pane.draft_all_requested, timeout=TIMEOUT_MS) as narrowed:
        pane.draft_all_button.click()
    assert 0 < len(narrowed.args[0]) < len(ids)
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)


def test_cards_picked_with_ctrl_and_shift_click_are_drafted_alone(
    qtbot, jobs: JobRunner, workspace: Workspace
) -> None:
    from app.gui.alerts_source import WorkspaceAlertSource
    from views.alerts.pane import AlertsPane

    pane = AlertsPane(jobs)
    qtbot.addWidget(pane)
    pane.resize(420, 900)
    pane.show()
    pane.set_source(WorkspaceAlertSource(workspace, user=USER))
    qtbot.waitUntil(lambda: pane.model.rowCount() > 5, timeout=TIMEOUT_MS)
    pane.set_queue("risk")
    qtbot.waitUntil(lambda: pane.model.rowCount() > 5, timeout=TIMEOUT_MS)
    view = pane.list

    def click(row: int, modifier: Qt.KeyboardModifier) -> None:
        rect = view.visualRect(pane.model.index(row, 0))
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())

    click(0, Qt.KeyboardModifier.NoModifier)
    assert pane.draft_all_button.text() == "Draft for all…"
    click(2, Qt.KeyboardModifier.ControlModifier)
    assert pane.selected_rows() == [0, 2]
    assert pane.draft_all_button.text() == "Draft for 2 selected…"
    # The detail pane (and every key) follows the current card: the last one clicked.
    assert pane.current_alert_id == pane.model.alert_id(2)
    with qtbot.waitSignal(pane.draft_all_requested, timeout=TIMEOUT_MS) as asked:
        pane.draft_all_button.click()
    ids, what = asked.args
    assert set(ids) == set(pane.model.card_ids(0)) | set(pane.model.card_ids(2))
    assert what == "the 2 cards you selected"
    # Shift-click extends from the anchor (row 2) to row 4.
    click(4, Qt.KeyboardModifier.ShiftModifier)
    assert pane.selected_rows() == [0, 2, 3, 4]
    # A plain click picks one card again: the button drafts every card shown.
    click(1, Qt.KeyboardModifier.NoModifier)
    assert pane.selected_rows() == [1]
    assert pane.draft_all_button.text() == "Draft for all…"
    with qtbot.waitSignal(pane.draft_all_requested, timeout=TIMEOUT_MS) as everything:
        pane.draft_all_button.click()
    assert len(everything.args[0]) >= pane.model.rowCount()
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)


def test_r_regenerates_the_draft_shown(
    qtbot, controller: BatchController, jobs: JobRunner, workspace: Workspace
) -> None:
    alert_ids = contactable_alerts(workspace, 2)
    start_batch(qtbot, controller, alert_ids, jobs)
    queue = controller.queue
    assert queue is not None
    first = queue.model.rows[0]
    assert first.variant == 0
    queue.activateWindow()
    queue.list.setFocus()
    qtbot.keyClick(queue.list, Qt.Key.Key_R)
    qtbot.waitUntil(
        lambda: queue.model.rows[0].variant == 1 and queue.model.rows[0].state == "drafted",
        timeout=TIMEOUT_MS,
    )
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    again = queue.model.rows[0]
    assert queue.body.toPlainText() == again.body  # the new draft is the one shown
    assert queue.list.currentIndex().row() == 0  # R stays on the draft it redid
    assert queue.model.rows[1].variant == 0  # the others are untouched
    stored = rows(workspace, "SELECT variant, state FROM batch_drafts WHERE id = ?", first.id)
    assert stored == [(1, "drafted")]


def test_cancel_while_drafting_keeps_what_was_drafted(
    qtbot, controller: BatchController, jobs: JobRunner, workspace: Workspace,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    import threading

    import services.outreach.batch as batch_module

    # Each draft waits for the test's go-ahead, so Cancel lands while drafting.
    real, gate = batch_module._draft_one, threading.Semaphore(0)

    def slow(*args: Any, **kwargs: Any) -> Any:
        gate.acquire(timeout=10)
        return real(*args, **kwargs)

    monkeypatch.setattr(batch_module, "_draft_one", slow)
    settings(workspace, outreach__batch_concurrency=1)
    alert_ids = contactable_alerts(workspace, 6)
    controller.draft_for_all(tuple(alert_ids), "the test's alerts")
    qtbot.waitUntil(lambda: controller.dialog is not None, timeout=TIMEOUT_MS)
    assert controller.dialog is not None
    controller.dialog.by_templates.setChecked(True)
    controller.dialog.start_button.click()
    qtbot.waitUntil(lambda: controller.queue is not None and controller.busy, timeout=TIMEOUT_MS)
    queue = controller.queue
    assert queue is not None
    gate.release(2)  # two drafts go through
    qtbot.waitUntil(
        lambda: sum(s == "drafted" for s in rows_states(workspace)) == 2, timeout=TIMEOUT_MS
    )
    assert queue.cancel_button.isVisible()
    queue.cancel_button.click()
    gate.release(10)  # the draft in flight may finish; nothing new starts
    qtbot.waitUntil(lambda: not controller.busy and jobs.is_idle(), timeout=TIMEOUT_MS)
    left = rows_states(workspace)
    wanted = len(left) - left.count("skipped")
    assert wanted >= 5
    assert left.count("drafted") in (2, 3)  # the two let through, and the one in flight
    # The rest were not drafted: they stay queued, to draft later.
    assert left.count("queued") == wanted - left.count("drafted") >= 2
    assert not queue.cancel_button.isVisible()
    # The drafts made are there to review.
    assert [r.state for r in queue.model.rows].count("drafted") == left.count("drafted")


def rows_states(workspace: Workspace) -> list[str]:
    return [
        r[0]
        for r in rows(
            workspace,
            "SELECT state FROM batch_drafts WHERE batch_id = (SELECT MAX(id) FROM draft_batches) "
            "ORDER BY position",
        )
    ]


def test_esc_and_close_leave_the_review_and_keep_the_drafts(
    qtbot, controller: BatchController, jobs: JobRunner
) -> None:
    """Esc in the body goes back to the list, Esc in the list closes the review (an edit
    in progress kept), and Email ▸ Review drafts… opens it again with every draft; the
    Close button closes it too."""
    alert_ids = contactable_alerts(controller._workspace(), 2)  # type: ignore[arg-type]
    start_batch(qtbot, controller, alert_ids, jobs)
    queue = controller.queue
    assert queue is not None
    queue.activateWindow()
    queue.body.setFocus()
    queue.body.setPlainText("Hello, an edit in progress.")
    qtbot.keyClick(queue.body, Qt.Key.Key_Escape)
    assert queue.list.hasFocus()
    assert queue.isVisible()
    qtbot.keyClick(queue.list, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not queue.isVisible(), timeout=TIMEOUT_MS)
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    controller.review_latest()
    qtbot.waitUntil(
        lambda: controller.queue is not None and controller.queue.isVisible(), timeout=TIMEOUT_MS
    )
    again = controller.queue
    assert again is not None
    qtbot.waitUntil(lambda: len(again.model.rows) == 2 and jobs.is_idle(), timeout=TIMEOUT_MS)
    assert [r.state for r in again.model.rows] == ["drafted", "drafted"]
    assert again.model.rows[0].body == "Hello, an edit in progress."
    assert again.close_button.isVisible()
    again.close_button.click()
    qtbot.waitUntil(lambda: not again.isVisible(), timeout=TIMEOUT_MS)


def test_esc_from_a_button_closes_the_review(
    qtbot, controller: BatchController, jobs: JobRunner
) -> None:
    """Esc with the focus on one of the queue's buttons (not a text field) closes it at
    once: a person pressing Esc to leave does not first have to find the list."""
    alert_ids = contactable_alerts(controller._workspace(), 2)  # type: ignore[arg-type]
    start_batch(qtbot, controller, alert_ids, jobs)
    queue = controller.queue
    assert queue is not None
    queue.activateWindow()
    queue.approve_button.setFocus()
    qtbot.waitUntil(queue.approve_button.hasFocus, timeout=TIMEOUT_MS)
    qtbot.keyClick(queue.approve_button, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not queue.isVisible(), timeout=TIMEOUT_MS)
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)


def test_the_queues_title_says_what_is_under_way(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Seen in the taskbar with another window in front: the drafting's progress, then
    the queue's own title again once it is done."""
    from views.outreach.review_queue import ReviewQueueWindow

    queue = ReviewQueueWindow()
    qtbot.addWidget(queue)
    assert queue.windowTitle() == "Review drafts"
    queue.set_busy("Drafting…", 0.0)
    assert queue.windowTitle() == "Review drafts · Drafting…"
    queue.set_busy("Drafted 14 of 69", 14 / 69)
    assert queue.windowTitle() == "Review drafts · Drafted 14 of 69"
    assert queue.progress.value() == 20
    queue.set_busy(None)
    assert queue.windowTitle() == "Review drafts"
