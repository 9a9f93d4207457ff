"""Settings ▸ Per segment: the segment rules in the order they apply, and the settings
each overrides (the draft's tone, the offer cap, the risk and lapse floors, the
suggested playbook, the owner of alerts for customers without one).

The table lists the rules (the first that matches a customer wins); under it, the
selected rule's segment and, for each setting, whether the segment has its own value
and which. Add, Remove, Move up and Move down change the list. Everything is checked
as it is typed (``validate``, the same check as the command line's) and saved with the
dialog. A setting IT locks is shown locked in its column and cannot be given a value;
a table IT locks is shown with IT's source and nothing on the page can change it. A
rule may name a team filter (the Customers list's Views share them); one naming a team
filter that no longer exists says so in the table.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from services.core.policy import LOCKED_NOTE
from views.item_models.segment_rules_model import SegmentRulesModel
from views.kit.accessibility import name
from views.kit.combo import ComboBox
from views.kit.dialog_parts import configure_table, set_tone

PAGE_TITLE = "Per segment"
NOTE = (
    "Customers in a segment take its own values; a dash is the workspace's value. The "
    "first rule that matches a customer wins, so put the narrowest first."
)


@dataclass(frozen=True)
class SegmentColumn:
    """One setting a segment may override: its key, title, how it is edited ("choice",
    "percent" or "text"), its choices as (value, label), and IT's lock ("": none)."""

    key: str
    title: str
    kind: str
    choices: tuple[tuple[str, str], ...] = ()
    locked: str = ""
    workspace: Any = None  # the workspace's value, shown where a segment has none

    def words(self, value: Any) -> str:
        """A value as the table shows it."""
        if value is None:
            return ""
        if self.kind == "percent":
            return f"{float(value):g}%"
        labels = dict(self.choices)
        return labels.get(str(value), str(value)) or "none"


@dataclass(frozen=True)
class SegmentPageData:
    """What the page shows: the rules as kept, the kinds of segment as (kind, label),
    names to suggest per kind, the settings' columns and IT's lock of the table."""

    rules: tuple[Mapping[str, Any], ...]
    kinds: tuple[tuple[str, str], ...]
    columns: tuple[SegmentColumn, ...]
    names: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    table_lock: str = ""


class _ValueEditor:
    """A checkbox (the segment has its own value) and the editor of that value."""

    def __init__(self, column: SegmentColumn, parent: QWidget) -> None:
        self.column = column
        title = f"{column.title} (%)" if column.kind == "percent" else column.title
        if column.locked:
            title += " (locked by IT)"
        self.own = name(QCheckBox(title, parent), f"Own {column.title}")
        self.own.setObjectName(f"segmentOwn:{column.key}")
        self.widget: QWidget
        if column.kind == "choice":
            combo = ComboBox(parent)
            for value, label in column.choices:
                combo.addItem(label, value)
            self.widget = combo
        elif column.kind == "percent":
            spin = QDoubleSpinBox(parent)
            spin.setRange(0, 100)
            spin.setDecimals(1)
            spin.setSuffix(" %")
            self.widget = spin
        else:
            line = QLineEdit(parent)
            line.setPlaceholderText("e.g. Ana Lopez")
            self.widget = line
        self.widget.setObjectName(f"segmentValue:{column.key}")
        name(self.widget, column.title)
        if column.locked:
            self.own.setEnabled(False)
            self.widget.setEnabled(False)
            self.own.setToolTip(f"{LOCKED_NOTE} ({column.locked}): it applies to every segment.")

    def value(self) -> Any:
        if isinstance(self.widget, ComboBox):
            return self.widget.currentData()
        if isinstance(self.widget, QDoubleSpinBox):
            number = self.widget.value()
            return int(number) if number.is_integer() else number
        assert isinstance(self.widget, QLineEdit)
        return self.widget.text().strip()

    def show(self, values: Mapping[str, Any]) -> None:
        present = self.column.key in values
        # Without its own, the segment takes the workspace's: shown greyed.
        value = values[self.column.key] if present else self.column.workspace
        if self.column.locked:  # IT's value applies to every segment: show that one
            value = self.column.workspace
        self.own.setChecked(present)
        if isinstance(self.widget, ComboBox):
            self.widget.setCurrentIndex(max(self.widget.findData(value), 0))
        elif isinstance(self.widget, QDoubleSpinBox):
            self.widget.setValue(float(value) if value is not None else 0.0)
        elif isinstance(self.widget, QLineEdit):
            self.widget.setText(str(value or ""))
        self.widget.setEnabled(present and not self.column.locked)


