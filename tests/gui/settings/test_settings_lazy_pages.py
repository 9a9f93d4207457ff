"""File ▸ Settings… shows its first page before the others are built: they follow, one
per turn of the event loop once the dialog is painted, and whatever needs every field
(its values, a Save) has them all."""

from __future__ import annotations

from PySide6.QtWidgets import QSpinBox

from app.gui.settings_controller import setting_fields, validate
from views.settings.dialog import SettingsDialog


def test_the_first_page_shows_before_the_others_are_built(qtbot) -> None:  # type: ignore[no-untyped-def]
    values = {f.key: f.default for f in setting_fields()}
    dialog = SettingsDialog(setting_fields(), values, validate)
    qtbot.addWidget(dialog)
    total = dialog.pages.count()
    assert total > 20
    # Built: the first page; every other is an empty scroll area until later.
    assert dialog.pages_built < total // 2
    first = dialog.pages.widget(0)
    assert dialog.current_group() == "Alerts"
    assert first.findChildren(QSpinBox)  # the Alerts page's editors are there
    last = dialog.pages.widget(total - 1)
    assert not last.findChildren(QSpinBox)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: dialog.pages_built == total, timeout=10_000)
    assert last.findChildren(QSpinBox)
    assert dialog.changes() == {}
    assert dialog.problems() == {}


def test_a_page_asked_for_is_built_at_once_and_a_save_sees_every_field(qtbot) -> None:  # type: ignore[no-untyped-def]
    values = {f.key: f.default for f in setting_fields()}
    dialog = SettingsDialog(setting_fields(), values, validate)
    qtbot.addWidget(dialog)
    dialog.show_group_named("Scores")
    assert dialog.current_group() == "Scores"
    weights = dialog.pages.widget(dialog.group_names.index("Scores"))
    assert weights.findChildren(QSpinBox)
    # Never shown: nothing builds the rest behind the user's back...
    built = dialog.pages_built
    assert built < dialog.pages.count()
    # ...until a value is asked for: an unbuilt page's field reads as it was stored.
    dialog.set_field_value("alerts.cooldown_days", 3)
    assert dialog.changes() == {"alerts.cooldown_days": 3}
    assert dialog.pages_built == dialog.pages.count()
