"""Schedule a meeting… (M in the Alerts tab): a title, a day, a time and a duration; the
invitation (.ics, services/outreach/meeting.py) with the customer's email as attendee
and the card's reasons as notes, saved where the user says ("Save .ics…") or opened in
the calendar app. When no calendar program opens it, a box says so and where the file
is, with a button that opens its folder. The pane then logs it as a task on its day
with a follow-up the day after. ``_ask_meeting`` and the file and opening functions are
what tests replace."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QTime, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from services.outreach.invitation import DURATIONS, Meeting, meeting_description, write_invitation
from views.kit.confirm import run_dialog
from views.kit.file_dialogs import save_file_name
from views.kit.formatting import date_edit
from views.kit.geometry import FitsScreen, resize_for_text


@dataclass(frozen=True)
class MeetingAnswer:
    """What the user picked: the invitation's title, start (aware, the user's clock),
    minutes, and ``how``: "save" or "open"."""

    title: str
    start: dt.datetime
    minutes: int
    how: str


# (customer, email, reasons) -> the answer, or None when cancelled.
MeetingPrompt = Callable[[str, str | None, Sequence[str]], MeetingAnswer | None]
# The .ics path to save to (None: cancelled), given a suggested file name.
SavePathPrompt = Callable[[str], Path | None]


class MeetingDialog(QDialog):
    """The meeting's title, day, time and length, with what the invitation will say."""

    def __init__(
        self,
        customer: str,
        email: str | None,
        reasons: Sequence[str],
        parent: QWidget | None = None,
        *,
        now: dt.datetime | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Schedule a meeting")
        self.setObjectName("meetingDialog")
        self.how = ""
        local_now = (now or dt.datetime.now()).astimezone()
        self.title = QLineEdit(f"Meeting with {customer}", self)
        self.title.setObjectName("meetingTitle")
        tomorrow = local_now.date() + dt.timedelta(days=1)
        self.day = date_edit(self, tomorrow, earliest=local_now.date())
        self.time = QTimeEdit(QTime(10, 0), self)
        self.time.setDisplayFormat("HH:mm")
        self.minutes = QComboBox(self)
        for minutes in DURATIONS:
            self.minutes.addItem(f"{minutes} minutes", minutes)
        self.minutes.setCurrentIndex(DURATIONS.index(30))
        attendee = QLabel(email or "No email on file: the invitation has no attendee", self)
        attendee.setObjectName("meetingAttendee" if email else "fieldError")
        self.notes = QPlainTextEdit(meeting_description(customer, reasons), self)
        self.notes.setReadOnly(True)
        self.notes.setMaximumHeight(110)
        self.warning = QLabel("", self)
        self.warning.setObjectName("fieldError")
        self.warning.hide()
        form = QFormLayout()
        form.addRow("Title", self.title)
        form.addRow("Day", self.day)
        form.addRow("Time", self.time)
        form.addRow("Length", self.minutes)
        form.addRow("With", attendee)
        form.addRow("Notes", self.notes)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.save_button = QPushButton("Save .ics…", self)
        self.save_button.setObjectName("meetingSave")
        self.open_button = QPushButton("Open in calendar app", self)
        self.open_button.setObjectName("meetingOpen")
        self.open_button.setDefault(True)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.clicked.connect(lambda: self._choose("save"))
        self.open_button.clicked.connect(lambda: self._choose("open"))
        buttons.rejected.connect(self.reject)
        note = QLabel(
            "It is also added to your tasks on its day, with a reminder to follow up the "
            "day after.",
            self,
        )
        note.setObjectName("customerSubtitle")
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.warning)
        layout.addWidget(buttons)
        self._now = local_now
        resize_for_text(self, 520)
        FitsScreen(self)  # a smaller screen, or one scaled to 150 % or 200 %

    @property
    def start(self) -> dt.datetime:
        """The chosen start on the user's clock, as an aware moment."""
        day, time = self.day.date(), self.time.time()
        naive = dt.datetime(day.year(), day.month(), day.day(), time.hour(), time.minute())
        return naive.astimezone()

    def answer(self) -> MeetingAnswer:
        minutes = int(self.minutes.currentData())
        return MeetingAnswer(self.title.text().strip(), self.start, minutes, self.how)

    def _choose(self, how: str) -> None:
        if not self.title.text().strip():
            self._warn("Give the meeting a title.")
        elif self.start <= self._now:
            self._warn("That time has passed; choose a later one.")
        else:
            self.how = how
            self.accept()

    def _warn(self, text: str) -> None:
        self.warning.setText(text)
        self.warning.show()


