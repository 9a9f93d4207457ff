"""The customer pane's People tab: the account's people with their title, role and last
two-way contact, the one emails go to marked; set a role, add a person, or write to one of
them. Every change is audited, done on the job runner and undoable (Ctrl+Z).

A customer that is its own one person (a B2C book) shows that person, as before accounts
had people; roles and "Add person…" are for the people the exports or the user name.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from services.core.formatting import format_date
from services.people.vocab import CONTACT_ROLE_LABELS, CONTACT_ROLES
from views.item_models.people_table_model import PeopleTableModel
from views.kit.accessibility import name

if TYPE_CHECKING:
    from services.people.contacts import Person

# An address as add_contact takes it: something, "@", a domain with a dot, no spaces.
EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# Under this width, in widths of "M" of the pane's font, the address column is left out.
NARROW_EMS = 45
EMAIL_COLUMN = 4
# "The CRM's role": the role the user set is taken back.
CRM_ROLE = ""


def heard_words(when: dt.datetime | None, today: dt.date) -> str:
    """ "Mar 3, 2026 (12 days ago)", "today", or "never"."""
    if when is None:
        return "never"
    days = (today - when.date()).days
    if days <= 0:
        return "today"
    ago = "yesterday" if days == 1 else f"{days:,} days ago"
    return f"{format_date(when.date())} ({ago})"


class AddPersonDialog(QDialog):
    """Ask for a person to add: name, email, title and role."""

    def __init__(self, account: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add a person")
        intro = QLabel(f"A person at {account} the exports do not hold.", self)
        intro.setWordWrap(True)
        self.name_edit = name(QLineEdit(self), "Name")
        self.email_edit = name(QLineEdit(self), "Email")
        self.title_edit = name(QLineEdit(self), "Title")
        self.role_box = name(QComboBox(self), "Role")
        self.role_box.addItem("No role", None)
        for role in CONTACT_ROLES:
            self.role_box.addItem(CONTACT_ROLE_LABELS[role], role)
        form = QFormLayout()
        form.addRow("Name", self.name_edit)
        form.addRow("Email", self.email_edit)
        form.addRow("Title", self.title_edit)
        form.addRow("Role", self.role_box)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Add")
        self.ok.setEnabled(False)
        for edit in (self.name_edit, self.email_edit):
            edit.textChanged.connect(self._update_ok)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        # What is wrong with what was typed, said here: the dialog stays, nothing is lost.
        self.problem = QLabel("", self)
        self.problem.setProperty("tone", "critical")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.email_edit.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 24)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.name_edit.setFocus()

    def accept(self) -> None:
        """Add, unless the address is not one (then say so and keep everything typed)."""
        email = self.email_edit.text().strip()
        if email and not EMAIL_SHAPE.fullmatch(email):
            self.problem.setText(f"'{email}' is not an email address (name@company.com).")
            self.problem.show()
            self.email_edit.setFocus()
            self.email_edit.selectAll()
            return
        super().accept()

    def _update_ok(self) -> None:
        self.ok.setEnabled(bool(self.name_edit.text().strip() or self.email_edit.text().strip()))

    def values(self) -> tuple[str, str, str, str | None]:
        """(name, email, title, role) as typed."""
        role = self.role_box.currentData()
        return (
            self.name_edit.text().strip(),
            self.email_edit.text().strip(),
            self.title_edit.text().strip(),
            role if isinstance(role, str) else None,
        )


class PeopleTab(QWidget):
    """The account's people.

    Signals:
        role_requested(contact_id, name, role): set a role ("" for the CRM's again).
        add_requested(name, email, title, role): add a person ("" role: none).
        write_requested(contact_id): draft an email to this person.
    """

    role_requested = Signal(int, str, str)
    add_requested = Signal(str, str, str, str)
    write_requested = Signal(int)

    def __init__(self, parent: QWidget, *, today: Callable[[], dt.date]) -> None:
        super().__init__(parent)
        self.setObjectName("peopleTab")
        self._today = today
        self._people: tuple[Person, ...] = ()
        self._account = ""
        self.summary = QLabel("", self)
        self.summary.setObjectName("muted")
        self.summary.setWordWrap(True)
        self.model = PeopleTableModel(self)
        self.table = name(QTableView(self), "People")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # The title and the address share what is left, cut with "…" (their tooltips hold
        # them whole): the table never scrolls sideways, at 150 % text too.
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.table.activated.connect(lambda _index: self._on_write_clicked())
        # The selected person's own records (orders, tickets, last use of the product), in
        # words that wrap: a column would squeeze the title out of a narrow pane.
        self.activity = QLabel("", self)
        self.activity.setObjectName("muted")
        self.activity.setWordWrap(True)
        self.role_button = QPushButton("Set role", self)
        self.role_button.setObjectName("peopleRole")
        self.role_button.setToolTip("The role you give this person; it wins over the CRM's")
        self.role_menu = self._build_role_menu()
        self.role_button.setMenu(self.role_menu)
        self.write_button = QPushButton("Write to them…", self)
        self.write_button.setObjectName("peopleWrite")
        self.write_button.setToolTip("Draft an email to the selected person (Enter)")
        self.write_button.clicked.connect(self._on_write_clicked)
        self.add_button = QPushButton("Add person…", self)
        self.add_button.setObjectName("peopleAdd")
        self.add_button.clicked.connect(self._on_add_clicked)
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        buttons.addWidget(self.write_button)
        buttons.addWidget(self.role_button)
        buttons.addStretch(1)
        buttons.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        layout.addWidget(self.summary)
        layout.addWidget(self.activity)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self._update_buttons()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        """A narrow pane (larger text, a small screen) leaves the address to the row's
        tooltip and to Write to them…, so that names, titles and roles stay readable."""
        super().resizeEvent(event)
        wide_enough = self.fontMetrics().horizontalAdvance("M") * NARROW_EMS
        self.table.setColumnHidden(EMAIL_COLUMN, self.table.viewport().width() < wide_enough)

    def _build_role_menu(self) -> QMenu:
        """Set role's menu: the roles, each marked when it is the selected person's, then
        the CRM's role."""
        menu = QMenu(self.role_button)
        for role in CONTACT_ROLES:
            action = QAction(CONTACT_ROLE_LABELS[role], menu)
            action.setCheckable(True)
            action.setData(role)
            action.triggered.connect(lambda _c=False, r=role: self._ask_role(r))
            menu.addAction(action)
        menu.addSeparator()
        crm = QAction("The CRM's role", menu)
        crm.setCheckable(True)
        crm.setData(CRM_ROLE)
        crm.triggered.connect(lambda _c=False: self._ask_role(CRM_ROLE))
        menu.addAction(crm)
        return menu

    @property
    def people(self) -> tuple[Person, ...]:
        return self._people

    def show_people(self, people: Sequence[Person], account: str, writes_to: int | None) -> None:
        """Show the account's people; ``writes_to``: the contact emails go to by default."""
        kept = self.selected()  # before the list changes: the person, not the row
        self._people, self._account = tuple(people), account
        today = self._today()
        rows = []
        for person in self._people:
            role = person.role_label + (" (set by you)" if person.role_set_by_user else "")
            who = person.name or person.email or "(no name)"
            if person.contact_id is not None and person.contact_id == writes_to:
                who += "  ✉"
            # Left, bounced, now elsewhere, or gone dark, in words, where the last two-way
            # contact is read (beside the name it squeezed the titles out of a narrow pane).
            heard = person.status or heard_words(person.last_two_way, today)
            rows.append((who, person.title, role, heard, person.email))
        self.model.set_rows(rows, [not p.reachable and bool(p.email) for p in self._people])
        self.summary.setText(self._summary_words(writes_to))
        if self._people:
            # The same person stays selected when the list is read again (a role set, an
            # undo); else the first.
            same = [
                k for k, p in enumerate(self._people) if kept and p.contact_id == kept.contact_id
            ]
            self.table.selectRow(same[0] if same else 0)
        self._update_buttons()

    def _summary_words(self, writes_to: int | None) -> str:
        count = len(self._people)
        if count == 0:
            return "No one is known at this account: add a person, or import a contacts export."
        if count == 1 and self._people[0].contact_id is None:
            return (
                "This customer is their own one person. An account's people come from a "
                "contacts export (Salesforce Contact.csv, HubSpot contacts)."
            )
        chosen = next((p for p in self._people if p.contact_id == writes_to), None)
        goes = (
            f" Emails go to {chosen.name or chosen.email} (✉) unless you pick another."
            if chosen is not None
            else " No one here can be emailed."
        )
        return f"{count} people at {self._account}.{goes}"

    def selected(self) -> Person | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self._people):
            return None
        return self._people[rows[0].row()]

    def _update_buttons(self) -> None:
        person = self.selected()
        self.activity.setText(activity_line(person))
        listed = person is not None and person.contact_id is not None
        self.role_button.setEnabled(listed)
        # The menu marks the selected person's role (the CRM's when they have none of yours).
        current = person.role if person is not None and person.role_set_by_user else CRM_ROLE
        for action in self.role_menu.actions():
            if action.isCheckable():
                action.setChecked(action.data() == current)
        self.write_button.setEnabled(person is not None and person.reachable)
        self.add_button.setEnabled(bool(self._account))

    def _ask_role(self, role: str) -> None:
        person = self.selected()
        if person is None or person.contact_id is None:
            return
        self.role_requested.emit(person.contact_id, person.name or person.email, role)

    def _on_write_clicked(self) -> None:
        person = self.selected()
        if person is not None and person.reachable:
            self.write_requested.emit(person.contact_id if person.contact_id is not None else 0)

    def _on_add_clicked(self) -> None:
        dialog = AddPersonDialog(self._account, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        person, email, title, role = dialog.values()
        self.add_requested.emit(person, email, title, role or "")


def activity_line(person: Person | None) -> str:
    """ "Lena Fischer: 1 order · 2 tickets", or that nothing of theirs is recorded."""
    if person is None:
        return ""
    who = person.name or person.email or "This person"
    if person.activity:
        return f"{who}: {person.activity}."
    if person.contact_id is None:
        return ""  # the account's own one person: its figures are the pane's
    return f"{who}: no orders, tickets or product use of theirs recorded."


def tab_title(people: Sequence[Person]) -> str:
    """ "People (4)", or "People" for a customer that is its own one person."""
    listed = [p for p in people if p.contact_id is not None]
    return f"People ({len(listed)})" if listed else "People"


__all__ = ["AddPersonDialog", "PeopleTab", "heard_words", "tab_title"]
