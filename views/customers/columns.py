"""The customers table's columns: their order, widths and visibility, kept by column
key; the Name column frozen at the left; the column chooser.

Why by key: the model's column set changes (the score columns join once the workspace
is scored), so Qt's positional ``QHeaderView.saveState()`` restored onto another set of
columns moved Churn risk to the far right and cut titles ("ys quiet"). The layout is
stored as JSON (``header_state``), validated on restore, and re-applied whenever the
column set changes; anything unreadable falls back to the default layout.

Widths: a column is never narrower than its title plus the sort arrow, and a numeric
column never narrower than the widest number it shows (names elide, numbers do not).

Name stays in view while the table scrolls sideways: a second view over the same model
and selection model covers the first column (Qt's "Frozen Column" example).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QByteArray, QModelIndex, QObject, QPersistentModelIndex, QPoint, Qt
from PySide6.QtGui import QAction, QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QMenu,
    QStyleOptionHeader,
    QTableView,
    QWidget,
)

from services.core.safe_read import SETTINGS_LIMIT, parse_json
from views.item_models.customer_table_data import (
    ALL_COLUMNS,
    COLUMN_INDEX,
    IMPORTANT_COLUMNS,
    SCORED_VISUAL_ORDER,
    Kind,
)
from views.item_models.customer_table_model import CustomerTableModel
from views.kit.geometry import text_scale
from views.kit.lists import PeopleTableView

HEADER_STATE_VERSION = 1
FROZEN_KEY = "name"
# Fitted widths stay within these bounds in pixels (a title or a number may need more).
MIN_COLUMN_WIDTH = 56
MAX_COLUMN_WIDTH = 230
MAX_SAVED_WIDTH = 1200
# Columns kept in view once scored: name, owner, risk, at risk, health and segment.
SCORED_IMPORTANT_COLUMNS = 6
# How far the name and owner columns may shrink to keep the churn columns in view.
MIN_TEXT_COLUMN_WIDTH = {"name": 120, "owner": 90}
FIT_SAMPLE_ROWS = 60
# Item padding from the style sheet (2 x 6 px), the style's text margins and some air.
CELL_SLACK = 22
# A header section around its title (and sort arrow): padding (2 x 6 px), the border and
# some air.
HEADER_SLACK = 14
_KNOWN_KEYS = frozenset(c.key for c in ALL_COLUMNS)


# Drawn after the sorted column's title: biggest first (down) or smallest first (up).
SORT_DOWN = " ▾"
SORT_UP = " ▴"


class CustomerHeaderView(QHeaderView):
    """A header that writes the sort arrow after the sorted column's title, in room of
    its own: the style's indicator was drawn over right-aligned titles ("At ris▾")."""

    def __init__(self, parent: QTableView) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        # Shown as far as Qt knows (a click then flips the sort), drawn by us.
        self.setSortIndicatorShown(True)
        self.setSectionsClickable(True)  # as QTableView's own header is

    def initStyleOptionForIndex(  # noqa: N802  (Qt's name)
        self,
        option: QStyleOptionHeader,
        logicalIndex: int,  # noqa: N803
    ) -> None:
        super().initStyleOptionForIndex(option, logicalIndex)
        model = self.model()
        if isinstance(model, CustomerTableModel) and logicalIndex == model.sort_column:
            descending = model.sort_order == Qt.SortOrder.DescendingOrder
            option.text = option.text + (SORT_DOWN if descending else SORT_UP)
        option.sortIndicator = QStyleOptionHeader.SortIndicator.None_


def merge_order(primary: Iterable[str], secondary: Iterable[str]) -> list[str]:
    """primary, with each key of secondary it lacks inserted after the key that comes
    before it in secondary (at the start when none does)."""
    result = list(dict.fromkeys(primary))
    previous: str | None = None
    for key in secondary:
        if key not in result:
            result.insert(result.index(previous) + 1 if previous is not None else 0, key)
        previous = key
    return result


