"""Import history: every import of the workspace, and "Undo import" for one of them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from services.core.formatting import format_timestamp
from services.importing.types import ImportRunInfo, UndoReport
from views.importing.source import ImportSource
from views.item_models.import_tables import ImportHistoryModel
from views.kit.confirm import ask_yes_cancel
from views.kit.dialog_parts import configure_table, plain_label, set_tone
from views.kit.geometry import FitsScreen, resize_for_text

if TYPE_CHECKING:
    from views.kit.jobs import JobRunner, TaskState

ConfirmFn = Callable[[str, str], bool]
FILE_COLUMN = 2

NO_IMPORTS = (
    "No imports yet.\nDrag export files onto the window, or use File ▸ Import…, "
    "and each import is listed here."
)


class ImportHistoryDialog(QDialog):
    """The table of past imports with Undo, Refresh and Close.

    Signals:
        import_undone(report): an import was undone (the window reloads the workspace).
        history_loaded(count): the list arrived and is shown.
    """

    import_undone = Signal(object)
    history_loaded = Signal(int)

    def __init__(
        self,
        jobs: JobRunner,
        source: ImportSource,
        parent: QWidget | None = None,
        *,
        confirm: ConfirmFn | None = None,
    ) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self._source = source
        self._confirm = confirm or self._ask_confirmation
        self._busy = False
        # The outcome of the last undo stays in the footer until the selection changes.
        self._sticky: tuple[str, str] | None = None
        self.setObjectName("importHistoryDialog")
        self.setWindowTitle("Import history")
        self.setSizeGripEnabled(True)

        title = QLabel("Import history", self)
        title.setObjectName("paneTitle")
        subtitle = plain_label(
            "Undoing an import restores the records it added or changed to what they were "
            "before it.",
            self,
            "hintLabel",
        )

        self.model = ImportHistoryModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("importHistoryTable")
        self.table.setModel(self.model)
        configure_table(self.table)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(FILE_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_row_changed)

        self.empty_label = QLabel(NO_IMPORTS, self)
        self.empty_label.setObjectName("emptyState")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty_label)

        self.status_label = plain_label("", self, "reasonLabel")
        self.undo_button = QPushButton("Undo import…", self)
        self.undo_button.setObjectName("undoImportButton")
        self.undo_button.setEnabled(False)
        self.undo_button.clicked.connect(self._on_undo_button_clicked)
        self.refresh_button = QPushButton("Refresh", self)
        self.refresh_button.clicked.connect(self.reload)
        close_button = QPushButton("Close", self)
        close_button.clicked.connect(self.accept)

        footer = QHBoxLayout()
        footer.setSpacing(8)
        footer.addWidget(self.status_label, 1)
        footer.addWidget(self.undo_button, 0, Qt.AlignmentFlag.AlignBottom)
        footer.addWidget(self.refresh_button, 0, Qt.AlignmentFlag.AlignBottom)
        footer.addWidget(close_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.setSpacing(8)
        layout.addWidget(title)
        layout.addWidget(subtitle)
        layout.addWidget(self.stack, 1)
        layout.addLayout(footer)
        resize_for_text(self, 1000, 520)
        FitsScreen(self)  # a smaller screen, or one scaled to 150 % or 200 %
        self.reload()

    # -- loading ----------------------------------------------------------------------

    def reload(self, *, select_run: int | None = None) -> None:
        """Read the history again (keeps the selected import selected)."""
        current = self.selected_run()
        keep = select_run if select_run is not None else (current.run_id if current else None)
        source = self._source

        def task(_state: TaskState) -> list[ImportRunInfo]:
            return source.list_imports()

        self.refresh_button.setEnabled(False)
        (
            self._jobs.operation(task, parent=self, key=("import.history", id(self)))
            .success(lambda runs: self._on_history_loaded(runs, keep))
            .failure(self._on_history_failed)
            .finished(lambda: self.refresh_button.setEnabled(True))
            .run()
        )

    def _on_history_loaded(self, runs: list[ImportRunInfo], keep: int | None) -> None:
        self.model.set_rows(runs)
        header = self.table.horizontalHeader()
        self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        self._fit_columns()
        self.stack.setCurrentWidget(self.table if runs else self.empty_label)
        row = self.model.row_of(keep) if keep is not None else None
        if row is None and runs:
            row = 0
        if row is not None:
            self.table.selectRow(row)
        self._update_undo()
        self.history_loaded.emit(len(runs))

    def _on_history_failed(self, error: BaseException) -> None:
        message = self._source.user_message(error)
        if message is None:
            self._jobs.present_error(error)
            message = "The import history could not be read."
        self.status_label.setText(message)
        set_tone(self.status_label, "critical")

    def _fit_columns(self) -> None:
        fm = self.table.fontMetrics()
        bold = self.table.font()
        bold.setBold(True)
        header_fm = QFontMetrics(bold)
        rows = min(60, self.model.rowCount())
        for col in range(self.model.columnCount()):
            if col == FILE_COLUMN:
                continue
            # The header is bold and may carry the sort arrow.
            title = str(self.model.headerData(col, Qt.Orientation.Horizontal))
            width = header_fm.horizontalAdvance(title) + 12
            for r in range(rows):
                width = max(width, fm.horizontalAdvance(str(self.model.index(r, col).data())))
            self.table.setColumnWidth(col, width + 20)

    # -- selection and undo -----------------------------------------------------------

    def selected_run(self) -> ImportRunInfo | None:
        index = self.table.selectionModel().currentIndex()
        return self.model.record(index.row()) if index.isValid() else None

    def select_run(self, run_id: int) -> bool:
        row = self.model.row_of(run_id)
        if row is None:
            return False
        self.table.selectRow(row)
        return True

    def _on_table_current_row_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        if previous.isValid() and current.row() != previous.row():
            self._sticky = None
        self._update_undo()

    def _update_undo(self) -> None:
        run = self.selected_run()
        if self._busy:
            self.undo_button.setEnabled(False)
            return
        if self._sticky is not None:
            self.undo_button.setEnabled(run is not None and run.can_undo)
            self.status_label.setText(self._sticky[0])
            set_tone(self.status_label, self._sticky[1])
            return
        if run is None:
            self.undo_button.setEnabled(False)
            self.status_label.setText("")
            return
        self.undo_button.setEnabled(run.can_undo)
        if run.can_undo:
            self.status_label.setText("")
        elif run.status == "undone":
            self.status_label.setText(f"Import {run.run_id} ({run.file_name}) was undone.")
        else:
            reason = (run.undo_blocked_reason or "this import cannot be undone").rstrip(".")
            self.status_label.setText(f"Cannot undo import {run.run_id}: {reason}.")
        set_tone(self.status_label, "muted")

    def _ask_confirmation(self, title: str, text: str) -> bool:
        return ask_yes_cancel(self, title, text)

    def _on_undo_button_clicked(self) -> None:
        run = self.selected_run()
        if run is None or not run.can_undo:
            return
        self.undo(run)

    def undo(self, run: ImportRunInfo) -> None:
        """Confirm, then undo an import on the database worker."""
        changed = run.inserted + run.updated
        if not self._confirm(
            "Undo import?",
            f"Undo import {run.run_id} of {run.file_name} ({format_timestamp(run.started_at)})?\n\n"
            f"The {changed:,} records it added or changed go back to how they were before "
            "it. This cannot be undone itself; import the file again to redo it.",
        ):
            return
        source = self._source
        run_id = run.run_id

        def task(_state: TaskState) -> UndoReport:
            return source.undo_import(run_id)

        self._busy = True
        self._sticky = None
        self.undo_button.setEnabled(False)
        self.status_label.setText(f"Undoing import {run_id}…")
        set_tone(self.status_label, "muted")
        (
            self._jobs.operation(task, parent=self, label="undo import")
            .success(self._on_undone)
            .failure(self._on_undo_failed)
            .finished(self._on_undo_finished)
            .run()
        )

    def _on_undone(self, report: UndoReport) -> None:
        self._sticky = (report.message or f"Import {report.run_id} was undone.", "positive")
        self.import_undone.emit(report)
        self.reload(select_run=report.run_id)

    def _on_undo_failed(self, error: BaseException) -> None:
        message = self._source.user_message(error)
        if message is None:
            self._jobs.present_error(error)
            message = "The import could not be undone; nothing was changed."
        self._sticky = (f"Not undone: {message}", "critical")
        # The history may have changed meanwhile (why the undo was refused): show it.
        self.reload()

    def _on_undo_finished(self) -> None:
        self._busy = False
        self._update_undo()
