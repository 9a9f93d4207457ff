"""The import dialog's first page: the files (a list when there are several) and the one
chosen: what it is, its problems, the column mapping of a generic file and its first rows.
The dialog keeps what the user chose (views/importing/file_entries.py); this page shows it.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import (
    QFrame,
    QHeaderView,
    QLabel,
    QProgressBar,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from views.importing.file_entries import MAPPING_PROBLEM, FileEntry, describe_preview
from views.importing.mapping_editor import MappingEditor
from views.item_models.import_tables import FileEntryStatus, ImportFileListModel, PreviewRowsModel
from views.kit.accessibility import name
from views.kit.dialog_parts import configure_table, plain_label, set_tone
from views.kit.theme import Theme


class ImportPreviewPage(QWidget):
    """The files to import and the chosen one's preview.

    Signals:
        file_chosen(row): another file was chosen in the list.
    """

    file_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:  # noqa: PLR0915
        super().__init__(parent)
        self.title_label = QLabel("Reading the files…", self)
        self.title_label.setObjectName("paneTitle")

        # Left: the files (only when there are several).
        self.files_model = ImportFileListModel(self)
        self.files_view = QTableView(self)
        self.files_view.setObjectName("importFiles")
        name(self.files_view, "Files")
        self.files_view.setModel(self.files_model)
        configure_table(self.files_view, sortable=False)
        header = self.files_view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.files_view.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self.file_chosen.emit(current.row())
        )
        self.files_view.setMinimumWidth(220)

        # Right: the file.
        detail = QWidget(self)
        self.file_title = QLabel("", detail)
        self.file_title.setObjectName("importFileTitle")
        self.file_title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.format_label = plain_label("", detail, "importFormat")
        self.profile_label = plain_label("", detail, "importProfile")
        self.problems_label = plain_label("", detail, "importProblems")
        set_tone(self.problems_label, "critical")
        self.mapping_editor = MappingEditor(detail)
        self.rows_model = PreviewRowsModel(self)
        self.rows_view = QTableView(detail)
        self.rows_view.setObjectName("previewRows")
        name(self.rows_view, "First rows")
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

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.files_view)
        self.splitter.addWidget(detail)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([300, 720])
        self.files_view.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.title_label)
        layout.addWidget(self.splitter, 1)
        self.show_loading("Reading the files…")

    def apply_theme(self, theme: Theme) -> None:
        self.mapping_editor.set_theme(theme)
        self.files_model.set_status_colors(
            {
                FileEntryStatus.NEEDS_MAPPING: QColor(theme.warning),
                FileEntryStatus.PROBLEM: QColor(theme.critical),
                FileEntryStatus.READY: QColor(theme.positive),
                FileEntryStatus.LOADING: QColor(theme.muted),
            }
        )

    def show_loading(self, text: str) -> None:
        self.loading_label.setText(text)
        self.loading_panel.show()
        self.file_card.hide()

    def show_nothing(self, message: str) -> None:
        """No file to show: the title says so, the message says why."""
        self.title_label.setText("Nothing to import")
        self.show_loading(message)
        self.loading_bar.hide()

    def choose_file(self, row: int) -> None:
        """Select the file in the list (the list says file_chosen)."""
        self.files_view.selectionModel().setCurrentIndex(
            self.files_model.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )

    def show_file(self, entry: FileEntry) -> None:
        """Show a file: still being read, failed, or its preview (and mapping, if generic)."""
        self.file_title.setText(entry.name)
        self.file_title.setToolTip(entry.path)
        if entry.loading:
            self.show_loading(f"Reading {entry.name}…")
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
            p for p in preview.problems if not (entry.generic and p.startswith(MAPPING_PROBLEM))
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
        self._fit_columns()
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

    def _fit_columns(self) -> None:
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
