"""The customers pane: saved views, filters and a search box over a sortable table of
every customer (columns in views/customers/columns.py, filters in filter_bar.py, saved
views in saved_views.py)."""

from __future__ import annotations

import html
import logging
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QItemSelectionModel,
    QMargins,
    QModelIndex,
    QObject,
    QSettings,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from views.customers.columns import CustomerColumns, CustomerTableView
from views.customers.filter_bar import CustomerFilterBar
from views.customers.saved_views import ConfirmPrompt, NamePrompt, SavedView, ViewsBar
from views.customers.source import CustomerSource
from views.customers.table_loads import (
    DEFAULT_SORT,
    SCORED_DEFAULT_SORT,
    head_task,
    whole_table_task,
)
from views.item_models.customer_filters import CustomerFilter
from views.item_models.customer_table_data import (
    ALL_COLUMNS,
    COLUMN_INDEX,
    CustomerTableData,
)
from views.item_models.customer_table_model import CustomerTableModel
from views.kit.accessibility import name, name_field
from views.kit.flow import FlowLayout
from views.kit.theme import Theme

if TYPE_CHECKING:
    from services.core.records import CustomerDetail
    from views.kit.jobs import JobRunner

log = logging.getLogger(__name__)

PREPARE_DELAY_MS = 600
READING_HINT = (
    "Reading all {count:,} customers… Sorting, search and filters apply once they are all read."
)
NO_CUSTOMERS_MESSAGE = (
    "This workspace has no customers yet.\n"
    "Import your customers (File ▸ Import…, Ctrl+I): a CRM or shop export, or a CSV."
)
NOT_SCORED_HINT = (
    'Not scored yet — <a href="score">Score now</a> (Ctrl+R) to see churn risk, '
    "revenue at risk, health and segments."
)