class SegmentPage(QWidget):
    """The Per segment page: ``value()`` is the rules as they would be kept,
    ``changed()`` whether they differ from the ones shown first, ``problem()`` what is
    wrong with them (None: fine)."""

    def __init__(
        self,
        data: SegmentPageData,
        validate: Callable[[list[dict[str, Any]]], str | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("segmentPage")
        self._data = data
        self._validate = validate
        self._rules: list[dict[str, Any]] = [copy.deepcopy(dict(r)) for r in data.rules]
        self._first = copy.deepcopy(self._rules)
        self._filling = False
        locked = bool(data.table_lock)

        heading = QLabel(PAGE_TITLE, self)
        heading.setObjectName("paneTitle")
        note = QLabel(NOTE, self)
        note.setObjectName("muted")
        note.setWordWrap(True)
        self.lock_note = QLabel(f"{LOCKED_NOTE} ({data.table_lock})" if locked else "", self)
        self.lock_note.setObjectName("lockedNote")
        self.lock_note.setWordWrap(True)
        self.lock_note.setVisible(locked)
        self.model = SegmentRulesModel([c.title for c in data.columns], self)
        self.table = self._build_table()
        buttons = self._build_buttons()
        grid = self._build_editor()
        self.error = QLabel("", self)
        self.error.setObjectName("settingError")
        self.error.setWordWrap(True)
        self.error.hide()
        # A tier or region no customer has today: said, not refused (one may soon).
        self.name_warning = QLabel("", self)
        self.name_warning.setObjectName("segmentNameWarning")
        self.name_warning.setWordWrap(True)
        set_tone(self.name_warning, "warning")
        self.name_warning.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 12, 8)
        layout.setSpacing(10)
        for widget in (heading, note, self.lock_note, self.table):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        layout.addLayout(grid)
        layout.addWidget(self.name_warning)
        layout.addWidget(self.error)
        layout.addStretch(1)

        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_selected())
        self._refresh(0 if self._rules else -1)
        if locked:
            self._lock_everything()

    def _build_table(self) -> QTableView:
        table = name(QTableView(self), "Segment rules")
        table.setObjectName("segmentRules")
        table.setModel(self.model)
        configure_table(table, sortable=False)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        table.setMinimumHeight(table.verticalHeader().defaultSectionSize() * 5)
        return table

    def _build_buttons(self) -> QHBoxLayout:
        self.add_button = QPushButton("Add segment", self)
        self.remove_button = QPushButton("Remove", self)
        self.up_button = QPushButton("Move up", self)
        self.down_button = QPushButton("Move down", self)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.remove_button, self.up_button, self.down_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        self.up_button.clicked.connect(lambda: self._move(-1))
        self.down_button.clicked.connect(lambda: self._move(1))
        return buttons

    def _build_editor(self) -> QGridLayout:
        """The selected rule: its segment and its own values."""
        self.kind = name(ComboBox(self), "Kind of segment")
        for kind, label in self._data.kinds:
            self.kind.addItem(label, kind)
        self.segment_name = name(ComboBox(self), "Segment")
        self.segment_name.setEditable(True)
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.addWidget(QLabel("<b>Kind of segment</b>", self), 0, 0)
        grid.addWidget(self.kind, 0, 1)
        grid.addWidget(QLabel("<b>Segment</b>", self), 1, 0)
        grid.addWidget(self.segment_name, 1, 1)
        self.editors = [_ValueEditor(c, self) for c in self._data.columns]
        for row, editor in enumerate(self.editors, 2):
            grid.addWidget(editor.own, row, 0)
            grid.addWidget(editor.widget, row, 1)
            editor.own.toggled.connect(self._on_editor_changed)
            _connect_changed(editor.widget, self._on_editor_changed)
        grid.setColumnStretch(1, 1)
        self.kind.currentIndexChanged.connect(self._on_kind_changed)
        self.segment_name.currentTextChanged.connect(self._on_editor_changed)
        return grid

    def _lock_everything(self) -> None:
        widgets: list[QWidget] = [self.add_button, self.remove_button, self.up_button,
                                  self.down_button, self.kind, self.segment_name]  # fmt: skip
        for editor in self.editors:
            widgets += [editor.own, editor.widget]
        for widget in widgets:
            widget.setEnabled(False)

    # -- what the dialog asks ------------------------------------------------------------

    def value(self) -> list[dict[str, Any]]:
        """The rules as they would be kept, in order."""
        return copy.deepcopy(self._rules)

    def changed(self) -> bool:
        return self._rules != self._first

    def problem(self) -> str | None:
        return self._validate(self.value()) if self.changed() else None

    def selected_row(self) -> int:
        return self.table.currentIndex().row()

    # -- changes ------------------------------------------------------------------------

    def _refresh(self, select: int) -> None:
        columns = self._data.columns
        rows = [
            (_label(self._data.kinds, r, self._data.names),
             *(c.words(r.get("values", {}).get(c.key)) for c in columns))
            for r in self._rules
        ]  # fmt: skip
        locked = [i for i, c in enumerate(columns, 1) if c.locked]
        self.model.set_rows(rows, locked)
        if 0 <= select < len(self._rules):
            self.table.selectRow(select)
            self.table.setCurrentIndex(self.model.index(select, 0))
        self._show_selected()
        problem = self.problem()
        self.error.setText(problem[:1].upper() + problem[1:] if problem else "")
        self.error.setVisible(bool(problem))

    def _show_selected(self) -> None:
        row = self.selected_row()
        has = 0 <= row < len(self._rules) and not self._data.table_lock
        for widget in (self.remove_button, self.kind, self.segment_name):
            widget.setEnabled(has)
        self.up_button.setEnabled(has and row > 0)
        self.down_button.setEnabled(has and row < len(self._rules) - 1)
        self._filling = True
        try:
            rule = self._rules[row] if 0 <= row < len(self._rules) else None
            kind = rule["kind"] if rule is not None else self._data.kinds[0][0]
            self.kind.setCurrentIndex(max(self.kind.findData(kind), 0))
            self._fill_names(kind)
            self.segment_name.setCurrentText(rule["name"] if rule is not None else "")
            for editor in self.editors:
                editor.show(rule.get("values", {}) if rule is not None else {})
                editor.own.setEnabled(has and not editor.column.locked)
                if not has:
                    editor.widget.setEnabled(False)
        finally:
            self._filling = False
        warning = self._unknown_name_words(rule)
        self.name_warning.setText(warning)
        self.name_warning.setVisible(bool(warning))

    def _known(self, kind: str, name_: str) -> bool:
        """Whether a customer has this name of this kind today (the names suggested)."""
        folded = name_.strip().casefold()
        return any(n.casefold() == folded for n in self._data.names.get(kind, ()))

    def _unknown_name_words(self, rule: Mapping[str, Any] | None) -> str:
        """The warning for a rule naming a tier or region no customer has ("" if none).
        An RFM segment is one of a fixed list, checked (and refused) by ``validate``."""
        if rule is None or rule["kind"] == "segment" or not str(rule["name"]).strip():
            return ""
        if self._known(rule["kind"], rule["name"]):
            return ""
        what = dict(self._data.kinds).get(rule["kind"], rule["kind"]).lower()
        return (
            f"No customer has the {what} '{rule['name'].strip()}' today: the rule is kept, "
            "and applies to the customers who have it once they do."
        )

    def _free_name(self, kind: str, row: int) -> str:
        """The first name of ``kind`` no other rule than ``row``'s names ("" if none)."""
        taken = {r["name"].casefold() for i, r in enumerate(self._rules)
                 if r["kind"] == kind and i != row}  # fmt: skip
        free = [n for n in self._data.names.get(kind, ()) if n.casefold() not in taken]
        return free[0] if free else ""

    def _fill_names(self, kind: str) -> None:
        text = self.segment_name.currentText()
        self.segment_name.clear()
        self.segment_name.addItems(list(self._data.names.get(kind, ())))
        self.segment_name.setCurrentText(text)

    def _on_kind_changed(self) -> None:
        if self._filling:
            return
        kind = str(self.kind.currentData())
        self._fill_names(kind)
        # The other kind's name means nothing for this one: its first name not taken.
        if not self._known(kind, self.segment_name.currentText()):
            self._filling = True
            try:
                self.segment_name.setCurrentText(self._free_name(kind, self.selected_row()))
            finally:
                self._filling = False
        self._on_editor_changed()

    def _on_editor_changed(self) -> None:
        if self._filling:
            return
        row = self.selected_row()
        if not 0 <= row < len(self._rules):
            return
        values: dict[str, Any] = {}
        for editor in self.editors:
            editor.widget.setEnabled(editor.own.isChecked() and not editor.column.locked)
            if editor.own.isChecked():
                values[editor.column.key] = editor.value()
        self._rules[row] = {
            "kind": str(self.kind.currentData()),
            "name": self.segment_name.currentText().strip(),
            "values": values,
        }
        self._refresh(row)

    def _on_add_button_clicked(self) -> None:
        kind = self._data.kinds[0][0]
        self._rules.append({"kind": kind, "name": self._free_name(kind, -1), "values": {}})
        self._refresh(len(self._rules) - 1)
        self.segment_name.setFocus()

    def _on_remove_button_clicked(self) -> None:
        row = self.selected_row()
        if 0 <= row < len(self._rules):
            del self._rules[row]
            self._refresh(min(row, len(self._rules) - 1))

    def _move(self, step: int) -> None:
        row = self.selected_row()
        to = row + step
        if 0 <= row < len(self._rules) and 0 <= to < len(self._rules):
            self._rules[row], self._rules[to] = self._rules[to], self._rules[row]
            self._refresh(to)


def _label(
    kinds: Sequence[tuple[str, str]],
    rule: Mapping[str, Any],
    names: Mapping[str, tuple[str, ...]] | None = None,
) -> str:
    name_ = str(rule.get("name", "")).strip() or "(no name)"
    if rule.get("kind") == "segment":
        return name_
    team = {n.casefold() for n in (names or {}).get("filter", ())}
    if rule.get("kind") == "filter" and name_.casefold() not in team:
        return f"No such team filter: {name_}"  # deleted since: the rule matches no one
    return f"{dict(kinds).get(str(rule.get('kind')), rule.get('kind'))}: {name_}"


def _connect_changed(widget: QWidget, slot: Callable[[], None]) -> None:
    if isinstance(widget, ComboBox):
        widget.currentIndexChanged.connect(slot)
    elif isinstance(widget, QDoubleSpinBox):
        widget.valueChanged.connect(slot)
    elif isinstance(widget, QLineEdit):
        widget.textEdited.connect(slot)
    widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
