"""The composer and the review queue meet, on the scored demo workspace, driven with the
real widgets: a customer whose draft waits in the review queue is offered that draft
("Use it" / "Write a new one") instead of a new one being written silently; the email
logged from the composer takes the customer out of the queue. And "Did you send it?" left
unanswered is asked once more when the composer closes (never when the app closes it)."""

# The fixtures come from the sibling modules (imported below), hence the redefinitions.
# ruff: noqa: F811

from __future__ import annotations

from pathlib import Path

from app.gui.outreach.composer_controller import ComposerController
from app.workspace import Workspace
from services.outreach.batch import create_batch, draft_batch, edit_row, load_batch
from services.outreach.batch_records import SKIP_EMAILED
from tests.gui.outreach.test_composer import (  # noqa: F401  (the fixtures)
    TIMEOUT_MS,
    User,
    an_alert,
    composer,
    memory_keyring,
    rows,
    user,
)

QUEUE_SUBJECT = "A note from the queue"
QUEUE_BODY = "Hi there,\n\nThis text was reviewed in the queue.\n\nDana"


def waiting_in_queue(workspace: Workspace, alert_id: int, customer_id: int) -> int:
    """A batch drafted from the templates for the alert, its text edited in review;
    returns the row."""
    batch_id = create_batch(workspace.engine, [alert_id], offline=True)
    draft_batch(workspace.engine, batch_id)
    (row,) = [
        r for r in load_batch(workspace.engine, batch_id).rows if r.customer_id == customer_id
    ]
    assert row.state == "drafted"
    edit_row(workspace.engine, row.id, QUEUE_SUBJECT, QUEUE_BODY)
    return row.id


def test_the_waiting_draft_is_offered_and_used_then_leaves_the_queue_when_sent(
    qtbot, composer: ComposerController, workspace: Workspace, user: User
) -> None:
    alert_id, customer_id, name, _email = an_alert(workspace)
    row_id = waiting_in_queue(workspace, alert_id, customer_id)
    composer.open(alert_id, customer_id)
    dialog = composer.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.waiting_prompt.asking, timeout=TIMEOUT_MS)
    assert name in dialog.waiting_prompt.text.text()
    assert "review queue" in dialog.waiting_prompt.text.text()
    # Offered, not written over: no draft yet, nothing to send.
    assert not dialog.variants[0].body.toPlainText()
    assert not dialog.mail_button.isEnabled()
    dialog.waiting_prompt.yes_button.click()
    assert dialog.chosen_text() == (QUEUE_SUBJECT, QUEUE_BODY)
    assert dialog.variants[1].isHidden()
    assert "review queue" in dialog.variants[0].source.text()
    dialog.mail_button.click()
    assert len(user.opened) == 1
    dialog.sent_prompt.yes_button.click()
    qtbot.waitUntil(
        lambda: (
            rows(workspace, "SELECT state FROM batch_drafts WHERE id = ?", row_id) == [("sent",)]
        ),
        timeout=TIMEOUT_MS,
    )
    (outreach_id, subject, edited) = rows(
        workspace, "SELECT id, subject, edited FROM outreach WHERE customer_id = ?", customer_id
    )[0]
    assert subject == QUEUE_SUBJECT
    assert edited == 1  # edited in the queue
    assert rows(workspace, "SELECT outreach_id FROM batch_drafts WHERE id = ?", row_id) == [
        (outreach_id,)
    ]
    assert rows(workspace, "SELECT status FROM alerts WHERE id = ?", alert_id) == [("in_progress",)]


def test_write_a_new_one_drafts_afresh_and_the_queue_skips_the_customer_once_sent(
    qtbot, composer: ComposerController, workspace: Workspace, user: User
) -> None:
    alert_id, customer_id, _name, _email = an_alert(workspace)
    row_id = waiting_in_queue(workspace, alert_id, customer_id)
    composer.open(alert_id, customer_id)
    dialog = composer.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.waiting_prompt.asking, timeout=TIMEOUT_MS)
    dialog.waiting_prompt.no_button.click()
    qtbot.waitUntil(lambda: dialog.mail_button.isEnabled(), timeout=TIMEOUT_MS)
    subject, body = dialog.chosen_text()
    assert (subject, body) != (QUEUE_SUBJECT, QUEUE_BODY)  # the template, written anew
    assert "review queue" not in dialog.variants[0].source.text()
    dialog.copy_button.click()
    dialog.sent_prompt.yes_button.click()
    qtbot.waitUntil(
        lambda: (
            rows(workspace, "SELECT state FROM batch_drafts WHERE id = ?", row_id) == [("skipped",)]
        ),
        timeout=TIMEOUT_MS,
    )
    assert rows(
        workspace, "SELECT skip_reason, outreach_id FROM batch_drafts WHERE id = ?", row_id
    ) == [(SKIP_EMAILED, None)]
    assert rows(workspace, "SELECT subject FROM outreach WHERE customer_id = ?", customer_id) == [
        (subject,)
    ]


def test_a_customer_without_a_waiting_draft_gets_a_draft_at_once(
    qtbot, composer: ComposerController, workspace: Workspace
) -> None:
    alert_id, customer_id, _name, _email = an_alert(workspace)
    composer.open(alert_id, customer_id)
    dialog = composer.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.mail_button.isEnabled(), timeout=TIMEOUT_MS)
    assert not dialog.waiting_prompt.asking


def test_closing_with_the_question_open_asks_once_more_and_the_app_closing_asks_nothing(
    qtbot, composer: ComposerController, workspace: Workspace, user: User, tmp_path: Path
) -> None:
    alert_id, customer_id, name, _email = an_alert(workspace)
    asked: list[str] = []
    composer._ask_sent_on_close = lambda customer: asked.append(customer) or True
    user.eml_path = str(tmp_path / "draft.eml")
    composer.open(alert_id, customer_id)
    dialog = composer.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.eml_button.isEnabled(), timeout=TIMEOUT_MS)
    dialog.eml_button.click()
    assert (tmp_path / "draft.eml").exists()
    assert dialog.sent_prompt.asking
    dialog.close_button.click()
    assert asked == [name]
    qtbot.waitUntil(
        lambda: (
            rows(workspace, "SELECT status FROM outreach WHERE customer_id = ?", customer_id)
            == [("sent",)]
        ),
        timeout=TIMEOUT_MS,
    )
    # The app closes a composer whose question is open (another workspace opens): the
    # email is not logged, and nobody is asked.
    composer.open_for_customer(customer_id)  # a new composer: the same text may go again
    second = composer.dialog
    assert second is not None
    assert second is not dialog
    qtbot.waitUntil(lambda: second.eml_button.isEnabled(), timeout=TIMEOUT_MS)
    second.variants[0].body.setPlainText("Hi,\n\nA second note.\n\nDana")
    second.eml_button.click()
    assert second.sent_prompt.asking
    composer.close()
    qtbot.wait(200)
    assert asked == [name]
    assert len(rows(workspace, "SELECT 1 FROM outreach WHERE customer_id = ?", customer_id)) == 1
