"""What the alert services return: vocabularies, frozen records and the refusals the
window tells apart, no SQLAlchemy.

Views may import this module (a test loads every view with the database libraries
blocked), so it imports the standard library only (and models' vocabularies and errors).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from models.errors import UserFacingError

# SEVERITIES is re-exported: the window names them through here (views import no models).
from models.vocab import ACTIVE_ALERT_STATUSES
from models.vocab import ALERT_QUEUES as ALERT_QUEUES
from models.vocab import SEVERITIES as SEVERITIES
from services.alerts.playbook_records import PlaybookStatus
from services.alerts.risk_bands import NOT_AT_RISK_SEGMENTS as NOT_AT_RISK_SEGMENTS
from services.core.customer_filter import CustomerFilter

SEVERITY_LABELS = {
    "critical": "Critical",
    "warning": "Warning",
    "opportunity": "Opportunity",
    "info": "Info",
}
# The alert queues (models.vocab.ALERT_QUEUES) and what their money figure is. One name
# for one thing on every screen: "revenue at risk" is churn risk x the last 12 months'
# paid revenue (every risk alert's priority; services.scoring.run.revenue_at_risk
# computes it, REVENUE_AT_RISK_WORDS say it), "upside" an expansion's expected gain,
# "deal value at stake" the expected value of stalled deals. The short forms are what a
# card has room for.
QUEUE_LABELS = {"risk": "Risk", "growth": "Growth", "pipeline": "Pipeline"}
STAKE_NAMES = {"risk": "revenue at risk", "growth": "upside", "pipeline": "deal value at stake"}
STAKE_SHORT = {"risk": "at risk", "growth": "upside", "pipeline": "at stake"}
# Revenue at risk in words, wherever it is shown: the formula (and a short form for a
# tile's caption), and a sentence for a tooltip or a column's help.
# The book's health, one definition on every surface (the dashboard's tile and trend, the
# book pack): the mean health score of the customers scored, those without one left out.
BOOK_HEALTH_WORDS = "the mean health score of the customers scored"


def book_health(health: Iterable[float | None]) -> float | None:
    """The book's health (``BOOK_HEALTH_WORDS``); None when no customer has a score."""
    values = [float(h) for h in health if h is not None and math.isfinite(float(h))]
    return sum(values) / len(values) if values else None


REVENUE_AT_RISK_WORDS = "churn risk × last 12 months' revenue"
REVENUE_AT_RISK_SHORT = "risk × 12 months' revenue"
REVENUE_AT_RISK_HELP = (
    "Revenue at risk: what the customer paid over the last 12 months, times their churn "
    "risk (the chance of no order in the scoring horizon)"
)

# Sort order of severities (most urgent first) where priorities tie.
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}

STATUSES = ("open", "in_progress", "snoozed", "resolved", "dismissed", "held_back")
STATUS_LABELS = {
    "open": "Open",
    "in_progress": "In progress",
    "snoozed": "Snoozed",
    "resolved": "Resolved",
    "dismissed": "Dismissed",
    "held_back": "Held back",
}
# An alert the daily cap per owner left out of today's queue: kept so the user can see it
# ("N more held back by the daily cap") and raise it now. Not active, not work: no count of
# open alerts includes it, and each scoring replaces the held-back alerts with its own
# (one whose condition still holds is raised when there is room, else held again).
HELD_BACK = "held_back"
# Every alert that was raised (all but the held-back ones): what exports and totals count.
RAISED_STATUSES = tuple(s for s in STATUSES if s != HELD_BACK)
# At most one alert per customer and rule is in one of these (a unique index says so).
ACTIVE_STATUSES = ACTIVE_ALERT_STATUSES
# What the alert list shows unless asked otherwise: the alerts to work on now.
WORKING_STATUSES = ("open", "in_progress")
CLOSED_STATUSES = ("resolved", "dismissed")

