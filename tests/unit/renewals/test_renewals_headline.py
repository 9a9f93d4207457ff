"""The renewals ahead in one sentence (services/renewals/wording.headline, which Results ▸
Renewals, report renewals, the dashboard and the book's pack show): the expected part is
each renewal's amount times its likelihood, and when renewals are due and none has a
likelihood yet it says so instead of "expected $0"."""

from __future__ import annotations

import datetime as dt

from services.renewals.records import RenewalsReport, Upcoming
from services.renewals.wording import ahead_figures, headline

TODAY = dt.date(2026, 11, 29)


def _report(*upcoming: Upcoming) -> RenewalsReport:
    return RenewalsReport(
        as_of=TODAY, home="USD", contracts=len(upcoming) + 1, run_as_of=TODAY,
        upcoming=upcoming, months=(), backtest=None, model_checks=(), owner_checks=(),
        owners=(), segments=(),
    )  # fmt: skip


def _renewal(k: int, days: int, cents: float, likelihood: float | None,
             call: str | None = None) -> Upcoming:  # fmt: skip
    return Upcoming(k, k, f"C{k}", "Maya", "Loyal", TODAY + dt.timedelta(days=days), cents,
                    likelihood, None, (), call)  # fmt: skip


def test_the_expected_part_weighs_each_renewal_by_its_likelihood() -> None:
    report = _report(_renewal(1, 10, 100_000, 0.9), _renewal(2, 80, 50_000, 0.4),
                     _renewal(3, 200, 70_000, 0.1))  # fmt: skip
    up, expected, risky = ahead_figures(report)
    assert (up, expected) == (150_000, 90_000 + 20_000)  # the third is beyond 90 days
    assert [u.customer_id for u in risky] == [2]
    assert headline(report) == (
        "2 renewals in the next 90 days worth $1.5k a year; expected $1.1k; 1 at risk "
        "(below 50% or called at risk or lost)."
    )


def test_renewals_due_with_no_likelihood_yet_expect_nothing_unsaid() -> None:
    report = _report(_renewal(1, 10, 100_000, None), _renewal(2, 30, 50_000, None, "lost"))
    up, expected, risky = ahead_figures(report)
    assert (up, expected, len(risky)) == (150_000, None, 1)
    words = headline(report)
    assert "no likelihood yet" in words
    assert "expected $0" not in words
    # None due: nothing is expected, which is $0.
    assert ahead_figures(_report(_renewal(3, 200, 70_000, None)))[1] == 0
