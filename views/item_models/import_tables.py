"""Read-only table models of the import windows: the first rows of a file, the files of an
import, the per-file report, the rejected rows and the import history.

Each is a ``QAbstractTableModel`` over a tuple of frozen dataclasses (or of string
tuples); ``data()`` checks the role first and returns ``None`` for roles it does not
handle. The rejects and the history can be long, so sorting permutes an index array
in the model instead of going through a proxy's lessThan.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from services.core.formatting import format_count, format_timestamp
from services.importing.types import FilePreview, FileReport, ImportRunInfo, RejectedRow
from views.kit.accessibility import ACCESSIBLE_ROLES, item_data

Index = QModelIndex | QPersistentModelIndex
T = TypeVar("T")

_DISPLAY = Qt.ItemDataRole.DisplayRole
_ALIGN = Qt.ItemDataRole.TextAlignmentRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

# Cells of the preview are shown on one line: long texts are cut here (the tooltip has all).
PREVIEW_CELL_CHARS = 80


def format_name(detected_format: str) -> str:
    """A format id as words: "shopify_orders_export" -> "Shopify orders export"."""
    if detected_format == "generic":
        return "Generic file"
    words = detected_format.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


class _Column(Generic[T]):
    """One column: its title, how a row shows in it and how it sorts."""

    def __init__(
        self,
        title: str,
        text: Callable[[T], str],
        *,
        key: Callable[[T], Any] | None = None,
        numeric: bool = False,
        tooltip: Callable[[T], str | None] | None = None,
    ) -> None:
        self.title = title
        self.text = text
        self.key = key or text
        self.numeric = numeric
        self.tooltip = tooltip


class _RecordTableModel(QAbstractTableModel, Generic[T]):
    """A sortable table over a tuple of records, one row per record."""

    COLUMNS: tuple[_Column[Any], ...] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: tuple[T, ...] = ()
        self._order = np.arange(0, dtype=np.int64)

    def set_rows(self, rows: Sequence[T]) -> None:
        self.beginResetModel()
        self._rows = tuple(rows)
        self._order = np.arange(len(self._rows), dtype=np.int64)
        self.endResetModel()

    def record(self, row: int) -> T | None:
        """The record shown in a row (None when out of range)."""
        if 0 <= row < len(self._order):
            return self._rows[int(self._order[row])]
        return None

    @property
    def records(self) -> tuple[T, ...]:
        return self._rows

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if role in ACCESSIBLE_ROLES:
            return item_data(self, index, role)
        if role == _DISPLAY:
            if not index.isValid():
                return None
            rec = self.record(index.row())
            return None if rec is None else self.COLUMNS[index.column()].text(rec)
        if role == _ALIGN:
            if not index.isValid():
                return None
            return _RIGHT if self.COLUMNS[index.column()].numeric else _LEFT
        if role == _TOOLTIP:
            if not index.isValid():
                return None
            column = self.COLUMNS[index.column()]
            rec = self.record(index.row())
            if rec is None or column.tooltip is None:
                return None
            return column.tooltip(rec)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.COLUMNS):
            return None
        if role == _DISPLAY:
            return self.COLUMNS[section].title
        if role == _ALIGN:
            return _RIGHT if self.COLUMNS[section].numeric else _LEFT
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _FLAGS

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.COLUMNS):
            return
        key = self.COLUMNS[column].key
        keys = [key(r) for r in self._rows]
        # A stable argsort over the keys (numpy sorts mixed Python objects poorly).
        idx = sorted(range(len(keys)), key=keys.__getitem__)
        if order == Qt.SortOrder.DescendingOrder:
            idx.reverse()
        self.layoutAboutToBeChanged.emit()
        old = self._order
        self._order = np.asarray(idx, dtype=np.int64)
        # Keep persistent indexes (the selection) on the same records.
        where = np.empty(len(idx), dtype=np.int64)
        where[self._order] = np.arange(len(idx), dtype=np.int64)
        for persistent in self.persistentIndexList():
            if persistent.isValid():
                record_pos = int(old[persistent.row()])
                self.changePersistentIndex(
                    persistent,
                    self.index(int(where[record_pos]), persistent.column()),
                )
        self.layoutChanged.emit()


# ------------------------------------------------------------------------- preview rows


class PreviewRowsModel(QAbstractTableModel):
    """The first rows of a file, under its own header, as text."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._header: tuple[str, ...] = ()
        self._rows: tuple[tuple[str, ...], ...] = ()

    def set_preview(self, preview: FilePreview | None) -> None:
        self.beginResetModel()
        if preview is None:
            self._header, self._rows = (), ()
        else:
            self._header = preview.header
            self._rows = preview.sample_rows
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._header)

    def _cell(self, index: Index) -> str:
        row = self._rows[index.row()]
        # A short row (a broken line) shows empty cells, not an error.
        return row[index.column()] if index.column() < len(row) else ""

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if role in ACCESSIBLE_ROLES:
            return item_data(self, index, role)
        if role == _DISPLAY:
            if not index.isValid():
                return None
            text = self._cell(index).replace("\r\n", " ⏎ ").replace("\n", " ⏎ ")
            if len(text) > PREVIEW_CELL_CHARS:
                text = text[: PREVIEW_CELL_CHARS - 1] + "…"
            return text
        if role == _TOOLTIP:
            if not index.isValid():
                return None
            text = self._cell(index)
            return text if len(text) > 20 or "\n" in text else None
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if role != _DISPLAY:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._header[section] if 0 <= section < len(self._header) else None
        # Spreadsheet row numbers: the header is row 1.
        return str(section + 2) if 0 <= section < len(self._rows) else None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _FLAGS


