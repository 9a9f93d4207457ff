"""The Settings ▸ Per segment table: one row a segment rule, in the order they apply,
its segment then one column a setting it may override (empty: the workspace's value),
each cell ready-made text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from views.kit.accessibility import ACCESSIBLE_ROLES, item_data

Index = QModelIndex | QPersistentModelIndex
WORKSPACE_MARK = "—"  # the workspace's value applies


class SegmentRulesModel(QAbstractTableModel):
    """Rows of texts: "1. Champions", then each setting's own value ("" where the
    workspace's applies, shown as a muted dash); ``locked`` columns are IT's."""

    def __init__(self, headers: Sequence[str], parent: Any = None) -> None:
        super().__init__(parent)
        self._headers = ("Segment", *headers)
        self._rows: tuple[tuple[str, ...], ...] = ()
        self._locked: frozenset[int] = frozenset()

    def set_rows(self, rows: Sequence[tuple[str, ...]], locked: Sequence[int] = ()) -> None:
        """The rows (segment, then one text a setting) and the columns IT locks."""
        self.beginResetModel()
        self._rows = tuple(rows)
        self._locked = frozenset(locked)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role in ACCESSIBLE_ROLES:
            return item_data(self, index, role)
        if not index.isValid():
            return None
        text = self._rows[index.row()][index.column()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column and column in self._locked:
                return "locked by IT"
            return f"{index.row() + 1}. {text}" if column == 0 else text or WORKSPACE_MARK
        if role == Qt.ItemDataRole.ToolTipRole and column:
            if column in self._locked:
                return "Set by your organisation: its value applies to every segment."
            return text or "The workspace's value (this segment has none of its own)."
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and column
            and (not text or column in self._locked)
        ):
            return QApplication.palette().color(QPalette.ColorRole.PlaceholderText)
        return None

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._headers):
            return None
        return self._headers[section] if role == Qt.ItemDataRole.DisplayRole else None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )
