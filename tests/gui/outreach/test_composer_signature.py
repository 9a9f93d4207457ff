"""The composer's draft is signed by the user who sends it (File ▸ Who I am…, or Your
name in Settings ▸ Email drafting), not by the customer's account manager."""

from __future__ import annotations

from app.gui.outreach.composer_controller import ComposerController
from app.workspace import Workspace
from services.core.profile import make_profile, save_profile
from tests.gui.outreach.test_composer import (  # noqa: F401  (fixtures)
    TIMEOUT_MS,
    an_alert,
    composer,
    settings,
    user,
)


def test_the_draft_is_signed_by_the_user_not_the_owner(
    qtbot,
    composer: ComposerController,  # noqa: F811
    workspace: Workspace,
) -> None:
    alert_id, customer_id, _name, _email = an_alert(workspace)
    with workspace.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE customers SET owner = 'Maya Thompson' WHERE id = ?", (customer_id,)
        )
    save_profile(make_profile("Dana Tester", "dana@fern.example"))
    composer.open(alert_id, customer_id)  # no provider: the template
    dialog = composer.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: bool(dialog.variants[0].body.toPlainText()), timeout=TIMEOUT_MS)
    body = dialog.variants[0].body.toPlainText()
    assert body.endswith("\nDana Tester")
    assert "Maya Thompson" not in body
    # Your name, when set, is the one that signs.
    settings(workspace, outreach__sender_name="Dana T.")
    dialog.draft_button.click()
    qtbot.waitUntil(
        lambda: dialog.variants[0].body.toPlainText().endswith("\nDana T."), timeout=TIMEOUT_MS
    )
