"""One setting's editor in the Settings dialog: the widget its kind calls for (a spin box,
a choice, a check box set, weights...), set from and read back to the stored value."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from services.core.money import format_rates, parse_rates
from services.core.named_amounts import format_amounts, parse_amounts
from services.core.setting_spec import HOME_CURRENCY_UNIT
from views.kit.combo import ComboBox

if TYPE_CHECKING:
    from views.settings.dialog import SettingField


class FieldEditor:
    """One field's widget, with a getter and a setter."""

    def __init__(self, field: SettingField, parent: QWidget) -> None:  # noqa: PLR0915
        self.field = field
        self.parts: dict[str, QDoubleSpinBox] = {}
        self.boxes: dict[str, QCheckBox] = {}
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
            # Money keeps its cents; other wide ranges one decimal.
            money = field.unit == HOME_CURRENCY_UNIT
            dspin.setDecimals(2 if money or (high - low) <= 5 else 1)
            dspin.setRange(low, high)
            self.widget = dspin
        elif kind == "choice":
            combo = ComboBox(parent)
            for choice in field.choices:
                combo.addItem(field.label_of(choice), choice)
            self.widget = combo
        elif kind in ("list", "text", "rates", "amounts"):
            line = QLineEdit(parent)
            line.setPlaceholderText(field.placeholder)
            self.widget = line
        elif kind == "multiline":
            text = QPlainTextEdit(parent)
            text.setPlaceholderText(field.placeholder)
            text.setTabChangesFocus(True)
            # Room for four lines; a longer note scrolls.
            lines = text.fontMetrics().lineSpacing() * 4
            text.setFixedHeight(lines + 2 * int(text.document().documentMargin()) + 6)
            self.widget = text
        elif kind == "suggest":
            suggest = ComboBox(parent)
            suggest.setEditable(True)
            suggest.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            suggest.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            line_edit = suggest.lineEdit()
            if line_edit is not None and field.placeholder:
                line_edit.setPlaceholderText(field.placeholder)
            self.widget = suggest
        elif kind == "fields":
            box = QWidget(parent)
            grid = QGridLayout(box)
            grid.setContentsMargins(0, 0, 0, 0)
            grid.setHorizontalSpacing(18)
            grid.setVerticalSpacing(4)
            for i, choice in enumerate(field.choices):
                check = QCheckBox(field.label_of(choice), box)
                check.setObjectName(f"field:{choice}")
                row_, col = divmod(i, 3)
                grid.addWidget(check, row_, col)
                self.boxes[choice] = check
            grid.setColumnStretch(3, 1)
            self.widget = box
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
                label.setBuddy(part)
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
        if kind == "bool":
            assert isinstance(w, QCheckBox)
            return w.isChecked()
        if kind == "int":
            assert isinstance(w, QSpinBox)
            return int(w.value())
        if kind == "float":
            assert isinstance(w, QDoubleSpinBox)
            v = float(w.value())
            return int(v) if v.is_integer() and isinstance(self.field.default, int) else v
        if kind == "choice":
            assert isinstance(w, QComboBox)
            return w.currentData()
        if kind == "suggest":
            assert isinstance(w, QComboBox)
            return w.currentText().strip()
        if kind == "list":
            assert isinstance(w, QLineEdit)
            parts = [p.strip() for p in w.text().split(",") if p.strip()]
            default = self.field.default
            if default and all(type(v) is int for v in default):  # whole numbers stay numbers
                return [int(p) if p.isdigit() else p for p in parts]
            return parts
        if kind == "text":
            assert isinstance(w, QLineEdit)
            return w.text().strip()
        if kind == "rates":
            # "EUR=1.08, GBP=1.27" -> {"EUR": 1.08, ...}; text that is not, as typed, so
            # that the check can say what is wrong with it.
            assert isinstance(w, QLineEdit)
            try:
                return parse_rates(w.text())
            except ValueError:
                return w.text().strip()
        if kind == "amounts":
            # "online=45, store=30" -> {"online": 45.0, ...}; else as typed (as rates).
            assert isinstance(w, QLineEdit)
            try:
                return parse_amounts(w.text())
            except ValueError:
                return w.text().strip()
        if kind == "multiline":
            assert isinstance(w, QPlainTextEdit)
            return w.toPlainText().strip()
        if kind == "fields":
            return [choice for choice, box in self.boxes.items() if box.isChecked()]
        assert kind == "weights"
        return {name: plain_number(part.value()) for name, part in self.parts.items()}

    def set_value(self, value: Any) -> None:
        w, kind = self.widget, self.field.kind
        if isinstance(w, QCheckBox):
            w.setChecked(bool(value))
        elif isinstance(w, QSpinBox | QDoubleSpinBox):
            w.setValue(value)
        elif kind == "suggest":
            assert isinstance(w, QComboBox)
            w.setEditText("" if value is None else str(value))
        elif isinstance(w, QComboBox):
            w.setCurrentIndex(max(w.findData(value), 0))
        elif kind == "list":
            assert isinstance(w, QLineEdit)
            w.setText(", ".join(str(v) for v in value or ()))
        elif kind == "text":
            assert isinstance(w, QLineEdit)
            w.setText("" if value is None else str(value))
        elif kind == "rates":
            assert isinstance(w, QLineEdit)
            w.setText(format_rates(value) if isinstance(value, dict) else str(value or ""))
        elif kind == "amounts":
            assert isinstance(w, QLineEdit)
            w.setText(format_amounts(value) if isinstance(value, dict) else str(value or ""))
        elif kind == "multiline":
            assert isinstance(w, QPlainTextEdit)
            w.setPlainText("" if value is None else str(value))
        elif kind == "fields":
            chosen = set(value or ())
            for choice, box in self.boxes.items():
                box.setChecked(choice in chosen)
        else:
            for name, part in self.parts.items():
                part.setValue(float((value or {}).get(name, 0.0)))

    def same(self, a: Any, b: Any) -> bool:
        """True when two values of this field mean the same."""
        if self.field.kind == "fields":
            # A checkbox set has no order: a stored list in another order is no change.
            return set(a or ()) == set(b or ())
        return bool(a == b)


def plain_number(value: float) -> float | int:
    return int(value) if math.isfinite(value) and value.is_integer() else value
