"""The Settings dialog under an organisation's policy: a locked setting is greyed with
"Set by your organisation" and never saved; an organisation default is the default the
page restores."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel

from app.gui.settings_controller import setting_fields, validate
from services.core.policy import LOCKED_NOTE
from services.settings import SETTINGS
from tests.unit.settings.test_policy import policy_file  # noqa: F401  (the fixture)
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


def test_cloud_presets_are_greyed_when_the_organisation_allows_no_cloud_ai(
    qtbot, jobs, tmp_path: Path, monkeypatch
) -> None:
    import json

    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QCheckBox, QComboBox

    from app.gui.email_settings import EmailSettingsActions
    from services.core.policy import current_policy, reload_policy
    from views.settings.email_pages import CLOUD_OFF_TIP

    def open_dialog() -> SettingsDialog:
        fields = setting_fields()
        # As the window opens it: each setting's resolved value (a locked one is the
        # organisation's, services.settings.all_settings).
        values = {f.key: f.default for f in fields} | current_policy().locked
        dialog = SettingsDialog(fields, values, validate, email=EmailSettingsActions(jobs))
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.show_group_named("Email drafting")
        return dialog

    def enabled(dialog: SettingsDialog) -> dict[str, bool]:
        combo = dialog.editor("llm.preset")
        assert isinstance(combo, QComboBox)
        model = combo.model()
        return {
            str(combo.itemData(i)): bool(model.flags(model.index(i, 0)) & Qt.ItemFlag.ItemIsEnabled)
            for i in range(combo.count())
        }

    free = open_dialog()
    assert all(enabled(free).values())
    allow = free.editor("llm.allow_cloud")
    assert isinstance(allow, QCheckBox)
    allow.setChecked(False)  # the user's own choice greys them at once
    assert enabled(free)["openai"] is False
    assert enabled(free)["azure"] is False
    allow.setChecked(True)
    assert enabled(free)["openai"] is True

    policy = tmp_path / "policies.json"
    policy.write_text(json.dumps({"locked": {"llm.allow_cloud": False}}), encoding="utf-8")
    monkeypatch.setenv("ACCOUNT_RADAR_POLICIES", str(policy))
    reload_policy()
    try:
        locked = open_dialog()
        states = enabled(locked)
        assert states["openai"] is False
        assert states["azure"] is False
        assert states["ollama"] is True
        assert states["vllm"] is True
        combo = locked.editor("llm.preset")
        assert isinstance(combo, QComboBox)
        tip = combo.itemData(combo.findData("openai"), Qt.ItemDataRole.ToolTipRole)
        assert tip == CLOUD_OFF_TIP
        assert not locked.editor("llm.allow_cloud").isEnabled()  # set by the organisation
        locked.resize(1100, 760)
        locked.grab().save(str(tmp_path / "no-cloud.png"))
    finally:
        monkeypatch.delenv("ACCOUNT_RADAR_POLICIES")
        reload_policy()
