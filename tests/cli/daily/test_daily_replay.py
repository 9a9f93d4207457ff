"""run-daily keeps the alert replay current once it has been made: on the hand-made history
of tests/unit/learn/test_alert_replay.py, a round before any replay replays nothing; after
`report alerts`, a day's order makes the round replay with the same weeks, reading the
kept weeks back, and leaves a replay that is current."""

from __future__ import annotations

import datetime as dt
import io

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cli.main import main
from app.workspace import open_workspace
from models.schema import Customer, Order
from services.learn.alert_replay import last_replay
from tests.unit.learn.test_alert_replay import END, HISTORY, _fill


def run(url: str, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--db", url, *args], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def _kept(url: str) -> tuple[object, bool]:
    ws = open_workspace(url, backup=False)
    try:
        return last_replay(ws.engine)
    finally:
        ws.close()


def test_the_round_keeps_a_replay_current_once_there_is_one(workspace_url: str) -> None:
    _fill(workspace_url, list(HISTORY))
    code, out, err = run(workspace_url, "run-daily")
    assert code == 0, err
    assert "Replayed the alert rules" not in out
    assert _kept(workspace_url) == (None, False)

    code, _out, err = run(workspace_url, "report", "alerts", "--weeks", "8")
    assert code == 0, err
    ws = open_workspace(workspace_url, backup=False)
    try:
        with Session(ws.engine) as s, s.begin():
            buyer = s.scalar(select(Customer.id).where(Customer.external_id == "E"))
            s.add(Order(customer_id=buyer, external_id="E-next", source="t", status="paid",
                        amount_cents=5000, order_date=dt.datetime.combine(
                            END + dt.timedelta(days=1), dt.time(12), tzinfo=dt.UTC)))  # fmt: skip
    finally:
        ws.close()
    assert _kept(workspace_url)[1] is False  # the order: out of date

    code, out, err = run(workspace_url, "run-daily")
    assert code == 0, err
    assert f"Replayed the alert rules on 8 weeks to {END + dt.timedelta(days=1):%b %-d, %Y}" in out
    report, current = _kept(workspace_url)
    assert current
    assert report.weeks == 8  # type: ignore[attr-defined]
