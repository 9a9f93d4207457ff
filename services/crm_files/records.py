"""The plain records of the CRM files that the window reads (no database import here)."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["TicketDraft", "events_path_for"]


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
    # The customer's own id in the app, "source:id" ("" when it has none): an id, never
    # withheld, by which the app's importer finds the customer when the ticket comes back.
    customer_key: str = ""

    @property
    def external_id(self) -> str:
        """The app's id of the ticket: the alert it came from."""
        return f"radar-alert-{self.alert_id}"


def events_path_for(path: str | os.PathLike[str]) -> Path:
    """Where a Salesforce export's Events go: beside its Tasks, "-Event" added to the
    name ("Task.csv" -> "Task-Event.csv")."""
    chosen = Path(path).expanduser()
    return chosen.with_name(f"{chosen.stem}-Event{chosen.suffix or '.csv'}")
