"""Ask counts customers at risk and revenue at risk as the dashboard does: the same
threshold setting, Lost customers left out, revenue at risk over every scored customer
(services/ask/metrics.py), in the saved question and in the ask_customers view."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from app.workspace import Workspace
from services.alerts.dashboard import dashboard
from services.ask.answer import Answer
from services.ask.library import answer_saved, find_question
from services.ask.metrics import THRESHOLD_SETTING
from services.ask.readonly import run_query
from services.settings import set_setting
from tests.unit.ask.test_ask_readonly import scored_file, ws  # noqa: F401  (the fixtures)


def _column_sum(answer: Answer, name: str) -> float:
    i = answer.columns.index(name)
    return float(sum(row[i] for row in answer.rows))


def _by_owner(ws: Workspace) -> Answer:  # noqa: F811
    question = find_question(ws.engine, "at_risk_by_owner")
    return answer_saved(ws.engine, question, {}, today=dt.date.today())


def test_at_risk_by_owner_sums_to_the_dashboard(ws: Workspace) -> None:  # noqa: F811
    board = dashboard(ws.engine)
    assert board is not None
    # The demo has Lost customers above the threshold: counting them would disagree.
    assert board.lost_at_risk_customers > 0
    answer = _by_owner(ws)
    assert answer.params == {"threshold": board.at_risk_threshold} == {"threshold": 0.6}
    assert _column_sum(answer, "at_risk") == board.at_risk_customers
    assert _column_sum(answer, "customers") == board.customers
    revenue = _column_sum(answer, "revenue_at_risk")
    # Rounded to the cent per owner: within a cent per owner of the dashboard's total.
    assert abs(revenue - board.revenue_at_risk_cents / 100) <= 0.01 * len(answer.rows)


def test_the_threshold_setting_moves_ask_and_the_dashboard_together(
    ws: Workspace,  # noqa: F811
) -> None:
    before = _column_sum(_by_owner(ws), "at_risk")
    with Session(ws.engine) as session, session.begin():
        set_setting(session, THRESHOLD_SETTING, 45)
    board = dashboard(ws.engine)
    assert board is not None
    assert board.at_risk_threshold == 0.45
    answer = _by_owner(ws)
    assert answer.params == {"threshold": 0.45}
    assert _column_sum(answer, "at_risk") == board.at_risk_customers > before
    flagged = run_query(ws.engine, "SELECT sum(at_risk) FROM ask_customers")
    assert flagged.rows[0][0] == board.at_risk_customers


def test_the_view_flags_customers_at_risk_as_the_dashboard(ws: Workspace) -> None:  # noqa: F811
    board = dashboard(ws.engine)
    assert board is not None
    result = run_query(
        ws.engine,
        "SELECT sum(at_risk), sum(CASE WHEN segment = 'Lost' THEN at_risk ELSE 0 END), "
        "round(sum(revenue_at_risk_home), 2) FROM ask_customers",
    )
    flagged, lost, revenue = result.rows[0]
    assert flagged == board.at_risk_customers
    assert lost == 0
    assert abs(revenue - board.revenue_at_risk_cents / 100) < 0.01
