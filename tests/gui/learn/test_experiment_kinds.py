"""The "New experiment…" dialog offers offer-size and channel strategies: a
user picks them with the mouse, the experiment starts with their values, the start is
audited with them, and Results and the report name the kind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import text

from app.workspace import Workspace
from services.alerts.experiments import start_experiment
from services.learn.experiments import experiment_choices, experiments_report
from tests.gui.learn.test_results_experiments import filled  # noqa: F401  (fixture)
from tests.unit.alerts.test_alerts_rules import NOW, at
from views.results.experiment_dialog import NewExperimentDialog
from views.results.experiments import details_text


@pytest.mark.parametrize(
    ("kind", "label", "picks", "values"),
    [
        ("offer", "Offer size", ("No offer", "Up to 15% of the predicted value"), ["0", "15"]),
        ("channel", "Channel", ("Email", "Call", "Meeting"), ["email", "call", "meeting"]),
    ],
)
def test_the_dialog_starts_an_offer_size_or_channel_experiment(  # type: ignore[no-untyped-def]
    qtbot,
    filled: Workspace,  # noqa: F811
    tmp_path: Path,
    kind: str,
    label: str,
    picks: tuple[str, ...],
    values: list[str],
) -> None:
    dialog = NewExperimentDialog(experiment_choices(filled.engine))
    qtbot.addWidget(dialog)
    dialog.resize(460, 700)
    dialog.show()
    kinds = [dialog.kind_combo.itemText(i) for i in range(dialog.kind_combo.count())]
    assert kinds[-2:] == ["Offer size", "Channel"]
    dialog.kind_combo.setCurrentIndex(kinds.index(label))
    offered = [b.text() for b in dialog.strategy_boxes]
    if kind == "offer":
        assert offered == [
            "No offer",
            "Up to 5% of the predicted value",
            "Up to 10% of the predicted value",
            "Up to 15% of the predicted value",
            "Up to 20% of the predicted value",
            "Up to 25% of the predicted value",
        ]
    else:
        assert offered == ["Email", "Call", "Meeting"]
    for box in dialog.strategy_boxes:
        if box.isChecked() != (box.text() in picks):
            qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.name_edit, f"{label} test")
    dialog.grab().save(str(tmp_path / f"dialog-{kind}.png"))
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    spec = dialog.spec()
    assert spec.kind == kind
    assert [s.value for s in spec.strategies] == values
    experiment_id = start_experiment(filled.engine, spec, now=at(41))
    with filled.engine.connect() as conn:
        details = conn.execute(
            text(
                "SELECT details FROM audit_events WHERE action = 'experiment.started' "
                "AND entity_id = :e"
            ),
            {"e": experiment_id},
        ).scalar_one()
    audited = json.loads(details) if isinstance(details, str) else details
    assert audited["kind"] == kind
    assert [s["value"] for s in audited["strategies"]] == values
    (result,) = experiments_report(filled.engine, NOW).experiments
    words = "offer size" if kind == "offer" else "channel"
    assert f"· {words} strategies ·" in details_text(result)
