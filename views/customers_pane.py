"""The customers pane: a search box over a sortable table of every customer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFont, QFontMetrics, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from views.item_models.customer_table_model import (
    COLUMN_INDEX,
    COLUMNS,
    CustomerTableData,
    CustomerTableModel,
)
from views.source import CustomerSource
from views.theme import Theme

if TYPE_CHECKING:
    from app.jobs import JobRunner, TaskState

# Column widths are fitted to the first rows once (unless the user's own widths were
# restored), within these bounds in pixels.
MIN_COLUMN_WIDTH = 56
MAX_COLUMN_WIDTH = 230
FIT_SAMPLE_ROWS = 60
# Item padding from the style sheet (2 x 6 px), the style's text margins and some air.
CELL_SLACK = 28
PREPARE_DELAY_MS = 600


class CustomersPane(QWidget):
    """Search box, row count and the customers table.

    Signals:
        customer_selected(customer_id): the current customer changed.
        table_loaded(row_count): a new table arrived and is shown.
    """

    customer_selected = Signal(int)
    table_loaded = Signal(int)

    def __init__(self, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self._source: CustomerSource | None = None
        self._current_id: int | None = None
        self._loading = False

        self.search_box = QLineEdit(self)
        self.search_box.setObjectName("searchBox")
        self.search_box.setPlaceholderText("Search name, email, company or owner   (Ctrl+F)")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.textChanged.connect(self._on_search_box_text_changed)
        self.search_box.installEventFilter(self)
        self.count_label = QLabel("", self)
        self.count_label.setObjectName("rowCount")

        self.model = CustomerTableModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("customerTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vheader = self.table.verticalHeader()
        vheader.hide()
        # Fixed row heights: the view never measures 100,000 rows.
        vheader.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vheader.setDefaultSectionSize(self.fontMetrics().height() + 12)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionsMovable(True)
        header.setStretchLastSection(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self._widths_fitted = False
        # The indicator first: enabling sorting sorts by it (most valuable customers first).
        header.setSortIndicator(COLUMN_INDEX["revenue"], Qt.SortOrder.DescendingOrder)
        self.table.setSortingEnabled(True)
        self.table.selectionModel().currentRowChanged.connect(
            self._on_selection_current_row_changed
        )

        self.empty_label = QLabel("", self)
        self.empty_label.setObjectName("emptyState")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.hide()

        title = QLabel("Customers", self)
        title.setObjectName("paneTitle")
        top = QHBoxLayout()
        top.setSpacing(10)
        top.addWidget(title)
        top.addWidget(self.search_box, 1)
        top.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 4, 6)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label, 1)

    # -- loading ------------------------------------------------------------------------

    def set_source(self, source: CustomerSource | None) -> None:
        """Show the customers of a workspace (None: nothing open)."""
        self._source = source
        self._current_id = None
        self.model.set_table(CustomerTableData.empty())
        self._update_count()
        if source is None:
            self._show_empty("No workspace is open.")
            return
        self.reload()

    def reload(self) -> None:
        """Load the table again (after an import or a rebuild)."""
        if self._source is None:
            return
        load = self._source.load_customer_columns
        sort_column, sort_order = self.model.sort_column, self.model.sort_order

        def task(state: TaskState) -> CustomerTableData:
            data = CustomerTableData(load())
            state.raise_if_cancelled()
            if sort_column >= 0:
                # Sorted here, off the UI thread, in the order the table shows.
                data.permutation(
                    COLUMNS[sort_column].key, sort_order == Qt.SortOrder.DescendingOrder
                )
            return data

        self._loading = True
        self._show_empty("Loading customers…")
        (
            self._jobs.operation(task, parent=self, key=("customers.table", id(self)))
            .success(self._on_table_loaded)
            .finished(self._on_table_load_finished)
            .run()
        )

    def _on_table_loaded(self, data: CustomerTableData) -> None:
        previous = self._current_id
        self.model.set_table(data)
        self._update_count()
        if data.size == 0:
            self._show_empty(
                "This workspace has no customers yet.\n"
                "Import your CRM or shop exports, or use File ▸ New demo workspace…"
            )
        else:
            self.empty_label.hide()
            self.table.show()
            if not self._widths_fitted:
                self._fit_column_widths()
            self._select_customer(previous)
            # The search index and text sort keys take a moment on big tables: build them
            # on a worker so the first search or sort by name is fast, but only once the
            # first screen is drawn: a busy Python thread slows every paint (one GIL).
            QTimer.singleShot(PREPARE_DELAY_MS, self, lambda: self._prepare(data))
        self.table_loaded.emit(data.size)

    def _prepare(self, data: CustomerTableData) -> None:
        if data is not self.model.table or self._jobs.closed:
            return  # replaced by a newer table meanwhile
        self._jobs.operation(
            lambda _state: data.prepare(),
            parent=self,
            pool="work",
            key=("customers.prepare", id(self)),
        ).run()

    def _on_table_load_finished(self) -> None:
        self._loading = False

    @property
    def loading(self) -> bool:
        return self._loading

    # -- search & selection -------------------------------------------------------------

    def focus_search(self) -> None:
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    def set_search_text(self, text: str) -> None:
        self.search_box.setText(text)

    def _on_search_box_text_changed(self, text: str) -> None:
        keep = self._current_id
        self.model.set_search(text)
        self._update_count()
        self._select_customer(keep)

    def _select_customer(self, customer_id: int | None) -> None:
        """Select a customer if visible, else the first row (so the detail follows)."""
        row = self.model.row_of_customer(customer_id) if customer_id is not None else None
        if row is None:
            row = 0 if self.model.rowCount() else None
        if row is None:
            self.table.selectionModel().clearSelection()
            return
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)

    def select_customer(self, customer_id: int) -> bool:
        """Select a customer by id; False when it is not among the visible rows."""
        if self.model.row_of_customer(customer_id) is None:
            return False
        self._select_customer(customer_id)
        return True

    def current_customer_id(self) -> int | None:
        return self._current_id

    def _on_selection_current_row_changed(
        self, current: QModelIndex, _previous: QModelIndex
    ) -> None:
        customer_id = self.model.customer_id(current.row()) if current.isValid() else None
        if customer_id is not None and customer_id != self._current_id:
            self._current_id = customer_id
            self.customer_selected.emit(customer_id)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Down arrow in the search box moves into the results: keyboard first.
        if (
            watched is self.search_box
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Down
            and self.model.rowCount()
        ):
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)
            return True
        return super().eventFilter(watched, event)

    # -- state --------------------------------------------------------------------------

    def header_state(self) -> QByteArray:
        return self.table.horizontalHeader().saveState()

    def restore_header_state(self, state: QByteArray) -> None:
        if not state.isEmpty() and self.table.horizontalHeader().restoreState(state):
            self._widths_fitted = True  # the user's own widths win

    def _fit_column_widths(self) -> None:
        # Measured here rather than with resizeColumnsToContents(), whose header size
        # hints reserve room for a sort arrow in every column and come out too wide;
        # and from the model's arrays, not through index()/data() (slow from Python).
        cell = QFontMetrics(self.table.font())
        bold = QFont(self.table.font())
        bold.setWeight(QFont.Weight.DemiBold)
        head = QFontMetrics(bold)
        header = self.table.horizontalHeader()
        for column, col in enumerate(COLUMNS):
            texts = self.model.sample_texts(column, FIT_SAMPLE_ROWS)
            width = max(
                [head.horizontalAdvance(col.title)]
                + [cell.horizontalAdvance(t) for t in texts if t]
            )
            width = max(MIN_COLUMN_WIDTH, min(width + CELL_SLACK, MAX_COLUMN_WIDTH))
            header.resizeSection(column, width)
        self._widths_fitted = True

    def set_theme(self, theme: Theme) -> None:
        self.model.set_tone_colors(theme.color("critical"), theme.color("warning"))

    def _update_count(self) -> None:
        shown, total = self.model.rowCount(), self.model.total_count
        if total == 0:
            self.count_label.setText("")
        elif shown == total:
            self.count_label.setText(f"{total:,} customers")
        else:
            self.count_label.setText(f"{shown:,} of {total:,}")

    def _show_empty(self, message: str) -> None:
        if self.model.rowCount():
            return
        self.empty_label.setText(message)
        self.empty_label.show()
        self.table.hide()
