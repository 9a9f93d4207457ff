"""Open a help-desk ticket… (``TicketDialog``): the ticket prefilled from the alert (the
requester, the subject, the reason in words, the priority from the severity, the tags),
every field editable, the help desk it is for and where it goes. Save hands the edited
fields to the controller, which writes the file through the job runner. For an email to
the help desk, Send hands them over to be sent through the SMTP settings, off the window's
thread: the dialog says it is sending (Stop waiting drops the wait), and keeps every field
when it could not, with the reason under them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from services.crm_files.records import TicketDraft
from views.kit.confirm import ask_keep_or_discard, ask_yes_cancel
from views.kit.dialog_parts import set_tone

# help desk -> (its name in the list, the file's suffix)
HELPDESK_CHOICES = {
    "zendesk": ("Zendesk (its ticket import, .json)", ".json"),
    "freshdesk": ("Freshdesk (its ticket fields, .csv)", ".csv"),
    "email": ("An email to the help desk (saved as .eml, or sent)", ".eml"),
}
PRIORITY_CHOICES = ("low", "normal", "high", "urgent")


class TicketDialog(QDialog):
    """The ticket to edit, and where it goes.

    Signals:
        save_requested(object, str, str, str): Save was pressed: the edited TicketDraft,
            the help desk, the file and the help desk's address ("" unless email).
        send_requested(object, str): Send was pressed (an email): the edited TicketDraft
            and the help desk's address.
        stop_requested(): Stop waiting was pressed while sending.
    """

    save_requested = Signal(object, str, str, str)
    send_requested = Signal(object, str)
    stop_requested = Signal()

    def __init__(self, draft: TicketDraft, folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Open a help-desk ticket")
        self.setMinimumWidth(600)
        self._draft = draft
        self._folder = folder
        self.helpdesk = QComboBox(self)
        for key, (label, _suffix) in HELPDESK_CHOICES.items():
            self.helpdesk.addItem(label, key)
        self.address = QLineEdit(self)
        self.address.setPlaceholderText("support@yourcompany.com")
        self.requester = QLineEdit(draft.requester_name, self)
        self.requester_email = QLineEdit(draft.requester_email or "", self)
        self.subject = QLineEdit(draft.subject, self)
        self.description = QPlainTextEdit(draft.description, self)
        self.description.setMinimumHeight(140)
        self.priority = QComboBox(self)
        self.priority.addItems([p.capitalize() for p in PRIORITY_CHOICES])
        self.priority.setCurrentIndex(PRIORITY_CHOICES.index(draft.priority))
        self.tags = QLineEdit(", ".join(draft.tags), self)
        self.path = QLineEdit(self)
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.sending, self.busy, self.stop_button = self._sending_parts()
        form = QFormLayout()
        form.addRow("Help desk", self.helpdesk)
        form.addRow("Its address", self.address)
        form.addRow("Requester", self.requester)
        form.addRow("Their address", self.requester_email)
        form.addRow("Subject", self.subject)
        form.addRow("Description", self.description)
        form.addRow("Priority", self.priority)
        form.addRow("Tags", self.tags)
        form.addRow("Save to", self.path)
        self._form = form
        buttons = QDialogButtonBox(self)
        self.save_button = buttons.addButton("Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.send_button = buttons.addButton("Send", QDialogButtonBox.ButtonRole.ActionRole)
        self.send_button.setToolTip(
            "Send the ticket to the help desk's address through the mail server of "
            "Settings ▸ Sending email"
        )
        self.send_button.clicked.connect(self._on_send_clicked)
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        # Enter never cancels: after Send is refused the focus must not sit on Cancel.
        cancel.setAutoDefault(False)
        self.save_button.setDefault(True)
        buttons.accepted.connect(self._on_save_clicked)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        waiting = QHBoxLayout()
        waiting.addWidget(self.sending, 1)
        waiting.addWidget(self.stop_button)
        layout.addLayout(waiting)
        layout.addWidget(self.busy)
        layout.addWidget(buttons)
        self.helpdesk.currentIndexChanged.connect(self._on_helpdesk_changed)
        self._on_helpdesk_changed()
        # Asked before typed fields are dropped (Cancel, Esc, the close button); the
        # controller gives the real question, tests their answer.
        self.confirm_discard: Callable[[], bool] = lambda: True
        # Asks before an existing file is replaced (tests answer for the person).
        self.ask_replace: Callable[[QWidget | None, str, str], bool] = ask_yes_cancel
        self.replace = False
        self._as_opened = self.edited()
        self._sending = False

    def _sending_parts(self) -> tuple[QLabel, QProgressBar, QPushButton]:
        """What shows while the ticket is on its way: to whom, a wait, Stop waiting."""
        sending = QLabel(self)
        sending.setWordWrap(True)
        sending.hide()
        busy = QProgressBar(self)
        busy.setRange(0, 0)  # no fraction to show: the server answers or not
        busy.setTextVisible(False)
        busy.setMaximumHeight(6)
        busy.hide()
        stop = QPushButton("Stop waiting", self)
        stop.setToolTip("Stop waiting for the mail server (an email it already took still arrives)")
        stop.clicked.connect(self.stop_requested.emit)
        stop.hide()
        return sending, busy, stop

    def chosen_helpdesk(self) -> str:
        return str(self.helpdesk.currentData())

    def edited(self) -> TicketDraft:
        """The ticket as the fields now say it."""
        from dataclasses import replace

        tags = tuple(t.strip() for t in self.tags.text().split(",") if t.strip())
        return replace(
            self._draft,
            requester_name=self.requester.text().strip() or self._draft.requester_name,
            requester_email=self.requester_email.text().strip() or None,
            subject=self.subject.text().strip(),
            description=self.description.toPlainText().strip(),
            priority=PRIORITY_CHOICES[self.priority.currentIndex()],
            tags=tags,
        )

    def has_edits(self) -> bool:
        """Whether a field was changed since the dialog opened."""
        return self.edited() != self._as_opened

    def saved(self) -> None:
        """Saved or sent: the dialog closes without asking."""
        self._as_opened = self.edited()
        self.accept()

    def reject(self) -> None:
        # Cancel, Esc and the close button end here: typed fields are not dropped unasked.
        # While it is on its way the ticket is out of the dialog's hands: closing stops the
        # wait (the outcome is still said), nothing is lost by it.
        if not self._sending and self.has_edits() and not self.confirm_discard():
            return
        super().reject()

    def set_problem(self, text: str) -> None:
        """Why the ticket was not saved (the dialog stays open)."""
        self.problem.setText(text)
        set_tone(self.problem, "critical")
        self.problem.show()

    def set_sending(self, text: str) -> None:
        """Sending: say to whom, show the wait and Stop waiting; "" when it is over (the
        buttons come back, every field as it was)."""
        on = bool(text)
        self._sending = on
        self.sending.setText(text)
        self.sending.setVisible(on)
        self.busy.setVisible(on)
        self.stop_button.setVisible(on)
        self.send_button.setEnabled(not on)
        self.save_button.setEnabled(not on)
        if on:
            self.problem.hide()
        else:  # back where the person was, never on Cancel
            self.send_button.setFocus()

    def _on_helpdesk_changed(self) -> None:
        helpdesk = self.chosen_helpdesk()
        _label, suffix = HELPDESK_CHOICES[helpdesk]
        self._form.setRowVisible(self.address, helpdesk == "email")
        self.send_button.setVisible(helpdesk == "email")
        # For an email Enter in a field does nothing: Save (an .eml) or Send is a choice,
        # and a person who meant to send must not find it only saved.
        self.save_button.setDefault(helpdesk != "email")
        self.save_button.setAutoDefault(helpdesk != "email")
        self.path.setText(str(self._folder / f"ticket-alert-{self._draft.alert_id}{suffix}"))

    def _ready(self, helpdesk: str) -> str | None:
        """The help desk's address ("" unless email) when the fields allow it; else None,
        the problem said."""
        address = self.address.text().strip() if helpdesk == "email" else ""
        if helpdesk == "email" and "@" not in address:
            self.set_problem("Give the help desk's address: it opens a ticket from the email.")
            return None
        if not self.subject.text().strip():
            self.set_problem("Give the ticket a subject.")
            return None
        return address

    def _on_save_clicked(self) -> None:
        helpdesk = self.chosen_helpdesk()
        address = self._ready(helpdesk)
        if address is None:
            return
        path = self.path.text().strip()
        # A file of that name is replaced only once the person says so.
        self.replace = bool(path) and Path(path).expanduser().exists()
        if self.replace and not self.ask_replace(
            self, "Replace the file?", f"{Path(path).name} already exists. Replace it?"
        ):
            return
        self.save_requested.emit(self.edited(), helpdesk, path, address)

    def _on_send_clicked(self) -> None:
        address = self._ready("email")
        if address is not None:
            self.send_requested.emit(self.edited(), address)


def ask_discard_ticket(parent: QWidget) -> bool:
    """The ticket dialog closes with changed fields: True to discard them."""
    return ask_keep_or_discard(
        parent,
        "Discard the ticket?",
        "The ticket has changes that were not saved or sent.",
        "Discarded, they are lost.",
    )
