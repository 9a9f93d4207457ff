"""What a screen reader says: names and descriptions of the window's controls, given in one
consistent way.

Qt reads a control's accessible name from its text (a button's, a tab's, a check box's),
from the label whose buddy it is (``QLabel.setBuddy``, and every ``QFormLayout`` row), or
from ``setAccessibleName``; its description from ``setAccessibleDescription``, else from
its tool tip. Controls with neither a text nor a label beside them (icon buttons, search
fields, filter combo boxes, lists, tables, charts) are named here, with the words a
sighted user reads around them. Items of lists and tables read as sentences through
``Qt.AccessibleTextRole`` in their models (views/item_models/).
"""

from __future__ import annotations

from typing import Any, TypeVar

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QToolButton, QWidget

W = TypeVar("W", bound=QWidget)

ACCESSIBLE_TEXT = Qt.ItemDataRole.AccessibleTextRole
ACCESSIBLE_DESCRIPTION = Qt.ItemDataRole.AccessibleDescriptionRole
ACCESSIBLE_ROLES = (ACCESSIBLE_TEXT, ACCESSIBLE_DESCRIPTION)
# An empty cell, as a screen reader says it (rather than skipping it in silence).
BLANK = "blank"


def name(widget: W, text: str, description: str | None = None) -> W:
    """Give ``widget`` an accessible name (and a description, else its tool tip is read)."""
    widget.setAccessibleName(text)
    if description is not None:
        widget.setAccessibleDescription(description)
    return widget


def name_field(edit: QLineEdit, text: str, description: str | None = None) -> QLineEdit:
    """Name a field that has no label beside it (a search box says what it searches in its
    placeholder, which a screen reader does not read as a name), and its clear button."""
    name(edit, text, description)
    for button in edit.findChildren(QToolButton):
        if not button.accessibleName():
            button.setAccessibleName(f"Clear {text[:1].lower()}{text[1:]}")
    return edit


def label_for(label: QLabel, field: QWidget) -> QLabel:
    """The label beside a field names it (and Alt plus the label's underlined letter, when
    it has one, moves the focus to the field)."""
    label.setBuddy(field)
    return label


def describe(widget: QWidget, summary: str, *, tip: bool = False) -> None:
    """A text summary of what ``widget`` shows (a chart's figures in words): read by a
    screen reader after the name, and on hover when ``tip``."""
    widget.setAccessibleDescription(summary)
    if tip:
        widget.setToolTip(summary)


def _text(model: QAbstractItemModel, index: QModelIndex | QPersistentModelIndex) -> str:
    value = model.data(index, Qt.ItemDataRole.DisplayRole)
    return "" if value is None else str(value).strip()


def row_sentence(model: QAbstractItemModel, row: int) -> str:
    """A table's row read as one sentence: "Customer: Ana Ortiz, churn risk: 72%, ..."
    (each column's header and the cell's text; empty cells left out)."""
    parts = []
    for column in range(model.columnCount()):
        text = _text(model, model.index(row, column))
        if not text:
            continue
        header = model.headerData(column, Qt.Orientation.Horizontal)
        parts.append(f"{header}: {text}" if header else text)
    return ", ".join(parts)


def item_data(
    model: QAbstractItemModel, index: QModelIndex | QPersistentModelIndex, role: int
) -> Any:
    """What a model's ``data()`` answers for the accessible roles: a cell's text (or
    "blank") as its name, and as its description the whole row as a sentence (a table) or
    the item's tool tip on one line (a list)."""
    if not index.isValid():
        return None
    if role == ACCESSIBLE_TEXT:
        return _text(model, index) or BLANK
    if role != ACCESSIBLE_DESCRIPTION:
        return None
    # (columnCount() of a list model crashes PySide6: ask for a second column instead.)
    if model.index(index.row(), 1).isValid():
        return row_sentence(model, index.row())
    tip = model.data(index, Qt.ItemDataRole.ToolTipRole)
    return ", ".join(line.strip() for line in str(tip or "").splitlines() if line.strip())
