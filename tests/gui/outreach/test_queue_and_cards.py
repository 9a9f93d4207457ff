"""Draft for all seen from the alert cards and in the review queue, on the scored demo
workspace with the real widgets: a card whose customer has a draft waiting says "Draft
waiting" (and stops once the draft leaves the queue); the controller says when to look
again; the queue shows why each customer is there beside the draft."""

# The fixtures come from the sibling modules (imported below), hence the redefinitions.
# ruff: noqa: F811

from __future__ import annotations

import re

from PySide6.QtCore import Qt

from app.gui.alerts_source import WorkspaceAlertSource
from app.gui.outreach.batch_controller import BatchController
from app.workspace import Workspace
from services.core.formatting import format_date, format_percent
from services.outreach.batch import skip_row
from tests.gui.outreach.test_review_queue import (  # noqa: F401  (the fixture)
    TIMEOUT_MS,
    contactable_alerts,
    controller,
    rows,
    start_batch,
)
from views.item_models.alert_list_data import AlertFilter, AlertListData
from views.item_models.alert_list_model import (
    DRAFT_WAITING,
    DRAFT_WAITING_NOTE,
    AlertListModel,
    draft_badge,
)
from views.kit.jobs import JobRunner
from views.kit.theme import LIGHT


def cards(qtbot, workspace: Workspace) -> AlertListModel:
    """The alert list as the Alerts tab loads it (every queue, active alerts)."""
    model = AlertListModel()
    model.set_data(AlertListData(WorkspaceAlertSource(workspace).load_alert_columns()))
    model.set_filter(AlertFilter(queue=None))
    return model


def badge_of(model: AlertListModel, alert_id: int) -> bool:
    row = model.row_of(alert_id)
    assert row >= 0, "the alert's card is listed"
    return bool(model.record(row)["draft_waiting"])


def test_cards_with_a_draft_waiting_carry_the_badge_until_it_leaves_the_queue(
    qtbot, controller: BatchController, jobs: JobRunner, workspace: Workspace
) -> None:
    first, second, other = contactable_alerts(workspace, 3)
    with qtbot.waitSignal(controller.drafts_changed, timeout=TIMEOUT_MS):
        start_batch(qtbot, controller, [first, second], jobs)
    model = cards(qtbot, workspace)
    assert badge_of(model, first)
    assert badge_of(model, second)
    assert not badge_of(model, other)
    row = model.row_of(first)
    index = model.index(row)
    assert DRAFT_WAITING_NOTE in model.data(index, Qt.ItemDataRole.ToolTipRole)
    assert f"{DRAFT_WAITING}." in model.data(index, Qt.ItemDataRole.AccessibleTextRole)
    assert DRAFT_WAITING_NOTE not in model.data(
        model.index(model.row_of(other)), Qt.ItemDataRole.ToolTipRole
    )
    # What the card paints: the badge among its third line's tags.
    assert [label for label, _colour in draft_badge(model.record(row), LIGHT)] == [DRAFT_WAITING]
    assert draft_badge(model.record(model.row_of(other)), LIGHT) == []
    # Skipped in review: the draft no longer waits; closing the queue says to look again.
    queue = controller.queue
    assert queue is not None
    (row_id,) = [
        r.id for r in queue.model.rows if r.alert_id == first
    ]  # the first alert's customer
    skip_row(workspace.engine, row_id)
    with qtbot.waitSignal(controller.drafts_changed, timeout=TIMEOUT_MS):
        queue.close_button.click()
    model = cards(qtbot, workspace)
    assert not badge_of(model, first)
    assert badge_of(model, second)
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)


def test_the_queue_shows_why_each_customer_is_there_beside_the_draft(
    qtbot, controller: BatchController, jobs: JobRunner, workspace: Workspace
) -> None:
    alert_ids = contactable_alerts(workspace, 2)
    start_batch(qtbot, controller, alert_ids, jobs)
    queue = controller.queue
    assert queue is not None
    qtbot.waitUntil(
        lambda: queue.why.isVisibleTo(queue) and bool(queue.why.text()), timeout=TIMEOUT_MS
    )
    for row in range(2):
        queue.list.setCurrentIndex(queue.model.index(row))
        shown = queue.model.rows[row]
        text = re.sub(r"<[^>]+>", "\n", queue.why.text()).replace("&amp;", "&")
        assert "Why they are here" in text
        # The customer's card: the reasons of their active alerts, most urgent first.
        reasons = rows(
            workspace,
            "SELECT reason FROM alerts WHERE customer_id = ? AND status IN ('open', 'in_progress')",
            shown.customer_id,
        )
        assert reasons
        assert any(reason in text for (reason,) in reasons)
        (last,) = rows(
            workspace,
            "SELECT MAX(order_date) FROM orders WHERE customer_id = ? AND status = 'paid'",
            shown.customer_id,
        )[0]
        assert f"Last order {format_date(_day(last))}" in text
        (churn,) = rows(
            workspace,
            "SELECT s.churn_risk FROM score_snapshots s WHERE s.customer_id = ? AND "
            "s.scoring_run_id = (SELECT MAX(id) FROM scoring_runs WHERE status = 'finished')",
            shown.customer_id,
        )[0]
        assert f"Churn risk {format_percent(churn)}" in text
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)


def _day(stamp: str):  # type: ignore[no-untyped-def]
    import datetime as dt

    return dt.date.fromisoformat(str(stamp)[:10])


def test_open_each_in_the_mail_app_asks_before_logging_them(
    qtbot, controller: BatchController, jobs: JobRunner, workspace: Workspace
) -> None:
    """Send approved ▸ Open each in the mail app: nothing is logged until "Did you send
    them?" is answered; Not sent keeps them approved, Yes logs each once."""
    opened: list[str] = []
    controller._open_url = lambda url: opened.append(url) or True
    alert_ids = contactable_alerts(workspace, 2)
    start_batch(qtbot, controller, alert_ids, jobs)
    queue = controller.queue
    assert queue is not None
    queue.list.setFocus()
    for _ in alert_ids:
        qtbot.keyClick(queue.list, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: queue.approved_count() == 2 and jobs.is_idle(), timeout=TIMEOUT_MS)

    def logged() -> int:
        return len(rows(workspace, "SELECT 1 FROM outreach"))

    before = logged()
    queue.mail_app_action.trigger()
    qtbot.waitUntil(lambda: queue.sent_prompt.asking, timeout=TIMEOUT_MS)
    assert len(opened) == 2
    assert "Did you send them?" in queue.sent_prompt.text.text()
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    assert logged() == before
    queue.sent_prompt.no_button.click()
    qtbot.wait(200)
    qtbot.waitUntil(jobs.is_idle, timeout=TIMEOUT_MS)
    assert logged() == before
    assert "stay approved" in queue.notice.text()
    assert queue.approved_count() == 2
    # Again, and this time they were sent.
    queue.mail_app_action.trigger()
    qtbot.waitUntil(lambda: queue.sent_prompt.asking, timeout=TIMEOUT_MS)
    with qtbot.waitSignal(controller.outreach_recorded, timeout=TIMEOUT_MS):
        queue.sent_prompt.yes_button.click()
    qtbot.waitUntil(lambda: logged() == before + 2 and jobs.is_idle(), timeout=TIMEOUT_MS)
    assert rows(
        workspace,
        f"SELECT status FROM alerts WHERE id IN ({', '.join('?' for _ in alert_ids)})",
        *alert_ids,
    ) == [("in_progress",), ("in_progress",)]
