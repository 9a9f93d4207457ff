"""Freshness on the hand-made book of tests/support/freshness_book.py, on SQLite and on
PostgreSQL: each source's cadence, ages and state against the sums written out there."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.workspace import open_workspace
from services.freshness.records import SourceFreshness
from services.freshness.report import freshness_report, median_gap
from services.freshness.sources import source_name
from services.settings.store import set_setting
from tests.support.freshness_book import NOW, fill_freshness_book


@pytest.fixture
def book(workspace_url: str) -> Iterator[Engine]:
    ws = open_workspace(workspace_url, backup=False)
    fill_freshness_book(ws.engine)
    yield ws.engine
    ws.close()


def _by_key(engine: Engine, now: dt.datetime = NOW) -> dict[str, SourceFreshness]:
    return {s.key: s for s in freshness_report(engine, now=now).sources}


def test_each_source_and_its_state(book: Engine) -> None:
    report = freshness_report(book, now=NOW)
    # Stale first, then late, then the current by name; the undone HubSpot import is none.
    assert [s.key for s in report.sources] == [
        "zendesk_tickets", "shopify_orders", "generic_customers", "stripe_subscriptions",
    ]  # fmt: skip
    shopify, zendesk = _by_key(book)["shopify_orders"], _by_key(book)["zendesk_tickets"]
    assert (shopify.imports, shopify.last_import_rows) == (6, 7)
    assert shopify.last_import_at == dt.datetime(2026, 2, 10, 9, tzinfo=dt.UTC)
    assert shopify.newest_record == dt.date(2026, 2, 10)
    assert (shopify.cadence_days, shopify.cadence_from, shopify.record_gap_days) == (
        7.0, "imports", 1.0,
    )  # fmt: skip
    assert shopify.import_age_days == pytest.approx(19.125)  # Feb 10 09:00 -> Mar 1 12:00
    assert (shopify.record_age_days, shopify.state) == (19.0, "late")
    assert shopify.reason == (
        "Shopify orders: last imported 19 days ago; it usually comes every 7 days."
    )
    assert (zendesk.imports, zendesk.cadence_days, zendesk.record_gap_days) == (10, 1.0, 2.0)
    assert (zendesk.newest_record, zendesk.record_age_days) == (dt.date(2026, 2, 5), 24.0)
    assert zendesk.state == "stale"
    assert zendesk.reason == (
        "Zendesk tickets: no new records for 24 days (the newest is from Feb 5, 2026); "
        "they usually come every 2 days."
    )
    assert report.notice_lines == (zendesk.reason, shopify.reason)


def test_the_current_ones(book: Engine) -> None:
    sources = _by_key(book)
    stripe, own = sources["stripe_subscriptions"], sources["generic_customers"]
    assert (stripe.cadence_days, stripe.record_gap_days, stripe.state) == (28.0, 16.0, "current")
    assert stripe.newest_record == dt.date(2026, 2, 25)
    assert stripe.reason == (
        "Stripe subscriptions: last imported today; it usually comes every 28 days."
    )
    # One import: no cadence; signups Feb 20, 22, 26 (gaps 2 and 4: median 3).
    assert (own.cadence_days, own.cadence_from, own.record_gap_days) == (None, "", 3.0)
    assert (own.record_age_days, own.state) == (3.0, "current")
    assert own.name == "Customers (own file)"
    assert own.reason.endswith("1 import so far, so its usual cadence is not known yet.")


def test_the_states_move_with_time(book: Engine) -> None:
    # On Feb 12 the Shopify orders were two days old: current. On Mar 4 (record age 22,
    # over 3 x 7 = 21) they are stale; the customers' file (6 days, stale after 9) is not.
    assert _by_key(book, dt.datetime(2026, 2, 12, tzinfo=dt.UTC))["shopify_orders"].current
    later = _by_key(book, dt.datetime(2026, 3, 4, 12, tzinfo=dt.UTC))
    assert later["shopify_orders"].state == "stale"
    assert later["generic_customers"].current
    assert later["stripe_subscriptions"].current


def test_settings_override_the_learned_cadence(book: Engine) -> None:
    with Session(book) as session, session.begin():
        set_setting(session, "freshness.source_cadence_days", {"shopify_orders": 30})
    shopify = _by_key(book)["shopify_orders"]
    # 30 days: late after 45, stale after 90.
    assert (shopify.cadence_days, shopify.cadence_from, shopify.state) == (
        30.0, "source setting", "current",
    )  # fmt: skip
    with Session(book) as session, session.begin():
        set_setting(session, "freshness.source_cadence_days", {})
        set_setting(session, "freshness.cadence_days", 2)
    sources = _by_key(book)
    # Every source now expected every 2 days: Stripe's last import (0.25 days) is on time,
    # the customers' file (2.08 days, late after 3) too; Shopify's orders, usual gap now
    # max(1, 2) = 2, are stale after 7 days: 19 is.
    stripe = sources["stripe_subscriptions"]
    assert (stripe.cadence_days, stripe.cadence_from, stripe.state) == (2.0, "setting", "current")
    assert sources["generic_customers"].state == "current"
    assert sources["shopify_orders"].state == "stale"


def test_an_empty_workspace_has_no_source(workspace_url: str) -> None:
    ws = open_workspace(workspace_url, backup=False)
    try:
        report = freshness_report(ws.engine, now=NOW)
    finally:
        ws.close()
    assert report.sources == ()
    assert report.notices == ()


def test_the_gap_and_the_names() -> None:
    days = [dt.date(2026, 1, d) for d in (1, 1, 2, 9, 10)]  # gaps 1, 7, 1 -> 1
    assert median_gap(days) == 1.0
    assert median_gap([dt.date(2026, 1, 1)]) is None
    assert median_gap([dt.date(2026, 1, 1), dt.date(2026, 1, 15)]) == 14.0
    assert source_name("hubspot_contacts") == "HubSpot contacts"
    assert source_name("generic_orders") == "Orders (own file)"
    assert source_name("generic") == "Mapped files"
    assert source_name("segment_events") == "Segment events"
