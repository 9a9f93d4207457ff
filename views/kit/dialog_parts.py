"""Small pieces the dialogs share (the import windows, the sync report): the active theme,
toned labels, table set-up."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QLabel,
    QTableView,
    QWidget,
)

from views.kit.theme import DARK, LIGHT, Theme

# Label tones the style sheet colours (resources/styles/app.qss, [tone="..."]).
TONES = ("", "muted", "positive", "warning", "critical")


def current_theme(widget: QWidget | None = None) -> Theme:
    """The theme in use, read from the palette (dialogs are not handed the ThemeManager)."""
    pal = widget.palette() if widget is not None else QApplication.palette()
    return DARK if pal.color(QPalette.ColorRole.Window).lightness() < 128 else LIGHT


def set_tone(label: QLabel, tone: str) -> None:
    """Colour a label by meaning; re-polishes so the style sheet picks the property up."""
    if label.property("tone") == tone:
        return
    label.setProperty("tone", tone)
    label.style().unpolish(label)
    label.style().polish(label)


def plain_label(text: str, parent: QWidget, name: str, *, wrap: bool = True) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName(name)
    label.setWordWrap(wrap)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def configure_table(table: QTableView, *, sortable: bool = True) -> None:
    """A read-only, row-selecting table in the house look."""
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    table.setSortingEnabled(sortable)
    vheader = table.verticalHeader()
    vheader.hide()
    vheader.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    vheader.setDefaultSectionSize(table.fontMetrics().height() + 10)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
