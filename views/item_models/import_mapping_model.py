"""The column mapping of a generic file: one row per source column, the field it maps to
editable, with the importer's suggestion and its confidence beside it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont

from services.importing.types import ColumnGuess, FieldSpec
from views.kit.accessibility import ACCESSIBLE_ROLES, item_data

Index = QModelIndex | QPersistentModelIndex

COLUMN, SAMPLES, FIELD, SUGGESTION = range(4)
HEADERS = ("Column in the file", "Sample values", "Maps to", "Suggested")
KEEP_TITLE = "Keep as extra detail"
KEEP_TOOLTIP = "Not mapped: the value is kept with the record as an extra detail."
# Below this confidence a suggestion is shown as a guess to check.
CONFIDENT = 0.75
UNSURE = 0.5

_DISPLAY = Qt.ItemDataRole.DisplayRole
_EDIT = Qt.ItemDataRole.EditRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_FONT = Qt.ItemDataRole.FontRole
_ALIGN = Qt.ItemDataRole.TextAlignmentRole
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


def field_label(spec: FieldSpec) -> str:
    """A field as the combo box and the table show it."""
    return f"{spec.title} (required)" if spec.required else spec.title


def missing_required(
    fields: Sequence[FieldSpec], mapping: Mapping[str, str | None]
) -> list[FieldSpec]:
    """Required fields that no column maps to."""
    chosen = set(mapping.values())
    return [f for f in fields if f.required and f.name not in chosen]


# Every record needs a customer: one of these fields (those the kind has) must be mapped.
IDENTITY_FIELDS = ("customer_id", "customer_email", "email")


def missing_identity(
    fields: Sequence[FieldSpec], mapping: Mapping[str, str | None]
) -> list[FieldSpec]:
    """The fields that could name the customer, when none of them is mapped (else [])."""
    ids = [f for f in fields if f.name in IDENTITY_FIELDS]
    chosen = set(mapping.values())
    if not ids or any(f.name in chosen for f in ids):
        return []
    return ids


def duplicate_fields(
    fields: Sequence[FieldSpec], mapping: Mapping[str, str | None]
) -> dict[str, list[str]]:
    """Fields chosen for more than one column: field title -> the columns."""
    titles = {f.name: f.title for f in fields}
    seen: dict[str, list[str]] = {}
    for column, name in mapping.items():
        if name is not None:
            seen.setdefault(name, []).append(column)
    return {titles.get(f, f): cols for f, cols in seen.items() if len(cols) > 1}


def resolve_mapping(
    guesses: Sequence[ColumnGuess],
    fields: Sequence[FieldSpec],
    chosen: Mapping[str, str | None] | None = None,
) -> dict[str, str | None]:
    """The mapping in effect: the user's choices, else the suggestions; only real fields."""
    names = {f.name for f in fields}
    out: dict[str, str | None] = {}
    for guess in guesses:
        value = chosen.get(guess.column, guess.field) if chosen is not None else guess.field
        out[guess.column] = value if value in names else None
    return out


