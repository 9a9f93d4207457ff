"""Ask answers "which renewals are due in the next 90 days" offline, from the contracts
view: the open contracts whose renewal day falls from today to the days ahead, nearest
first, as plain SQL on the tables counts them; a narrower "next 30 days" narrows it, and a
workspace with no contracts says what to import."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest

from app.workspace import open_workspace, to_url
from services.ask.library import answer_saved, find_question, local_today, saved_questions
from services.ask.match import match
from tests.unit.ask.test_ask_readonly import scored_file  # noqa: F401  (the fixture)


@pytest.fixture
def db(scored_file: Path, tmp_path: Path) -> Path:  # noqa: F811
    target = tmp_path / "renewals.radar.sqlite"
    shutil.copy(scored_file, target)
    return target


def _due(db: Path, today: dt.date, days: int) -> list[int]:
    with sqlite3.connect(db) as con:
        rows = con.execute(
            "SELECT id FROM contracts WHERE outcome = 'open' AND end_date >= ? "
            "AND end_date <= ? ORDER BY end_date, id",
            (today.isoformat(), (today + dt.timedelta(days=days)).isoformat()),
        ).fetchall()
    return [int(r[0]) for r in rows]


@pytest.mark.parametrize(("typed", "days"), [
    ("Which renewals are due in the next 90 days?", 90),
    ("renewals due in the next 30 days", 30),
])  # fmt: skip
def test_the_renewals_due_are_answered_offline(db: Path, typed: str, days: int) -> None:
    ws = open_workspace(to_url(str(db)), backup=False)
    try:
        today = local_today(ws.engine)
        best = match(typed, saved_questions(ws.engine))[0]
        assert best.question.id == "renewals_due"
        assert not best.unexplained, best.unexplained  # the question answers it, not only near
        answer = answer_saved(ws.engine, best.question, best.params, asked=typed, today=today)
    finally:
        ws.close()
    expected = _due(db, today, days)
    assert len(expected) >= 2, "the demo should have renewals due"
    columns = list(answer.columns)
    got = [int(row[columns.index("contract_id")]) for row in answer.rows]
    assert got == expected
    days_shown = [row[columns.index("renewal_day")] for row in answer.rows]
    assert days_shown == sorted(days_shown)


def test_a_workspace_with_no_contracts_says_what_to_import(db: Path) -> None:
    with sqlite3.connect(db) as con:
        con.execute("DELETE FROM renewal_calls")
        con.execute("DELETE FROM renewal_forecasts")
        con.execute("DELETE FROM contracts")
    ws = open_workspace(to_url(str(db)), backup=False)
    try:
        answer = answer_saved(ws.engine, find_question(ws.engine, "renewals_due"))
    finally:
        ws.close()
    assert answer.rows == []
    assert answer.notice is not None
    assert "no contracts yet" in answer.notice
