"""The Ask tab's left side: the saved questions (built in, then the user's own) and the
form of the one picked, its parameters ready to edit, with "Ask this".

Signals:
    ask_requested(str, dict): ask the saved question (its id) with these values.
    delete_requested(str): remove a question the user saved (its id).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from views.ask.source import ParamField, QuestionEntry
from views.kit.accessibility import name
from views.kit.combo import ComboBox

Index = QModelIndex | QPersistentModelIndex
EntryRole = Qt.ItemDataRole.UserRole + 1


class QuestionListModel(QAbstractListModel):
    """Saved questions (or suggestions) by title; the user's own marked "(saved)"."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._entries: tuple[QuestionEntry, ...] = ()
        self._saved_font = QFont()
        self._saved_font.setItalic(True)

    def set_entries(self, entries: Sequence[QuestionEntry]) -> None:
        self.beginResetModel()
        self._entries = tuple(entries)
        self.endResetModel()

    @property
    def entries(self) -> tuple[QuestionEntry, ...]:
        return self._entries

    def entry(self, row: int) -> QuestionEntry | None:
        return self._entries[row] if 0 <= row < len(self._entries) else None

    def row_of(self, question_id: str) -> int:
        return next((i for i, e in enumerate(self._entries) if e.id == question_id), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._entries)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._entries):
            return None
        entry = self._entries[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return entry.title if entry.builtin else f"{entry.title} (saved)"
        if role == Qt.ItemDataRole.ToolTipRole:
            return entry.question + (f"\n{entry.explanation}" if entry.explanation else "")
        if role == Qt.ItemDataRole.FontRole and not entry.builtin:
            return self._saved_font
        if role == EntryRole:
            return entry
        return None


class _ListView(QListView):
    """Enter on a question asks it (as "Ask this" does)."""

    activated_row = Signal(int)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.activated_row.emit(self.currentIndex().row())
            return
        super().keyPressEvent(event)


def _editor(field: ParamField, parent: QWidget) -> QWidget:
    value = field.value
    if field.kind == "choice" and field.choices:
        combo = ComboBox(parent)
        combo.addItems(list(field.choices))
        # A value read from typed words may differ in case ("gold" for "Gold").
        wanted = str(value).lower() if value is not None else None
        for i, choice in enumerate(field.choices):
            if choice.lower() == wanted:
                combo.setCurrentIndex(i)
        return combo
    if field.kind == "int":
        spin = QSpinBox(parent)
        spin.setRange(0, 1_000_000)
        spin.setGroupSeparatorShown(True)
        spin.setValue(int(value) if isinstance(value, int | float | str) and str(value) else 0)
        return spin
    if field.kind == "percent":
        spin = QSpinBox(parent)
        spin.setRange(0, 100)
        spin.setSuffix(" %")
        spin.setValue(round(float(value) * 100) if value is not None else 0)
        return spin
    if field.kind in ("number", "money"):
        dspin = QDoubleSpinBox(parent)
        dspin.setRange(-1e12, 1e12)
        dspin.setDecimals(2)
        dspin.setGroupSeparatorShown(True)
        dspin.setValue(float(value) if value is not None else 0.0)
        return dspin
    if field.kind == "date":
        edit = QDateEdit(parent)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("MMM d, yyyy")
        day = value if isinstance(value, dt.date) else None
        if day is None and isinstance(value, str):
            try:
                day = dt.date.fromisoformat(value[:10])
            except ValueError:
                day = None
        day = day or dt.date.today()
        edit.setDate(QDate(day.year, day.month, day.day))
        return edit
    line = QLineEdit("" if value is None else str(value), parent)
    return line


def _value_of(field: ParamField, editor: QWidget) -> Any:
    if isinstance(editor, QComboBox):
        return editor.currentText()
    if isinstance(editor, QSpinBox):
        return editor.value() / 100.0 if field.kind == "percent" else editor.value()
    if isinstance(editor, QDoubleSpinBox):
        return editor.value()
    if isinstance(editor, QDateEdit):
        return editor.date().toString("yyyy-MM-dd")
    if isinstance(editor, QLineEdit):
        return editor.text().strip()
    return None


class LibraryPanel(QWidget):
    """The saved questions and the picked one's parameters."""

    ask_requested = Signal(str, dict)
    delete_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("askLibrary")
        title = QLabel("Saved questions", self)
        title.setObjectName("sectionTitle")
        self.model = QuestionListModel(self)
        self.list_view = name(_ListView(self), "Saved questions")
        self.list_view.setObjectName("askSavedList")
        self.list_view.setModel(self.model)
        self.list_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list_view.setUniformItemSizes(True)
        self.list_view.setAlternatingRowColors(True)
        self.list_view.setSpacing(1)
        self.list_view.selectionModel().currentChanged.connect(self._on_list_current_changed)
        self.list_view.doubleClicked.connect(lambda index: self._ask_row(index.row()))
        self.list_view.activated_row.connect(self._ask_row)

        self.form_card = QFrame(self)
        self.form_card.setObjectName("card")
        self.question_label = QLabel("", self.form_card)
        self.question_label.setWordWrap(True)
        self.question_label.setObjectName("askPickedQuestion")
        self.question_label.setTextFormat(Qt.TextFormat.PlainText)
        self.explanation_label = QLabel("", self.form_card)
        self.explanation_label.setObjectName("kpiNote")
        self.explanation_label.setWordWrap(True)
        self._form = QFormLayout()
        self._form.setContentsMargins(0, 2, 0, 2)
        self._form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.ask_button = QPushButton("Ask this", self.form_card)
        self.ask_button.setDefault(False)
        self.ask_button.clicked.connect(self._on_ask_button_clicked)
        self.delete_button = QPushButton("Remove", self.form_card)
        self.delete_button.setToolTip("Remove this question you saved from the library")
        self.delete_button.clicked.connect(self._on_delete_button_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        buttons.addWidget(self.ask_button)
        card_layout = QVBoxLayout(self.form_card)
        card_layout.setContentsMargins(10, 8, 10, 8)
        card_layout.setSpacing(6)
        card_layout.addWidget(self.question_label)
        card_layout.addWidget(self.explanation_label)
        card_layout.addLayout(self._form)
        card_layout.addLayout(buttons)
        self.form_card.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(title)
        layout.addWidget(self.list_view, 1)
        layout.addWidget(self.form_card)
        self._editors: list[tuple[ParamField, QWidget]] = []
        self._picked: QuestionEntry | None = None

    # -- contents -------------------------------------------------------------------------

    def set_entries(self, entries: Sequence[QuestionEntry]) -> None:
        """Show the library; the picked question stays picked when it is still there."""
        picked = self._picked.id if self._picked is not None else None
        self.model.set_entries(entries)
        row = self.model.row_of(picked) if picked else -1
        if row >= 0:
            self.list_view.setCurrentIndex(self.model.index(row))
        else:
            self._show_form(None)

    @property
    def picked(self) -> QuestionEntry | None:
        return self._picked

    def pick(self, question_id: str, values: dict[str, Any] | None = None) -> bool:
        """Pick a question in the list (its form shows ``values`` over its defaults)."""
        row = self.model.row_of(question_id)
        if row < 0:
            return False
        self.list_view.setCurrentIndex(self.model.index(row))
        if values:
            self._show_form(self.model.entry(row), values)
        return True

    def values(self) -> dict[str, Any]:
        """The form's values, by parameter name."""
        return {field.name: _value_of(field, editor) for field, editor in self._editors}

    def editor(self, name: str) -> QWidget | None:
        return next((e for f, e in self._editors if f.name == name), None)

    # -- the form -------------------------------------------------------------------------

    def _show_form(self, entry: QuestionEntry | None, values: dict[str, Any] | None = None) -> None:
        self._picked = entry
        while self._form.rowCount():
            self._form.removeRow(0)
        self._editors = []
        if entry is None:
            self.form_card.hide()
            return
        self.question_label.setText(entry.question)
        self.explanation_label.setText(entry.explanation)
        self.explanation_label.setVisible(bool(entry.explanation))
        for field in entry.params:
            if values and field.name in values:
                field = ParamField(field.name, field.label, field.kind, values[field.name],
                                   field.choices)  # fmt: skip
            editor = _editor(field, self.form_card)
            self._editors.append((field, editor))
            self._form.addRow(field.label, editor)
        self.delete_button.setVisible(not entry.builtin)
        self.form_card.show()

    def _on_list_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_form(self.model.entry(current.row()) if current.isValid() else None)

    def _ask_row(self, row: int) -> None:
        entry = self.model.entry(row)
        if entry is None:
            return
        if self._picked is None or self._picked.id != entry.id:
            self.list_view.setCurrentIndex(self.model.index(row))
        self._on_ask_button_clicked()

    def _on_ask_button_clicked(self) -> None:
        if self._picked is not None:
            self.ask_requested.emit(self._picked.id, self.values())

    def _on_delete_button_clicked(self) -> None:
        if self._picked is not None and not self._picked.builtin:
            self.delete_requested.emit(self._picked.id)
