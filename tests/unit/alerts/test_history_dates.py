"""An alert's history shows its days in the one style of a date ("Jun 17, 2025"), not as
the audit event keeps them (ISO)."""

from __future__ import annotations

from services.alerts.detail import describe_event


def test_days_in_the_history_read_as_every_other_date() -> None:
    assert describe_event("alert.snoozed", {"until": "2025-06-17"}) == "Snoozed until Jun 17, 2025"
    assert describe_event("alert.snoozed", {"until_clear": True}) == (
        "Snoozed until the condition clears"
    )
    created = describe_event("alert.task_created", {"due": "2025-12-05", "text": "Call back"})
    assert created.startswith("Task (due Dec 5, 2025)")
    moved = describe_event("alert.task_rescheduled", {"due": "2025-12-08T00:00:00+00:00"})
    assert moved.startswith("Task rescheduled to Dec 8, 2025")
    # What is not a day is said as it was kept.
    assert "(due next week)" in describe_event("alert.task_created", {"due": "next week"})
