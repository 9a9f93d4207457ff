"""Return on outreach on the hand-made book of test_learn_data: exact costs, exact
incremental revenue, exact ROI, computed here by hand from the exposure definition."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import insert, select

from models.schema import Action, Alert, PlaybookRun, PlaybookStep
from services.alerts.config import RULE_TITLES
from services.learn.effectiveness import effectiveness_report
from services.learn.roi import DAYS_PER_MONTH, read_costs, roi_report
from tests.unit.alerts.test_alerts_rules import NOW, Book, at, make_book
from tests.unit.learn.test_learn_data import Names, build_names


@pytest.fixture
def book(workspace_url: str) -> Iterator[Book]:
    yield from make_book(workspace_url)


@pytest.fixture
def names(book: Book) -> Names:
    return build_names(book)


def _alert_of(book: Book, cid: int) -> int:
    with book.engine.connect() as conn:
        return int(
            conn.execute(
                select(Alert.id).where(Alert.customer_id == cid).order_by(Alert.created_at)
            )
            .scalars()
            .first()
        )


def _contacts(book: Book, names: Names) -> None:
    """A call on C2's alert 50 days ago (in its window), one 10 days ago (after it), and a
    meeting done as a playbook step on C1's alert 52 days ago."""
    c1, c2 = _alert_of(book, names["C1"]), _alert_of(book, names["C2"])
    with book.engine.begin() as conn:
        for days in (50, 10):
            conn.execute(insert(Action), [{"customer_id": names["C2"], "alert_id": c2,
                                           "kind": "call", "title": "Call",
                                           "created_at": at(days)}])  # fmt: skip
        run = conn.execute(
            insert(PlaybookRun).returning(PlaybookRun.id),
            [
                {
                    "customer_id": names["C1"],
                    "alert_id": c1,
                    "playbook": "win_back",
                    "name": "Win back",
                    "started_at": at(57),
                }
            ],  # fmt: skip
        ).scalar_one()
        conn.execute(insert(PlaybookStep), [
            {"run_id": run, "position": 0, "day_offset": 0, "kind": "meeting", "text": "Visit",
             "due_date": at(52).date(), "done_at": at(52)},
            {"run_id": run, "position": 1, "day_offset": 3, "kind": "meeting", "text": "Again",
             "due_date": at(49).date(), "done_at": None},  # not done: no cost
        ])  # fmt: skip


def _set_costs(book: Book, **values: float) -> None:
    for key, value in values.items():
        book.set(f"learn.{key}", value)


def test_the_return_is_what_the_costs_and_the_one_incremental_revenue_make(
    book: Book, names: Names
) -> None:
    _contacts(book, names)
    _set_costs(book, margin_percent=40, cost_offer_percent=50, cost_email=2, cost_call=5,
               cost_meeting=30, cost_team_month=100)  # fmt: skip
    since, until = (NOW - dt.timedelta(days=100)).date(), NOW.date()
    report = roi_report(book.engine, since, until, now=NOW)
    row = report.overall

    # Contacted and counted: C1 8000 re-engaged, C2 0, C5 2000 re-engaged; held out H1 0,
    # H2 3000. Incremental revenue = (10000 / 3 - 3000 / 2) x 3 = 5500.
    assert row.contacted.customer_ids == names.of("C1", "C2", "C5")
    assert row.holdout == 2
    assert row.incremental_cents == pytest.approx(5500)
    effectiveness = effectiveness_report(book.engine, since, until, now=NOW)
    assert row.incremental_cents == effectiveness.overall.revenue.incremental_cents
    assert row.margin_cents == pytest.approx(5500 * 0.4)

    cost = row.cost
    # Emails: C1's one, C2's two (55 and 40 days ago, both in its window), C5's first.
    assert (cost.emails, cost.calls, cost.meetings) == (4, 1, 1)
    assert cost.contacts_cents == 4 * 200 + 500 + 3000
    # Redeemed: C1's 15 % off its 8000 and C5's $10 credit, at half their value.
    assert cost.redeemed.customer_ids == names.of("C1", "C5")
    assert cost.offers_cents == round((1200 + 1000) * 0.5)
    months = 101 / DAYS_PER_MONTH
    assert report.months == pytest.approx(months)
    assert cost.team_cents == round(10_000 * months)
    total = 1100 + 4300 + 10_000 * months
    assert cost.total_cents == round(total)
    assert row.roi == pytest.approx((2200 - round(total)) / round(total))
    assert row.low is not None
    assert row.high is not None
    assert row.low <= row.roi <= row.high
    # Seeded: the same data give the same interval.
    again = roi_report(book.engine, since, until, now=NOW).overall
    assert (again.low, again.high) == (row.low, row.high)
    # Three contacted and two held out: the lift's own reason, word for word.
    assert not row.enough
    assert row.reason == effectiveness.overall.lift.not_enough_reason
    assert report.currency == "USD"


def test_per_rule_each_slice_has_its_own_customers_costs_and_share_of_the_team(
    book: Book, names: Names
) -> None:
    _contacts(book, names)
    _set_costs(book, cost_email=1, cost_call=3, cost_team_month=30)
    since, until = (NOW - dt.timedelta(days=100)).date(), NOW.date()
    report = roi_report(book.engine, since, until, by="rule", now=NOW)
    rows = {row.key: row for row in report.breakdown}
    quiet, risk = rows["gone_quiet"], rows["high_risk_high_value"]
    assert quiet.label == RULE_TITLES["gone_quiet"]
    assert quiet.contacted.customer_ids == names.of("C1", "C5")
    assert risk.contacted.customer_ids == names.of("C2")
    # gone_quiet: (8000 + 2000) / 2 - 0 = 5000 per customer x 2; no margin rate: revenue.
    assert quiet.incremental_cents == pytest.approx(10_000)
    assert quiet.margin_cents is None
    assert quiet.gain_cents == pytest.approx(10_000)
    assert risk.incremental_cents == pytest.approx(-3000)
    team = 3000 * 101 / DAYS_PER_MONTH  # $30 a month over 101 days
    assert quiet.cost.team_cents == round(team * 2 / 3)
    assert risk.cost.team_cents == round(team / 3)
    # Offers at 100 % by default: C1's 1200 and C5's 1000.
    assert quiet.cost.offers_cents == 2200
    assert risk.cost.offers_cents == 0
    assert quiet.cost.contacts_cents == 2 * 100
    assert risk.cost.contacts_cents == 2 * 100 + 300
    quiet_cost = 2200 + 200 + round(team * 2 / 3)
    assert quiet.cost.total_cents == quiet_cost
    assert quiet.roi == pytest.approx((10_000 - quiet_cost) / quiet_cost)


def test_no_costs_set_reads_zero_and_says_so(book: Book, names: Names) -> None:
    book.set("learn.cost_offer_percent", 0)
    report = roi_report(book.engine, now=NOW)
    with book.workspace.sessions() as session:
        costs = read_costs(session)
    assert not costs.contact_costs_set
    assert not report.costs.contact_costs_set
    assert report.overall.cost.total_cents == 0
    assert report.overall.roi is None
    assert report.overall.low is None
    assert report.overall.incremental_cents == pytest.approx(5500)


def test_a_breakdown_it_does_not_know_is_refused(book: Book) -> None:
    with pytest.raises(ValueError, match="cannot break"):
        roi_report(book.engine, by="colour")
