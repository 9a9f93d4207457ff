"""A theme change restyles each widget once: Qt re-polishes a widget once per ancestor
when one application style sheet replaces another, which made a theme change take
seconds in a deep window."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget

from views.kit.theme import DARK, ThemeManager, ThemeMode, stylesheet

DEPTH = 12


class StyleChanges(QObject):
    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, _obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.StyleChange:
            self.count += 1
        return False


@pytest.fixture
def theme(qapp: QApplication) -> Iterator[ThemeManager]:
    manager = ThemeManager(qapp, ThemeMode.LIGHT)
    yield manager
    manager.set_mode(ThemeMode.LIGHT)
    manager.deleteLater()


def test_a_theme_change_polishes_a_deep_widget_once_or_twice(qtbot, theme, qapp) -> None:  # type: ignore[no-untyped-def]
    top = QWidget()
    qtbot.addWidget(top)
    parent = top
    for _ in range(DEPTH):  # a widget twelve levels down, as in the window's panes
        child = QWidget(parent)
        QVBoxLayout(parent).addWidget(child)
        parent = child
    leaf = QLabel("deep", parent)
    top.show()
    qtbot.waitExposed(top)
    changes = StyleChanges(leaf)
    theme.set_mode(ThemeMode.DARK)
    # Cleared, then set: two passes at most, not one per ancestor (13 here).
    assert 1 <= changes.count <= 2
    assert qapp.styleSheet() == stylesheet(DARK)
    assert qapp.palette().color(QPalette.ColorRole.Window).name() == DARK.window.lower()
