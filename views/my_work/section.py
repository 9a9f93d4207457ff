"""One list of the My work tab (``WorkSection``): a title with its count, the table, or a
sentence when empty; Enter or a double click activates a row."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from views.item_models.work_list_model import RecordRole, WorkColumn, WorkListModel
from views.kit.accessibility import name
from views.kit.lists import PeopleTableView
from views.kit.tiles import LineLabel


class WorkSection(QWidget):
    """One list of the tab: a title with its count, the table, or a sentence if empty.

    Signals:
        activated(record): Enter or a double click on a row.
    """

    activated = Signal(object)

    def __init__(
        self,
        title: str,
        columns: Sequence[WorkColumn],
        empty: str,
        parent: QWidget | None = None,
        *,
        hint: str = "",
        keep_current: bool = False,
    ) -> None:
        super().__init__(parent)
        self._title = title
        # Only the tasks keep a current row at all times (Space and Enter act on it); the
        # other lists get one when the user goes there, so one row is lit at a time.
        self._keep_current = keep_current
        # The title and the hint wrap where their line does not fit: three sections side
        # by side fit a narrow screen (a desktop scaled to 200 %).
        self.title = LineLabel(title, self)
        self.title.setObjectName("workSectionTitle")
        self.hint = LineLabel(hint, self)
        self.hint.setObjectName("rowCount")
        self.model = WorkListModel(columns, self)
        self.table = name(PeopleTableView(self), title)
        self.table.setObjectName("workList")
        self.table.setModel(self.model)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(28)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.table.installEventFilter(self)
        self.empty = QLabel(empty, self)
        self.empty.setObjectName("emptyState")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.empty.setContentsMargins(4, 6, 4, 6)
        self.top = QHBoxLayout()
        self.top.setSpacing(10)
        self.top.addWidget(self.title)
        self.top.addWidget(self.hint)
        self.top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(self.top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addStretch(0)
        self.set_rows(())

    def set_rows(self, rows: Sequence[object], *, loading: bool = False) -> None:
        """Show rows (the current row stays on the same place when it can)."""
        row = self.table.currentIndex().row()
        self.model.set_rows(rows)
        self.title.setText(f"{self._title} · {len(rows):,}" if not loading else self._title)
        self.table.setVisible(bool(rows))
        self.empty.setVisible(not rows)
        if rows and (self._keep_current or row >= 0):
            self.select_row(min(max(row, 0), len(rows) - 1))

    def select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index)

    def current(self) -> object | None:
        index = self.table.currentIndex()
        return self.model.record(index.row()) if index.isValid() else None

    def fit_columns(self, widths: Sequence[int]) -> None:
        """Starting widths of the first columns (the last takes the room left)."""
        for column, width in enumerate(widths):
            self.table.setColumnWidth(column, width)

    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.activated.emit(index.data(RecordRole))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                record = self.current()
                if record is not None:
                    self.activated.emit(record)
                return True
        return super().eventFilter(watched, event)
