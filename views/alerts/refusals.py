"""Why a one-key action does nothing, in the status bar's few words ("Already in
progress", "Unsubscribed: no email", "Closed: press O to reopen"): a key pressed on a
card it cannot act on says so instead of doing nothing silently."""

from __future__ import annotations

from services.core.formatting import format_date
from views.alerts.source import STATUS_LABELS, AlertDetail
from views.kit.formatting import as_utc

# The keys that close or move an alert, refused on a closed one.
_TRANSITIONS = ("start", "snooze", "resolve", "dismiss")


def why_not(alert: AlertDetail | None, key: str, *, busy: bool = False, can_draft: bool) -> str:
    """Why the action ``key`` (action_pane.ACTIONS' keys, "raise", "draft") cannot be
    done on the card shown; "" when nothing stands in its way."""
    if alert is None:
        return "No alert selected"
    if busy:
        return "Wait: the last action is still being saved"
    status = alert.status
    if status == "held_back":
        if key == "raise":
            return ""
        return "Held back by the daily cap: press A to raise it first"
    if key == "raise":
        return "Not held back: it is in today's queue already"
    if key == "draft":
        return _why_no_email(alert, can_draft=can_draft)
    if key == "dnc":
        return "Already marked do not contact" if alert.do_not_contact else ""
    if key == "meeting" and alert.do_not_contact:
        return "Do not contact: no meeting"
    label = STATUS_LABELS.get(status, status)
    if status in ("resolved", "dismissed"):
        return f"{label}: press O to reopen" if key in _TRANSITIONS else ""
    if key == "start":
        if status == "in_progress":
            return "Already in progress"
        if status == "snoozed":
            return "Snoozed: press O to bring it back first"
    if key == "reopen" and status in ("open", "in_progress"):
        return f"{label}: nothing to reopen"
    return ""


def _why_no_email(alert: AlertDetail, *, can_draft: bool) -> str:
    if alert.do_not_contact:
        return "Do not contact: no email"
    if alert.unsubscribed:
        return "Unsubscribed: no email"
    if alert.quiet_until is not None:
        until = format_date(as_utc(alert.quiet_until).date())
        return f"Quiet period after contact until {until}: no email (End the quiet period… first)"
    if alert.outreach_blocked:
        return alert.outreach_blocked.rstrip(".")
    if not can_draft:
        return "No email composer in this window"
    return ""
