"""The composer marks a draft whose stream ended before the server finished it."""

from __future__ import annotations

from app.gui.outreach.composer_controller import ComposerController
from app.workspace import Workspace
from tests.gui.outreach.test_composer import (  # noqa: F401  (fixtures)
    REPLY_A,
    an_alert,
    composer,
    use_local_server,
    user,
    wait_drafted,
)
from tests.support.openai_server import FakeOpenAIServer


def test_a_stream_that_ends_early_is_marked_cut_off_with_regenerate(
    qtbot,
    composer: ComposerController,  # noqa: F811
    workspace: Workspace,  # noqa: F811
) -> None:
    alert_id, customer_id, name, _email = an_alert(workspace)
    reply = REPLY_A.format(name=name.split()[0])
    with FakeOpenAIServer(reply=reply, fail_with="end_early", drop_after_chunks=14) as server:
        use_local_server(workspace, server)
        composer.open(alert_id, customer_id)
        dialog = composer.dialog
        assert dialog is not None
        wait_drafted(qtbot, composer)
    for box in dialog.variants:
        assert "This draft was cut off" in box.checks.text()
        assert "Checks passed" not in box.checks.text()
    assert dialog.draft_button.text() == "Regenerate"
