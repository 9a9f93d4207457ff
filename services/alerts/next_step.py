"""The recommended next step for an alert, from what the customer said and bought.

The rule gives the default step (services.alerts.detail.RECOMMENDATIONS); the
customer's own signals refine it, most specific first:

1. Outreach blocked (do not contact, unsubscribed, quiet period): a step without it.
2. Sizing or fit complaints in recent negative tickets and reviews: a fitting
   consultation or an exchange for the right size.
3. Quality complaints (broke, faded, defect...): an exchange or a replacement.
3b. Other complaints (delivery, refunds...): put things right before anything new.
4. High value gone quiet (the high-risk-high-value and gone-quiet rules, and rising
   risk): a personal check-in with an offer capped by the customer's 12-month value.
5. Expansion: introduce a line they have not bought yet, next to their favourite one.

A complaint is a negative ticket or review (its sentiment, read on the laptop or imported;
a bad rating); its theme is the reason learned from the workspace's negative text
(services/listen/reasons.py), read against the sizing and quality words below, or, for
a text with no learned reason, its own words. Complaint texts are read as data only,
never as instructions.

``step_outreach`` is the goal and offer the next step calls for: what the card advises
and what the email composer and Draft for all start from. A complaint comes first (or an
alert about one: a negative experience, a ticket past its time): the apology goal, and
the draft makes no offer of its own (the user may add one, within the cap). Otherwise the
rule's goal, with an offer within the cap.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.schema import Interaction, Order
from services.alerts.records import Recommendation
from services.core.clv_words import value_label
from services.core.incentive import INCENTIVE_CAP_SETTING, cap_percent_words, incentive_cap_cents
from services.core.money import format_money, load_money_context
from services.scoring.queries import value_months
from services.segment_policy import value_for
from services.settings.views import ListenRecords

# How far back complaints count. The most an offer may reach is the incentive cap
# (services/core/incentive.py), which the email drafts obey too.
COMPLAINT_DAYS = 120
_SIZING = re.compile(
    r"\b(siz(e|es|ing)|fit|fits|fitting|too (small|big|large|tight|loose)|runs (small|large)"
    r"|between sizes|length|narrow|wide)\b"
)
_QUALITY = re.compile(
    r"\b(quality|broke|broken|defect(ive)?|torn|ripped|rip|faded|fell apart|pilling"
    r"|stitch(ing)?|damaged|hole|cheap|shrank|shrunk)\b"
)
_QUIET_RULES = ("high_risk_high_value", "lapse_coming", "gone_quiet", "risk_rising")
# The alert rule -> the goal an email for it has when no complaint comes first.
RULE_GOALS = {
    "negative_experience": "apology",
    "ticket_past_sla": "apology",
    "expansion": "expansion",
    "stalled_opportunity": "check_in",
    "conversation_risk": "check_in",
    "champion_left": "check_in",
    "key_contact_dark": "check_in",
    "single_threaded": "check_in",
    "new_decision_maker": "check_in",
}
# The goal that puts things right; the rules that are about a complaint themselves.
COMPLAINT_GOAL = "apology"
_COMPLAINT_RULES = ("negative_experience", "ticket_past_sla")


@dataclass(frozen=True)
class Complaints:
    """Recent negative tickets and reviews of one customer, by theme."""

    sizing: tuple[str, ...]  # subjects (or the start of the text) about sizing or fit
    quality: tuple[str, ...]  # ... about quality
    other: tuple[str, ...] = ()  # ... about anything else (delivery, refunds...)
    reasons: tuple[str, ...] = ()  # the learned reasons of the "other" ones, most first

    @property
    def found(self) -> bool:
        """Any complaint at all."""
        return bool(self.sizing or self.quality or self.other)


@dataclass(frozen=True)
class StepOutreach:
    """The goal and offer an alert's next step calls for."""

    goal: str  # an outreach goal (services.settings.GOALS)
    offer: bool  # the draft itself may make an offer (within the cap)
    why: str = ""  # why the draft makes no offer of its own, in words ("" when it may)


NO_OFFER_WHY = "put things right first (a recent complaint, or the alert is about one)"


