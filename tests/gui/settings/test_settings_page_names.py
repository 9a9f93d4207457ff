"""Every page's name in Settings' list is whole, at 100 % text and at 150 % (a larger
font): the list is as wide as its longest name."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QStyle

from app.gui.settings_controller import setting_fields, validate
from services.settings import SETTINGS
from views.kit.theme import LIGHT, stylesheet
from views.settings.dialog import ITEM_PADDING, SettingsDialog


@pytest.mark.parametrize("points", [9.0, 13.5])
def test_every_page_name_is_whole(qtbot, qapp: QApplication, points: float) -> None:
    values = {key: spec.default for key, spec in SETTINGS.items()}
    before, sheet = qapp.font(), qapp.styleSheet()
    font = QFont(before)
    font.setPointSizeF(points)
    qapp.setFont(font)
    qapp.setStyleSheet(stylesheet(LIGHT))  # the items' padding, the list's scroll bar
    try:
        dialog = SettingsDialog(setting_fields(), values, validate, None)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        groups = dialog.groups
        metrics = groups.fontMetrics()
        longest = max(dialog.group_names, key=metrics.horizontalAdvance)
        assert "Risk raised in a conversation" in dialog.group_names
        # What the style lays an item's text out in: the padding and its own margin.
        margin = groups.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 1
        room = groups.viewport().width() - 2 * (ITEM_PADDING + margin)
        assert metrics.horizontalAdvance(longest) < room, (longest, room)
        assert not groups.horizontalScrollBar().isVisible()
    finally:
        qapp.setFont(before)
        qapp.setStyleSheet(sheet)
