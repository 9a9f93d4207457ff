"""The pinned Qt binding must not leak or drain references (a whole session depends on it)."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot


def test_void_qt_calls_and_unset_properties_keep_the_reference_count_of_none(
    qtbot: QtBot,
) -> None:
    # PySide6 6.12.0 on Python 3.11 dropped one reference to None on each such call, and
    # the interpreter aborted ("deallocating None") once the count reached zero.
    label = QLabel("x")
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(1000):
        label.resize(10, 10)
        label.setText("y")
        label.property("never_set")
    assert abs(sys.getrefcount(None) - before) < 50
