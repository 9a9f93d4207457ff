"""The composer starts with the strategy a running experiment gave the alert: the tone
chosen in its Tone list, and the experiment named above the drafts."""

from __future__ import annotations

from app.gui.outreach.composer_controller import ComposerController
from app.workspace import Workspace
from services.alerts.experiments import ExperimentSpec, Strategy, start_experiment
from services.alerts.holdout import HOLDOUT_RULES
from tests.gui.outreach.test_composer import (  # noqa: F401  (fixtures)
    TIMEOUT_MS,
    composer,
    rows,
    user,
)

TONES = (
    Strategy("friendly", "Friendly tone", "friendly"),
    Strategy("concise", "Concise tone", "concise"),
)


def test_the_composer_starts_with_the_assigned_tone_and_says_so(
    qtbot,
    composer: ComposerController,  # noqa: F811
    workspace: Workspace,
) -> None:
    spec = ExperimentSpec(
        "Friendly or concise", "tone", TONES, tuple(sorted(HOLDOUT_RULES)),
        ("low", "medium", "high"), seed=2,
    )  # fmt: skip
    experiment_id = start_experiment(workspace.engine, spec)
    found = rows(
        workspace,
        "SELECT a.id, c.id, x.strategy FROM experiment_assignments x "
        "JOIN alerts a ON a.id = x.alert_id JOIN customers c ON c.id = a.customer_id "
        "WHERE c.do_not_contact = 0 AND c.email IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
        "interactions i WHERE i.customer_id = c.id AND i.kind = 'unsubscribe') "
        "AND x.experiment_id = ? ORDER BY a.priority_cents DESC",
        experiment_id,
    )
    assert {s for _a, _c, s in found} == {"friendly", "concise"}
    for alert_id, customer_id, strategy in found[:2]:
        composer.open(alert_id, customer_id)
        dialog = composer.dialog
        assert dialog is not None
        qtbot.waitUntil(lambda d=dialog: bool(d.variants[0].body.toPlainText()), timeout=TIMEOUT_MS)
        assert dialog.tone.currentData() == strategy
        assert not dialog.experiment.isHidden()
        label = dict((s.key, s.label) for s in TONES)[strategy]
        assert dialog.experiment.text() == (
            f'Experiment "Friendly or concise": {label} (chosen at random for this alert).'
        )
        assert composer.request is not None
        assert composer.request.context.tone == strategy
        dialog.close()
        qtbot.waitUntil(lambda: composer.dialog is None, timeout=TIMEOUT_MS)


OFFERS = (Strategy("0", "No offer", "0"), Strategy("15", "Up to 15% of the value", "15"))


def test_the_composer_states_the_offer_cap_the_experiment_gave(
    qtbot,
    composer: ComposerController,  # noqa: F811
    workspace: Workspace,
) -> None:
    spec = ExperimentSpec(
        "Offer or not", "offer", OFFERS, tuple(sorted(HOLDOUT_RULES)),
        ("low", "medium", "high"), seed=4,
    )  # fmt: skip
    experiment_id = start_experiment(workspace.engine, spec)
    found = rows(
        workspace,
        "SELECT a.id, c.id, x.strategy FROM experiment_assignments x "
        "JOIN alerts a ON a.id = x.alert_id JOIN customers c ON c.id = a.customer_id "
        "WHERE c.email IS NOT NULL AND x.experiment_id = ? ORDER BY a.priority_cents DESC",
        experiment_id,
    )
    firsts = {s: (a, c) for a, c, s in reversed(found)}
    assert set(firsts) == {"0", "15"}
    for strategy, (alert_id, customer_id) in sorted(firsts.items()):
        composer.open(alert_id, customer_id)
        dialog = composer.dialog
        assert dialog is not None
        qtbot.waitUntil(lambda d=dialog: bool(d.variants[0].body.toPlainText()), timeout=TIMEOUT_MS)
        assert composer.request is not None
        ctx = composer.request.context
        assert ctx.incentive_cap_percent == float(strategy)
        if strategy == "0":
            assert ctx.incentive_cap_cents is None
            assert dialog.incentive.text() == (
                'No offers: experiment "Offer or not" makes no offer to this customer.'
            )
        else:
            assert ctx.clv_12m_cents is not None
            assert dialog.incentive.text().startswith(
                f"Any offer stays at or under {ctx.incentive} (15% "
            )
            assert dialog.incentive.text().endswith(', the cap of experiment "Offer or not").')
        dialog.close()
        qtbot.waitUntil(lambda: composer.dialog is None, timeout=TIMEOUT_MS)
