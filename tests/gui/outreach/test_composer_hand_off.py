"""The composer's ways out when no mail program is there (a webmail user): the .eml
draft is saved, the composer says where, and "Did you send it?" asks all the same, so
that the email is logged when the user sent it from their webmail."""

from __future__ import annotations

from pathlib import Path

from app.gui.outreach.composer_controller import ComposerController
from app.workspace import Workspace
from tests.gui.outreach.test_composer import (  # noqa: F401  (fixtures)
    TIMEOUT_MS,
    User,
    an_alert,
    composer,
    rows,
    user,
)


def test_no_mail_program_saves_the_draft_and_still_asks_did_you_send_it(
    qtbot,
    composer: ComposerController,  # noqa: F811
    workspace: Workspace,
    user: User,  # noqa: F811
    tmp_path: Path,
) -> None:
    alert_id, customer_id, name, _email = an_alert(workspace)
    user.open_url = lambda url: user.opened.append(url) and False  # type: ignore[method-assign]
    composer._sender._open_url = user.open_url
    composer.open(alert_id, customer_id)  # no provider: the template
    dialog = composer.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: bool(dialog.variants[0].body.toPlainText()), timeout=TIMEOUT_MS)
    dialog.mail_button.click()
    assert [u.split(":", 1)[0] for u in user.opened] == ["mailto", "file"]
    (draft,) = (tmp_path / "drafts").glob("*.eml")
    assert "No mail program opened it" in dialog.notice.text()
    assert str(draft) in dialog.notice.text()
    assert dialog.sent_prompt.asking
    assert not rows(workspace, "SELECT 1 FROM outreach WHERE customer_id = ?", customer_id)
    dialog.sent_prompt.yes_button.click()
    qtbot.waitUntil(
        lambda: (
            rows(workspace, "SELECT status FROM outreach WHERE customer_id = ?", customer_id)
            == [("sent",)]
        ),
        timeout=TIMEOUT_MS,
    )
    assert f"Logged as sent to {name}" in dialog.notice.text()


def test_an_email_too_long_for_a_mail_link_opens_as_a_draft_and_says_so(
    qtbot,
    composer: ComposerController,  # noqa: F811
    workspace: Workspace,
    user: User,  # noqa: F811
    tmp_path: Path,
) -> None:
    alert_id, customer_id, _name, _email = an_alert(workspace)
    composer._confirm_problems = lambda _problems: True  # over the length limit: sent anyway
    composer.open(alert_id, customer_id)
    dialog = composer.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: bool(dialog.variants[0].body.toPlainText()), timeout=TIMEOUT_MS)
    dialog.variants[0].body.setPlainText("A long letter, line after line.\n" * 120)
    dialog.mail_button.click()
    (opened,) = user.opened
    assert opened.startswith("file:")
    (draft,) = (tmp_path / "drafts").glob("*.eml")
    assert "too long for a mail link" in dialog.notice.text()
    assert str(draft) in dialog.notice.text()
    assert dialog.sent_prompt.asking
    dialog.sent_prompt.no_button.click()
