"""Which settings are the person's own and which stay with the workspace, as the Settings
dialog says it: a tag beside a page's, a section's or a setting's title, and one line of
explanation at the top of a page (services/core/setting_spec.py ``scope``)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

YOURS = "Yours, in every workspace"
THIS_WORKSPACE = "This workspace"
YOURS_TIP = (
    "Kept with you on this computer (your own settings file, and the system keyring for "
    "keys and passwords): the same in every workspace you open, never stored in a "
    "workspace, shared or not."
)
THIS_WORKSPACE_TIP = "Kept in this workspace: everyone who opens it uses the same value."
# One line under a page's title.
ALL_YOURS_NOTE = (
    "These settings are yours: they follow you to every workspace you open on this computer."
)
ALL_WORKSPACE_NOTE = (
    "These settings stay with this workspace: everyone who opens it uses the same values."
)
MIXED_NOTE = (
    f"Settings marked “{YOURS}” follow you to every workspace you open on this computer; "
    f"those marked “{THIS_WORKSPACE}” stay with this workspace and everyone who opens it."
)


def scope_tag(personal: bool, parent: QWidget) -> QLabel:
    """The small tag saying where a setting is kept."""
    tag = QLabel(YOURS if personal else THIS_WORKSPACE, parent)
    tag.setObjectName("scopeTag")
    tag.setProperty("chip", "info" if personal else "muted")
    tag.setProperty("personal", personal)
    tag.setToolTip(YOURS_TIP if personal else THIS_WORKSPACE_TIP)
    tag.setAccessibleName(f"Kept: {tag.text()}")
    return tag


def page_note(scopes: Sequence[bool], parent: QWidget) -> QLabel:
    """The line under a page's title: whose its settings are (``scopes``: each setting's
    ``personal``)."""
    kinds = set(scopes)
    if kinds == {True}:
        words = ALL_YOURS_NOTE
    elif kinds == {False}:
        words = ALL_WORKSPACE_NOTE
    else:
        words = MIXED_NOTE
    note = QLabel(words, parent)
    note.setObjectName("scopeNote")
    note.setWordWrap(True)
    return note


def titled(title: QLabel, tag: QLabel | None, parent: QWidget) -> QWidget:
    """A title with its scope tag after it (or the title alone)."""
    if tag is None:
        return title
    row_widget = QWidget(parent)
    row = QHBoxLayout(row_widget)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(8)
    row.addWidget(title)
    row.addWidget(tag)
    row.addStretch(1)
    return row_widget