class CustomerTableView(PeopleTableView):
    """The customers table: scrolling to a row's Name cell does not scroll sideways
    (the frozen column always shows it), and the frozen column follows its geometry."""

    frozen: FrozenNameView | None = None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHorizontalHeader(CustomerHeaderView(self))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802  (Qt's name)
        super().resizeEvent(event)
        if self.frozen is not None:
            self.frozen.update_geometry()

    def updateGeometries(self) -> None:  # noqa: N802
        super().updateGeometries()
        if self.frozen is not None:
            self.frozen.update_geometry()

    def scrollTo(  # noqa: N802  (Qt's name)
        self,
        index: QModelIndex | QPersistentModelIndex,
        hint: QAbstractItemView.ScrollHint = QAbstractItemView.ScrollHint.EnsureVisible,
    ) -> None:
        if index.isValid() and index.column() == COLUMN_INDEX[FROZEN_KEY]:
            horizontal = self.horizontalScrollBar().value()
            super().scrollTo(index, hint)
            self.horizontalScrollBar().setValue(horizontal)
            return
        super().scrollTo(index, hint)


class CustomerColumns(QObject):
    """Arranges the customers table's columns and keeps the user's layout by key."""

    def __init__(
        self,
        table: QTableView,
        model: CustomerTableModel,
        available_width: Callable[[], int],
    ) -> None:
        super().__init__(table)
        self.table = table
        self.model = model
        self._available_width = available_width
        # The user's layout by key (kept for columns the current table lacks).
        self._order: list[str] = []
        self._widths: dict[str, int] = {}
        self._hidden: set[str] = set()
        self._applying = False
        # Widths set by hand (or restored): kept when the column set changes.
        self._user_sized = False
        # The column set last fitted to data.
        self._fitted: tuple[str, ...] = ()
        header = table.horizontalHeader()
        header.setObjectName("customerHeader")
        header.setMinimumSectionSize(MIN_COLUMN_WIDTH)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._on_header_context_menu_requested)
        header.sectionMoved.connect(self._on_header_section_moved)
        header.sectionResized.connect(self._on_header_section_resized)
        self.frozen = FrozenNameView(table, model, self)

    # -- keys and sizes ---------------------------------------------------------------------

    def _keys(self) -> list[str]:
        return [c.key for c in self.model.shown_columns]

    def visual_keys(self) -> list[str]:
        """The current columns, left to right (hidden ones included)."""
        header = self.table.horizontalHeader()
        keys = self._keys()
        return [keys[header.logicalIndex(v)] for v in range(min(header.count(), len(keys)))]

    def title_width(self, key: str) -> int:
        """The narrowest a column may be: its title, bold, with the sort arrow."""
        bold = QFont(self.table.horizontalHeader().font())
        bold.setWeight(QFont.Weight.DemiBold)
        metrics = QFontMetrics(bold)
        title = ALL_COLUMNS[COLUMN_INDEX[key]].title
        arrow = max(metrics.horizontalAdvance(SORT_DOWN), metrics.horizontalAdvance(SORT_UP))
        return metrics.horizontalAdvance(title) + arrow + HEADER_SLACK

    def number_width(self, column: int) -> int:
        """The widest number of a numeric column, with the cell's padding (0: not numeric)."""
        texts = self.model.widest_texts(column)
        if not texts:
            return 0
        cell = QFontMetrics(self.table.font())
        return max(cell.horizontalAdvance(t) for t in texts) + CELL_SLACK

    def floor(self, column: int) -> int:
        key = self._keys()[column]
        return max(MIN_COLUMN_WIDTH, self.title_width(key), self.number_width(column))

    def _resize(self, column: int, width: int) -> None:
        self._applying = True
        try:
            self.table.horizontalHeader().resizeSection(column, width)
        finally:
            self._applying = False

    # -- arranging ------------------------------------------------------------------------

    def arrange(self) -> None:
        """Put the current columns in the user's order (the default one for columns the
        user never placed), hide the hidden ones and size them (on every table load)."""
        keys = self._keys()
        default = list(SCORED_VISUAL_ORDER) if self.model.scored else keys
        default = [k for k in default if k in keys]
        order = merge_order([k for k in self._order if k in keys], default)
        order.remove(FROZEN_KEY)
        order.insert(0, FROZEN_KEY)
        header = self.table.horizontalHeader()
        self._applying = True
        try:
            for visual, key in enumerate(order):
                current = header.visualIndex(keys.index(key))
                if current != visual:
                    header.moveSection(current, visual)
            for column, key in enumerate(keys):
                header.setSectionHidden(column, key in self._hidden and key != FROZEN_KEY)
        finally:
            self._applying = False
        if not self.model.rowCount() and not self._widths:
            return  # nothing to measure yet
        # A new set of columns nobody sized by hand is fitted afresh, the churn columns
        # into view; otherwise each column keeps its width (never below its floor).
        self.fit_widths(full=not self._user_sized and tuple(keys) != self._fitted)
        if self.model.rowCount():
            self._fitted = tuple(keys)

    def fit_widths(self, *, full: bool = False) -> None:
        """Size the columns: known widths (never below the floor) and the rest from the
        data; ``full`` fits every column afresh and narrows name and owner to keep the
        churn columns in view."""
        keys = self._keys()
        widths = [self._fitted_width(c) for c in range(len(keys))]
        if full:
            self._squeeze_into_view(widths)
        measured = self.model.rowCount() > 0
        for column, key in enumerate(keys):
            saved = None if full else self._widths.get(key)
            width = max(widths[column] if saved is None else saved, self.floor(column))
            if saved is not None or measured:
                # Kept (and saved) once it rests on data: a width fitted to an empty
                # table would stay narrow when the customers arrive.
                self._widths[key] = width
            self._resize(column, width)
        self.frozen.update_geometry()

    def _fitted_width(self, column: int) -> int:
        cell = QFontMetrics(self.table.font())
        texts = self.model.sample_texts(column, FIT_SAMPLE_ROWS)
        width = max([0] + [cell.horizontalAdvance(t) for t in texts if t]) + CELL_SLACK
        return max(self.floor(column), min(width, MAX_COLUMN_WIDTH))

    def _squeeze_into_view(self, widths: list[int]) -> None:
        # The churn columns (the first ones the view shows) must all be in view without
        # scrolling: if they do not fit, the text columns among them (name, owner) give
        # up room, down to a floor (their cells elide, with the full text in the tooltip).
        header = self.table.horizontalHeader()
        columns = self.model.shown_columns
        in_view = [
            header.logicalIndex(v)
            for v in range(header.count())
            if not header.isSectionHidden(header.logicalIndex(v))
        ][: SCORED_IMPORTANT_COLUMNS if self.model.scored else IMPORTANT_COLUMNS]
        excess = sum(widths[i] for i in in_view) - self._available_width()
        floors = {
            i: max(MIN_TEXT_COLUMN_WIDTH.get(columns[i].key, MIN_COLUMN_WIDTH), self.floor(i))
            for i in in_view
            if columns[i].kind is Kind.TEXT
        }
        room = sum(max(widths[i] - floor, 0) for i, floor in floors.items())
        if excess > 0 and room > 0:
            for i, floor in floors.items():
                spare = max(widths[i] - floor, 0)
                widths[i] -= math.ceil(excess * spare / room) if excess < room else spare

    # -- the user's changes ------------------------------------------------------------------

    def _remember_order(self) -> None:
        self._order = merge_order(self.visual_keys(), self._order)

    def _on_header_section_moved(self, _logical: int, _old: int, _new: int) -> None:
        if self._applying:
            return
        header = self.table.horizontalHeader()
        name = COLUMN_INDEX[FROZEN_KEY]
        if header.visualIndex(name) != 0:
            # Name stays first (the frozen view covers the first column).
            self._applying = True
            try:
                header.moveSection(header.visualIndex(name), 0)
            finally:
                self._applying = False
        self._remember_order()

    def _on_header_section_resized(self, column: int, _old: int, new: int) -> None:
        if column == COLUMN_INDEX[FROZEN_KEY]:
            self.frozen.update_geometry()
        if self._applying or column >= len(self.model.shown_columns) or new == 0:
            return  # ours, or a section being hidden
        floor = self.floor(column)
        if new < floor:
            self._resize(column, floor)
            new = floor
        self._widths[self._keys()[column]] = new
        self._user_sized = True

    def set_column_visible(self, key: str, visible: bool) -> None:
        """Show or hide a column (Name always shows); remembered in the header state."""
        if key == FROZEN_KEY:
            return
        if visible:
            self._hidden.discard(key)
        else:
            self._hidden.add(key)
        keys = self._keys()
        if key in keys:
            self._applying = True
            try:
                self.table.horizontalHeader().setSectionHidden(keys.index(key), not visible)
            finally:
                self._applying = False
            if visible:
                self._resize(
                    keys.index(key), max(self._widths.get(key, 0), self.floor(keys.index(key)))
                )

    def is_column_visible(self, key: str) -> bool:
        return key not in self._hidden or key == FROZEN_KEY

    def column_menu(self) -> QMenu:
        """The column chooser: a checkable entry per column, left to right."""
        menu = QMenu(self.table)
        menu.setObjectName("columnChooser")
        for key in self.visual_keys():
            col = ALL_COLUMNS[COLUMN_INDEX[key]]
            action = QAction(col.title, menu)
            action.setCheckable(True)
            action.setChecked(self.is_column_visible(key))
            action.setData(key)
            if key == FROZEN_KEY:
                action.setEnabled(False)  # a row needs its name
            action.toggled.connect(lambda checked, k=key: self.set_column_visible(k, checked))
            menu.addAction(action)
        menu.addSeparator()
        reset = menu.addAction("Reset columns")
        reset.triggered.connect(self.reset)
        return menu

    def reset(self) -> None:
        """Back to the default order, widths and visibility."""
        self._order, self._widths, self._hidden = [], {}, set()
        self._user_sized, self._fitted = False, ()
        self.arrange()

    def _on_header_context_menu_requested(self, pos: QPoint) -> None:
        header = self.table.horizontalHeader()
        self.column_menu().exec(header.mapToGlobal(pos))

    # -- saved state -----------------------------------------------------------------------

    def state(self) -> QByteArray:
        """The layout as JSON: order, widths and hidden columns by key."""
        data = {
            "version": HEADER_STATE_VERSION,
            "order": merge_order(self.visual_keys(), self._order),
            "widths": dict(self._widths),
            "hidden": sorted(self._hidden),
            # The text size the widths were set at: restored at another, they are scaled.
            "text_scale": round(text_scale(self.table), 3),
        }
        return QByteArray(json.dumps(data).encode("utf-8"))

    def restore(self, state: QByteArray) -> bool:
        """Take a layout saved by ``state()``; False (defaults kept) for anything else,
        such as Qt's own binary header state from an older version."""
        layout = parse_state(state)
        if layout is None:
            return False
        self._order, self._widths, self._hidden = layout
        was, now = saved_text_scale(state), text_scale(self.table)
        if was is not None and abs(was - now) > 0.01:
            # Widths set at 150 % text, restored at 100 %: as much narrower (else a wide
            # first column pushes the others off the screen), and the other way round.
            self._widths = {
                k: max(MIN_COLUMN_WIDTH, min(MAX_SAVED_WIDTH, round(v * now / was)))
                for k, v in self._widths.items()
            }
        self._user_sized = bool(self._widths)
        self.arrange()
        return True


