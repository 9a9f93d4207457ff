"""The lifecycle stages in words, the same on every surface (report stages, Results ▸
Stages, the customer pane)."""

from __future__ import annotations

from services.core.formatting import format_date, format_percent
from services.core.money import format_money
from services.lifecycle.records import StageBook, StageGroup

__all__ = ["DEFINITIONS", "group_churn", "headline", "money", "rules_words"]

SOURCE_WORDS = {
    "auto": "an imported stage column, else contract dates, else orders",
    "field": "an imported stage column only",
    "contracts": "contract dates only",
    "orders": "orders only",
}


def money(book: StageBook, cents: float | None) -> str:
    """An amount in the book's currency, compact."""
    return "–" if cents is None else format_money(cents, book.currency, compact=True)


def percent(value: float | None) -> str:
    """A share as the app shows every percentage (services/core/formatting.py), "–"
    when there is none."""
    return "–" if value is None else format_percent(value)


def group_churn(book: StageBook, group: StageGroup) -> str:
    """What followed the date: "2 of 3 (67%)", or why nothing is said yet."""
    if not group.followed:
        return "–"
    return f"{group.churned} of {group.followed} ({percent(group.churn_rate)})"


def headline(book: StageBook) -> str:
    """The stages in one sentence."""
    staged = [g for g in book.groups if g.stage is not None]
    total = sum(g.customers for g in book.groups)
    if not total:
        return f"No customers on {format_date(book.as_of)}: nothing to stage."
    parts = ", ".join(f"{g.customers:,} {g.label.lower()}" for g in staged if g.customers)
    unstaged = sum(g.customers for g in book.groups if g.stage is None)
    tail = f"; {unstaged:,} without a stage (nothing to read one from)" if unstaged else ""
    customers = f"{total:,} customer{'s' if total != 1 else ''}"
    return f"On {format_date(book.as_of)}, {customers}: {parts or 'none staged'}{tail}."


def rules_words(book: StageBook) -> str:
    """The rules the stages were read by, in a sentence."""
    r = book.rules
    run = (
        f"the churn risk of the scoring of {format_date(book.run_as_of)}"
        if book.run_as_of
        else "no scoring as of then, so no churn risk"
    )
    return (
        f"Stages from {SOURCE_WORDS.get(r.source, r.source)}: onboarding for {r.onboarding_days} "
        f"days, renewal in the last {r.renewal_days} days of a contract, mature after "
        f"{r.mature_days} days (and, by orders, {r.mature_orders} orders); at risk from a churn "
        f"risk of {r.at_risk_from:.0%}, not counting the Lost segment ({run}){_gone(book)}."
    )


def _gone(book: StageBook) -> str:
    """How many Lost customers have an at-risk churn risk yet keep their own stage."""
    from services.alerts.risk_bands import NOT_AT_RISK_SEGMENTS

    gone = sum(
        1
        for s in book.staged
        if (f := book.scores.get(s.customer_id)) is not None
        and f.churn_risk is not None
        and f.churn_risk >= book.rules.at_risk_from
        and f.segment in NOT_AT_RISK_SEGMENTS
    )
    if not gone:
        return ""
    who = f"{gone:,} Lost customer{'s' if gone != 1 else ''}"
    keep = "keeps" if gone == 1 else "keep"
    return f"; {who} with such a churn risk {keep} the stage their orders or contracts give"


def churn_words(book: StageBook) -> str:
    """What the churn column means on this date."""
    return (
        f"Churned: of the customers who had ordered by then, those with no paid order in the "
        f"{book.horizon_days} days after; said once those days have passed."
    )


DEFINITIONS: tuple[tuple[str, str], ...] = (
    ("Onboarding", "new; their first contract began, or their first order was "
     "placed, within the onboarding days."),
    ("Adoption", "past onboarding, not yet mature: under contract or ordering for less "
     "than the mature days, or with fewer orders than the mature count."),
    ("Mature", "a customer for the mature days or longer (by orders, with the mature "
     "count of orders)."),
    ("Renewal", "a running contract ends within the renewal days."),
    ("At risk", "the latest scoring as of the date puts their churn risk at or above the "
     "high-risk rule's threshold, whatever the other stage, as the dashboard counts them: "
     "a customer in the Lost segment is gone, not at risk, and keeps the stage their "
     "orders or contracts give."),
    ("Value", "the customers' predicted value over the scoring's months, summed."),
    ("Churn risk", "the mean churn risk the scoring gave them."),
)  # fmt: skip
