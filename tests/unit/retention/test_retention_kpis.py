"""The retention report's cost figures on the hand-made book of
tests/support/retention_book.py, on SQLite and on PostgreSQL: the incentive cost per
retained customer and CAC against CLV by channel, each against the figures written out
by hand there (and below)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.workspace import open_workspace
from services.retention.kpi_records import AcquisitionChannel
from services.retention.kpis import discount_text, own_channel
from services.retention.report import retention_report
from services.settings.store import set_setting
from tests.support.retention_book import SINCE, UNTIL, fill_retention_book

TODAY = dt.date(2026, 1, 31)


@pytest.fixture
def book(workspace_url: str) -> Iterator[tuple[Engine, dict[str, int]]]:
    ws = open_workspace(workspace_url, backup=False)
    ids = fill_retention_book(ws.engine)
    yield ws.engine, ids
    ws.close()


def _ids(ids: dict[str, int], letters: str) -> tuple[int, ...]:
    return tuple(sorted(ids[letter] for letter in letters))


def test_the_incentive_cost_per_retained_customer(book) -> None:  # type: ignore[no-untyped-def]
    engine, ids = book
    report = retention_report(engine, SINCE, UNTIL, today=TODAY)
    incentives = report.incentives
    assert incentives is not None
    whole = incentives.overall
    assert whole.customer_ids() == _ids(ids, "ABHIK")
    # A's recorded $15; B 20% of $50; H's recorded $10 (its emailed 10% not twice); K's
    # "$5 off" found in the text. I's offer found no order; A's was held out.
    assert dict(whole.redeemed) == {ids["A"]: 1500, ids["B"]: 1000, ids["H"]: 1000,
                                    ids["K"]: 500}  # fmt: skip
    assert whole.customer_ids("redeemed") == _ids(ids, "ABHK")
    assert whole.customer_ids("contacted") == _ids(ids, "BHIK")
    assert whole.redeemed_cents == 4000
    assert whole.cost_per_retained_cents == pytest.approx(4000 / 5)
    # Contacted with an offer: B H I K; they redeemed 1,000 + 1,000 + 500.
    assert whole.contacted_redeemed_cents == 2500
    assert whole.cost_per_contacted_cents == pytest.approx(2500 / 4)
    owners = {g.key: g for g in incentives.by_owner}
    assert owners["Maya"].customer_ids() == _ids(ids, "AB")
    assert owners["Maya"].cost_per_retained_cents == pytest.approx(2500 / 2)
    assert owners["Maya"].cost_per_contacted_cents == pytest.approx(1000 / 1)
    assert owners["Leo"].cost_per_retained_cents == pytest.approx(1500 / 3)
    segments = {g.key: g for g in incentives.by_segment}
    assert segments["Champions"].redeemed_cents == 2500  # A and B
    assert segments["At Risk"].retained == 0
    assert segments["At Risk"].cost_per_retained_cents is None
    assert incentives.attribution_days == 30


def test_a_shorter_window_loses_the_late_offer(book) -> None:  # type: ignore[no-untyped-def]
    engine, ids = book
    with Session(engine) as s, s.begin():
        set_setting(s, "learn.attribution_days", 10)
    whole = retention_report(engine, SINCE, UNTIL, today=TODAY).incentives.overall  # type: ignore[union-attr]
    # B's order came 12 days after the email: past a 10-day window. K's came 11 days after.
    assert dict(whole.redeemed) == {ids["A"]: 1500, ids["H"]: 1000}


def _expected(channel: AcquisitionChannel, firsts: dict[int, dt.date]) -> float:
    months = sum((TODAY - firsts[c]).days / 30.4 + 12 for c in channel.customer_ids)
    return channel.cac_cents / (channel.clv_total_cents / months)  # type: ignore[operator]


def test_cac_against_clv_by_channel(book) -> None:  # type: ignore[no-untyped-def]
    engine, ids = book
    with Session(engine) as s, s.begin():
        set_setting(s, "retention.cac_by_channel", {"ONLINE": 50, "referral": 20})
    acquisition = retention_report(engine, SINCE, UNTIL, today=TODAY).acquisition
    assert acquisition is not None
    assert (acquisition.value_months, acquisition.scored_as_of) == (12, dt.date(2025, 6, 1))
    channels = {c.label: c for c in acquisition.channels}
    assert list(channels) == ["online", "Referral", "store"]
    online, store = channels["online"], channels["store"]
    # F (Apr 1, online) and O (Sep 15, "Online": case is no matter); G in store.
    assert online.customer_ids == _ids(ids, "FO")
    assert store.customer_ids == _ids(ids, "G")
    # CLV: F $70 to date + $100 predicted; O $300 to date, no value; G $10 + $50.
    assert dict(online.clv_cents) == {ids["F"]: 17_000, ids["O"]: 30_000}
    assert online.mean_clv_cents == pytest.approx(23_500)
    assert online.cac_cents == 5000
    assert online.ratio == pytest.approx(23_500 / 5000)
    firsts = {ids["F"]: dt.date(2025, 4, 1), ids["O"]: dt.date(2025, 9, 15)}
    assert online.payback_months == pytest.approx(_expected(online, firsts))
    assert store.mean_clv_cents == pytest.approx(6000)
    assert (store.cac_cents, store.ratio, store.payback_months) == (None, None, None)
    # P's first order was online, but the customer record's LeadSource says Referral.
    referral = channels["Referral"]
    assert referral.customer_ids == _ids(ids, "P")
    assert (referral.cac_cents, referral.mean_clv_cents) == (2000, 8000)
    assert referral.ratio == pytest.approx(4.0)
    assert referral.payback_months == pytest.approx(
        _expected(referral, {ids["P"]: dt.date(2025, 11, 1)})
    )
    assert acquisition.unset == ("store",)
    assert acquisition.acquired == 4
    # By segment (the latest scoring, Jun 1, 2025: everyone Lost): store has no CAC, so
    # neither has the segment.
    (lost,) = acquisition.breakdown("segment")
    assert (lost.label, lost.customer_ids, lost.cac_cents) == ("Lost", _ids(ids, "FGOP"), None)
    assert lost.mean_clv_cents == pytest.approx((17_000 + 6000 + 30_000 + 8000) / 4)
    with Session(engine) as s, s.begin():
        set_setting(s, "retention.cac_by_channel", {"online": 50, "referral": 20, "store": 10})
    (lost,) = retention_report(engine, SINCE, UNTIL, today=TODAY).acquisition.by_segment  # type: ignore[union-attr]
    # F and O at $50, G at $10, P at $20: $32.50 each.
    assert lost.cac_cents == 3250
    assert lost.ratio == pytest.approx(15_250 / 3250)


def test_nothing_scored_counts_revenue_to_date(workspace_url: str) -> None:
    from models.schema import Customer, Order

    ws = open_workspace(workspace_url, backup=False)
    try:
        with Session(ws.engine) as s, s.begin():
            c = Customer(source="t", external_id="1", name="One")
            s.add(c)
            s.flush()
            s.add(Order(customer_id=c.id, source="t", external_id="o1", channel=None,
                        order_date=dt.datetime(2025, 3, 1, 12), amount_cents=4000,
                        currency="USD", status="paid"))  # fmt: skip
        report = retention_report(ws.engine, SINCE, UNTIL, today=TODAY)
    finally:
        ws.close()
    acquisition = report.acquisition
    assert acquisition is not None
    assert acquisition.scored_as_of is None
    (only,) = acquisition.channels
    assert (only.label, only.mean_clv_cents, only.cac_cents) == ("No channel", 4000, None)
    assert report.incentives is not None
    assert report.incentives.overall.retained == 0
    assert report.incentives.overall.cost_per_retained_cents is None


@pytest.mark.parametrize(
    ("attributes", "found"),
    [
        ({"LeadSource": "Referral"}, "Referral"),
        ({"Original Source": "Organic search"}, "Organic search"),
        ({"utm_source": " newsletter "}, "newsletter"),
        ({"Source": "shopify"}, None),
        ({"LeadSource": ""}, None),
    ],
)
def test_the_channel_a_customer_record_names(attributes, found) -> None:  # type: ignore[no-untyped-def]
    assert own_channel(attributes) == found


@pytest.mark.parametrize(
    ("attributes", "found"),
    [
        ({"Discount Amount": "100.75", "Discount Code": "BFCM25"}, "100.75"),
        ({"total_discounts": "3"}, "3"),
        ({"Discount Code": "X"}, None),
        ({"Discount Amount": ""}, None),
        (None, None),
    ],
)
def test_the_discount_an_order_records(attributes, found) -> None:  # type: ignore[no-untyped-def]
    assert discount_text(attributes) == found


@pytest.mark.parametrize(
    ("text", "cents"),
    [("100.75", 10_075), ("$1,234.50", 123_450), ("-10,50", 1050), ("1,234", 123_400),
     ("0.00", 0), ("n/a", None)],
)  # fmt: skip
def test_a_discount_written_as_text(text: str, cents: int | None) -> None:
    from services.retention.kpis import _amount

    assert _amount(text) == (None if cents is None else pytest.approx(cents))


def test_an_order_recording_no_discount_redeemed_no_offer() -> None:
    from services.retention.kpis import _Paid, _redeem

    day = dt.date(2025, 3, 1)
    offer = [(day, [], [20.0])]
    # The shop says the order had no discount (0.00): the emailed 20% went unused.
    assert _redeem([_Paid(day + dt.timedelta(days=3), 5000.0, 0.0)], offer, 30) == 0
    # The order says nothing of discounts: the offer counts, 20% of $50.
    assert _redeem([_Paid(day + dt.timedelta(days=3), 5000.0, None)], offer, 30) == 1000
    # A $80 offer on a $50 order costs at most the order.
    assert _redeem([_Paid(day, 5000.0, None)], [(day, [8000.0], [])], 30) == 5000