# Outcomes a user picks when resolving an alert.
OUTCOMES = ("won_back", "lost", "no_action_needed", "other")
# The outcome of an alert snoozed "until the condition clears" once a scoring finds it
# cleared: closed by the app, not by a user (it does not hold the rule back afterwards).
CONDITION_CLEARED = "condition_cleared"
OUTCOME_LABELS = {
    "won_back": "Won back",
    "lost": "Lost",
    "no_action_needed": "No action needed",
    "other": "Other",
    CONDITION_CLEARED: "Condition cleared",
}

# What came of a call (models.vocab.CALL_OUTCOMES), as the window says it.
CALL_OUTCOME_LABELS = {
    "connected": "Talked with them",
    "voicemail": "Left a voicemail",
    "no_answer": "No answer",
    "wrong_number": "Wrong number",
}

# The columns of services.alerts.queries.alert_columns, in order.
ALERT_COLUMNS = (
    "id",  # int64
    "customer_id",  # int64
    "customer",  # object: the account's name (services/core/account_names.py)
    "person",  # object: who stands for the account (None when the account is its person)
    "severity",  # object
    "status",  # object; a snooze whose date has passed reads "open"
    "rule",  # object: the rule's title
    "rule_key",  # object
    "reason",  # object
    "owner",  # object (None)
    "segment",  # object: the customer's segment in the latest scores (None)
    "priority_cents",  # int64: revenue at risk, or the expected upside of an opportunity
    "created_at",  # datetime64[s], UTC
    "updated_at",  # datetime64[s], UTC
    "snoozed_until",  # datetime64[s], UTC; NaT when not snoozed until a date
    "snooze_until_clear",  # bool
    "do_not_contact",  # bool: the customer asked not to be contacted
    "unsubscribed",  # bool: the customer unsubscribed from emails
    "condition_cleared",  # bool: the latest scoring no longer meets the rule
    "outcome",  # object (None)
    "queue",  # object: models.vocab.ALERT_QUEUES, from the rule
    "risk_now_cents",  # int64: the customer's revenue at risk by the latest scoring (-1: none)
    "churn_now",  # float64: the customer's churn risk by the latest scoring (NaN: none)
    "holdout",  # bool: in Learn's holdout (no outreach suggested), not contacted anyway
)


@dataclass(frozen=True)
class AlertRunResult:
    """What one alert generation did (after a scoring)."""

    run_id: int | None  # the scoring run the alerts were computed from
    as_of: dt.date | None
    created: int = 0  # new alerts raised
    refreshed: int = 0  # active alerts whose condition still holds, updated
    cleared: int = 0  # active alerts whose condition no longer holds (kept, marked)
    auto_resolved: int = 0  # snoozed "until clear" and now clear: resolved by the app
    woken: int = 0  # snoozes whose date has passed: open again
    capped: int = 0  # left out by the daily cap per owner (raised on a later day)
    cooled_down: int = 0  # left out: the customer was contacted recently
    held_back: int = 0  # left out: a user closed the same alert recently
    suppressed: int = 0  # expansion alerts not raised for do-not-contact customers
    held_out: int = 0  # new alerts in Learn's holdout (raised, no outreach suggested)
    # How many customers meet each rule (before cool-down, cap...), by rule key.
    matches: dict[str, int] = field(default_factory=dict)
    # Enabled rules that could not be evaluated, and why ("no usage data"), by rule key.
    not_evaluated: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    # Why nothing was done ("never scored", "not the latest scores"), or None.
    skipped: str | None = None

    def lines(self) -> list[str]:
        """The printable summary (what `score` prints after the scores)."""
        if self.skipped:
            return [f"Alerts: not updated ({self.skipped})."]
        held = []
        if self.capped:
            held.append(f"{self.capped:,} over the daily cap per owner")
        if self.cooled_down:
            held.append(f"{self.cooled_down:,} in the quiet period after contact")
        if self.held_back:
            held.append(f"{self.held_back:,} closed recently by a user")
        if self.suppressed:
            held.append(f"{self.suppressed:,} expansion alerts for do-not-contact customers")
        line = (
            f"Alerts: {self.created:,} new, {self.refreshed:,} refreshed, "
            f"{self.cleared:,} no longer met"
        )
        if self.auto_resolved:
            line += f" ({self.auto_resolved:,} snoozed until clear, now resolved)"
        if self.woken:
            line += f", {self.woken:,} back from snooze"
        out = [line + f" in {self.seconds:.1f} s."]
        if self.held_out:
            out.append(
                f"Holdout: {self.held_out:,} newly alerted customers get no outreach "
                "suggested (Results compares them with the contacted)."
            )
        if held:
            out.append("Not raised: " + "; ".join(held) + ".")
        if self.not_evaluated:
            # Imported here: views read these records and never load the settings' database.
            from services.settings import ALERT_RULES

            titles = {rule.key: rule.title for rule in ALERT_RULES}
            out.append(
                "Not checked: "
                + "; ".join(f"{titles.get(k, k)} ({why})" for k, why in self.not_evaluated.items())
                + "."
            )
        return out


