"""File ▸ Settings…: the dialog built from the settings schema, validation that refuses
bad values with their reason, and the controller saving to a real workspace."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtWidgets import QSpinBox

from app.gui.context import WindowContext
from app.gui.settings_controller import SAVED_MESSAGE, SettingsController, setting_fields, validate
from app.workspace import Workspace
from views.kit.jobs import JobRunner
from views.settings.dialog import SettingField, SettingsDialog


def defaults() -> dict[str, object]:
    return {f.key: f.default for f in setting_fields()}


@pytest.fixture
def dialog(qtbot) -> SettingsDialog:
    d = SettingsDialog(setting_fields(), defaults(), validate)
    qtbot.addWidget(d)
    d.show()
    return d


def test_every_alert_rule_and_the_scores_have_a_page(dialog: SettingsDialog) -> None:
    groups = dialog.group_names
    assert groups[0] == "Alerts"
    assert groups[-1] == "Scores"
    for rule in ("High risk, high value", "Gone quiet", "Stalled deal", "Ticket past SLA"):
        assert rule in groups
    keys = {f.key for f in setting_fields()}
    assert {"alerts.daily_cap_per_owner", "alerts.cooldown_days"} <= keys
    assert {"scoring.health_weights", "scoring.engagement_weights"} <= keys


def test_nothing_changed_means_no_changes(dialog: SettingsDialog) -> None:
    assert dialog.changes() == {}
    assert dialog.problems() == {}


def test_a_valid_change_is_accepted(qtbot, dialog: SettingsDialog) -> None:
    cap = dialog.editor("alerts.daily_cap_per_owner")
    assert isinstance(cap, QSpinBox)
    cap.setValue(10)
    dialog._editors["scoring.health_weights"].parts["recency"].setValue(40)
    with qtbot.waitSignal(dialog.accepted, timeout=1000):
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    changes = dialog.changes()
    assert changes["alerts.daily_cap_per_owner"] == 10
    assert changes["scoring.health_weights"]["recency"] == 40
    assert set(changes) == {"alerts.daily_cap_per_owner", "scoring.health_weights"}


def test_a_bad_value_is_refused_with_its_reason(qtbot, dialog: SettingsDialog) -> None:
    dialog._editors["scoring.engagement_weights"].parts["monetary"].setValue(-3)
    with qtbot.assertNotEmitted(dialog.accepted):
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert dialog.isVisible()
    error = dialog._errors["scoring.engagement_weights"]
    assert error.isVisible()
    assert "monetary" in error.text()
    assert "at least 0" in error.text()
    assert dialog.summary.isVisible()
    # The dialog went to the page with the problem.
    assert dialog.current_group() == "Scores"


def test_restore_defaults_on_a_page(dialog: SettingsDialog) -> None:
    dialog.show_group(0)
    dialog.editor("alerts.cooldown_days").setValue(3)  # type: ignore[attr-defined]
    assert dialog.changes() == {"alerts.cooldown_days": 3}
    dialog.defaults_button.click()
    assert dialog.changes() == {}


def test_the_controller_saves_to_the_workspace_audited_and_versioned(
    qtbot, jobs: JobRunner, demo_workspace: Workspace
) -> None:
    shown: list[SettingsDialog] = []
    statuses: list[str] = []

    def answer(d: SettingsDialog) -> bool:
        shown.append(d)
        d.editor("alerts.daily_cap_per_owner").setValue(7)  # type: ignore[attr-defined]
        return True

    from PySide6.QtWidgets import QWidget

    parent = QWidget()
    qtbot.addWidget(parent)
    controller = SettingsController(
        WindowContext(jobs, parent, lambda: demo_workspace),
        user=lambda: "dana.tester",
        show=answer,
        status=statuses.append,
    )
    with qtbot.waitSignal(controller.settings_saved, timeout=30_000) as saved:
        controller.open()
    assert saved.args == [["alerts.daily_cap_per_owner"]]
    assert statuses == [SAVED_MESSAGE]
    qtbot.waitUntil(jobs.is_idle, timeout=10_000)
    path = demo_workspace.engine.url.database
    assert path is not None
    con = sqlite3.connect(path)
    try:
        value = con.execute(
            "SELECT value FROM settings WHERE key = 'alerts.daily_cap_per_owner'"
        ).fetchone()
        audit = con.execute(
            "SELECT actor FROM audit_events WHERE action = 'settings.changed'"
        ).fetchall()
    finally:
        con.close()
    assert value is not None
    assert str(value[0]) == "7"
    assert audit == [("dana.tester",)]


# -- the generic kinds the email pages use ------------------------------------------------


def test_text_multiline_and_fields_round_trip(qtbot) -> None:
    from PySide6.QtWidgets import QCheckBox, QLineEdit, QPlainTextEdit

    fields = [
        SettingField("t.name", "Name", "Texts", "text", "", placeholder="e.g. Ana"),
        SettingField("t.note", "Note", "Texts", "multiline", ""),
        SettingField(
            "t.sent",
            "Sent",
            "Texts",
            "fields",
            ["a", "c"],
            choices=("a", "b", "c"),
            choice_labels=("Alpha", "Beta", "Gamma"),
        ),
    ]
    opened = {"t.name": "  Ana  ", "t.note": "Best,\n{owner}", "t.sent": ["c", "a"]}
    d = SettingsDialog(fields, opened, lambda _k, _v: None)
    qtbot.addWidget(d)
    name, note = d.editor("t.name"), d.editor("t.note")
    assert isinstance(name, QLineEdit)
    assert isinstance(note, QPlainTextEdit)
    assert name.placeholderText() == "e.g. Ana"
    assert d.values() == {"t.name": "Ana", "t.note": "Best,\n{owner}", "t.sent": ["a", "c"]}
    # A stored list in another order is the same set of boxes: no change.
    assert d.changes() == {"t.name": "Ana"}
    boxes = {b.text(): b for b in d.editor("t.sent").findChildren(QCheckBox)}
    assert set(boxes) == {"Alpha", "Beta", "Gamma"}
    assert boxes["Alpha"].isChecked()
    assert not boxes["Beta"].isChecked()
    boxes["Beta"].setChecked(True)
    boxes["Gamma"].setChecked(False)
    name.setText("Bo")
    note.setPlainText("Cheers,\nBo\n\n")
    assert d.changes() == {"t.name": "Bo", "t.note": "Cheers,\nBo", "t.sent": ["a", "b"]}
    d.set_field_value("t.sent", [])
    assert d.value("t.sent") == []


def test_the_privacy_defaults_keep_surname_email_and_phone_home(dialog: SettingsDialog) -> None:
    from PySide6.QtWidgets import QCheckBox

    boxes = {b.text(): b for b in dialog.editor("outreach.sent_fields").findChildren(QCheckBox)}
    for label in ("First name", "Surname", "Email address", "Phone", "Company"):
        assert label in boxes
    assert not boxes["Surname"].isChecked()
    assert not boxes["Email address"].isChecked()
    assert not boxes["Phone"].isChecked()
    assert boxes["First name"].isChecked()
    assert boxes["Company"].isChecked()
    boxes["Phone"].setChecked(True)
    changed = dialog.changes()["outreach.sent_fields"]
    assert "phone" in changed
    assert "email" not in changed


def test_email_drafting_and_sending_have_pages_without_the_hidden_settings(
    dialog: SettingsDialog,
) -> None:
    groups = dialog.group_names
    assert groups.index("Email drafting") < groups.index("Sending email") < groups.index("Scores")
    assert groups.index("Stalled deal") < groups.index("Email drafting")
    keys = {f.key for f in setting_fields()}
    assert {"llm.preset", "llm.base_url", "llm.model", "outreach.brand_voice"} <= keys
    assert {"smtp.host", "smtp.port", "smtp.security", "smtp.user", "smtp.from_address"} <= keys
    assert "llm.reviewed_remote" not in keys
    assert "outreach.templates" not in keys
    kinds = {f.key: f.kind for f in setting_fields()}
    assert kinds["outreach.signature"] == "multiline"
    assert kinds["smtp.host"] == "text"
    assert kinds["llm.model"] == "suggest"
    assert kinds["outreach.sent_fields"] == "fields"
    # The provider box reads like the products, not like setting values.
    preset = dialog.editor("llm.preset")
    titles = [preset.itemText(i) for i in range(preset.count())]  # type: ignore[attr-defined]
    assert "LM Studio" in titles
    assert "Azure OpenAI" in titles


def test_a_bad_base_url_is_refused_with_its_reason(qtbot, dialog: SettingsDialog) -> None:
    dialog.editor("llm.base_url").setText("localhost:11434")  # type: ignore[attr-defined]
    with qtbot.assertNotEmitted(dialog.accepted):
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert dialog.current_group() == "Email drafting"
    error = dialog._errors["llm.base_url"]
    assert error.isVisible()
    assert "http://" in error.text()


def test_the_escalations_have_a_page_beside_the_alert_rules_and_save(
    qtbot, jobs: JobRunner, demo_workspace: Workspace
) -> None:
    def answer(d: SettingsDialog) -> bool:
        groups = d.group_names
        assert groups.index("Stalled deal") < groups.index("Escalations") < groups.index("Scores")
        d.show_group_named("Escalations")
        d.editor("escalation.ticket.enabled").setChecked(True)  # type: ignore[attr-defined]
        d.editor("escalation.team_lead").setText("Dana Reyes")  # type: ignore[attr-defined]
        d.editor("escalation.notify_email").setText("lead@fern.example")  # type: ignore[attr-defined]
        d.editor("escalation.churn.min_clv").setValue(2500)  # type: ignore[attr-defined]
        return True

    from PySide6.QtWidgets import QWidget

    parent = QWidget()
    qtbot.addWidget(parent)
    controller = SettingsController(
        WindowContext(jobs, parent, lambda: demo_workspace),
        user=lambda: "dana.tester", show=answer, status=lambda _text: None,
    )  # fmt: skip
    with qtbot.waitSignal(controller.settings_saved, timeout=30_000) as saved:
        controller.open()
    assert set(saved.args[0]) == {
        "escalation.ticket.enabled",
        "escalation.team_lead",
        "escalation.notify_email",
        "escalation.churn.min_clv",
    }
    qtbot.waitUntil(jobs.is_idle, timeout=10_000)
    from sqlalchemy.orm import Session

    from services.settings import get_setting

    with Session(demo_workspace.engine) as session:
        assert get_setting(session, "escalation.ticket.enabled") is True
        assert get_setting(session, "escalation.team_lead") == "Dana Reyes"
        assert get_setting(session, "escalation.notify_email") == "lead@fern.example"
        assert get_setting(session, "escalation.churn.min_clv") == 2500
        assert get_setting(session, "escalation.deal.enabled") is False
