"""The Settings dialog under an organisation's policy: a locked setting is greyed with
"Set by your organisation" and never saved; an organisation default is the default the
page restores."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel

from app.gui.settings_controller import setting_fields, validate
from services.policy import LOCKED_NOTE
from services.settings import SETTINGS
from tests.unit.test_policy import policy_file  # noqa: F401  (the fixture)
from views.settings.dialog import SettingsDialog


def test_the_settings_dialog_greys_a_locked_setting(qtbot, policy_file: Path) -> None:  # noqa: F811
    values = {key: spec.default for key, spec in SETTINGS.items()}
    fields = setting_fields()
    by_key = {f.key: f for f in fields}
    assert by_key["llm.base_url"].locked
    assert not by_key["llm.model"].locked
    assert by_key["learn.holdout_percent"].default == 20  # the organisation's default
    dialog = SettingsDialog(fields, values, validate, None)
    qtbot.addWidget(dialog)
    dialog.show_group_named("Email drafting")
    block = dialog.findChild(QLabel, "lockedNote")
    assert block is not None
    assert block.text() == LOCKED_NOTE
    assert block.parent().objectName() == "settingBlock:llm.base_url"
    assert len(dialog.findChildren(QLabel, "lockedNote")) == 2  # base URL, sent fields
    assert not dialog._editors["llm.base_url"].widget.isEnabled()
    assert dialog._editors["llm.model"].widget.isEnabled()
    # Restore defaults leaves the locked value alone; nothing locked is ever a change.
    dialog.show_group_named("Measuring outreach")
    dialog._on_defaults_button_clicked()
    assert "llm.base_url" not in dialog.changes()
