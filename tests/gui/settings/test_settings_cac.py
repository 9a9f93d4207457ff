"""Settings ▸ Retention: the cost of acquiring a customer by channel, typed as
"online=45, store=30" in the window and saved to a real workspace, refused in words when
it cannot be read, and greyed with the organisation's value when IT locks it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget
from sqlalchemy.orm import Session

from app.gui.context import WindowContext
from app.gui.settings_controller import SettingsController, setting_fields, validate
from app.workspace import Workspace
from services.core.policy import LOCKED_NOTE, current_policy, reload_policy
from services.settings import get_setting
from views.kit.jobs import JobRunner
from views.settings.dialog import SettingsDialog

KEY = "retention.cac_by_channel"


def _editor(dialog: SettingsDialog) -> QLineEdit:
    editor = dialog.editor(KEY)
    assert isinstance(editor, QLineEdit)
    return editor


def test_typed_in_the_window_and_saved(qtbot, jobs: JobRunner, demo_workspace: Workspace) -> None:  # type: ignore[no-untyped-def]
    pages: list[str] = []

    def answer(d: SettingsDialog) -> bool:
        pages.append(d.current_group())
        assert _editor(d).placeholderText() == "e.g. online=45, store=30"
        _editor(d).setText("online=45, Store=30.5")
        return True

    parent = QWidget()
    qtbot.addWidget(parent)
    controller = SettingsController(
        WindowContext(jobs, parent, lambda: demo_workspace),
        user=lambda: "dana.tester", show=answer, status=lambda _text: None,
    )  # fmt: skip
    with qtbot.waitSignal(controller.settings_saved, timeout=30_000) as saved:
        controller.open("Retention")  # as "Set CAC per channel…" asks for it
    assert pages == ["Retention"]
    assert saved.args == [[KEY]]
    qtbot.waitUntil(jobs.is_idle, timeout=10_000)
    with Session(demo_workspace.engine) as session:
        assert get_setting(session, KEY) == {"online": 45.0, "Store": 30.5}


def test_a_value_that_cannot_be_read_is_refused_in_words(qtbot) -> None:  # type: ignore[no-untyped-def]
    values = {f.key: f.default for f in setting_fields()}
    dialog = SettingsDialog(setting_fields(), values, validate)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.show_group_named("Retention")
    _editor(dialog).setText("online=-4")
    with qtbot.assertNotEmitted(dialog.accepted):
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert dialog.isVisible()
    assert "0 or more" in dialog._errors[KEY].text()
    _editor(dialog).setText("online=40, store=25")
    with qtbot.waitSignal(dialog.accepted, timeout=1000):
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert dialog.changes() == {KEY: {"online": 40.0, "store": 25.0}}


@pytest.fixture
def locked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    policy = tmp_path / "policies.json"
    policy.write_text(json.dumps({"locked": {KEY: {"online": 80}}}), encoding="utf-8")
    monkeypatch.setenv("ACCOUNT_RADAR_POLICIES", str(policy))
    reload_policy()
    yield
    monkeypatch.delenv("ACCOUNT_RADAR_POLICIES")
    reload_policy()


def test_locked_by_it(qtbot, locked: None) -> None:  # type: ignore[no-untyped-def]
    fields = setting_fields()
    assert next(f for f in fields if f.key == KEY).locked
    values = {f.key: f.default for f in fields} | current_policy().locked
    dialog = SettingsDialog(fields, values, validate)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.show_group_named("Retention")
    editor = _editor(dialog)
    assert not editor.isEnabled()
    assert editor.text() == "online=80"
    note = dialog.findChild(QWidget, f"settingBlock:{KEY}").findChild(QLabel, "lockedNote")
    assert note is not None
    assert note.text() == LOCKED_NOTE
    assert KEY not in dialog.changes()
