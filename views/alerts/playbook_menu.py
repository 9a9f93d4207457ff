"""The action pane's playbook box: the customer's running playbook and its next step with
"Stop playbook…", or "Start playbook…  (B)" with the playbooks to choose from
(services/alerts/playbooks.py).

The box only asks: a choice leaves as ``start_requested(key, holdout_reason)``, a stop as
``stop_requested(run_id, note)``, and the action pane sends it like any other action
(undoable with Ctrl+Z). A held-out customer gets a playbook only once the user says why,
as contacting them needs; a stop asks for an optional reason (kept in the history).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from services.alerts.playbook_records import STEP_KIND_LABELS, stop_question
from services.core.formatting import format_date, format_short_date
from views.alerts.source import AlertDetail, PlaybookChoice, PlaybookStatus
from views.kit.flow import FlowLayout
from views.kit.note_dialog import ask_optional_note

NO_PLAYBOOK = "None running; steps go to My work."

# (customer, playbook) -> the user's reason ("" for none), or None: they cancelled.
StopPrompt = Callable[[str, str], str | None]


def ask_stop_reason(parent: QWidget, customer: str, playbook: str) -> str | None:
    """Ask whether to stop ``playbook`` for ``customer``, with an optional reason: the
    reason typed ("" for none), or None when cancelled."""
    return ask_optional_note(parent, "Stop playbook", stop_question(customer, playbook), "Stop")


def next_step_words(status: PlaybookStatus, today: dt.date) -> str:
    """ "Next: Call today: ask what…", "Next: Call on Thu, Nov 27: ask…", or "Every step
    is done"."""
    if status.next_kind is None or status.next_due is None:
        return "Every step is done or skipped."
    kind = STEP_KIND_LABELS.get(status.next_kind, status.next_kind)
    days = (status.next_due - today).days
    if days < 0:
        when = f"{-days} day{'s' if days < -1 else ''} overdue"
    elif days == 0:
        when = "today"
    elif days == 1:
        when = "tomorrow"
    else:
        when = f"on {status.next_due:%a}, {format_short_date(status.next_due)}"
    return f"Next: {kind} {when}: {status.next_text}"


