"""The email composer: two drafts side by side, written as you watch, for review and sending.

The dialog only shows and asks. ``app/gui/outreach/`` (its composer controller) loads the
context, streams the drafts from the provider (or fills them from the template library),
runs the checks and carries out what the user asks for (copy, open in the mail app, save
.eml, send).

Signals:
    draft_requested(goal, tone): Draft or Regenerate: write both variants again.
    stop_requested(): stop the drafts being written (what is written so far stays).
    preview_requested(goal, tone): show exactly what would be sent to the provider.
    export_requested(kind, subject, body): "copy", "mail", "eml" or "smtp", for the
        chosen variant as the user edited it.
    sent_answered(bool): "Did you send it?" answered: yes, log it as sent (True), or
        not sent (False).
    waiting_answered(bool): a draft waits in the review queue: use it (True), or write
        a new one (False).
    person_chosen(contact_id): another of the account's people picked in the To list:
        the drafts are written again to them.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from views.kit.accessibility import label_for, name
from views.kit.combo import ComboBox
from views.kit.geometry import FitsScreen, VerticalScrollArea, resize_for_text
from views.outreach.prompt_bar import PromptBar

VARIANTS = 2
EXPORT_KINDS = ("copy", "mail", "eml", "smtp")


@dataclass(frozen=True)
class ComposerHeader:
    """What the composer shows above the drafts (plain, ready-made text)."""

    customer: str  # "Olivia Martin"
    recipient: str | None  # the email address (shown on this computer only)
    goal: str
    tone: str
    goals: tuple[tuple[str, str], ...]  # (key, label)
    tones: tuple[tuple[str, str], ...]
    provider: str  # "llama3.1 via Ollama, on this computer" / "Templates (no provider set up)"
    provider_remote: bool  # the request leaves this computer
    incentive: str  # "An offer of at most $42 (10% of the predicted 12-month value)"
    blocked: str | None = None  # why nothing may be sent to this customer
    can_send_smtp: bool = False  # an SMTP server is set up
    experiment: str = ""  # the strategy a running experiment gave this alert, in words
    # The account's people it could go to (contact id, "Name <email> · Role") and the one
    # it goes to; with fewer than two, no list is shown.
    people: tuple[tuple[int, str], ...] = ()
    contact_id: int | None = None


class VariantBox(QFrame):
    """One draft: its subject, its body, where it came from and what the checks found."""

    def __init__(self, index: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("draftVariant")
        self.index = index
        self.choose = QRadioButton(f"Draft {chr(ord('A') + index)}", self)
        self.choose.setObjectName("draftChoose")
        self.source = QLabel("", self)
        self.source.setObjectName("draftSource")
        self.source.setWordWrap(True)
        self.subject = QLineEdit(self)
        self.subject.setObjectName(f"draftSubject{index}")
        self.subject.setPlaceholderText("Subject")
        name(self.subject, f"Subject of draft {chr(ord('A') + index)}")
        self.body = QPlainTextEdit(self)
        self.body.setObjectName(f"draftBody{index}")
        name(self.body, f"Draft {chr(ord('A') + index)}")
        self.body.setPlaceholderText("The draft appears here as it is written.")
        self.body.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        font = QFont(self.body.font())
        font.setPointSizeF(max(font.pointSizeF(), 10.0))
        self.body.setFont(font)
        self.checks = QLabel("", self)
        self.checks.setObjectName("draftChecks")
        self.checks.setWordWrap(True)
        self.checks.setTextFormat(Qt.TextFormat.RichText)
        top = QHBoxLayout()
        top.addWidget(self.choose)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addWidget(self.source)
        layout.addWidget(self.subject)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.checks)
        self.streaming = False
        # The subject and body as last written or kept: anything else is the user's edit.
        self._kept = ("", "")

    def edited(self) -> bool:
        """The user changed the draft since it was written (or last kept)."""
        return (self.subject.text(), self.body.toPlainText()) != self._kept

    def keep(self) -> None:
        """What is on screen is no longer an unsaved edit (it was copied, sent...)."""
        self._kept = (self.subject.text(), self.body.toPlainText())

    def clear(self, source: str) -> None:
        self.subject.clear()
        self.body.clear()
        self.keep()
        self.source.setText(source)
        self.checks.setText("")
        self.checks.setProperty("tone", "muted")

    def set_streaming(self, streaming: bool) -> None:
        self.streaming = streaming
        self.subject.setReadOnly(streaming)
        self.body.setReadOnly(streaming)

    def show_text(self, subject: str, body: str) -> None:
        if self.subject.text() != subject:
            self.subject.setText(subject)
        self.body.setPlainText(body)
        self.keep()
        bar = self.body.verticalScrollBar()
        bar.setValue(bar.maximum())

    def show_checks(self, problems: Sequence[str]) -> None:
        if problems:
            items = "".join(f"<br>• {html.escape(p)}" for p in problems)
            text = f"<b>Check before sending:</b>{items}"
            tone = "critical"
        else:
            text = (
                "Checks passed: no placeholders, offer within the cap, links only to your "
                "domains, length fine."
            )
            tone = "positive"
        self.checks.setText(text)
        self.checks.setProperty("tone", tone)
        self.checks.style().unpolish(self.checks)
        self.checks.style().polish(self.checks)


class ComposerDialog(QDialog):
    """Draft an email to one customer: two variants, the checks, and the ways to send it."""

    draft_requested = Signal(str, str)
    stop_requested = Signal()
    preview_requested = Signal(str, str)
    export_requested = Signal(str, str, str)
    sent_answered = Signal(bool)
    waiting_answered = Signal(bool)
    person_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:  # noqa: PLR0915
        super().__init__(parent)
        self.setObjectName("composer")
        self.setWindowTitle("Draft an email")
        self._header: ComposerHeader | None = None
        self._drafting = False
        # Close, Esc or the window's close with edits on screen: Keep editing (False) or
        # Discard (True). The controller gives the real question; tests answer it.
        self.confirm_discard: Callable[[], bool] = lambda: True
        self._ask_on_close = True

        self.to_label = QLabel("", self)
        self.to_label.setObjectName("composerTo")
        self.to_label.setTextFormat(Qt.TextFormat.RichText)
        # Whom at the account it goes to, when it has several people (the champion first).
        self.person = name(ComboBox(self), "To")
        self.person.setObjectName("composerPerson")
        self.person.setToolTip("Whom at the account this email goes to")
        self.person.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.person.activated.connect(self._on_person_activated)
        self.person.hide()
        self.goal = ComboBox(self)
        self.goal.setObjectName("composerGoal")
        self.tone = ComboBox(self)
        self.tone.setObjectName("composerTone")
        for combo in (self.goal, self.tone):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.provider = QLabel("", self)
        self.provider.setObjectName("muted")
        self.provider.setWordWrap(True)
        self.incentive = QLabel("", self)
        self.incentive.setObjectName("muted")
        self.incentive.setWordWrap(True)
        # When the customer's group answers best (services/lifecycle/reach.py), once read.
        self.reach = QLabel("", self)
        self.reach.setObjectName("muted")
        self.reach.setWordWrap(True)
        self.reach.hide()
        self.experiment = QLabel("", self)  # the experiment's strategy, when there is one
        self.experiment.setObjectName("composerExperiment")
        self.experiment.setWordWrap(True)
        self.experiment.hide()
        self.preview_button = QPushButton("What will be sent…", self)
        self.preview_button.setToolTip("Show exactly what goes to the provider, before it goes")
        self.preview_button.clicked.connect(self._on_preview_button_clicked)

        self.notice = QLabel("", self)
        self.notice.setObjectName("composerNotice")
        self.notice.setWordWrap(True)
        self.notice.hide()
        # The questions asked in the window, not in a box: the mail app may have the
        # focus for a while, and the answer waits (views/outreach/prompt_bar.py).
        self.sent_prompt = PromptBar("Yes, log it as sent", "Not sent", self)
        self.sent_prompt.answered.connect(self.sent_answered)
        self.waiting_prompt = PromptBar("Use it", "Write a new one", self)
        self.waiting_prompt.answered.connect(self.waiting_answered)

        self.variants = [VariantBox(i, self) for i in range(VARIANTS)]
        self.choice = QButtonGroup(self)
        for box in self.variants:
            self.choice.addButton(box.choose, box.index)
        self.variants[0].choose.setChecked(True)
        for box in self.variants:
            box.body.textChanged.connect(self._update_buttons)
        self.choice.idToggled.connect(lambda _id, _on: self._on_choice_toggled())

        self.draft_button = QPushButton("Draft", self)
        self.draft_button.setObjectName("composerDraft")
        self.draft_button.setToolTip("Write both drafts again (Ctrl+Enter)")
        self.draft_button.clicked.connect(self._on_draft_button_clicked)
        self.stop_button = QPushButton("Stop", self)
        self.stop_button.setToolTip("Stop writing (Esc keeps what is written)")
        self.stop_button.clicked.connect(self.stop_requested)
        self.copy_button = QPushButton("Copy", self)
        self.mail_button = QPushButton("Open in mail app", self)
        self.eml_button = QPushButton("Save .eml…", self)
        self.smtp_button = QPushButton("Send…", self)
        self.smtp_button.setObjectName("composerSend")
        for kind, button in zip(
            EXPORT_KINDS,
            (self.copy_button, self.mail_button, self.eml_button, self.smtp_button),
            strict=True,
        ):
            button.clicked.connect(lambda _c=False, k=kind: self.request_export(k))
        self.copy_button.setToolTip("Copy the chosen draft (subject and body)")
        self.mail_button.setToolTip("Open the chosen draft in your mail program")
        self.eml_button.setToolTip("Save the chosen draft as an .eml file")
        self.close_button = QPushButton("Close", self)
        self.close_button.clicked.connect(self.close)

        redraft = QAction(self)
        redraft.setShortcut(QKeySequence("Ctrl+Return"))
        redraft.triggered.connect(self._on_draft_button_clicked)
        self.addAction(redraft)

        form = QHBoxLayout()
        form.setSpacing(8)
        form.addWidget(label_for(QLabel("Goal", self), self.goal))
        form.addWidget(self.goal)
        form.addSpacing(8)
        form.addWidget(label_for(QLabel("Tone", self), self.tone))
        form.addWidget(self.tone)
        form.addSpacing(8)
        form.addWidget(self.draft_button)
        form.addWidget(self.stop_button)
        form.addStretch(1)
        form.addWidget(self.preview_button)
        info = QVBoxLayout()
        info.setSpacing(2)
        info.addWidget(self.provider)
        info.addWidget(self.incentive)
        info.addWidget(self.reach)
        info.addWidget(self.experiment)
        # A short screen (a desktop scaled to 200 %): the drafts scroll, the buttons stay.
        self.drafts_scroll = VerticalScrollArea(self)
        self.drafts_scroll.setObjectName("composerDrafts")
        self.drafts_scroll.setFrameShape(QFrame.Shape.NoFrame)
        drafts_box = QWidget(self.drafts_scroll)
        drafts = QHBoxLayout(drafts_box)
        drafts.setContentsMargins(0, 0, 0, 0)
        drafts.setSpacing(10)
        for box in self.variants:
            drafts.addWidget(box, 1)
        self.drafts_scroll.setWidget(drafts_box)
        bottom = QHBoxLayout()
        bottom.addWidget(self.copy_button)
        bottom.addWidget(self.mail_button)
        bottom.addWidget(self.eml_button)
        bottom.addWidget(self.smtp_button)
        bottom.addStretch(1)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.setSpacing(8)
        to_row = QHBoxLayout()
        to_row.setSpacing(8)
        to_row.addWidget(self.to_label)
        to_row.addWidget(self.person)
        to_row.addStretch(1)
        layout.addLayout(to_row)
        layout.addLayout(form)
        layout.addLayout(info)
        layout.addWidget(self.notice)
        layout.addWidget(self.waiting_prompt)
        layout.addWidget(self.sent_prompt)
        layout.addWidget(self.drafts_scroll, 1)
        layout.addLayout(bottom)
        resize_for_text(self, 1100, 720)
        FitsScreen(self)  # a smaller screen, or one scaled to 150 % or 200 %
        self._on_choice_toggled()
        self.set_drafting(False)

    def _on_person_activated(self, index: int) -> None:
        contact_id = self.person.itemData(index)
        header = self._header
        if isinstance(contact_id, int) and (header is None or contact_id != header.contact_id):
            self.person_chosen.emit(contact_id)

    # -- what the controller calls ------------------------------------------------------

    @property
    def header(self) -> ComposerHeader | None:
        return self._header

    def set_header(self, header: ComposerHeader) -> None:
        """Show who the email is for, the goal and tone, the provider and the offer cap."""
        self._header = header
        recipient = " (no email address)"
        if header.recipient:
            recipient = f" &lt;{html.escape(header.recipient)}&gt;"
        self.setWindowTitle(f"Draft an email to {header.customer}")
        if len(header.people) > 1:
            self.to_label.setText("<b>To:</b>")
            self.person.blockSignals(True)
            self.person.clear()
            for contact_id, label in header.people:
                self.person.addItem(label, contact_id)
            self.person.setCurrentIndex(max(self.person.findData(header.contact_id), 0))
            self.person.blockSignals(False)
            self.person.show()
        else:
            self.person.hide()
            self.to_label.setText(f"<b>To:</b> {html.escape(header.customer)}{recipient}")
        for combo, items, current in (
            (self.goal, header.goals, header.goal),
            (self.tone, header.tones, header.tone),
        ):
            combo.blockSignals(True)
            combo.clear()
            for key, label in items:
                combo.addItem(label, key)
            combo.setCurrentIndex(max(combo.findData(current), 0))
            combo.blockSignals(False)
        where = (
            "the request leaves this computer"
            if header.provider_remote
            else "nothing leaves this computer"
        )
        self.set_writer(f"Written by {header.provider}: {where}.")
        self.incentive.setText(header.incentive)
        self.experiment.setText(header.experiment)
        self.experiment.setVisible(bool(header.experiment))
        self.preview_button.setEnabled(True)
        if header.blocked:
            self.show_notice(header.blocked, "critical")
        self._update_buttons()

    def set_reach_hint(self, text: str) -> None:
        """When the customer's group answers best ("Best reached: Tuesday 9–11, 41 replies
        of 180..."), or why none is named; a suggestion: send whenever you choose."""
        self.reach.setText(text)
        self.reach.setVisible(bool(text))

    def set_writer(self, text: str) -> None:
        """Who writes the drafts on screen, in a line ("Written by llama3.1 via Ollama:
        nothing leaves this computer."); a template draft says so instead."""
        self.provider.setText(text)

    def show_notice(self, text: str, tone: str = "warning") -> None:
        """A line above the drafts: why a template was used, an error, a block."""
        self.notice.setText(text)
        self.notice.setProperty("tone", tone)
        self.notice.style().unpolish(self.notice)
        self.notice.style().polish(self.notice)
        self.notice.setVisible(bool(text))

    def clear_notice(self) -> None:
        self.notice.hide()
        self.notice.setText("")

    def ask_sent(self, question: str, detail: str) -> None:
        """Ask whether the email taken to the mail app (or saved, or copied) was sent."""
        self.sent_prompt.ask(
            question,
            detail,
            tip="Nothing is logged until you say so. Logged, it counts as contact: the "
            "alert moves to in progress and the quiet period starts.",
        )

    def offer_waiting(self, question: str, detail: str) -> None:
        """Offer the draft waiting in the review queue instead of writing a new one."""
        self.waiting_prompt.ask(question, detail)
        self.waiting_prompt.focus_answer()

    def set_drafting(self, drafting: bool) -> None:
        """While drafts are written: Stop is on, Draft and the sends wait."""
        self._drafting = drafting
        self._update_buttons()

    @property
    def drafting(self) -> bool:
        return self._drafting

    def start_variant(self, index: int, source: str) -> None:
        box = self.variants[index]
        box.clear(source)
        box.set_streaming(True)
        box.show()

    def show_text(self, index: int, subject: str, body: str) -> None:
        """The draft so far (called as the text streams in)."""
        self.variants[index].show_text(subject, body)

    def finish_variant(
        self, index: int, subject: str, body: str, source: str, problems: Sequence[str]
    ) -> None:
        """A finished draft: editable, with where it came from and what the checks found."""
        box = self.variants[index]
        box.set_streaming(False)
        box.show_text(subject, body)
        box.body.verticalScrollBar().setValue(0)
        box.source.setText(source)
        box.show_checks(problems)
        self._update_buttons()

    def stop_variant(self, index: int, message: str) -> None:
        """A draft stopped or failed: what was written stays, editable, with a note."""
        box = self.variants[index]
        box.set_streaming(False)
        box.checks.setText(html.escape(message))
        box.checks.setProperty("tone", "warning")
        box.checks.style().unpolish(box.checks)
        box.checks.style().polish(box.checks)
        self._update_buttons()

    def hide_variant(self, index: int) -> None:
        """One draft only (the template library has one template per goal)."""
        box = self.variants[index]
        box.set_streaming(False)
        box.hide()
        if box.choose.isChecked():
            self.variants[0].choose.setChecked(True)

    def chosen(self) -> int:
        return max(self.choice.checkedId(), 0)

    def has_unsaved_edits(self) -> bool:
        """A shown draft holds changes the user typed that were not copied or sent."""
        return any(box.edited() for box in self.variants if not box.isHidden())

    def keep_edits(self) -> None:
        """The drafts as edited were used (copied, opened, saved, sent): closing now
        loses nothing, and asks nothing."""
        for box in self.variants:
            box.keep()

    def close_without_asking(self) -> bool:
        """Close even with unsaved edits (the workspace closes, the app quits)."""
        self._ask_on_close = False
        try:
            return self.close()
        finally:
            self._ask_on_close = True

    def chosen_text(self) -> tuple[str, str]:
        box = self.variants[self.chosen()]
        return box.subject.text().strip(), box.body.toPlainText().strip()

    def request_export(self, kind: str) -> None:
        """Copy, open, save or send the chosen draft as edited (a button, or a test)."""
        if kind not in EXPORT_KINDS or not self._can_export(kind):
            return
        subject, body = self.chosen_text()
        self.export_requested.emit(kind, subject, body)

    # -- internals ------------------------------------------------------------------------

    def _can_export(self, kind: str) -> bool:
        header = self._header
        if header is None or self._drafting:
            return False
        subject, body = self.chosen_text()
        if not body:
            return False
        if kind == "copy":
            return True
        if header.blocked or not header.recipient:
            return False
        return kind != "smtp" or header.can_send_smtp

    def _update_buttons(self) -> None:
        ready = self._header is not None
        self.draft_button.setEnabled(ready and not self._drafting)
        self.draft_button.setText("Regenerate" if self._has_text() else "Draft")
        self.stop_button.setEnabled(self._drafting)
        self.goal.setEnabled(not self._drafting)
        self.tone.setEnabled(not self._drafting)
        for kind, button in zip(
            EXPORT_KINDS,
            (self.copy_button, self.mail_button, self.eml_button, self.smtp_button),
            strict=True,
        ):
            button.setEnabled(self._can_export(kind))
        header = self._header
        if header is not None and not header.can_send_smtp:
            self.smtp_button.setToolTip("Set up an SMTP server in Settings ▸ Sending email")
        else:
            self.smtp_button.setToolTip("Send the chosen draft through your SMTP server")

    def _has_text(self) -> bool:
        return any(box.body.toPlainText().strip() for box in self.variants)

    def _on_draft_button_clicked(self) -> None:
        if self._header is None or self._drafting:
            return
        self.draft_requested.emit(self.goal.currentData(), self.tone.currentData())

    def _on_preview_button_clicked(self) -> None:
        if self._header is not None:
            self.preview_requested.emit(self.goal.currentData(), self.tone.currentData())

    def _on_choice_toggled(self) -> None:
        for box in self.variants:
            box.setProperty("chosen", box.choose.isChecked())
            box.style().unpolish(box)
            box.style().polish(box)
        self._update_buttons()

    def refresh_buttons(self) -> None:
        """Re-check which buttons apply (after an edit of the chosen draft, say)."""
        self._update_buttons()

    def keyPressEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        # Esc stops a draft being written; otherwise it closes, as in any dialog.
        if event.key() == Qt.Key.Key_Escape and self._drafting:
            self.stop_requested.emit()
            return
        super().keyPressEvent(event)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        # Back from the mail app: the question waiting for an answer has the focus.
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self.sent_prompt.focus_answer()
        super().changeEvent(event)

    def reject(self) -> None:
        # Close, Esc and the window's close all end here (QDialog.closeEvent calls it):
        # edits the user typed are not dropped without asking.
        if self._ask_on_close and self.has_unsaved_edits() and not self.confirm_discard():
            return  # Keep editing: the dialog stays, its text and undo history intact
        if self._drafting:
            self.stop_requested.emit()
        super().reject()