class MappingModel(QAbstractTableModel):
    """Source columns and the canonical field each maps to (None: kept as an attribute).

    Signals:
        mapping_changed(): the user chose another field for a column.
    """

    mapping_changed = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._guesses: tuple[ColumnGuess, ...] = ()
        self._fields: tuple[FieldSpec, ...] = ()
        self._by_name: dict[str, FieldSpec] = {}
        self._chosen: list[str | None] = []
        self._colors: dict[str, QColor] = {}
        self._suggestion_title = HEADERS[SUGGESTION]

    # -- content ----------------------------------------------------------------------

    def set_columns(
        self,
        guesses: Sequence[ColumnGuess],
        fields: Sequence[FieldSpec],
        chosen: Mapping[str, str | None] | None = None,
        *,
        suggestion_title: str = HEADERS[SUGGESTION],
    ) -> None:
        """Show a file's columns with the fields of its kind.

        chosen: the user's earlier choices (column -> field); the suggestions otherwise.
        A choice or suggestion that is not a field of this kind becomes "keep".
        """
        self.beginResetModel()
        self._suggestion_title = suggestion_title
        self._guesses = tuple(guesses)
        self._fields = tuple(fields)
        self._by_name = {f.name: f for f in self._fields}
        resolved = resolve_mapping(self._guesses, self._fields, chosen)
        self._chosen = [resolved[g.column] for g in self._guesses]
        self.endResetModel()

    def set_colors(self, colors: Mapping[str, QColor]) -> None:
        """Theme colours: "muted", "positive", "warning"."""
        self._colors = dict(colors)
        if self._guesses:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._guesses) - 1, len(HEADERS) - 1)
            )

    @property
    def fields(self) -> tuple[FieldSpec, ...]:
        return self._fields

    def field_choices(self) -> list[tuple[str | None, str]]:
        """(field name or None, label) for the combo box: keep first, then the fields."""
        return [(None, KEEP_TITLE)] + [(f.name, field_label(f)) for f in self._fields]

    def mapping(self) -> dict[str, str | None]:
        """{source column: field or None} as the user has it now."""
        return {g.column: self._chosen[i] for i, g in enumerate(self._guesses)}

    def column_of(self, column_name: str) -> int | None:
        """The row of a source column."""
        for i, g in enumerate(self._guesses):
            if g.column == column_name:
                return i
        return None

    def set_field(self, row: int, field: str | None) -> bool:
        """Map the column in row to field (None: keep it as an attribute)."""
        return self.setData(self.index(row, FIELD), field or "", _EDIT)

    # -- checks ------------------------------------------------------------------------

    def missing_required(self) -> list[FieldSpec]:
        """Required fields of the kind that no column maps to."""
        return missing_required(self._fields, self.mapping())

    def duplicates(self) -> dict[str, list[str]]:
        """Fields chosen for more than one column: field title -> the columns."""
        return duplicate_fields(self._fields, self.mapping())

    # -- Qt model ----------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._guesses)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if role in ACCESSIBLE_ROLES:
            return item_data(self, index, role)
        if role == _DISPLAY:
            if not index.isValid():
                return None
            return self._display(index.row(), index.column())
        if role == _EDIT:
            if not index.isValid() or index.column() != FIELD:
                return None
            return self._chosen[index.row()] or ""
        if role == _TOOLTIP:
            if not index.isValid():
                return None
            return self._tooltip(index.row(), index.column())
        if role == _FOREGROUND:
            if not index.isValid():
                return None
            return self._foreground(index.row(), index.column())
        if role == _FONT:
            if not index.isValid() or index.column() != COLUMN:
                return None
            font = QFont()
            font.setBold(True)
            return font
        if role == _ALIGN:
            if not index.isValid():
                return None
            return _LEFT
        return None

    def _display(self, row: int, column: int) -> str:
        guess = self._guesses[row]
        if column == COLUMN:
            return guess.column
        if column == SAMPLES:
            return ", ".join(guess.samples) if guess.samples else "(empty)"
        if column == FIELD:
            field = self._chosen[row]
            return field_label(self._by_name[field]) if field is not None else KEEP_TITLE
        if guess.field is None or guess.field not in self._by_name:
            return "—"
        return f"{self._by_name[guess.field].title} · {guess.score:.0%}"

    def _tooltip(self, row: int, column: int) -> str | None:
        guess = self._guesses[row]
        if column == SAMPLES and guess.samples:
            return "\n".join(guess.samples)
        if column == FIELD and self._chosen[row] is None:
            return KEEP_TOOLTIP
        if column == SUGGESTION and guess.field in self._by_name:
            sure = (
                "a confident match"
                if guess.score >= CONFIDENT
                else "a likely match; check it"
                if guess.score >= UNSURE
                else "a guess; check it"
            )
            return f"Suggested from the column name and its values: {sure}."
        return None

    def _foreground(self, row: int, column: int) -> QColor | None:
        guess = self._guesses[row]
        if column == SAMPLES:
            return self._colors.get("muted")
        if column == FIELD and self._chosen[row] is None:
            return self._colors.get("muted")
        if column == SUGGESTION:
            if guess.field not in self._by_name:
                return self._colors.get("muted")
            if guess.score >= CONFIDENT:
                return self._colors.get("positive")
            if guess.score < UNSURE:
                return self._colors.get("warning")
        return None

    def setData(self, index: Index, value: Any, role: int = _EDIT) -> bool:
        if role != _EDIT or not index.isValid() or index.column() != FIELD:
            return False
        field = str(value) if value else None
        if field is not None and field not in self._by_name:
            return False
        row = index.row()
        if self._chosen[row] == field:
            return True
        self._chosen[row] = field
        self.dataChanged.emit(self.index(row, FIELD), self.index(row, FIELD))
        self.mapping_changed.emit()
        return True

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(HEADERS):
            return None
        if role == _DISPLAY:
            return self._suggestion_title if section == SUGGESTION else HEADERS[section]
        if role == _ALIGN:
            return _LEFT
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        flags |= Qt.ItemFlag.ItemNeverHasChildren
        if index.column() == FIELD:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags
