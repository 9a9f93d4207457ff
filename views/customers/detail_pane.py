"""The customer detail pane: who the customer is (with their lifecycle stage), the score
tiles and drivers (once scored), four KPI tiles, the renewal card (renewal_card.py, with
contracts), product usage (usage_section.py, when the workspace has any), the orders
chart, the timeline (a conversation opens in its window: conversation_actions.py), the
score history and open opportunities.
The chart module pulls in pyqtgraph, which costs a few hundred milliseconds to import;
it is created with the first customer shown, after the table is on screen.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from services.core.formatting import format_date
from services.core.records import (
    CustomerDetail,
    CustomerNotFoundError,
    CustomerScores,
    ScoreHistoryPoint,
)
from views.customers.assign_owner import OwnerAssignment
from views.customers.contact_marks import ContactMarks, ReasonPrompt
from views.customers.conversation_actions import ConversationOpener
from views.customers.detail_tiles import KpiTiles, show_kpi_tiles
from views.customers.people_actions import PeopleActions, opportunity_view
from views.customers.renewal_card import RenewalCardSection
from views.customers.review_pack import ReviewPackAction
from views.customers.score_tiles import CONFIDENCE_TEXT, DriversPanel, ScoreStrip
from views.customers.source import CustomerSource
from views.customers.usage_section import UsageSection
from views.item_models.opportunity_table_model import OpportunityTableModel
from views.item_models.timeline_model import TimelineDelegate, TimelineModel
from views.kit.accessibility import name
from views.kit.colours import SEGMENT_TONES
from views.kit.flow import FlowLayout, FlowTail
from views.kit.formatting import utc_now
from views.kit.geometry import VerticalScrollArea
from views.kit.theme import LIGHT, Theme
from views.kit.tiles import ElidingLabel, KpiTile
from views.kit.undo import UndoHistory

if TYPE_CHECKING:
    from services.people.contacts import Person
    from services.renewals.card_records import RenewalCard
    from services.usage.records import CustomerUsage
    from views.charts.orders_chart import OrdersChart
    from views.charts.score_history_chart import ScoreHistoryChart
    from views.kit.jobs import JobRunner, TaskState

LOAD_DELAY_MS = 120
# Requests closer together than this are a burst (key auto-repeat runs at ~30 a second).
BURST_GAP_S = 0.15
MISSING_CUSTOMER_MESSAGE = "This customer is no longer in the workspace; the list was refreshed."
NO_SCORES_DETAIL = (
    "No scores for this customer in the latest scoring run (guest checkouts and customers "
    'added since are not scored). <a href="score">Score now</a>'
)
NOT_SCORED_DETAIL = (
    'Not scored yet — <a href="score">Score now</a> (Ctrl+R) for churn risk, health, '
    "lifetime value and the reasons behind them."
)


def _chip(text: str, kind: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setProperty("chip", kind)
    return label


class CustomerDetailPane(ContactMarks, OwnerAssignment, PeopleActions, ReviewPackAction, QWidget):
    """Everything about the selected customer.

    Signals:
        detail_shown(customer_id): a customer's detail (with its chart) is on screen.
        customer_missing(customer_id): the customer is no longer in the workspace.
        score_requested(): the user clicked "Score now" in the not-scored hint.
        draft_requested(customer_id): "Draft email" (E), once drafting is made available
            (the Customers tab; the Alerts tab drafts from its action pane).
        contact_changed(customer_id): the customer changed here (a mark, the quiet period,
            its owner) or that change was undone.
        renewal_call_changed(customer_id): an owner's renewal call on the customer was
            recorded here or undone (the renewal figures elsewhere read anew).
        person_draft_requested(customer_id, contact_id): People ▸ Write to them….
    """

    detail_shown = Signal(int)
    customer_missing = Signal(int)
    score_requested = Signal()
    draft_requested = Signal(int)
    holdout_draft_requested = Signal(int, str)  # a held-out customer, and why write now
    contact_changed = Signal(int)
    renewal_call_changed = Signal(int)
    person_draft_requested = Signal(int, int)

    def __init__(
        self,
        jobs: JobRunner,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], dt.datetime] = utc_now,
        load_delay_ms: int = LOAD_DELAY_MS,
        load_at_once: bool = False,
        confirm: Callable[[str, str], bool] | None = None,
        ask_reason: ReasonPrompt | None = None,
    ) -> None:
        super().__init__(parent)
        self._jobs = jobs
        # Asks before a change to the customer, and why (tests answer for the user).
        self._confirm = confirm
        self._ask_reason = ask_reason
        # "Now" for day counts and the chart's today line (tests pass a fixed clock).
        self._clock = clock
        self._source: CustomerSource | None = None
        self._undo: UndoHistory | None = None
        self._theme: Theme = LIGHT
        self._detail: CustomerDetail | None = None
        self._scores: CustomerScores | None = None
        self._history: tuple[ScoreHistoryPoint, ...] = ()
        self._workspace_scored = False
        self._requested_id: int | None = None
        self._last_request_at = float("-inf")
        self._load_at_once = load_at_once
        self.chart: OrdersChart | None = None
        self.history_chart: ScoreHistoryChart | None = None
        self._load_timer = QTimer(self)
        self._load_timer.setSingleShot(True)
        self._load_timer.setInterval(load_delay_ms)
        self._load_timer.timeout.connect(self._on_load_timer_timeout)

        content = self._build_pages()
        name_row = self._build_header(content)
        self._build_contact_buttons(content)
        tiles = self._build_kpi_tiles(content)
        self.usage_section = UsageSection(content)
        self.renewal_card = RenewalCardSection(content, today=lambda: clock().date())
        self.renewal_card.record_requested.connect(self.record_call)
        self._build_scores(content)
        self._build_chart_card(content)
        self._build_timeline(content, clock)
        self.conversations = ConversationOpener(self)  # opened from the timeline
        self._build_opportunities(content)
        self._build_people(content)
        self._build_tabs(content)
        self._build_splitter(content)
        self._build_layout(content, name_row, tiles)

    # -- building -----------------------------------------------------------------------

    def _build_pages(self) -> QWidget:
        """The stack of the empty state and the (scrolling) detail; returns the detail's
        content widget, the parent of everything below."""
        # Page 0: empty state; page 1: the detail.
        self._stack = QStackedWidget(self)
        self.empty_label = QLabel("Select a customer to see their history.", self)
        self.empty_label.setObjectName("emptyState")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._stack.addWidget(self.empty_label)

        content = QWidget(self)
        content.setObjectName("detailContent")
        # On a short screen (a 1280x720 laptop) the detail scrolls rather than making the
        # window taller than the screen; at usual sizes it fits and shows no scroll bar.
        self.scroll_area = name(VerticalScrollArea(self), "Customer details")
        self.scroll_area.setObjectName("detailScroll")
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(content)
        self._stack.addWidget(self.scroll_area)
        return content

    def _build_header(self, content: QWidget) -> QHBoxLayout:
        """The name, its chips and the contact facts; returns the name's row."""
        # Name and chips on one line; the name shortens (whole in its tooltip), never widens.
        self.name_label = ElidingLabel("", content)
        self.name_label.setObjectName("customerName")
        self.name_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # The chips wrap under each other when the pane is narrow, never cut.
        self.chips_box = QWidget(content)
        self.chips_box.setObjectName("customerChips")
        name_flow = FlowLayout(self.chips_box, spacing=10)
        name_flow.addWidget(self.name_label)
        self._chips = FlowTail(name_flow, after=1)
        # Two fixed lines (how to reach them; who owns them and since when), not one that
        # breaks mid-fact; they shorten (whole in their tooltips): the buttons stay in view.
        self.contact_label = ElidingLabel("", content)
        self.account_label = ElidingLabel("", content)
        for label in (self.contact_label, self.account_label):
            label.setObjectName("customerSubtitle")
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        name_row = QHBoxLayout()
        name_row.setSpacing(10)
        name_row.addWidget(self.chips_box, 1)
        return name_row

    def _build_contact_buttons(self, content: QWidget) -> None:
        """Draft email (E), and the do-not-contact and quiet-period buttons."""
        # "Draft email", beside the contact facts (the name's row is the chips'). Hidden
        # until drafting is made available: the Alerts tab drafts from its action pane.
        self._can_draft = False
        self.draft_button = QPushButton("Draft email  (E)", content)
        self.draft_button.setObjectName("detailDraft")
        self.draft_button.hide()
        self.draft_action = QAction("Draft email", self)
        self.draft_action.setShortcut(QKeySequence("E"))
        self.draft_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.draft_action.setEnabled(False)
        self.draft_action.triggered.connect(self._on_draft_triggered)
        # Beside it, for a customer marked do-not-contact: lift the mark (asks first).
        self.lift_button = QPushButton("Allow contact…", content)
        self.lift_button.setObjectName("liftDoNotContact")
        self.lift_button.setToolTip("Lift the do-not-contact mark (recorded in the history)")
        self.lift_button.clicked.connect(self._on_lift_button_clicked)
        self.lift_button.hide()
        # For any other customer: mark them do not contact (asks first).
        self.dnc_button = QPushButton("Do not contact…", content)
        self.dnc_button.setObjectName("markDoNotContact")
        self.dnc_button.setToolTip("Mark the customer do not contact (recorded in the history)")
        self.dnc_button.clicked.connect(self._on_dnc_button_clicked)
        self.dnc_button.hide()
        # And while the quiet period after contact holds: end it early, with a reason.
        self.quiet_button = QPushButton("End the quiet period…", content)
        self.quiet_button.setObjectName("endQuietPeriod")
        self.quiet_button.setToolTip(
            "Contact them before the quiet period ends: say why (the history keeps it)"
        )
        self.quiet_button.clicked.connect(self._on_quiet_button_clicked)
        self.quiet_button.hide()
        self.draft_button.clicked.connect(self._on_draft_triggered)
        self.addAction(self.draft_action)
        self._build_assign_button(content)  # Assign… (A), views/customers/assign_owner.py
        self._build_review_pack_button(content)  # views/customers/review_pack.py

    def _build_kpi_tiles(self, content: QWidget) -> QHBoxLayout:
        """The four KPI tiles; returns their row."""
        self.orders_tile = KpiTile("Orders", content)
        self.revenue_tile = KpiTile("Revenue", content)
        self.last_order_tile = KpiTile("Last order", content)
        self.gap_tile = KpiTile("Usual gap", content)
        tiles = QHBoxLayout()
        tiles.setSpacing(8)
        for tile in (self.orders_tile, self.revenue_tile, self.last_order_tile, self.gap_tile):
            tiles.addWidget(tile, 1)
        return tiles

    def _build_scores(self, content: QWidget) -> None:
        """The score tiles, their drivers and the hint shown while there are no scores."""
        self.score_strip = ScoreStrip(content)
        self.drivers_panel = DriversPanel(content)
        self.score_hint = QLabel(NOT_SCORED_DETAIL, content)
        self.score_hint.setObjectName("scoreHint")
        self.score_hint.setWordWrap(True)
        self.score_hint.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.score_hint.linkActivated.connect(self._on_score_hint_link_activated)
        self.score_strip.hide()
        self.drivers_panel.hide()
        self.score_hint.hide()

    def _build_chart_card(self, content: QWidget) -> None:
        """The card the orders chart joins with the first customer."""
        self.chart_card = QFrame(content)
        self.chart_card.setObjectName("card")
        self._chart_layout = QVBoxLayout(self.chart_card)
        self._chart_layout.setContentsMargins(6, 6, 6, 6)

    def _build_timeline(self, content: QWidget, clock: Callable[[], dt.datetime]) -> None:
        self.timeline_model = TimelineModel(self)
        self.timeline_view = name(QListView(content), "Timeline")
        self.timeline_view.setObjectName("timelineView")
        self.timeline_view.setModel(self.timeline_model)
        self.timeline_delegate = TimelineDelegate(self.timeline_view, clock=clock)
        self.timeline_view.setItemDelegate(self.timeline_delegate)
        self.timeline_view.setUniformItemSizes(True)
        self.timeline_view.setMouseTracking(True)
        self.timeline_view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.timeline_view.setFrameShape(QFrame.Shape.NoFrame)

    def _build_opportunities(self, content: QWidget) -> None:
        self.opportunity_model = OpportunityTableModel(self)
        self.opportunity_view = opportunity_view(content, self.opportunity_model)

    def _build_tabs(self, content: QWidget) -> None:
        """The timeline, score history and open opportunities tabs."""
        # The score history chart (pyqtgraph) joins this page with the first customer.
        self.history_page = QWidget(content)
        self.history_page.setObjectName("historyPage")
        self._history_layout = QVBoxLayout(self.history_page)
        self._history_layout.setContentsMargins(6, 6, 6, 6)

        self.tabs = QTabWidget(content)
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.timeline_view, "Timeline")
        self.tabs.addTab(self.history_page, "Score history")
        self.tabs.addTab(self.opportunity_view, "Open opportunities")
        self.tabs.addTab(self.people_tab, "People")

    def _build_splitter(self, content: QWidget) -> None:
        """The chart card above the tabs."""
        self.splitter = QSplitter(Qt.Orientation.Vertical, content)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.chart_card)
        self.splitter.addWidget(self.tabs)
        # Chart and history share the height evenly: both are read, neither decorates.
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)

    def _build_layout(self, content: QWidget, name_row: QHBoxLayout, tiles: QHBoxLayout) -> None:
        """The detail's parts top to bottom, and the stack filling the pane."""
        layout = QVBoxLayout(content)
        layout.setContentsMargins(6, 10, 10, 6)
        layout.setSpacing(8)
        name_row.addWidget(self.review_pack_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(name_row)
        facts = QVBoxLayout()
        facts.setSpacing(2)
        facts.addWidget(self.contact_label)
        # Assign… right after whose the customer is (the label asks for its text's width).
        self.account_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        account_row = QHBoxLayout()
        account_row.setSpacing(8)
        account_row.addWidget(self.account_label)
        account_row.addWidget(self.assign_button)
        account_row.addStretch(1)
        facts.addLayout(account_row)
        facts_row = QHBoxLayout()
        facts_row.setSpacing(10)
        facts_row.addLayout(facts, 1)
        for button in (self.lift_button, self.quiet_button, self.dnc_button, self.draft_button):
            facts_row.addWidget(button, 0, Qt.AlignmentFlag.AlignBottom)
        layout.addLayout(facts_row)
        layout.addWidget(self._build_tracking_row(content))  # contact_marks.py
        layout.addWidget(self.score_hint)
        layout.addWidget(self.score_strip)
        layout.addWidget(self.drivers_panel)
        layout.addLayout(tiles)
        layout.addWidget(self.renewal_card)
        layout.addWidget(self.usage_section)
        layout.addWidget(self.splitter, 1)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self._stack)

    # -- loading ------------------------------------------------------------------------

    def set_source(self, source: CustomerSource | None) -> None:
        self._source = source
        self.clear()

    def set_drafting_available(self, available: bool) -> None:
        """Show "Draft email" (E) for the customer on screen."""
        self._can_draft = available
        self.draft_button.setVisible(available)
        self._update_draft()
        self._update_dnc_button()

    def _update_dnc_button(self) -> None:
        # Where this pane drafts (the Customers tab); the Alerts tab marks with X.
        d = self._detail
        self.dnc_button.setVisible(
            self._can_draft and d is not None and not d.do_not_contact and self._source is not None
        )
        self._update_assign()

    def _update_draft(self) -> None:
        d = self._detail
        # Not while another customer is on its way: E would write to the one leaving.
        current = d is not None and self._requested_id in (None, d.id)
        blocked = d.outreach_blocked if d is not None else None
        allowed = self._can_draft and current and d is not None and not blocked
        self.draft_button.setEnabled(allowed)
        self.draft_action.setEnabled(allowed)
        self.draft_button.setToolTip(
            blocked
            or "Write a personal email to this customer (LLM or template), review it, "
            "then send it from your mail program."
        )

    def _on_draft_triggered(self) -> None:
        if self._detail is not None and self.draft_action.isEnabled():
            self.draft_or_ask(self._detail.id)

    def clear(self, message: str = "Select a customer to see their history.") -> None:
        self._load_timer.stop()
        self._detail = None
        self._scores = None
        self._history = ()
        self._requested_id = None
        self._update_draft()
        self.empty_label.setText(message)
        self._stack.setCurrentIndex(0)

    def show_customer(self, customer_id: int, *, at_once: bool = False) -> None:
        """Load and show a customer; a newer request cancels an older one in flight.

        The load starts after a short pause: holding an arrow key in the table then
        costs one query, not one per row passed, and the table gets its paint done
        before a worker competes with it for the interpreter. With ``load_at_once`` a
        request after a quiet spell loads without the pause, and only bursts wait.
        ``at_once`` (the table shows its first screenful and reads the rest): the first
        customer since the pane was empty loads without the pause.
        """
        if self._source is None:
            return
        # At a million customers the window selects one from the first screenful, and the
        # load must reach the database worker before the rest of the table does (seconds
        # of reading). A whole table keeps the pause: its paint comes first.
        first = at_once and self._detail is None and self._requested_id is None
        self._requested_id = customer_id
        self._update_draft()
        now = time.monotonic()
        quiet = now - self._last_request_at > BURST_GAP_S
        self._last_request_at = now
        if first or (self._load_at_once and quiet and not self._load_timer.isActive()):
            # A lone click or key press loads at once; only a burst (a held arrow key)
            # waits for the pause, and then loads the row it stops on.
            self._on_load_timer_timeout()
            return
        self._load_timer.start()

    def refresh(self) -> None:
        """Load the customer again (after a scoring run, say): the last one asked for, which
        may not be shown yet (a refresh right after a new selection must not go back to the
        customer shown before it)."""
        customer_id = self._requested_id
        if customer_id is None and self._detail is not None:
            customer_id = self._detail.id
        if customer_id is not None:
            self.show_customer(customer_id)

    def _on_load_timer_timeout(self) -> None:
        if self._source is None or self._requested_id is None or self._jobs.closed:
            return
        customer_id = self._requested_id
        source = self._source
        now = self._clock()

        def task(
            _state: TaskState,
        ) -> tuple[
            CustomerDetail,
            CustomerScores | None,
            tuple[ScoreHistoryPoint, ...],
            CustomerUsage,
            RenewalCard | None,
            list[Person],
        ]:
            detail = source.load_customer_detail(customer_id)
            scores = source.load_customer_scores(customer_id)
            history = tuple(source.load_score_history(customer_id))
            # The customer's own usage now; the workspace's features (seconds at a million
            # customers) in the next task, unless kept from an earlier customer.
            usage = source.load_customer_usage(customer_id, now, features=False)
            renewals = source.load_renewal_card(customer_id, now.date())
            people = source.load_people(customer_id)
            return detail, scores, history, usage, renewals, people

        (
            self._jobs.operation(task, parent=self, key=("customers.detail", id(self)))
            .success(lambda loaded: self._on_customer_loaded(*loaded))
            .failure(lambda error: self._on_detail_failed(customer_id, error))
            .run()
        )
        # Queued at once, behind the detail: ahead of whatever is asked for next.
        (
            self._jobs.operation(
                lambda _state: source.load_features_seen(now),
                parent=self,
                key=("customers.features", id(self)),
            )
            .success(self.usage_section.show_features_seen)
            .failure(self._on_features_failed)
            .run()
        )

    def _on_customer_loaded(
        self,
        detail: CustomerDetail,
        scores: CustomerScores | None,
        history: tuple[ScoreHistoryPoint, ...],
        usage: CustomerUsage,
        renewals: RenewalCard | None = None,
        people: list[Person] | None = None,
    ) -> None:
        self._scores = scores
        self._history = history
        self.usage_section.show_usage(usage)
        self.renewal_card.show_card(renewals, detail.name or "")
        self._show_people(people, detail.name)
        self._on_detail_loaded(detail)

    def _on_score_hint_link_activated(self, _link: str) -> None:
        self.score_requested.emit()

    def _on_detail_failed(self, customer_id: int, error: BaseException) -> None:
        # Never leave the previous customer on screen under the new selection.
        if isinstance(error, CustomerNotFoundError):
            # Deleted meanwhile (another window, an import): not a bug; the window
            # refreshes the list.
            self.clear(MISSING_CUSTOMER_MESSAGE)
            self.customer_missing.emit(customer_id)
            return
        self.clear("Could not load this customer.")
        self._jobs.present_error(error)

    def _on_features_failed(self, error: BaseException) -> None:
        self.usage_section.show_features_failed()
        self._jobs.present_error(error)

    @property
    def detail(self) -> CustomerDetail | None:
        return self._detail

    def _contact_changed(self, customer_id: int) -> None:
        self.contact_changed.emit(customer_id)

    @property
    def load_pending(self) -> bool:
        """A load is asked for and waits for its short pause (not yet on the job runner)."""
        return self._load_timer.isActive()

    @property
    def scores(self) -> CustomerScores | None:
        """The shown customer's latest scores (None before any scoring)."""
        return self._scores

    def _on_detail_loaded(self, detail: CustomerDetail) -> None:
        self._detail = detail
        self._show_header(detail)
        self._update_draft()
        self._show_tiles(detail)
        self._show_scores(self._scores)
        chart = self._ensure_chart()
        orders = detail.orders
        # One currency: the orders as they were paid; several: in the home currency
        # (orders without an exchange rate are left out, never drawn at face value).
        currencies = set(orders["currency"].dropna()) if "currency" in orders else set()
        single = next(iter(currencies)) if len(currencies) == 1 else None
        chart.set_currency(single or detail.currency)
        chart.set_orders(
            orders["order_date"].to_numpy(),
            (orders["original"] if single else orders["amount"]).to_numpy(),
            orders["status"].to_numpy(dtype=object),
            today=self._clock(),
        )
        self.timeline_model.set_events(detail.timeline)
        self.timeline_view.scrollToTop()
        self.opportunity_model.set_opportunities(detail.open_opportunities)
        self.tabs.setTabText(0, f"Timeline ({len(detail.timeline)})")
        self.tabs.setTabText(
            self.tabs.indexOf(self.opportunity_view),
            f"Open opportunities ({len(detail.open_opportunities)})",
        )
        history_chart = self._ensure_history_chart()
        history_chart.set_history(
            self._history,
            empty_text=(
                "No score history"
                if self._scores is not None
                else "No scores for this customer"
                if self._workspace_scored
                else "Not scored yet"
            ),
        )
        self._stack.setCurrentIndex(1)
        self.detail_shown.emit(detail.id)

    def _ensure_chart(self) -> OrdersChart:
        if self.chart is None:
            from views.charts.orders_chart import OrdersChart

            self.chart = OrdersChart(self.chart_card)
            self.chart.set_theme(self._theme)
            self._chart_layout.addWidget(self.chart)
        return self.chart

    def _ensure_history_chart(self) -> ScoreHistoryChart:
        if self.history_chart is None:
            from views.charts.score_history_chart import ScoreHistoryChart

            self.history_chart = ScoreHistoryChart(self.history_page)
            self.history_chart.set_theme(self._theme)
            self._history_layout.addWidget(self.history_chart)
        return self.history_chart

    # -- rendering ----------------------------------------------------------------------

    def _show_header(self, d: CustomerDetail) -> None:
        self.name_label.setText(d.name)
        while self._chips.count():
            item = self._chips.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        parent = self.name_label.parentWidget() or self
        for plain, tip in ((d.tier, ""), (d.region, ""), (d.stage_line, d.stage_tip)):
            if plain:
                self._chips.addWidget(chip := _chip(plain, "plain", parent))
                chip.setToolTip(tip)
        if d.do_not_contact:
            chip = _chip("Do not contact", "danger", parent)
            chip.setToolTip("This customer asked not to be contacted. No outreach.")
            self._chips.addWidget(chip)
        self.lift_button.setVisible(d.do_not_contact and self._source is not None)
        self.quiet_button.setVisible(d.quiet_until is not None and self._source is not None)
        self._update_dnc_button()
        self._show_tracking(d)
        # The account is named by its company (the name above); under it, its person
        # (never one who left), how to reach it, and what the company does and where.
        details = dict(d.company_details)
        about = [details.get("Industry"), details.get("Domain") or details.get("Website")]
        self.contact_label.set_tip(
            "\n".join([d.company or "", *(f"{k}: {v}" for k, v in d.company_details)]).strip()
        )
        shown = " · ".join(a for a in about if a) if d.company else ""
        contact = [d.person, d.email, d.phone, shown]
        account = [
            f"Owner: {d.owner}" if d.owner else "No owner",
            f"Customer since {d.signup_date:%b %Y}" if d.signup_date is not None else None,
        ]
        self.contact_label.setText("  ·  ".join(f for f in contact if f) or "No contact details")
        self.account_label.setText("  ·  ".join(f for f in account if f))

    def set_workspace_scored(self, scored: bool) -> None:
        """Whether the workspace has been scored (words of the hint for a customer
        without scores)."""
        self._workspace_scored = scored
        self.score_hint.setText(NO_SCORES_DETAIL if scored else NOT_SCORED_DETAIL)

    def _show_scores(self, scores: CustomerScores | None) -> None:
        self.score_hint.setVisible(scores is None)
        self.score_strip.setVisible(scores is not None)
        self.drivers_panel.setVisible(scores is not None)
        if scores is None:
            return

        self.score_strip.set_scores(scores)
        self.drivers_panel.set_drivers(scores.drivers)
        parent = self.name_label.parentWidget() or self
        if scores.segment:
            chip = _chip(scores.segment, SEGMENT_TONES.get(scores.segment, "plain"), parent)
            chip.setObjectName("segmentChip")
            chip.setToolTip(
                f"RFM segment as of {format_date(scores.as_of)} "
                "(recency, frequency and spend against the other customers)"
            )
            self._chips.insertWidget(0, chip)
        if scores.confidence:
            text, kind, why = CONFIDENCE_TEXT.get(
                scores.confidence, (f"{scores.confidence.capitalize()} confidence", "plain", "")
            )
            chip = _chip(text, kind, parent)
            chip.setObjectName("confidenceChip")
            chip.setToolTip(why)
            self._chips.insertWidget(1 if scores.segment else 0, chip)

    def _show_tiles(self, d: CustomerDetail) -> None:
        tiles = KpiTiles(self.orders_tile, self.revenue_tile, self.last_order_tile, self.gap_tile)
        show_kpi_tiles(tiles, d, self._clock())

    # -- state --------------------------------------------------------------------------

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.timeline_delegate.set_theme(theme)
        self.timeline_view.viewport().update()
        self.drivers_panel.set_theme(theme)
        self.usage_section.set_theme(theme)
        if self.chart is not None:
            self.chart.set_theme(theme)
        if self.history_chart is not None:
            self.history_chart.set_theme(theme)

    def splitter_state(self) -> QByteArray:
        return self.splitter.saveState()

    def restore_splitter_state(self, state: QByteArray) -> None:
        if not state.isEmpty():
            self.splitter.restoreState(state)
