"""The customers table follows an assignment done anywhere in the window (the Alerts
tab's Assign…, the Customers tab's, My work's, or their undo): the owner column, the
owner filter and the search read the table anew, at once if the table is on screen,
else as soon as it shows."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject

from views.customers.pane import CustomersPane
from views.kit.undo import UndoHistory


class OwnerFollower(QObject):
    """Reads the customers table anew after an assignment is done or undone."""

    def __init__(self, pane: CustomersPane, history: UndoHistory) -> None:
        super().__init__(pane)
        self._pane = pane
        self._stale = False
        history.owners_changed.connect(self._on_history_owners_changed)
        pane.installEventFilter(self)

    def _on_history_owners_changed(self) -> None:
        if self._pane.isVisible():
            self._pane.reload()
        else:
            self._stale = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802  (Qt's name)
        if watched is self._pane and event.type() == QEvent.Type.Show and self._stale:
            self._stale = False
            self._pane.reload()
        return False
