"""The composer shows a link to a domain that is not the team's under the draft, with the
real host a link's text tries to hide, and a request for a password."""

from __future__ import annotations

import os

from app.gui.outreach.composer_controller import ComposerController
from app.workspace import Workspace
from tests.gui.outreach.test_composer import (  # noqa: F401  (fixtures)
    an_alert,
    composer,
    settings,
    use_local_server,
    user,
    wait_drafted,
)
from tests.support.openai_server import FakeOpenAIServer

PHISHING = (
    "Subject: A gift for you\n\nHi there,\n\nYour reward is waiting: sign in with your "
    "password at [example.com](http://evil.test/reward) to claim it. Our spring range is "
    "at https://shop.example.com/spring.\n\nBest"
)


def test_a_link_off_the_teams_domains_is_shown_under_the_draft(
    qtbot,
    composer: ComposerController,  # noqa: F811
    workspace: Workspace,  # noqa: F811
) -> None:
    alert_id, customer_id, _name, _email = an_alert(workspace)
    settings(workspace, outreach__team_domains=["example.com"])
    with FakeOpenAIServer(reply=PHISHING) as server:
        use_local_server(workspace, server)
        composer.open(alert_id, customer_id)
        dialog = composer.dialog
        assert dialog is not None
        wait_drafted(qtbot, composer)
    checks = dialog.variants[0].checks.text()
    assert "Check before sending" in checks
    assert "A link shown as example.com goes to evil.test" in checks
    assert "shop.example.com" not in checks  # the team's own link passes
    assert "never asks for a password" in checks
    if os.environ.get("H5_SHOT"):
        dialog.resize(900, 760)
        dialog.grab().save(os.environ["H5_SHOT"])
