"""Settings ▸ Per segment on the demo workspace: rules added, given values, reordered
and saved through the dialog; a table or a setting IT locks shown locked with IT's
source and not changeable; a duplicate segment refused in words."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDoubleSpinBox, QLineEdit, QWidget
from sqlalchemy.orm import Session

from app.gui.context import WindowContext
from app.gui.settings_controller import SettingsController
from app.workspace import Workspace
from services.core.policy import LOCKED_NOTE, reload_policy
from services.settings import get_setting
from views.kit.combo import ComboBox
from views.kit.jobs import JobRunner
from views.settings.dialog import SettingsDialog
from views.settings.segment_page import PAGE_TITLE, SegmentPage

KEY = "segments.rules"


@pytest.fixture
def lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    def write(locked: dict[str, Any]) -> None:
        path = tmp_path / "policies.json"
        path.write_text(json.dumps({"locked": locked}), "utf-8")
        monkeypatch.setenv("ACCOUNT_RADAR_POLICIES", str(path))
        assert not reload_policy().problems

    yield write
    monkeypatch.delenv("ACCOUNT_RADAR_POLICIES", raising=False)
    reload_policy()


def _open(qtbot, jobs: JobRunner, workspace: Workspace, answer: Callable[[SettingsDialog], bool]):  # type: ignore[no-untyped-def]
    parent = QWidget()
    qtbot.addWidget(parent)
    controller = SettingsController(
        WindowContext(jobs, parent, lambda: workspace),
        user=lambda: "dana.tester", show=answer, status=lambda _text: None,
    )  # fmt: skip
    return controller


def _page(dialog: SettingsDialog) -> SegmentPage:
    page = dialog.findChild(SegmentPage)
    assert page is not None
    return page


def _editor(page: SegmentPage, key: str) -> Any:
    return next(e for e in page.editors if e.column.key == key)


def _cells(page: SegmentPage) -> list[list[str]]:
    model = page.model
    return [
        [str(model.index(r, c).data()) for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def test_rules_are_added_given_values_reordered_and_saved(  # type: ignore[no-untyped-def]
    qtbot, qtmodeltester, jobs: JobRunner, demo_workspace: Workspace
) -> None:
    seen: list[Any] = []

    def answer(dialog: SettingsDialog) -> bool:
        seen.append(dialog.current_group())
        page = _page(dialog)
        assert page.model.rowCount() == 0
        qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
        assert page.segment_name.currentText() == "Champions"  # the first RFM segment
        tone = _editor(page, "outreach.default_tone")
        tone.own.setChecked(True)
        assert isinstance(tone.widget, ComboBox)
        tone.widget.setCurrentIndex(tone.widget.findData("concise"))
        cap = _editor(page, "outreach.incentive_cap_percent")
        cap.own.setChecked(True)
        assert isinstance(cap.widget, QDoubleSpinBox)
        cap.widget.setValue(25)
        qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
        page.kind.setCurrentIndex(page.kind.findData("tier"))
        page.segment_name.setCurrentText("Gold")
        owner = _editor(page, "alerts.unassigned_owner")
        owner.own.setChecked(True)
        assert isinstance(owner.widget, QLineEdit)
        owner.widget.setText("Rita")
        owner.widget.textEdited.emit("Rita")
        qtbot.mouseClick(page.up_button, Qt.MouseButton.LeftButton)
        qtmodeltester.check(page.model)
        cells = _cells(page)
        assert cells[0][0] == "1. Tier: Gold"
        assert cells[1][:3] == ["2. Champions", "Concise", "25%"]
        assert cells[1][-1] == "—"  # the owner: the workspace's
        assert dialog.problems() == {}
        return True

    controller = _open(qtbot, jobs, demo_workspace, answer)
    with qtbot.waitSignal(controller.settings_saved, timeout=30_000) as saved:
        controller.open(PAGE_TITLE)
    assert seen == [PAGE_TITLE]
    assert saved.args == [[KEY]]
    qtbot.waitUntil(jobs.is_idle, timeout=10_000)
    with Session(demo_workspace.engine) as session:
        assert get_setting(session, KEY) == [
            {"kind": "tier", "name": "Gold", "values": {"alerts.unassigned_owner": "Rita"}},
            {
                "kind": "segment",
                "name": "Champions",
                "values": {
                    "outreach.default_tone": "concise",
                    "outreach.incentive_cap_percent": 25,
                },
            },
        ]


def test_a_lifecycle_stage_is_offered_by_label_and_kept_by_key(  # type: ignore[no-untyped-def]
    qtbot, jobs: JobRunner, demo_workspace: Workspace
) -> None:
    def answer(dialog: SettingsDialog) -> bool:
        page = _page(dialog)
        qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
        page.kind.setCurrentIndex(page.kind.findData("stage"))
        offered = [page.segment_name.itemText(i) for i in range(page.segment_name.count())]
        assert offered == ["Onboarding", "Adoption", "Mature", "Renewal", "At risk"]
        page.segment_name.setCurrentText("At risk")
        cap = _editor(page, "outreach.incentive_cap_percent")
        cap.own.setChecked(True)
        assert isinstance(cap.widget, QDoubleSpinBox)
        cap.widget.setValue(5)
        assert _cells(page)[0][0] == "1. Lifecycle stage: At risk"
        assert dialog.problems() == {}
        return True

    controller = _open(qtbot, jobs, demo_workspace, answer)
    with qtbot.waitSignal(controller.settings_saved, timeout=30_000):
        controller.open(PAGE_TITLE)
    qtbot.waitUntil(jobs.is_idle, timeout=10_000)
    with Session(demo_workspace.engine) as session:
        assert get_setting(session, KEY) == [
            {"kind": "stage", "name": "at_risk", "values": {"outreach.incentive_cap_percent": 5}}
        ]
    # Opened again, the rule shows the stage's label.
    shown: list[str] = []

    def look(dialog: SettingsDialog) -> bool:
        page = _page(dialog)
        shown.extend([_cells(page)[0][0], page.segment_name.currentText()])
        return False

    _open(qtbot, jobs, demo_workspace, look).open(PAGE_TITLE)
    qtbot.waitUntil(jobs.is_idle, timeout=10_000)
    assert shown == ["1. Lifecycle stage: At risk", "At risk"]


def test_a_duplicate_segment_is_refused_in_words(
    qtbot, jobs: JobRunner, demo_workspace: Workspace
) -> None:  # type: ignore[no-untyped-def]
    def answer(dialog: SettingsDialog) -> bool:
        page = _page(dialog)
        for _ in range(2):
            qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
        page.segment_name.setCurrentText("champions")
        assert "has two rules" in dialog.problems()[KEY]
        assert page.error.isVisibleTo(page)
        return False

    controller = _open(qtbot, jobs, demo_workspace, answer)
    controller.open(PAGE_TITLE)
    qtbot.waitUntil(jobs.is_idle, timeout=10_000)


def test_a_table_it_locks_is_shown_locked(  # type: ignore[no-untyped-def]
    qtbot, jobs: JobRunner, demo_workspace: Workspace, lock: Callable[..., None]
) -> None:
    it_rules = [{"kind": "tier", "name": "Gold", "values": {"outreach.incentive_cap_percent": 5}}]
    lock({KEY: it_rules, "outreach.default_tone": "professional"})
    checked: list[bool] = []

    def answer(dialog: SettingsDialog) -> bool:
        page = _page(dialog)
        assert page.lock_note.isVisibleTo(page)
        assert page.lock_note.text().startswith(LOCKED_NOTE)
        assert "policies.json" in page.lock_note.text()
        assert not page.add_button.isEnabled()
        assert not page.remove_button.isEnabled()
        assert all(not e.own.isEnabled() for e in page.editors)
        cells = _cells(page)
        assert cells[0][:3] == ["1. Tier: Gold", "locked by IT", "5%"]
        assert dialog.changes() == {}
        checked.append(True)
        return False

    controller = _open(qtbot, jobs, demo_workspace, answer)
    controller.open(PAGE_TITLE)
    qtbot.waitUntil(lambda: checked == [True], timeout=30_000)
    qtbot.waitUntil(jobs.is_idle, timeout=10_000)