def goal_for_rule(rule_key: str | None) -> str:
    """The goal of an email for an alert of this rule when no complaint comes first
    (win back without one)."""
    return RULE_GOALS.get(rule_key or "", "win_back")


def step_outreach(rule_key: str | None, complaints: Complaints) -> StepOutreach:
    """The goal and offer this alert's next step calls for: after a complaint (or on an
    alert about one) the apology goal and no offer; else the rule's goal, with an offer."""
    if complaints.found or rule_key in _COMPLAINT_RULES:
        return StepOutreach(COMPLAINT_GOAL, offer=False, why=NO_OFFER_WHY)
    return StepOutreach(goal_for_rule(rule_key), offer=True)


def alert_outreach(
    session: Session, *, rule_key: str | None, customer_id: int, now: dt.datetime
) -> StepOutreach:
    """``step_outreach`` for a customer's alert (``rule_key`` None: no alert), from their
    recent complaints."""
    return step_outreach(rule_key, recent_complaints(session, customer_id, now))


def _money(cents: float, currency: str) -> str:
    return format_money(cents, currency, decimals=0)


def recent_complaints(session: Session, customer_id: int, now: dt.datetime) -> Complaints:
    """The customer's negative tickets and reviews in the window (their sentiment is
    negative, a ticket rated bad, a review of 1-2 stars with no sentiment), sorted by
    theme: by the reason learned for the text (services/listen/reasons.py) when it has
    one, else by its own words."""
    from sqlalchemy import literal_column

    from services.listen.reasons import negative_where

    since = now - dt.timedelta(days=COMPLAINT_DAYS)
    i = Interaction.__table__.alias("i")
    rows = session.execute(
        select(i.c.subject, i.c.text, i.c.reason)
        .where(
            i.c.customer_id == customer_id,
            i.c.occurred_at >= since,
            i.c.occurred_at <= now,
            i.c.kind.in_(("ticket", "review")),
            literal_column(negative_where()),
        )
        .order_by(i.c.occurred_at.desc())
        .limit(50)
    ).all()
    terms = _reason_terms(session)
    sizing: list[str] = []
    quality: list[str] = []
    other: list[str] = []
    reasons: list[str] = []
    for subject, text, reason in rows:
        words = " ".join(terms[reason]) if reason in terms else f"{subject or ''} {text or ''}"
        label = (subject or text or "").strip()[:60]
        if _SIZING.search(words.lower()):
            sizing.append(label)
        elif _QUALITY.search(words.lower()):
            quality.append(label)
        else:
            other.append(label)
            if reason:
                reasons.append(reason)
    ranked = tuple(r for r, _n in Counter(reasons).most_common())
    return Complaints(tuple(sizing), tuple(quality), tuple(other), ranked)


def _reason_terms(session: Session) -> dict[str, tuple[str, ...]]:
    learned = ListenRecords.read(session).reasons or {}
    return {t["label"]: tuple(t["terms"]) for t in learned.get("topics", [])}


def category_mix(session: Session, customer_id: int, now: dt.datetime) -> tuple[list[str], int]:
    """The customer's paid-order categories, most ordered first, and their paid orders."""
    rows = session.execute(
        select(Order.category, func.count())
        .where(
            Order.customer_id == customer_id,
            Order.status == "paid",
            Order.order_date <= now,
            Order.category.is_not(None),
        )
        .group_by(Order.category)
        .order_by(func.count().desc(), Order.category)
    ).all()
    total = session.scalar(
        select(func.count())
        .select_from(Order)
        .where(Order.customer_id == customer_id, Order.status == "paid", Order.order_date <= now)
    )
    return [str(c) for c, _n in rows], int(total or 0)


def workspace_categories(session: Session) -> list[str]:
    """Every category sold, most sold first."""
    from services.settings import READ_CACHE

    cache = session.info.get(READ_CACHE)
    if cache is not None and "categories" in cache:
        return list(cache["categories"])
    rows = session.execute(
        select(Order.category)
        .where(Order.category.is_not(None), Order.status == "paid")
        .group_by(Order.category)
        .order_by(func.count().desc())
    ).all()
    found = [str(r[0]) for r in rows]
    if cache is not None:
        cache["categories"] = list(found)
    return found


