"""The alert queue's "Most persuadable first" order: offered beside "Most urgent first"
only while the uplift estimates may be ranked (services.learn.uplift_records'
``UpliftReport.ranks``: the ranking has beaten a random order on past customers), that is
when the loaded alerts carry an estimate (the ``uplift`` column the window's source adds
holds them only then). Until then the order menu's tooltip says why (``uplift_note``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QObject, QSettings, Qt, SignalInstance
from PySide6.QtWidgets import QComboBox

from views.item_models.alert_list_data import AlertListData

if TYPE_CHECKING:
    from views.alerts.source import AlertSource
    from views.kit.jobs import JobRunner, TaskState

log = logging.getLogger(__name__)

PERSUADABLE = "persuadable"
PERSUADABLE_LABEL = "Most persuadable first"
# The fit waits until the list has been left alone this long (seconds): its imports and
# much of its work hold the interpreter lock, which a sort or search of the list just
# shown would wait for.
QUIET_S = 1.5
# ...when the list is this long (alerts): on a small one the fit is quick and a sort or
# search takes a few milliseconds, so it starts at once.
QUIET_FROM = 5_000
# A long list's fit also waits, this long at most (seconds), until the window's other
# tasks are done (the start-up's: the customers table's search keys, the first detail):
# its memory (hundreds of MB at 100,000 customers) then adds to no one else's.
BUSY_WAIT_S = 30.0
PERSUADABLE_TIP = (
    "Customers whose return outreach is likely to change most come first (Results ▸ Who "
    "to contact); the others follow, most urgent first"
)


SORT_TIP = "The order of the cards (remembered)"


def offered(data: AlertListData) -> bool:
    """Whether the order is offered: some alert has a ranked estimate (the service gives
    them only while UpliftReport.ranks holds)."""
    return bool(np.isfinite(data.uplift).any())


def offer_persuadable(
    combo: QComboBox, data: AlertListData, settings: QSettings | None, key: str
) -> bool:
    """Add the order to ``combo`` when the data has ranked estimates (choosing it when it
    is the saved order, ``settings``' ``key``), remove it when not (keeping the saved
    choice for when it comes back), the combo's tooltip then saying why it is not
    offered. True when the chosen order changed."""
    at = combo.findData(PERSUADABLE)
    saved = str(settings.value(key, "")) if settings is not None else ""
    before = combo.currentData()
    combo.blockSignals(True)
    try:
        if offered(data) and at < 0:
            combo.addItem(PERSUADABLE_LABEL, PERSUADABLE)
            combo.setItemData(combo.count() - 1, PERSUADABLE_TIP, Qt.ItemDataRole.ToolTipRole)
            if saved == PERSUADABLE:
                combo.setCurrentIndex(combo.count() - 1)
        elif not offered(data) and at >= 0:
            if combo.currentIndex() == at:
                combo.setCurrentIndex(0)
            combo.removeItem(at)
    finally:
        combo.blockSignals(False)
    why = "" if offered(data) else data.uplift_note
    combo.setToolTip(f"{SORT_TIP}. {PERSUADABLE_LABEL} is not offered: {why}" if why else SORT_TIP)
    return bool(combo.currentData() != before)


def fetch_estimates(
    jobs: JobRunner,
    parent: QObject,
    source: AlertSource,
    data: AlertListData,
    done: Callable[[AlertListData], None],
    changed: SignalInstance | None = None,
) -> None:
    """When the loaded list carries no estimate yet: fit the uplift model (or read its
    report) on a work thread, not the database worker the list and the cards load on (a
    fit takes seconds on a small book, minutes on 100,000 customers), then hand ``done``
    the same list with its estimates, or with why they are not ranked.

    On a long list (``QUIET_FROM`` alerts) the fit starts once the list has been left
    alone ``QUIET_S``: from now, and again from each time ``changed`` fires (the list's
    filter, sort or search changed); and once ``jobs`` runs nothing else (``BUSY_WAIT_S``
    at most)."""
    if offered(data) or data.uplift_note or not data.n:  # ranked, or known not to be
        return
    ids = data.columns["customer_id"]
    touched = [time.monotonic()]
    quiet = QUIET_S if data.n >= QUIET_FROM else 0.0

    def on_changed(*_args: object) -> None:
        touched[0] = time.monotonic()

    def task(state: TaskState) -> tuple[Any, Any, str]:
        since = time.monotonic()
        while time.monotonic() - touched[0] < quiet or (
            quiet and jobs.active_count() > 1 and time.monotonic() - since < BUSY_WAIT_S
        ):  # asleep: the lock is free (and the other tasks are this one's company)
            state.raise_if_cancelled()
            time.sleep(0.05)
        return source.load_uplift_columns(ids, state.cancelled)

    def disconnect() -> None:
        if changed is not None:
            changed.disconnect(on_changed)

    if changed is not None:
        changed.connect(on_changed)

    def arrived(columns: tuple[Any, Any, str]) -> None:
        data.set_uplift(*columns)
        if offered(data) or data.uplift_note:  # the order, or why it is not offered
            done(data)

    (
        jobs.operation(task, parent=parent, pool="work", key=("alerts.uplift", id(parent)))
        .success(arrived)
        .failure(lambda error: log.warning("No uplift estimates: %s", error))  # none offered
        .finished(disconnect)
        .run()
    )
