"""What Dismiss (D), Resolve (R) and Do not contact (X) ask before they act: one question
with an optional note (views.kit.confirm_note), Enter to confirm. "Won back" on a card
with no contact recorded since the alert was raised asks whether it is so anyway."""

from __future__ import annotations

from services.core.formatting import format_date
from views.alerts.source import OUTCOME_LABELS, AlertDetail
from views.kit.formatting import as_utc

ACTIVE = ("open", "in_progress", "snoozed")


def _alerts_on(alert: AlertDetail) -> str:
    """ "the alert on Noah Khan", or "the 2 alerts on Noah Khan's card"."""
    n = sum(1 for a in alert.card if a.status in ACTIVE) or 1
    if n == 1:
        return f"the alert on {alert.customer}"
    return f"the {n} alerts on {alert.customer}'s card"


def contacted_since_raised(alert: AlertDetail) -> bool:
    """A contact (a conversation or an email) is recorded since the alert was raised."""
    last = alert.last_contact_at
    return last is not None and as_utc(last) >= as_utc(alert.created_at)


def note_question(
    alert: AlertDetail, action: str, outcome: str | None = None
) -> tuple[str, str, str]:
    """(title, question, confirming button) for ``action``: "dismiss", "resolve" (with
    its ``outcome``) or "do_not_contact"."""
    if action == "dismiss":
        return (
            "Dismiss",
            f"Dismiss {_alerts_on(alert)}? Not worth acting on: it leaves the queue.",
            "Dismiss",
        )
    if action == "resolve":
        if outcome == "won_back" and not contacted_since_raised(alert):
            raised = format_date(as_utc(alert.created_at).date())
            return (
                "Won back without contact?",
                f"No contact is recorded for {alert.customer} since the alert was raised "
                f"on {raised}. Mark as won back anyway?",
                "Mark won back",
            )
        said = OUTCOME_LABELS.get(outcome or "", outcome or "").lower()
        return ("Resolve", f"Resolve {_alerts_on(alert)} as {said}?", "Resolve")
    return (
        "Do not contact?",
        f"Mark {alert.customer} do not contact? No email can be drafted or sent to them "
        "until the mark is lifted, and the history records who set it.",
        "Do not contact",
    )
