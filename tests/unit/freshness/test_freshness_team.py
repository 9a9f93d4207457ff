"""Freshness in a shared workspace on PostgreSQL with the team roles: a lead sees every
source of the hand-made book (tests/support/freshness_book.py, moved to today) and its
notices, in the report and the digest; an account manager, who reads no import (their
reports quote the rows they refused: the team's data), gets neither, and no error."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from app.cli.report_freshness import render
from app.workspace import open_workspace
from services.demo.build import build_demo
from services.freshness.report import freshness_report
from services.listen.digest import build_digest
from services.team.publish import publish
from services.team.security import add_user
from tests.support.freshness_book import fill_freshness_book
from tests.support.postgres_server import PostgresServer, pg_bin, postgres_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    bin_dir = pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL's server binaries are not installed")
    file = tmp_path_factory.mktemp("fresh-team") / "book.radar.sqlite"
    ws = open_workspace(f"sqlite:///{file}")
    build_demo(ws.engine, customers=60, seed=11)
    fill_freshness_book(ws.engine, now=dt.datetime.now(dt.UTC))
    with postgres_server(bin_dir) as pg:
        admin_url = pg.createdb("team")
        assert not publish(ws.engine, admin_url).problems
        ws.close()
        admin = open_workspace(admin_url, backup=False).engine
        add_user(admin, "ana", "manager", owner_of="Maya Thompson", password="ana-secret")
        add_user(admin, "lea", "lead", password="lea-secret")
        admin.dispose()
        pg.password_auth()
        yield pg


def _keys(server: PostgresServer, user: str) -> tuple[list[str], list[str]]:
    ws = open_workspace(server.url("team", user, f"{user}-secret"), backup=False)
    try:
        report = freshness_report(ws.engine)
        digest = build_digest(ws.engine)
    finally:
        ws.close()
    notices = [line.key for line in digest.lines if line.opens == "notice"]
    return [s.key for s in report.sources], notices


def test_a_lead_sees_the_sources_and_their_notices(server: PostgresServer) -> None:
    sources, notices = _keys(server, "lea")
    assert sources == [
        "zendesk_tickets", "shopify_orders", "generic_customers", "stripe_subscriptions",
    ]  # fmt: skip
    assert notices == ["stale_source:zendesk_tickets", "stale_source:shopify_orders"]


def test_a_manager_reads_no_import_and_gets_no_notice(server: PostgresServer) -> None:
    assert _keys(server, "ana") == ([], [])
    # report freshness says why, never "no imports yet".
    for user, hidden in (("ana", True), ("lea", False)):
        ws = open_workspace(server.url("team", user, f"{user}-secret"), backup=False)
        try:
            report = freshness_report(ws.engine)
        finally:
            ws.close()
        assert report.imports_hidden is hidden
        table = render(report, "table")
        assert table.startswith("The imports of this shared") is hidden
