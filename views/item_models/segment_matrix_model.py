"""The migration matrix of Results ▸ Segments as a table model: a row per segment of the
earlier run, a column per segment of the later one, each cell its customers and their
predicted revenue (services.learn.segments_over_time.MigrationMatrix). Customers who stayed
in their segment are on the diagonal, in bold; a cell's shade grows with its count."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from services.core.money import format_money
from services.learn.segments_records import MigrationCell, MigrationMatrix
from views.kit.accessibility import ACCESSIBLE_ROLES, item_data
from views.kit.theme import LIGHT, Theme

Index = QModelIndex | QPersistentModelIndex
_NO_INDEX = QModelIndex()


class SegmentMatrixModel(QAbstractTableModel):
    """Customers by segment in one run (rows) and in a later one (columns)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.matrix: MigrationMatrix | None = None
        self._rows: tuple[str, ...] = ()
        self._columns: tuple[str, ...] = ()
        self._cells: dict[tuple[str, str], MigrationCell] = {}
        self._most = 1
        self._theme = LIGHT
        self._bold = QFont()
        self._bold.setBold(True)

    def set_matrix(self, matrix: MigrationMatrix | None) -> None:
        """Show this matrix (None: empty)."""
        self.beginResetModel()
        self.matrix = matrix
        self._rows = matrix.rows if matrix else ()
        self._columns = matrix.columns if matrix else ()
        self._cells = {(c.before, c.after): c for c in matrix.cells} if matrix else {}
        self._most = max((c.customers for c in self._cells.values()), default=1) or 1
        self.endResetModel()

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        if self._rows and self._columns:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, 0))

    def rowCount(self, parent: Index = _NO_INDEX) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _NO_INDEX) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self._columns)

    def cell(self, index: Index) -> MigrationCell | None:
        """The cell at ``index`` (None: nobody moved that way)."""
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        if index.column() >= len(self._columns):
            return None
        return self._cells.get((self._rows[index.row()], self._columns[index.column()]))

    def _money(self, cents: int) -> str:
        currency = self.matrix.later.currency if self.matrix else None
        return format_money(cents, currency, compact=True)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role in ACCESSIBLE_ROLES:
            return item_data(self, index, role)
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.FontRole,
            Qt.ItemDataRole.BackgroundRole,
            Qt.ItemDataRole.TextAlignmentRole,
        ):
            return None
        cell = self.cell(index)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if cell is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{cell.customers:,} · {self._money(cell.revenue_after_cents)}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(cell)
        if role == Qt.ItemDataRole.FontRole:
            return self._bold if cell.before == cell.after else None
        shade = QColor(self._theme.accent)
        shade.setAlphaF(0.06 + 0.3 * cell.customers / self._most)
        return shade

    def _tooltip(self, cell: MigrationCell) -> str:
        matrix = self.matrix
        assert matrix is not None
        who = f"{cell.customers:,} customer{'s' if cell.customers != 1 else ''}"
        return (
            f"{who}: {cell.before} on {matrix.earlier.as_of:%b %-d, %Y}, {cell.after} on "
            f"{matrix.later.as_of:%b %-d, %Y}. Predicted revenue "
            f"{self._money(cell.revenue_before_cents)} then, "
            f"{self._money(cell.revenue_after_cents)} now. Click to open them."
        )

    def headerData(  # noqa: N802 - Qt override
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        horizontal = orientation == Qt.Orientation.Horizontal
        names = self._columns if horizontal else self._rows
        if not 0 <= section < len(names):
            return None
        name = names[section]
        total = sum(
            c.customers
            for c in self._cells.values()
            if (c.after if horizontal else c.before) == name
        )
        if role == Qt.ItemDataRole.ToolTipRole and self.matrix is not None:
            run = self.matrix.later if horizontal else self.matrix.earlier
            return f"{name} on {run.as_of:%b %-d, %Y}: {total:,} customers"
        if horizontal:  # narrow columns: the name over two lines where it has two words
            return f"{_two_lines(name)}\n({total:,})"
        return f"{name} ({total:,})"


def _two_lines(name: str) -> str:
    """A long name broken at the space nearest its middle ("Potential\nLoyalist")."""
    if len(name) <= 10 or " " not in name:
        return name
    middle = len(name) / 2
    cut = min((i for i, ch in enumerate(name) if ch == " "), key=lambda i: abs(i - middle))
    return f"{name[:cut]}\n{name[cut + 1 :]}"
