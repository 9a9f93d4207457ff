"""The customers table's Qt model: ``CustomerTableModel`` puts a ``CustomerTableData``
(``views/item_models/customer_table_data.py``: the columns, sort keys, search index and
cell texts, no Qt) behind ``QAbstractTableModel``.

Sorting and searching never go through a proxy model: the model keeps one array of
visible row positions (``_rows``) into the data's columns; ``sort()`` replaces it with an
``argsort`` of a numeric key, and search builds a boolean mask with numpy string search
over a prepared lower-case index. Both are a few milliseconds on 100,000 customers, so
they run on the UI thread.

Ranking a text column and building the search index are not (~0.1-0.3 s on 100,000
rows): they are prepared on a worker (``CustomerTableData.prepare*``). A sort or search
asked for before its preparation is done is never computed here: the model keeps it
pending, emits ``preparation_needed`` and applies it in ``apply_pending()`` once the
pane has had the keys prepared.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor

from views.item_models.customer_filters import CustomerFilter
from views.item_models.customer_table_data import (
    ALL_COLUMNS,
    TONED_COLUMNS,
    Column,
    CustomerTableData,
)
from views.kit.accessibility import ACCESSIBLE_ROLES, item_data

Index = QModelIndex | QPersistentModelIndex

CustomerIdRole = Qt.ItemDataRole.UserRole + 1

# Roles as plain ints: comparing with Qt's enum members costs more than the lookup.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole.value)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_CUSTOMER_ID = int(CustomerIdRole)
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_ITEM_FLAGS = (
    Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
)


# A cell of a first screenful's row not read yet, and its tooltip.
NOT_READ = "…"
NOT_READ_TIP = "Still reading this customer"


class CustomerTableModel(QAbstractTableModel):
    """Customers, one per row, sorted and filtered with numpy.

    Signals:
        preparation_needed(): a sort or search waits for keys to be prepared off the UI
            thread (see ``pending_keys``); call ``apply_pending()`` when they are.
    """

    preparation_needed = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._data = CustomerTableData.empty()
        self._columns: tuple[Column, ...] = self._data.shown_columns
        self._rows: np.ndarray = np.arange(0, dtype=np.intp)
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._query = ""
        self._filter = CustomerFilter()
        # The rows the search keeps and the rows the filter keeps (None: all).
        self._search_mask: np.ndarray | None = None
        self._filter_mask: np.ndarray | None = None
        self._mask: np.ndarray | None = None
        # Requests waiting for their keys: (column, order) and the search text.
        self._pending_sort: tuple[int, Qt.SortOrder] | None = None
        self._pending_query: str | None = None
        # A filter set while only a first screenful is read (applied with the whole table).
        self._pending_filter = False
        self._tones: dict[str, QColor] = {
            "critical": QColor("#d6453d"),
            "warning": QColor("#c96d17"),
            "muted": QColor("#5d6877"),
        }

    # -- data in ------------------------------------------------------------------------

    def set_table(
        self, data: CustomerTableData, sort: tuple[int, Qt.SortOrder] | None = None
    ) -> None:
        """Show new data, keeping the current sort (or taking ``sort``) and search. The
        rest of a first screenful (the same rows in the same order) only fills the cells:
        the view keeps its scroll and selection."""
        if sort is not None:
            self._sort_column, self._sort_order = sort
        if self._completes(data):
            self._data = data
            self._filter_mask = data.filter_mask(self._filter)
            self._combine_masks()
            rows = self._visible_rows()
            if np.array_equal(rows, self._rows):
                self._pending_filter = False
                last = self.index(len(rows) - 1, len(self._columns) - 1)
                self.dataChanged.emit(self.index(0, 0), last)
                return
        self.beginResetModel()
        self._data = data
        self._columns = data.shown_columns
        if self._sort_column >= len(self._columns):
            self._sort_column = -1  # sorted by a score the new table does not have
        self._search_mask = self._compute_mask(self._query)
        self._pending_filter = not data.complete and not self._filter.is_empty
        self._filter_mask = None if self._pending_filter else data.filter_mask(self._filter)
        self._combine_masks()
        self._rows = self._visible_rows()
        self.endResetModel()
        if self._pending_filter:
            self.preparation_needed.emit()

    def _completes(self, data: CustomerTableData) -> bool:
        """data is the whole of the first screenful shown: same customers, same columns."""
        old = self._data
        return (
            not old.complete
            and data.complete
            and len(self._rows) > 0
            and not self._query
            and data.size == old.size
            and data.shown_columns == self._columns
            and np.array_equal(data.ids, old.ids)
        )

    def _combine_masks(self) -> None:
        search, kept = self._search_mask, self._filter_mask
        if search is None or kept is None:
            self._mask = kept if search is None else search
        else:
            self._mask = search & kept

    @property
    def scored(self) -> bool:
        """The table holds scores (the workspace was scored): the score columns show."""
        return self._data.scored

    @property
    def shown_columns(self) -> tuple[Column, ...]:
        """The model's columns, in model order."""
        return self._columns

    def set_tone_colors(
        self, critical: QColor, warning: QColor, muted: QColor | None = None
    ) -> None:
        """Colours for long-quiet customers, high churn risk and low confidence (follow
        the theme)."""
        self._tones = {
            "critical": QColor(critical),
            "warning": QColor(warning),
            "muted": QColor(muted) if muted is not None else self._tones["muted"],
        }
        if self.rowCount():
            for col in TONED_COLUMNS:
                if col < len(self._columns):
                    self.dataChanged.emit(
                        self.index(0, col),
                        self.index(self.rowCount() - 1, col),
                        [Qt.ItemDataRole.ForegroundRole],
                    )

    @property
    def table(self) -> CustomerTableData:
        return self._data

    @property
    def total_count(self) -> int:
        return self._data.size

    @property
    def query(self) -> str:
        return self._query

    # -- search ---------------------------------------------------------------------------

    def set_search(self, query: str) -> None:
        """Show only rows whose name, external id, email, company or owner contain every
        word (and that the filter keeps)."""
        query = query.strip()
        if query and self._data.size and not self._data.search_ready:
            # Never build the index here: wait for the worker (apply_pending()).
            self._pending_query = query
            self.preparation_needed.emit()
            return
        self._pending_query = None
        if query == self._query:
            return
        self.beginResetModel()
        self._query = query
        self._search_mask = self._compute_mask(query)
        self._combine_masks()
        self._rows = self._visible_rows()
        self.endResetModel()

    # -- filter ---------------------------------------------------------------------------

    def set_filter(self, f: CustomerFilter) -> None:
        """Show only the rows the filter keeps (with the search, both must match)."""
        f = f.conditions  # the title and sort are the pane's business
        if f == self._filter:
            return
        if not self._data.complete:
            # A first screenful: the filter applies to the whole table once read.
            self._filter = f
            self._pending_filter = True
            self.preparation_needed.emit()
            return
        self.beginResetModel()
        self._filter = f
        self._filter_mask = self._data.filter_mask(f)
        self._combine_masks()
        self._rows = self._visible_rows()
        self.endResetModel()

    def refilter(self) -> None:
        """Apply the filter again (the data's marks changed in place)."""
        self.beginResetModel()
        self._filter_mask = self._data.filter_mask(self._filter)
        self._combine_masks()
        self._rows = self._visible_rows()
        self.endResetModel()

    @property
    def filter(self) -> CustomerFilter:
        """The conditions in force (without title and sort)."""
        return self._filter

    def _compute_mask(self, query: str) -> np.ndarray | None:
        if not query or self._data.size == 0:
            return None
        index = self._data.search_index
        if index is None:
            # New data without its index (the loader normally builds it when a search
            # is active): show everything until the worker has built it.
            self._pending_query = query
            self._query = ""
            self.preparation_needed.emit()
            return None
        return index.match(query)

    def _visible_rows(self) -> np.ndarray:
        if self._sort_column >= 0 and not self._data.sort_key_ready(
            ALL_COLUMNS[self._sort_column].key
        ):
            self._pending_sort = (self._sort_column, self._sort_order)
            self._sort_column = -1
            self.preparation_needed.emit()
        key = ALL_COLUMNS[self._sort_column].key if self._sort_column >= 0 else None
        descending = self._sort_order == Qt.SortOrder.DescendingOrder
        return self._data.visible_rows(key, descending, self._mask)

    # -- sorting ---------------------------------------------------------------------------

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self._columns):
            # -1 means "unsorted": back to database order.
            column = -1
        if column >= 0 and not self._data.sort_key_ready(ALL_COLUMNS[column].key):
            # Ranking text is too slow for the UI thread: wait for the worker.
            self._pending_sort = (column, order)
            self.preparation_needed.emit()
            return
        self._pending_sort = None
        self.layoutAboutToBeChanged.emit()
        old_rows = self._rows
        persistent = self.persistentIndexList()
        old_positions = [old_rows[p.row()] for p in persistent]
        previous_sort = self._sort_column
        self._sort_column = column
        self._sort_order = order
        self._rows = self._visible_rows()
        if persistent:
            # Where did each remembered data row go? (Selection and current survive.)
            where = np.full(self._data.size, -1, dtype=np.intp)
            where[self._rows] = np.arange(len(self._rows), dtype=np.intp)
            new_indexes = [
                self.index(int(where[pos]), p.column())
                for p, pos in zip(persistent, old_positions, strict=True)
            ]
            self.changePersistentIndexList(persistent, new_indexes)
        self.layoutChanged.emit()
        for section in {previous_sort, self._sort_column} - {-1}:
            if section < len(self._columns):
                # The header draws the arrow by the sorted title (CustomerHeaderView).
                self.headerDataChanged.emit(Qt.Orientation.Horizontal, section, section)

    # -- waiting for prepared keys -------------------------------------------------------

    @property
    def pending(self) -> bool:
        """A sort or search is waiting for keys prepared off the UI thread."""
        return (
            self._pending_sort is not None
            or self._pending_query is not None
            or self._pending_filter
        )

    @property
    def pending_filter(self) -> bool:
        """A filter waits for the whole table (a first screenful is shown)."""
        return self._pending_filter

    def pending_keys(self) -> tuple[list[str], bool]:
        """(text columns to rank, whether the search index is needed) for the waiting
        requests (hand them to ``CustomerTableData.prepare_for`` on a worker)."""
        keys = []
        if self._pending_sort is not None:
            key = ALL_COLUMNS[self._pending_sort[0]].key
            if not self._data.sort_key_ready(key):
                keys.append(key)
        needs_index = self._pending_query is not None and not self._data.search_ready
        return keys, needs_index

    def apply_pending(self) -> None:
        """Apply the waiting sort and search whose keys are now ready."""
        pending_sort, self._pending_sort = self._pending_sort, None
        pending_query, self._pending_query = self._pending_query, None
        if self._pending_filter and self._data.complete:
            self._pending_filter = False
            self.refilter()
        if pending_sort is not None:
            self.sort(*pending_sort)
        if pending_query is not None:
            self.set_search(pending_query)

    @property
    def sort_column(self) -> int:
        return self._sort_column

    @property
    def sort_order(self) -> Qt.SortOrder:
        return self._sort_order

    # -- Qt model API ----------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # The view asks for ~8 roles per visible cell on every paint: plain int
        # comparisons first, and nothing computed for roles we do not handle.
        if role == _DISPLAY:
            return self._display(index) if index.isValid() else None
        if role == _ALIGN:
            if not index.isValid():
                return None
            return _RIGHT if self._columns[index.column()].numeric else _LEFT
        if role == _FOREGROUND:
            if not index.isValid():
                return None
            column = index.column()
            if column not in TONED_COLUMNS:
                return None
            tone = self._data.tone(column, self._rows[index.row()])
            return None if tone is None else self._tones[tone]
        if role == _TOOLTIP:
            return self._tooltip(index) if index.isValid() else None
        if role == _CUSTOMER_ID:
            if not index.isValid():
                return None
            return int(self._data.ids[self._rows[index.row()]])
        if role in ACCESSIBLE_ROLES:
            return item_data(self, index, role)
        return None

    def _display(self, index: Index) -> str | None:
        col = self._columns[index.column()]
        pos = self._rows[index.row()]
        if self._data.loaded is not None and not self._data.cell_read(col.key, pos):
            return NOT_READ
        text = self._data.display(col, self._data.columns[col.key][pos])
        if text == "—" and col.key == "revenue":
            return self._data.unconverted_text(pos) or text
        return text

    def _tooltip(self, index: Index) -> str | None:
        col = self._columns[index.column()]
        pos = self._rows[index.row()]
        if self._data.loaded is not None and not self._data.cell_read(col.key, pos):
            return NOT_READ_TIP
        if col.key == "revenue":
            return self._data.unconverted_tooltip(pos)
        return self._data.tooltip(col, self._data.columns[col.key][pos])

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        col = self._columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return col.tooltip or None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _alignment(col)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        return _ITEM_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    # -- helpers ----------------------------------------------------------------------------

    def customer_id(self, row: int) -> int | None:
        if 0 <= row < len(self._rows):
            return int(self._data.ids[self._rows[row]])
        return None

    def row_of_customer(self, customer_id: int) -> int | None:
        """The visible row of a customer, or None when filtered out or unknown."""
        pos = self._data.row_of_id(customer_id)
        if pos is None:
            return None
        hits = np.flatnonzero(self._rows == pos)
        return int(hits[0]) if len(hits) else None

    def sample_texts(self, column: int, rows: int) -> list[str]:
        """Display texts of the first visible rows of a column (to size the column)."""
        col = self._columns[column]
        values = self._data.columns[col.key][self._rows[:rows]]
        return [self._data.display(col, v) or "" for v in values]

    def widest_texts(self, column: int) -> list[str]:
        """The widest texts a numeric column shows over the whole table (to size it)."""
        return self._data.widest_texts(self._columns[column])

    def visible_ids(self) -> np.ndarray:
        """Customer ids in display order (tests and exports)."""
        ids: np.ndarray = self._data.ids[self._rows]
        return ids

    def column_values(self, key: str) -> np.ndarray:
        """A column's raw values in display order."""
        values: np.ndarray = self._data.columns[key][self._rows]
        return values


def _alignment(col: Column) -> Qt.AlignmentFlag:
    if col.numeric:
        return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    return Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
