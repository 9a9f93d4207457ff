"""The import dialog: a preview of each file (format, mapping, first rows), the import
with progress and Cancel, then the report.

Everything that reads a file or touches the workspace runs through the job runner on the
database worker: the dialog only shows what comes back (services/importing/types.py).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from services.importing.types import (
    FieldSpec,
    FilePreview,
    ImportCancelled,
    ImportReport,
)
from views.importing.mapping_editor import MappingEditor, kind_title
from views.importing.report import ImportReportView, SavePathFn
from views.importing.source import ImportOutcome, ImportRequest, ImportSource
from views.importing.widgets import configure_table, current_theme, plain_label, set_tone
from views.item_models.import_mapping_model import (
    duplicate_fields,
    missing_identity,
    missing_required,
    resolve_mapping,
)
from views.item_models.import_tables import FileEntryStatus, ImportFileListModel, PreviewRowsModel
from views.theme import Theme

if TYPE_CHECKING:
    from app.gui.jobs import JobRunner, Operation, TaskState

PREVIEW_PAGE, PROGRESS_PAGE, REPORT_PAGE = range(3)

ENCODINGS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (with BOM)",
    "cp1252": "Windows-1252",
    "latin-1": "Latin-1",
    "xlsx": "Excel workbook",
}
DELIMITERS = {
    ",": "comma-separated",
    ";": "semicolon-separated",
    "\t": "tab-separated",
    "|": "pipe-separated",
}
NO_FILES = (
    "No export files were found. Account Radar imports CSV, TSV and TXT files and "
    "Excel workbooks (.xlsx)."
)


@dataclass
class FileEntry:
    """One file of the dialog and what the user chose for it."""

    path: str
    preview: FilePreview | None = None
    fields: tuple[FieldSpec, ...] = ()
    error: str | None = None
    loading: bool = True
    kind: str = ""  # what the user says a generic file holds
    mapping: dict[str, str | None] | None = None  # the user's mapping of a generic file
    save_profile: bool = True
    profile_name: str = ""
    blockers: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.preview.file_name if self.preview is not None else Path(self.path).name

    @property
    def generic(self) -> bool:
        p = self.preview
        return p is not None and (p.detected_format == "generic" or p.needs_mapping)


def suggested_profile_name(path: str, kind: str) -> str:
    """A profile name from the file name: "pos_orders_2026-11.csv" -> "Pos orders"."""
    stem = Path(path).stem
    stem = re.sub(r"[\W_]*\d[\d\W_]*$", "", stem) or stem
    words = re.sub(r"[_\-.]+", " ", stem).strip()
    if not words:
        words = kind or "Import"
    return words[:1].upper() + words[1:]


def _and(items: Sequence[str]) -> str:
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else "".join(items)


def describe_preview(p: FilePreview, kind: str = "") -> str:
    """What a file is, in one line: format, what it holds, encoding, size.

    kind: what the user chose a generic file holds (else the file's own kinds).
    """
    # A generic file's own title names a kind ("Generic orders file"); the kind comes next.
    generic = p.detected_format == "generic"
    parts = ["Generic file" if generic else p.format_title or p.detected_format]
    # A generic file holds what the user says (nothing yet when the importer is unsure).
    kinds = [kind] if kind else ([] if generic else list(p.kinds))
    if kinds:
        titles = [kind_title(k).split(" (")[0] for k in kinds]
        parts.append(_and([titles[0]] + [t.lower() for t in titles[1:]]))
    enc = ENCODINGS.get(p.encoding.lower(), p.encoding)
    if p.delimiter:
        enc += ", " + DELIMITERS.get(p.delimiter, f"separated by “{p.delimiter}”")
    parts.append(enc)
    parts.append(f"about {p.rows_estimate:,} row{'s' if p.rows_estimate != 1 else ''}")
    return " · ".join(parts)


def _kind_of(preview: FilePreview) -> str:
    """The kind a generic file holds: the importer's when it is sure, else "" (the user
    chooses; a best guess preselected would be one click away from a wrong import)."""
    return preview.kind if "," not in preview.kind else ""


# The importer's own sentence about unmapped fields: the mapping editor says it better.
_MAPPING_PROBLEM = "Account Radar could not tell which column holds"


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
        self._backend = source
        self._paths = [str(p) for p in paths]
        self.entries: list[FileEntry] = []
        self._profiles: dict[str, str] = {}
        self._current = -1
        self._import_op: Operation[ImportOutcome] | None = None
        self._reads: list[Operation[object]] = []
        self._cancel_requested = threading.Event()
        self.outcome: ImportOutcome | None = None
        self.setObjectName("importDialog")
        self.setWindowTitle("Import files")
        self.setSizeGripEnabled(True)

        self.pages = QStackedWidget(self)
        self.pages.addWidget(self._build_preview_page())
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
        self._show_page(PREVIEW_PAGE)
        self.resize(1040, 680)
        self._apply_theme(current_theme(self))
        self._start_reading()

    # -- construction -----------------------------------------------------------------

    def _build_preview_page(self) -> QWidget:
        page = QWidget(self)
        self.title_label = QLabel("Reading the files…", page)
        self.title_label.setObjectName("paneTitle")

        # Left: the files (only when there are several).
        self.files_model = ImportFileListModel(self)
        self.files_view = QTableView(page)
        self.files_view.setObjectName("importFiles")
        self.files_view.setModel(self.files_model)
        configure_table(self.files_view, sortable=False)
        header = self.files_view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.files_view.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self._show_entry(current.row())
        )
        self.files_view.setMinimumWidth(220)

        # Right: the file.
        detail = QWidget(page)
        self.file_title = QLabel("", detail)
        self.file_title.setObjectName("importFileTitle")
        self.file_title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.format_label = plain_label("", detail, "importFormat")
        self.profile_label = plain_label("", detail, "importProfile")
        self.problems_label = plain_label("", detail, "importProblems")
        set_tone(self.problems_label, "critical")
        self.mapping_editor = MappingEditor(detail)
        self.mapping_editor.kind_chosen.connect(self._on_mapping_editor_kind_chosen)
        self.mapping_editor.mapping_changed.connect(self._on_mapping_editor_mapping_changed)
        self.rows_model = PreviewRowsModel(self)
        self.rows_view = QTableView(detail)
        self.rows_view.setObjectName("previewRows")
        self.rows_view.setModel(self.rows_model)
        configure_table(self.rows_view, sortable=False)
        self.rows_view.verticalHeader().show()
        self.rows_view.horizontalHeader().setDefaultSectionSize(130)
        self.tabs = QTabWidget(detail)
        self.tabs.setObjectName("importTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.mapping_editor, "Column mapping")
        self.tabs.addTab(self.rows_view, "First rows")

        self.loading_panel = QWidget(detail)
        self.loading_label = QLabel("Reading the files…", self.loading_panel)
        self.loading_label.setObjectName("emptyState")
        self.loading_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.loading_label.setWordWrap(True)
        loading_bar = QProgressBar(self.loading_panel)
        loading_bar.setObjectName("busyBar")
        loading_bar.setRange(0, 0)
        loading_bar.setTextVisible(False)
        loading_bar.setFixedWidth(160)
        self.loading_bar = loading_bar
        loading_layout = QVBoxLayout(self.loading_panel)
        loading_layout.addStretch(1)
        loading_layout.addWidget(self.loading_label)
        loading_layout.addWidget(loading_bar, 0, Qt.AlignmentFlag.AlignHCenter)
        loading_layout.addStretch(1)

        self.file_card = QFrame(detail)
        self.file_card.setObjectName("importFileCard")
        card = QVBoxLayout(self.file_card)
        card.setContentsMargins(0, 0, 0, 0)
        card.setSpacing(6)
        card.addWidget(self.file_title)
        card.addWidget(self.format_label)
        card.addWidget(self.profile_label)
        card.addWidget(self.problems_label)
        card.addSpacing(4)
        card.addWidget(self.tabs, 1)

        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.loading_panel, 1)
        detail_layout.addWidget(self.file_card, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, page)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.files_view)
        self.splitter.addWidget(detail)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([300, 720])
        self.files_view.hide()

        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.title_label)
        layout.addWidget(self.splitter, 1)
        self._show_loading("Reading the files…")
        return page

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

    def _apply_theme(self, theme: Theme) -> None:
        self.mapping_editor.set_theme(theme)
        self.files_model.set_status_colors(
            {
                FileEntryStatus.NEEDS_MAPPING: QColor(theme.warning),
                FileEntryStatus.PROBLEM: QColor(theme.critical),
                FileEntryStatus.READY: QColor(theme.positive),
                FileEntryStatus.LOADING: QColor(theme.muted),
            }
        )

    def _show_loading(self, text: str) -> None:
        self.loading_label.setText(text)
        self.loading_panel.show()
        self.file_card.hide()

    # -- reading ----------------------------------------------------------------------

    @property
    def loading(self) -> bool:
        """True until every file has been read (or failed to)."""
        return not self.entries or any(e.loading for e in self.entries)

    def _start_reading(self) -> None:
        source = self._backend
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
        message = self._backend.user_message(error)
        if message is None:
            self._jobs.present_error(error)
            message = "The files could not be read."
        self.title_label.setText("Nothing to import")
        self._show_loading(message)
        self.loading_bar.hide()
        self._update_import_button()

    def _on_files_found(self, result: tuple[list[FileEntry], dict[str, str]]) -> None:
        entries, self._profiles = result
        self.entries = entries
        if not entries:
            self.title_label.setText("Nothing to import")
            self._show_loading(NO_FILES)
            self.loading_bar.hide()
            self._update_import_button()
            return
        count = len(entries)
        where = Path(self._backend.display_name).name or self._backend.display_name
        files = "a file" if count == 1 else f"{count} files"
        self.title_label.setText(f"Import {files} into {where}")
        self.title_label.setToolTip(self._backend.display_name)
        self.files_model.set_files([self._file_row(e) for e in entries])
        self.files_view.setVisible(count > 1)
        for row, entry in enumerate(entries):
            if entry.loading:
                self._read_preview(row)
        self.files_view.selectionModel().setCurrentIndex(
            self.files_model.index(0, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self._show_entry(0)
        self._update_import_button()

    def _read_preview(self, row: int, kind: str = "auto") -> None:
        entry = self.entries[row]
        entry.loading = True
        source = self._backend
        path = entry.path

        def task(_state: TaskState) -> tuple[FilePreview, tuple[FieldSpec, ...]]:
            preview = source.preview_file(path, kind=kind)
            generic = preview.detected_format == "generic" or preview.needs_mapping
            guess = _kind_of(preview)
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
        entry.kind = _kind_of(preview)
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
        message = self._backend.user_message(error)
        if message is None:
            self._jobs.present_error(error)
            message = "This file could not be read."
        entry.loading = False
        entry.error = message
        self._refresh_entry(row)

    # -- showing a file ---------------------------------------------------------------

    def _file_row(self, entry: FileEntry) -> tuple[str, str, str]:
        if entry.loading:
            status = FileEntryStatus.LOADING
        elif entry.error is not None:
            status = FileEntryStatus.PROBLEM
        elif entry.blockers:
            status = FileEntryStatus.NEEDS_MAPPING
        else:
            status = FileEntryStatus.READY
        tooltip = entry.error or "\n".join(entry.blockers) or entry.path
        return entry.name, status, tooltip

    def _refresh_entry(self, row: int) -> None:
        entry = self.entries[row]
        entry.blockers = self._blockers(entry)
        _name, status, tooltip = self._file_row(entry)
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
        entry = self.entries[row]
        self.file_title.setText(entry.name)
        self.file_title.setToolTip(entry.path)
        if entry.loading:
            self._show_loading(f"Reading {entry.name}…")
            self.loading_bar.show()
            return
        self.loading_panel.hide()
        self.file_card.show()
        preview = entry.preview
        if preview is None:
            self.format_label.setText("")
            self.profile_label.hide()
            self.problems_label.setText(entry.error or "")
            self.problems_label.show()
            self.tabs.hide()
            return
        self.tabs.show()
        self.format_label.setText(describe_preview(preview, entry.kind if entry.generic else ""))
        problems = [
            p for p in preview.problems if not (entry.generic and p.startswith(_MAPPING_PROBLEM))
        ]
        problems = [p[:1].upper() + p[1:] for p in problems]
        if entry.error:
            problems.insert(0, entry.error)
        self.problems_label.setText("\n".join(problems))
        self.problems_label.setVisible(bool(problems))
        if preview.profile_name:
            self.profile_label.setText(
                f"Uses your saved mapping “{preview.profile_name}”: it matched this file's columns."
            )
        elif entry.generic:
            self.profile_label.setText(
                "Not a format Account Radar knows: check which field each column fills."
            )
        else:
            self.profile_label.setText("Recognised from the header: no mapping needed.")
        self.profile_label.show()
        self.rows_model.set_preview(preview)
        self._fit_preview_columns()
        mapping_tab = self.tabs.indexOf(self.mapping_editor)
        self.tabs.setTabVisible(mapping_tab, entry.generic)
        self.tabs.setTabText(
            self.tabs.indexOf(self.rows_view), f"First rows ({len(preview.sample_rows)})"
        )
        if entry.generic:
            editor = self.mapping_editor
            editor.blockSignals(True)
            editor.set_kind(entry.kind)
            editor.model.set_columns(
                preview.columns,
                entry.fields,
                entry.mapping,
                suggestion_title="In the profile" if preview.profile_name else "Suggested",
            )
            editor.set_profile(entry.save_profile, entry.profile_name)
            editor.blockSignals(False)
            self.tabs.setCurrentWidget(editor)
        else:
            self.tabs.setCurrentWidget(self.rows_view)

    def _fit_preview_columns(self) -> None:
        fm = self.rows_view.fontMetrics()
        bold = self.rows_view.font()
        bold.setBold(True)
        header_fm = QFontMetrics(bold)
        model = self.rows_model
        for col in range(model.columnCount()):
            title = str(model.headerData(col, Qt.Orientation.Horizontal))
            texts = [str(model.index(r, col).data() or "") for r in range(model.rowCount())]
            width = max([header_fm.horizontalAdvance(title) + 8, *map(fm.horizontalAdvance, texts)])
            self.rows_view.setColumnWidth(col, min(max(width + 24, 60), 260))

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

    def _blockers(self, entry: FileEntry) -> list[str]:
        """What stops this file from being imported, in plain words (empty: ready)."""
        if entry.loading or entry.error is not None or entry.preview is None:
            return []
        if not entry.generic:
            return []
        if not entry.kind:
            return ["choose what the file holds (customers, orders…)"]
        mapping = resolve_mapping(entry.preview.columns, entry.fields, entry.mapping)
        out = []
        missing = missing_required(entry.fields, mapping)
        if missing:
            out.append(f"choose a column for {_and([f.title for f in missing])}")
        who = missing_identity(entry.fields, mapping)
        if who:
            out.append(
                "choose the column that names the customer ("
                + " or ".join(f.title for f in who)
                + ")"
            )
        for title, columns in duplicate_fields(entry.fields, mapping).items():
            cols = " and ".join(f"“{c}”" for c in columns)
            out.append(f"{title} is chosen for both {cols}; keep one")
        if entry.save_profile and not entry.profile_name.strip():
            out.append("give the profile a name, or untick “Save this mapping”")
        return out

    def _update_import_button(self) -> None:
        entries = self.entries
        ready = [e for e in entries if not e.loading and e.error is None and not e.blockers]
        blocked = [e for e in entries if e.blockers]
        failed = [e for e in entries if not e.loading and e.error is not None]
        reason = ""
        tone = "warning"
        if self.loading and entries:
            reason = "Reading the files…"
            tone = "muted"
        elif blocked:
            if len(entries) == 1:
                text = "; ".join(blocked[0].blockers)
                reason = f"Before importing, {text}."
            else:
                reason = "Before importing, " + "; ".join(
                    f"{e.name}: {'; '.join(e.blockers)}" for e in blocked
                )
                reason += "."
        elif entries and not ready:
            reason = (
                "This file cannot be imported."
                if len(entries) == 1
                else "None of these files can be imported."
            )
            tone = "critical"
        elif failed:
            reason = (
                f"{len(failed)} of {len(entries)} files cannot be imported and will be skipped."
            )
        elif ready:
            profile = self._profile_note(ready)
            if profile:
                reason, tone = profile, "muted"
        self.reason_label.setText(reason[:1].upper() + reason[1:] if reason else "")
        set_tone(self.reason_label, tone)
        enabled = bool(ready) and not blocked and not self.loading
        self.import_button.setEnabled(enabled and self._import_op is None)
        n = len(ready)
        self.import_button.setText("Import" if n <= 1 else f"Import {n} files")

    def _profile_note(self, ready: Sequence[FileEntry]) -> str:
        notes = []
        for e in ready:
            name = e.profile_name.strip()
            if e.generic and e.save_profile and name:
                if name in self._profiles and (e.preview is None or e.preview.profile_name != name):
                    notes.append(f"the mapping replaces your saved profile “{name}”")
                elif e.preview is not None and e.preview.profile_name == name:
                    notes.append(f"the changes are saved in the profile “{name}”")
                else:
                    notes.append(f"the mapping is saved as “{name}” for the next file like it")
        return "; ".join(dict.fromkeys(notes)) + "." if notes else ""

    def requests(self) -> list[ImportRequest]:
        """What start_import() will ask the importer for, file by file."""
        out = []
        for e in self.entries:
            if e.loading or e.error is not None or e.blockers or e.preview is None:
                continue
            if not e.generic:
                # A known format: the importer reads it by its header, whatever it feeds.
                out.append(ImportRequest(path=e.path))
                continue
            name = e.profile_name.strip()
            save = name if e.save_profile and name else None
            mapping = resolve_mapping(e.preview.columns, e.fields, e.mapping)
            profile = e.preview.profile_name
            if (
                profile is not None
                and e.kind == e.preview.kind
                and mapping == resolve_mapping(e.preview.columns, e.fields)
                and save in (None, profile)
            ):
                # The saved profile as it is: imported under its name (the history says so).
                out.append(ImportRequest(path=e.path, profile=profile))
                continue
            out.append(ImportRequest(path=e.path, kind=e.kind, mapping=mapping, save_profile=save))
        return out

    # -- importing --------------------------------------------------------------------

    def start_import(self) -> None:
        """Import the ready files (the Import button)."""
        if self._import_op is not None or not self.import_button.isEnabled():
            return
        requests = self.requests()
        if not requests:
            return
        source = self._backend
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
        self.progress_bar.setValue(0)
        self.progress_label.setText("Starting…")
        self._show_page(PROGRESS_PAGE)
        self._import_op = (
            self._jobs.operation(task, parent=self, key=("import.run", id(self)), label="import")
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
        message = self._backend.user_message(error)
        if message is None:
            self._jobs.present_error(error)
            message = "Something went wrong; nothing was imported from the file being read."
        self._show_page(PREVIEW_PAGE)
        self.reason_label.setText(message)
        set_tone(self.reason_label, "critical")

    def _on_import_finished(self) -> None:
        self._import_op = None
        if self.pages.currentIndex() == PREVIEW_PAGE:
            self.import_button.setEnabled(True)

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
