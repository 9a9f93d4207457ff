"""The model check in words, the same on the command line and in the window."""

from __future__ import annotations

import datetime as dt

from services.accuracy.records import AccuracyReport, RunCheck
from services.core.money import format_money

__all__ = ["day", "empty_words", "headline", "money", "pending_words", "ratio", "verdict"]


def day(value: dt.date) -> str:
    """A date as "Mar 5, 2025"."""
    return f"{value:%b} {value.day}, {value.year}"


def ratio(value: float | None, digits: int = 2) -> str:
    """A figure with ``digits`` decimals, "–" when there is none."""
    return "–" if value is None else f"{value:.{digits}f}"


def signed(value: float | None) -> str:
    """A bias as a signed percentage, "–" when there is none."""
    return "–" if value is None else f"{value:+.0%}"


def money(report: AccuracyReport, cents: float | None) -> str:
    """An amount in the report's home currency, compact."""
    return "–" if cents is None else format_money(cents, report.currency, compact=True)


def verdict(run: RunCheck) -> str:
    """Whether the run beat its baselines, a miss said first."""
    churn = run.beats_churn_baseline
    orders = run.beats_orders_baseline
    churn_words = f"churn (AUC {ratio(run.auc)} vs {ratio(run.baseline_auc)} by recency)"
    orders_words = (
        f"orders (MAE {ratio(run.orders_mae)} vs {ratio(run.baseline_orders_mae)} "
        "by the past year's rate)"
    )
    missed = [w for w, beat in ((churn_words, churn), (orders_words, orders)) if beat is False]
    beaten = [w for w, beat in ((churn_words, churn), (orders_words, orders)) if beat]
    parts = []
    if missed:
        parts.append("Did not beat its baseline on " + " nor on ".join(missed) + ".")
    if beaten:
        parts.append("Beat its baseline on " + " and on ".join(beaten) + ".")
    if churn is None:
        parts.append("Churn cannot be judged: all its customers churned, or none did.")
    if run.conversations:
        parts.append(run.conversations)
    return " ".join(parts) or "Nothing to judge: no customer was predicted."


def short_verdict(run: RunCheck) -> str:
    """The verdict in a word or two, for a table's cell."""
    beats = (run.beats_churn_baseline, run.beats_orders_baseline)
    if False in beats:
        return "misses baseline"
    if beats == (True, True):
        return "beats both"
    return "beats one" if True in beats else "–"


def pending_words(report: AccuracyReport) -> list[str]:
    """One line a run not checkable yet."""
    return [
        f"Run {p.run_id} (as of {day(p.as_of)}, {p.horizon_days} days): not yet checkable, "
        f"on {day(p.checkable_on)}."
        for p in report.pending
    ]


def cutoff_words(report: AccuracyReport) -> str:
    """Up to which day what customers did is known, and why that day."""
    if report.cutoff is None:
        return ""
    return f"What customers did is known up to {day(report.cutoff)} ({report.cutoff_by})."


def empty_words(report: AccuracyReport) -> str | None:
    """What to say when no run can be checked yet (None: some can)."""
    if report.runs:
        return None
    if not report.pending:
        return (
            "No scoring run yet: score the customers, and once a run's horizon has "
            "passed it is set beside what its customers did."
        )
    first = min(report.pending, key=lambda p: p.checkable_on)
    return (
        f"No scoring run has passed its horizon yet: the first, run {first.run_id} as of "
        f"{day(first.as_of)}, can be checked on {day(first.checkable_on)}."
    )


def headline(report: AccuracyReport) -> str:
    """The latest checkable run in one sentence with its verdict."""
    run = report.latest
    if run is None:
        return empty_words(report) or ""
    return (
        f"Latest checkable run {run.run_id} (as of {day(run.as_of)}, {run.horizon_days} "
        f"days, {run.scored:,} customers): {verdict(run)} Orders bias "
        f"{signed(run.orders_bias)}, revenue bias {signed(run.revenue_bias)}, Brier "
        f"{ratio(run.brier, 3)}."
    )
