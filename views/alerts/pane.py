"""The alerts pane (left of the three panes): severity counts, filters, search and cards.

Loading goes through the job runner; filtering and searching are numpy masks over the
loaded columns (views.item_models.alert_list_model), fast enough for the UI thread.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QEvent, QModelIndex, QObject, QSettings, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from views.alerts.dialogs import ask_owner_name
from views.alerts.draft_targets import ALL_QUEUES, DraftTargets
from views.alerts.pane_state import PaneState
from views.alerts.persuadable import SORT_TIP, fetch_estimates, offer_persuadable
from views.alerts.source import ALERT_QUEUES, QUEUE_LABELS, SEVERITIES, SEVERITY_LABELS, AlertSource
from views.item_models.alert_list_data import SORTS, STATUS_FILTERS, AlertFilter, AlertListData
from views.item_models.alert_list_model import (
    AlertCardDelegate,
    AlertIdRole,
    AlertListModel,
    CustomerIdRole,
)
from views.item_models.alert_query import AlertQuery
from views.kit.accessibility import name, name_field
from views.kit.combo import ComboBox
from views.kit.flow import FlowLayout
from views.kit.geometry import FittedScrollArea
from views.kit.lists import PeopleTableView
from views.kit.theme import Theme

if TYPE_CHECKING:
    from views.kit.jobs import JobRunner, TaskState

# QSettings keys (UI state): the queue and the order the user chose last.
KEY_QUEUE = "alerts/queue"
KEY_SORT = "alerts/sort"
# The queue tabs, left to right: the three queues, then every alert.
QUEUE_TABS = (*ALERT_QUEUES, ALL_QUEUES)
QUEUE_TIPS = {
    "risk": "Customers you may lose: churn risk, gone quiet, bad experiences, late tickets",
    "growth": "Customers who could buy more: expansion opportunities",
    "pipeline": "Deals that stall",
    ALL_QUEUES: "Every alert, whatever its queue",
}
ANY_OWNER = "All owners"
ANY_SEGMENT = "All segments"

OwnerPrompt = Callable[[Sequence[str]], str | None]


class AlertsPane(DraftTargets, PaneState, QWidget):
    """Severity chips, filters, search and the alert cards, in priority order.

    Signals:
        alert_selected(alert_id, customer_id): the current alert changed.
        selection_cleared(): no alert is selected (the filters hide them all).
        alerts_loaded(count): a new list arrived and is shown.
        owner_chosen(name): the user said which owner they are (for "Mine").
        draft_all_requested(alert_ids, what): Draft for all… on these alerts (a tuple),
            described in words ("the 42 cards shown in the Risk queue").
        customer_requested(customer_id): open the card's customer in the Customers tab.
    """

    alert_selected = Signal(int, int)
    selection_cleared = Signal()
    alerts_loaded = Signal(int)
    owner_chosen = Signal(str)
    draft_all_requested = Signal(object, str)
    ticket_requested = Signal(int)  # a help-desk ticket for this alert (its card's menu)
    customer_requested = Signal(int)  # open this customer: Open customer, double click, Enter

    def __init__(
        self,
        jobs: JobRunner,
        parent: QWidget | None = None,
        *,
        ask_owner: OwnerPrompt | None = None,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self._settings = settings
        self._ask_owner = ask_owner or (lambda owners: ask_owner_name(self, owners))
        self._source: AlertSource | None = None
        self._current: int | None = None
        self._current_row = 0
        self._user_owner: str | None = None
        self._select_after_load: int | None = None
        # Alerts listed whatever the filters say, until the next reload or filter change.
        self._pinned: frozenset[int] = frozenset()
        self._loading = False
        self._failed = False

        title = self._build_title()
        self._build_queue_tabs(settings)
        chips = self._build_severity_chips()
        filters = self._build_filters(settings)
        self._build_search_box()
        self._build_list()
        self._build_held_back_note()
        self._build_message()
        self._build_query_note()
        self._build_draft_all()
        self._build_layout(title, chips, filters)
        self._on_model_counts_changed({s: 0 for s in SEVERITIES})
        self._refresh_state()

    # -- building -----------------------------------------------------------------------

    def _build_title(self) -> QLabel:
        """The pane's title (returned) and the count of cards beside it."""
        title = QLabel("Alerts", self)
        title.setObjectName("paneTitle")
        self.count_label = QLabel("", self)
        self.count_label.setObjectName("rowCount")
        return title

    def _build_queue_tabs(self, settings: QSettings | None) -> None:
        # The queues: risk, growth and pipeline each have their own list (and "All").
        self.queue_tabs = QTabBar(self)
        self.queue_tabs.setObjectName("queueTabs")
        self.queue_tabs.setDocumentMode(True)
        self.queue_tabs.setExpanding(False)
        self.queue_tabs.setDrawBase(False)
        self.queue_tabs.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        for key in QUEUE_TABS:
            index = self.queue_tabs.addTab(QUEUE_LABELS.get(key, "All"))
            self.queue_tabs.setTabData(index, key)
            self.queue_tabs.setTabToolTip(index, QUEUE_TIPS[key])
        saved_queue = str(settings.value(KEY_QUEUE, "risk")) if settings is not None else "risk"
        self.queue_tabs.setCurrentIndex(
            QUEUE_TABS.index(saved_queue) if saved_queue in QUEUE_TABS else 0
        )
        self.queue_tabs.currentChanged.connect(self._on_queue_tabs_current_changed)

    def _build_severity_chips(self) -> FlowLayout:
        """A checkable chip per severity; returns their row (it wraps: larger text)."""
        self.severity_buttons: dict[str, QPushButton] = {}
        chips = FlowLayout(spacing=6)
        for severity in SEVERITIES:
            button = QPushButton(self)
            button.setObjectName(f"severityChip_{severity}")
            button.setProperty("severity", severity)
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            button.setToolTip(
                f"Show only the cards whose most urgent alert is "
                f"{SEVERITY_LABELS[severity].lower()} (the number counts those cards)"
            )
            button.toggled.connect(self._on_filters_changed)
            self.severity_buttons[severity] = button
            chips.addWidget(button)
        return chips

    def _build_filters(self, settings: QSettings | None) -> FlowLayout:
        """The status, owner and segment filters, Mine, and the sort order; returns the
        filters' row, which wraps (the sort order goes beside the title)."""
        self.status_combo = ComboBox(self)
        self.status_combo.setObjectName("statusFilter")
        name(self.status_combo, "Status")
        for key, (label, _statuses) in STATUS_FILTERS.items():
            self.status_combo.addItem(label, key)
        self.owner_combo = ComboBox(self)
        self.owner_combo.setObjectName("ownerFilter")
        name(self.owner_combo, "Owner")
        self.owner_combo.addItem(ANY_OWNER, None)
        self.segment_combo = ComboBox(self)
        self.segment_combo.setObjectName("segmentFilter")
        name(self.segment_combo, "Segment")
        self.segment_combo.addItem(ANY_SEGMENT, None)
        self.mine_button = QPushButton(self)
        self.mine_button.setObjectName("mineFilter")
        self.mine_button.setText("Mine")
        self.mine_button.setCheckable(True)
        self.mine_button.setToolTip("Only your alerts")
        for combo in (self.status_combo, self.owner_combo, self.segment_combo):
            combo.currentIndexChanged.connect(self._on_filters_changed)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for combo in (self.owner_combo, self.segment_combo):  # as wide as "All …" says
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            metrics = combo.fontMetrics()  # Qt counts in X's: as many as the words take
            x = metrics.horizontalAdvance("X")
            combo.setMinimumContentsLength(-(-metrics.horizontalAdvance(combo.itemText(0)) // x))
        self.mine_button.toggled.connect(self._on_mine_button_toggled)
        self.sort_combo = ComboBox(self)
        self.sort_combo.setObjectName("sortOrder")
        name(self.sort_combo, "Sort cards by")
        self.sort_combo.setToolTip(SORT_TIP)
        for key, label in SORTS.items():
            self.sort_combo.addItem(label, key)
        saved_sort = str(settings.value(KEY_SORT, "urgency")) if settings is not None else "urgency"
        self.sort_combo.setCurrentIndex(max(self.sort_combo.findData(saved_sort), 0))
        self.sort_combo.currentIndexChanged.connect(self._on_sort_combo_current_index_changed)
        self.sort_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        filters = FlowLayout(spacing=6)
        filters.addWidget(self.status_combo)
        filters.addWidget(self.owner_combo)
        filters.addWidget(self.segment_combo)
        filters.addWidget(self.mine_button)
        return filters

    def _build_search_box(self) -> None:
        self.search_box = QLineEdit(self)
        self.search_box.setObjectName("alertSearch")
        self.search_box.setPlaceholderText("Search account, person, reason or owner")
        self.search_box.setClearButtonEnabled(True)
        name_field(self.search_box, "Search alerts")
        self.search_box.textChanged.connect(self._on_filters_changed)
        self.search_box.installEventFilter(self)

    def _build_list(self) -> None:
        """The model, the card delegate and the list of cards."""
        self.model = AlertListModel(self)
        self.model.counts_changed.connect(self._on_model_counts_changed)
        self.delegate = AlertCardDelegate(self)
        # A one-column table, not a QListView: with fixed row heights it never walks every
        # row to lay them out, so a filter over 100,000 alerts repaints in milliseconds.
        self.list = PeopleTableView(self)
        self.list.setObjectName("alertList")
        name(self.list, "Alert cards")
        self.list.setModel(self.model)
        self.list.setItemDelegate(self.delegate)
        # Ctrl- or Shift-click picks several cards for Draft for all; the detail pane and
        # every key act on the current card alone (the one it shows).
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setMouseTracking(True)
        self.list.setShowGrid(False)
        self.list.setWordWrap(False)
        self.list.setTabKeyNavigation(False)
        self.list.horizontalHeader().hide()
        self.list.horizontalHeader().setStretchLastSection(True)
        rows = self.list.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.delegate.card_height(self.list.font()))
        self.list.setMinimumHeight(2 * rows.defaultSectionSize())  # two cards, whatever
        # Cards take the view's width: never a horizontal scroll bar.
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.selectionModel().currentChanged.connect(self._on_list_current_changed)
        self.list.selectionModel().selectionChanged.connect(self._update_draft_button)
        self.list.installEventFilter(self)  # Home and End: the first and the last card
        self.list.doubleClicked.connect(self._on_list_double_clicked)

    def _build_held_back_note(self) -> None:
        # "N more held back by the daily cap": a link that lists them (and back).
        self.held_back_note = QLabel("", self)
        self.held_back_note.setObjectName("heldBackNote")
        self.held_back_note.setTextFormat(Qt.TextFormat.RichText)
        self.held_back_note.setWordWrap(True)
        self.held_back_note.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.held_back_note.linkActivated.connect(self._on_held_back_link)
        self.held_back_note.hide()

    def _build_message(self) -> None:
        """What shows in place of the list (loading, failed, nothing to show), and Retry."""
        self.message = QLabel("", self)
        self.message.setObjectName("emptyState")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.retry_button = QPushButton("Retry", self)
        self.retry_button.clicked.connect(self.reload)
        self.retry_button.hide()

    def _build_query_note(self) -> None:
        # What a dashboard figure opened ("Critical cards of alerts raised 8-30 days ago"), with a
        # link that goes back to the queue.
        self.query_note = QLabel("", self)
        self.query_note.setObjectName("queryNote")
        self.query_note.setTextFormat(Qt.TextFormat.RichText)
        self.query_note.setWordWrap(True)
        self.query_note.linkActivated.connect(self._on_query_note_link_activated)
        self.query_note.hide()
        self._age: tuple[int | None, int | None] = (None, None)

    def _build_draft_all(self) -> None:
        """Draft for all…: the button above the list, and the list's context menu."""
        self.draft_all_button = QPushButton("Draft for all…", self)
        self.draft_all_button.setObjectName("draftAll")
        self.draft_all_button.setToolTip(
            "One email per customer of the cards shown (or of the cards you picked with "
            "Ctrl- or Shift-click), drafted in the background, then reviewed one by one"
        )
        self.draft_all_button.clicked.connect(self._on_draft_all_button_clicked)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._on_list_context_menu_requested)

    def _build_layout(self, title: QLabel, chips: FlowLayout, filters: FlowLayout) -> None:
        """The pane's parts top to bottom; a row too narrow for its controls wraps."""
        top = FlowLayout(spacing=6)  # the count and the sort order at the right
        top.addWidget(title)
        top.add_right(self.count_label)
        top.add_right(self.sort_combo)
        # The queue tabs get the pane's whole width: all four fit in a 1366-wide window.
        sort_row = QHBoxLayout()
        sort_row.setSpacing(6)
        sort_row.addWidget(self.queue_tabs, 1)
        # What is above the cards scrolls when the pane is too short for it all (200 %
        # text on a laptop), so that no control is cut and the cards keep their room.
        self.controls = name(FittedScrollArea(self), "Alert filters")
        inside = QWidget(self.controls)
        self.controls.setWidget(inside)
        controls = QVBoxLayout(inside)
        controls.setContentsMargins(0, 0, 0, 0)
        controls.setSpacing(8)
        controls.addLayout(top)
        controls.addLayout(sort_row)
        controls.addWidget(self.query_note)
        controls.addLayout(chips)
        controls.addLayout(filters)
        controls.addWidget(self.search_box)
        # The daily cap's note, and Draft for all… for the cards below.
        above_list = QHBoxLayout()
        above_list.setSpacing(6)
        above_list.addWidget(self.held_back_note, 1)
        above_list.addWidget(self.draft_all_button, 0, Qt.AlignmentFlag.AlignRight)
        controls.addLayout(above_list)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 4, 6)
        layout.setSpacing(8)
        layout.addWidget(self.controls)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignHCenter)

    # -- loading ------------------------------------------------------------------------

    def set_source(self, source: AlertSource | None, *, owner_name: str | None = None) -> None:
        """Show the alerts of a workspace (None: nothing open).

        ``owner_name`` is the owner the "Mine" filter matches (the user's name as the
        workspace spells it); without one, "Mine" asks which owner the user is.
        """
        self._source = source
        self._current = None
        self._set_owner(owner_name)
        self.model.set_data(None)
        self._refresh_state()
        if source is not None:
            self.reload()

    def reload(self, *, select: int | None = None, keep: Sequence[int] = ()) -> None:
        """Load the alerts again (after scoring, an import or an action); ``select``: the
        alert whose card to select once loaded (else the current one stays); ``keep``:
        alerts listed whatever the filters say until the next reload or filter change (a
        card that changed under the user, shown in its new state)."""
        if self._source is None:
            return
        self._select_after_load = select
        pinned = frozenset(int(i) for i in keep)
        if pinned != self._pinned:
            self._pinned = pinned
            self._refilter()
        load = self._source.load_alert_columns

        def task(state: TaskState) -> AlertListData:
            data = AlertListData.of(load())
            state.raise_if_cancelled()
            data.prepare_search()
            return data

        self._loading = True
        self._failed = False
        self._refresh_state()
        (
            self._jobs.operation(task, parent=self, key=("alerts.list", id(self)))
            .success(self._on_alerts_loaded)
            .failure(self._on_alerts_load_failed)
            .run()
        )

    def _on_alerts_loaded(self, data: AlertListData) -> None:
        self._loading = False
        previous = self._current
        wanted, self._select_after_load = self._select_after_load, None
        if wanted is not None and data.contains(wanted):
            previous = wanted
            self._current = None  # selected anew: its customer and actions load again
        self._fill_combo(self.owner_combo, ANY_OWNER, data.values("owner"))
        self._fill_combo(self.segment_combo, ANY_SEGMENT, data.values("segment"))
        if offer_persuadable(self.sort_combo, data, self._settings, KEY_SORT):
            self.model.set_filter(self.current_filter())
        self.model.set_data(data)
        self._refresh_state()
        self._select(previous)
        self.alerts_loaded.emit(data.n)
        if self._source is not None:  # the estimates follow when not fitted yet
            changed = self.model.counts_changed  # the fit waits while the list is in use
            fetch_estimates(self._jobs, self, self._source, data, self._on_estimates, changed)

    def _on_estimates(self, data: AlertListData) -> None:
        if data is self.model.data_set and offer_persuadable(
            self.sort_combo, data, self._settings, KEY_SORT
        ):
            self.model.set_filter(self.current_filter())

    def _on_alerts_load_failed(self, error: BaseException) -> None:
        self._loading = False
        self._failed = True
        self._refresh_state()
        self._jobs.present_error(error)

    def _fill_combo(self, combo: QComboBox, any_label: str, values: list[str]) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(any_label, None)
        for value in values:
            combo.addItem(value, value)
        index = combo.findData(current) if current is not None else 0
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)

    # -- filters ------------------------------------------------------------------------

    def current_filter(self) -> AlertFilter:
        queue = str(self.queue_tabs.tabData(self.queue_tabs.currentIndex()) or "risk")
        return AlertFilter(
            severities=frozenset(s for s, b in self.severity_buttons.items() if b.isChecked()),
            status=str(self.status_combo.currentData() or "active"),
            owner=self.owner_combo.currentData(),
            segment=self.segment_combo.currentData(),
            mine_owner=self._user_owner if self.mine_button.isChecked() else None,
            search=self.search_box.text(),
            queue=None if queue == ALL_QUEUES else queue,
            min_age_days=self._age[0],
            max_age_days=self._age[1],
            sort=str(self.sort_combo.currentData() or "urgency"),
            pinned=self._pinned,
        )

    @property
    def queue(self) -> str:
        """The queue shown: risk, growth, pipeline or all."""
        return str(self.queue_tabs.tabData(self.queue_tabs.currentIndex()) or "risk")

    def set_queue(self, queue: str) -> None:
        """Show one queue's cards (risk, growth, pipeline, or all)."""
        if queue in QUEUE_TABS:
            self.queue_tabs.setCurrentIndex(QUEUE_TABS.index(queue))

    def _reset_filters(self, queue: str, status: str) -> None:
        """One queue and status, every other filter cleared, without a refilter per
        widget (the caller refilters once)."""
        widgets = (
            self.queue_tabs,
            self.status_combo,
            self.owner_combo,
            self.segment_combo,
            self.mine_button,
            self.search_box,
            *self.severity_buttons.values(),
        )
        for widget in widgets:
            widget.blockSignals(True)
        self.set_queue(queue)
        self.status_combo.setCurrentIndex(max(self.status_combo.findData(status), 0))
        self.owner_combo.setCurrentIndex(0)
        self.segment_combo.setCurrentIndex(0)
        self.mine_button.setChecked(False)
        self.search_box.clear()
        for button in self.severity_buttons.values():
            button.setChecked(False)
        for widget in widgets:
            widget.blockSignals(False)

    def apply_query(self, query: AlertQuery) -> None:
        """Show what a dashboard figure counts (views.item_models.alert_list_data.
        query_filter): every queue, the query's status and age, its severities on the
        chips (cards by their most urgent alert, as the figure counts them), the other
        filters cleared; the note above the list says what it is, with a way back."""
        self._reset_filters(ALL_QUEUES, query.status)
        self._age = (query.min_age_days, query.max_age_days)
        for severity, button in self.severity_buttons.items():
            button.blockSignals(True)
            button.setChecked(severity in query.severities)
            button.blockSignals(False)
        title = html.escape(query.title or "Alerts from the dashboard")
        self.query_note.setText(f'{title} · <a href="clear">Back to the risk queue</a>')
        self.query_note.show()
        self._on_filters_changed()

    def _on_query_note_link_activated(self, _href: str) -> None:
        self.clear_query()

    def clear_query(self) -> None:
        """Leave a dashboard's list: back to the risk queue, every filter cleared."""
        self._age = (None, None)
        self.query_note.hide()
        for button in self.severity_buttons.values():
            button.blockSignals(True)
            button.setChecked(False)
            button.blockSignals(False)
        self.queue_tabs.blockSignals(True)
        self.set_queue("risk")
        self.queue_tabs.blockSignals(False)
        self._on_filters_changed()

    def current_card_ids(self) -> tuple[int, ...]:
        """The alerts of the selected card, most urgent first (empty: none selected)."""
        index = self.list.currentIndex()
        if not index.isValid() or self._current is None:
            return ()
        return self.model.card_ids(index.row())

    def _on_queue_tabs_current_changed(self, _index: int) -> None:
        if self._settings is not None:
            self._settings.setValue(KEY_QUEUE, self.queue)
        # Another queue starts at its top card, not at the row the last one was on.
        self._current, self._current_row = None, 0
        self._on_filters_changed()

    def _on_sort_combo_current_index_changed(self, _index: int) -> None:
        if self._settings is not None:
            self._settings.setValue(KEY_SORT, str(self.sort_combo.currentData()))
        self._on_filters_changed()

    def set_owner_prompt(self, prompt: OwnerPrompt) -> None:
        """Who asks "which owner are you?" the first time Mine is used (app/ asks the
        user's identity, offering these owner names)."""
        self._ask_owner = prompt

    def set_owner_name(self, name: str | None) -> None:
        """The owner "Mine" matches from now on (the user said who they are)."""
        self._set_owner(name)
        if self.mine_button.isChecked():
            self._on_filters_changed()

    def _set_owner(self, name: str | None) -> None:
        self._user_owner = name
        self.mine_button.setToolTip(
            f"Only alerts owned by {name}" if name else "Only your alerts (asks who you are)"
        )

    def _on_mine_button_toggled(self, checked: bool) -> None:
        if checked and self._user_owner is None:
            data = self.model.data_set
            name = self._ask_owner(data.values("owner") if data is not None else [])
            if not name:
                self.mine_button.setChecked(False)  # toggles back: no filter
                return
            self._set_owner(name)
            self.owner_chosen.emit(name)
        self._on_filters_changed()

    def _on_filters_changed(self, *_args: object) -> None:
        self._pinned = frozenset()  # the user chose what to see
        self._refilter()

    def _refilter(self) -> None:
        keep = self._current
        self.model.set_filter(self.current_filter())
        self._refresh_state()
        self._select(keep)

    def _on_model_counts_changed(self, counts: dict[str, int]) -> None:
        for severity, button in self.severity_buttons.items():
            button.setText(f"{SEVERITY_LABELS[severity]} {counts.get(severity, 0):,}")
        queues = self.model.queue_counts()
        for index, key in enumerate(QUEUE_TABS):
            label = QUEUE_LABELS.get(key, "All")
            if key in queues:
                label = f"{label} {queues[key]:,}"
            self.queue_tabs.setTabText(index, label)

    # -- selection ----------------------------------------------------------------------

    @property
    def current_alert_id(self) -> int | None:
        return self._current

    def select_alert(self, alert_id: int) -> bool:
        """Make an alert current if the filters show it; True if they do."""
        return self._select(alert_id, fallback=False)

    def show_alert(self, alert_id: int) -> bool:
        """Make an alert current, changing the queue and clearing the filters that hide
        it (another screen opens it: My work, a composer); False if it is not loaded."""
        if self.select_alert(alert_id):
            return True
        data = self.model.data_set
        if data is None or not data.contains(alert_id):
            return False
        row = int(np.flatnonzero(data.columns["id"] == alert_id)[0])
        queue = str(data.columns["queue"][row])
        status = str(data.columns["status"][row])
        status_key = next(
            (key for key, (_label, kept) in STATUS_FILTERS.items() if kept == (status,)),
            "all",
        )
        if status in STATUS_FILTERS["active"][1]:
            status_key = "active"
        self._reset_filters(queue, status_key)
        self._age = (None, None)
        # Say that the list changed under the user, with the way back.
        shown = STATUS_FILTERS.get(status_key, STATUS_FILTERS["all"])[0].lower()
        self.query_note.setText(
            f"{html.escape(QUEUE_LABELS.get(queue, 'All'))} queue, {html.escape(shown)} "
            'alerts, to show the one you opened · <a href="clear">Back to the risk queue</a>'
        )
        self.query_note.show()
        self._on_filters_changed()
        return self.select_alert(alert_id)

    def _select(self, alert_id: int | None, *, fallback: bool = True) -> bool:
        row = self.model.row_of(alert_id) if alert_id is not None else -1
        if row < 0 and not fallback:
            return False
        if row < 0:
            # The alert left the list (resolved, snoozed, filtered): the card that took its
            # place, so the user can keep working down the list.
            count = self.model.rowCount()
            row = min(self._current_row, count - 1) if count else -1
        if row < 0:
            self.list.selectionModel().clearSelection()
            if self._current is not None:
                self._current = None
                self.selection_cleared.emit()
            return False
        index = self.model.index(row, 0)
        self._current_row = row
        self.list.setCurrentIndex(index)
        self.list.scrollTo(index)
        # setCurrentIndex does not signal when the row is already current (a reload).
        alert = int(index.data(AlertIdRole))
        if alert != self._current:
            self._on_list_current_changed(index, QModelIndex())
        return True

    def _on_list_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        alert = int(current.data(AlertIdRole))
        customer = int(current.data(CustomerIdRole))
        self._current_row = current.row()
        if alert == self._current:
            return
        self._current = alert
        self.alert_selected.emit(alert, customer)

    def focus_list(self) -> None:
        self.list.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_search(self) -> None:
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress:
            return super().eventFilter(watched, event)
        assert isinstance(event, QKeyEvent)
        key = event.key()
        # Down or Enter in the search box moves into the list: keyboard first.
        if watched is self.search_box and key in (
            Qt.Key.Key_Down,
            Qt.Key.Key_Return,
            Qt.Key.Key_Enter,
        ):
            self.focus_list()
            return True
        if self._open_on_enter(watched, event):
            return True
        # Home and End in the list: the first and the last card.
        plain = event.modifiers() == Qt.KeyboardModifier.NoModifier
        if watched is self.list and plain and key in (Qt.Key.Key_Home, Qt.Key.Key_End):
            count = self.model.rowCount()
            if count:
                self._current_row = 0 if key == Qt.Key.Key_Home else count - 1
                self._select(None)
            return True
        return super().eventFilter(watched, event)

    def set_theme(self, theme: Theme) -> None:
        self.delegate.set_theme(theme)
        self.list.viewport().update()
