"""A date shown to people has one style ('Mar 7, 2099', services.core.formatting.format_date)
in the task editors, the alert's history, the timeline and the cards."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
from PySide6.QtCore import QDate, Qt

from services.alerts.work_records import WorkTask
from services.core.formatting import format_date
from services.core.records import TimelineEvent
from tests.gui.alerts.test_action_pane import ALERT
from tests.gui.alerts.test_alert_list_model import columns
from views.alerts.action_pane import ActionPane
from views.alerts.dialogs import TaskDialog
from views.alerts.source import AlertEvent
from views.item_models.alert_list_data import AlertFilter, AlertListData
from views.item_models.alert_list_model import AlertListModel
from views.item_models.timeline_model import TimelineModel, relative_day
from views.my_work.pane import RescheduleDialog

DAY = dt.date(2099, 3, 7)  # ahead of today: the task editors take no past date
SHOWN = "Mar 7, 2099"
MOMENT = dt.datetime(2099, 3, 7, 16, 45, tzinfo=dt.UTC)


def test_the_style_is_format_date() -> None:
    assert format_date(DAY) == SHOWN


def test_task_editors_write_the_date_as_everywhere_else(qtbot) -> None:
    dialog = TaskDialog("Noah Khan")
    qtbot.addWidget(dialog)
    dialog.due.setDate(QDate(DAY.year, DAY.month, DAY.day))
    assert dialog.due.text() == SHOWN
    task = WorkTask(
        id=1, customer_id=42, customer="Noah Khan", title="Call back", due_date=DAY,
        due_in_days=0, alert_id=7, alert="High risk, high value", alert_status="open",
        created_by="dana", owner="dana",
    )  # fmt: skip
    again = RescheduleDialog(task)
    qtbot.addWidget(again)
    # The next working day after the due date (a Saturday) is offered, written in the
    # same style.
    assert again.due.text() == "Mar 9, 2099"
    again.due.setDate(QDate(DAY.year, DAY.month, DAY.day))
    assert again.due.text() == SHOWN


def test_history_timeline_and_cards_write_it_the_same(qtbot) -> None:
    # The alert's history on the right.
    pane = ActionPane(clock=lambda: MOMENT)
    qtbot.addWidget(pane)
    pane.show_alert(
        dataclasses.replace(ALERT, history=(AlertEvent(MOMENT, "dana", "note", "Called"),))
    )
    assert f"<b>{SHOWN}</b> Called" in pane.history.text()

    # The customer's timeline: the row (an older event) and its tooltip.
    assert relative_day(MOMENT, MOMENT + dt.timedelta(days=60)) == SHOWN
    timeline = TimelineModel()
    timeline.set_events([TimelineEvent(MOMENT, "note", "Note", "Called")])
    tip = timeline.data(timeline.index(0), Qt.ItemDataRole.ToolTipRole)
    assert f"{SHOWN} at 16:45 UTC" in tip

    # A card of the list: the day it was raised, in its tooltip.
    c = columns()
    c["created_at"] = np.full(len(c["id"]), np.datetime64("2099-03-07T16:45"), "datetime64[s]")
    model = AlertListModel(clock=lambda: MOMENT)
    model.set_data(AlertListData(c, now=MOMENT))
    model.set_filter(AlertFilter(queue=None))
    assert model.rowCount() > 0
    assert f"Raised {SHOWN}" in model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
