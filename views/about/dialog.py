"""Help ▸ About Account Radar (``AboutDialog``): the version and build, what the app is
for, and the licences of everything it bundles (a list, and the chosen one's text)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from services.core.licences import Licence
from services.core.version import version_text
from views.kit.geometry import FitsScreen, resize_for_text

NO_TEXT = "This package ships no licence text; its licence is named in the list."
HEADERS = ("Package", "Version", "Licence")


class LicenceModel(QAbstractTableModel):
    """The bundled packages: name, version, licence (the tooltip repeats the cell)."""

    def __init__(self, rows: Sequence[Licence]) -> None:
        super().__init__()
        self.rows = list(rows)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(HEADERS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        value = (row.name, row.version, row.licence)[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return value
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None


class AboutDialog(QDialog):
    """The version, then the bundled packages with their licences (the text on the right)."""

    def __init__(self, licences: Sequence[Licence], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About Account Radar")
        resize_for_text(self, 960, 580)
        FitsScreen(self)  # a smaller screen, or one scaled to 150 % or 200 %
        self.licences = list(licences)
        title = QLabel("Account Radar", self)
        title.setObjectName("paneTitle")
        self.version_label = QLabel(f"Version {version_text()}", self)
        self.version_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        blurb = QLabel(
            "Find the customers you are about to lose, and win them back. "
            "Your data stays on this computer.",
            self,
        )
        blurb.setWordWrap(True)
        heading = QLabel(f"Licences of the {len(self.licences)} packages it bundles", self)
        heading.setObjectName("sectionTitle")

        self.model = LicenceModel(self.licences)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.TypeWriter)
        self.text.setFont(mono)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.text)
        splitter.setSizes([500, 360])

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.version_label)
        layout.addWidget(blurb)
        layout.addSpacing(6)
        layout.addWidget(heading)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)
        self.table.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self._show(current.row())
        )
        if self.licences:
            self.table.selectRow(0)

    def _show(self, row: int) -> None:
        if 0 <= row < len(self.licences):
            item = self.licences[row]
            self.text.setPlainText(item.text or NO_TEXT)
            self.text.moveCursor(self.text.textCursor().MoveOperation.Start)
