"""The action pane (right of the three panes): the alert, the recommended next step and
one-click actions, each with a keyboard shortcut.

The pane only asks: every action leaves as ``action_requested(alert_id, action, params)``
and the alerts view runs it on the job runner. Text and dates the user types come from
prompt functions that tests replace. When an action is refused because someone else
changed the alert meanwhile, the view shows it here (``show_notice``), above the card
in its new state, until the user acts again or moves to another card.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

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

from services.core.formatting import format_date
from views.alerts.close_notes import note_question
from views.alerts.dialogs import (
    CallPrompt,
    MentionNotePrompt,
    TaskPrompt,
    TextPrompt,
    _ask_call,
    _ask_task,
    _ask_text,
)
from views.alerts.due import due_html
from views.alerts.notice import ChangedNotice
from views.alerts.playbook_menu import PlaybookBox
from views.alerts.refusals import why_not
from views.alerts.source import (
    HOLDOUT_NOTE,
    OUTCOME_LABELS,
    OUTCOMES,
    SEVERITY_LABELS,
    STATUS_LABELS,
    AlertDetail,
    CardAlert,
)
from views.alerts.team_prompts import TeamPrompts
from views.item_models.alert_list_model import reason_text, stake_text
from views.kit import confirm_note
from views.kit.accessibility import name
from views.kit.columns import ColumnsLayout
from views.kit.confirm import ask_yes_cancel
from views.kit.confirm_note import NotePrompt
from views.kit.formatting import as_utc, utc_now
from views.kit.geometry import VerticalScrollArea
from views.kit.theme import LIGHT, Theme

# (key, label) of the snooze choices; the key is what the view turns into a date.
SNOOZE_CHOICES = (
    ("1d", "For 1 day"),
    ("1w", "For 1 week"),
    ("1m", "For 1 month"),
    ("clear", "Until the condition clears"),
)
SNOOZE_DAYS = {"1d": 1, "1w": 7, "1m": 30}


@dataclass(frozen=True)
class ActionSpec:
    key: str
    label: str
    shortcut: str
    tip: str


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("start", "Mark in progress", "P", "You are working on it (P)"),
    ActionSpec("call", "Log a call", "C", "Write down a call with the customer (C)"),
    ActionSpec("note", "Add a note", "N", "A note on this customer (N)"),
    ActionSpec("task", "Create a task", "T", "A to-do with a due date (T)"),
    ActionSpec("snooze", "Snooze", "S", "Hide the alert for a while (S)"),
    ActionSpec("resolve", "Resolve", "R", "Close the alert with its outcome (R)"),
    ActionSpec("dismiss", "Dismiss", "D", "Not worth acting on (D)"),
    ActionSpec("reopen", "Reopen", "O", "Bring a closed or snoozed alert back (O)"),
    ActionSpec("dnc", "Do not contact…", "X", "Keep this customer out of all outreach (X)"),
    ActionSpec("assign", "Assign…", "A", "Hand this customer to a teammate (A)"),
    ActionSpec("meeting", "Schedule a meeting…", "M", "An invitation for their calendar (M)"),
)


class ActionPane(QWidget):
    """The selected alert, the recommended next step and the actions.

    Signals:
        action_requested(alert_ids, action, params): the user chose an action for the
            card shown (its alerts' ids, most urgent first); ``action`` is one of
            AlertSource.apply_alert_action's names, ``params`` its arguments.
        draft_requested(alert_id, customer_id): "Draft email": open the composer.
        action_refused(text): a key that does nothing here, and why ("Already in
            progress"), for the status bar.
    """

    action_requested = Signal(list, str, dict)
    action_refused = Signal(str)
    draft_requested = Signal(int, int)
    # A held-out alert's customer contacted anyway: (alert id, customer id, why).
    holdout_draft_requested = Signal(int, int, str)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        ask_text: TextPrompt | None = None,
        ask_task: TaskPrompt | None = None,
        ask_call: CallPrompt | None = None,
        ask_note: NotePrompt | None = None,
        confirm: Callable[[str, str], bool] | None = None,
        ask_mention_note: MentionNotePrompt | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
        team: TeamPrompts | None = None,
    ) -> None:
        super().__init__(parent)
        self.team = team or TeamPrompts.asking(self)  # Assign… and Schedule a meeting…
        self._alert: AlertDetail | None = None
        self._confirm = confirm  # (title, question) -> Yes; None: a message box asks
        # Dismiss, Resolve and Do not contact: a question and an optional note (the why).
        self._ask_note: NotePrompt = ask_note or (
            lambda title, question, button: confirm_note.ask_note(self, title, question, button)
        )
        # A call's words and a note offer the card's teammates after "@" (mentions).
        self._ask_call = ask_call or (lambda customer: _ask_call(self, customer, self._team()))
        self._theme: Theme = LIGHT
        self._clock = clock
        self._ask_text: TextPrompt = ask_text or self._text_dialog
        # Add a note: None: the note dialog (teammates after "@"), or a text prompt given.
        self._ask_mention_note = ask_mention_note
        self._ask_task = ask_task or (lambda customer: _ask_task(self, customer))
        self._busy = False
        # The composer is wired in by the app (a window without it shows no button).
        self._can_draft = False
        # "Maya Lopez changed this alert 2 minutes ago: ...": an action refused because
        # the card changed under the user; above what scrolls, so it is seen at once.
        self.notice = ChangedNotice(self)

        self._build_header()
        self._build_next_step()
        grid = self._build_action_buttons()
        self._build_menus()
        self._build_held_back()
        self._build_draft()
        self.playbooks = PlaybookBox(  # the customer's playbook, or "Start playbook…"
            self, ask_text=lambda t, q: self._ask_text(t, q), today=lambda: self._clock().date()
        )
        self.playbooks.refused.connect(self.action_refused)
        self.playbooks.start_requested.connect(
            lambda key, why: self._request("playbook", {"key": key, "holdout_reason": why})
        )
        self.playbooks.stop_requested.connect(
            lambda run, note: self._request("stop_playbook", {"run_id": run, "note": note})
        )
        history_heading = self._build_history()
        self._lay_out(grid, history_heading)
        self.show_alert(None)

    def _build_header(self) -> None:
        """The alert's title, its status line and its reasons."""
        self.title = QLabel("", self)
        self.title.setObjectName("actionTitle")
        self.title.setWordWrap(True)
        self.meta = QLabel("", self)
        self.meta.setObjectName("muted")
        self.meta.setWordWrap(True)
        self.reason = QLabel("", self)
        self.reason.setObjectName("alertReason")
        self.reason.setWordWrap(True)
        self.reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def _build_next_step(self) -> None:
        """The recommended next step's box, with what blocks outreach and the quiet period."""
        self.next_box = QFrame(self)
        self.next_box.setObjectName("nextStep")
        self.next_heading = QLabel("RECOMMENDED NEXT STEP", self.next_box)
        self.next_heading.setObjectName("tileCaption")
        self.next_heading.setWordWrap(True)  # larger text: two lines, not a wider pane
        self.next_title = QLabel("", self.next_box)
        self.next_title.setObjectName("nextStepTitle")
        self.next_title.setWordWrap(True)
        self.next_detail = QLabel("", self.next_box)
        self.next_detail.setWordWrap(True)
        self.blocked = QLabel("", self.next_box)
        self.blocked.setObjectName("outreachBlocked")
        self.blocked.setWordWrap(True)
        box = QVBoxLayout(self.next_box)
        box.setContentsMargins(12, 10, 12, 10)
        box.setSpacing(4)
        box.addWidget(self.next_heading)
        box.addWidget(self.next_title)
        box.addWidget(self.next_detail)
        box.addWidget(self.blocked)
        # The quiet period after contact can always be ended early, with a reason.
        self.quiet_button = QPushButton("End the quiet period…", self.next_box)
        self.quiet_button.setObjectName("action_end_quiet")
        self.quiet_button.setToolTip(
            "Contact them before the quiet period ends: say why (the history keeps it)"
        )
        self.quiet_button.clicked.connect(lambda _c=False: self.trigger("end_quiet"))
        self.quiet_button.hide()
        box.addWidget(self.quiet_button, 0, Qt.AlignmentFlag.AlignLeft)

    def _build_action_buttons(self) -> ColumnsLayout:
        """A button and a shortcut per action, two to a row (one when the pane is too
        narrow for two whole, as with larger text); returns their layout."""
        self.buttons: dict[str, QPushButton] = {}
        self.shortcut_actions: dict[str, QAction] = {}
        grid = ColumnsLayout(columns=2, spacing=6)
        for spec in ACTIONS:
            button = QPushButton(f"{spec.label}  ({spec.shortcut})", self)
            button.setObjectName(f"action_{spec.key}")
            button.setToolTip(spec.tip)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            action = QAction(spec.label, self)
            action.setShortcut(QKeySequence(spec.shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda _c=False, k=spec.key: self.trigger(k))
            button.clicked.connect(lambda _c=False, k=spec.key: self.trigger(k))
            self.addAction(action)
            self.buttons[spec.key] = button
            self.shortcut_actions[spec.key] = action
            grid.addWidget(button)
        return grid

    def _build_menus(self) -> None:
        """The snooze and resolve choices."""
        self.snooze_menu = QMenu(self)
        for key, label in SNOOZE_CHOICES:
            self.snooze_menu.addAction(label, functools.partial(self.snooze, key))
        self.resolve_menu = QMenu(self)
        for key in OUTCOMES:  # what a user may pick ("condition cleared" is the app's)
            self.resolve_menu.addAction(OUTCOME_LABELS[key], functools.partial(self.resolve, key))

    def _build_held_back(self) -> None:
        """A held-back alert's note and its "Raise now" button and shortcut."""
        # A held-back alert is raised into today's queue before anything else is done to it.
        self.held_back_box = QLabel(
            "Held back by the daily cap per owner: this alert is not in today's queue. "
            "Raise it now to work on it.",
            self,
        )
        self.held_back_box.setObjectName("heldBackBox")
        self.held_back_box.setWordWrap(True)
        self.raise_button = QPushButton("Raise now  (A)", self)
        self.raise_button.setObjectName("action_raise")
        self.raise_button.setToolTip("Put this alert in today's queue, over the daily cap (A)")
        self.raise_button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        # No shortcut of its own: A is Assign's key, and on a held-back card it raises
        # (trigger), so that one key never has two actions (an ambiguous shortcut).
        self.raise_action = QAction("Raise now", self)
        self.raise_action.triggered.connect(lambda _c=False: self.trigger("raise"))
        self.raise_button.clicked.connect(lambda _c=False: self.trigger("raise"))
        self.addAction(self.raise_action)

    def _build_draft(self) -> None:
        """The composer's slot with its "Draft email" button and shortcut."""
        # The email composer opens from here, between the step and the history.
        self.composer_slot = QVBoxLayout()
        self.composer_slot.setObjectName("composerSlot")
        self.draft_button = QPushButton("Draft email  (E)", self)
        self.draft_button.setObjectName("action_draft")
        self.draft_button.setToolTip(
            "Write a personal email to this customer with the recommended next step (E)"
        )
        self.draft_button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.draft_action = QAction("Draft email", self)
        self.draft_action.setShortcut(QKeySequence("E"))
        self.draft_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.draft_action.triggered.connect(lambda _c=False: self.trigger("draft"))
        self.draft_button.clicked.connect(lambda _c=False: self.trigger("draft"))
        self.addAction(self.draft_action)
        self.composer_slot.addWidget(self.draft_button)
        self.draft_button.setVisible(False)

    def _build_history(self) -> QLabel:
        """The alert's history; returns its heading."""
        history_heading = QLabel("HISTORY", self)
        history_heading.setObjectName("tileCaption")
        self.history = QLabel("", self)
        self.history.setObjectName("alertHistory")
        self.history.setWordWrap(True)
        self.history.setTextFormat(Qt.TextFormat.RichText)
        self.history.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        return history_heading

    def _lay_out(self, grid: ColumnsLayout, history_heading: QLabel) -> None:
        """The empty state, what scrolls (the alert) and the footer (the actions)."""
        self.empty = QLabel("Select an alert to see what to do next.", self)
        self.empty.setObjectName("emptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)

        body = QWidget(self)
        inner = QVBoxLayout(body)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.setSpacing(10)
        inner.addWidget(self.title)
        inner.addWidget(self.meta)
        inner.addWidget(self.reason)
        inner.addWidget(self.next_box)
        inner.addWidget(self.playbooks)
        inner.addWidget(self.held_back_box)
        inner.addWidget(self.raise_button)
        inner.addWidget(history_heading)
        inner.addWidget(self.history)
        inner.addStretch(1)
        self.body = body
        self._inner, self._history_heading = inner, history_heading
        scroll = name(VerticalScrollArea(self), "Alert and what to do")  # labels scroll
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        self.scroller = scroll
        # The actions stay in view below what scrolls: on a 768-pixel laptop every button
        # and Draft email are on screen whatever the length of the reasons. With larger
        # text, where they would take over half the pane, they scroll with the alert
        # instead, under the next step (_place_footer).
        self.footer = QWidget(self)
        self.footer.setObjectName("actionFooter")
        foot = QVBoxLayout(self.footer)
        foot.setContentsMargins(0, 8, 0, 0)
        foot.setSpacing(6)
        foot.addLayout(grid)
        foot.addLayout(self.composer_slot)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 10, 10, 6)
        layout.addWidget(self.notice)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.footer)
        layout.addWidget(self.empty, 1)

    def _place_footer(self) -> None:
        """The actions below what scrolls while they take at most half the pane's height;
        else in what scrolls, between the next step and the history."""
        width = self.width() - 18  # the pane's margins
        footer = self.footer
        need = footer.heightForWidth(width) if footer.hasHeightForWidth() else -1
        docked = (need if need >= 0 else footer.sizeHint().height()) <= self.height() // 2
        if docked == (self.footer.parentWidget() is self):
            return
        if docked:
            self.footer.setParent(self)
            layout = self.layout()
            assert isinstance(layout, QVBoxLayout)
            layout.insertWidget(2, self.footer)
        else:
            self._inner.insertWidget(self._inner.indexOf(self._history_heading), self.footer)
        self.footer.setVisible(self._alert is not None)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._place_footer()

    # -- showing ------------------------------------------------------------------------

    @property
    def alert(self) -> AlertDetail | None:
        return self._alert

    def show_notice(self, alert_ids: Sequence[int], text: str) -> None:
        """Say why an action on these alerts' card was refused (someone else changed it),
        until the user acts again or another card is shown."""
        self.notice.show_for(alert_ids, text)

    def note_versions(self, versions: Mapping[int, int]) -> None:
        """This window's own action moved these alerts to these versions: the card shown
        until it reloads carries them, so that a quick next action is not refused as
        if someone else had changed it."""
        alert = self._alert
        if alert is None or not versions:
            return
        card = tuple(
            replace(a, version=versions[a.id]) if a.id in versions else a for a in alert.card
        )
        self._alert = replace(alert, card=card, version=versions.get(alert.id, alert.version))

    @property
    def notice_text(self) -> str:
        """The notice shown ("" for none)."""
        return self.notice.text() if self.notice.isVisibleTo(self) else ""

    def show_alert(self, alert: AlertDetail | None, message: str | None = None) -> None:
        """Show an alert (None: the empty state, with ``message`` if given)."""
        if alert is None or not self.notice.covers(alert.id):
            self.notice.dismiss()
        self._alert = alert
        self.playbooks.show_alert(alert)
        self.scroller.setVisible(alert is not None)
        self.footer.setVisible(alert is not None)
        self.empty.setVisible(alert is None)
        if alert is None:
            self.empty.setText(message or "Select an alert to see what to do next.")
            self._update_enabled()
            return
        severity = SEVERITY_LABELS.get(alert.severity, alert.severity)
        colour = getattr(self._theme, alert.severity, self._theme.muted)
        rules = list(dict.fromkeys(a.rule for a in alert.card)) or [alert.rule]
        self.title.setText(
            f'<span style="color:{colour}; font-weight:600">{html.escape(severity)}</span>'
            f" · {html.escape(' + '.join(rules))}{due_html(alert, self._theme)}"
        )
        status = STATUS_LABELS.get(alert.status, alert.status)
        if alert.status == "snoozed":
            if alert.snooze_until_clear:
                status = "Snoozed until the condition clears"
            elif alert.snoozed_until is not None:
                status = f"Snoozed until {format_date(as_utc(alert.snoozed_until).date())}"
        if alert.outcome and alert.status == "resolved":
            status = f"Resolved: {OUTCOME_LABELS.get(alert.outcome, alert.outcome)}"
        raised = format_date(as_utc(alert.created_at).date())
        # A held-back alert was found by the scoring but not raised (yet).
        when = "found" if alert.status == "held_back" else "raised"
        owner = alert.owner or "no owner"
        holding = [a.priority_cents for a in alert.card if not a.condition_cleared]
        stake_cents = max(
            holding or [a.priority_cents for a in alert.card] or [alert.priority_cents]
        )
        if alert.queue == "risk" and alert.risk_now_cents is not None:
            stake_cents = alert.risk_now_cents  # as on the card and the customer's tile
        stake = stake_text(alert.queue, stake_cents, alert.currency, full=True)
        self.meta.setText(f"{status} · {when} {raised} · {owner} · {stake}")
        self.reason.setText(self._reasons_html(alert))
        rec = alert.recommendation
        self.next_title.setText(rec.title)
        self.next_detail.setText(rec.detail)
        self.next_detail.setVisible(bool(rec.detail))
        offered = {"email": self.draft_button, **self.buttons}  # the experiment's channel
        for key in ("email", "call", "meeting"):
            font = offered[key].font()
            font.setBold(key == rec.channel)
            offered[key].setFont(font)
        note = alert.outreach_blocked or alert.holdout_contacted or ""
        self.blocked.setText(note)
        self.blocked.setVisible(bool(note))
        self.quiet_button.setVisible(alert.quiet_until is not None)
        lines = [
            f"<b>{html.escape(format_date(as_utc(e.when).date()))}</b> "
            f"{html.escape(e.what)} <span style='color:{self._theme.muted}'>"
            f"— {html.escape(e.who)}</span>"
            for e in alert.history
        ]
        self.history.setText("<br>".join(lines) if lines else "Nothing done yet.")
        self._update_enabled()

    def _reasons_html(self, alert: AlertDetail) -> str:
        """The card's reasons (one per rule), then why the churn risk is what it is, and a
        conflict between the signals when there is one."""
        muted, card, now = self._theme.muted, alert.card or (), alert.churn_now

        def said(a: CardAlert) -> str:  # a cleared alert's old figures are labelled so
            return html.escape(reason_text(a.reason, a.condition_cleared, alert.queue, now))

        if len(card) > 1:
            rows = "".join(
                f"<li>{said(a)} <span style='color:{muted}'>({html.escape(a.rule)}"
                + (", condition cleared" if a.condition_cleared else "")
                + ")</span></li>"
                for a in card
            )
            text = f"<b>{html.escape(alert.customer)}</b><ul style='margin-left:-20px'>{rows}</ul>"
        else:
            reason = said(card[0]) if card else html.escape(alert.reason)
            text = f"<b>{html.escape(alert.customer)}</b>: {reason}"
        risk = alert.queue == "risk"
        why, heading = (
            (alert.risk_reasons, "Behind the churn risk") if risk else (alert.drivers, "Why")
        )
        items = "".join(f"<li>{html.escape(d)}</li>" for d in why[:3])
        if items:
            text += (
                f"<div style='color:{muted}; margin-top:6px'>{heading}:</div>"
                f"<ul style='margin-left:-20px'>{items}</ul>"
            )
        if alert.conflict:
            text += f"<div style='margin-top:4px'><i>{html.escape(alert.conflict)}</i></div>"
        if alert.signal_proof:  # a relationship signal: what it was measured to be worth
            proof = alert.signal_proof[:1].upper() + alert.signal_proof[1:]
            text += (
                f"<div style='color:{muted}; margin-top:4px'>Measured: {html.escape(proof)}.</div>"
            )
        return text

    def _team(self) -> tuple[str, ...]:
        return self._alert.teammates if self._alert is not None else ()

    def _text_dialog(self, title: str, label: str) -> str | None:
        return _ask_text(self, title, label)

    def _note(self, label: str, teammates: tuple[str, ...]) -> str | None:
        """A note's text: the note dialog, whose "@" offers the card's teammates."""
        if self._ask_mention_note is not None:
            return self._ask_mention_note("Add a note", label, teammates)
        if self._ask_text != self._text_dialog:  # a prompt of the caller's answers
            return self._ask_text("Add a note", label)
        return _ask_text(self, "Add a note", label, teammates)

    def set_drafting_available(self, available: bool) -> None:
        """Show "Draft email" (the app has a composer to open)."""
        self._can_draft = available
        self.draft_button.setVisible(available)
        self._update_enabled()

    def set_busy(self, busy: bool) -> None:
        """While an action runs, the buttons wait (no double submissions)."""
        self._busy = busy
        self._update_enabled()

    def _allowed(self) -> set[str]:
        alert = self._alert
        if alert is None or self._busy:
            return set()
        if alert.status == "held_back":
            # Not in today's queue: raised first, then worked on like any other.
            return {"raise"}
        closed = alert.status in ("resolved", "dismissed")
        allowed = {"call", "note", "task", "assign"}
        if not closed:
            allowed |= {"snooze", "resolve", "dismiss"}
        if alert.status == "open":
            allowed.add("start")
        if closed or alert.status == "snoozed":
            allowed.add("reopen")
        if not alert.do_not_contact:
            allowed |= {"dnc", "meeting"}
        if not alert.outreach_blocked and self._can_draft:
            allowed.add("draft")
        if alert.quiet_until is not None:
            allowed.add("end_quiet")
        return allowed

    def _update_enabled(self) -> None:
        # The buttons show what may be done; the keys stay live, so that one which can do
        # nothing says why in the status bar (trigger) instead of nothing at all.
        allowed = self._allowed()
        self.playbooks.set_enabled(bool(allowed))
        for key, button in self.buttons.items():
            button.setEnabled(key in allowed)
        self.buttons["reopen"].setVisible("reopen" in allowed)
        held = self._alert is not None and self._alert.status == "held_back"
        self.held_back_box.setVisible(held)
        self.raise_button.setVisible(held)
        self.raise_button.setEnabled("raise" in allowed)
        self.draft_button.setEnabled("draft" in allowed)
        self.quiet_button.setEnabled("end_quiet" in allowed)
        alert = self._alert
        held_out = alert is not None and alert.holdout
        self.draft_button.setText("Contact anyway…  (E)" if held_out else "Draft email  (E)")
        if alert is not None and alert.outreach_blocked:
            self.draft_button.setToolTip(alert.outreach_blocked)
        elif held_out:
            self.draft_button.setToolTip(
                f"{HOLDOUT_NOTE} Contacting them takes them out of it; you will be asked why."
            )
        else:
            self.draft_button.setToolTip(
                "Write a personal email to this customer with the recommended next step (E)"
            )

    # -- actions ------------------------------------------------------------------------

    def _confirmed(self, title: str, question: str) -> bool:
        if self._confirm is not None:
            return self._confirm(title, question)
        return ask_yes_cancel(self, title, question)

    def trigger(self, key: str) -> None:  # noqa: C901
        """Run an action by its key (a button, its shortcut, or a test); one that cannot
        be done on this card says why (action_refused)."""
        alert = self._alert
        if key == "assign" and alert is not None and alert.status == "held_back":
            key = "raise"  # A on a held-back card: Raise now (its button says so)
        if alert is None or key not in self._allowed():
            self._refuse(key)
            return
        if key == "start":
            self._request("start", {})
        elif key == "call":
            call = self._ask_call(alert.customer)
            if call:
                outcome, said = call
                self._request("log", {"kind": "call", "outcome": outcome, "text": said})
        elif key == "note":
            text = self._note(f"Add a note for {alert.customer}:", alert.teammates)
            if text:
                self._request("log", {"kind": "note", "text": text})
        elif key == "end_quiet":
            until = format_date(as_utc(alert.quiet_until).date()) if alert.quiet_until else ""
            reason = self._ask_text(
                "End the quiet period",
                f"{alert.customer} was contacted recently; the quiet period lasts until "
                f"{until}. Why contact them now? (kept in the history)",
            )
            if reason:
                self._request("end_quiet_period", {"reason": reason})
        elif key == "task":
            answer = self._ask_task(alert.customer)
            if answer:
                self._request("task", {"text": answer[0], "due": answer[1]})
        elif key == "snooze":
            self._popup(self.snooze_menu, self.buttons["snooze"])
        elif key == "resolve":
            self._popup(self.resolve_menu, self.buttons["resolve"])
        elif key == "dismiss":
            self._close_with_note("dismiss", {})
        elif key == "reopen":
            self._request("reopen", {})
        elif key == "raise":
            # Whose alert the user saw: refused if a scoring since gave the id to another.
            self._request("raise", {"customer_id": alert.customer_id})
        elif key == "dnc":
            # Asked first (with an optional reason), as the Customers tab's Do not contact….
            self._close_with_note("do_not_contact", {})
        elif key == "draft" and alert.holdout:
            reason = self._ask_text(
                "Contact a held-out customer",
                f"{alert.customer} is in the holdout: no outreach is suggested, so that "
                "Results can show what outreach changes. Contacting them takes them out of "
                "the comparison. Why contact them? (kept in the history)",
            )
            if reason:
                self.holdout_draft_requested.emit(alert.id, alert.customer_id, reason)
        elif key == "draft":
            self.draft_requested.emit(alert.id, alert.customer_id)
        elif key in ("assign", "meeting"):
            params = self.team.ask(key, alert)
            if params is not None:
                self._request(key, params)

    def snooze(self, choice: str) -> None:
        if self._alert is None or "snooze" not in self._allowed():
            return
        if choice == "clear":
            self._request("snooze", {"until_clear": True})
            return
        until = as_utc(self._clock()).date() + dt.timedelta(days=SNOOZE_DAYS[choice])
        self._request("snooze", {"until": until})

    def resolve(self, outcome: str) -> None:
        if self._alert is None or "resolve" not in self._allowed():
            return
        self._close_with_note("resolve", {"outcome": outcome})

    def _close_with_note(self, action: str, params: dict[str, Any]) -> None:
        """Dismiss, resolve or do not contact: ask (Enter confirms), with an optional note
        the audit keeps; "won back" with no contact recorded asks whether it is so."""
        assert self._alert is not None
        title, question, button = note_question(self._alert, action, params.get("outcome"))
        note = self._ask_note(title, question, button)
        if note is None:
            return  # cancelled: nothing changes
        self._request(action, {**params, "note": note} if note else params)

    def _refuse(self, key: str) -> None:
        """Say why ``key`` does nothing on this card (the status bar shows it)."""
        text = why_not(self._alert, key, busy=self._busy, can_draft=self._can_draft)
        if text:
            self.action_refused.emit(text)

    def _popup(self, menu: QMenu, under: QWidget) -> None:
        if under.isVisible():
            menu.popup(under.mapToGlobal(under.rect().bottomLeft()))
        else:
            menu.popup(self.mapToGlobal(self.rect().center()))

    def _request(self, action: str, params: dict[str, Any]) -> None:
        assert self._alert is not None
        self.notice.dismiss()  # a new action: the last refusal is answered
        self.action_requested.emit(list(self._alert.card_ids), action, params)

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.show_alert(self._alert)
