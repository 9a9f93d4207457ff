"""The window's view of an open workspace's customers (implements
views.customers.source.CustomerSource): the table's columns, one customer's detail,
scores, history and product usage, the workspace summary, do-not-contact, assigning to a
teammate, backups, and a conversation opened from the timeline. Every method runs on the
job runner's database worker, but the team filters' (views/customers/team_views.py
TeamFilterStore): one setting read or written when the Views menu is used.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from app.workspace import Workspace
from models.db import translate_db_errors
from models.migrate import backup_sqlite
from services.alerts.records import Undoable
from services.core.records import (
    CustomerDetail,
    CustomerScores,
    ScoreHistoryPoint,
    WorkspaceSummary,
)
from services.renewals.card_records import RenewalCard
from services.usage.records import CustomerUsage, WorkspaceFeatures
from services.usecases.customer_detail import load_customer_detail
from services.usecases.customer_usage import (
    FeaturesSeen,
    load_customer_usage,
    load_features_seen,
)
from services.usecases.customers import load_customer_columns, workspace_summary
from views.customers.saved_views import SavedView

if TYPE_CHECKING:
    from services.conversations.stored import OpenedConversation
    from services.people.contacts import Person  # its module reads frames: pandas
    from services.usecases.conversations import ModelAsk, TasksMade

log = logging.getLogger(__name__)


def read_customer_scores(workspace: Workspace, customer_id: int) -> CustomerScores | None:
    """The latest scores of a customer (None when never scored); on a worker."""
    from services.scoring.queries import customer_scores

    with translate_db_errors(), workspace.sessions() as session:
        return customer_scores(session, customer_id)


def read_score_history(workspace: Workspace, customer_id: int) -> tuple[ScoreHistoryPoint, ...]:
    """Every snapshot of a customer's headline scores; on a worker."""
    from services.scoring.queries import score_history

    with translate_db_errors(), workspace.sessions() as session:
        return tuple(score_history(session, customer_id))