@dataclass(frozen=True)
class AlertCounts:
    """How many alerts there are, by severity (working ones) and by status (all)."""

    by_severity: dict[str, int]  # open and in progress (snoozes past their date count)
    by_status: dict[str, int]  # every status, with expired snoozes counted as open

    @property
    def working(self) -> int:
        """Open and in-progress alerts."""
        return sum(self.by_severity.values())


@dataclass(frozen=True)
class AlertEvent:
    """One line of an alert's history (from the audit log)."""

    when: dt.datetime
    who: str
    action: str  # "alert.resolved", "alert.call_logged", ...
    what: str  # in plain words: "Resolved: won back. Called, they reordered."


@dataclass(frozen=True)
class ActionRecord:
    """A task, call or note logged against a customer (and alert)."""

    id: int
    customer_id: int
    alert_id: int | None
    kind: str  # task, call, note
    title: str
    body: str | None
    due_date: dt.date | None
    done_at: dt.datetime | None
    created_by: str | None
    created_at: dt.datetime


@dataclass(frozen=True)
class AlertBefore:
    """One alert's lifecycle fields before a user changed them, and when the change was
    made (its updated_at after the change) and the version it left: an undo is refused if
    the alert moved since."""

    alert_id: int
    status: str
    outcome: str | None
    snoozed_until: dt.datetime | None
    snooze_until_clear: bool
    resolved_at: dt.datetime | None
    changed_at: dt.datetime
    version: int | None = None  # None: not known (the updated_at check alone)


@dataclass(frozen=True)
class MarkBefore:
    """One of a customer's marks (do_not_contact, quiet_override_at) before and after a
    user changed it."""

    column: str
    before: bool | dt.datetime | None
    after: bool | dt.datetime | None


@dataclass(frozen=True)
class OwnerBefore:
    """Whose a customer or an alert was before a user assigned it, and after
    (services/alerts/assign.py); ``entity`` is "customer" or "alert"."""

    entity: str
    id: int
    before: str | None
    after: str | None


@dataclass(frozen=True)
class TaskBefore:
    """A task's due date and done time before a user changed them, and after."""

    action_id: int
    due_date: dt.date | None
    done_at: dt.datetime | None
    after_due_date: dt.date | None
    after_done_at: dt.datetime | None


@dataclass(frozen=True)
class AttributesBefore:
    """An interaction's attributes before an action replaced them (a conversation read
    again: services/usecases/conversations.py), as JSON, and as the action left them:
    undo puts the first back, and is refused when they are no longer the second."""

    interaction_id: int
    before: str
    after: str


@dataclass(frozen=True)
class TeamFilterBefore:
    """A team filter a user deleted (services/segment_policy/team_filters.py), as it was
    and where it stood: undo shares it again there, and is refused when a team filter of
    that name has been shared since."""

    name: str
    conditions: CustomerFilter
    search: str
    position: int