def saved_text_scale(state: QByteArray) -> float | None:
    """The text size a saved header state's widths were set at (views/kit/geometry.py
    text_scale); None when it does not say (saved before it did) or says nonsense."""
    try:
        data: Any = parse_json(bytes(state.data())[:SETTINGS_LIMIT].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    scale = data.get("text_scale") if isinstance(data, dict) else None
    if isinstance(scale, bool) or not isinstance(scale, int | float):
        return None
    return float(scale) if 1.0 <= scale <= 8.0 else None


def parse_state(state: QByteArray) -> tuple[list[str], dict[str, int], set[str]] | None:
    """(order, widths, hidden) from a saved header state, only known keys and sane
    widths; None when it is not a header state of this version."""
    try:
        # The window's saved state (QSettings, a file of the config folder): bounded.
        data: Any = parse_json(bytes(state.data())[:SETTINGS_LIMIT].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):  # BadFile is a ValueError
        return None
    if not isinstance(data, dict) or data.get("version") != HEADER_STATE_VERSION:
        return None
    order_in, widths_in, hidden_in = data.get("order"), data.get("widths"), data.get("hidden")
    if not isinstance(order_in, list) or not isinstance(widths_in, dict):
        return None
    order = [k for k in dict.fromkeys(order_in) if isinstance(k, str) and k in _KNOWN_KEYS]
    if FROZEN_KEY in order:
        order.remove(FROZEN_KEY)
    order.insert(0, FROZEN_KEY)
    widths = {
        k: int(v)
        for k, v in widths_in.items()
        if k in _KNOWN_KEYS
        and isinstance(v, int)
        and not isinstance(v, bool)
        and MIN_COLUMN_WIDTH <= v <= MAX_SAVED_WIDTH
    }
    hidden = {
        k
        for k in (hidden_in if isinstance(hidden_in, list) else [])
        if isinstance(k, str) and k in _KNOWN_KEYS and k != FROZEN_KEY
    }
    return order, widths, hidden


class FrozenNameView(PeopleTableView):
    """The Name column drawn over the table's first column, so that it stays in place
    while the table scrolls sideways. Shares the model and the selection model; never
    takes the focus (the keys go to the table)."""

    def __init__(self, table: QTableView, model: CustomerTableModel, columns: CustomerColumns):
        super().__init__(table)
        self._table = table
        self._columns = columns
        self.setObjectName("customerNameColumn")
        self.setModel(model)
        self.setSelectionModel(table.selectionModel())
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        rows = self.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(table.verticalHeader().defaultSectionSize())
        self.setHorizontalHeader(CustomerHeaderView(self))
        header = self.horizontalHeader()
        header.setObjectName("customerHeader")
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        header.setSectionsMovable(False)
        header.setSectionsClickable(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._on_header_context_menu_requested)
        header.sectionClicked.connect(self._on_header_section_clicked)
        header.sectionResized.connect(self._on_header_section_resized)
        table.horizontalHeader().geometriesChanged.connect(self.update_geometry)
        # One vertical position for both views.
        self.verticalScrollBar().valueChanged.connect(table.verticalScrollBar().setValue)
        table.verticalScrollBar().valueChanged.connect(self.verticalScrollBar().setValue)
        model.modelReset.connect(self._on_model_reset)
        model.layoutChanged.connect(self.update_geometry)
        self.pressed.connect(self._on_pressed)
        table.viewport().stackUnder(self)
        self._on_model_reset()
        self.show()

    def _on_model_reset(self) -> None:
        name = COLUMN_INDEX[FROZEN_KEY]
        for column in range(self.model().columnCount()):
            self.setColumnHidden(column, column != name)
        self.update_geometry()

    def update_geometry(self) -> None:
        """Cover the table's Name column exactly (its width, the header's height)."""
        table = self._table
        name = COLUMN_INDEX[FROZEN_KEY]
        width = table.columnWidth(name)
        if self.columnWidth(name) != width:
            self.setColumnWidth(name, width)
        header_height = table.horizontalHeader().height()
        self.horizontalHeader().setFixedHeight(header_height)
        frame = table.frameWidth()
        self.setGeometry(
            frame + table.verticalHeader().width(),
            frame,
            width + 2 * self.frameWidth(),
            table.viewport().height() + header_height + 2 * self.frameWidth(),
        )
        self.verticalScrollBar().setValue(table.verticalScrollBar().value())

    def _on_header_section_resized(self, column: int, _old: int, new: int) -> None:
        # Name widened or narrowed from here: the table's column follows.
        if column == COLUMN_INDEX[FROZEN_KEY] and new and new != self._table.columnWidth(column):
            self._table.setColumnWidth(column, new)

    def _on_header_section_clicked(self, column: int) -> None:
        header = self._table.horizontalHeader()
        ascending = (
            header.sortIndicatorSection() != column
            or header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
        )
        self._table.sortByColumn(
            column, Qt.SortOrder.AscendingOrder if ascending else Qt.SortOrder.DescendingOrder
        )

    def _on_header_context_menu_requested(self, pos: QPoint) -> None:
        self._columns.column_menu().exec(self.horizontalHeader().mapToGlobal(pos))

    def _on_pressed(self, _index: QModelIndex) -> None:
        self._table.setFocus(Qt.FocusReason.MouseFocusReason)