# ---------------------------------------------------------------------- files of a run


class FileEntryStatus:
    """How a file of the dialog stands; shown next to its name."""

    LOADING = "Reading…"
    READY = "Ready"
    NEEDS_MAPPING = "Needs a mapping"
    PROBLEM = "Cannot import"


class ImportFileListModel(QAbstractTableModel):
    """The files of an import: name and status, one row each (the dialog's file list)."""

    HEADERS = ("File", "Status")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[str, str, str]] = []  # (name, status, tooltip)
        self._colors: dict[str, QColor] = {}

    def set_files(self, rows: Sequence[tuple[str, str, str]]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def update_file(self, row: int, status: str, tooltip: str) -> None:
        if 0 <= row < len(self._rows):
            name = self._rows[row][0]
            self._rows[row] = (name, status, tooltip)
            self.dataChanged.emit(self.index(row, 0), self.index(row, 1))

    def set_status_colors(self, colors: dict[str, QColor]) -> None:
        """Text colours per status (from the theme)."""
        self._colors = dict(colors)
        if self._rows:
            self.dataChanged.emit(self.index(0, 1), self.index(len(self._rows) - 1, 1))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if role in ACCESSIBLE_ROLES:
            return item_data(self, index, role)
        if role == _DISPLAY:
            if not index.isValid():
                return None
            return self._rows[index.row()][index.column()]
        if role == _TOOLTIP:
            if not index.isValid():
                return None
            return self._rows[index.row()][2] or None
        if role == _FOREGROUND:
            if not index.isValid() or index.column() != 1:
                return None
            return self._colors.get(self._rows[index.row()][1])
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if role != _DISPLAY or orientation != Qt.Orientation.Horizontal:
            return None
        return self.HEADERS[section] if 0 <= section < len(self.HEADERS) else None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _FLAGS


# --------------------------------------------------------------------------- the report


def _report_status(f: FileReport) -> str:
    if f.error is not None:
        return "Not imported"
    if not f.landed:
        return "Nothing imported"
    return "Imported"


class FileReportModel(_RecordTableModel[FileReport]):
    """One row per imported file: what was read, inserted, updated and rejected."""

    COLUMNS = (
        _Column[FileReport]("File", lambda f: f.file, tooltip=lambda f: f.error or f.file),
        _Column[FileReport]("Format", lambda f: format_name(f.detected_format)),
        _Column[FileReport]("Status", _report_status, tooltip=lambda f: f.error),
        _Column[FileReport](
            "Rows read",
            lambda f: format_count(f.rows_read),
            key=lambda f: f.rows_read,
            numeric=True,
        ),
        _Column[FileReport](
            "Inserted", lambda f: format_count(f.inserted), key=lambda f: f.inserted, numeric=True
        ),
        _Column[FileReport](
            "Updated", lambda f: format_count(f.updated), key=lambda f: f.updated, numeric=True
        ),
        _Column[FileReport](
            "Unchanged",
            lambda f: format_count(f.unchanged),
            key=lambda f: f.unchanged,
            numeric=True,
        ),
        _Column[FileReport](
            "Rejected", lambda f: format_count(f.rejected), key=lambda f: f.rejected, numeric=True
        ),
    )


class RejectsModel(_RecordTableModel[RejectedRow]):
    """The rows that could not be imported: file, row number and the reason."""

    COLUMNS = (
        _Column[RejectedRow]("File", lambda r: r.file),
        _Column[RejectedRow]("Row", lambda r: str(r.row), key=lambda r: r.row, numeric=True),
        _Column[RejectedRow]("Reason", lambda r: r.reason, tooltip=lambda r: r.reason),
    )


# -------------------------------------------------------------------------- the history


def history_status(run: ImportRunInfo) -> str:
    return {"landed": "Imported", "undone": "Undone", "failed": "Failed"}.get(
        run.status, run.status.capitalize()
    )


class ImportHistoryModel(_RecordTableModel[ImportRunInfo]):
    """Every import of the workspace, newest first."""

    COLUMNS = (
        _Column[ImportRunInfo](
            "No.", lambda r: str(r.run_id), key=lambda r: r.run_id, numeric=True
        ),
        _Column[ImportRunInfo](
            "When", lambda r: format_timestamp(r.started_at), key=lambda r: (r.started_at, r.run_id)
        ),
        _Column[ImportRunInfo]("File", lambda r: r.file_name, tooltip=lambda r: r.source_path),
        _Column[ImportRunInfo]("Format", lambda r: format_name(r.detected_format)),
        _Column[ImportRunInfo]("Kind", lambda r: r.kind),
        _Column[ImportRunInfo](
            "Rows", lambda r: format_count(r.rows_read), key=lambda r: r.rows_read, numeric=True
        ),
        _Column[ImportRunInfo](
            "Inserted", lambda r: format_count(r.inserted), key=lambda r: r.inserted, numeric=True
        ),
        _Column[ImportRunInfo](
            "Updated", lambda r: format_count(r.updated), key=lambda r: r.updated, numeric=True
        ),
        _Column[ImportRunInfo](
            "Rejected", lambda r: format_count(r.rejected), key=lambda r: r.rejected, numeric=True
        ),
        _Column[ImportRunInfo](
            "Status",
            history_status,
            tooltip=lambda r: None if r.can_undo else r.undo_blocked_reason,
        ),
    )

    def row_of(self, run_id: int) -> int | None:
        """The row showing an import, or None."""
        for row in range(len(self._order)):
            rec = self.record(row)
            if rec is not None and rec.run_id == run_id:
                return row
        return None
