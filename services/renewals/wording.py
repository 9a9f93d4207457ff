"""Renewals in words, the same on the command line and in the window."""

from __future__ import annotations

import datetime as dt

from services.core.money import format_money
from services.renewals.records import AT_RISK_BELOW, COLD_START, RenewalsReport, Upcoming
from services.renewals.vocab import CALL_CHANCE, CALL_LABELS, disagrees

__all__ = [
    "AMOUNTS_WORDS",
    "EMPTY_WORDS",
    "DISAGREES",
    "call_disagrees",
    "call_words",
    "chance",
    "disagreement_tip",
    "day",
    "headline",
    "likelihood_words",
    "money",
    "model_words",
]

EMPTY_WORDS = (
    "No contracts in this workspace yet. Import them with File ▸ Import… or the import "
    "command: a contracts CSV with the customer, start and end dates, the recurring amount "
    "and currency, auto-renew and the notice period, or a Chargebee, Recurly or Zuora "
    "subscriptions export, or Salesforce or HubSpot renewal opportunities. The next scoring "
    "then forecasts each renewal."
)
AMOUNTS_WORDS = (
    "Amounts are annual recurring revenue: each contract's recurring amount a year, in the "
    "home currency."
)


def chance(value: float | None) -> str:
    """A likelihood as a whole percentage, "–" when there is none."""
    return "–" if value is None else f"{value:.0%}"


def money(report: RenewalsReport, cents: float | None) -> str:
    """An amount in the report's home currency, compact."""
    return "–" if cents is None else format_money(cents, report.home, compact=True)


def day(value: dt.date) -> str:
    """ "Mar 12, 2026"."""
    return f"{value:%b} {value.day}, {value.year}"


def call_words(upcoming: Upcoming) -> str:
    """The owner's latest call, "–" when none."""
    return CALL_LABELS.get(upcoming.call or "", "–")


# The mark beside a call the model disagrees with: words, never colour alone.
DISAGREES = "disagrees"


def call_disagrees(report: RenewalsReport, upcoming: Upcoming) -> bool:
    """The owner's latest call and the model's likelihood are the renewal calls' setting
    apart or more (as on the renewal card)."""
    gap = report.disagreement_gap
    if gap is None or upcoming.call is None:
        return False
    return disagrees(upcoming.call, upcoming.likelihood, gap)


def disagreement_tip(upcoming: Upcoming) -> str:
    """ "Called Commit (about 95% to renew); the model gives 31% to renew"."""
    call = upcoming.call or ""
    label = CALL_LABELS.get(call, "–")
    about = f" (about {CALL_CHANCE[call]:.0%} to renew)" if call in CALL_CHANCE else ""
    model = likelihood_words(upcoming)
    return f"Called {label}{about}; the model gives " + (
        f"{model} to renew" if upcoming.likelihood is not None else model
    )


def likelihood_words(upcoming: Upcoming) -> str:
    """ "72%", or that no run has forecast it yet."""
    if upcoming.likelihood is None:
        return "not forecast yet"
    return chance(upcoming.likelihood)


def model_words(report: RenewalsReport, *, verdict: bool = True) -> str:
    """Which forecast the likelihoods are, and why (``verdict``: the backtest's), in one
    sentence or two."""
    if report.run_as_of is None:
        return "No scoring has forecast the renewals yet: score the workspace (Score now)."
    models = {u.model for u in report.upcoming if u.model}
    test = report.backtest
    why = f" {test.verdict}" if test is not None and verdict else ""
    if models == {COLD_START}:
        return (
            f"Likelihoods of the scoring of {day(report.run_as_of)}: the cold-start fallback.{why}"
        )
    return f"Likelihoods of the scoring of {day(report.run_as_of)}.{why}"


AHEAD_DAYS = 90  # "the renewals ahead": due within this many days


def ahead(report: RenewalsReport) -> list[Upcoming]:
    """The renewals ahead: open, due within AHEAD_DAYS of the report's day."""
    return [u for u in report.upcoming if u.end <= report.as_of + dt.timedelta(days=AHEAD_DAYS)]


def ahead_figures(report: RenewalsReport) -> tuple[float, float | None, list[Upcoming]]:
    """The renewals ahead's annual value, its expected part (each times its likelihood;
    None when some are due and none has a likelihood yet: no expectation is not $0) and
    those at risk (below AT_RISK_BELOW, or called at risk or lost)."""
    due = ahead(report)
    up = sum(u.annual_cents or 0.0 for u in due)
    known = [u for u in due if u.likelihood is not None]
    expected = (
        sum((u.annual_cents or 0.0) * (u.likelihood or 0.0) for u in known)
        if known or not due
        else None
    )
    return up, expected, [u for u in due if u.at_risk]


def headline(report: RenewalsReport) -> str:
    """The renewals ahead in one sentence: how many, how much, expected and at risk."""
    if not report.contracts:
        return EMPTY_WORDS
    due = ahead(report)
    up, expected, risky = ahead_figures(report)
    expecting = (
        f"expected {money(report, expected)}" if expected is not None
        else "no likelihood yet (a scoring gives them)"
    )  # fmt: skip
    return (
        f"{len(due):,} renewal{'s' * (len(due) != 1)} in the next {AHEAD_DAYS} days worth "
        f"{money(report, up)} a year; {expecting}; "
        f"{len(risky):,} at risk (below {AT_RISK_BELOW:.0%} or called at risk or lost)."
    )


def model_unchecked_words(report: RenewalsReport) -> str | None:
    """Why forecast against actual has no figure of the model's while renewal dates have
    passed (the owners' calls have some): a scoring keeps its forecasts of the renewals
    still to come, so none of those decided was forecast before its checkpoint; None when
    the model has a figure, or nothing has been decided."""
    if not report.model_checks or any(c.count for c in report.model_checks):
        return None
    return (
        "The model has no forecast of these past renewals: a scoring keeps its forecasts of "
        "the renewals still to come, so its rows fill as renewal dates pass after scorings "
        "(the first forecast 6 months before a date is checked 6 months later). A scoring "
        "as of a past date replays what the model would have said then."
    )
