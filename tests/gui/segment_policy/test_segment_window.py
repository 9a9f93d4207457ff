"""Settings per segment in the window: a card's Start playbook… menu puts the playbook
suggested for the customer's segment first and says for which segment; the composer's
tone says whose it is ("Concise (Champions)")."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from app.gui.outreach.composer_controller import tone_choices
from app.workspace import Workspace
from services.settings import set_setting
from tests.gui.alerts.test_alerts_window import db_rows
from tests.gui.alerts.test_playbooks_window import first_contactable_card
from tests.gui.alerts.test_playbooks_window import window as window  # noqa: F401 (fixture)
from views.kit.jobs import JobRunner
from views.shell.main_window import MainWindow


@pytest.fixture
def suggested(workspace: Workspace) -> str:
    """The segment of the customer of the card first_contactable_card picks, suggested
    Renewal save (set before the window opens)."""
    ((segment,),) = db_rows(
        workspace,
        "SELECT s.segment FROM alerts a JOIN customers c ON c.id = a.customer_id "
        "JOIN score_snapshots s ON s.customer_id = a.customer_id "
        "WHERE a.status = 'open' AND NOT a.holdout AND NOT c.do_not_contact "
        "AND a.rule_key IN ('high_risk_high_value', 'gone_quiet', 'risk_rising') "
        "AND a.customer_id NOT IN (SELECT customer_id FROM playbook_runs) "
        "ORDER BY a.priority_cents DESC, s.as_of DESC, s.id DESC LIMIT 1",
    )
    assert segment
    rules = [
        {"kind": "segment", "name": segment, "values": {"playbooks.suggested": "renewal_save"}}
    ]
    with Session(workspace.engine) as session, session.begin():
        set_setting(session, "segments.rules", rules)
    return str(segment)


def test_the_card_offers_its_segments_playbook_first(
    qtbot,
    workspace: Workspace,
    suggested: str,
    window: MainWindow,
    jobs: JobRunner,  # noqa: F811
) -> None:
    first_contactable_card(qtbot, window, jobs, workspace)
    box = window.alerts_view.action_pane.playbooks
    names = [a.text() for a in box.menu.actions()]
    assert names[0] == f"Renewal save  ·  4 steps  ·  suggested for {suggested}"
    assert names[1:3] == ["Win-back  ·  3 steps", "Onboarding check-in  ·  4 steps"]
    # A card of a customer outside that segment offers them in the usual order.
    ((other,),) = db_rows(
        workspace,
        "SELECT a.id FROM alerts a JOIN score_snapshots s ON s.customer_id = a.customer_id "
        "WHERE a.status = 'open' AND s.segment <> ? ORDER BY a.priority_cents DESC LIMIT 1",
        suggested,
    )
    pane = window.alerts_view.alerts_pane
    assert pane.show_alert(other) or pane.select_alert(other)
    qtbot.waitUntil(
        lambda: box.menu.actions()[0].text() == "Win-back  ·  3 steps" and jobs.is_idle(),
        timeout=60_000,
    )


@pytest.mark.parametrize(
    ("tone", "segment", "shown"),
    [("concise", "Champions", "Concise (Champions)"), ("warm", "", "Warm")],
)
def test_the_composer_names_the_segment_whose_tone_it_uses(
    tone: str, segment: str, shown: str
) -> None:
    labels = dict(tone_choices(tone, segment))
    assert labels[tone] == shown
    others = [label for key, label in labels.items() if key != tone]
    assert all("(" not in label for label in others)
