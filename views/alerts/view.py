"""The three panes: alerts on the left, the customer in the middle, actions on the right.

Selecting an alert shows its customer (the same detail pane as the Customers tab) and
the alert's next step and actions. An action runs on the job runner; when it lands the
list and the alert are reloaded, and the selection stays where the user was (or moves
to the next card when the alert left the current filter, so the user can keep going).

An action carries the version of each alert the card showed. When someone else changed
one meanwhile, it is refused (AlertChangedError): the action pane says who, when and
what the alert is now, and the card is shown anew in that state, kept in the list until
the next reload even if the filters would hide it now; nothing the user typed is lost
(a note is never refused for it) and nothing is added to Undo.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from views.alerts.action_pane import ActionPane
from views.alerts.dialogs import CallPrompt, TaskPrompt, TextPrompt
from views.alerts.pane import AlertsPane
from views.alerts.source import AlertChangedError, AlertDetail, AlertSource, Undoable
from views.customers.detail_pane import CustomerDetailPane
from views.customers.source import CustomerSource
from views.kit.formatting import utc_now
from views.kit.geometry import UncutPanes
from views.kit.theme import Theme
from views.kit.undo import UndoHistory

if TYPE_CHECKING:
    from views.kit.jobs import JobRunner, TaskState

KEY_SPLITTER = "alerts/splitter"
# The first split: the cards (their filters on one row at 1366 px), the customer, the
# actions (in proportion to the width).
SPLIT = (440, 600, 340)
# The customer follows the selected alert at once (the target is 100 ms to the chart);
# while an arrow key is held, a short pause folds the rows passed into one load.
DETAIL_DELAY_MS = 30
# The alert's detail waits at most this long for its customer to be shown.
ALERT_AFTER_MS = 200


class AlertsView(QWidget):
    """The alerts, the selected customer and the actions, side by side.

    Signals:
        alert_changed(alert_id): an action changed an alert (the dashboard may refresh).
        score_requested(): "Score now" in the customer pane.
        status_message(text): a few words for the window's status bar (a key that does
            nothing says why: "Already in progress").
    """

    alert_changed = Signal(int)
    score_requested = Signal()
    status_message = Signal(str)

    def __init__(
        self,
        jobs: JobRunner,
        parent: QWidget | None = None,
        *,
        settings: QSettings | None = None,
        ask_text: TextPrompt | None = None,
        ask_task: TaskPrompt | None = None,
        ask_call: CallPrompt | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self._settings = settings
        self._source: AlertSource | None = None
        self._pending_next: int | None = None
        # The alert's own detail loads once its customer is on screen, so that the two
        # do not compete for the interpreter while the customer is drawn.
        self._alert_to_load: int | None = None
        self._alert_timer = QTimer(self)
        self._alert_timer.setSingleShot(True)
        self._alert_timer.setInterval(ALERT_AFTER_MS)
        self._alert_timer.timeout.connect(self._on_alert_timer_timeout)
        self.alerts_pane = AlertsPane(jobs, self, settings=settings)
        self._history: UndoHistory | None = None
        # Something was done, or undone, in another tab (see _on_history_elsewhere).
        self._stale = False
        self._card_ids: tuple[int, ...] = ()
        self.detail_pane = CustomerDetailPane(
            jobs, self, clock=clock, load_delay_ms=DETAIL_DELAY_MS, load_at_once=True
        )
        self.action_pane = ActionPane(
            self, ask_text=ask_text, ask_task=ask_task, ask_call=ask_call, clock=clock
        )
        self.alerts_pane.alert_selected.connect(self._on_alerts_pane_alert_selected)
        self.alerts_pane.selection_cleared.connect(self._on_alerts_pane_selection_cleared)
        self.alerts_pane.alerts_loaded.connect(self._on_alerts_pane_alerts_loaded)
        self.action_pane.action_requested.connect(self._on_action_pane_action_requested)
        self.action_pane.action_refused.connect(self.status_message)
        self.detail_pane.score_requested.connect(self.score_requested)
        self.detail_pane.detail_shown.connect(self._on_detail_pane_detail_shown)
        self.detail_pane.contact_changed.connect(self._on_detail_pane_contact_changed)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.alerts_pane)
        self.splitter.addWidget(self.detail_pane)
        self.splitter.addWidget(self.action_pane)
        self.alerts_pane.setMinimumWidth(290)
        self.detail_pane.setMinimumWidth(440)
        self.action_pane.setMinimumWidth(250)
        # Every pane stretches: a wider window widens each in proportion to the split
        # (the user's, remembered), so the cards are not left at their narrowest on a
        # 1920-pixel screen.
        for index in range(3):
            self.splitter.setStretchFactor(index, 1)
        self.splitter.setSizes(list(SPLIT))
        # Larger text: no button cut where there is room; else the panes share the screen.
        self.fit_panes = UncutPanes(self.splitter, keep=1)
        if settings is not None:
            saved = settings.value(KEY_SPLITTER)
            if isinstance(saved, QByteArray):
                self.splitter.restoreState(saved)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

    def set_sources(
        self,
        alerts: AlertSource | None,
        customers: CustomerSource | None,
        *,
        owner_name: str | None = None,
    ) -> None:
        """Show a workspace's alerts (None: nothing open)."""
        self._source = alerts
        self.detail_pane.set_source(customers)
        self.action_pane.show_alert(None)
        self.alerts_pane.set_source(alerts, owner_name=owner_name)
        self._load_playbooks()

    def reload(self) -> None:
        """Reload the list (after scoring or an import); the selection is kept."""
        self.alerts_pane.reload()
        self._load_playbooks()

    def _load_playbooks(self) -> None:
        """The playbooks "Start playbook…" offers (the workspace's own may have changed)."""
        source = self._source
        if source is None:
            self.action_pane.playbooks.set_choices(())
            return
        (
            self._jobs.operation(
                lambda _state: source.playbook_choices(),
                parent=self,
                key=("alerts.playbooks", id(self)),
            )
            .success(self.action_pane.playbooks.set_choices)
            .run()
        )

    def save_state(self) -> None:
        if self._settings is not None:
            self._settings.setValue(KEY_SPLITTER, self.splitter.saveState())

    # -- selection ----------------------------------------------------------------------

    def set_undo_history(self, history: UndoHistory | None) -> None:
        """Where the actions done here are remembered for Undo (Ctrl+Z)."""
        self._history = history
        self.detail_pane.set_undo_history(history)
        if history is not None:
            history.pushed.connect(self._on_history_elsewhere)
            history.undone.connect(self._on_history_elsewhere)

    def _on_history_elsewhere(self, *_args: object) -> None:
        # Done while this tab is hidden: in the Customers tab (a customer assigned or
        # marked do not contact) or My work. The cards are read anew when it shows.
        if not self.isVisible():
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802  (Qt's name)
        super().showEvent(event)
        if not self._stale:
            return
        self._stale = False
        self.alerts_pane.reload()
        alert = self.action_pane.alert
        if alert is not None:
            self.detail_pane.show_customer(alert.customer_id)
            self._load_alert(alert.id)

    def _on_alerts_pane_alert_selected(self, alert_id: int, customer_id: int) -> None:
        self._card_ids = self.alerts_pane.current_card_ids() or (alert_id,)
        self.detail_pane.show_customer(customer_id)
        self._alert_to_load = alert_id
        # Whatever happens to the customer's load (a failure, a burst of keys), the
        # alert follows within this time.
        self._alert_timer.start()

    def _on_detail_pane_detail_shown(self, _customer_id: int) -> None:
        if self._alert_to_load is not None:
            self._alert_timer.stop()
            # After the customer's paint, which Qt does before it runs a zero timer.
            QTimer.singleShot(0, self, self._on_alert_timer_timeout)

    def _on_alert_timer_timeout(self) -> None:
        alert_id, self._alert_to_load = self._alert_to_load, None
        if alert_id is not None and not self._jobs.closed:  # not once the window closed
            self._load_alert(alert_id)

    def _on_alerts_pane_selection_cleared(self) -> None:
        self.action_pane.show_alert(None, "No alert selected.")
        self.detail_pane.clear("No alert selected.")

    def _on_alerts_pane_alerts_loaded(self, count: int) -> None:
        if count == 0:
            self.action_pane.show_alert(None, "No alerts to act on.")
            self.detail_pane.clear("No alerts to act on.")

    def _load_alert(self, alert_id: int) -> None:
        source = self._source
        if source is None:
            return

        card = self.alerts_pane.current_card_ids()
        if alert_id not in card:
            card = (alert_id,)

        def task(_state: TaskState) -> AlertDetail:
            return source.load_alert_detail(alert_id, card)

        (
            self._jobs.operation(task, parent=self, key=("alerts.detail", id(self)))
            .success(self._on_alert_loaded)
            .failure(self._on_alert_load_failed)
            .run()
        )

    def _on_alert_loaded(self, alert: AlertDetail) -> None:
        if alert.id != self.alerts_pane.current_alert_id:
            return  # the user moved on meanwhile
        self.action_pane.show_alert(alert)

    def _on_alert_load_failed(self, error: BaseException) -> None:
        self.action_pane.show_alert(None, "This alert could not be loaded.")
        self._jobs.present_error(error)

    # -- actions ------------------------------------------------------------------------

    def _on_action_pane_action_requested(
        self, alert_ids: list[int], action: str, params: dict[str, Any]
    ) -> None:
        source = self._source
        if source is None or not alert_ids:
            return
        ids = tuple(int(i) for i in alert_ids)
        # The versions the card showed: refused if someone changed an alert since.
        shown = self.action_pane.alert
        seen = shown.seen_versions if shown is not None else {}

        def task(_state: TaskState) -> Undoable:
            return source.apply_alert_action(ids, action, seen_versions=seen, **params)

        def done(change: Undoable) -> None:
            # Until the card reloads, it carries the versions this action left.
            moved = {a.alert_id: a.version for a in change.alerts if a.version is not None}
            self.action_pane.note_versions(moved)
            if self._history is not None:
                self._history.push(change, lambda: self._after_undo(ids))
            self._on_action_done(ids[0])

        def failed(error: BaseException) -> None:
            if isinstance(error, AlertChangedError):
                self._on_action_refused_changed(ids, error)
            else:
                self._on_action_failed(error)

        self.action_pane.set_busy(True)
        (
            self._jobs.operation(task, parent=self, label=f"alert {action}")
            .success(done)
            .failure(failed)
            .finished(lambda: self.action_pane.set_busy(False))
            .run()
        )

    def _on_detail_pane_contact_changed(self, customer_id: int) -> None:
        alert = self.action_pane.alert
        if alert is not None and alert.customer_id == customer_id:
            self._load_alert(alert.id)  # its actions: outreach is possible again

    def alert_updated(self, alert_id: int) -> None:
        """Something outside this view changed an alert (an email sent): show it anew."""
        self._on_action_done(alert_id)

    def _on_action_done(self, alert_id: int) -> None:
        self.alert_changed.emit(alert_id)
        # Notes, calls, tasks and do-not-contact show in the customer's pane.
        self._read_customer_again(alert_id)
        # Reload the list: if the alert left the filter, the next card becomes current.
        self.alerts_pane.reload()
        if self.alerts_pane.current_alert_id == alert_id:
            self._load_alert(alert_id)

    def _after_undo(self, ids: tuple[int, ...]) -> None:
        """An action was undone, or its undo refused: the list anew, with its card
        selected again and kept in view (refused, it shows someone else's change)."""
        alert_id = ids[0]
        self.alert_changed.emit(alert_id)
        self.alerts_pane.reload(select=alert_id, keep=ids)
        if self.alerts_pane.current_alert_id == alert_id:
            self._load_alert(alert_id)
        self._read_customer_again(alert_id)

    def _read_customer_again(self, alert_id: int) -> None:
        """The customer pane reads the alert's customer anew, if the card highlighted is
        still that alert's: never another card's customer when the user moved on while
        the action ran (the action pane may still show the old card for a moment)."""
        alert = self.action_pane.alert
        if (
            alert is not None
            and alert.id == alert_id
            and self.alerts_pane.current_alert_id == alert_id
        ):
            self.detail_pane.show_customer(alert.customer_id)

    def _on_action_failed(self, error: BaseException) -> None:
        self._jobs.present_error(error)
        current = self.alerts_pane.current_alert_id
        if current is not None:
            self._load_alert(current)

    def _on_action_refused_changed(self, ids: tuple[int, ...], error: AlertChangedError) -> None:
        """Someone else changed the card since it was shown: say so beside it, and show
        it in its new state (kept in the list, selected), not the next card."""
        alert_id = ids[0]
        self.action_pane.show_notice(ids, str(error))
        self.alert_changed.emit(error.change.alert_id)
        self.alerts_pane.reload(select=alert_id, keep=ids)
        self._read_customer_again(alert_id)  # its history says who
        if self.alerts_pane.current_alert_id == alert_id:
            self._load_alert(alert_id)

    def set_theme(self, theme: Theme) -> None:
        self.alerts_pane.set_theme(theme)
        self.detail_pane.set_theme(theme)
        self.action_pane.set_theme(theme)
