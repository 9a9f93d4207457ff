"""The composer follows the card's advice, on the scored demo workspace with the real
widgets: a customer who just left a bad review gets "Put things right first" on the card,
and the composer opens on the apology goal with no discount in the draft."""

# The fixtures come from the sibling modules (imported below), hence the redefinitions.
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt

from app.gui.outreach.composer_controller import ComposerController
from app.workspace import Workspace
from models.schema import Interaction
from services.alerts.detail import alert_detail
from tests.gui.outreach.test_composer import (  # noqa: F401  (the fixtures)
    TIMEOUT_MS,
    User,
    composer,
    memory_keyring,
    rows,
    user,
)


def a_quiet_alert(workspace: Workspace) -> tuple[int, int]:
    """An open gone-quiet (or similar) alert of a contactable customer with an email:
    (alert id, customer id)."""
    found = rows(
        workspace,
        "SELECT a.id, c.id FROM alerts a JOIN customers c ON c.id = a.customer_id "
        "WHERE a.status = 'open' AND a.rule_key IN ('gone_quiet', 'lapse_coming', "
        "'high_risk_high_value') AND c.do_not_contact = 0 AND c.email IS NOT NULL AND NOT "
        "EXISTS (SELECT 1 FROM interactions i WHERE i.customer_id = c.id AND i.kind = "
        "'unsubscribe') ORDER BY a.priority_cents DESC LIMIT 1",
    )
    assert found, "the demo has a quiet alert of a contactable customer"
    return found[0]


def test_after_a_bad_review_the_composer_opens_on_the_apology_with_no_discount(
    qtbot, composer: ComposerController, workspace: Workspace, user: User
) -> None:
    alert_id, customer_id = a_quiet_alert(workspace)
    with workspace.sessions() as session, session.begin():
        session.add(
            Interaction(
                customer_id=customer_id,
                kind="review",
                occurred_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=2),
                subject="Not happy",
                text="Not what I hoped for.",
                rating=2,
                source="test",
            )
        )
    card = alert_detail(workspace.engine, alert_id).recommendation
    assert card.title == "Put things right first"
    composer.open(alert_id, customer_id)  # no provider: the template
    dialog = composer.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: bool(dialog.variants[0].body.toPlainText()), timeout=TIMEOUT_MS)
    assert dialog.goal.currentData() == "apology"
    assert dialog.goal.currentText() == "Apologise after a bad experience"
    assert dialog.variants[0].subject.text().startswith("We're sorry")
    assert "off your next order" not in dialog.variants[0].body.toPlainText()
    assert dialog.incentive.text().startswith("No offer in the draft: put things right first")
