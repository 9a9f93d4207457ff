"""A conversation, opened from the customer's timeline: what it was, when and with whom
(and how that person was matched), the summary with how it was made, the risks in the
customer's own words (each a link that scrolls the transcript to the turn and marks it),
the promises (ticked ones become tasks), the customer's sentiment per topic, and the
transcript. Reading it with the model, or going back to the reading made on this
computer, is asked of the pane (views/customers/conversation_actions.py).

Signals:
    tasks_requested(numbers): "Make tasks" with these promises ticked (1, 2...).
    model_requested(): "Read with the model…".
    offline_requested(): "Back to the offline reading".
    cancel_requested(): "Cancel" while the model reads.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from services.core.formatting import format_date
from views.kit.accessibility import name
from views.kit.dialog_parts import current_theme, plain_label, set_tone
from views.kit.geometry import FitsScreen, resize_for_text

if TYPE_CHECKING:
    from services.conversations.stored import OpenedConversation, PromiseShown

LINK = "turn:"


def _feeling(value: float) -> str:
    if value <= -0.05:
        return "negative"
    if value >= 0.05:
        return "positive"
    return "neutral"


def promise_head(promise: PromiseShown) -> str:
    """ "Dana Whitfield, by Mar 5, 2027": who promised, and by when."""
    by = f"by {format_date(promise.by)}" if promise.by else "no day said"
    return f"{promise.who or 'Someone'}, {by}"


def promise_words(promise: PromiseShown) -> str:
    """ "Dana Whitfield: I will send ... (by Mar 5, 2027)"."""
    by = f"by {format_date(promise.by)}" if promise.by else "no day said"
    return f"{promise.who or 'Someone'}: {promise.what} ({by})"


class RiskLink(QLabel):
    """A risk with its quote as a link: one Tab stop, and Enter (or Space) follows it, as
    a click on the quote does."""

    def __init__(self, text: str, parent: QWidget) -> None:
        super().__init__(text, parent)
        self.link = ""
        self.setObjectName("conversationRisk")  # outlined when focused (app.qss)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        keys = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space)
        if self.link and event.key() in keys:
            self.linkActivated.emit(self.link)
            return
        super().keyPressEvent(event)


class ConversationDialog(QDialog):
    """One conversation, opened (see the module's docstring)."""

    tasks_requested = Signal(list)
    model_requested = Signal()
    offline_requested = Signal()
    cancel_requested = Signal()

    def __init__(self, conversation: OpenedConversation, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conversationDialog")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.conversation = conversation
        self.highlighted_turn: int | None = None
        self.promise_boxes: list[QCheckBox] = []
        self.risk_labels: list[RiskLink] = []

        self.header = plain_label("", self, "paneTitle")
        self.matched = plain_label("", self, "conversationMatched")
        set_tone(self.matched, "muted")

        self._details = QWidget(self)
        self._details_layout = QVBoxLayout(self._details)
        scroll = name(QScrollArea(self), "What was read out of it")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        # Its text wraps to the column's width: never a sideways scroll.
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._scroll = scroll

        self.transcript = name(QTextBrowser(self), "Transcript")
        self.transcript.setObjectName("conversationTranscript")
        self.transcript.setOpenLinks(False)
        transcript_box = QWidget(self)
        column = QVBoxLayout(transcript_box)
        column.setContentsMargins(8, 0, 0, 0)
        title = QLabel("Transcript", transcript_box)
        title.setObjectName("sectionTitle")
        column.addWidget(title)
        column.addWidget(self.transcript, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(transcript_box)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([1, 1])  # half each, whatever the window's width
        self.splitter.setChildrenCollapsible(False)

        self.status = plain_label("", self, "conversationStatus")
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)
        self.progress.setMaximumWidth(160)
        self.progress.hide()
        name(self.progress, "Reading with the model")

        self.model_button = name(
            QPushButton("Read with the model…", self),
            "Read with the model",
            "Shows what will be sent, then asks the model set up for email drafts",
        )
        self.model_button.clicked.connect(self.model_requested)
        self.offline_button = QPushButton("Back to the offline reading", self)
        self.offline_button.clicked.connect(self.offline_requested)
        self.cancel_button = QPushButton("Cancel reading", self)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.cancel_button.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        for widget in (self.model_button, self.offline_button, self.cancel_button):
            row.addWidget(widget)
        row.addWidget(self.progress)
        row.addWidget(self.status, 1)
        row.addWidget(buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.matched)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(row)
        self.show_conversation(conversation)

    # -- showing ---------------------------------------------------------------------------

    def show_conversation(self, c: OpenedConversation) -> None:
        """Show ``c`` (again, after tasks were made or it was read anew)."""
        self.conversation = c
        when = format_date(c.when.date()) if c.when else "an unknown day"
        title = f" “{c.title}”" if c.title else ""
        self.setWindowTitle(f"{c.kind_words}{title} — {c.customer}")
        self.header.setText(f"{c.kind_words}{title} · {when} · {c.customer}")
        who = c.with_name or c.with_email or "someone not known"
        how = f", matched {c.matched}" if c.matched else ""
        source = f" · from {c.file}" if c.file else ""
        self.matched.setText(f"With {who}{how}{source}")
        self.offline_button.setVisible(c.offline_kept)
        self._fill_details(c)
        self._fill_transcript()

    def _section(self, text: str) -> None:
        if self._details_layout.count():
            self._details_layout.addSpacing(10)
        label = QLabel(text, self._details)
        label.setObjectName("sectionTitle")
        self._details_layout.addWidget(label)

    def _fill_details(self, c: OpenedConversation) -> None:
        # Built anew each time: setting the scroll area's widget deletes the one before.
        self._details = QWidget(self._scroll)
        layout = self._details_layout = QVBoxLayout(self._details)
        layout.setContentsMargins(0, 0, 8, 0)
        self._section("Summary")
        summary = " ".join(c.summary) or "Nothing to summarise."
        layout.addWidget(plain_label(summary, self._details, "conversationSummary"))
        note = plain_label(c.method_note, self._details, "conversationMethod")
        set_tone(note, "muted")
        layout.addWidget(note)
        self._section("Risks the customer raised" if c.risks else "No risk raised")
        self.risk_labels = []
        for risk in c.risks:
            quote = html.escape(risk.quote)
            place = f" — {html.escape(risk.anchor)}" if risk.anchor else ""
            if risk.by_rules:  # the model missed it; the app's own rules found it
                place += " (found by the app's rules)"
            if risk.unproven:  # shown, but it raises nothing until its kind is proven
                place += f"<br><i>{html.escape(risk.unproven[:1].upper() + risk.unproven[1:])}</i>"
            linked = (
                f'<a href="{LINK}{risk.turn}">“{quote}”</a>' if risk.turn is not None
                else f"“{quote}”"
            )  # fmt: skip
            label = RiskLink(f"<b>{html.escape(risk.label)}</b>: {linked}{place}", self._details)
            label.link = f"{LINK}{risk.turn}" if risk.turn is not None else ""
            name(label, f"{risk.label}: {risk.quote}", "Enter shows it in the transcript")
            label.linkActivated.connect(self._on_risk_link_activated)
            layout.addWidget(label)
            self.risk_labels.append(label)
        self._section("Promises" if c.promises else "No promise made")
        self.promise_boxes = []
        for promise in c.promises:
            # The box says who and by when; the promise wraps beneath it (a check box's
            # own text never wraps, and would widen the column).
            box = QCheckBox(promise_head(promise), self._details)
            if promise.task_id is not None:
                box.setText(f"{promise_head(promise)} — already a task")
                box.setEnabled(False)
            name(box, promise_words(promise))
            what = plain_label(promise.what, self._details, "conversationPromise")
            what.setContentsMargins(24, 0, 0, 4)
            layout.addWidget(box)
            layout.addWidget(what)
            self.promise_boxes.append(box)
        if c.promises:
            self.make_tasks_button = name(
                QPushButton("Make tasks", self._details),
                "Make tasks",
                "One task per ticked promise, on this customer, due on the day promised",
            )
            self.make_tasks_button.clicked.connect(self._on_make_tasks_clicked)
            row = QHBoxLayout()
            row.addWidget(self.make_tasks_button)
            row.addStretch(1)
            layout.addLayout(row)
        if c.topics:
            self._section("Their sentiment per topic")
            for topic in c.topics:
                text = f"{topic.label}: {_feeling(topic.sentiment)} ({topic.sentiment:+.2f})"
                line = plain_label(text, self._details, "conversationTopic")
                set_tone(line, {"negative": "critical", "positive": "positive"}.get(
                    _feeling(topic.sentiment), "muted"))  # fmt: skip
                layout.addWidget(line)
        layout.addStretch(1)
        self._scroll.setWidget(self._details)

    def _fill_transcript(self) -> None:
        theme = current_theme(self)
        mark = theme.selection if theme.is_dark else "#fff3bf"
        parts = []
        for index, turn in enumerate(self.conversation.turns):
            who = html.escape(turn.speaker or "Unknown")
            side = " (customer)" if turn.customer else ""
            place = f'<span style="color:{theme.muted}">{html.escape(turn.anchor)}</span> '
            words = html.escape(turn.text).replace("\n", "<br>")
            style = f' style="background-color:{mark}"' if index == self.highlighted_turn else ""
            parts.append(
                f'<p id="turn-{index}"{style}><a name="turn-{index}"></a>'
                f"{place if turn.anchor else ''}<b>{who}</b>{side}: {words}</p>"
            )
        if not parts:
            parts.append("<p>This conversation kept no text.</p>")
        self.transcript.setHtml("".join(parts))

    def show_turn(self, index: int) -> None:
        """Scroll the transcript to turn ``index`` and mark it."""
        if not 0 <= index < len(self.conversation.turns):
            return
        self.highlighted_turn = index
        self._fill_transcript()
        block = self.transcript.document().findBlockByNumber(index)
        cursor = QTextCursor(block)
        self.transcript.setTextCursor(cursor)
        self.transcript.scrollToAnchor(f"turn-{index}")
        self.transcript.ensureCursorVisible()

    # -- what the pane says back -----------------------------------------------------------

    def say(self, text: str, tone: str = "") -> None:
        self.status.setText(text)
        set_tone(self.status, tone)

    def set_reading(self, busy: bool) -> None:
        """The model is reading (a busy bar and Cancel) or not."""
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.model_button.setEnabled(not busy)
        self.offline_button.setEnabled(not busy)
        if busy:
            self.say("The model is reading the conversation…", "muted")

    def ticked(self) -> list[int]:
        """The promises ticked, by number."""
        return [
            p.number
            for p, box in zip(self.conversation.promises, self.promise_boxes, strict=True)
            if box.isChecked() and box.isEnabled()
        ]

    def _on_make_tasks_clicked(self) -> None:
        numbers = self.ticked()
        if not numbers:
            self.say("Tick the promises to make tasks of first.", "warning")
            return
        self.tasks_requested.emit(numbers)

    def _on_risk_link_activated(self, link: str) -> None:
        if link.startswith(LINK):
            self.show_turn(int(link[len(LINK) :]))


class RequestPreview(QDialog):
    """Exactly what reading with the model sends, before anything is sent: Send or Cancel."""

    def __init__(self, text: str, host: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conversationRequestPreview")
        self.setWindowTitle("What will be sent")
        intro = plain_label(
            f"This is exactly what goes to {host or 'the model'}: the conversation with what "
            "your privacy settings keep on this computer replaced by “[… withheld]”. "
            "Nothing is sent until you press Send.",
            self,
            "previewIntro",
        )
        self.text = name(QPlainTextEdit(text, self), "The request")
        self.text.setReadOnly(True)
        buttons = QDialogButtonBox(self)
        send = buttons.addButton("Send", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        send.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
        resize_for_text(self, 820, 560)
        FitsScreen(self)  # a smaller screen, or one scaled to 150 % or 200 %


def ask_to_send(parent: QWidget, text: str, host: str) -> bool:
    """Show what will be sent; True when the user presses Send."""
    dialog = RequestPreview(text, host, parent)
    try:
        return dialog.exec() == QDialog.DialogCode.Accepted
    finally:
        dialog.deleteLater()
