"""Support analytics in a shared workspace on PostgreSQL, read as each role: an account
manager's figures are those of their own book's tickets alone (the session's reads under
row-level security), counted by hand on tests/support/support_book.py; the lead's are the
whole team's."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from app.cli.main import main
from app.workspace import open_workspace
from services.support.report import support_report
from services.team.security import add_user
from tests.support.support_book import SINCE, UNTIL, fill_support_book

pytestmark = pytest.mark.postgresql


@pytest.fixture
def team(postgres_cluster) -> Iterator[tuple[str, dict[str, int]]]:  # type: ignore[no-untyped-def]
    url = postgres_cluster.new_database()
    admin = open_workspace(url, backup=False)
    try:
        ids = fill_support_book(admin.engine)
        add_user(admin.engine, "support_maya", "manager", owner_of="Maya", password="m-secret")
        add_user(admin.engine, "support_lead", "lead", password="l-secret")
    finally:
        admin.close()
    yield url, ids
    postgres_cluster.drop(url)


def _as(url: str, user: str) -> str:
    return make_url(url).set(username=user, password="secret").render_as_string(False)


def test_a_manager_sees_only_their_books_tickets(team) -> None:  # type: ignore[no-untyped-def]
    url, ids = team
    today = dt.date(2025, 11, 27)
    figures = {}
    for user in ("support_maya", "support_lead"):
        ws = open_workspace(_as(url, user), backup=False)
        try:
            figures[user] = support_report(ws.engine, SINCE, UNTIL, today=today)
        finally:
            ws.close()
    mine, lead = figures["support_maya"], figures["support_lead"]
    # Maya's book is A B C: T1 to T7 in the period; the lead sees all twelve.
    assert {t.customer_id for t in mine.overall.tickets} == {ids["A"], ids["B"], ids["C"]}
    assert mine.overall.count == 7
    assert lead.overall.count == 12
    assert mine.overall.months == (2, 2, 1, 1, 1, 0)
    # Email T1 T3 T6; Refund's repeat contacts A and C; Question's A and B, none back.
    assert {g.label: g.count for g in mine.section("channel")}["Email"] == 3
    repeat = {g.label: (len(g.customers), len(g.returned)) for g in mine.section("repeat")}
    assert repeat == {"Refund": (2, 2), "Question": (2, 0)}
    assert set(mine.names) == {ids["A"], ids["B"], ids["C"]}
    # report support, as Maya: the same seven tickets.
    out, err = io.StringIO(), io.StringIO()
    argv = ["--db", _as(url, "support_maya"), "report", "support", "--from", "2025-01-01",
            "--to", "2025-06-30", "--format", "json"]  # fmt: skip
    assert main(argv, out, err) == 0, err.getvalue()
    assert json.loads(out.getvalue())["overall"]["tickets"] == 7
