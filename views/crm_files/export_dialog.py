"""File ▸ Export ▸ Activities for the CRM… (``CrmExportDialog``): which CRM the file is for,
which activities (those logged since the last export to it, all of them, or from a date),
what that comes to (how many, of which dates: the controller says, from the workspace) and
where the file goes. Export writes it through the job runner and closes the dialog.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from services.crm_files.records import events_path_for
from views.kit.confirm import ask_yes_cancel
from views.kit.dialog_parts import set_tone
from views.kit.file_dialogs import save_file_name

# target -> (its name in the list, a file name to start from)
TARGETS = {
    "salesforce": ("Salesforce (tasks, for the Data Import Wizard or Data Loader)", "Task.csv"),
    "hubspot": ("HubSpot (activities, for HubSpot's import)", "hubspot-activities.csv"),
    "csv": ("A plain CSV file (for any other CRM or a spreadsheet)", "activities.csv"),
}
NEW, ALL, SINCE = "new", "all", "since"


class CrmExportDialog(QDialog):
    """The choices of an activities export and what they would write.

    Signals:
        plan_wanted(str, str, object): the target, the choice (new, all, since) and the
            date (a datetime.date, or None) changed: say what would be written.
        export_requested(str, str, object, str): Export was pressed: the target, the
            choice, the date and the file.
    """

    plan_wanted = Signal(str, str, object)
    export_requested = Signal(str, str, object, str)

    def __init__(self, folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export activities for the CRM")
        self.setMinimumWidth(560)
        self._folder = folder
        # Asks before an existing file is replaced (tests answer for the person); whether
        # the export may replace it.
        self.ask_replace: Callable[[QWidget | None, str, str], bool] = ask_yes_cancel
        self.replace = False
        intro = QLabel(
            "The calls, notes, emails and tasks logged in Account Radar, and the alerts' "
            "outcomes and do-not-contact marks, as a file your CRM imports. What the CRM "
            "sent in an import is never written back to it.",
            self,
        )
        intro.setWordWrap(True)
        self.target = QComboBox(self)
        for key, (label, _name) in TARGETS.items():
            self.target.addItem(label, key)
        self.new_choice = QRadioButton("Only what was logged since the last export to it", self)
        self.all_choice = QRadioButton("Everything logged in the app", self)
        self.since_choice = QRadioButton("Everything from", self)
        self.new_choice.setChecked(True)
        self._choices = QButtonGroup(self)
        for button in (self.new_choice, self.all_choice, self.since_choice):
            self._choices.addButton(button)
        self.since = QDateEdit(self)
        self.since.setCalendarPopup(True)
        self.since.setDisplayFormat("MMM d, yyyy")
        self.since.setDate(QDate.currentDate().addMonths(-1))
        self.since.setEnabled(False)
        since_row = QHBoxLayout()
        since_row.addWidget(self.since_choice)
        since_row.addWidget(self.since)
        since_row.addStretch(1)
        self.plan = QLabel("Counting…", self)
        self.plan.setObjectName("planText")
        self.plan.setWordWrap(True)
        self.path = QLineEdit(self)
        self.browse = QPushButton("Choose…", self)
        self.browse.clicked.connect(self._on_browse_clicked)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(self.browse)
        form = QFormLayout()
        form.addRow("For", self.target)
        which = QVBoxLayout()
        which.addWidget(self.new_choice)
        which.addWidget(self.all_choice)
        which.addLayout(since_row)
        form.addRow("Activities", which)
        form.addRow("Will write", self.plan)
        form.addRow("To the file", path_row)
        self.buttons = QDialogButtonBox(self)
        self.export_button = self.buttons.addButton(
            "Export", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._on_export_clicked)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.target.currentIndexChanged.connect(self._on_target_changed)
        self._choices.buttonToggled.connect(lambda *_: self._changed())
        self.since.dateChanged.connect(lambda *_: self._changed())
        self._on_target_changed()

    # --- what the controller reads and sets --------------------------------------------------

    def chosen_target(self) -> str:
        return str(self.target.currentData())

    def choice(self) -> str:
        if self.all_choice.isChecked():
            return ALL
        return SINCE if self.since_choice.isChecked() else NEW

    def since_date(self) -> dt.date | None:
        if self.choice() != SINCE:
            return None
        date = self.since.date()
        return dt.date(date.year(), date.month(), date.day())

    def set_plan(self, text: str, count: int) -> None:
        """What the choices would write, in words; Export only when there is something."""
        self.plan.setText(text)
        set_tone(self.plan, "" if count else "muted")
        self.export_button.setEnabled(count > 0 and bool(self.path.text().strip()))

    def set_problem(self, text: str) -> None:
        """Why the file was not written (the dialog stays open to choose again)."""
        self.plan.setText(text)
        set_tone(self.plan, "critical")

    # --- slots ------------------------------------------------------------------------------

    def _on_target_changed(self) -> None:
        _label, name = TARGETS[self.chosen_target()]
        current = self.path.text().strip()
        folder = Path(current).parent if current else self._folder
        self.path.setText(str(folder / name))
        self._changed()

    def _changed(self) -> None:
        self.since.setEnabled(self.since_choice.isChecked())
        self.plan.setText("Counting…")
        self.export_button.setEnabled(False)
        self.plan_wanted.emit(self.chosen_target(), self.choice(), self.since_date())

    def _on_browse_clicked(self) -> None:
        chosen, _ = save_file_name(
            self, "Export activities to", self.path.text(), "CSV files (*.csv)"
        )
        if chosen:
            self.path.setText(chosen if chosen.lower().endswith(".csv") else chosen + ".csv")

    def _on_export_clicked(self) -> None:
        path = self.path.text().strip()
        if not path:
            return
        # Salesforce's meetings go as Events to a file beside (services/crm_files/export.py).
        beside = [events_path_for(path)] if self.chosen_target() == "salesforce" else []
        there = [p for p in (Path(path).expanduser(), *beside) if p.exists()]
        self.replace = bool(there)
        names = " and ".join(p.name for p in there)
        verb = "exist" if len(there) > 1 else "exists"
        if self.replace and not self.ask_replace(
            self,
            "Replace the file?",
            f"{names} already {verb}. Replace {'them' if len(there) > 1 else 'it'}?",
        ):
            return
        self.export_requested.emit(self.chosen_target(), self.choice(), self.since_date(), path)
