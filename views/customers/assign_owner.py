"""Assign… (A) in the Customers tab: hand the customer shown to a teammate with the
Alerts tab's dialog (views/kit/assign_dialog.py) and service (services/alerts/assign.py):
the same teammates offered, and "No owner" (a customer left without one on purpose,
whom no segment rule gives an owner again), the same role rules (an account manager of a shared
workspace is refused in plain words), audited, undoable (Ctrl+Z). The Alerts tab assigns
with A in its action pane."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QPushButton, QWidget

from services.alerts.records import Undoable
from services.core.records import CustomerDetail
from views.customers.source import CustomerSource
from views.kit.assign_dialog import NO_OWNER, AssignPrompt, _ask_assign

if TYPE_CHECKING:
    from views.kit.jobs import JobRunner


class OwnerAssignment:
    """The customer pane's Assign… button and its A key (a mix-in of CustomerDetailPane,
    beside ContactMarks, whose ``_change`` runs it on the job runner and remembers it for
    Undo)."""

    _jobs: JobRunner
    _source: CustomerSource | None
    _detail: CustomerDetail | None
    _can_draft: bool
    # ContactMarks': run a change, remember it for Undo, show the customer anew.
    _change: Callable[[int, Callable[[], Undoable], str], None]
    _widget: Callable[[], QWidget]
    # Whom to assign the customer to; None: the dialog asks (tests answer for the user).
    ask_assign: AssignPrompt | None = None

    def _build_assign_button(self, content: QWidget) -> None:
        self.assign_button = QPushButton("Assign…", content)
        self.assign_button.setObjectName("assignCustomer")
        self.assign_button.setToolTip("Hand this customer to a teammate (A)")
        self.assign_button.clicked.connect(self._on_assign_triggered)
        self.assign_button.hide()
        self.assign_action = QAction("Assign…", content)
        self.assign_action.setShortcut(QKeySequence("A"))
        self.assign_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.assign_action.setEnabled(False)
        self.assign_action.triggered.connect(self._on_assign_triggered)
        self._widget().addAction(self.assign_action)

    def _update_assign(self) -> None:
        # Where this pane drafts (the Customers tab); the Alerts tab assigns with A.
        shown = self._can_draft and self._detail is not None and self._source is not None
        self.assign_button.setVisible(shown)
        self.assign_action.setEnabled(shown)

    def _on_assign_triggered(self) -> None:
        if self._detail is not None and self.assign_action.isEnabled():
            self.assign_owner(self._detail.id)

    def assign_owner(self, customer_id: int) -> None:
        """Read the teammates, ask whom to assign the customer to, then assign it
        (audited, undoable); the pane and the table then show the new owner."""
        source, d = self._source, self._detail
        if source is None or d is None or d.id != customer_id:
            return
        (
            self._jobs.operation(
                lambda _state: source.teammates(), parent=self._widget(), label="teammates"
            )
            .success(lambda names: self._ask_and_assign(source, d, names))
            .failure(self._jobs.present_error)
            .run()
        )

    def _ask_and_assign(
        self, source: CustomerSource, d: CustomerDetail, names: Sequence[str]
    ) -> None:
        if self._detail is None or self._detail.id != d.id:
            return  # another customer is on screen by now
        ask = self.ask_assign or (lambda *args: _ask_assign(self._widget(), *args, no_owner=True))
        to = ask(d.name, d.owner, names)
        if to:
            owner = None if to == NO_OWNER else to  # "No owner": nobody's, on purpose
            self._change(d.id, lambda: source.assign_customer(d.id, owner), "assign")
