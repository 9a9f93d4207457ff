"""The review queue: a batch's drafts one after another (app/gui/outreach/batch_controller.py
loads them and carries out what the window asks).

Left, the batch's customers with their state marks; right, the current draft: recipient,
why the customer is there (their card's reasons, last order, churn risk), subject and
body (editable), the checks. Keys: A approve, S skip, J next, K previous,
R regenerate, Ctrl+Z undo the last approve or skip (single keys do not fire while the
subject or body has the focus: Esc goes back to the list). The footer counts the states
and offers "Send approved (N)…": by SMTP at the set pace, in the mail app, or as a
folder of .eml files. A row whose sending was interrupted offers "Mark as sent" and
"Send again".

Signals:
    approve_requested(row_id, subject, body): approve this text.
    skip_requested(row_id, subject, body): leave the customer out (the text is kept).
    edited(row_id, subject, body): the text of a row the user left was changed.
    regenerate_requested(row_id): a new draft for the row.
    undo_requested(): take back the last approve or skip.
    send_requested(delivery): models.vocab.BATCH_DELIVERIES ("smtp", "mail_app",
        "eml_folder").
    mark_sent_requested(row_id), send_again_requested(row_id): an interrupted row.
    cancel_requested(): stop the drafting or sending under way.
    closed(): the window closed (the drafts are kept; the alert cards' badges follow).
    sent_answered(bool): "Did you send them?" (after Open each in the mail app or Save
        as a folder of .eml files): log them as sent (True), or not (False).
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QEvent, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from services.outreach.batch_records import (
    SKIP_BY_REVIEWER,
    STATE_LABELS,
    WAITING_STATES,
    BatchRow,
    BatchView,
    WhyInQueue,
)
from services.outreach.records import GOAL_LABELS, TONE_LABELS
from views.kit.accessibility import name
from views.kit.flow import FlowLayout
from views.kit.geometry import FitsScreen, VerticalScrollArea
from views.kit.theme import Theme
from views.kit.tiles import LineLabel
from views.outreach.batch_list_model import BatchListModel
from views.outreach.prompt_bar import PromptBar
from views.outreach.queue_why import QueueWhy

# Rows whose text the reviewer may still change: the drafts waiting in the queue.
EDITABLE = WAITING_STATES
# The list's width: at least, and as the window opens (a narrow screen: a third of it).
LIST_LEAST, LIST_WIDTH = 220, 360
OPEN_SIZE = (1200, 720)  # the window's, fitted to a smaller screen
TITLE = "Review drafts"  # with what is under way after it while drafting or sending
COUNTED = ("drafted", "approved", "skipped", "sent", "exported", "failed", "queued")


class ReviewQueueWindow(QWidget):
    """A top-level window over one batch (see the module docstring)."""

    approve_requested = Signal(int, str, str)
    skip_requested = Signal(int, str, str)
    edited = Signal(int, str, str)
    regenerate_requested = Signal(int)
    undo_requested = Signal()
    send_requested = Signal(str)
    mark_sent_requested = Signal(int)
    send_again_requested = Signal(int)
    cancel_requested = Signal()
    closed = Signal()
    sent_answered = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("reviewQueue")
        self.setWindowTitle(TITLE)
        self.resize(*OPEN_SIZE)
        FitsScreen(self)  # a smaller screen, or one scaled to 150 % or 200 %
        self._view: BatchView | None = None
        self._shown: BatchRow | None = None  # the row whose text the editors hold
        self._per_minute = 20
        self._busy = False
        self._theme: Theme | None = None
        self._why: dict[int, WhyInQueue] = {}
        self._send_at: dict[int, str] = {}  # a customer's own send time, where it differs

        top = self._build_top()
        self._build_list()
        self._build_editor()
        actions = self._build_buttons()
        split = self._build_split(actions)
        footer = self._build_footer()
        # Asked after the approved emails went to the mail app or were saved: logged only
        # on Yes.
        # The best time to send, said once for the batch (services/lifecycle/reach.py).
        self.best_time = QLabel("", self)
        self.best_time.setObjectName("reviewBestTime")
        self.best_time.setWordWrap(True)
        self.best_time.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.best_time.setToolTip(
            "The best time to send these emails, from when the app's emails were answered "
            "(Results ▸ Stages); a suggestion: the emails go when you send them"
        )
        name(self.best_time, "Best time to send")
        self.best_time.hide()
        self.sent_prompt = PromptBar("Yes, log them as sent", "Not sent", self)
        self.sent_prompt.answered.connect(self.sent_answered)
        self._lay_out(top, split, footer)
        self._build_shortcuts()
        self.set_pace(self._per_minute)
        self._busy = True
        self.set_busy(None)
        self._show(None)

    def _build_top(self) -> QHBoxLayout:
        """The title, a notice, and the progress of a drafting or sending with Cancel."""
        # The batch, its goal and tone: long at larger text, then on two lines.
        self.title = LineLabel("", self)
        self.title.setObjectName("paneTitle")
        self.busy_label = QLabel("", self)
        self.busy_label.setObjectName("rowCount")
        self.notice = QLabel("", self)
        self.notice.setObjectName("reviewNotice")
        self.notice.setWordWrap(True)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 100)
        self.progress.setMaximumWidth(260)
        self.progress.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setToolTip("Stop after the drafts or emails in flight; keep the rest")
        self.cancel_button.clicked.connect(self.cancel_requested)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.notice, 1)
        top.addWidget(self.busy_label)
        top.addWidget(self.progress)
        top.addWidget(self.cancel_button)
        return top

    def _build_list(self) -> None:
        """The batch's customers, with their state marks."""
        self.model = BatchListModel(self)
        self.list = QListView(self)
        self.list.setObjectName("reviewList")
        name(self.list, "Drafts to review")
        self.list.setModel(self.model)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setUniformItemSizes(True)
        self.list.setAlternatingRowColors(True)
        self.list.setMinimumWidth(LIST_LEAST)
        self.list.selectionModel().currentChanged.connect(self._on_list_current_changed)

    def _build_editor(self) -> None:
        """The current draft: recipient, state, subject, body and the checks."""
        self.recipient = QLabel("", self)
        self.recipient.setObjectName("reviewRecipient")
        self.recipient.setWordWrap(True)
        self.recipient.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.state_label = QLabel("", self)
        self.state_label.setObjectName("reviewState")
        self.state_label.setWordWrap(True)
        self.why = QueueWhy(self)
        self.subject = QLineEdit(self)
        self.subject.setObjectName("reviewSubject")
        name(self.subject, "Subject")
        self.subject.setPlaceholderText("Subject")
        self.body = QPlainTextEdit(self)
        self.body.setObjectName("reviewBody")
        name(self.body, "Email")
        self.checks = QLabel("", self)
        self.checks.setObjectName("reviewChecks")
        self.checks.setWordWrap(True)
        self.checks.setTextFormat(Qt.TextFormat.PlainText)

    def _build_buttons(self) -> FlowLayout:
        """Approve, skip, previous, next, regenerate and an interrupted row's two; returns
        their row (it wraps where the window is narrow: larger text, a small screen)."""

        def button(text: str, tip: str, key: str | None = None) -> QPushButton:
            widget = QPushButton(text, self)
            widget.setToolTip(f"{tip} ({key})" if key else tip)
            widget.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            return widget

        self.approve_button = button("Approve  A", "Approve this email for sending", "A")
        self.approve_button.setObjectName("primaryButton")
        self.skip_button = button("Skip  S", "Leave this customer out of the batch", "S")
        self.previous_button = button("‹ Previous  K", "The draft before", "K")
        self.next_button = button("Next  J ›", "The next draft", "J")
        self.regenerate_button = button(
            "Regenerate  R", "Write a new version of this draft (the text is replaced)", "R"
        )
        self.mark_sent_button = button(
            "Mark as sent", "It is in your Sent folder: record it as sent, once"
        )
        self.send_again_button = button(
            "Send again", "It is not in your Sent folder: send it with the next Send"
        )
        self.approve_button.clicked.connect(self.approve_current)
        self.skip_button.clicked.connect(self.skip_current)
        self.previous_button.clicked.connect(lambda: self.step_by(-1))
        self.next_button.clicked.connect(lambda: self.step_by(1))
        self.regenerate_button.clicked.connect(self.regenerate_current)
        self.mark_sent_button.clicked.connect(self._on_mark_sent_button_clicked)
        self.send_again_button.clicked.connect(self._on_send_again_button_clicked)
        actions = FlowLayout(spacing=6)
        for widget in (self.previous_button, self.next_button):
            actions.addWidget(widget)
        for widget in (
            self.mark_sent_button,
            self.send_again_button,
            self.regenerate_button,
            self.skip_button,
            self.approve_button,
        ):
            actions.add_right(widget)
        return actions

    def _build_split(self, actions: FlowLayout) -> QSplitter:
        """The list beside the draft and its buttons."""
        right = QWidget(self)
        form = QVBoxLayout(right)
        form.setContentsMargins(8, 0, 0, 0)
        form.setSpacing(6)
        form.addWidget(self.recipient)
        form.addWidget(self.state_label)
        form.addWidget(self.why)
        form.addWidget(self.subject)
        form.addWidget(self.body, 1)
        form.addWidget(self.checks)
        form.addLayout(actions)

        # A short screen (a desktop scaled to 200 %): the draft and its buttons scroll.
        self.draft_scroll = VerticalScrollArea(self)
        self.draft_scroll.setObjectName("reviewDraft")
        self.draft_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.draft_scroll.setWidget(right)
        split = self.split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.list)
        split.addWidget(self.draft_scroll)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([LIST_WIDTH, 840])
        split.setChildrenCollapsible(False)
        return split

    def _build_footer(self) -> QHBoxLayout:
        """The counts, the keys and "Send approved (N)…" with its menu."""
        self.counts = QLabel("", self)
        self.counts.setObjectName("reviewCounts")
        self.keys_hint = LineLabel(
            "A approve · S skip · J/K next/previous · R regenerate · Ctrl+Z undo · Esc close"
        )
        self.keys_hint.setObjectName("rowCount")
        self.send_button = QToolButton(self)
        self.send_button.setObjectName("sendApproved")
        self.send_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.send_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.send_menu = QMenu(self.send_button)
        self.smtp_action = QAction("", self.send_menu)
        self.smtp_action.triggered.connect(lambda: self.send_requested.emit("smtp"))
        self.mail_app_action = QAction("Open each in the mail app", self.send_menu)
        self.mail_app_action.triggered.connect(lambda: self.send_requested.emit("mail_app"))
        self.eml_action = QAction("Save as a folder of .eml files…", self.send_menu)
        self.eml_action.triggered.connect(lambda: self.send_requested.emit("eml_folder"))
        for action in (self.smtp_action, self.mail_app_action, self.eml_action):
            self.send_menu.addAction(action)
        self.send_button.setMenu(self.send_menu)
        self.close_button = QPushButton("Close", self)
        self.close_button.setObjectName("closeReview")
        self.close_button.setToolTip(
            "Close the review (Esc); the drafts are kept: Email ▸ Review drafts… opens it "
            "again where you left off"
        )
        self.close_button.clicked.connect(self.close)
        footer = QHBoxLayout()
        footer.addWidget(self.counts)
        footer.addStretch(1)
        footer.addWidget(self.keys_hint)
        self.keys_hint.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        footer.addWidget(self.send_button)
        footer.addWidget(self.close_button)
        return footer

    def _lay_out(self, top: QHBoxLayout, split: QSplitter, footer: QHBoxLayout) -> None:
        """The header above the list and draft, the footer below."""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addWidget(self.best_time)
        layout.addWidget(self.sent_prompt)
        layout.addWidget(split, 1)
        layout.addLayout(footer)

    def _build_shortcuts(self) -> None:
        """The keys of the buttons, Ctrl+Z and Esc."""
        # Single keys: a text field that has the focus takes them as typing instead.
        for key, slot in (
            ("A", self.approve_current),
            ("S", self.skip_current),
            ("J", lambda: self.step_by(1)),
            ("K", lambda: self.step_by(-1)),
            ("R", self.regenerate_current),
        ):
            QShortcut(QKeySequence(key), self, slot)
        QShortcut(QKeySequence.StandardKey.Undo, self, self.undo_requested.emit)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self._on_escape)

    # -- what the controller sets -------------------------------------------------------

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.model.set_theme(theme)
        self.state_label.setStyleSheet(f"color: {theme.muted};")
        self.approve_button.setStyleSheet(
            f"QPushButton {{ background: {theme.primary}; color: {theme.on_primary}; "
            f"border: 1px solid {theme.primary}; font-weight: 600; padding: 3px 12px; }}"
            f"QPushButton:disabled {{ background: {theme.surface_alt}; color: {theme.muted}; "
            f"border-color: {theme.border}; }}"
        )
        self._colour_checks()

    def _colour_checks(self) -> None:
        theme = self._theme
        if theme is not None:
            failed = self._shown is not None and bool(self._shown.checks)
            self.checks.setStyleSheet(f"color: {theme.warning if failed else theme.muted};")

    def set_pace(self, per_minute: int) -> None:
        """The SMTP pace the Send menu names."""
        self._per_minute = per_minute
        self.smtp_action.setText(f"Send by SMTP, {per_minute} a minute at most")

    def set_batch(self, view: BatchView) -> None:
        """Show the batch (again): the current row stays, and its text unless the row
        changed under the user's unsaved edit."""
        keep = self.current_row_id
        first = self._view is None or self._view.id != view.id
        self._view = view
        goal = GOAL_LABELS.get(view.goal or "", "Each alert's own goal")
        tone = TONE_LABELS.get(view.tone or "", "the default tone")
        source = "templates" if view.offline else "your provider"
        self.title.setText(f"{view.title} · {goal}, {tone.lower()}, by {source}")
        self.model.set_rows(view.rows)
        self._update_counts()
        row = self.model.row_of(keep) if keep is not None and not first else -1
        if row < 0:
            row = self._first_to_review()
        if row >= 0:
            index = self.model.index(row)
            if self.list.currentIndex().row() != row:
                self.list.setCurrentIndex(index)
            else:
                self._refresh_current(view.rows[row])
            self.list.scrollTo(index)
        else:
            self._show(None)

    def set_reasons(self, why: dict[int, WhyInQueue]) -> None:
        """Why each customer is in the batch, by customer id (shown beside the draft)."""
        self._why = dict(why)
        row = self._shown
        self.why.show_why(self._why.get(row.customer_id) if row is not None else None)

    def set_send_at(self, hints: dict[int, str], summary: str = "") -> None:
        """The best time to send, once over the drafts (``summary``: the time the batch's
        customers share, or why none is named), and a customer's own where their segment or
        stage names another (under the recipient). Suggestions: the sends go when the user
        sends them."""
        self._send_at = dict(hints)
        self.best_time.setText(summary)
        self.best_time.setVisible(bool(summary))
        self._show_state(self._shown)

    def set_busy(self, message: str | None, fraction: float | None = None) -> None:
        """A drafting or sending under way (message) with its progress; None: idle."""
        busy = message is not None
        self.busy_label.setText(message or "")
        # The title says it too: seen in the taskbar while another window is in front.
        title = f"{TITLE} · {message}" if message else TITLE
        if self.windowTitle() != title:
            self.setWindowTitle(title)
        if fraction is not None:
            self.progress.setValue(round(fraction * 100))
        if busy == self._busy:
            return  # progress only: nothing else to lay out again
        self._busy = busy
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self._update_counts()

    def show_notice(self, text: str) -> None:
        """A line in the header (what a delivery did, why something was refused)."""
        self.notice.setText(text)

    @property
    def current_row_id(self) -> int | None:
        index = self.list.currentIndex()
        return int(self.model.rows[index.row()].id) if index.isValid() else None

    def current_row(self) -> BatchRow | None:
        index = self.list.currentIndex()
        return self.model.rows[index.row()] if index.isValid() else None

    # -- keys and buttons ---------------------------------------------------------------

    def focus_list(self) -> None:
        self.list.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _on_escape(self) -> None:
        """Esc: from the subject or the body, back to the list; from anywhere else (the
        list, a button, nothing focused yet), close (the drafts and an edit in progress
        are kept). Which widget holds the focus when the queue opens depends on when
        the drafts arrive, so only the two text fields keep Esc for themselves."""
        if self.subject.hasFocus() or self.body.hasFocus():
            self.focus_list()
        else:
            self.close()

    def step_by(self, step: int) -> None:
        """J / K: the next or previous draft."""
        count = self.model.rowCount()
        if not count:
            return
        row = self.list.currentIndex().row()
        target = min(max(row + step, 0), count - 1) if row >= 0 else 0
        self.list.setCurrentIndex(self.model.index(target))

    def approve_current(self) -> None:
        row = self.current_row()
        if row is None or row.state not in EDITABLE:
            return
        self.approve_requested.emit(row.id, self.subject.text(), self.body.toPlainText())
        self._taken(row, "approved", None)
        self._advance()

    def skip_current(self) -> None:
        row = self.current_row()
        if row is None or row.state not in (*EDITABLE, "queued"):
            return
        self.skip_requested.emit(row.id, self.subject.text(), self.body.toPlainText())
        self._taken(row, "skipped", SKIP_BY_REVIEWER)
        self._advance()

    def regenerate_current(self) -> None:
        row = self.current_row()
        if row is None or row.state not in ("drafted", "failed") or self._busy:
            return
        self.regenerate_requested.emit(row.id)

    def _on_mark_sent_button_clicked(self) -> None:
        row = self.current_row()
        if row is not None and row.interrupted:
            self.mark_sent_requested.emit(row.id)

    def _on_send_again_button_clicked(self) -> None:
        row = self.current_row()
        if row is not None and row.interrupted:
            self.send_again_requested.emit(row.id)

    def _taken(self, row: BatchRow, state: str, reason: str | None) -> None:
        """The text went with the approve or skip: leaving the row saves nothing more.
        The row shows its new state at once, and the counts and "Send approved (N)"
        follow: the database hears of it on the controller's worker, whose reload then
        confirms it (or shows what the database kept, with the reason in the header)."""
        subject, body = self.subject.text(), self.body.toPlainText()
        taken = dataclasses.replace(
            row, subject=subject, body=body, state=state, skip_reason=reason, error=None
        )
        self._shown = taken
        view = self._view
        if view is not None:
            rows = tuple(taken if r.id == row.id else r for r in view.rows)
            self._view = dataclasses.replace(view, rows=rows)
            self.model.set_rows(rows)
            self._update_counts()

    def _advance(self) -> None:
        """After approve or skip: the next draft still to review (else the next row)."""
        row = self.list.currentIndex().row()
        rows = self.model.rows
        for i in range(row + 1, len(rows)):
            if rows[i].state == "drafted":
                self.list.setCurrentIndex(self.model.index(i))
                return
        self.step_by(1)

    # -- the current draft --------------------------------------------------------------

    def _first_to_review(self) -> int:
        rows = self.model.rows
        for state in ("drafted", "sending", "failed", "approved"):
            found = next((i for i, r in enumerate(rows) if r.state == state), -1)
            if found >= 0:
                return found
        return 0 if rows else -1

    def _dirty(self) -> bool:
        shown = self._shown
        return shown is not None and (self.subject.text(), self.body.toPlainText()) != (
            shown.subject,
            shown.body,
        )

    def _on_list_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        left = self._shown
        if left is not None and self._dirty() and left.state in EDITABLE:
            self.edited.emit(left.id, self.subject.text(), self.body.toPlainText())
        self._show(self.model.rows[current.row()] if current.isValid() else None)

    def _refresh_current(self, row: BatchRow) -> None:
        """The current row changed in the database: new text only if the user has not
        typed over the old one (or the row was drafted anew)."""
        shown = self._shown
        regenerated = shown is not None and shown.variant != row.variant
        if shown is None or not self._dirty() or regenerated:
            self._show(row)
        else:
            self._shown = row
            self._show_state(row)

    def _show(self, row: BatchRow | None) -> None:
        self._shown = row
        for widget in (self.subject, self.body):
            widget.blockSignals(True)
        if row is None:
            self.recipient.setText("No draft selected")
            self.subject.clear()
            self.body.clear()
        else:
            self.subject.setText(row.subject)
            self.body.setPlainText(row.body)
        for widget in (self.subject, self.body):
            widget.blockSignals(False)
        self._show_state(row)

    def _show_state(self, row: BatchRow | None) -> None:
        editable = row is not None and row.state in EDITABLE
        self.subject.setReadOnly(not editable)
        self.body.setReadOnly(not editable)
        self.why.show_why(self._why.get(row.customer_id) if row is not None else None)
        if row is None:
            self.state_label.setText("")
            self.checks.setText("")
        else:
            goal = GOAL_LABELS.get(row.goal or "", row.goal or "")
            send_at = self._send_at.get(row.customer_id)
            to = f"To: {row.customer} <{row.recipient or 'no address'}>"
            self.recipient.setText(f"{to}\n{send_at}" if send_at else to)
            version = f" · version {row.variant + 1}" if row.variant else ""
            who = {"llm": "written by your provider", "template": "from the template"}.get(
                row.source or "", ""
            )
            parts = [row.status_words, goal, who]
            self.state_label.setText(" · ".join(p for p in parts if p) + version)
            if row.checks:
                self.checks.setText("Checks:\n" + "\n".join(f"• {c}" for c in row.checks))
            elif row.source is not None:
                self.checks.setText("Checks: none failed.")
            else:
                self.checks.setText("")
        self._colour_checks()
        state = row.state if row is not None else None
        self.approve_button.setEnabled(state in EDITABLE and state != "approved")
        self.skip_button.setEnabled(state in (*EDITABLE, "queued"))
        self.regenerate_button.setEnabled(state in ("drafted", "failed") and not self._busy)
        self.mark_sent_button.setVisible(state == "sending")
        self.send_again_button.setVisible(state == "sending")
        current = self.list.currentIndex().row()
        self.previous_button.setEnabled(current > 0)
        self.next_button.setEnabled(0 <= current < self.model.rowCount() - 1)

    def approved_count(self) -> int:
        """How many drafts are approved (what "Send approved" sends)."""
        return int(self._view.counts.get("approved", 0)) if self._view is not None else 0

    def _update_counts(self) -> None:
        view = self._view
        if view is None:
            self.counts.setText("")
            self.send_button.setText("Send approved (0)…")
            self.send_button.setEnabled(False)
            return
        counts = view.counts
        parts = [f"{counts[s]:,} {STATE_LABELS[s].lower()}" for s in COUNTED if counts.get(s)]
        if counts.get("sending"):
            parts.append(f"{counts['sending']:,} interrupted")
        self.counts.setText(" · ".join(parts))
        approved = counts.get("approved", 0)
        self.send_button.setText(f"Send approved ({approved:,})…")
        self.send_button.setEnabled(approved > 0 and not self._busy)
        if self._shown is not None:
            self._show_state(self._shown)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if not event.spontaneous():
            QTimer.singleShot(0, self._share_split)  # after FitsScreen's fit

    def _share_split(self) -> None:
        # Fitted narrower than it opens (a small screen): the draft keeps two thirds.
        if not self.isVisible() or self.width() >= OPEN_SIZE[0]:
            return
        width = self.width() - 24  # the window's margins
        left = max(LIST_LEAST, min(LIST_WIDTH, width // 3))
        self.split.setSizes([left, width - left])

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        # Back from the mail app: the question waiting for an answer has the focus.
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self.sent_prompt.focus_answer()
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        left = self._shown
        if left is not None and self._dirty() and left.state in EDITABLE:
            self.edited.emit(left.id, self.subject.text(), self.body.toPlainText())
        super().closeEvent(event)
        self.closed.emit()
