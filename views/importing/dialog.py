"""The import dialog: a preview of each file (format, mapping, first rows), the import
with progress and Cancel, then the report.

Everything that reads a file or touches the workspace runs through the job runner on the
database worker: the dialog only shows what comes back (services/importing/types.py).
Its pieces: the preview page (preview_page.py), what the user chose for each file and
what it asks the importer for (file_entries.py), the report (report.py).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from services.importing.types import (
    FieldSpec,
    FilePreview,
    ImportCancelled,
    ImportReport,
)
from views.importing.file_entries import (
    FileEntry,
    blockers,
    file_row,
    import_reason,
    import_requests,
    kind_of,
    ready_entries,
    suggested_profile_name,
)
from views.importing.preview_page import ImportPreviewPage
from views.importing.report import ImportReportView, SavePathFn
from views.importing.source import ImportOutcome, ImportRequest, ImportSource
from views.kit.dialog_parts import current_theme, plain_label, set_tone
from views.kit.geometry import FitsScreen, resize_for_text

if TYPE_CHECKING:
    from views.kit.jobs import JobRunner, Operation, TaskState

PREVIEW_PAGE, PROGRESS_PAGE, REPORT_PAGE = range(3)

# The window's title says where the dialog is (the taskbar shows it while the person
# looks elsewhere): the files still being read, ready to import, importing, the report.
TITLE = "Import files"
READING, READY, IMPORTING = "Reading the files…", "Ready to import", "Importing…"

NO_FILES = (
    "No export files were found. Account Radar imports CSV, TSV and TXT files, "
    "Excel workbooks (.xlsx) and product-usage exports in JSON lines (.json, .jsonl)."
)


class ImportDialog(QDialog):
    """Preview, map, import and report one or more files.

    Signals:
        import_landed(outcome): an import changed the workspace (the window reloads it).
        import_finished(outcome): the report is shown (landed, cancelled or not).
    """

    import_landed = Signal(object)
    import_finished = Signal(object)

    def __init__(
        self,
        jobs: JobRunner,
        source: ImportSource,
        paths: Sequence[str],
        parent: QWidget | None = None,
        *,
        ask_save_path: SavePathFn | None = None,
    ) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self._source = source
        self._paths = [str(p) for p in paths]
        self.entries: list[FileEntry] = []
        self._profiles: dict[str, str] = {}
        self._current = -1
        self._import_op: Operation[ImportOutcome] | None = None
        self._reads: list[Operation[object]] = []
        self._cancel_requested = threading.Event()
        self.outcome: ImportOutcome | None = None
        self._files_read = False  # the paths expanded into files (or failed to)
        self.setObjectName("importDialog")
        self.setWindowTitle(f"{TITLE} · {READING}")
        self.setSizeGripEnabled(True)

        self.pages = QStackedWidget(self)
        self.preview_page = ImportPreviewPage(self)
        self.pages.addWidget(self.preview_page)
        self.pages.addWidget(self._build_progress_page())
        self.report_view = ImportReportView(
            jobs, source.write_rejects_csv, self, ask_save_path=ask_save_path
        )
        self.pages.addWidget(self.report_view)

        # Footer: why Import is off, then the buttons of the page.
        self.reason_label = plain_label("", self, "reasonLabel")
        self.import_button = QPushButton("Import", self)
        self.import_button.setObjectName("importButton")
        self.import_button.setDefault(True)
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.start_import)
        self.cancel_button = QPushButton("Cancel", self)
        # Focused first (Import is off while the files are read), an auto-default Cancel
        # would take Return from Import once it is offered: Return must import.
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        self.stop_button = QPushButton("Cancel import", self)
        self.stop_button.setObjectName("cancelImportButton")
        self.stop_button.clicked.connect(self.cancel_import)
        self.close_button = QPushButton("Close", self)
        self.close_button.clicked.connect(self.accept)
        footer = QHBoxLayout()
        footer.setSpacing(8)
        footer.addWidget(self.reason_label, 1)
        for button in (self.cancel_button, self.import_button, self.stop_button, self.close_button):
            footer.addWidget(button, 0, Qt.AlignmentFlag.AlignBottom)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.setSpacing(10)
        layout.addWidget(self.pages, 1)
        layout.addLayout(footer)
        # The preview page's widgets that the dialog, and the window's tests, use by name.
        page = self.preview_page
        self.title_label, self.format_label = page.title_label, page.format_label
        self.profile_label, self.tabs = page.profile_label, page.tabs
        self.files_model, self.files_view = page.files_model, page.files_view
        self.mapping_editor, self.rows_model = page.mapping_editor, page.rows_model
        page.file_chosen.connect(self._show_entry)
        page.mapping_editor.kind_chosen.connect(self._on_mapping_editor_kind_chosen)
        page.mapping_editor.mapping_changed.connect(self._on_mapping_editor_mapping_changed)
        self._show_page(PREVIEW_PAGE)
        resize_for_text(self, 1040, 680)
        FitsScreen(self)  # a smaller screen, or one scaled to 150 % or 200 %
        self.preview_page.apply_theme(current_theme(self))
        self._start_reading()

    # -- construction -----------------------------------------------------------------

    def _build_progress_page(self) -> QWidget:
        page = QWidget(self)
        self.progress_title = QLabel("Importing…", page)
        self.progress_title.setObjectName("paneTitle")
        self.progress_bar = QProgressBar(page)
        self.progress_bar.setObjectName("importProgress")
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setTextVisible(False)
        self.progress_label = plain_label("", page, "hintLabel")
        note = plain_label(
            "Each file lands whole or not at all: cancelling leaves the file being "
            "imported out completely.",
            page,
            "hintLabel",
        )
        layout = QVBoxLayout(page)
        layout.setContentsMargins(40, 0, 40, 0)
        layout.setSpacing(10)
        layout.addStretch(2)
        layout.addWidget(self.progress_title)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.progress_label)
        layout.addSpacing(12)
        layout.addWidget(note)
        layout.addStretch(3)
        return page

    def _show_page(self, page: int) -> None:
        self.pages.setCurrentIndex(page)
        self.import_button.setVisible(page == PREVIEW_PAGE)
        self.cancel_button.setVisible(page == PREVIEW_PAGE)
        self.stop_button.setVisible(page == PROGRESS_PAGE)
        self.close_button.setVisible(page == REPORT_PAGE)
        if page != PREVIEW_PAGE:
            # Kept in the layout (it holds the buttons to the right), just empty.
            self.reason_label.setText("")
        if page == REPORT_PAGE:
            self.close_button.setDefault(True)
            self.close_button.setFocus()
        elif page == PROGRESS_PAGE:
            self.stop_button.setEnabled(True)
            self.stop_button.setFocus()

    # -- reading ----------------------------------------------------------------------

    @property
    def loading(self) -> bool:
        """True until every file has been read (or failed to)."""
        return not self.entries or any(e.loading for e in self.entries)

    def _start_reading(self) -> None:
        source = self._source
        paths = self._paths

        def task(_state: TaskState) -> tuple[list[FileEntry], dict[str, str]]:
            entries: list[FileEntry] = []
            for path in paths:
                try:
                    found = source.expand_paths([path])
                except Exception as exc:
                    message = source.user_message(exc)
                    if message is None:
                        raise
                    entries.append(FileEntry(path=path, error=message, loading=False))
                    continue
                entries.extend(FileEntry(path=p) for p in found)
            return entries, dict(source.list_profiles())

        op = (
            self._jobs.operation(
                task, parent=self, key=("import.expand", id(self)), label="find import files"
            )
            .success(self._on_files_found)
            .failure(self._on_reading_failed)
            .run()
        )
        self._reads.append(op)  # type: ignore[arg-type]

    def _on_reading_failed(self, error: BaseException) -> None:
        self._files_read = True
        message = self._source.user_message(error)
        if message is None:
            self._jobs.present_error(error)
            message = "The files could not be read."
        self.preview_page.show_nothing(message)
        self._update_import_button()

    def _on_files_found(self, result: tuple[list[FileEntry], dict[str, str]]) -> None:
        entries, self._profiles = result
        self.entries = entries
        self._files_read = True
        if not entries:
            self.preview_page.show_nothing(NO_FILES)
            self._update_import_button()
            return
        count = len(entries)
        where = Path(self._source.display_name).name or self._source.display_name
        files = "a file" if count == 1 else f"{count} files"
        self.title_label.setText(f"Import {files} into {where}")
        self.title_label.setToolTip(self._source.display_name)
        self.files_model.set_files([file_row(e) for e in entries])
        self.files_view.setVisible(count > 1)
        for row, entry in enumerate(entries):
            if entry.loading:
                self._read_preview(row)
        self.preview_page.choose_file(0)
        self._show_entry(0)
        self._update_import_button()

    def _read_preview(self, row: int, kind: str = "auto") -> None:
        entry = self.entries[row]
        entry.loading = True
        source = self._source
        path = entry.path

        def task(_state: TaskState) -> tuple[FilePreview, tuple[FieldSpec, ...]]:
            preview = source.preview_file(path, kind=kind)
            generic = preview.detected_format == "generic" or preview.needs_mapping
            guess = kind_of(preview)
            fields = source.fields_for_kind(guess) if generic and guess else ()
            return preview, fields

        op = (
            self._jobs.operation(
                task, parent=self, key=("import.preview", id(self), row), label="preview file"
            )
            .success(lambda result: self._on_preview_read(row, result))
            .failure(lambda error: self._on_preview_failed(row, error))
            .run()
        )
        self._reads = [r for r in self._reads if not r.done]
        self._reads.append(op)  # type: ignore[arg-type]
        self._refresh_entry(row)

    def _on_preview_read(self, row: int, result: tuple[FilePreview, tuple[FieldSpec, ...]]) -> None:
        entry = self.entries[row]
        preview, fields = result
        entry.preview, entry.fields = preview, fields
        entry.loading = False
        entry.error = None
        entry.kind = kind_of(preview)
        if entry.generic:
            # A new kind brings new fields: the suggestions of the new preview apply.
            entry.mapping = None
            if not entry.profile_name:
                entry.profile_name = preview.profile_name or suggested_profile_name(
                    entry.path, preview.kind
                )
            # A profile that matched is already saved; no need to save it again unless edited.
            entry.save_profile = preview.profile_name is None
        self._refresh_entry(row)

    def _on_preview_failed(self, row: int, error: BaseException) -> None:
        entry = self.entries[row]
        message = self._source.user_message(error)
        if message is None:
            self._jobs.present_error(error)
            message = "This file could not be read."
        entry.loading = False
        entry.error = message
        self._refresh_entry(row)

    # -- showing a file ---------------------------------------------------------------

    def _refresh_entry(self, row: int) -> None:
        entry = self.entries[row]
        entry.blockers = blockers(entry)
        _name, status, tooltip = file_row(entry)
        self.files_model.update_file(row, status, tooltip)
        if row == self._current:
            self._show_entry(row, force=True)
        self._update_import_button()

    def _show_entry(self, row: int, *, force: bool = False) -> None:
        if not 0 <= row < len(self.entries) or (row == self._current and not force):
            return
        if row != self._current:
            self._store_editor_state()
        self._current = row
        self.preview_page.show_file(self.entries[row])

    def _store_editor_state(self) -> None:
        """Keep what the user did in the mapping editor with the file it belongs to."""
        if not 0 <= self._current < len(self.entries):
            return
        entry = self.entries[self._current]
        if not entry.generic or entry.loading or self.mapping_editor.model.rowCount() == 0:
            return
        entry.mapping = self.mapping_editor.model.mapping()
        entry.save_profile = self.mapping_editor.save_check.isChecked()
        entry.profile_name = self.mapping_editor.profile_edit.text()

    def _on_mapping_editor_mapping_changed(self) -> None:
        if not 0 <= self._current < len(self.entries):
            return
        entry = self.entries[self._current]
        if not entry.generic:
            return
        was_saving = entry.save_profile
        self._store_editor_state()
        if entry.preview is not None and entry.preview.profile_name and not was_saving:
            # Editing a matched profile's mapping: offer to save the change under its name.
            changed = entry.mapping != {c.column: c.field for c in entry.preview.columns}
            if changed and not entry.save_profile:
                entry.save_profile = True
                self.mapping_editor.save_check.setChecked(True)
        self._refresh_entry(self._current)

    def _on_mapping_editor_kind_chosen(self, kind: str) -> None:
        if not 0 <= self._current < len(self.entries):
            return
        self._read_preview(self._current, kind=kind)

    # -- checks -----------------------------------------------------------------------

    def _update_import_button(self) -> None:
        entries = self.entries
        ready = ready_entries(entries)
        reason, tone = import_reason(entries, loading=self.loading, profiles=self._profiles)
        self.reason_label.setText(reason)
        set_tone(self.reason_label, tone)
        blocked = any(e.blockers for e in entries)
        enabled = bool(ready) and not blocked and not self.loading
        was_off = not self.import_button.isEnabled()
        self.import_button.setEnabled(enabled and self._import_op is None)
        focus = self.focusWidget()
        if was_off and self.import_button.isEnabled() and focus in (None, self.cancel_button):
            # Cancel held the focus only while Import was off: the next step takes it.
            self.import_button.setFocus()
        n = len(ready)
        self.import_button.setText("Import" if n <= 1 else f"Import {n} files")
        self._update_title()

    def _update_title(self) -> None:
        page = self.pages.currentIndex()
        if page == REPORT_PAGE:
            return  # the report's own title (set with the outcome)
        if page == PROGRESS_PAGE:
            state: str | None = IMPORTING
        elif not self._files_read or any(e.loading for e in self.entries):
            state = READING
        else:
            state = READY if self.import_button.isEnabled() else None
        self.setWindowTitle(f"{TITLE} · {state}" if state else TITLE)

    def requests(self) -> list[ImportRequest]:
        """What start_import() will ask the importer for, file by file."""
        return import_requests(self.entries)

    # -- importing --------------------------------------------------------------------

    def start_import(self) -> None:
        """Import the ready files (the Import button)."""
        if self._import_op is not None or not self.import_button.isEnabled():
            return
        requests = self.requests()
        if not requests:
            return
        source = self._source
        flag = self._cancel_requested
        flag.clear()

        def task(state: TaskState) -> ImportOutcome:
            # Our own cancel flag, not the operation's: a cancelled import still returns
            # its report (the files that landed before the cancel), which the job runner
            # would drop for a cancelled operation.
            return source.run_import(
                requests,
                progress=state.progress,
                cancelled=lambda: flag.is_set() or state.cancelled(),
            )

        count = len(requests)
        self.progress_title.setText(
            f"Importing {Path(requests[0].path).name}…"
            if count == 1
            else f"Importing {count} files…"
        )
        self._show_page(PROGRESS_PAGE)
        self._update_title()
        self.progress_bar.setValue(0)
        self.progress_label.setText("Starting…")
        self._import_op = (
            self._jobs.operation(
                task, parent=self, key=("import.run", id(self)), label="import", what="the import"
            )
            .progress(self._on_import_progress)
            .success(self._on_import_done)
            .failure(self._on_import_failed)
            .finished(self._on_import_finished)
            .run()
        )

    def cancel_import(self) -> None:
        """Ask the running import to stop (the Cancel import button)."""
        if self._import_op is None:
            return
        self._cancel_requested.set()
        self.stop_button.setEnabled(False)
        self.progress_label.setText("Cancelling… the file being imported is rolled back.")

    @property
    def importing(self) -> bool:
        return self._import_op is not None

    def _on_import_progress(self, fraction: float, message: str) -> None:
        if self._cancel_requested.is_set():
            return
        if message:
            self.progress_label.setText(message)
        self.progress_bar.setValue(round(fraction * 1000))

    def _on_import_done(self, outcome: ImportOutcome) -> None:
        self._show_outcome(outcome)

    def _on_import_failed(self, error: BaseException) -> None:
        if isinstance(error, ImportCancelled):
            self._show_outcome(ImportOutcome(ImportReport(files=(), dry_run=False), cancelled=True))
            return
        message = self._source.user_message(error)
        if message is None:
            self._jobs.present_error(error)
            message = "Something went wrong; nothing was imported from the file being read."
        self._show_page(PREVIEW_PAGE)
        self.reason_label.setText(message)
        set_tone(self.reason_label, "critical")
        self.setWindowTitle(TITLE)

    def _on_import_finished(self) -> None:
        self._import_op = None
        if self.pages.currentIndex() == PREVIEW_PAGE:
            self.import_button.setEnabled(True)
            self._update_title()

    def _show_outcome(self, outcome: ImportOutcome) -> None:
        self.outcome = outcome
        self.report_view.set_outcome(outcome)
        self._show_page(REPORT_PAGE)
        self.setWindowTitle("Import report")
        if outcome.report.landed:
            self.import_landed.emit(outcome)
        self.import_finished.emit(outcome)

    # -- closing ----------------------------------------------------------------------

    def reject(self) -> None:
        if self._import_op is not None:
            # Closing mid-import means stop: the dialog stays until the outcome is known.
            self.cancel_import()
            return
        self._jobs_cancel_reads()
        super().reject()

    def accept(self) -> None:
        self._jobs_cancel_reads()
        super().accept()

    def _jobs_cancel_reads(self) -> None:
        # Reads still queued are dropped: their dialog is going away.
        for op in self._reads:
            op.cancel()
        self._reads.clear()
