"""What the customer pane does with the People tab's requests: a role set, a person added
(on the job runner, audited, undoable with Ctrl+Z) and an email to one person (the
composer, written to them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QAbstractItemView, QFrame, QHeaderView, QTableView, QWidget

from views.customers.people_tab import PeopleTab, tab_title

if TYPE_CHECKING:
    from services.alerts.records import Undoable
    from services.core.records import CustomerDetail
    from services.people.contacts import Person
    from views.customers.source import CustomerSource
    from views.kit.jobs import JobRunner
    from views.kit.undo import UndoHistory


class PeopleActions:
    """The People tab's actions (a mix-in of CustomerDetailPane)."""

    _jobs: JobRunner
    _source: CustomerSource | None
    _detail: CustomerDetail | None
    _undo: UndoHistory | None
    _clock: Callable[[], dt.datetime]
    people_tab: PeopleTab
    person_draft_requested: SignalInstance  # (customer id, contact id)

    def refresh(self) -> None: ...  # the pane's: read the customer anew

    def _build_people(self, content: QWidget) -> PeopleTab:
        tab = PeopleTab(content, today=lambda: self._clock().date())
        tab.role_requested.connect(self._on_role_requested)
        tab.add_requested.connect(self._on_add_requested)
        tab.write_requested.connect(self._on_write_requested)
        self.people_tab = tab
        return tab

    def _show_people(self, people: list[Person] | None, account: str) -> None:
        from services.people.contacts import recipient

        people = people or []
        chosen = recipient(people)
        self.people_tab.show_people(people, account, chosen.contact_id if chosen else None)
        tabs = getattr(self, "tabs", None)
        if tabs is not None:
            tabs.setTabText(tabs.indexOf(self.people_tab), tab_title(people))

    def _on_role_requested(self, contact_id: int, name: str, role: str) -> None:
        source, detail = self._source, self._detail
        if source is None or detail is None:
            return
        customer_id = detail.id
        self._people_change(
            lambda: source.set_contact_role(customer_id, contact_id, name, role or None),
            "set the role",
        )

    def _on_add_requested(self, name: str, email: str, title: str, role: str) -> None:
        source, detail = self._source, self._detail
        if source is None or detail is None:
            return
        customer_id = detail.id
        self._people_change(
            lambda: source.add_person(customer_id, name, email, title, role or None),
            "add the person",
        )

    def _on_write_requested(self, contact_id: int) -> None:
        if self._detail is not None:
            self.person_draft_requested.emit(self._detail.id, contact_id)

    def _people_change(self, change: Callable[[], Undoable], what: str) -> None:
        def done(undoable: Undoable) -> None:
            if self._undo is not None:
                self._undo.push(undoable, self.refresh)
            self.refresh()

        (
            self._jobs.operation(lambda _state: change(), parent=self.people_tab, label=what)
            .success(done)
            .failure(self._jobs.present_error)
            .run()
        )


def opportunity_view(parent: QWidget, model: object) -> QTableView:
    """The pane's open opportunities table (name stretched, the figures to their width)."""
    from views.kit.accessibility import name

    view = name(QTableView(parent), "Open opportunities")
    view.setModel(model)  # type: ignore[arg-type]
    view.verticalHeader().hide()
    view.setShowGrid(False)
    view.setFrameShape(QFrame.Shape.NoFrame)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    header = view.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    for column in range(1, 5):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    return view
