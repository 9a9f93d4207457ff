"""An Ask answer's rows as a table model: plain tuples, read as the rest of the window
reads them.

- Money carries its currency: ``amount`` (and any money column) beside a ``currency``
  column is in that currency; ``*_home`` columns and sums named like money
  (``revenue_at_risk``, ``at_stake``...) are in the workspace's home currency. The
  header drops the ``_home`` (the figure shows its currency).
- ``*_day`` and ``day`` columns ('YYYY-MM-DD') read "Mar 7, 2026"; churn risk and a
  deal's probability (0-1) read "72%"; flags read Yes / No.
- The customer column (the answer's ``customer_column``) and the customer's name beside
  it look like links: the pane opens the customer on a double-click or Enter.

Sorting (a header click) orders the row numbers by the raw values, None last, in
Python: an answer holds at most the query runner's row limit.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from services.core.formatting import format_date, format_percent
from views.kit.accessibility import ACCESSIBLE_ROLES, item_data
from views.kit.formatting import format_money
from views.kit.theme import LIGHT, Theme

Index = QModelIndex | QPersistentModelIndex

# The raw value of a cell (tests, copying).
RawRole = Qt.ItemDataRole.UserRole + 1
# The customer id of a row (None when the answer links no customer).
CustomerRole = Qt.ItemDataRole.UserRole + 2

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONEY_WORDS = ("amount", "revenue", "clv", "at_stake", "spend", "spent", "sales", "value")
_PERCENT_COLUMNS = frozenset({"churn_risk", "churn_risk_low", "churn_risk_high", "probability"})
_FLAG_PREFIXES = ("is_", "has_")
_FLAG_COLUMNS = frozenset({"do_not_contact", "won", "done", "holdout"})
NAME_COLUMNS = ("customer", "name")
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
LINK_TIP = "Double-click (or press Enter) to open this customer in the Customers tab"


def header_text(column: str) -> str:
    """A column name as a header: "revenue_at_risk_home" -> "Revenue at risk",
    "conversion_pct" -> "Conversion %"."""
    name = column.removesuffix("_home") if column.endswith("_home") else column
    if name.endswith("_pct"):
        name = name.removesuffix("_pct") + " %"
    words = name.replace("_", " ").strip() or column
    return words[0].upper() + words[1:]


def money_currency(columns: Sequence[str], index: int, home: str) -> str | None:
    """``"row"`` when column ``index`` is money in the row's ``currency`` column, the home
    currency code when it is home money, None when it is not money."""
    name = columns[index].lower()
    if name.endswith("_home"):
        return home
    if name.endswith("_id") or name.endswith("_pct") or not any(w in name for w in _MONEY_WORDS):
        return None
    return "row" if "currency" in columns else home


def is_flag(column: str) -> bool:
    return column in _FLAG_COLUMNS or column.startswith(_FLAG_PREFIXES)


def cell_text(columns: Sequence[str], row: Sequence[Any], index: int, home: str) -> str:
    """How one cell reads."""
    value = row[index]
    column = columns[index]
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float):
        currency = money_currency(columns, index, home)
        if currency is not None:
            code = row[columns.index("currency")] if currency == "row" else currency
            return format_money(float(value), str(code or home))
        if column in _PERCENT_COLUMNS and 0 <= value <= 1:
            return format_percent(float(value))
        if column.endswith("_pct"):
            return f"{value:,.1f}%"
        if is_flag(column) and value in (0, 1):
            return "Yes" if value else "No"
        if column.endswith("_id") or isinstance(value, int):
            return str(value) if column.endswith("_id") else f"{value:,}"
        if float(value).is_integer():
            return f"{int(value):,}"
        return f"{value:,.2f}" if abs(value) >= 1 else f"{value:.2f}"
    if isinstance(value, str) and _DAY.match(value):
        try:
            return format_date(dt.date.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (2, 0)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (0, float(value))
    return (1, str(value).lower())


class AnswerTableModel(QAbstractTableModel):
    """The rows of one answer."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._columns: tuple[str, ...] = ()
        self._rows: list[tuple[Any, ...]] = []
        self._order: list[int] = []
        self._home = "USD"
        self._customer: int | None = None
        self._links: frozenset[int] = frozenset()
        self._theme: Theme = LIGHT
        self._link_font = QFont()
        self._link_font.setUnderline(True)

    # -- contents -----------------------------------------------------------------------

    def set_answer(
        self,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        *,
        customer_column: int | None,
        home_currency: str,
    ) -> None:
        """Show these rows (an empty table for no answer)."""
        self.beginResetModel()
        self._columns = tuple(str(c) for c in columns)
        self._rows = [tuple(r) for r in rows]
        self._order = list(range(len(self._rows)))
        self._home = home_currency
        self._customer = customer_column
        links: set[int] = set()
        if customer_column is not None:
            links.add(customer_column)
            for name in NAME_COLUMNS:
                if name in self._columns:
                    links.add(self._columns.index(name))
                    break
        self._links = frozenset(links)
        self.endResetModel()

    def clear(self) -> None:
        self.set_answer((), (), customer_column=None, home_currency=self._home)

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._rows) - 1, len(self._columns) - 1)
            )

    @property
    def columns(self) -> tuple[str, ...]:
        return self._columns

    def customer_at(self, row: int) -> int | None:
        """The customer of a row as shown (after sorting), None when the answer has none."""
        if self._customer is None or not 0 <= row < len(self._order):
            return None
        value = self._rows[self._order[row]][self._customer]
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def is_link(self, column: int) -> bool:
        return column in self._links

    def text_at(self, row: int, column: int) -> str:
        return cell_text(self._columns, self._rows[self._order[row]], column, self._home)

    # -- Qt -------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text_at(row, column)
        if role in ACCESSIBLE_ROLES:
            return item_data(self, index, role)
        if role == RawRole:
            return self._rows[self._order[row]][column]
        if role == CustomerRole:
            return self.customer_at(row)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            value = self._rows[self._order[row]][column]
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if number and not self._columns[column].endswith("_id"):
                return _RIGHT
            return _LEFT
        if column in self._links and self.customer_at(row) is not None:
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor(self._theme.accent)
            if role == Qt.ItemDataRole.FontRole:
                return self._link_font
            if role == Qt.ItemDataRole.ToolTipRole:
                return LINK_TIP
        if role == Qt.ItemDataRole.ToolTipRole:
            text = self.text_at(row, column)
            return text if len(text) > 40 else None
        return None

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        column = self._columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return header_text(column)
        if role == Qt.ItemDataRole.ToolTipRole:
            money = money_currency(self._columns, section, self._home)
            where = ""
            if money == "row":
                where = " (in each row's currency)"
            elif money is not None:
                where = f" (in {money}, the home currency)"
            return f"{column}{where}"
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self._columns):
            return
        self.layoutAboutToBeChanged.emit()
        keyed = sorted(range(len(self._rows)), key=lambda i: _sort_key(self._rows[i][column]))
        if order == Qt.SortOrder.DescendingOrder:
            # None stays last either way.
            present = [i for i in keyed if self._rows[i][column] is not None]
            missing = [i for i in keyed if self._rows[i][column] is None]
            keyed = present[::-1] + missing
        old = self.persistentIndexList()
        position = {source: shown for shown, source in enumerate(keyed)}
        previous = self._order
        self._order = keyed
        self.changePersistentIndexList(
            old,
            [self.index(position[previous[i.row()]], i.column()) for i in old],
        )
        self.layoutChanged.emit()
