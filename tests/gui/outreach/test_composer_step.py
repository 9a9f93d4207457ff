"""A playbook's email step (My work ▸ Done) opens the composer, and is done only once the
email is sent or logged as sent: opening the composer, or taking the email to the mail
app, leaves it to do; "Yes, log it as sent" marks it done."""

from __future__ import annotations

from app.gui.outreach.composer_controller import ComposerController
from app.workspace import Workspace
from services.alerts.actions import apply_card_action
from tests.gui.outreach.test_composer import (  # noqa: F401  (fixtures)
    TIMEOUT_MS,
    USER,
    User,
    an_alert,
    composer,
    rows,
    user,
)

STEP = "SELECT s.id, s.done_at FROM playbook_steps s JOIN playbook_runs r ON r.id = s.run_id "
STEP += "WHERE r.customer_id = ? AND s.day_offset = 0"


def test_an_email_step_is_done_when_the_email_is_sent_not_when_the_composer_opens(
    qtbot,
    composer: ComposerController,  # noqa: F811
    workspace: Workspace,
    user: User,  # noqa: F811
) -> None:
    alert_id, customer_id, _name, _email = an_alert(workspace)
    apply_card_action(workspace.engine, (alert_id,), "playbook", key="win_back", actor=USER)
    ((step_id, done_at),) = rows(workspace, STEP, customer_id)
    assert done_at is None
    done: list[int] = []
    composer.step_done.connect(done.append)
    composer.open_for_step(step_id, alert_id, customer_id)
    dialog = composer.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: bool(dialog.variants[0].body.toPlainText()), timeout=TIMEOUT_MS)
    dialog.mail_button.click()
    assert dialog.sent_prompt.asking
    qtbot.wait(100)
    assert rows(workspace, STEP, customer_id) == [(step_id, None)], "not done before it is sent"
    dialog.sent_prompt.yes_button.click()
    qtbot.waitUntil(lambda: done == [step_id], timeout=TIMEOUT_MS)
    ((_id, done_at),) = rows(workspace, STEP, customer_id)
    assert done_at is not None
    assert rows(workspace, "SELECT status FROM outreach WHERE customer_id = ?", customer_id) == [
        ("sent",)
    ]
    assert "The playbook step is done." in dialog.notice.text()