def _quoted(items: Sequence[str]) -> str:
    shown = [f"“{i}”" for i in items[:2] if i]
    return f" ({', '.join(shown)})" if shown else ""


def next_step(
    session: Session,
    *,
    rule_key: str,
    customer_id: int,
    customer_name: str,
    clv_12m_cents: float | None,
    drivers: Sequence[str],
    blocked: str | None,
    default: Recommendation,
    now: dt.datetime,
    cap_percent: float | None = None,
) -> Recommendation:
    """The recommended next step (see the module docstring for the order of the checks).
    ``cap_percent``: the offer cap an experiment's offer-size strategy sets (None: the
    setting)."""
    if blocked is not None:
        return default
    first = customer_name.split()[0] if customer_name else "them"
    if cap_percent is None:
        # The customer's segment's own cap where one is set (Settings ▸ Per segment).
        cap_percent = float(value_for(session, INCENTIVE_CAP_SETTING, customer_id).value)
    cap = incentive_cap_cents(clv_12m_cents, cap_percent)
    complaints = recent_complaints(session, customer_id, now)
    outreach = step_outreach(rule_key, complaints)
    if not outreach.offer and default.incentive_cap_cents is not None:
        # The rule's own step may name an offer; a complaint comes first.
        default = replace(default, incentive_cap_cents=None)
    if complaints.sizing:
        n = len(complaints.sizing)
        return Recommendation(
            "Offer a fitting consultation or an exchange",
            f"{n} recent ticket{'s' if n > 1 else ''} or review{'s' if n > 1 else ''} "
            f"mention sizing or fit{_quoted(complaints.sizing)}. Offer {first} a free "
            "exchange for the right size, or a short call to find their fit, before any "
            "sales offer.",
            None,
        )
    if complaints.quality:
        n = len(complaints.quality)
        return Recommendation(
            "Offer an exchange or a replacement",
            f"{n} recent ticket{'s' if n > 1 else ''} or review{'s' if n > 1 else ''} "
            f"mention quality{_quoted(complaints.quality)}. Apologise, offer a "
            "replacement or an exchange, and follow up once it has arrived.",
            None,
        )
    if complaints.other:
        n = len(complaints.other)
        about = f" about {complaints.reasons[0].lower()}" if complaints.reasons else ""
        return Recommendation(
            "Put things right first",
            f"{n} recent ticket{'s' if n > 1 else ''} or review{'s' if n > 1 else ''} "
            f"{'are' if n > 1 else 'is'} negative{about}{_quoted(complaints.other)}. Make "
            f"sure it is resolved, tell {first} what you did, and only then suggest "
            "anything new.",
            None,
        )
    if rule_key in _QUIET_RULES:
        quiet = next((d for d in drivers if d.lower().startswith("no order in")), None)
        why = f"{quiet[0].upper()}{quiet[1:]}." if quiet else "High value, slipping away."
        if cap:
            currency = load_money_context(session).home
            value = _money(clv_12m_cents or 0, currency)
            # The cap is in whole units, or cents under one unit: shown as the drafts show it.
            offer = (
                f" If an incentive helps, keep it at or under {format_money(cap, currency)} "
                f"({cap_percent_words(cap_percent)} of their "
                f"{value_label(value_months(session))} of {value})."
            )
        else:
            offer = ""
        return Recommendation(
            "A personal check-in" + (" with an offer" if cap else ""),
            f"{why} Call or write to {first} personally: ask how things are and what "
            f"would bring them back.{offer}",
            cap,
        )
    if rule_key == "expansion":
        mine, orders = category_mix(session, customer_id, now)
        if mine:
            untried = [c for c in workspace_categories(session) if c not in mine]
            suggest = " or ".join(untried[:2])
            detail = f"{first}'s favourite line is {mine[0]}"
            detail += f" ({orders} paid orders in all)." if orders else "."
            if suggest:
                detail += f" Introduce {suggest}, which they have not bought yet."
            else:
                detail += " Suggest the new season of their favourite lines."
            return Recommendation("Introduce a new line", detail, None)
    return default
