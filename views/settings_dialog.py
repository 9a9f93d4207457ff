"""Settings: the alert rules, their thresholds, the daily cap, the quiet period after
contact and the score weights, edited in one dialog and checked before they are saved.

The dialog is handed plain descriptions of the fields (app/ builds them from the
settings schema in services/settings.py) and a ``validate(key, value)`` function that
returns what is wrong in plain words. Save is refused, with the reasons next to the
fields, while any value is wrong; otherwise ``changes()`` holds what to store.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

ValidateFn = Callable[[str, Any], str | None]


@dataclass(frozen=True)
class SettingField:
    """One editable setting, as the dialog shows it.

    ``kind``: "bool", "int", "float", "choice", "list" (texts, one per comma) or
    "weights" (a dict of named numbers; ``components`` are the names).
    """

    key: str
    title: str
    group: str
    kind: str
    default: Any
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    help: str = ""
    components: tuple[str, ...] = ()


class _Editor:
    """One field's widget, with a getter and a setter."""

    def __init__(self, field: SettingField, parent: QWidget) -> None:
        self.field = field
        self.parts: dict[str, QDoubleSpinBox] = {}
        kind = field.kind
        low = -1e9 if field.minimum is None else field.minimum
        high = 1e9 if field.maximum is None else field.maximum
        if kind == "bool":
            self.widget: QWidget = QCheckBox(parent)
        elif kind == "int":
            spin = QSpinBox(parent)
            spin.setRange(int(max(low, -(2**31) + 1)), int(min(high, 2**31 - 1)))
            self.widget = spin
        elif kind == "float":
            dspin = QDoubleSpinBox(parent)
            dspin.setDecimals(1 if (high - low) > 5 else 2)
            dspin.setRange(low, high)
            self.widget = dspin
        elif kind == "choice":
            combo = QComboBox(parent)
            for choice in field.choices:
                combo.addItem(choice.replace("_", " ").capitalize(), choice)
            self.widget = combo
        elif kind == "list":
            self.widget = QLineEdit(parent)
        elif kind == "weights":
            box = QWidget(parent)
            grid = QGridLayout(box)
            grid.setContentsMargins(0, 0, 0, 0)
            grid.setHorizontalSpacing(8)
            for i, name in enumerate(field.components):
                part = QDoubleSpinBox(box)
                part.setDecimals(1)
                part.setRange(-1e6, 1e6)  # the schema says what is allowed, with the reason
                part.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)
                part.setFixedWidth(70)
                label = QLabel(name.replace("_", " ").capitalize(), box)
                row_, col = divmod(i, 3)
                grid.addWidget(label, row_, col * 2)
                grid.addWidget(part, row_, col * 2 + 1)
                self.parts[name] = part
            grid.setColumnStretch(6, 1)
            self.widget = box
        else:
            raise ValueError(f"unknown setting kind {kind!r}")
        self.widget.setObjectName(f"setting:{field.key}")
        if field.help:
            self.widget.setToolTip(field.help)

    def value(self) -> Any:
        w, kind = self.widget, self.field.kind
        if isinstance(w, QCheckBox):
            return w.isChecked()
        if isinstance(w, QSpinBox):
            return int(w.value())
        if isinstance(w, QDoubleSpinBox):
            v = float(w.value())
            return int(v) if v.is_integer() and isinstance(self.field.default, int) else v
        if isinstance(w, QComboBox):
            return w.currentData()
        if isinstance(w, QLineEdit):
            return [p.strip() for p in w.text().split(",") if p.strip()]
        assert kind == "weights"
        return {name: _plain_number(part.value()) for name, part in self.parts.items()}

    def set_value(self, value: Any) -> None:
        w = self.widget
        if isinstance(w, QCheckBox):
            w.setChecked(bool(value))
        elif isinstance(w, QSpinBox | QDoubleSpinBox):
            w.setValue(value)
        elif isinstance(w, QComboBox):
            w.setCurrentIndex(max(w.findData(value), 0))
        elif isinstance(w, QLineEdit):
            w.setText(", ".join(str(v) for v in value or ()))
        else:
            for name, part in self.parts.items():
                part.setValue(float((value or {}).get(name, 0.0)))


def _plain_number(value: float) -> float | int:
    return int(value) if math.isfinite(value) and value.is_integer() else value


