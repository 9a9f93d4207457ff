"""How the My work lists read: due dates and returns in words, and each list's columns."""

from __future__ import annotations

import datetime as dt

from services.alerts.records import STATUS_LABELS
from services.core.formatting import format_date, format_short_date, plural
from views.item_models.work_list_model import Tone, WorkColumn
from views.my_work.playbook_steps import step_due_words
from views.my_work.source import MyWork, WorkSnooze, WorkTask


def _weekday(day: dt.date, today: dt.date) -> str:
    """ "Wed, Nov 25" (the year too when it is not this year's)."""
    return f"{day:%a}, {format_short_date(day) if day.year == today.year else format_date(day)}"


def due_words(task: WorkTask) -> str:
    """When a task is due, as a manager reads it: "3 days overdue", "Today", "Tomorrow",
    "Fri, Nov 27"."""
    days = task.due_in_days
    if days < 0:
        return f"{plural(-days, 'day')} overdue"
    if days == 0:
        return "Today"
    if days == 1:
        return "Tomorrow"
    return _weekday(task.due_date, task.due_date - dt.timedelta(days=days))


def _due_tone(task: WorkTask) -> Tone:
    if task.due_in_days < 0:
        return "alarm"
    return "note" if task.due_in_days == 0 else None


def back_words(snooze: WorkSnooze) -> str:
    """When a snoozed alert comes back: "Tomorrow", "In 3 days (Fri, Nov 27)", or
    "When the condition clears"."""
    days = snooze.back_in_days
    if days is None or snooze.snoozed_until is None:
        return "When the condition clears"
    if days <= 0:
        return "Today"
    if days == 1:
        return "Tomorrow"
    back = snooze.snoozed_until.date()
    return f"In {days} days ({_weekday(back, back - dt.timedelta(days=days))})"


def _alert_words(task: WorkTask) -> str:
    if task.alert is None:
        return "No alert"  # never had one (a promise made a task), or it was deleted
    status = STATUS_LABELS.get(task.alert_status or "", task.alert_status or "")
    return f"{task.alert} · {status}" if status else task.alert


TASK_COLUMNS = (
    WorkColumn(
        "Due",
        due_words,
        tooltip=lambda t: f"Due {format_date(t.due_date)}",
        tone=_due_tone,
    ),
    WorkColumn("Customer", lambda t: t.customer),
    WorkColumn("Task", lambda t: t.title),
    WorkColumn(
        "Alert",
        _alert_words,
        tone=lambda t: "muted" if t.alert is None else None,
    ),
    WorkColumn(
        "Created by",
        lambda t: t.created_by or "—",
        tooltip=lambda t: f"Customer owner: {t.owner}" if t.owner else "No owner",
    ),
)

SNOOZE_COLUMNS = (
    WorkColumn("Back", back_words, tone=lambda s: "note" if s.back_in_days == 0 else None),
    WorkColumn("Customer", lambda s: s.customer),
    WorkColumn("Alert", lambda s: s.alert, tooltip=lambda s: s.reason),
)

FOLLOW_UP_COLUMNS = (
    WorkColumn("Customer", lambda f: f.customer),
    WorkColumn("Alert", lambda f: f.alert),
    WorkColumn(
        "Why chase it",
        lambda f: f.why,
        tooltip=lambda f: f"{f.why} (last contact {format_date(f.last_contact_at.date())})",
    ),
)


def _things(tasks: int, steps: int) -> str:
    """ "2 tasks and 1 playbook step", "2 tasks", "1 playbook step" ("" for none)."""
    parts = [plural(tasks, "task")] if tasks else []
    if steps:
        parts.append(plural(steps, "playbook step"))
    return " and ".join(parts)


def due_summary(work: MyWork) -> str:
    """The status bar's words: "3 tasks due" (overdue and today), "2 tasks and 1 playbook
    step due", or "Nothing due"."""
    things = _things(len(work.due_tasks), len(work.due_steps))
    return f"{things} due" if things else "Nothing due"


def due_tooltip(work: MyWork, limit: int = 10) -> str:
    """The due tasks and playbook steps, one a line (at most ``limit``), for the status
    bar's tooltip."""
    lines = [f"{due_words(t)}: {t.title} ({t.customer})" for t in work.due_tasks]
    lines += [
        f"{step_due_words(s)}: {s.kind_label}: {s.text} ({s.customer})" for s in work.due_steps
    ]
    if not lines:
        return "No task or playbook step is overdue or due today. Open My work (Ctrl+4)."
    more = len(lines) - limit
    lines = lines[:limit]
    if more > 0:
        lines.append(f"…and {more} more")
    lines.append("Click to open My work (Ctrl+4).")
    return "\n".join(lines)


def notice_words(work: MyWork) -> str:
    """The start-up notice: "2 tasks overdue and 1 due today.", "1 playbook step due
    today." (empty: nothing due)."""
    parts = []
    late = _things(work.overdue, work.steps_overdue)
    if late:
        parts.append(f"{late} overdue")
    today = _things(work.due_today, work.steps_due_today)
    if today:
        # "1 task overdue and 1 due today": the noun once when both are tasks alone.
        alone = bool(late) and not work.steps_overdue and not work.steps_due_today
        parts.append(f"{work.due_today:,} due today" if alone else f"{today} due today")
    return " and ".join(parts) + "." if parts else ""