class WorkspaceCustomerSource:
    """The window's view of an open workspace (implements views.customers.source.CustomerSource)."""

    def __init__(
        self,
        workspace: Workspace,
        preloaded_columns: Future[dict[str, np.ndarray]] | None = None,
        *,
        user: Callable[[], str] | None = None,
        owner_name: Callable[[], str | None] | None = None,
    ) -> None:
        self.workspace = workspace
        # Who acts (the audit's actor); None: the services' default.
        self._user = user
        # Whom "Mine" means (File ▸ Who I am…): "your call" on the renewal card.
        self._owner_name = owner_name
        # Read once from the start-up preload (app/gui/preload.py); every later load queries.
        self._preloaded_columns = preloaded_columns
        # The workspace's features seen, kept from one customer's usage to the next.
        self._features_seen = FeaturesSeen()
        # The connected person's team role, read once ("" none, "offline": a copy).
        self._role: str | None = None

    @property
    def display_name(self) -> str:
        return self.workspace.display_name

    @property
    def can_back_up(self) -> bool:
        return self.workspace.path is not None

    def load_customer_columns(self) -> dict[str, np.ndarray]:
        # Columns, not a DataFrame: the window's first paint does not wait for pandas.
        preloaded, self._preloaded_columns = self._preloaded_columns, None
        if preloaded is not None:
            return preloaded.result()
        return load_customer_columns(self.workspace.engine)

    def load_customer_head(self) -> dict[str, np.ndarray] | None:
        # Only at start-up, from the preload (its PreloadedColumns carry the head): a later
        # load reads the whole table at once.
        head: Future[dict[str, np.ndarray] | None] | None = getattr(
            self._preloaded_columns, "head", None
        )
        if head is None:
            return None
        try:
            return head.result()
        except Exception:  # the whole table's read meets the same fault and reports it
            log.warning("Could not read the first customers", exc_info=True)
            return None

    def load_customer_detail(self, customer_id: int) -> CustomerDetail:
        import dataclasses

        from services.lifecycle.customer import customer_stage

        detail = load_customer_detail(self.workspace.engine, customer_id)
        stage = customer_stage(self.workspace.engine, customer_id)
        return dataclasses.replace(detail, stage_line=stage.line, stage_tip=stage.tip)

    def load_customer_scores(self, customer_id: int) -> CustomerScores | None:
        return read_customer_scores(self.workspace, customer_id)

    def load_score_history(self, customer_id: int) -> tuple[ScoreHistoryPoint, ...]:
        return read_score_history(self.workspace, customer_id)

    def load_customer_usage(
        self, customer_id: int, now: dt.datetime, *, features: bool = True
    ) -> CustomerUsage:
        engine, seen = self.workspace.engine, self._features_seen
        return load_customer_usage(engine, customer_id, now=now, seen=seen, features=features)

    def load_features_seen(self, now: dt.datetime) -> WorkspaceFeatures | None:
        return load_features_seen(self.workspace.engine, now=now, seen=self._features_seen)

    def load_renewal_card(self, customer_id: int, today: dt.date) -> RenewalCard | None:
        from dataclasses import replace

        from services.renewals.card import renewal_card
        from services.renewals.vocab import unnamed_recorder_words

        viewer = self._owner_name() if self._owner_name is not None else None
        card = renewal_card(self.workspace.engine, customer_id, today, viewer)
        if card is None or viewer or self._owner_name is None:
            return card
        return replace(card, recorder_note=unnamed_recorder_words())

    def record_renewal_call(
        self, customer_id: int, contract_id: int, checkpoint_months: int, call: str, note: str
    ) -> Undoable:
        from services.alerts.renewal_calls import record_renewal_call
        from services.renewals.calls import RenewalCallError
        from services.renewals.vocab import unnamed_recorder_words

        # The command line's rule: a call names who made it, never the computer's login.
        if self._owner_name is not None and not self._owner_name():
            raise RenewalCallError(unnamed_recorder_words() + " Nothing was recorded.")
        actor = self._user() if self._user is not None else None
        return record_renewal_call(
            self.workspace.engine, customer_id, call, note,
            checkpoint_months=checkpoint_months, contract_id=contract_id, actor=actor,
        )  # fmt: skip

    def load_people(self, customer_id: int) -> list[Person]:
        from services.alerts.signal_proofs import people_with_signals

        return people_with_signals(self.workspace.engine, customer_id)

    def set_contact_role(
        self, customer_id: int, contact_id: int, name: str, role: str | None
    ) -> Undoable:
        from services.alerts.people_changes import set_contact_role

        actor = self._user() if self._user is not None else None
        return set_contact_role(self.workspace.engine, customer_id, contact_id, name, role, actor)

    def add_person(
        self, customer_id: int, name: str, email: str, title: str, role: str | None
    ) -> Undoable:
        from services.alerts.people_changes import add_person

        actor = self._user() if self._user is not None else None
        return add_person(
            self.workspace.engine, customer_id, name=name, email=email, title=title,
            role=role, actor=actor,
        )  # fmt: skip

    def workspace_summary(self) -> WorkspaceSummary:
        # The status bar shows the customers and the demo marker: nothing else is counted.
        return workspace_summary(self.workspace.engine, rows=False)

    def set_do_not_contact(
        self, customer_id: int, value: bool, note: str | None = None
    ) -> Undoable:
        from services.alerts.actions import mark_do_not_contact

        actor = self._user() if self._user is not None else None
        engine = self.workspace.engine
        return mark_do_not_contact(engine, customer_id, value, actor=actor, note=note)

    def set_tracking_consent(self, customer_id: int, opted_out: bool) -> Undoable:
        from services.alerts.actions import set_tracking_consent_undoable

        actor = self._user() if self._user is not None else None
        engine = self.workspace.engine
        return set_tracking_consent_undoable(engine, customer_id, opted_out, actor=actor)

    def end_quiet_period(self, customer_id: int, reason: str) -> Undoable:
        from services.alerts.actions import end_quiet_period

        actor = self._user() if self._user is not None else None
        return end_quiet_period(self.workspace.engine, customer_id, reason, actor=actor)

    def teammates(self) -> list[str]:
        from services.alerts.assign import teammates

        return teammates(self.workspace.engine)

    def assign_customer(self, customer_id: int, to: str | None) -> Undoable:
        from services.alerts.assign import assign_customer

        actor = self._user() if self._user is not None else None
        return assign_customer(self.workspace.engine, customer_id, to, actor=actor)

    def undo_change(self, change: Undoable) -> str:
        from services.alerts.undo import undo_change

        actor = self._user() if self._user is not None else None
        return undo_change(self.workspace.engine, change, actor=actor)

    def back_up(self, destination: Path) -> Path:
        return backup_sqlite(self.workspace.engine, destination)

    # -- a conversation, opened (services/usecases/conversations.py) ----------------------

    def _actor(self) -> str | None:
        return self._user() if self._user is not None else None

    def load_conversation(self, interaction_id: int) -> OpenedConversation:
        from services.usecases.conversations import load_conversation

        return load_conversation(self.workspace.engine, interaction_id)

    def make_conversation_tasks(self, interaction_id: int, numbers: list[int]) -> TasksMade:
        from services.usecases.conversations import make_tasks

        return make_tasks(self.workspace.engine, interaction_id, numbers, actor=self._actor())

    def conversation_model_ask(self, interaction_id: int) -> ModelAsk:
        from services.usecases.conversations import model_ask

        return model_ask(self.workspace.engine, interaction_id)

    def read_conversation_with_model(
        self, interaction_id: int, ask: ModelAsk, cancelled: Callable[[], bool]
    ) -> Undoable:
        from services.usecases.conversations import read_with_model

        return read_with_model(
            self.workspace.engine, interaction_id, ask=ask, cancelled=cancelled,
            actor=self._actor(),
        )  # fmt: skip

    def use_offline_reading(self, interaction_id: int) -> Undoable:
        from services.usecases.conversations import use_offline_reading

        return use_offline_reading(self.workspace.engine, interaction_id, actor=self._actor())

    # -- the team filters (views/customers/team_views.py TeamFilterStore) -----------------

    def team_views(self) -> list[SavedView]:
        from services.segment_policy.team_filters import list_filters

        with translate_db_errors(), self.workspace.sessions() as session:
            return [SavedView(f.name, f.filter, f.search) for f in list_filters(session)]

    def share_view(self, view: SavedView, position: int | None = None) -> None:
        from services.alerts.config import default_actor
        from services.segment_policy.team_filters import save_filter

        actor = self._actor() or default_actor()
        with translate_db_errors(), self.workspace.sessions() as session, session.begin():
            save_filter(session, view.name, view.filter, view.search, actor=actor,
                        position=position)  # fmt: skip

    def delete_team_view(self, name: str) -> Undoable:
        from services.alerts.config import default_actor
        from services.alerts.records import TeamFilterBefore
        from services.segment_policy.team_filters import delete_filter

        actor = self._actor() or default_actor()
        with translate_db_errors(), self.workspace.sessions() as session, session.begin():
            gone, position = delete_filter(session, name, actor=actor)
        kept = TeamFilterBefore(gone.name, gone.filter, gone.search, position)
        return Undoable(f"Deleted team filter “{gone.name}”", "team_filter.deleted", 0,
                        team_filter=kept)  # fmt: skip

    def team_refusal(self) -> str:
        """Why this person may not change the team filters: IT's lock, an offline copy,
        or the role of an account manager in a shared workspace ("" when they may)."""
        from services.core.access import team_role
        from services.core.offline_origin import read_origin
        from services.segment_policy.team_filters import lock_note

        if lock_note():
            return "The team filters are locked by your IT policy."
        if self._role is None:
            origin = read_origin(self.workspace.engine)
            role = team_role(self.workspace.engine) or ""
            self._role = "offline" if origin is not None else role
        if self._role == "offline":
            return "The team filters are changed on the shared workspace, not on a copy."
        if self._role == "manager":
            return "Only a team lead or an admin changes the team filters."
        return ""
