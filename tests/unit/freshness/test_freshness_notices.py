"""Where a late or stale source is said: the digest's lines (first, a notice each, in the
text the email carries) and the dashboard's read, on the hand-made book of
tests/support/freshness_book.py; a demo workspace and one whose sources are current say
nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.workspace import open_workspace
from services.demo import build_demo
from services.freshness.report import freshness_report
from services.listen.digest import build_digest
from services.listen.digest_text import render_digest
from services.scoring.run import score_workspace
from services.settings.store import set_setting
from services.usecases.dashboard import read_dashboard
from tests.support.freshness_book import NOW, fill_buyers, fill_freshness_book


@pytest.fixture
def book(workspace_url: str) -> Iterator[Engine]:
    ws = open_workspace(workspace_url, backup=False)
    fill_freshness_book(ws.engine)
    yield ws.engine
    ws.close()


def test_the_digest_opens_with_the_late_and_stale_sources(book: Engine) -> None:
    digest = build_digest(book, now=NOW)
    notices = [line for line in digest.lines if line.opens == "notice"]
    assert [line.key for line in notices] == [
        "stale_source:zendesk_tickets", "stale_source:shopify_orders",
    ]  # fmt: skip
    assert digest.lines[:2] == tuple(notices)  # first, above what changed
    assert notices[1].text == (
        "Shopify orders: last imported 19 days ago; it usually comes every 7 days."
    )
    assert not digest.quiet
    text = render_digest(digest, "text")
    assert (
        "- ⚠ Zendesk tickets: no new records for 24 days (the newest is from Feb 5, 2026)" in text
    )
    assert "- 0 new tickets" in text  # what changed follows, unmarked
    html = render_digest(digest, "html")
    assert '<li style="margin: 4px 0; color: #b45309;">⚠ Shopify orders: last imported' in html


def test_sources_on_time_raise_no_notice(book: Engine) -> None:
    # Expected every 30 days, each source with its own setting: none is late or stale.
    with Session(book) as session, session.begin():
        set_setting(session, "freshness.source_cadence_days",
                    {"shopify_orders": 30, "zendesk_tickets": 30})  # fmt: skip
    assert freshness_report(book, now=NOW).notices == ()
    digest = build_digest(book, now=NOW)
    assert not [line for line in digest.lines if line.opens == "notice"]


def test_a_demo_workspace_says_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.support.databases import to_url

    ws = open_workspace(to_url(str(tmp_path / "demo.radar.sqlite")), backup=False)
    try:
        build_demo(ws.engine, customers=60, seed=7)
        score_workspace(ws.engine)
        report = freshness_report(ws.engine)
        read = read_dashboard(ws.engine)
        digest = build_digest(ws.engine)
    finally:
        ws.close()
    assert report.sources == ()  # the demo is built, never imported
    assert read is not None
    assert read.freshness.notice_lines == ()
    assert not [line for line in digest.lines if line.opens == "notice"]


def test_the_dashboards_read_carries_the_notices(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.support.databases import to_url

    ws = open_workspace(to_url(str(tmp_path / "w.radar.sqlite")), backup=False)
    try:
        fill_buyers(ws.engine)
        fill_freshness_book(ws.engine, now=dt.datetime.now(dt.UTC))
        score_workspace(ws.engine)
        read = read_dashboard(ws.engine)
    finally:
        ws.close()
    assert read is not None
    assert [s.key for s in read.freshness.notices] == ["zendesk_tickets", "shopify_orders"]
