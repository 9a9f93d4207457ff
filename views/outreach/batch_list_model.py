"""The review queue's list: one line per customer of a batch, its state mark on the left
(services.outreach.batch_records), the customer and the subject or the reason."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from services.outreach.batch_records import STATE_MARKS, BatchRow
from views.kit.theme import Theme

Index = QModelIndex | QPersistentModelIndex
RowIdRole = Qt.ItemDataRole.UserRole + 1
StateRole = Qt.ItemDataRole.UserRole + 2


class BatchListModel(QAbstractListModel):
    """The batch's rows (frozen records), in queue order."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: tuple[BatchRow, ...] = ()
        self._colours: dict[str, QColor] = {}

    def set_theme(self, theme: Theme) -> None:
        self._colours = {
            "approved": QColor(theme.positive),
            "sent": QColor(theme.positive),
            "exported": QColor(theme.positive),
            "failed": QColor(theme.critical),
            "sending": QColor(theme.warning),
            "skipped": QColor(theme.muted),
            "queued": QColor(theme.muted),
        }
        if self._rows:
            self.dataChanged.emit(self.index(0), self.index(len(self._rows) - 1))

    def set_rows(self, rows: tuple[BatchRow, ...]) -> None:
        """New rows: a reset when the rows themselves changed, else only the changed ones."""
        if [r.id for r in rows] != [r.id for r in self._rows]:
            self.beginResetModel()
            self._rows = rows
            self.endResetModel()
            return
        old, self._rows = self._rows, rows
        changed = [
            i for i, (a, b) in enumerate(zip(old, rows, strict=True)) if a is not b and a != b
        ]
        if changed:
            # One signal for the span: a batch's drafts arrive by the dozen.
            self.dataChanged.emit(self.index(changed[0]), self.index(changed[-1]))

    @property
    def rows(self) -> tuple[BatchRow, ...]:
        return self._rows

    def row_of(self, row_id: int) -> int:
        return next((i for i, r in enumerate(self._rows) if r.id == row_id), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            mark = STATE_MARKS.get(row.state, "?")
            detail = row.subject if row.state not in ("skipped", "queued") else row.status_words
            if row.state == "sending":
                detail = row.status_words
            edited = " (edited)" if row.edited and row.state != "skipped" else ""
            return f"{mark}  {row.customer}{edited}\n     {detail}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{row.customer} <{row.recipient or 'no address'}>: {row.status_words}"
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._colours.get(row.state)
        if role == RowIdRole:
            return row.id
        if role == StateRole:
            return row.state
        return None
