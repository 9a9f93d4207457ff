"""Who writes the drafts, named as the user knows it, the same in the composer and in
Draft for all (a server of no preset on this computer: "the local model fake-model",
never its keyring id "local:other"); and a template draft on screen is never said to be
written by the model."""

# The fixtures come from the sibling modules (imported below), hence the redefinitions.
# ruff: noqa: F811

from __future__ import annotations

from app.gui.outreach.batch_controller import BatchController
from app.gui.outreach.composer_controller import ComposerController
from app.workspace import Workspace
from tests.gui.outreach.test_composer import (  # noqa: F401  (fixtures)
    TIMEOUT_MS,
    an_alert,
    composer,
    settings,
    user,
    wait_drafted,
)
from tests.gui.outreach.test_review_queue import contactable_alerts, controller  # noqa: F401
from tests.support.openai_server import FakeOpenAIServer


def use_other_server(workspace: Workspace, server: FakeOpenAIServer) -> None:
    settings(workspace, llm__preset="other", llm__base_url=server.base_url, llm__model="fake-model")


def test_a_template_draft_is_not_said_to_be_written_by_the_model(
    qtbot, composer: ComposerController, workspace: Workspace
) -> None:
    alert_id, customer_id, _name, _email = an_alert(workspace)
    with FakeOpenAIServer(models=("fake-model",), fail_with=500) as server:
        use_other_server(workspace, server)
        composer.open(alert_id, customer_id)
        dialog = composer.dialog
        assert dialog is not None
        qtbot.waitUntil(
            lambda: "Template draft" in dialog.notice.text() and not dialog.drafting,
            timeout=TIMEOUT_MS,
        )
        writer = dialog.provider.text()
        assert "fake-model" not in writer
        assert writer == "Drafted from the template library: nothing leaves this computer."
        # The server answers again: Regenerate names it as the user knows it.
        server.fail_with = None
        dialog.draft_button.click()
        qtbot.waitUntil(
            lambda: all("Written by fake-model" in b.source.text() for b in dialog.variants),
            timeout=TIMEOUT_MS,
        )
        wait_drafted(qtbot, composer)
    assert dialog.provider.text() == (
        "Written by the local model fake-model: nothing leaves this computer."
    )
    assert "local:" not in dialog.provider.text()


def test_draft_for_all_names_the_provider_as_the_composer_does(
    qtbot, controller: BatchController, workspace: Workspace
) -> None:
    settings(workspace, llm__preset="other", llm__base_url="http://127.0.0.1:9/v1",
             llm__model="fake-model")  # fmt: skip
    controller.draft_for_all(tuple(contactable_alerts(workspace, 2)), "the test's alerts")
    qtbot.waitUntil(lambda: controller.dialog is not None, timeout=TIMEOUT_MS)
    assert controller.dialog is not None
    assert controller.dialog.by_provider.text() == "Your provider (the local model fake-model)"
