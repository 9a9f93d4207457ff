"""The plain records of the CRM files that the window reads (no database import here)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

__all__ = ["TicketDraft"]


@dataclass(frozen=True)
class TicketDraft:
    """A ticket as the user will see and edit it before saving."""

    alert_id: int
    requester_name: str
    requester_email: str | None
    subject: str
    description: str
    priority: str  # low, normal, high, urgent
    tags: tuple[str, ...] = field(default_factory=tuple)
    created_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def external_id(self) -> str:
        """The app's id of the ticket: the alert it came from."""
        return f"radar-alert-{self.alert_id}"