class RequestPreviewDialog(QDialog):
    """Exactly what would be sent to the provider, with Send / Use the template / Cancel.

    Shown on demand, and before the first request to a provider off this computer.
    ``result_choice`` is "send", "template" or "cancel" after it closes.
    """

    def __init__(
        self, text: str, *, host: str, asking: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("requestPreview")
        self.setWindowTitle("What will be sent")
        self.result_choice = "cancel"
        intro = QLabel(
            f"This is the exact request that goes to <b>{html.escape(host)}</b>. "
            "Fields you did not allow in Settings ▸ Email drafting are left out; "
            "the API key is not shown."
            + (
                " Long customer texts are cut to keep the request short: "
                "<i>[cut: N more characters]</i> marks each place."
                if "more characters]" in text
                else ""
            )
            + (" Nothing has been sent yet." if asking else ""),
            self,
        )
        intro.setWordWrap(True)
        self.text = QPlainTextEdit(text, self)
        self.text.setObjectName("requestText")
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.text.setFont(mono)
        buttons = QDialogButtonBox(self)
        if asking:
            self.send_button = buttons.addButton(
                f"Send to {host}", QDialogButtonBox.ButtonRole.AcceptRole
            )
            self.template_button = buttons.addButton(
                "Use the template instead", QDialogButtonBox.ButtonRole.ActionRole
            )
            buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
            self.send_button.clicked.connect(lambda: self._done("send"))
            self.template_button.clicked.connect(lambda: self._done("template"))
        else:
            buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
        resize_for_text(self, 860, 640)
        FitsScreen(self)  # a smaller screen, or one scaled to 150 % or 200 %

    def _done(self, choice: str) -> None:
        self.result_choice = choice
        self.accept()


class RecipientDialog(QDialog):
    """Confirm (or correct) the recipient before anything leaves."""

    def __init__(
        self, customer: str, recipient: str, action: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Confirm the recipient")
        label = QLabel(f"{html.escape(action)} to <b>{html.escape(customer)}</b> at:", self)
        label.setWordWrap(True)
        self.address = QLineEdit(recipient, self)
        self.address.setObjectName("recipientAddress")
        self.address.setMinimumWidth(360)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(action)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.address)
        layout.addWidget(buttons)
