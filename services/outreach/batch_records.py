"""What a batch of drafts looks like to the window and the command line: frozen records
and the words for its states. Standard library only (views import it).

A batch (services/outreach/batch.py) holds one row per customer: queued (not drafted
yet), drafted (waiting for review), skipped (by the batch, with the reason, or by the
reviewer), approved, sending (handed to the SMTP server, not yet recorded), sent or
exported (recorded as outreach exactly once), failed (the send failed; nothing recorded).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

# Why the batch left a customer out (skip_reason), in the words the window shows.
SKIP_DO_NOT_CONTACT = "Asked not to be contacted"
SKIP_UNSUBSCRIBED = "Unsubscribed from emails"
SKIP_COOL_DOWN = "Contacted in the last {days} days (cool-down)"
SKIP_HOLDOUT = "Holdout — no outreach suggested"
SKIP_NO_EMAIL = "No email address"
SKIP_OTHER_BATCH = "Already waiting in another open batch"
SKIP_BY_REVIEWER = "Skipped in review"

# A row found in "sending": the SMTP server may or may not have taken it.
SENDING_INTERRUPTED = "Sending was interrupted — check your Sent folder"

STATE_LABELS = {
    "queued": "Waiting to be drafted",
    "drafted": "To review",
    "skipped": "Skipped",
    "approved": "Approved",
    "sending": "Sending…",
    "sent": "Sent",
    "exported": "Handed over",
    "failed": "Not sent",
}
# One character per state for the list's left edge (plain text, both themes).
STATE_MARKS = {
    "queued": "…",
    "drafted": "•",
    "skipped": "–",
    "approved": "✓",
    "sending": "!",
    "sent": "✉",
    "exported": "↗",
    "failed": "✗",
}
# The states a reviewer still has to act on, and those nothing more happens to.
OPEN_STATES = ("queued", "drafted", "approved", "sending", "failed")
DONE_STATES = ("skipped", "sent", "exported")


@dataclass(frozen=True)
class BatchRow:
    """One customer's email in a batch, as the review queue shows it."""

    id: int
    position: int
    customer_id: int
    customer: str
    alert_id: int | None
    state: str
    skip_reason: str | None
    recipient: str | None
    goal: str | None
    tone: str | None
    variant: int
    subject: str
    body: str
    generated_subject: str
    generated_body: str
    source: str | None  # "llm", "template" (None: not drafted yet)
    checks: tuple[str, ...]
    error: str | None
    outreach_id: int | None

    @property
    def edited(self) -> bool:
        """The text differs from the draft as written."""
        return (self.subject, self.body) != (self.generated_subject, self.generated_body)

    @property
    def interrupted(self) -> bool:
        """Left in "sending": the app stopped between the SMTP server and the record."""
        return self.state == "sending"

    @property
    def status_words(self) -> str:
        """The row's state in words (with its reason when skipped or failed)."""
        if self.interrupted:
            return SENDING_INTERRUPTED
        label = STATE_LABELS.get(self.state, self.state)
        if self.state == "skipped" and self.skip_reason == SKIP_BY_REVIEWER:
            return SKIP_BY_REVIEWER
        if self.state == "skipped" and self.skip_reason:
            return f"{label}: {self.skip_reason}"
        if self.state == "failed" and self.error:
            return f"{label}: {self.error}"
        return label


@dataclass(frozen=True)
class BatchView:
    """A batch and its rows, in queue order."""

    id: int
    title: str
    goal: str | None
    tone: str | None
    offline: bool
    created_at: dt.datetime
    closed_at: dt.datetime | None
    rows: tuple[BatchRow, ...]

    def count(self, *states: str) -> int:
        """How many rows are in any of these states."""
        return sum(1 for row in self.rows if row.state in states)

    @property
    def counts(self) -> dict[str, int]:
        """Rows per state (every state listed, zero or not)."""
        counts = dict.fromkeys(STATE_LABELS, 0)
        for row in self.rows:
            counts[row.state] = counts.get(row.state, 0) + 1
        return counts

    def row(self, row_id: int) -> BatchRow | None:
        return next((r for r in self.rows if r.id == row_id), None)


@dataclass(frozen=True)
class PlannedSkip:
    """A customer the batch leaves out, and why."""

    customer_id: int
    customer: str
    alert_id: int
    reason: str
    email: str | None = None


@dataclass(frozen=True)
class BatchPlan:
    """What a batch would hold, before it is made: one alert per customer to draft, and
    the customers left out with their reasons."""

    to_draft: tuple[tuple[int, int], ...]  # (customer id, alert id), highest priority first
    skipped: tuple[PlannedSkip, ...]
    provider: str | None = None  # who drafts ("llama3.2 via Ollama"); None: the templates
    provider_problem: str | None = None  # why the templates are used without being asked
    needs_review: bool = False  # a provider off this computer the user has not reviewed
    request_text: str = ""  # the first request exactly as it goes out (when needs_review)

    def skip_counts(self) -> dict[str, int]:
        """Skipped customers per reason."""
        counts: dict[str, int] = {}
        for skip in self.skipped:
            counts[skip.reason] = counts.get(skip.reason, 0) + 1
        return counts


@dataclass(frozen=True)
class SendSummary:
    """What a delivery did: rows sent (or handed over), failed, and left for later."""

    done: int = 0
    failed: int = 0
    left: int = 0
    cancelled: bool = False
    errors: tuple[str, ...] = field(default=())
    paths: tuple[str, ...] = field(default=())
    # The rows whose files were saved, beside ``paths`` (save_eml_folder: logged later,
    # once the user says they sent them).
    rows: tuple[int, ...] = field(default=())


# The states of a row whose draft waits in the review queue (written, not sent): the
# alert card says "Draft waiting" and the composer offers the draft.
WAITING_STATES = ("drafted", "approved", "failed")
# Why a row left the queue without being sent from it: the customer was emailed from the
# composer (with this draft or another), so the batch must not write to them again.
SKIP_EMAILED = "Emailed from the composer"


@dataclass(frozen=True)
class WaitingDraft:
    """A draft waiting in the review queue for a customer (the composer offers it)."""

    row_id: int
    batch_id: int
    customer_id: int
    customer: str
    alert_id: int | None
    subject: str
    body: str
    goal: str | None
    tone: str | None
    variant: int
    edited: bool
    provider: str | None
    model: str | None
    template: str | None


@dataclass(frozen=True)
class WhyInQueue:
    """Why a customer is in a batch, as their alert card says it: the reasons of their
    active alerts (most urgent first), their last paid order and their churn risk."""

    customer_id: int
    reasons: tuple[str, ...]  # "Churn risk: churn risk 71% and 12-month value $805"
    last_order: dt.date | None
    last_order_days: int | None
    churn_risk: float | None  # 0-1, by the latest scoring
