"""Retention on the hand-made book of tests/support/retention_book.py, on SQLite and on
PostgreSQL: every figure against the counts written out by hand below."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from app.workspace import open_workspace
from services.retention.records import RetentionGroup
from services.retention.report import period_bounds, retention_report
from tests.support.retention_book import SINCE, UNTIL, fill_retention_book


@pytest.fixture
def book(workspace_url: str) -> Iterator[tuple[Engine, dict[str, int]]]:
    ws = open_workspace(workspace_url, backup=False)
    ids = fill_retention_book(ws.engine)
    yield ws.engine, ids
    ws.close()


def _ids(ids: dict[str, int], letters: str) -> tuple[int, ...]:
    return tuple(sorted(ids[letter] for letter in letters))


def _group(groups: tuple[RetentionGroup, ...], key: str) -> RetentionGroup:
    return next(g for g in groups if g.key == key)


def test_repeat_purchases_over_the_year(book) -> None:  # type: ignore[no-untyped-def]
    engine, ids = book
    report = retention_report(engine, SINCE, UNTIL)
    whole = report.overall
    # At start: A B C D H I J K (a paid order in 2024); E's is older, G's was refunded.
    assert whole.customer_ids() == _ids(ids, "ABCDHIJK")
    assert whole.customer_ids("retained") == _ids(ids, "ABHIK")
    assert whole.customer_ids("churned") == _ids(ids, "CDJ")
    assert whole.retention_rate == pytest.approx(5 / 8)
    assert whole.churn_rate == pytest.approx(3 / 8)
    # Before: 100+200+300+100+100+50+120+60 = 1,030; now: 150+50+200+50+30 = 480;
    # capped at before: 100+50+0+0+100+50+0+30 = 330.
    assert whole.revenue_before_cents == 103_000
    assert whole.revenue_now_cents == 48_000
    assert whole.nrr == pytest.approx(480 / 1030)
    assert whole.grr == pytest.approx(330 / 1030)
    assert whole.small  # 8 customers: too few for a solid rate
    assert report.currency == "USD"
    assert (report.first_day.isoformat(), report.last_day.isoformat()) == (
        "2025-01-01",
        "2025-12-31",
    )


def test_the_months(book) -> None:  # type: ignore[no-untyped-def]
    engine, ids = book
    report = retention_report(engine, SINCE, UNTIL)
    assert [m.key for m in report.months][:3] == ["2025-01", "2025-02", "2025-03"]
    assert len(report.months) == 12
    january = _group(report.months, "2025-01")
    # All eight active on Jan 1 are still active on Feb 1 (D's Nov 20 order holds him).
    assert (january.at_start, january.retained) == (8, 8)
    # December 2024's revenue of the cohort: J $120; January 2025's: I $50.
    assert january.revenue_before_cents == 12_000
    assert january.revenue_now_cents == 5_000
    assert january.grr == 0.0  # I bought nothing in December, J nothing in January
    march = _group(report.months, "2025-03")
    # On Apr 1, A's March 2024 order is more than 12 months old: A lapses in March (and
    # comes back in May, so the year keeps him).
    assert march.customer_ids("churned") == _ids(ids, "A")


def test_the_breakdowns(book) -> None:  # type: ignore[no-untyped-def]
    engine, ids = book
    report = retention_report(engine, SINCE, UNTIL)
    owners = {g.key: g for g in report.by_owner}
    # Maya: A B C D, A B kept; 700 -> 200, capped 150. Leo: H I J K, H I K kept; 330 -> 280.
    assert (owners["Maya"].at_start, owners["Maya"].retained) == (4, 2)
    assert owners["Maya"].nrr == pytest.approx(200 / 700)
    assert owners["Maya"].grr == pytest.approx(150 / 700)
    assert (owners["Leo"].at_start, owners["Leo"].retained) == (4, 3)
    assert owners["Leo"].nrr == pytest.approx(280 / 330)
    # The scoring of Dec 15, 2024 (the latest on or before the start), not June's.
    segments = {g.key: g for g in report.by_segment}
    assert [g.key for g in report.by_segment] == ["Champions", "Loyal", "At Risk", "Not scored"]
    assert segments["Champions"].customer_ids("retained") == _ids(ids, "AB")
    assert segments["At Risk"].retained == 0
    assert segments["Not scored"].customer_ids() == _ids(ids, "IJK")
    assert "at the period's start" in report.segments_note
    # Cohorts by the quarter of the first paid order (ever).
    cohorts = {g.key: g.customer_ids() for g in report.by_cohort}
    assert cohorts == {
        "2024-Q1": _ids(ids, "AD"),
        "2024-Q2": _ids(ids, "BI"),
        "2024-Q3": _ids(ids, "CH"),
        "2024-Q4": _ids(ids, "JK"),
    }
    by_month = retention_report(engine, SINCE, UNTIL, cohort_size="month")
    assert [g.label for g in by_month.by_cohort][0] == "Jan 2024"


def test_subscriptions(book) -> None:  # type: ignore[no-untyped-def]
    engine, ids = book
    report = retention_report(engine, SINCE, UNTIL, basis="subscriptions")
    whole = report.overall
    # On Jan 1, 2025: L, M, B, K (N starts in February). On Jan 1, 2026: L, and B (it
    # cancels at its period's end, Mar 1, 2026); M was cancelled, K's period ended.
    assert whole.customer_ids() == _ids(ids, "BKLM")
    assert whole.customer_ids("retained") == _ids(ids, "BL")
    # Monthly: L 3,000 + M 10,000 + B 1,000 + K 500*52/12 = 2,167 -> 16,167 at the start;
    # 3,000 + 1,000 = 4,000 at the end; nobody grew, so GRR = NRR.
    assert whole.revenue_before_cents == 16_167
    assert whole.revenue_now_cents == 4_000
    assert whole.nrr == pytest.approx(4000 / 16167)
    assert whole.grr == whole.nrr
    june = _group(report.months, "2025-06")
    assert june.customer_ids("churned") == _ids(ids, "M")  # cancelled Jun 15
    assert report.has_orders
    assert report.has_subscriptions


def test_an_empty_workspace_says_so(workspace_url: str) -> None:
    ws = open_workspace(workspace_url, backup=False)
    try:
        report = retention_report(ws.engine, SINCE, UNTIL)
    finally:
        ws.close()
    assert not report.has_data
    assert report.overall.at_start == 0
    assert report.overall.retention_rate is None
    assert report.overall.nrr is None


def test_the_default_period_is_the_last_twelve_complete_months() -> None:
    import datetime as dt

    today = dt.date(2026, 11, 27)
    assert period_bounds(None, None, today) == (dt.date(2025, 11, 1), dt.date(2026, 11, 1))
    assert period_bounds(dt.date(2026, 3, 5), None, today) == (
        dt.date(2026, 3, 1),
        dt.date(2026, 11, 1),
    )
    assert period_bounds(None, dt.date(2025, 12, 31), today) == (
        dt.date(2025, 1, 1),
        dt.date(2026, 1, 1),
    )


def test_money_in_the_home_currency(workspace_url: str) -> None:
    import datetime as dt

    from sqlalchemy.orm import Session

    from models.schema import Customer, Order
    from services.settings import set_setting

    ws = open_workspace(workspace_url, backup=False)
    try:
        with Session(ws.engine) as s, s.begin():
            set_setting(s, "workspace.home_currency", "USD")
            set_setting(s, "workspace.exchange_rates", {"EUR": 1.1})
            p, q = Customer(source="t", external_id="P"), Customer(source="t", external_id="Q")
            s.add_all([p, q])
            s.flush()
            for n, (who, day, cents, code) in enumerate((
                (p, "2024-05-01", 10000, "EUR"), (p, "2025-05-01", 5000, "EUR"),
                (q, "2024-05-01", 10000, "USD"), (q, "2025-05-01", 2000, "GBP"),
            )):  # fmt: skip
                when = dt.datetime.fromisoformat(f"{day}T12:00")
                s.add(Order(customer_id=who.id, source="t", external_id=str(n), order_date=when,
                            amount_cents=cents, currency=code, status="paid"))  # fmt: skip
        report = retention_report(ws.engine, SINCE, UNTIL)
    finally:
        ws.close()
    # P: EUR 100 -> 110.00 USD before, EUR 50 -> 55.00 now. Q: $100 before; his GBP order
    # has no rate: he is retained (he bought), and it is left out of the money, said so.
    assert report.overall.revenue_before_cents == 11_000 + 10_000
    assert report.overall.revenue_now_cents == 5_500
    assert report.overall.retained == 2
    assert report.money_note is not None
    assert "1 orders in GBP" in report.money_note


def test_a_period_not_over_says_so(book) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from services.retention.wording import period_words

    engine, _ids = book
    report = retention_report(engine, SINCE, UNTIL, today=dt.date(2025, 12, 10))
    assert period_words(report) == "Jan 2025 to Dec 2025 (to date: the last month is not over)"
    done = retention_report(engine, SINCE, UNTIL, today=dt.date(2026, 1, 2))
    assert period_words(done) == "Jan 2025 to Dec 2025"


def test_a_period_with_nobody_active_says_where_the_orders_are(book) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from services.retention.wording import empty_words

    engine, _ids = book
    report = retention_report(engine, dt.date(2030, 1, 1), dt.date(2030, 12, 31))
    assert report.overall.at_start == 0
    # E's order of Jun 1, 2023 is the first paid one, K's of Dec 31, 2025 the last.
    words = empty_words(report)
    assert words is not None
    assert "the paid orders run from Jun 1, 2023 to Dec 31, 2025" in words
    # L and N still run in 2030; nothing ran yet in 2020.
    subscriptions = retention_report(
        engine, dt.date(2020, 1, 1), dt.date(2020, 12, 31), basis="subscriptions"
    )
    assert "the subscriptions run from Jan 1, 2024 to today" in (empty_words(subscriptions) or "")
