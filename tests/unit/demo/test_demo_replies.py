"""The demo's customers answer the app's emails (services/demo/replies.py), read by the one
reply definition (services/replies/definition.py) as a user's imported mailbox would be:
Replies has real figures, automatic answers are counted apart and never as replies, every
reply comes after its email, before today and within the reply window, and the customers
an email brought back answered more often than the others (the demo's story)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.workspace import Workspace, open_workspace
from models.schema import Customer
from services.demo import build_demo
from services.replies.definition import REPLY_DAYS
from services.replies.report import replies_report

TODAY = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    path = tmp_path_factory.mktemp("replies") / "demo.radar.sqlite"
    workspace = open_workspace(f"sqlite:///{path}", backup=False)
    build_demo(workspace.engine, customers=1200, seed=3, today=TODAY)
    yield workspace
    workspace.close()


def test_replies_has_real_figures_and_automatic_answers_apart(ws: Workspace) -> None:
    report = replies_report(ws.engine, dt.date(2000, 1, 1), TODAY, today=TODAY)
    overall = report.overall
    assert overall.sent > 100
    assert 0 < overall.replied < overall.sent
    assert overall.automatic > 0
    interval = overall.interval
    assert interval is not None
    assert interval[0] > 0  # a reply rate the interval says is not nothing
    for email in report.emails:
        if email.reply_at is not None:
            assert email.sent_at < email.reply_at < dt.datetime.combine(TODAY, dt.time())
            assert email.reply_at - email.sent_at <= dt.timedelta(days=REPLY_DAYS)


def test_the_customers_brought_back_answered_more(ws: Workspace) -> None:
    report = replies_report(ws.engine, dt.date(2000, 1, 1), TODAY, today=TODAY)
    with Session(ws.engine) as s:
        back = {
            cid
            for cid, attributes in s.execute(select(Customer.id, Customer.attributes))
            if ((attributes or {}).get("demo_outreach") or {}).get("reengaged")
        }
    came_back = [e for e in report.emails if e.customer_id in back]
    others = [e for e in report.emails if e.customer_id not in back]
    assert came_back
    assert others

    def rate(emails: list) -> float:  # type: ignore[type-arg]
        return sum(e.reply_at is not None for e in emails) / len(emails)

    assert rate(came_back) > 2 * rate(others)