@dataclass(frozen=True)
class Undoable:
    """What one user action changed, so that it can be undone (services.alerts.undo).

    ``label`` says what was done ("Dismissed Chiara Sato"); ``undid`` is its audit action.
    Undoing restores the alerts' lifecycle fields, removes the calls, notes and tasks it
    wrote (with their timeline entries), puts the customer's marks and the tasks back, and
    is itself audited. ``reason`` is set, and nothing can be undone, for what cannot be
    taken back (an email that has gone out).
    """

    label: str
    undid: str
    customer_id: int
    alerts: tuple[AlertBefore, ...] = ()
    action_ids: tuple[int, ...] = ()
    interaction_ids: tuple[int, ...] = ()
    marks: tuple[MarkBefore, ...] = ()
    tasks: tuple[TaskBefore, ...] = ()
    reason: str | None = None
    owners: tuple[OwnerBefore, ...] = ()  # an assignment (services/alerts/assign.py)
    # Playbooks (services/alerts/playbooks.py): the runs it started (undo removes them)
    # and the steps it did or skipped (undo puts them back).
    playbook_run_ids: tuple[int, ...] = ()
    playbook_step_ids: tuple[int, ...] = ()
    playbook_stopped_ids: tuple[int, ...] = ()  # the runs it stopped (undo: they run again)
    # The owner's renewal calls it recorded (services/alerts/renewal_calls.py; undo removes them).
    renewal_call_ids: tuple[int, ...] = ()
    # The people of an account (services/people/contacts.py): the roles it set, each with
    # the one the user had set before (undo puts it back), and the people it added (undo
    # removes them).
    contact_roles: tuple[tuple[int, str | None], ...] = ()
    contacts_added: tuple[int, ...] = ()
    # The interactions whose attributes it replaced (undo puts them back).
    attributes: tuple[AttributesBefore, ...] = ()
    # The team filter it deleted (undo shares it again; customer_id is 0).
    team_filter: TeamFilterBefore | None = None

    @property
    def can_undo(self) -> bool:
        """False for an action that cannot be taken back."""
        return self.reason is None


@dataclass(frozen=True)
class Recommendation:
    """The recommended next step for an alert, in plain words."""

    title: str
    detail: str
    # An incentive capped by the customer's value, when the step suggests one (cents).
    incentive_cap_cents: int | None = None
    # The channel a running experiment assigned ("email", "call", "meeting"; "": none).
    channel: str = ""


@dataclass(frozen=True)
class AlertState:
    """An alert's lifecycle fields after a transition."""

    id: int
    status: str
    outcome: str | None
    snoozed_until: dt.datetime | None
    snooze_until_clear: bool
    updated_at: dt.datetime


@dataclass(frozen=True)
class CardAlert:
    """One alert of a card: its rule, severity, status, reason and priority, and the
    version shown (an action sends it back: refused if the alert changed since)."""

    id: int
    rule_key: str
    rule: str
    severity: str
    status: str
    reason: str
    priority_cents: int
    condition_cleared: bool = False
    version: int | None = None


