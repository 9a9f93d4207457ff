"""Due dates the window proposes fall on working days, by the rule the alerts' time to
act counts with (services/core/working_days.py): a new task's, a rescheduled task's."""

from __future__ import annotations

import datetime as dt

from services.core.working_days import add_working_days
from views.alerts.dialogs import TaskDialog
from views.my_work.pane import RescheduleDialog
from views.my_work.source import WorkTask

MONDAY = dt.date(2026, 11, 23)
WEEK = [MONDAY + dt.timedelta(days=k) for k in range(7)]


def shown(edit) -> dt.date:  # type: ignore[no-untyped-def]
    day = edit.date()
    return dt.date(day.year(), day.month(), day.day())


def task(due: dt.date) -> WorkTask:
    return WorkTask(
        id=1, customer_id=1, customer="Ada Moss", title="Call Ada", due_date=due,
        due_in_days=0, alert_id=None, alert=None, alert_status=None, created_by=None,
        owner=None,
    )  # fmt: skip


def test_a_new_task_and_a_rescheduled_one_are_due_on_a_working_day(qtbot) -> None:
    for today in WEEK:
        dialog = TaskDialog("Ada Moss", today=today)
        qtbot.addWidget(dialog)
        assert shown(dialog.due) == add_working_days(today, 3)
        assert shown(dialog.due).weekday() < 5, today
        again = RescheduleDialog(task(today), today=today)
        qtbot.addWidget(again)
        assert shown(again.due) == add_working_days(today, 1)
        assert shown(again.due).weekday() < 5, today
    # Thursday: the task is due on Tuesday, not on Sunday; Friday's moves to Monday.
    thursday, friday = (
        TaskDialog("Ada", today=WEEK[3]),
        RescheduleDialog(task(WEEK[4]), today=WEEK[4]),
    )
    qtbot.addWidget(thursday)
    qtbot.addWidget(friday)
    assert shown(thursday.due) == MONDAY + dt.timedelta(days=8)
    assert shown(friday.due) == MONDAY + dt.timedelta(days=7)