class SettingsDialog(QDialog):
    """Groups on the left, their settings on the right; Save checks every value first."""

    def __init__(
        self,
        fields: Sequence[SettingField],
        values: Mapping[str, Any],
        validate: ValidateFn,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self._validate = validate
        self._values = dict(values)
        self._editors: dict[str, _Editor] = {}
        self._errors: dict[str, QLabel] = {}
        self._group_of: dict[str, int] = {}

        self.group_names: list[str] = []
        self.group_model = QStringListModel(self)
        self.groups = QListView(self)
        self.groups.setObjectName("settingsGroups")
        self.groups.setModel(self.group_model)
        self.groups.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.groups.setMaximumWidth(230)
        self.pages = QStackedWidget(self)
        order: list[str] = []
        by_group: dict[str, list[SettingField]] = {}
        for f in fields:
            if f.group not in by_group:
                order.append(f.group)
                by_group[f.group] = []
            by_group[f.group].append(f)
        for group in order:
            self._add_page(group, by_group[group])
        self.group_model.setStringList(self.group_names)
        self.groups.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self.pages.setCurrentIndex(current.row())
        )
        self.show_group(0)

        self.summary = QLabel("", self)
        self.summary.setObjectName("settingsProblems")
        self.summary.setWordWrap(True)
        self.summary.hide()
        self.defaults_button = QPushButton("Restore defaults on this page", self)
        self.defaults_button.clicked.connect(self._on_defaults_button_clicked)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self._on_save)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons

        body = QHBoxLayout()
        body.addWidget(self.groups)
        body.addWidget(self.pages, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.defaults_button)
        bottom.addStretch(1)
        bottom.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(self.summary)
        layout.addLayout(bottom)
        self.resize(820, 560)

    def _add_page(self, group: str, fields: list[SettingField]) -> None:
        # One block per setting, stacked: the title, the editor, what it does in a
        # sentence, and what is wrong with it (after a refused Save).
        page = QWidget(self)
        column = QVBoxLayout(page)
        column.setContentsMargins(4, 0, 12, 8)
        column.setSpacing(14)
        heading = QLabel(group, page)
        heading.setObjectName("paneTitle")
        column.addWidget(heading)
        for f in fields:
            editor = _Editor(f, page)
            editor.set_value(self._values.get(f.key, f.default))
            self._editors[f.key] = editor
            block = QVBoxLayout()
            block.setSpacing(3)
            title = f"{f.title} ({f.unit})" if f.unit and f.kind != "weights" else f.title
            label = QLabel(f"<b>{title}</b>", page)
            label.setWordWrap(True)
            block.addWidget(label)
            row = QHBoxLayout()
            row.addWidget(editor.widget, 0 if f.kind in ("int", "float", "choice") else 1)
            if f.kind in ("int", "float", "choice"):
                editor.widget.setMinimumWidth(140)
                row.addStretch(1)
            block.addLayout(row)
            if f.help:
                note = QLabel(f.help, page)
                note.setObjectName("muted")
                note.setWordWrap(True)
                block.addWidget(note)
            error = QLabel("", page)
            error.setObjectName("settingError")
            error.setWordWrap(True)
            error.hide()
            block.addWidget(error)
            self._errors[f.key] = error
            column.addLayout(block)
            self._group_of[f.key] = self.pages.count()
        column.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(page)
        self.pages.addWidget(scroll)
        self.group_names.append(group)

    def show_group(self, row: int) -> None:
        """Show one group's page (and select it in the list)."""
        self.groups.setCurrentIndex(self.group_model.index(row, 0))
        self.pages.setCurrentIndex(row)

    def current_group(self) -> str:
        return self.group_names[self.pages.currentIndex()]

    # -- values -------------------------------------------------------------------------

    def editor(self, key: str) -> QWidget:
        return self._editors[key].widget

    def values(self) -> dict[str, Any]:
        """Every field's current value."""
        return {key: editor.value() for key, editor in self._editors.items()}

    def changes(self) -> dict[str, Any]:
        """The values that differ from what the dialog was opened with."""
        out = {}
        for key, value in self.values().items():
            before = self._values.get(key, self._editors[key].field.default)
            if value != before:
                out[key] = value
        return out

    def problems(self) -> dict[str, str]:
        """What is wrong with each field that is wrong, in plain words."""
        found = {}
        for key, value in self.values().items():
            problem = self._validate(key, value)
            if problem:
                found[key] = problem
        return found

    def _on_save(self) -> None:
        problems = self.problems()
        for key, label in self._errors.items():
            text = problems.get(key, "")
            if text.startswith("'") and "': " in text:
                text = text.split("': ", 1)[1]  # the title is right above it
            label.setText(text[:1].upper() + text[1:])
            label.setVisible(key in problems)
        if problems:
            first = next(iter(problems))
            self.show_group(self._group_of[first])
            self.summary.setText(
                f"{len(problems)} setting(s) need a change before saving: "
                + "; ".join(problems.values())
            )
            self.summary.show()
            return
        self.summary.hide()
        self.accept()

    def _on_defaults_button_clicked(self) -> None:
        page = self.pages.currentIndex()
        for key, editor in self._editors.items():
            if self._group_of[key] == page:
                editor.set_value(editor.field.default)
