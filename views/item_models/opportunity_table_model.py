"""Open opportunities of one customer as a small table model."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from services.core.formatting import format_date
from services.core.records import OpportunitySummary
from views.kit.accessibility import ACCESSIBLE_ROLES, item_data
from views.kit.formatting import format_money

Index = QModelIndex | QPersistentModelIndex

HEADERS = ("Opportunity", "Stage", "Amount", "Chance", "Close date")
_NUMERIC = {2, 3}


class OpportunityTableModel(QAbstractTableModel):
    """Name, stage, amount, probability and expected close date of open deals."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: tuple[OpportunitySummary, ...] = ()

    def set_opportunities(self, rows: Sequence[OpportunitySummary]) -> None:
        self.beginResetModel()
        self._rows = tuple(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role in ACCESSIBLE_ROLES:
            return item_data(self, index, role)
        if role == Qt.ItemDataRole.DisplayRole:
            if not index.isValid():
                return None
            return self._display(self._rows[index.row()], index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if not index.isValid():
                return None
            return _alignment(index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            if not index.isValid() or index.column() != 0:
                return None
            opp = self._rows[index.row()]
            return "\n".join(
                p for p in (opp.name, opp.type, opp.owner and f"Owner: {opp.owner}") if p
            )
        return None

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _alignment(section)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    @staticmethod
    def _display(opp: OpportunitySummary, column: int) -> str:
        if column == 0:
            return opp.name
        if column == 1:
            return opp.stage or "—"
        if column == 2:
            if opp.amount is None:
                return "—"
            return format_money(opp.amount, opp.currency, cents=False)
        if column == 3:
            return f"{opp.probability:.0%}" if opp.probability is not None else "—"
        return format_date(opp.close_date) if opp.close_date is not None else "—"


def _alignment(column: int) -> Qt.AlignmentFlag:
    if column in _NUMERIC:
        return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    return Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
