"""The start-up order: the customers table first, the rest of the window's reads after it.

At start-up the table's columns were read while Qt loaded (app/gui/preload.py). Every
other screen (alerts, My work, the digest, the checklist, the update check...) queues
reads on the same single database worker, and their first reads import pandas and
scikit-learn: started with the table, they compete with it for the one interpreter lock
and the first paint waits. So they start once the table's load has ended, shown or
failed, and the event loop has painted it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer

from views.customers.pane import CustomersPane


def after_table_settles(pane: CustomersPane, fn: Callable[[], None]) -> None:
    """Call ``fn`` once, after the pane's table load in flight ends and is painted."""

    def settled() -> None:
        pane.table_settled.disconnect(settled)
        # A zero timer runs after the repaint the new table posted: the table shows first.
        QTimer.singleShot(0, pane, fn)

    pane.table_settled.connect(settled)
