"""The start-up order: the customers table first, the rest of the window's reads after it.

At start-up the table's columns were read while Qt loaded (app/gui/preload.py). Every
other screen (alerts, My work, the digest, the checklist, the update check...) queues
reads on the same single database worker, and their first reads import pandas and
scikit-learn: started with the table, they compete with it for the one interpreter lock
and the first paint waits. So they start once the table's load has ended, shown or
failed, and the event loop has painted it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from PySide6.QtCore import QTimer, SignalInstance

from views.customers.pane import CustomersPane


def after_table_settles(pane: CustomersPane, fn: Callable[[], None]) -> None:
    """Call ``fn`` once, after the pane's table load in flight ends and is painted."""

    def settled() -> None:
        pane.table_settled.disconnect(settled)
        # A zero timer runs after the repaint the new table posted: the table shows first.
        QTimer.singleShot(0, pane, fn)

    pane.table_settled.connect(settled)


# For the start-up benchmark of the built app (bench/bench_frozen_start.py): print a line
# when the customers table is filled, then quit.
QUIT_WHEN_POPULATED = "ACCOUNT_RADAR_QUIT_WHEN_POPULATED"


def quit_when_populated(pane: CustomersPane, quit_requested: SignalInstance) -> None:
    """Say "populated N" on stdout once the table has rows, then ask to quit (exit 0)."""
    timer = QTimer(pane)
    timer.setInterval(10)

    def check() -> None:
        if pane.model.rowCount() > 0:
            timer.stop()
            sys.stdout.write(f"populated {pane.model.rowCount()}\n")
            sys.stdout.flush()
            QTimer.singleShot(0, lambda: quit_requested.emit(0))

    timer.timeout.connect(check)
    timer.start()
