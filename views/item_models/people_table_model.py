"""An account's people as a small table model: name (✉ on whom emails go to), title,
role, last two-way contact ("Last two-way": a call, meeting, chat, ticket or email of
theirs; or, in words, that they left, their address bounced, they are now elsewhere or
have gone dark) and email, each row ready-made text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from views.kit.accessibility import ACCESSIBLE_ROLES, item_data

Index = QModelIndex | QPersistentModelIndex

HEADERS = ("Name", "Title", "Role", "Last two-way", "Email")


class PeopleTableModel(QAbstractTableModel):
    """Rows of five texts, with a flag each for a person who has left (shown muted)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: tuple[tuple[str, ...], ...] = ()
        self._left: tuple[bool, ...] = ()

    def set_rows(self, rows: Sequence[tuple[str, ...]], left: Sequence[bool]) -> None:
        self.beginResetModel()
        self._rows, self._left = tuple(rows), tuple(left)
        self.endResetModel()

    def text(self, row: int, column: int) -> str:
        return self._rows[row][column]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role in ACCESSIBLE_ROLES:
            return item_data(self, index, role)
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row[index.column()] or None
        if role == Qt.ItemDataRole.ToolTipRole:  # the whole row: a narrow pane hides some
            return "\n".join(part for part in (row[0], row[1], row[2], row[4]) if part)
        if role == Qt.ItemDataRole.ForegroundRole and self._left[index.row()]:
            return QApplication.palette().color(QPalette.ColorRole.PlaceholderText)
        return None

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(HEADERS):
            return None
        return HEADERS[section] if role == Qt.ItemDataRole.DisplayRole else None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )
