"""The digest names the owners' renewal calls due, counted here with plain SQL on the
scored demo: an open contract whose nearest checkpoint (6 or 3 months before its end) has
been reached, with no call made at that checkpoint. A click opens My work, where the calls
are made; the command ``digest`` prints the same line."""

from __future__ import annotations

import calendar
import datetime as dt
import shutil
import sqlite3
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from app.workspace import open_workspace, to_url
from services.core.local_dates import TIME_ZONE_SETTING, workspace_zone
from services.settings import get_setting
from services.usecases.digest import daily_digest
from tests.unit.ask.test_ask_readonly import scored_file  # noqa: F401  (the fixture)


@pytest.fixture
def db(scored_file: Path, tmp_path: Path) -> Path:  # noqa: F811
    target = tmp_path / "digest.radar.sqlite"
    shutil.copy(scored_file, target)
    return target


def _months_before(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _due(con: sqlite3.Connection, today: dt.date, checkpoints: list[int]) -> dict[int, int]:
    """contract id -> customer id of the calls due, worked out from the tables."""
    made = set(con.execute("SELECT contract_id, checkpoint_months FROM renewal_calls"))
    due = {}
    for cid, customer, end in con.execute(
        "SELECT id, customer_id, end_date FROM contracts WHERE outcome = 'open'"
    ):
        end_day = dt.date.fromisoformat(str(end)[:10])
        reached = [m for m in checkpoints if _months_before(end_day, m) <= today < end_day]
        if reached and (cid, min(reached)) not in made:
            due[int(cid)] = int(customer)
    return due


def test_the_digest_counts_the_renewal_calls_due(db: Path) -> None:
    now = dt.datetime.now(dt.UTC)
    with sqlite3.connect(db) as con:  # the demo's owners made every call: undo three
        con.execute(
            "DELETE FROM renewal_calls WHERE contract_id IN (SELECT id FROM contracts "
            "WHERE outcome = 'open' ORDER BY end_date LIMIT 3)"
        )
    ws = open_workspace(to_url(str(db)), backup=False)
    try:
        with Session(ws.engine) as session:
            zone = ZoneInfo(workspace_zone(get_setting(session, TIME_ZONE_SETTING)))
            checkpoints = [int(m) for m in get_setting(session, "renewals.checkpoint_months")]
        digest = daily_digest(ws.engine, now=now)
    finally:
        ws.close()
    today = now.astimezone(zone).date()
    with sqlite3.connect(db) as con:
        due = _due(con, today, checkpoints)
    assert len(due) > 1, "the three renewals nearest should have calls due"
    line = {line.key: line for line in digest.lines}["renewal_calls"]
    assert line.count == len(due)
    assert line.customer_ids == frozenset(due.values())
    assert line.text.startswith(f"{len(due):,} renewal calls due (the nearest renewal ")
    assert line.opens == "my_work"
    keys = [line.key for line in digest.lines]
    assert keys.index("renewal_calls") == keys.index("tasks_due") + 1
