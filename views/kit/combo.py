"""A combo box the mouse wheel never changes: it changes on a click or a key only, and the
wheel scrolls what it sits in (a table of column mappings, a settings page), so scrolling
past it can never turn "zip" into "Last name"."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QComboBox, QWidget


class ComboBox(QComboBox):
    """A QComboBox that leaves the wheel to its parent (see the module docstring)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802  (Qt's name)
        event.ignore()  # on to the parent, which scrolls
