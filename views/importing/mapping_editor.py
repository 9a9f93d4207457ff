"""The mapping editor of a generic file: what the file holds, which field each column
fills, and the name to save the mapping under for the next file with the same header."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from services.importing.types import IMPORT_KINDS, USAGE_KIND
from views.item_models.import_mapping_model import (
    FIELD,
    HEADERS,
    SAMPLES,
    SUGGESTION,
    MappingModel,
)
from views.kit.accessibility import name
from views.kit.combo import ComboBox
from views.kit.theme import Theme

Index = QModelIndex | QPersistentModelIndex

KIND_TITLES = {
    "customers": "Customers",
    "orders": "Orders",
    "interactions": "Interactions (tickets, emails, reviews)",
    "opportunities": "Opportunities (deals)",
    "subscriptions": "Subscriptions",
    "contracts": "Contracts",
    USAGE_KIND: "Product usage",
    "conversations": "Conversations (calls, meetings, chats, emails, mentions)",
}
CHOOSE_KIND = "Choose what the file holds…"
HINT = "Pick the field each column fills. Columns left as extra detail are kept with the record."
HINT_NO_KIND = (
    "Account Radar cannot tell what this file holds. Choose it above, then pick the field "
    "each column fills."
)


def kind_title(kind: str) -> str:
    return KIND_TITLES.get(kind, kind.capitalize() if kind else "Not known yet")


class FieldComboDelegate(QStyledItemDelegate):
    """A combo box of the kind's fields for the "Maps to" column; commits on every pick."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        model = index.model()
        combo = ComboBox(parent)
        combo.setObjectName("fieldCombo")
        combo.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the wheel scrolls the table
        if isinstance(model, MappingModel):
            for name, label in model.field_choices():
                combo.addItem(label, name or "")
        combo.setMaxVisibleItems(16)
        combo.activated.connect(lambda _i, c=combo: self._commit(c))
        return combo

    def _commit(self, combo: QComboBox) -> None:
        self.commitData.emit(combo)

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        if isinstance(editor, QComboBox):
            value = index.data(Qt.ItemDataRole.EditRole) or ""
            pos = editor.findData(value)
            editor.setCurrentIndex(max(pos, 0))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData() or "", Qt.ItemDataRole.EditRole)

    def updateEditorGeometry(
        self, editor: QWidget, option: QStyleOptionViewItem, index: Index
    ) -> None:
        editor.setGeometry(option.rect.adjusted(2, 2, -2, -2))