def _ask_meeting(
    parent: QWidget, customer: str, email: str | None, reasons: Sequence[str]
) -> MeetingAnswer | None:
    dialog = MeetingDialog(customer, email, reasons, parent)
    if not run_dialog(dialog) or not dialog.how:
        return None
    return dialog.answer()


def file_name(customer: str, start: dt.datetime) -> str:
    """A file name for the invitation: "Meeting Ada Lo 2026-11-03.ics"."""
    safe = re.sub(r"[^\w .-]+", "", customer).strip() or "customer"
    return f"Meeting {safe} {start:%Y-%m-%d}.ics"


def _ask_save_path(parent: QWidget, suggested: str) -> Path | None:
    start = str(Path.home() / suggested)
    path, _filter = save_file_name(
        parent, "Save the invitation", start, "Calendar invitation (*.ics)"
    )
    return Path(path) if path else None


def _open_file(path: Path) -> bool:
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def unopened_box(parent: QWidget | None, path: Path) -> QMessageBox:
    """The box that says no calendar program opened the invitation, and where it is;
    its "Open its folder" button opens the file's folder."""
    box = QMessageBox(parent)
    box.setObjectName("meetingUnopened")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("No calendar program opened it")
    box.setText("No calendar program opened the invitation.")
    box.setInformativeText(
        f"It is saved as {path}. Import it into your calendar (in a web calendar: Import "
        "or Add calendar from a file), or attach it to an email to the customer. Save "
        ".ics… keeps the next one where you choose. The meeting is in your tasks either way."
    )
    folder = box.addButton("Open its folder", QMessageBox.ButtonRole.ActionRole)
    folder.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent))))
    box.addButton(QMessageBox.StandardButton.Ok)
    return box


def _tell_unopened(parent: QWidget | None, path: Path) -> None:
    box = unopened_box(parent, path)
    try:
        box.exec()
    finally:
        box.deleteLater()


def deliver_meeting(
    answer: MeetingAnswer,
    customer: str,
    email: str | None,
    reasons: Sequence[str],
    *,
    ask_path: SavePathPrompt,
    open_file: Callable[[Path], bool] = _open_file,
    unopened: Callable[[Path], None] = lambda path: _tell_unopened(None, path),
) -> Path | None:
    """Write the invitation where the user said (or to a temporary file, opened in the
    calendar app: ``unopened`` says where it is when no calendar program opened it);
    returns the file, or None when the user cancelled the save."""
    meeting = Meeting(
        title=answer.title,
        start=answer.start,
        minutes=answer.minutes,
        customer=customer,
        email=email,
        description=meeting_description(customer, reasons),
    )
    name = file_name(customer, answer.start)
    if answer.how == "save":
        path = ask_path(name)
        if path is None:
            return None
        # The save dialog asked before replacing the file it named; a name it did not
        # show (".ics" added here) is never written over.
        confirmed = path.suffix.lower() == ".ics"
        if not confirmed:
            path = path.with_name(path.name + ".ics")
        return write_invitation(path, meeting, force=confirmed)
    path = write_invitation(Path(tempfile.mkdtemp(prefix="radar-meeting-")) / name, meeting)
    if not open_file(path):
        unopened(path)
    return path
