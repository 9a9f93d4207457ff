"""A customer's lifecycle stage as of a date, defined here once for every surface.

The stages, in the order a customer moves through them: onboarding, adoption, mature,
renewal; and at risk, which any of them can become. Where the stage is read from is the
setting ``lifecycle.source``:

- field: a stage column of the customer's record (an imported column named "lifecycle
  stage", "stage", "customer stage" or "lifecycle"), its words read as one of the stages
  ("new", "trial" -> onboarding; "active", "established" -> mature...). A record's column
  tells only what it says now, so it counts for a date only once the record held it
  (its last update on or before that date).
- contracts: a customer with a contract running on the date (started on or before it,
  ending on or after it) is in renewal when it ends within ``renewal_days`` days, else
  onboarding for ``onboarding_days`` days from their first contract's start, adoption
  until ``mature_days`` days from it, then mature.
- orders: onboarding for ``onboarding_days`` days from their first paid order (or from
  their sign-up, before any order); then mature once they have placed ``mature_orders``
  paid orders and have been a customer ``mature_days`` days, else adoption.
- auto (the default): the field when the record has one, else the contracts when one is
  running, else the orders.

Whatever the source, a customer at risk by the app's one definition
(services.alerts.risk_bands.is_at_risk: a churn risk at or above the high-risk rule's
threshold, 60 % by default, not counting the Lost segment) is at risk, as the dashboard
counts them. A Lost customer is already gone, not at risk: they take the stage their
record, contracts or orders give (or none). Everything is read as of the date: the orders
and contracts begun by then, the latest scoring run as of then (its churn risk and
segment).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from services.alerts.risk_bands import NOT_AT_RISK_SEGMENTS, RISK_HIGH_FROM, is_at_risk

__all__ = [
    "STAGE_LABELS",
    "FIELD_KEYS",
    "StageFacts",
    "StageRules",
    "Staged",
    "field_stage",
    "stage_of",
]

STAGE_LABELS = {
    "onboarding": "Onboarding",
    "adoption": "Adoption",
    "mature": "Mature",
    "renewal": "Renewal",
    "at_risk": "At risk",
}
NO_STAGE = "No stage"
# A customer record's column naming their stage, compared without spaces, _ or - in lower case.
FIELD_KEYS = ("lifecyclestage", "stage", "customerstage", "lifecycle", "accountstage")
# The words a stage column uses, per stage (whole words, lower case).
_FIELD_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("at_risk", ("at risk", "risk", "churning", "atrisk", "red")),
    ("renewal", ("renewal", "renewing", "up for renewal")),
    ("onboarding", ("onboarding", "new", "trial", "implementation", "kickoff", "welcome")),
    ("adoption", ("adoption", "adopting", "growing", "growth", "ramp", "ramping")),
    ("mature", ("mature", "established", "active", "loyal", "steady", "advocate")),
)


@dataclass(frozen=True)
class StageRules:
    """The settings that decide a stage (services/settings/lifecycle.py)."""

    source: str = "auto"
    onboarding_days: int = 60
    renewal_days: int = 90
    mature_days: int = 365
    mature_orders: int = 4
    at_risk_from: float = RISK_HIGH_FROM


@dataclass(frozen=True)
class StageFacts:
    """What one customer's stage is read from, as of the date."""

    customer_id: int
    first_order: dt.date | None = None
    orders: int = 0
    signup: dt.date | None = None
    first_contract_start: dt.date | None = None
    running_contract_end: dt.date | None = None  # the contract running on the date
    field: str | None = None  # the record's stage column, when known on the date
    churn_risk: float | None = None
    segment: str | None = None  # the RFM segment of the same scoring


@dataclass(frozen=True)
class Staged:
    """A customer's stage (None: nothing to read one from), where it came from and why."""

    customer_id: int
    stage: str | None
    source: str  # "field", "contracts", "orders", "churn risk" or "" (no stage)
    why: str

    @property
    def label(self) -> str:
        """The stage in words."""
        return STAGE_LABELS.get(self.stage or "", NO_STAGE)


def field_stage(value: str | None) -> str | None:
    """The stage a stage column's words name, or None when they name none."""
    text = re.sub(r"[\s_\-]+", " ", (value or "").strip().lower())
    if not text:
        return None
    for stage, words in _FIELD_WORDS:
        if text in words or any(re.search(rf"\b{re.escape(w)}\b", text) for w in words):
            return stage
    return None


def _days(later: dt.date, earlier: dt.date) -> int:
    return (later - earlier).days


def _by_contracts(facts: StageFacts, rules: StageRules, on: dt.date) -> Staged | None:
    end, start = facts.running_contract_end, facts.first_contract_start
    if end is None or start is None:
        return None
    cid = facts.customer_id
    left = _days(end, on)
    if left <= rules.renewal_days:
        return Staged(cid, "renewal", "contracts", f"the contract ends in {left} days")
    since = _days(on, start)
    if since < rules.onboarding_days:
        return Staged(cid, "onboarding", "contracts", f"the first contract began {since} days ago")
    if since < rules.mature_days:
        return Staged(cid, "adoption", "contracts", f"a customer under contract for {since} days")
    return Staged(cid, "mature", "contracts", f"a customer under contract for {since} days")


def _by_orders(facts: StageFacts, rules: StageRules, on: dt.date) -> Staged | None:
    cid = facts.customer_id
    if facts.first_order is None:
        if facts.signup is not None and 0 <= _days(on, facts.signup) < rules.onboarding_days:
            days = _days(on, facts.signup)
            return Staged(cid, "onboarding", "orders", f"signed up {days} days ago, no order yet")
        return None
    since = _days(on, facts.first_order)
    if since < rules.onboarding_days:
        return Staged(cid, "onboarding", "orders", f"the first order was {since} days ago")
    tenure = max(since, _days(on, facts.signup) if facts.signup else 0)
    orders = f"{facts.orders} order{'s' if facts.orders != 1 else ''} in {tenure} days"
    if facts.orders >= rules.mature_orders and tenure >= rules.mature_days:
        return Staged(cid, "mature", "orders", orders)
    return Staged(cid, "adoption", "orders", orders)


def _by_field(facts: StageFacts) -> Staged | None:
    stage = field_stage(facts.field)
    if stage is None:
        return None
    return Staged(facts.customer_id, stage, "field", f"the record's stage is “{facts.field}”")


def stage_of(facts: StageFacts, rules: StageRules, on: dt.date) -> Staged:
    """The customer's stage on the date ``on``, by the rules."""
    risk = facts.churn_risk
    if is_at_risk(risk, facts.segment, rules.at_risk_from):
        why = f"churn risk {risk:.0%}, in the high band ({rules.at_risk_from:.0%} or more)"
        return Staged(facts.customer_id, "at_risk", "churn risk", why)
    staged = _by_sources(facts, rules, on)
    if risk is not None and risk >= rules.at_risk_from and facts.segment in NOT_AT_RISK_SEGMENTS:
        gone = f"; churn risk {risk:.0%}, but in the {facts.segment} segment: gone, not at risk"
        return Staged(staged.customer_id, staged.stage, staged.source, staged.why + gone)
    return staged


def _by_sources(facts: StageFacts, rules: StageRules, on: dt.date) -> Staged:
    sources = ("field", "contracts", "orders") if rules.source == "auto" else (rules.source,)
    for source in sources:
        if source == "field":
            found = _by_field(facts)
        elif source == "contracts":
            found = _by_contracts(facts, rules, on)
        else:
            found = _by_orders(facts, rules, on)
        if found is not None:
            return found
    return Staged(facts.customer_id, None, "", "no orders, contract or stage column to read")
