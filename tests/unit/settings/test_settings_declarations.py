"""One declaration per setting holds everything about it, the Settings dialog's part too.

Whether the dialog shows a setting, on which page, under which sub-heading, in which
place, with which editor and grey hint, and what saving it means, is said by the
setting's declaration (services/core/setting_spec.py); app/gui/settings_controller.py
keeps no table of keys of its own.
"""

from __future__ import annotations

from typing import get_args

from app.gui.settings_controller import setting_fields
from services.core.setting_spec import SettingKind
from services.settings import MONEY_KEYS, SETTINGS, VERSIONED_PREFIXES

KINDS = set(get_args(SettingKind))


def test_every_setting_the_dialog_shows_has_a_page_and_a_kind() -> None:
    shown = [spec for spec in SETTINGS.values() if not spec.hidden]
    assert len(shown) > 50
    for spec in shown:
        assert spec.page, f"{spec.key} is shown in the Settings dialog but on no page"
        assert spec.kind in KINDS, f"{spec.key}: the dialog has no editor {spec.kind!r}"
        if spec.kind == "choice":
            assert spec.choices, spec.key
        if spec.kind == "weights":
            assert isinstance(spec.default, dict), spec.key
            assert spec.default, spec.key


def test_hidden_settings_are_not_shown_and_the_others_are() -> None:
    keys = [f.key for f in setting_fields()]
    hidden = {key for key, spec in SETTINGS.items() if spec.hidden}
    assert hidden >= {"llm.reviewed_remote", "outreach.templates", "ask.saved", "config.version"}
    assert not hidden & set(keys)
    assert sorted(keys) == sorted(key for key in SETTINGS if key not in hidden)
    for key in hidden:
        spec = SETTINGS[key]
        # Nothing said about a dialog that never shows it.
        assert (spec.section, spec.order, spec.placeholder) == ("", 0, ""), key


def test_the_dialog_shows_what_the_declaration_says() -> None:
    fields = setting_fields()
    for field in fields:
        spec = SETTINGS[field.key]
        assert (field.group, field.kind, field.section, field.placeholder) == (
            spec.page,
            spec.kind,
            spec.section,
            spec.placeholder,
        )
    pages = list(dict.fromkeys(field.group for field in fields))
    assert pages[0] == "Alerts"
    assert pages[-1] == "Scores"
    # Each page in its settings' order.
    for page in pages:
        orders = [SETTINGS[f.key].order for f in fields if f.group == page]
        assert orders == sorted(orders), page


def test_what_saving_means_agrees_with_the_store() -> None:
    """A scoring or alert setting is versioned by the store (set_setting) and applies from
    the next scoring; a money setting makes the store recompute the customer totals."""
    for key, spec in SETTINGS.items():
        assert (spec.applies == "next_scoring") == key.startswith(VERSIONED_PREFIXES), key
        assert (spec.applies == "money") == (key in MONEY_KEYS), key
