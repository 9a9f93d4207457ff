"""Working days: Monday to Friday. The one rule for every date by which someone should
act: an alert's time to act (services/alerts/sla.py), a task's default due date, a
meeting's follow-up, an escalation's task, a playbook's steps. No holidays are known."""

from __future__ import annotations

import datetime as dt


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday."""
    return day.weekday() < 5


def add_working_days(day: dt.date, n: int) -> dt.date:
    """``day`` plus ``n`` working days (``day`` itself for 0, whatever day it is)."""
    while n > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        count += is_working_day(day)
    return count