class CustomersPane(QWidget):
    """Saved views, filters, search box, row count and the customers table.

    ``apply_filter(CustomerFilter)`` is how other screens (the dashboard's figures) open
    a list of customers.

    Signals:
        customer_selected(customer_id): the current customer changed.
        selection_cleared(): no customer is selected any more (a search matched nothing).
        table_loaded(row_count): a new table arrived and is shown.
        table_settled(): a load of the table ended, shown or failed (start-up waits for it
            before the other screens read their data).
        score_requested(): the user clicked "Score now" in the not-scored hint.
    """

    customer_selected = Signal(int)
    selection_cleared = Signal()
    table_loaded = Signal(int)
    table_settled = Signal()
    score_requested = Signal()

    def __init__(  # noqa: PLR0915
        self,
        jobs: JobRunner,
        parent: QWidget | None = None,
        *,
        settings: QSettings | None = None,
        ask_view_name: NamePrompt | None = None,
        confirm: ConfirmPrompt | None = None,
    ) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self._source: CustomerSource | None = None
        self._current_id: int | None = None
        # The customer to bring back when a search that hid them is cleared.
        self._remembered_id: int | None = None
        self._loading = False
        self._owner_reread: tuple[int, str] | None = None  # see follow_detail
        self._load_failed = False
        # Setting the controls from a view or a filter (their own signals stay quiet).
        self._applying = False
        # Select the first row once the waiting sort or search is applied (apply_filter).
        self._select_first = False
        # A sort a view or filter asked for before the table had that column.
        self._wanted_sort: tuple[str, bool] | None = None
        # Which load a first screenful belongs to (a later load's makes it stale).
        self._head_generation = 0

        self.search_box = QLineEdit(self)
        self.search_box.setObjectName("searchBox")
        self.search_box.setPlaceholderText("Search name, person, email, owner or id   (Ctrl+F)")
        self.search_box.setClearButtonEnabled(True)
        name_field(self.search_box, "Search customers")
        self.search_box.textChanged.connect(self._on_search_box_text_changed)
        self.search_box.installEventFilter(self)
        self.count_label = QLabel("", self)
        self.count_label.setObjectName("rowCount")

        self.model = CustomerTableModel(self)
        self.model.preparation_needed.connect(self._on_model_preparation_needed)
        self._waiting_since: float | None = None
        self.table = CustomerTableView(self)
        self.table.setObjectName("customerTable")
        name(self.table, "Customers")
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
        # The indicator first: enabling sorting sorts by it (most valuable customers first).
        header.setSortIndicator(*DEFAULT_SORT)
        self.table.setSortingEnabled(True)
        self.table.selectionModel().currentRowChanged.connect(
            self._on_selection_current_row_changed
        )
        # Order, widths and visibility by column key; Name frozen at the left.
        self.columns = CustomerColumns(self.table, self.model, self._table_width_available)
        self.table.frozen = self.columns.frozen

        self.filter_bar = CustomerFilterBar(self)
        self.filter_bar.filter_changed.connect(self._on_filter_bar_filter_changed)
        self.views_bar = ViewsBar(self, settings, self.current_view, ask_name=ask_view_name,
                                  confirm=confirm, report=jobs.present_error)  # fmt: skip
        self.views_bar.view_chosen.connect(self._on_views_bar_view_chosen)
        # What a filter from elsewhere (a dashboard figure) lists, in words.
        self.filter_title = QLabel("", self)
        self.filter_title.setObjectName("filterTitle")
        self.filter_title.setWordWrap(True)
        self.filter_title.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.filter_title.linkActivated.connect(self._on_filter_title_link_activated)
        self.filter_title.hide()

        # Shown instead of the table: loading, nothing to show, no match, a failed load.
        self.message_panel = QWidget(self)
        self.empty_label = QLabel("", self.message_panel)
        self.empty_label.setObjectName("emptyState")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.retry_button = QPushButton("Retry", self.message_panel)
        self.retry_button.clicked.connect(self._on_retry_button_clicked)
        self.retry_button.hide()
        panel_layout = QVBoxLayout(self.message_panel)
        panel_layout.addStretch(1)
        panel_layout.addWidget(self.empty_label)
        panel_layout.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignHCenter)
        panel_layout.addStretch(1)
        self.message_panel.hide()

        # Until the workspace is scored the score columns are not in the table: say so,
        # with the way to get them.
        self.score_hint = QLabel(NOT_SCORED_HINT, self)
        self.score_hint.setObjectName("scoreHint")
        self.score_hint.setWordWrap(True)
        self.score_hint.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.score_hint.linkActivated.connect(self._on_score_hint_link_activated)
        self.score_hint.hide()
        # While a big table's first screenful shows: why sorts, searches and filters wait.
        self.reading_hint = QLabel("", self)
        self.reading_hint.setObjectName("readingHint")
        self.reading_hint.setWordWrap(True)
        self.reading_hint.hide()

        title = QLabel("Customers", self)
        title.setObjectName("paneTitle")
        top = QHBoxLayout()
        top.setSpacing(10)
        top.addWidget(title)
        top.addWidget(self.search_box, 1)
        top.addWidget(self.count_label)
        filters = FlowLayout(spacing=6)
        filters.addWidget(self.views_bar.combo)
        filters.addWidget(self.views_bar.button)
        for control in self.filter_bar.controls:
            filters.addWidget(control)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 4, 6)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.filter_title)
        layout.addWidget(self.score_hint)
        layout.addWidget(self.reading_hint)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message_panel, 1)

    # -- loading ------------------------------------------------------------------------

    def set_source(self, source: CustomerSource | None) -> None:
        """Show the customers of a workspace (None: nothing open)."""
        self._source = source
        self._current_id = None
        self._remembered_id = None
        self._load_failed = False
        # Another workspace: its own owners and segments, so no filter carried over.
        self.filter_bar.set_filter(CustomerFilter())
        self.model.set_filter(CustomerFilter())
        self._set_title("")
        self.model.set_table(CustomerTableData.empty())
        self._update_count()
        self.views_bar.set_team_store(source)  # the workspace's team filters, if any
        if source is None:
            self._refresh_state()
            return
        self.reload()

    def reload(self) -> None:
        """Load the table again (after an import or a rebuild)."""
        if self._source is None:
            return
        sort = (self.model.sort_column, self.model.sort_order)
        self._loading = True
        self._load_failed = False
        self._refresh_state()
        self._head_generation += 1
        generation, source = self._head_generation, self._source

        def headed(data: CustomerTableData | None) -> None:
            if generation != self._head_generation or source is not self._source:
                return  # a later load's turn, or another workspace's
            if data is not None:
                self._on_table_loaded(data)
            # On the database worker even when it only waits for the preload: at a million
            # customers the first customer's usage read (10 s of CPU, the whole workspace's
            # features) would otherwise run beside the rest of the table and hold it back.
            self._load_whole(sort)

        def failed(error: BaseException) -> None:
            log.warning("No first screenful of customers", exc_info=error)
            headed(None)

        # A big table's first screenful (the source has one only at start-up), then the
        # whole table.
        task = head_task(self._source.load_customer_head)
        op = self._jobs.operation(task, parent=self, key=("customers.head", id(self)))
        op.success(headed).failure(failed).run()

    def _load_whole(self, sort: tuple[int, Qt.SortOrder]) -> None:
        assert self._source is not None
        task = whole_table_task(self._source.load_customer_columns, sort)
        (
            self._jobs.operation(task, parent=self, key=("customers.table", id(self)))
            .success(self._on_table_loaded)
            .failure(self._on_table_load_failed)
            .finished(self._on_table_load_finished)
            .run()
        )

    def _on_table_loaded(self, data: CustomerTableData) -> None:
        previous = self._current_id if self._current_id is not None else self._remembered_id
        if self._select_first:
            previous, self._select_first = None, False
        self._loading = not data.complete  # a first screenful: the rest is on its way
        newly_scored = data.scored and not self.model.scored
        completes = self.model.table.size > 0 and not self.model.table.complete
        current = (self.model.sort_column, self.model.sort_order)
        sort = SCORED_DEFAULT_SORT if newly_scored and current == DEFAULT_SORT else None
        # The first scored table opens on the money at stake, sorted on the worker already.
        self.model.set_table(data, sort)
        if sort is not None:
            self.table.horizontalHeader().setSortIndicator(*sort)  # only the arrow moves
        self.filter_bar.set_choices(data.choices("segment"), data.choices("owner"))
        self._offer_filters(data)
        self.columns.arrange()
        if self._wanted_sort is not None:
            self._sort_by(*self._wanted_sort)
        self._update_count()
        self._refresh_state()
        if completes and self.model.pending:
            # Sorts, searches and filters asked for while the first screenful showed.
            self._on_keys_prepared(data)
        elif data.size and not (completes and self._current_id is not None):
            self._select_customer(previous)
        if data.size and data.complete:
            # The search index and text sort keys take a moment on big tables: build them
            # on a worker so the first search or sort by name is fast, but only once the
            # first screen is drawn: a busy Python thread slows every paint (one GIL).
            QTimer.singleShot(PREPARE_DELAY_MS, self, lambda: self._prepare(data))
        self.table_loaded.emit(data.size)

    def _offer_filters(self, data: CustomerTableData) -> None:
        """The filters and saved views apply to every customer: offered once all are read
        (a first screenful's table says why they wait)."""
        for control in (*self.filter_bar.controls, self.views_bar.combo, self.views_bar.button):
            control.setEnabled(data.complete)
        if data.complete:
            self.filter_bar.set_scored(data.scored)

    def _prepare(self, data: CustomerTableData) -> None:
        if data is not self.model.table or self._jobs.closed or data.prepared:
            return  # replaced by a newer table meanwhile, or done already
        if not data.complete:
            return  # a first screenful: the whole table is prepared when it comes
        self._jobs.operation(
            lambda _state: data.prepare(),
            parent=self,
            pool="work",
            key=("customers.prepare", id(self)),
        ).success(lambda _none: self._on_keys_prepared(data)).run()

    def _on_model_preparation_needed(self) -> None:
        """A sort or search waits for its keys: prepare just those now, on a worker."""
        data = self.model.table
        keys, search = self.model.pending_keys()
        # A first screenful: whatever waits, the whole table's load applies it.
        waiting = bool(keys or search) if data.complete else self.model.pending
        if self._jobs.closed or not waiting:
            return
        if self._waiting_since is None:
            self._waiting_since = time.monotonic()
            self.table.viewport().setCursor(Qt.CursorShape.BusyCursor)
        filtering = self.model.pending_filter
        self.count_label.setText(
            "Searching…" if search else "Filtering…" if filtering else "Sorting…"
        )
        if not data.complete:
            return  # _on_table_loaded applies it with the whole table
        self._jobs.operation(
            lambda _state: data.prepare_for(keys, search),
            parent=self,
            pool="work",
            key=("customers.prepare_now", id(self)),
        ).success(lambda _none: self._on_keys_prepared(data)).run()

    def _on_keys_prepared(self, data: CustomerTableData) -> None:
        if data is not self.model.table:
            return
        if not self.model.pending:
            if self._waiting_since is not None:
                # Applied meanwhile (Qt asked for the same sort twice and the worker had
                # ranked the column by the second): the count stops saying "Sorting…".
                self._waiting_since = None
                self.table.viewport().unsetCursor()
                self._update_count()
            return
        keys, search = self.model.pending_keys()
        if keys or search:
            # Asked for more meanwhile (say, a sort while the index was being built).
            self._on_model_preparation_needed()
            return
        keep = self._current_id if self._current_id is not None else self._remembered_id
        if self._select_first:
            keep, self._select_first = None, False
        self.model.apply_pending()
        self._waiting_since = None
        self.table.viewport().unsetCursor()
        self._update_count()
        self._refresh_state()
        self._select_customer(keep)
        self.views_bar.sync()

    def _on_table_load_failed(self, error: BaseException) -> None:
        # The presenter says what went wrong; the pane must not keep saying "Loading…".
        self._loading = False
        self._load_failed = True
        self._refresh_state()
        self._jobs.present_error(error)

    def _on_retry_button_clicked(self) -> None:
        self.reload()

    def _on_score_hint_link_activated(self, _link: str) -> None:
        self.score_requested.emit()

    def _on_table_load_finished(self) -> None:
        self._loading = False
        self._refresh_state()
        self.table_settled.emit()

    @property
    def loading(self) -> bool:
        return self._loading

    @property
    def reading_rest(self) -> bool:
        """The table shows its first screenful while the rest is read (a million rows)."""
        table = self.model.table
        return table.size > 0 and not table.complete

    # -- search & selection -------------------------------------------------------------

    def focus_search(self) -> None:
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    def set_search_text(self, text: str) -> None:
        self.search_box.setText(text)

    def _on_search_box_text_changed(self, text: str) -> None:
        self.model.set_search(text)
        if not self._applying:
            self._after_change()

    def _after_change(self, *, select_first: bool = False) -> None:
        """The rows changed (search, filter, view): recount, and select the customer
        shown before if still listed (else the first row)."""
        if self.model.pending or self._loading:
            # Applied with the prepared keys (_on_keys_prepared) or the table on its way.
            self._select_first = self._select_first or select_first
            return
        keep = self._current_id if self._current_id is not None else self._remembered_id
        self._update_count()
        self._refresh_state()
        self._select_customer(None if select_first else keep)
        self.views_bar.sync()

    # -- filters and views ----------------------------------------------------------------

    def apply_filter(self, f: CustomerFilter) -> None:
        """List the customers the filter keeps: the filter controls show it, its title
        (if any) shows above the table with a link back to all customers, the search is
        cleared, the table is sorted by ``f.sort_by`` biggest first (when given) and the
        first row is selected."""
        sort = (f.sort_by, True) if f.sort_by else None
        self._apply_state(f, "", sort, f.title)

    def current_filter(self) -> CustomerFilter:
        """The conditions in force (without title or sort)."""
        return self.model.filter

    def current_view(self) -> SavedView:
        """What the table shows now, as an unnamed view."""
        column = self.model.sort_column
        key = ALL_COLUMNS[column].key if 0 <= column < len(self.model.shown_columns) else None
        return SavedView(
            name="",
            filter=self.model.filter,
            search=self.search_box.text().strip(),
            sort_key=key,
            descending=self.model.sort_order == Qt.SortOrder.DescendingOrder,
        )

    def follow_detail(self, detail: CustomerDetail) -> None:
        """The customer as the detail pane read it anew: the table follows its
        do-not-contact mark at once, and a new owner (Assign…, an undo) by reading the
        table again (the owner is also in the search, the sort and the filter menus)."""
        self.set_do_not_contact_mark(detail.id, detail.do_not_contact)
        data = self.model.table
        pos = data.row_of_id(detail.id)
        if pos is None or self._loading:
            return
        listed, owner = data.columns["owner"][pos] or "", detail.owner or ""
        # Once per new owner: a table that still differs is never read in a loop.
        if listed != owner and self._owner_reread != (detail.id, owner):
            self._owner_reread = (detail.id, owner)
            self.reload()

    def set_do_not_contact_mark(self, customer_id: int, value: bool) -> None:
        """A customer's do-not-contact mark changed elsewhere in the window: the loaded
        table follows (a filter on the mark applies at once, without a reload)."""
        data = self.model.table
        pos = data.row_of_id(customer_id)
        if pos is None or bool(data.do_not_contact[pos]) == value:
            return
        data.do_not_contact[pos] = value
        if self.model.filter.do_not_contact is not None:
            self.model.refilter()
            self._after_change()

    def _apply_state(
        self, f: CustomerFilter, search: str, sort: tuple[str, bool] | None, title: str
    ) -> None:
        self._applying = True
        try:
            self.filter_bar.set_filter(f)
            self.model.set_filter(f)
            if self.search_box.text() != search:
                self.search_box.setText(search)
        finally:
            self._applying = False
        self._set_title(title)
        if sort is not None:
            self._sort_by(*sort)
        self._after_change(select_first=True)

    def _sort_by(self, key: str, descending: bool) -> None:
        keys = [c.key for c in self.model.shown_columns]
        if key not in keys:
            # Not loaded yet (or not scored yet): sorted when a table has the column.
            self._wanted_sort = (key, descending) if key in COLUMN_INDEX else None
            return
        self._wanted_sort = None
        order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        self.table.sortByColumn(keys.index(key), order)

    def _set_title(self, title: str) -> None:
        if title:
            self.filter_title.setText(
                f"<b>{html.escape(title)}</b> &nbsp;·&nbsp; "
                '<a href="clear">Clear (all customers)</a>'
            )
        self.filter_title.setVisible(bool(title))

    def _on_filter_title_link_activated(self, _link: str) -> None:
        self._apply_state(CustomerFilter(), "", None, "")

    def _on_filter_bar_filter_changed(self, f: CustomerFilter) -> None:
        # The user's own filter: the title described the one before.
        self._set_title("")
        self.model.set_filter(f)
        self._after_change()

    def _on_views_bar_view_chosen(self, view: SavedView | None) -> None:
        if view is None:
            self._apply_state(CustomerFilter(), "", None, "")
            return
        sort = (view.sort_key, view.descending) if view.sort_key else None
        self._apply_state(view.filter, view.search, sort, "")

    def _select_customer(self, customer_id: int | None) -> None:
        """Select a customer if visible, else the first row (so the detail follows)."""
        row = self.model.row_of_customer(customer_id) if customer_id is not None else None
        if row is None:
            row = 0 if self.model.rowCount() else None
        if row is None:
            self.table.selectionModel().clearSelection()
            if self._current_id is not None:
                # Nothing visible to show: the detail must not keep a customer who is
                # not in the list next to "0 of N".
                self._remembered_id = self._current_id
                self._current_id = None
                self.selection_cleared.emit()
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
            self._remembered_id = None
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
        """The columns' order, widths and visibility, by key (JSON)."""
        return self.columns.state()

    def restore_header_state(self, state: QByteArray) -> None:
        """Restore a header_state(); anything else (an older Qt header state, a damaged
        value) leaves the default layout."""
        if not state.isEmpty():
            self.columns.restore(state)

    def _table_width_available(self) -> int:
        """The table's viewport width in the pane's current size (the table may be
        hidden behind "Loading…", so computed from the pane)."""
        layout = self.layout()
        margins = layout.contentsMargins() if layout is not None else QMargins()
        frame = 2 * self.table.frameWidth()
        scrollbar = self.table.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        return self.width() - margins.left() - margins.right() - frame - scrollbar - 2

    def set_theme(self, theme: Theme) -> None:
        self.model.set_tone_colors(
            theme.color("critical"), theme.color("warning"), theme.color("muted")
        )

    def _update_count(self) -> None:
        if self.model.pending:
            return  # still says "Sorting…" / "Searching…"
        shown, total = self.model.rowCount(), self.model.total_count
        if total == 0:
            self.count_label.setText("")
        elif shown == total and self.model.filter.is_empty and not self.model.query:
            self.count_label.setText(f"{total:,} customers")
        else:
            self.count_label.setText(f"{shown:,} of {total:,} customers")

    def _refresh_state(self) -> None:
        """Show the table, or say why there is nothing in it."""
        retry = False
        if self.model.rowCount():
            message = ""
        elif self._source is None:
            message = "No workspace is open."
        elif self.model.total_count and self.model.query:
            message = f"No customers match “{self.model.query}”."
            if not self.model.filter.is_empty:
                message = f"No customers match “{self.model.query}” with these filters."
        elif self.model.total_count:
            message = "No customers match these filters."
        elif self._loading:
            message = "Loading customers…"
        elif self._load_failed:
            message = "Could not load the customers."
            retry = True
        else:
            message = NO_CUSTOMERS_MESSAGE
        self.empty_label.setText(message)
        self.retry_button.setVisible(retry)
        self.message_panel.setVisible(bool(message))
        self.table.setVisible(not message)
        reading = not self.model.table.complete
        if reading:
            self.reading_hint.setText(READING_HINT.format(count=self.model.total_count))
        self.reading_hint.setVisible(reading)
        self.score_hint.setVisible(
            self._source is not None
            and not self._loading
            and self.model.total_count > 0
            and not self.model.scored
        )

    @property
    def message(self) -> str:
        """What the pane says instead of showing the table ("" while the table shows)."""
        return self.empty_label.text() if self.message_panel.isVisibleTo(self) else ""
