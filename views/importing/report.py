"""The report of an import: per file what was read, inserted, updated, unchanged and
rejected, the notes, and the rejected rows with "Export rejected rows…"."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from services.core.formatting import plural
from services.importing.types import USAGE_KIND, FileReport, RejectedRow
from views.importing.source import ImportOutcome
from views.item_models.import_tables import FileReportModel, RejectsModel
from views.kit.accessibility import name
from views.kit.dialog_parts import configure_table, set_tone
from views.kit.file_dialogs import save_file_name
from views.kit.geometry import FitsScreen, resize_for_text

if TYPE_CHECKING:
    from views.kit.jobs import JobRunner, TaskState

WriteRejectsFn = Callable[[Sequence[RejectedRow], str], None]
SavePathFn = Callable[[str], str | None]  # suggested path -> chosen path or None

CANCELLED_NOTHING = "Import cancelled. Nothing was changed: the workspace is as it was."


def headline(outcome: ImportOutcome) -> tuple[str, str]:
    """(tone, sentence) summing up an import: tone is "positive", "warning" or "critical"."""
    report = outcome.report
    landed = [f for f in report.files if f.landed]
    failed = [f for f in report.files if f.error is not None]
    rejected = sum(f.rejected for f in report.files)
    if outcome.cancelled:
        if not landed:
            return "warning", CANCELLED_NOTHING
        return "warning", (
            f"Import cancelled. Nothing from {outcome.cancelled_file or 'the file being read'} "
            f"was saved; {plural(len(landed), 'file')} imported before the cancel "
            "stayed (File ▸ Import history… can undo them)."
        )
    if not report.files:
        return "warning", "There was nothing to import."
    if not landed:
        if len(failed) == 1 and len(report.files) == 1:
            return "critical", f"Nothing was imported: {failed[0].error}"
        return "critical", "Nothing was imported. The reasons are below."
    inserted = sum(f.inserted for f in landed)
    updated = sum(f.updated for f in landed)
    unchanged = sum(f.unchanged for f in landed)
    what = "Imported " + (
        f"{landed[0].file}" if len(report.files) == 1 else plural(len(landed), "file")
    )
    if all(f.kind == USAGE_KIND for f in landed):  # product usage: days, not records
        days = plural(inserted + updated + unchanged, "customer-day")
        text = (
            f"{what}: product usage of {days} ({inserted:,} new, {updated:,} updated, "
            f"{unchanged:,} unchanged)."
        )
    elif inserted == 0 and updated == 0:
        text = f"{what}: nothing new ({plural(unchanged, 'record')} already up to date)."
    else:
        # Per kind of record when the files fed several: no count adds different kinds.
        text = f"{what}: {report.counts_words(inserted='new')}."
    if failed:
        text += f" {plural(len(failed), 'file')} could not be imported."
    if rejected:
        verb = "was" if rejected == 1 else "were"
        text += f" {plural(rejected, 'row')} could not be read and {verb} left out."
    return ("warning" if rejected or failed else "positive"), text


class ImportReportView(QWidget):
    """Shows an ImportOutcome. Exports the rejects through the job runner ("work" pool).

    Signals:
        rejects_exported(path): the rejected rows were written to path.
    """

    rejects_exported = Signal(str)

    def __init__(
        self,
        jobs: JobRunner,
        write_rejects: WriteRejectsFn,
        parent: QWidget | None = None,
        *,
        ask_save_path: SavePathFn | None = None,
    ) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self._write_rejects = write_rejects
        self._ask_save_path = ask_save_path or self._ask_save_path_dialog
        self.outcome: ImportOutcome | None = None

        self.headline_label = QLabel("", self)
        self.headline_label.setObjectName("reportHeadline")
        self.headline_label.setWordWrap(True)
        self.headline_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.files_model = FileReportModel(self)
        self.files_table = QTableView(self)
        self.files_table.setObjectName("reportFiles")
        name(self.files_table, "Files imported")
        self.files_table.setModel(self.files_model)
        configure_table(self.files_table, sortable=False)
        self.files_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)

        self.notes_label = QLabel("", self)
        self.notes_label.setObjectName("reportNotes")
        self.notes_label.setWordWrap(True)
        self.notes_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.rejects_title = QLabel("Rejected rows", self)
        self.rejects_title.setObjectName("sectionTitle")
        self.rejects_model = RejectsModel(self)
        self.rejects_table = QTableView(self)
        self.rejects_table.setObjectName("rejectsTable")
        name(self.rejects_table, "Rows left out")
        self.rejects_table.setModel(self.rejects_model)
        configure_table(self.rejects_table)
        self.rejects_table.horizontalHeader().setStretchLastSection(True)
        self.no_rejects_label = QLabel("Every row was read; none was rejected.", self)
        self.no_rejects_label.setObjectName("emptyState")
        self.export_button = QPushButton("Export rejected rows…", self)
        self.export_button.setObjectName("exportRejects")
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.export_label = QLabel("", self)
        self.export_label.setObjectName("hintLabel")
        self.export_label.setWordWrap(True)
        self.export_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        export_row = QHBoxLayout()
        export_row.setSpacing(8)
        export_row.addWidget(self.export_button)
        export_row.addWidget(self.export_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.headline_label)
        layout.addWidget(self.files_table)
        layout.addWidget(self.notes_label)
        layout.addWidget(self.rejects_title)
        layout.addWidget(self.rejects_table, 1)
        layout.addWidget(self.no_rejects_label)
        layout.addLayout(export_row)
        # Takes the room of the rejects table when there is none: the rest stays on top.
        self._filler = QWidget(self)
        layout.addWidget(self._filler, 1)

    def set_outcome(self, outcome: ImportOutcome) -> None:
        self.outcome = outcome
        tone, text = headline(outcome)
        self.headline_label.setText(text)
        set_tone(self.headline_label, tone)
        files = outcome.report.files
        self.files_model.set_rows(files)
        self._fit_files_table(len(files))
        self.files_table.setVisible(bool(files))
        notes = _notes(files)
        self.notes_label.setText(notes)
        self.notes_label.setVisible(bool(notes))
        rejects = [r for f in files for r in f.rejects]
        total = sum(f.rejected for f in files)
        self.rejects_model.set_rows(rejects)
        shown = f"{total:,}" if len(rejects) == total else f"{len(rejects):,} of {total:,}"
        self.rejects_title.setText(f"Rejected rows ({shown})")
        has = bool(rejects)
        self.rejects_table.setVisible(has)
        self.export_button.setVisible(has)
        self.export_label.setVisible(has)
        self.export_label.setText("")
        self.no_rejects_label.setVisible(not has and bool(files) and not outcome.cancelled)
        self.rejects_title.setVisible(has)
        self._filler.setVisible(not has)
        if has:
            fm = self.fontMetrics()
            widest = max(fm.horizontalAdvance(r.file) for r in rejects[:200])
            self.rejects_table.setColumnWidth(0, min(widest + 24, 320))
            self.rejects_table.setColumnWidth(1, fm.horizontalAdvance("Row 000000") + 12)

    def _fit_files_table(self, rows: int) -> None:
        fm = self.fontMetrics()
        header = self.files_table.horizontalHeader()
        for col in range(1, self.files_model.columnCount()):
            title = str(self.files_model.headerData(col, Qt.Orientation.Horizontal))
            texts = [title] + [
                str(self.files_model.index(r, col).data()) for r in range(min(rows, 50))
            ]
            self.files_table.setColumnWidth(col, max(fm.horizontalAdvance(t) for t in texts) + 28)
        row_height = self.files_table.verticalHeader().defaultSectionSize()
        height = header.sizeHint().height() + row_height * min(max(rows, 1), 6)
        self.files_table.setFixedHeight(height + 2 * self.files_table.frameWidth() + 2)

    # -- export -----------------------------------------------------------------------

    def _suggested_path(self) -> str:
        files = self.outcome.report.files if self.outcome else ()
        first = Path(files[0].file) if files else Path("import")
        folder = Path.home()
        return str(folder / f"{first.stem}-rejected-rows.csv")

    def _ask_save_path_dialog(self, suggested: str) -> str | None:
        path, _ = save_file_name(self, "Export rejected rows", suggested, "CSV files (*.csv)")
        return path or None

    def _on_export_button_clicked(self) -> None:
        rejects = self.rejects_model.records
        if not rejects:
            return
        path = self._ask_save_path(self._suggested_path())
        if not path:
            return
        write = self._write_rejects
        self.export_button.setEnabled(False)
        self.export_label.setText("Saving…")

        def task(_state: TaskState) -> str:
            write(rejects, path)
            return path

        (
            self._jobs.operation(task, parent=self, pool="work", label="export rejected rows")
            .success(self._on_exported)
            .failure(self._on_export_failed)
            .finished(lambda: self.export_button.setEnabled(True))
            .run()
        )

    def _on_exported(self, path: str) -> None:
        self.export_label.setText(f"Saved {len(self.rejects_model.records):,} rows to {path}")
        self.rejects_exported.emit(path)

    def _on_export_failed(self, error: BaseException) -> None:
        if isinstance(error, OSError):
            reason = error.strerror or str(error)
            self.export_label.setText(
                f"Could not save the file: {reason}. Choose another folder and try again."
            )
            return
        self.export_label.setText("")
        self._jobs.present_error(error)


def _notes(files: Sequence[FileReport]) -> str:
    lines = []
    for f in files:
        if f.error is not None and len(files) > 1:
            lines.append(f"{f.file}: not imported: {f.error}")
        lines.extend(f"{f.file}: {note}" for note in f.notes)
    return "\n".join(f"• {line}" for line in lines)


class ImportReportDialog(QDialog):
    """The report on its own (for an import of the watched folder)."""

    def __init__(
        self,
        jobs: JobRunner,
        write_rejects: WriteRejectsFn,
        outcome: ImportOutcome,
        parent: QWidget | None = None,
        *,
        title: str = "Import report",
        ask_save_path: SavePathFn | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("importReportDialog")
        self.view = ImportReportView(jobs, write_rejects, self, ask_save_path=ask_save_path)
        self.view.set_outcome(outcome)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 12)
        layout.setSpacing(10)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        resize_for_text(self, 860, 520)
        FitsScreen(self)  # a smaller screen, or one scaled to 150 % or 200 %
