"""The customers table: a QAbstractTableModel over numpy columns.

Sorting and searching never go through a proxy model: the model keeps one array of
visible row positions (``_rows``) into its columns; ``sort()`` replaces it with an
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

import datetime as dt
import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
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

from services.formatting import format_date, format_percent
from services.records import CONFIDENCES
from services.scoring.rfm import SEGMENTS  # best customers first, lost ones last
from views.formatting import format_money

Index = QModelIndex | QPersistentModelIndex

CustomerIdRole = Qt.ItemDataRole.UserRole + 1

SEARCH_FIELDS = ("name", "email", "company", "owner")
# Bounds the memory of the search index (4 bytes per character per row).
SEARCH_ROW_CHARS = 160
QUIET_WARNING_DAYS = 90
QUIET_CRITICAL_DAYS = 180


class Kind(enum.Enum):
    TEXT = "text"
    COUNT = "count"
    MONEY = "money"
    DATE = "date"
    DAYS = "days"
    PERCENT = "percent"  # a probability 0..1 shown as "72%"
    SCORE = "score"  # 0..100 shown as a whole number
    ESTIMATE = "estimate"  # a predicted amount of money: whole dollars
    LEVEL = "level"  # a named category with a meaningful order (segment, confidence)


_NUMERIC_KINDS = frozenset(
    (Kind.COUNT, Kind.MONEY, Kind.DAYS, Kind.PERCENT, Kind.SCORE, Kind.ESTIMATE)
)


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    kind: Kind
    tooltip: str = ""
    # LEVEL columns: the values from best to worst; sorting follows this order.
    order: tuple[str, ...] = ()

    @property
    def numeric(self) -> bool:
        return self.kind in _NUMERIC_KINDS


# The churn columns come first so that they are visible in a half-width pane; contact
# and segment facts follow (CustomersPane fits the first IMPORTANT_COLUMNS in view).
COLUMNS: tuple[Column, ...] = (
    Column("name", "Name", Kind.TEXT),
    Column("owner", "Owner", Kind.TEXT, "Account manager"),
    Column("orders", "Orders", Kind.COUNT, "Paid orders"),
    Column("revenue", "Revenue", Kind.MONEY, "Total of paid orders"),
    Column("last_order", "Last order", Kind.DATE, "Date of the last paid order (UTC)"),
    Column("days_since_last_order", "Days quiet", Kind.DAYS, "Days since the last paid order"),
    Column("open_tickets", "Tickets", Kind.COUNT, "Open support tickets"),
    Column("open_opportunities", "Opps", Kind.COUNT, "Open opportunities"),
    Column("email", "Email", Kind.TEXT),
    Column("company", "Company", Kind.TEXT),
    Column("tier", "Tier", Kind.TEXT),
    Column("region", "Region", Kind.TEXT),
    Column("signup_date", "Customer since", Kind.DATE, "Sign-up date"),
)
IMPORTANT_COLUMNS = 8


# The latest scores, once the workspace has been scored. They come after the base
# columns in the model (so the base columns keep their positions, and a workspace that
# was never scored shows exactly the base columns); the pane moves them next to the
# name in the view (SCORED_VISUAL_ORDER).
SCORE_COLUMNS: tuple[Column, ...] = (
    Column(
        "churn_risk",
        "Churn risk",
        Kind.PERCENT,
        "Chance of no order in the scoring horizon (latest scoring run)",
    ),
    Column(
        "revenue_at_risk",
        "At risk",
        Kind.ESTIMATE,
        "Revenue at risk: churn risk × 12-month customer lifetime value",
    ),
    Column("health_score", "Health", Kind.SCORE, "Health score, 0-100 (higher is healthier)"),
    Column("segment", "Segment", Kind.LEVEL, "RFM segment", SEGMENTS),
    Column(
        "engagement_score", "Engagement", Kind.SCORE, "Engagement score, 0-100 (higher is better)"
    ),
    Column("clv_12m", "CLV 12m", Kind.ESTIMATE, "Predicted revenue over the next 12 months"),
    Column(
        "confidence",
        "Confidence",
        Kind.LEVEL,
        "How much history the scores rest on: high, medium or low",
        CONFIDENCES,
    ),
)
SCORE_KEYS = tuple(c.key for c in SCORE_COLUMNS)
ALL_COLUMNS: tuple[Column, ...] = COLUMNS + SCORE_COLUMNS
COLUMN_INDEX = {c.key: i for i, c in enumerate(ALL_COLUMNS)}
# Where the view shows the columns of a scored table, left to right: the churn columns
# (risk, money at stake, health, segment) right after the name and owner.
SCORED_VISUAL_ORDER = (
    "name",
    "owner",
    "churn_risk",
    "revenue_at_risk",
    "health_score",
    "segment",
    "revenue",
    "days_since_last_order",
    "orders",
    "last_order",
    "open_tickets",
    "open_opportunities",
    "engagement_score",
    "clv_12m",
    "confidence",
    "email",
    "company",
    "tier",
    "region",
    "signup_date",
)
_DAYS_COLUMN = COLUMN_INDEX["days_since_last_order"]
_RISK_COLUMN = COLUMN_INDEX["churn_risk"]
_CONFIDENCE_COLUMN = COLUMN_INDEX["confidence"]
# Churn risk shown in the critical / warning colour from these probabilities on.
RISK_CRITICAL = 0.6
RISK_WARNING = 0.35

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
_EPOCH = dt.date(1970, 1, 1)


class TextSearchIndex:
    """Case-insensitive "contains" over several text fields, vectorised with numpy."""

    def __init__(self, fields: list[np.ndarray]) -> None:
        rows = [
            "\x1f".join(v if isinstance(v, str) else "" for v in values).lower()[:SEARCH_ROW_CHARS]
            for values in zip(*fields, strict=True)
        ]
        # Fixed-width unicode: np.strings.find runs in C over the whole column.
        self._hay = np.array(rows, dtype=str) if rows else np.array([], dtype="<U1")

    def match(self, query: str) -> np.ndarray | None:
        """Rows containing every word of the query; None for an empty query (all rows)."""
        terms = [t for t in query.lower().replace("\x1f", " ").split() if t]
        if not terms:
            return None
        mask = np.ones(len(self._hay), dtype=bool)
        for term in terms:
            mask &= np.strings.find(self._hay, term) >= 0
        return mask


def _is_text(col: Column) -> bool:
    return col.kind in (Kind.TEXT, Kind.LEVEL)


def _level_rank(values: np.ndarray, order: tuple[str, ...]) -> np.ndarray:
    """Rank of each value in order (unknown names after the known ones, missing NaN);
    only the distinct values go through Python."""
    missing = np.equal(values, np.array(None, dtype=object))
    filled = np.where(missing, "", values).astype(str)
    distinct, codes = np.unique(filled, return_inverse=True)
    known = {name.casefold(): float(i) for i, name in enumerate(order)}
    ranks = np.array(
        [known.get(v.casefold(), float(len(order))) if v else np.nan for v in distinct.tolist()],
        dtype=np.float64,
    )
    result: np.ndarray = ranks[codes.reshape(-1)]
    return result


def _as_array(values: Any, dtype: Any, na_value: Any) -> np.ndarray:
    # pandas columns (nullable integers included) know how to fill their gaps;
    # numpy arrays from services.customers.load_customer_columns are used as they are.
    if hasattr(values, "to_numpy"):
        return np.asarray(values.to_numpy(dtype=dtype, na_value=na_value))
    return np.asarray(values, dtype=dtype)


class CustomerTableData:
    """The table's columns as numpy arrays, with lazily computed sort keys.

    Built off the UI thread from the columns of ``services.customers`` (a dict of
    numpy arrays or a DataFrame).
    """

    def __init__(self, columns: Mapping[str, Any]) -> None:
        self.ids = _as_array(columns["id"], np.int64, None)
        self.size = len(self.ids)
        # Every money column is in the workspace's home currency.
        currency: Any = columns.get("currency")
        if isinstance(currency, np.ndarray):
            currency = currency.flat[0] if currency.size else None
        self.currency = str(currency or "USD")
        # Scored: the loader brought the latest scores (the workspace was scored).
        self.scored = all(key in columns for key in SCORE_KEYS)
        self.columns: dict[str, np.ndarray] = {}
        for col in ALL_COLUMNS:
            values = columns.get(col.key)
            if values is None:  # no scores yet: the score columns are not shown
                values = np.full(self.size, None if _is_text(col) else np.nan, dtype=object)
            if _is_text(col):
                self.columns[col.key] = _as_array(values, object, None)
            elif col.kind is Kind.DATE:
                self.columns[col.key] = _as_array(values, "datetime64[ns]", None)
            else:
                self.columns[col.key] = _as_array(values, np.float64, np.nan)
        self._keys: dict[str, np.ndarray] = {}
        self._perms: dict[tuple[str, bool], np.ndarray] = {}
        self.search_index: TextSearchIndex | None = None
        self.prepared = False
        self._row_of_id: dict[int, int] | None = None

    @property
    def shown_columns(self) -> tuple[Column, ...]:
        """The model's columns for this table: the score columns only once scored."""
        return ALL_COLUMNS if self.scored else COLUMNS

    @classmethod
    def empty(cls) -> CustomerTableData:
        columns: dict[str, np.ndarray] = {"id": np.array([], dtype=np.int64)}
        for col in COLUMNS:
            if col.kind is Kind.DATE:
                columns[col.key] = np.array([], dtype="datetime64[ns]")
            elif col.kind is Kind.TEXT:
                columns[col.key] = np.array([], dtype=object)
            else:
                columns[col.key] = np.array([], dtype=np.float64)
        return cls(columns)

    def prepare_for(self, keys: list[str], search: bool) -> None:
        """Rank these text columns and build the search index if asked (on a worker)."""
        for key in keys:
            self.sort_key(key)
        if search and self.search_index is None:
            self.search_index = self.build_search_index()

    def prepare(self) -> None:
        """Build the search index and the text sort keys (for a worker thread, after the
        table is on screen, so that the first search or sort by name is already fast)."""
        if self.search_index is None:
            self.search_index = self.build_search_index()
        for col in self.shown_columns:
            if _is_text(col):
                self.sort_key(col.key)
        self.prepared = True

    def build_search_index(self) -> TextSearchIndex:
        """Prepare the search index (a few hundred ms on 100k rows: run it on a worker)."""
        return TextSearchIndex([self.columns[f] for f in SEARCH_FIELDS])

    def sort_key_ready(self, key: str) -> bool:
        """True when sorting by key costs only an argsort (no text ranking to do)."""
        return key in self._keys or self.columns[key].dtype != object

    @property
    def search_ready(self) -> bool:
        return self.search_index is not None

    def row_of_id(self, customer_id: int) -> int | None:
        if self._row_of_id is None:
            self._row_of_id = {int(v): i for i, v in enumerate(self.ids.tolist())}
        return self._row_of_id.get(int(customer_id))

    def sort_key(self, key: str) -> np.ndarray:
        """A float64 key per row (NaN = missing) whose order is the column's order."""
        cached = self._keys.get(key)
        if cached is not None:
            return cached
        values = self.columns[key]
        col = ALL_COLUMNS[COLUMN_INDEX[key]]
        result: np.ndarray
        if col.kind is Kind.LEVEL and len(values):
            result = _level_rank(values, col.order)
        elif values.dtype == object and len(values):
            # Case-insensitive rank: np.unique sorts the fixed-width strings in C (no
            # pandas import, ~75 ms for 100,000 names); missing or empty values last.
            lowered = np.array(
                [v.casefold() if isinstance(v, str) and v else "" for v in values.tolist()],
                dtype=str,
            )
            _, codes = np.unique(lowered, return_inverse=True)
            result = codes.reshape(-1).astype(np.float64)
            result[lowered == ""] = np.nan
        elif values.dtype == object:
            result = np.array([], dtype=np.float64)
        elif values.dtype.kind == "M":
            result = values.astype(np.int64).astype(np.float64)
            result[np.isnat(values)] = np.nan
        else:
            result = np.asarray(values, dtype=np.float64)
        self._keys[key] = result
        return result

    def permutation(self, key: str, descending: bool) -> np.ndarray:
        """Row positions in column order; missing values last in both directions."""
        perm = self._perms.get((key, descending))
        if perm is None:
            k = self.sort_key(key)
            # Stable on a negated key (not a reversed ascending sort): ties keep their
            # original order and NaN stays at the end either way.
            perm = np.argsort(-k if descending else k, kind="stable").astype(np.intp)
            self._perms[(key, descending)] = perm
        return perm


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
        self._mask: np.ndarray | None = None
        # Requests waiting for their keys: (column, order) and the search text.
        self._pending_sort: tuple[int, Qt.SortOrder] | None = None
        self._pending_query: str | None = None
        self._tones: dict[str, QColor] = {
            "critical": QColor("#d6453d"),
            "warning": QColor("#c96d17"),
            "muted": QColor("#5d6877"),
        }

    # -- data in ------------------------------------------------------------------------

    def set_table(self, data: CustomerTableData) -> None:
        """Show new data, keeping the current sort and search."""
        self.beginResetModel()
        self._data = data
        self._columns = data.shown_columns
        if self._sort_column >= len(self._columns):
            self._sort_column = -1  # sorted by a score the new table does not have
        self._mask = self._compute_mask(self._query)
        self._rows = self._visible_rows()
        self.endResetModel()

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
            for col in (_DAYS_COLUMN, _RISK_COLUMN, _CONFIDENCE_COLUMN):
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
        """Show only rows whose name, email, company or owner contain every word."""
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
        self._mask = self._compute_mask(query)
        self._rows = self._visible_rows()
        self.endResetModel()

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
        if self._sort_column >= 0:
            col = ALL_COLUMNS[self._sort_column]
            descending = self._sort_order == Qt.SortOrder.DescendingOrder
            perm = self._data.permutation(col.key, descending)
        else:
            perm = np.arange(self._data.size, dtype=np.intp)
        if self._mask is None:
            return perm
        visible: np.ndarray = perm[self._mask[perm]]
        return visible

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

    # -- waiting for prepared keys -------------------------------------------------------

    @property
    def pending(self) -> bool:
        """A sort or search is waiting for keys prepared off the UI thread."""
        return self._pending_sort is not None or self._pending_query is not None

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
            if not index.isValid():
                return None
            col = self._columns[index.column()]
            return self._display(col, self._data.columns[col.key][self._rows[index.row()]])
        if role == _ALIGN:
            if not index.isValid():
                return None
            return _RIGHT if self._columns[index.column()].numeric else _LEFT
        if role == _FOREGROUND:
            if not index.isValid():
                return None
            column = index.column()
            if column == _DAYS_COLUMN:
                days = self._data.columns["days_since_last_order"][self._rows[index.row()]]
                if days >= QUIET_CRITICAL_DAYS:
                    return self._tones["critical"]
                if days >= QUIET_WARNING_DAYS:
                    return self._tones["warning"]
            elif column == _RISK_COLUMN:
                risk = self._data.columns["churn_risk"][self._rows[index.row()]]
                if risk >= RISK_CRITICAL:
                    return self._tones["critical"]
                if risk >= RISK_WARNING:
                    return self._tones["warning"]
            elif (
                column == _CONFIDENCE_COLUMN
                and self._data.columns["confidence"][self._rows[index.row()]] == "low"
            ):
                return self._tones["muted"]
            return None
        if role == _TOOLTIP:
            if not index.isValid():
                return None
            col = self._columns[index.column()]
            value = self._data.columns[col.key][self._rows[index.row()]]
            # Name and owner may be narrowed to keep the churn columns in view.
            if col.kind is Kind.TEXT and isinstance(value, str) and len(value) > 10:
                return value
            return None
        if role == _CUSTOMER_ID:
            if not index.isValid():
                return None
            return int(self._data.ids[self._rows[index.row()]])
        return None

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
        return [self._display(col, v) or "" for v in values]

    def visible_ids(self) -> np.ndarray:
        """Customer ids in display order (tests and exports)."""
        ids: np.ndarray = self._data.ids[self._rows]
        return ids

    def column_values(self, key: str) -> np.ndarray:
        """A column's raw values in display order."""
        values: np.ndarray = self._data.columns[key][self._rows]
        return values

    def _display(self, col: Column, value: Any) -> str | None:
        kind = col.kind
        if kind is Kind.TEXT:
            return value if isinstance(value, str) else ""
        if kind is Kind.LEVEL:
            # "Can't Lose Them" stays as named; "low" (confidence) becomes "Low".
            return value[:1].upper() + value[1:] if isinstance(value, str) and value else "—"
        if kind is Kind.DATE:
            if np.isnat(value):
                return "—"
            return _format_day(int(value.astype("datetime64[D]").astype(np.int64)))
        if math.isnan(value):
            return "—"
        if kind is Kind.MONEY:
            return format_money(value, self._data.currency)
        if kind is Kind.ESTIMATE:
            return format_money(value, self._data.currency, cents=False)
        if kind is Kind.PERCENT:
            return format_percent(value)
        if kind is Kind.SCORE:
            return f"{value:.0f}"
        return f"{int(value):,}"


@lru_cache(maxsize=8192)
def _format_day(day: int) -> str:
    return format_date(_EPOCH + dt.timedelta(days=day))


def _alignment(col: Column) -> Qt.AlignmentFlag:
    if col.numeric:
        return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    return Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