class PlaybookBox(QFrame):
    """The running playbook of the card's customer, or the button that starts one.

    Signals:
        start_requested(key, holdout_reason): the user chose a playbook ("" when the
            customer is not held out).
        stop_requested(run_id, note): the user stopped the running playbook ("" when
            they gave no reason).
        refused(text): B pressed where no playbook can start, and why.
    """

    start_requested = Signal(str, str)
    refused = Signal(str)
    stop_requested = Signal(int, str)

    def __init__(
        self,
        parent: QWidget,
        *,
        ask_text: Callable[[str, str], str | None],
        today: Callable[[], dt.date],
        ask_stop: StopPrompt | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("playbookBox")
        self._ask_text = ask_text
        self._ask_stop = ask_stop or (lambda c, p: ask_stop_reason(self, c, p))
        self._today = today
        self._alert: AlertDetail | None = None
        self._choices: tuple[PlaybookChoice, ...] = ()
        self._enabled = False
        heading = QLabel("PLAYBOOK", self)
        heading.setObjectName("tileCaption")
        # The playbook's name ("None running"), and its next step and progress.
        self.title = QLabel("", self)
        self.title.setObjectName("playbookName")
        # One line each, elided to the pane's width (the full text in the tooltip): a
        # wrapped label is squeezed, not scrolled, when the pane is short.
        self.detail = QLabel("", self)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.progress = QLabel("", self)
        self.progress.setObjectName("muted")
        for label in (self.title, self.detail, self.progress):  # never widen the pane
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._detail_text = ""
        self._progress_text = ""
        self.start_button = QPushButton("Start playbook…  (B)", self)
        self.start_button.setObjectName("action_playbook")
        self.start_button.setToolTip("Start a sequence of steps for this customer (B)")
        self.start_button.setAccessibleName("Start playbook")
        self.start_button.clicked.connect(lambda _c=False: self.open_menu())
        self.stop_button = QPushButton("Stop playbook…", self)
        self.stop_button.setObjectName("action_stop_playbook")
        self.stop_button.setToolTip("Stop this playbook now; its steps leave My work")
        self.stop_button.setAccessibleName("Stop playbook")
        self.stop_button.clicked.connect(lambda _c=False: self.stop())
        self.menu = QMenu(self)
        self.menu.setObjectName("playbookMenu")
        self.shortcut = QAction("Start playbook", self)
        self.shortcut.setShortcut(QKeySequence("B"))
        self.shortcut.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.shortcut.triggered.connect(lambda _c=False: self.open_menu())
        parent.addAction(self.shortcut)
        # The button at the right of the title's row, or under it where the pane is
        # narrow (larger text): the row never sets the action pane's least width.
        top = FlowLayout(spacing=8)
        top.addWidget(heading)
        top.addWidget(self.title)
        top.add_right(self.start_button)
        top.add_right(self.stop_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 6, 8, 8)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.detail)
        layout.addWidget(self.progress)
        self.show_alert(None)

    def set_choices(self, choices: Sequence[PlaybookChoice]) -> None:
        """The playbooks to offer (built in, then the workspace's own)."""
        self._choices = tuple(choices)
        self._fill_menu()
        self._update()

    def _fill_menu(self) -> None:
        # The playbook suggested for the card's customer (Settings: the workspace's, or
        # their segment's) comes first and says so.
        suggested, segment = self._alert.suggested_playbook if self._alert is not None else ("", "")
        self.menu.clear()
        first = [c for c in self._choices if c.key == suggested]
        for choice in (*first, *(c for c in self._choices if c.key != suggested)):
            text = f"{choice.name}  ·  {len(choice.steps)} steps"
            if choice.key == suggested:
                text += f"  ·  suggested{f' for {segment}' if segment else ''}"
            action = self.menu.addAction(text, functools.partial(self.choose, choice.key))
            action.setToolTip("\n".join((choice.help, *choice.steps)).strip())
            action.setStatusTip(choice.help)
        self.menu.setToolTipsVisible(True)

    def show_alert(self, alert: AlertDetail | None) -> None:
        """Show the card's customer's playbook (None: nothing shown)."""
        self._alert = alert
        self._fill_menu()
        self.setVisible(alert is not None)
        running = alert.playbook if alert is not None else None
        if running is None:
            self.title.setText("")
            self._set_detail(NO_PLAYBOOK, "It stops by itself when the customer orders.")
        else:
            done = running.steps_total - running.steps_left
            started = format_short_date(running.started_at.date())
            self.title.setText(running.name)
            self.title.setToolTip(
                f"Started {format_date(running.started_at.date())}"
                f"{' by ' + running.started_by if running.started_by else ''}; it stops by "
                "itself when the customer orders, the alert is closed or they are marked "
                "do not contact."
            )
            self._set_detail(
                next_step_words(running, self._today()),
                f"{done} of {running.steps_total} steps done · since {started} · "
                "stops when they order",
            )
        self._update()

    def _set_detail(self, text: str, progress: str) -> None:
        self._detail_text, self._progress_text = text, progress
        self.detail.setToolTip(text)
        self.progress.setToolTip(progress)
        self._elide()

    def _elide(self) -> None:
        for label, text in ((self.detail, self._detail_text), (self.progress, self._progress_text)):
            width = max(label.width(), 80)
            elided = label.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, width)
            label.setText(elided)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    @property
    def detail_text(self) -> str:
        """The next step (or the empty state) in full, as the tooltip says it."""
        return self._detail_text

    def set_enabled(self, enabled: bool) -> None:
        """Whether a playbook may start now (an open card, no action running)."""
        self._enabled = enabled
        self._update()

    @property
    def can_start(self) -> bool:
        alert = self._alert
        return (
            self._enabled
            and bool(self._choices)
            and alert is not None
            and alert.playbook is None
            and not alert.do_not_contact
            and alert.status not in ("resolved", "dismissed", "held_back")
        )

    def why_not(self) -> str:
        """Why no playbook can start on the card shown (the status bar's words)."""
        alert = self._alert
        if alert is None:
            return "No alert selected"
        if alert.playbook is not None:
            return f"{alert.playbook.name} is already running"
        if alert.do_not_contact:
            return "Do not contact: no playbook"
        if alert.status == "held_back":
            return "Held back by the daily cap: press A to raise it first"
        if alert.status in ("resolved", "dismissed"):
            return "Closed: press O to reopen"
        if not self._choices:
            return "No playbooks to start"
        return "Wait: the last action is still being saved"

    def _update(self) -> None:
        can = self.can_start
        self.start_button.setEnabled(can)
        # The key stays live: pressed where no playbook can start, it says why (refused).
        alert = self._alert
        self.start_button.setVisible(alert is None or alert.playbook is None)
        running = alert is not None and alert.playbook is not None
        self.stop_button.setVisible(running)
        self.stop_button.setEnabled(running and self._enabled)
        if alert is not None and alert.do_not_contact:
            self.start_button.setToolTip("Marked do not contact: no playbook can start")
        else:
            self.start_button.setToolTip("Start a sequence of steps for this customer (B)")

    def open_menu(self) -> None:
        """Show the playbooks to choose from, under the button (B)."""
        if not self.can_start:
            self.refused.emit(self.why_not())
            return
        button = self.start_button
        self.menu.popup(button.mapToGlobal(button.rect().bottomLeft()))

    def choose(self, key: str) -> None:
        """Start the playbook ``key`` (a menu entry, or a test); a held-out customer's
        needs the user's reason first."""
        alert = self._alert
        if alert is None or not self.can_start:
            return
        reason = ""
        if alert.holdout:
            name = next((c.name for c in self._choices if c.key == key), key)
            said = self._ask_text(
                "Start a playbook for a held-out customer",
                f"{alert.customer} is in the holdout: no outreach is suggested, so that "
                f"Results can show what outreach changes. Starting {name} takes them out of "
                "the comparison. Why start it? (kept in the history)",
            )
            if not said:
                return
            reason = said
        self.start_requested.emit(key, reason)

    def stop(self) -> None:
        """Stop the running playbook (its button, or a test), once the user confirms,
        with their optional reason."""
        alert = self._alert
        running = alert.playbook if alert is not None else None
        if alert is None or running is None or not self._enabled:
            return
        note = self._ask_stop(alert.customer, running.name)
        if note is None:
            return
        self.stop_requested.emit(running.run_id, note)