@dataclass(frozen=True)
class AlertDetail:
    """One alert with what the detail and action panes show beside it."""

    id: int
    customer_id: int
    customer: str  # the account's name (services/core/account_names.py)
    company: str | None
    email: str | None
    severity: str
    status: str  # a snooze whose date has passed reads "open"
    rule_key: str
    rule: str  # the rule's title
    reason: str
    drivers: tuple[str, ...]  # the score snapshot's drivers, heaviest first
    priority_cents: int
    owner: str | None
    segment: str | None
    churn_risk: float | None
    clv_12m_cents: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    snoozed_until: dt.datetime | None
    snooze_until_clear: bool
    outcome: str | None
    resolved_at: dt.datetime | None
    cleared_at: dt.datetime | None  # when a scoring found the condition no longer met
    do_not_contact: bool
    unsubscribed: bool
    last_contact_at: dt.datetime | None
    # Why outreach is not offered (do not contact, unsubscribed, quiet period), or None.
    outreach_blocked: str | None
    recommendation: Recommendation
    history: tuple[AlertEvent, ...] = ()
    actions: tuple[ActionRecord, ...] = ()
    currency: str = "USD"  # of priority_cents and clv_12m_cents: the home currency
    queue: str = "risk"
    # The card: this customer's alerts of the same queue that the list shows as one card,
    # this one first (the most urgent); what an action on the card applies to.
    card: tuple[CardAlert, ...] = ()
    # Why the churn risk is what it is: the snapshot's risk reasons, or what the model
    # rests on when there are none (a thin history); empty outside the risk queue.
    risk_reasons: tuple[str, ...] = ()
    # Set when the customer's signals point both ways ("Signals conflict: ...").
    conflict: str | None = None
    health_score: float | None = None
    # When the quiet period after contact ends, while it holds outreach back (a user may
    # end it sooner, with a reason); None otherwise.
    quiet_until: dt.datetime | None = None
    # The customer's revenue at risk by the latest scoring (what a risk card and the
    # customer's tile say); None when that scoring did not score them.
    risk_now_cents: int | None = None
    # The customer's churn risk by the latest scoring (what the card and the tile say of
    # a cleared alert, whose reason holds the figures of when it was raised); None: none.
    churn_now: float | None = None
    # Learn's holdout: no outreach suggested for this alert (the user may still contact
    # the customer, saying why); ``holdout_contacted`` says when and why they were.
    holdout: bool = False
    holdout_contacted: str | None = None
    # The customer's running playbook (services/alerts/playbooks.py), None: none runs.
    playbook: PlaybookStatus | None = None
    # The playbook the card offers first (its key, "": none) and the segment whose own
    # suggestion it is ("": the workspace's; Settings ▸ Per segment).
    suggested_playbook: tuple[str, str] = ("", "")

    # The version of the alert as shown (services/alerts/conflict.py); None: not known.
    version: int | None = None
    # Whom the card can be assigned to (services/alerts/assign.py), sorted.
    teammates: tuple[str, ...] = ()
    # Who stands for the account ("" when none is still there): the person a ticket's
    # requester is, never one who left (services/core/account_names.py).
    person: str = ""
    # The SLA (services/alerts/sla.py): when the alert is due (UTC), whether nobody acted
    # on it in time and it is still open, and the action pane's words ("Due Fri, Nov 27",
    # "Overdue since Thu, Nov 26"; "" once acted on or closed).
    due_at: dt.datetime | None = None
    overdue: bool = False
    due_line: str = ""
    # A relationship signal's measured precision beside its rule's level, in words
    # (services/alerts/proof.py's Proof.words; "" for the other rules).
    signal_proof: str = ""

    @property
    def card_ids(self) -> tuple[int, ...]:
        """The ids of the card's alerts (this alert alone when it is not on a card)."""
        return tuple(a.id for a in self.card) or (self.id,)

    @property
    def seen_versions(self) -> dict[int, int]:
        """The version of each alert of the card as shown (what an action sends back)."""
        seen = {a.id: a.version for a in self.card if a.version is not None}
        if self.version is not None:
            seen.setdefault(self.id, self.version)
        return seen


class AlertActionError(UserFacingError):
    """A transition or action that is not possible now; the message says why."""


@dataclass(frozen=True)
class AlertChange:
    """An alert that changed since the user saw it: what it is now, and who changed it
    last and when, as the audit log says (services/alerts/conflict.py)."""

    alert_id: int
    version: int
    status: str  # as the user sees it (a snooze whose date has passed reads "open")
    outcome: str | None
    state: str  # the status in words: "resolved (won back)", "snoozed until Mar 7, 2026"
    # Who, in words: "Maya Lopez", "You", "A scoring"; None when the log does not say.
    changed_by: str | None
    changed_at: dt.datetime | None  # when (UTC); None when not known