class MappingEditor(QWidget):
    """Kind selector, the column-to-field table and "save as profile".

    Signals:
        kind_chosen(kind): the user chose what the file holds (the preview is read again).
        mapping_changed(): a field, or the profile choice, changed.
    """

    kind_chosen = Signal(str)
    mapping_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = MappingModel(self)
        self.model.mapping_changed.connect(self.mapping_changed)

        self.kind_combo = ComboBox(self)
        self.kind_combo.setObjectName("kindCombo")
        self.kind_combo.addItem(CHOOSE_KIND, "")
        for kind in IMPORT_KINDS:
            if kind != "auto":
                self.kind_combo.addItem(KIND_TITLES.get(kind, kind), kind)
        self.kind_combo.activated.connect(self._on_kind_combo_activated)
        kind_label = QLabel("This file holds", self)
        kind_label.setBuddy(self.kind_combo)
        self.hint_label = QLabel(HINT, self)
        self.hint_label.setObjectName("hintLabel")
        self.hint_label.setWordWrap(True)

        self.table = name(QTableView(self), "Column mapping")
        self.table.setObjectName("mappingTable")
        self.table.setModel(self.model)
        # After setModel: the view closes every editor on a reset, then this opens them.
        self.model.modelReset.connect(self._open_editors)
        self.table.setItemDelegateForColumn(FIELD, FieldComboDelegate(self.table))
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().hide()
        # Room for a combo box in each row.
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 16)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(SAMPLES, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)

        self.save_check = QCheckBox("Save this mapping as profile:", self)
        self.save_check.setObjectName("saveProfileCheck")
        self.save_check.setToolTip(
            "Next time a file with the same columns is imported, this mapping is used "
            "without asking."
        )
        self.profile_edit = name(QLineEdit(self), "Profile name")
        self.profile_edit.setObjectName("profileName")
        self.profile_edit.setPlaceholderText("Profile name, e.g. POS orders")
        self.profile_edit.setEnabled(False)
        self.save_check.toggled.connect(self._on_save_check_toggled)
        self.profile_edit.textChanged.connect(lambda _t: self.mapping_changed.emit())

        kind_row = QHBoxLayout()
        kind_row.setSpacing(8)
        kind_row.addWidget(kind_label)
        kind_row.addWidget(self.kind_combo)
        kind_row.addStretch(1)
        save_row = QHBoxLayout()
        save_row.setSpacing(8)
        save_row.addWidget(self.save_check)
        save_row.addWidget(self.profile_edit, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.setSpacing(8)
        layout.addLayout(kind_row)
        layout.addWidget(self.hint_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(save_row)

    # -- content ----------------------------------------------------------------------

    def set_kind(self, kind: str) -> None:
        pos = self.kind_combo.findData(kind if kind in KIND_TITLES else "")
        self.kind_combo.setCurrentIndex(max(pos, 0))
        known = bool(self.kind)
        # The fields depend on the kind: until it is chosen there is nothing to pick.
        self.table.setEnabled(known)
        self.save_check.setEnabled(known)
        self.profile_edit.setEnabled(known and self.save_check.isChecked())
        self.hint_label.setText(HINT if known else HINT_NO_KIND)

    @property
    def kind(self) -> str:
        return str(self.kind_combo.currentData() or "")

    def set_profile(self, save: bool, name: str) -> None:
        self.profile_edit.setText(name)
        self.save_check.setChecked(save)
        self.profile_edit.setEnabled(save and self.save_check.isEnabled())

    @property
    def save_profile(self) -> str | None:
        """The profile name to save under, None when not saving; "" when the name is missing."""
        if not self.save_check.isChecked():
            return None
        return self.profile_edit.text().strip()

    def set_theme(self, theme: Theme) -> None:
        self.model.set_colors(
            {
                "muted": QColor(theme.muted),
                "positive": QColor(theme.positive),
                "warning": QColor(theme.warning),
            }
        )

    def fit_columns(self) -> None:
        """Column widths for the names and the combo boxes, samples take the rest."""
        fm = self.fontMetrics()
        bold = self.table.font()
        bold.setBold(True)
        bold_fm = QFontMetrics(bold)
        names = [str(self.model.index(r, 0).data()) for r in range(min(self.model.rowCount(), 60))]
        widest = max((bold_fm.horizontalAdvance(t) for t in names), default=0)
        header = self.table.horizontalHeader().fontMetrics().horizontalAdvance(HEADERS[0])
        self.table.setColumnWidth(0, min(max(widest, header) + 30, 260))
        labels = [label for _name, label in self.model.field_choices()]
        combo = max((fm.horizontalAdvance(t) for t in labels), default=120) + 48
        self.table.setColumnWidth(FIELD, min(max(combo, 200), 300))
        self.table.setColumnWidth(SUGGESTION, fm.horizontalAdvance("Customer email · 100%") + 20)

    # -- slots ------------------------------------------------------------------------

    def _open_editors(self) -> None:
        for row in range(self.model.rowCount()):
            self.table.openPersistentEditor(self.model.index(row, FIELD))
        self.fit_columns()

    def combo_for_row(self, row: int) -> QComboBox | None:
        """The combo box of a row (tests and keyboard navigation)."""
        widget: Any = self.table.indexWidget(self.model.index(row, FIELD))
        return widget if isinstance(widget, QComboBox) else None

    def _on_kind_combo_activated(self, _index: int) -> None:
        kind = self.kind
        if kind:
            self.kind_chosen.emit(kind)

    def _on_save_check_toggled(self, checked: bool) -> None:
        self.profile_edit.setEnabled(checked and self.save_check.isEnabled())
        if checked and not self.profile_edit.text():
            self.profile_edit.setFocus()
        self.mapping_changed.emit()
