"""What the alerts window needs from a workspace, as a protocol: app/ implements it.

Like :class:`views.customers.source.CustomerSource`, every method may be slow and touch the
database: views call them only inside operations of the job runner. They return numpy
columns and the frozen records below, never live ORM objects.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from services.alerts.playbook_records import PlaybookChoice, PlaybookStatus
from services.alerts.records import (
    ALERT_COLUMNS,
    ALERT_QUEUES,
    CALL_OUTCOME_LABELS,
    HOLDOUT_LABEL,
    HOLDOUT_NOTE,
    OUTCOME_LABELS,
    OUTCOMES,
    QUEUE_LABELS,
    SEVERITIES,
    SEVERITY_LABELS,
    STAKE_NAMES,
    STAKE_SHORT,
    STATUS_LABELS,
    STATUSES,
    AlertChange,
    AlertChangedError,
    AlertDetail,
    AlertEvent,
    CardAlert,
    Recommendation,
    Undoable,
)

if TYPE_CHECKING:
    from views.item_models.alert_list_data import AlertListData

# The columns (records.ALERT_COLUMNS), the records and the vocabularies are the alert
# services' own (a module that imports the standard library only, so views may load
# it): one definition each, re-exported here for the views.
__all__ = [
    "PlaybookChoice",
    "PlaybookStatus",
    "ALERT_COLUMNS",
    "ALERT_QUEUES",
    "CALL_OUTCOME_LABELS",
    "HOLDOUT_LABEL",
    "HOLDOUT_NOTE",
    "QUEUE_LABELS",
    "STAKE_NAMES",
    "STAKE_SHORT",
    "CardAlert",
    "Undoable",
    "OUTCOMES",
    "OUTCOME_LABELS",
    "SEVERITIES",
    "SEVERITY_LABELS",
    "STATUSES",
    "STATUS_LABELS",
    "AlertChange",
    "AlertChangedError",
    "AlertDetail",
    "AlertEvent",
    "AlertSource",
    "Recommendation",
]


class AlertSource(Protocol):
    """Alerts of one open workspace: the list, one alert, its transitions, the dashboard."""

    @property
    def user(self) -> str:
        """Who the audit log names for what this window does (the OS user)."""
        ...

    def load_alert_columns(self) -> Mapping[str, Any] | AlertListData:
        """Every alert as columns (ALERT_COLUMNS), any order; or the list already made of
        them, when read at start-up (app/gui/opening.py)."""
        ...

    def load_uplift_columns(
        self, customer_ids: Any, cancelled: Callable[[], bool] | None = None
    ) -> tuple[Any, Any, str]:
        """Per row of ``customer_ids``: the estimated uplift (NaN: none, or not ranked) and
        its words, and why the estimates are not ranked ("" when they are), the uplift
        model fitted first when the workspace changed (slow: seconds to minutes; it
        stops once ``cancelled`` says so). services.learn.uplift_cache.uplift_columns."""
        ...

    def load_alert_detail(self, alert_id: int, card_ids: Sequence[int] = ()) -> AlertDetail:
        """One alert, with the other alerts of its card (``card_ids``)."""
        ...

    def apply_alert_action(
        self,
        alert_ids: Sequence[int],
        action: str,
        *,
        seen_versions: Mapping[int, int] | None = None,
        **params: Any,
    ) -> Undoable:
        """One transition or action on a card's alerts, in one transaction; returns what
        undoing it restores; raises a plain error when refused.

        ``seen_versions``: each alert's version as the card showed it
        (AlertDetail.seen_versions): a transition on an alert someone changed since is
        refused with AlertChangedError, which says who, when and what it is now.

        Actions: ``start``; ``resolve`` (outcome, note); ``dismiss`` (note); ``reopen``;
        ``raise``; ``snooze`` (until: date, or until_clear=True); ``do_not_contact`` (note);
        ``end_quiet_period`` (reason); ``log`` (kind: "call" or "note", text, outcome for
        a call); ``task`` (text, due: date); ``assign`` (customer_id, to: a teammate's
        name: the customer and its active alerts); ``meeting`` (title, start: an aware
        moment, minutes, file: the invitation written: a task on its day and a follow-up);
        ``playbook`` (key; holdout_reason for a held-out customer); ``stop_playbook``
        (run_id: the card's running playbook; note: why, optional).
        """
        ...

    def playbook_choices(self) -> tuple[PlaybookChoice, ...]:
        """The playbooks a user may start on a card (built in, then the workspace's own)."""
        ...

    def undo_change(self, change: Undoable) -> str:
        """Undo one action; returns what was undone, in words. Raises a plain error, and
        changes nothing, when the records changed since (AlertChangedError when someone
        changed the alert: an undo never takes back someone else's change)."""
        ...

    def load_dashboard(self) -> Any:
        """The dashboard's figures (views.dashboard.pane.DashboardData), or None unscored."""
        ...
