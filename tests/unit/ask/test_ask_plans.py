"""The saved questions that were slow at a million customers read what their answer
needs through an index (SQLite's plans, on the small scored demo): a customer's email
events of one kind from the index that holds their local day, one customer's tickets and
reviews, and only the orders since the period began."""

from __future__ import annotations

import datetime as dt
import sqlite3

from app.workspace import Workspace
from services.ask.library import bind_values, find_question
from services.ask.views import view_sql
from services.core.money import money_context
from tests.unit.ask.test_ask_readonly import scored_file, ws  # noqa: F401  (the fixtures)


def _plan(ws: Workspace, question_id: str, **params: object) -> list[str]:  # noqa: F811
    question = find_question(ws.engine, question_id)
    binds = {"home_currency": "USD"}
    binds.update(bind_values(ws.engine, question, params, dt.date(2026, 11, 26)))
    raw = sqlite3.connect(f"file:{ws.engine.url.database}?mode=ro", uri=True)
    try:
        for name, body in view_sql(money_context("USD", {})).items():
            raw.execute(f"CREATE TEMP VIEW {name} AS {body}")
        return [str(r[3]) for r in raw.execute(f"EXPLAIN QUERY PLAN {question.sql}", binds)]
    finally:
        raw.close()


def test_gold_customers_email_events_come_from_the_index_alone(ws: Workspace) -> None:  # noqa: F811
    plan = _plan(ws, "tier_no_email_engagement")
    reads = [line for line in plan if line.startswith("SEARCH i ")]
    assert len(reads) == 2, plan  # the last engagement, and none in the period
    assert all("COVERING INDEX ix_interactions_customer_kind_time" in line for line in reads)
    assert all("kind=?" in line for line in reads)


def test_a_customers_360_reads_only_their_tickets_and_reviews(ws: Workspace) -> None:  # noqa: F811
    plan = _plan(ws, "customer_360", customer="1")
    reads = [line for line in plan if line.startswith("SEARCH i ")]
    assert len(reads) == 2, plan  # tickets, reviews
    assert all("ix_interactions_customer_kind_time (customer_id=? AND kind=?)" in line
               for line in reads)  # fmt: skip


def test_emailed_and_came_back_reads_the_orders_since_the_period(ws: Workspace) -> None:  # noqa: F811
    plan = _plan(ws, "emailed_and_came_back")
    orders = [line for line in plan if line.startswith("SEARCH o ")]
    assert orders == [
        "SEARCH o USING INDEX ix_orders_customer_date (customer_id=? AND order_date>?)"
    ]


def test_the_tier_list_is_a_seek_per_tier(ws: Workspace) -> None:  # noqa: F811
    from services.ask.questions import _TIERS_SQL
    from services.ask.readonly import run_query

    with ws.engine.connect() as conn:
        tiers = conn.exec_driver_sql(
            "SELECT DISTINCT tier FROM customers WHERE tier IS NOT NULL ORDER BY tier"
        ).all()
    assert [tuple(r) for r in tiers] == run_query(ws.engine, _TIERS_SQL).rows
    assert len(tiers) > 1
    raw = sqlite3.connect(f"file:{ws.engine.url.database}?mode=ro", uri=True)
    try:
        for name, body in view_sql(money_context("USD", {})).items():
            raw.execute(f"CREATE TEMP VIEW {name} AS {body}")
        plan = [str(r[3]) for r in raw.execute(f"EXPLAIN QUERY PLAN {_TIERS_SQL}")]
    finally:
        raw.close()
    reads = [line for line in plan if line.startswith(("SEARCH", "SCAN")) and " c " in f"{line} "]
    assert all("ix_customers_tier" in line for line in reads), plan
    assert not any("score_snapshots" in line for line in plan), plan
