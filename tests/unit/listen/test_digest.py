"""The digest's every line against the tables, counted here with plain SQL on a real demo
workspace (tests/unit/ask/test_ask_readonly.py's scored 300-customer demo, copied): the count
and the very customers a click opens."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from app.workspace import open_workspace, to_url
from services.core.local_dates import TIME_ZONE_SETTING, workspace_zone
from services.listen.digest import build_digest
from services.listen.records import Digest
from services.listen.sentiment import NEGATIVE_TICKET_SQL
from services.settings import get_setting
from tests.unit.ask.test_ask_readonly import scored_file  # noqa: F401  (the fixture)

FMT = "%Y-%m-%d %H:%M:%S.%f"
ACTIVE = "('open', 'snoozed', 'in_progress')"
CLOSED = "('solved', 'closed', 'resolved', 'cancelled', 'canceled')"


@pytest.fixture
def db(scored_file: Path, tmp_path: Path) -> Path:  # noqa: F811
    target = tmp_path / "digest.radar.sqlite"
    shutil.copy(scored_file, target)
    return target


def ids(con: sqlite3.Connection, sql: str, *params: object) -> list[int]:
    return sorted(int(r[0]) for r in con.execute(sql, params).fetchall())


def test_every_line_counts_what_the_tables_hold(db: Path) -> None:
    now = dt.datetime.now(dt.UTC)
    with sqlite3.connect(db) as con:
        # One alert back from a snooze an hour ago, so that line counts something too.
        con.execute(
            "UPDATE alerts SET status = 'snoozed', snoozed_until = ? "
            "WHERE id = (SELECT min(id) FROM alerts WHERE status = 'open' "
            "AND rule_key <> 'stalled_opportunity')",
            ((now - dt.timedelta(hours=1)).replace(tzinfo=None).strftime(FMT),),
        )
    ws = open_workspace(to_url(str(db)), backup=False)
    try:
        with Session(ws.engine) as session:  # the settings as the app reads them
            zone = ZoneInfo(workspace_zone(get_setting(session, TIME_ZONE_SETTING)))
            window = int(get_setting(session, "learn.attribution_days"))
        since = now.astimezone(zone).date() - dt.timedelta(days=40)
        digest: Digest = build_digest(ws.engine, since, now=now)
    finally:
        ws.close()
    start_utc = dt.datetime.combine(since, dt.time(), tzinfo=zone).astimezone(dt.UTC)
    start, end = (t.replace(tzinfo=None).strftime(FMT) for t in (start_utc, now))
    today = now.astimezone(zone).date().isoformat()

    got = {line.key: line for line in digest.lines}

    with sqlite3.connect(db) as con:
        expected: dict[str, list[int]] = {
            "new_tickets": ids(con, "SELECT customer_id FROM interactions i WHERE kind = 'ticket' "
                                    "AND occurred_at >= ? AND occurred_at <= ?", start, end),
            "negative_open_tickets": ids(
                con, "SELECT customer_id FROM interactions i WHERE kind = 'ticket' "
                     "AND occurred_at >= ? AND occurred_at <= ? AND "
                     f"{NEGATIVE_TICKET_SQL.format(i='i')} AND "
                     f"(status IS NULL OR lower(status) NOT IN {CLOSED})", start, end),
            "critical_alerts": ids(con, "SELECT customer_id FROM alerts WHERE severity = "
                                        f"'critical' AND status IN {ACTIVE} AND created_at >= ? "
                                        "AND created_at <= ?", start, end),
            "back_from_snooze": ids(con, "SELECT customer_id FROM alerts WHERE status = 'snoozed' "
                                         "AND snoozed_until >= ? AND snoozed_until <= ?",
                                    start, end),
            "tasks_due": ids(con, "SELECT customer_id FROM actions WHERE kind = 'task' AND "
                                  "done_at IS NULL AND due_date <= ?", today),
            "new_deals": ids(con, "SELECT customer_id FROM opportunities WHERE created_at >= ? "
                                  "AND created_at <= ? AND coalesce(closed, 0) = 0", start, end),
            "stalled_deals": ids(con, "SELECT customer_id FROM alerts WHERE rule_key = "
                                      f"'stalled_opportunity' AND status IN {ACTIVE} AND "
                                      "created_at >= ? AND created_at <= ?", start, end),
            "emails_sent": ids(con, "SELECT customer_id FROM outreach WHERE channel = 'email' "
                                    "AND status = 'sent' AND sent_at >= ? AND sent_at <= ?",
                               start, end),
        }  # fmt: skip
        orders = con.execute(
            "SELECT customer_id, order_date FROM orders WHERE status = 'paid' "
            "AND order_date >= ? AND order_date <= ?", (start, end),
        ).fetchall()  # fmt: skip
        sent = con.execute(
            "SELECT customer_id, sent_at FROM outreach "
            "WHERE status = 'sent' AND sent_at IS NOT NULL"
        ).fetchall()
    parse = dt.datetime.fromisoformat
    expected["re_engaged"] = sorted(
        {
            int(cid)
            for cid, day in orders
            for who, at in sent
            if who == cid and parse(at) < parse(day) <= parse(at) + dt.timedelta(days=window)
        }
    )

    assert set(got) == set(expected)
    # Not a test of empty lines only:
    assert expected["new_tickets"]
    assert expected["back_from_snooze"]
    assert expected["stalled_deals"]
    for key, customers in expected.items():
        line = got[key]
        assert line.count == len(customers), (key, line.text)
        assert line.customer_ids == frozenset(customers), key
        assert line.text.startswith(f"{len(customers):,} "), line.text