class AlertChangedError(AlertActionError):
    """An action refused, changing nothing, because the alert changed since the user saw
    it (someone else acted on it, or a scoring changed it): the message names who and
    when and says what it is now; ``change`` carries it for the window."""

    def __init__(self, message: str, change: AlertChange) -> None:
        super().__init__(message)
        self.change = change


# The dashboard's bands of the scores, shared by the service that counts them and the
# charts that draw and open them: ten bands, each [low, high) except the last, which
# includes the top value (views.item_models.customer_filters.CustomerFilter's ranges). Written as
# i / 10 so that an edge is the float nearest its decimal (0.3, not 0.30000000000000004).
HISTOGRAM_EDGES: dict[str, tuple[float, ...]] = {
    "churn_risk": tuple(i / 10 for i in range(11)),
    "health_score": tuple(float(10 * i) for i in range(11)),
    "engagement_score": tuple(float(10 * i) for i in range(11)),
}
# Working alerts by age, in whole days of 24 hours since raised (one raised after now is
# 0 days old): (label, first day, last day or None), both ends included.
ALERT_AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("today", 0, 0),
    ("1-7 days", 1, 7),
    ("8-30 days", 8, 30),
    ("over 30 days", 31, None),
)
# "At risk" on the dashboard is risk_bands' one definition (NOT_AT_RISK_SEGMENTS there).


@dataclass(frozen=True)
class Histogram:
    """Counts of values in bins; ``edges`` has one more entry than ``counts``."""

    edges: tuple[float, ...]
    counts: tuple[int, ...]


@dataclass(frozen=True)
class AgeBucket:
    """Working alerts of one age range, by severity."""

    label: str  # "today", "1-7 days", "8-30 days", "over 30 days"
    by_severity: dict[str, int]


@dataclass(frozen=True)
class SegmentFigures:
    """Customers of one segment in the latest scores and their revenue at risk."""

    segment: str
    customers: int
    revenue_at_risk_cents: int


@dataclass(frozen=True)
class TrendPoint:
    """Workspace figures of one stored scoring (one point per as-of date)."""

    as_of: dt.date
    run_id: int
    customers: int
    mean_churn_risk: float | None
    at_risk_share: float | None
    revenue_at_risk_cents: int
    mean_engagement: float | None
    mean_health: float | None


@dataclass(frozen=True)
class Dashboard:
    """The dashboard's figures, from the latest scores and the alerts."""

    as_of: dt.date
    horizon_days: int
    customers: int  # scored customers
    at_risk_threshold: float  # churn risk counted as "at risk" (the high-risk rule's)
    at_risk_customers: int  # churn risk >= threshold, not in NOT_AT_RISK_SEGMENTS
    at_risk_share: float
    revenue_at_risk_cents: int  # sum over every scored customer
    alerted_revenue_at_risk_cents: int  # the part held by customers with working alerts
    alerts_by_severity: dict[str, int]  # working alerts
    alerts_by_age: tuple[AgeBucket, ...]
    distributions: dict[str, Histogram]  # churn_risk (0-1), engagement_score, health_score
    segments: tuple[SegmentFigures, ...]
    trend: tuple[TrendPoint, ...]  # oldest first, one point per as-of date (same horizon)
    # Customers left out of at_risk_customers for their segment (Lost) with a churn risk at
    # or above the threshold.
    lost_at_risk_customers: int = 0


# Learn's holdout, in the window's words: one name on every screen (a card, the action
# pane, Results). Not "held back", which is the daily cap's.
HOLDOUT_LABEL = "Holdout"
HOLDOUT_NOTE = (
    "Holdout: no outreach is suggested for this alert, so that Results can compare "
    "customers who were contacted with customers who were not."
)


@dataclass(frozen=True)
class SentAs:
    """How an email came to be, recorded with it for Learn's comparisons: the goal and
    tone asked for, the draft variant (0 the first; None: not from a draft), whether the
    user edited the draft, and, for a held-out customer contacted anyway, why."""

    goal: str | None = None
    tone: str | None = None
    variant: int | None = None
    edited: bool | None = None
    holdout_reason: str | None = None
