"""The lists of the My work tab (tasks, snoozes coming back, follow-ups) as one table
model over a tuple of frozen records and a tuple of columns.

Each column says how a record reads (text, tooltip) and whether it is a warning
("overdue") or a note ("today"): the model paints those in the theme's colours. The
records are already in order (the services sort them), so there is no sorting here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from views.kit.accessibility import ACCESSIBLE_ROLES, item_data
from views.kit.theme import LIGHT, Theme

Index = QModelIndex | QPersistentModelIndex

# The record of a row (data() with this role), for the pane's actions.
RecordRole = Qt.ItemDataRole.UserRole + 1

# A cell's tone: None (plain), "alarm" (red, bold: overdue), "note" (the warning colour:
# due today), "muted".
Tone = str | None


@dataclass(frozen=True)
class WorkColumn:
    """One column: its header and how a record reads in it."""

    header: str
    text: Callable[[Any], str]
    tooltip: Callable[[Any], str] | None = None
    tone: Callable[[Any], Tone] | None = None


class WorkListModel(QAbstractTableModel):
    """Rows of frozen records, shown through ``columns``."""

    def __init__(self, columns: Sequence[WorkColumn], parent: Any = None) -> None:
        super().__init__(parent)
        self._columns = tuple(columns)
        self._rows: tuple[Any, ...] = ()
        self._theme = LIGHT
        self._bold = QFont()
        self._bold.setBold(True)

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = tuple(rows)
        self.endResetModel()

    def set_columns(self, columns: Sequence[WorkColumn]) -> None:
        """Show the rows through other columns."""
        self.beginResetModel()
        self._columns = tuple(columns)
        self.endResetModel()

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        if self._rows:
            last = self.index(len(self._rows) - 1, len(self._columns) - 1)
            self.dataChanged.emit(self.index(0, 0), last, [Qt.ItemDataRole.ForegroundRole])

    @property
    def rows(self) -> tuple[Any, ...]:
        return self._rows

    def record(self, row: int) -> Any:
        """The record of a row (None outside the rows)."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role in ACCESSIBLE_ROLES:
            return item_data(self, index, role)
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.ForegroundRole,
            Qt.ItemDataRole.FontRole,
            RecordRole,
        ):
            return None
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        record = self._rows[index.row()]
        column = self._columns[index.column()]
        if role == RecordRole:
            return record
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(record)
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.tooltip(record) if column.tooltip is not None else column.text(record)
        tone = column.tone(record) if column.tone is not None else None
        if role == Qt.ItemDataRole.FontRole:
            return self._bold if tone == "alarm" else None
        colour = {"alarm": "critical", "note": "warning", "muted": "muted"}.get(tone or "")
        return QColor(getattr(self._theme, colour)) if colour else None

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        return self._columns[section].header

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )
