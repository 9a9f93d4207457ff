"""What the window needs from a workspace, as a protocol: app/ implements it.

Views call these methods only inside operations of the job runner (they may be slow
and touch the database); they return DataFrames and frozen dataclasses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from services.alerts.records import Undoable

if TYPE_CHECKING:
    from services.conversations.stored import OpenedConversation
    from services.core.records import (
        CustomerDetail,
        CustomerScores,
        ScoreHistoryPoint,
        WorkspaceSummary,
    )
    from services.people.contacts import Person
    from services.renewals.card_records import RenewalCard
    from services.usage.records import CustomerUsage, WorkspaceFeatures
    from services.usecases.conversations import ModelAsk, TasksMade


class CustomerSource(Protocol):
    """Read access to one open workspace, plus a backup."""

    @property
    def display_name(self) -> str:
        """The workspace file path, or its URL without the password."""
        ...

    @property
    def can_back_up(self) -> bool:
        """True for file workspaces (SQLite); a server database is backed up by its admin."""
        ...

    def load_customer_columns(self) -> Mapping[str, Any]:
        """The customers table as columns (numpy arrays or pandas Series)."""
        ...

    def load_customer_head(self) -> Mapping[str, Any] | None:
        """A big table's first screenful to show while the rest is read (at start-up), in
        the table's default order; None when there is none: wait for the whole table."""
        ...

    def load_customer_detail(self, customer_id: int) -> CustomerDetail: ...

    def load_customer_scores(self, customer_id: int) -> CustomerScores | None:
        """The latest scores with the snapshot before them; None when never scored."""
        ...

    def load_score_history(self, customer_id: int) -> tuple[ScoreHistoryPoint, ...]:
        """Every snapshot of the customer's headline scores, oldest first."""
        ...

    def load_customer_usage(
        self, customer_id: int, now: dt.datetime, *, features: bool = True
    ) -> CustomerUsage:
        """The customer's product usage as of ``now`` (the last 30 days, the weeks, the
        features), and whether the workspace holds any usage at all. ``features=False``:
        the workspace's features only when kept from an earlier read (else pending)."""
        ...

    def load_features_seen(self, now: dt.datetime) -> WorkspaceFeatures | None:
        """The features the workspace saw in the 90 days to ``now`` (seconds at a million
        customers); None when it holds no usage."""
        ...

    def load_renewal_card(self, customer_id: int, today: dt.date) -> RenewalCard | None:
        """The customer's contracts, likelihoods and the owner's calls as of ``today``
        (services/renewals/card.py); None when they have no contract."""
        ...

    def record_renewal_call(
        self, customer_id: int, contract_id: int, checkpoint_months: int, call: str, note: str
    ) -> Undoable:
        """Record the owner's call on the customer's contract (audited); returns what
        undoing it removes."""
        ...

    def load_people(self, customer_id: int) -> list[Person]:
        """The account's people, champion first (services/people/contacts.py)."""
        ...

    def set_contact_role(
        self, customer_id: int, contact_id: int, name: str, role: str | None
    ) -> Undoable:
        """Give a contact a role (None: back to the CRM's), audited; undoable."""
        ...

    def add_person(
        self, customer_id: int, name: str, email: str, title: str, role: str | None
    ) -> Undoable:
        """Add a person to the account, audited; undoable."""
        ...

    def workspace_summary(self) -> WorkspaceSummary: ...

    def set_do_not_contact(
        self, customer_id: int, value: bool, note: str | None = None
    ) -> Undoable:
        """Mark the customer do-not-contact or lift the mark (audited, in one transaction;
        ``note``: why, in the user's words, kept in the audit); returns what undoing it
        restores."""
        ...

    def set_tracking_consent(self, customer_id: int, opted_out: bool) -> Undoable:
        """Record the customer's opt-out of activity tracking, or opt-in (audited);
        returns what undoing it restores."""
        ...

    def end_quiet_period(self, customer_id: int, reason: str) -> Undoable:
        """End the customer's quiet period after contact now, with the user's reason
        (audited); returns what undoing it restores."""
        ...

    def teammates(self) -> list[str]:
        """Whom a customer can be assigned to (services/alerts/assign.py), sorted."""
        ...

    def assign_customer(self, customer_id: int, to: str | None) -> Undoable:
        """Make ``to`` (None: nobody) the owner of the customer and of its open alerts
        (audited, refused in plain words when the user's team role does not allow it);
        returns what undoing it restores."""
        ...

    def back_up(self, destination: Path) -> Path: ...

    def load_conversation(self, interaction_id: int) -> OpenedConversation:
        """A kept conversation, opened (its reading, promises and transcript)."""
        ...

    def make_conversation_tasks(self, interaction_id: int, numbers: list[int]) -> TasksMade:
        """A task of each promise numbered (1, 2...), once; audited, undoable."""
        ...

    def conversation_model_ask(self, interaction_id: int) -> ModelAsk:
        """What reading the conversation with the model would send (masked by the
        privacy setting); a plain error when no model is set up."""
        ...

    def read_conversation_with_model(
        self, interaction_id: int, ask: ModelAsk, cancelled: Callable[[], bool]
    ) -> Undoable:
        """Send ``ask`` and keep the model's reading (the offline one kept beside it)."""
        ...

    def use_offline_reading(self, interaction_id: int) -> Undoable:
        """Put the reading made on this computer back in place of the model's."""
        ...
