"""A replay adds what is new instead of scoring the year again: the weeks scored by the last
replay are read back when their data and settings are the same, and its figures are those
of a replay that scored every week (on the hand-made history of test_alert_replay.py, on
SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

import services.learn.alert_replay as alert_replay
from app.workspace import open_workspace
from models.schema import Customer, Order
from services.learn.alert_replay import replay_alerts, replay_weeks
from services.learn.replay_frames import frames_path
from services.learn.replay_kept import kept_path
from services.scoring.data import day_date, day_number
from services.settings import set_setting
from tests.unit.learn.test_alert_replay import END, HISTORY, WEEKS, _fill

LATER = END + dt.timedelta(days=60)  # "today": after every order of the history


@pytest.fixture
def engine(workspace_url: str) -> Iterator[Any]:
    _fill(workspace_url, list(HISTORY))
    ws = open_workspace(workspace_url, backup=False)
    yield ws.engine
    ws.close()


@pytest.fixture
def scored(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The days of the weeks the replay scored (not read back)."""
    days: list[int] = []
    real = alert_replay._scores

    def counting(data: Any, day: int, *args: Any) -> Any:
        days.append(day)
        return real(data, day, *args)

    monkeypatch.setattr(alert_replay, "_scores", counting)
    return days


def _figures(report: Any) -> Any:
    """The report without when and how long it was computed."""
    return dataclasses.replace(report, computed_at=None, seconds=0.0, data_key="")


def _full(engine: Any) -> Any:
    """The replay scoring every week (nothing kept read back, weeks nor results)."""
    for kept in (kept_path(engine), frames_path(engine)):
        if kept.exists():
            kept.unlink()
    return replay_alerts(engine, weeks=WEEKS, today=LATER, suggest=False)


def _order(engine: Any, name: str, day: dt.date) -> None:
    with Session(engine) as s, s.begin():
        customer = s.scalar(select(Customer.id).where(Customer.external_id == name))
        s.execute(
            insert(Order),
            [{"customer_id": customer, "external_id": f"{name}-{day}", "source": "t",
              "order_date": dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC),
              "amount_cents": 5000, "status": "paid"}],
        )  # fmt: skip


def test_weeks_end_on_sundays_and_stay_the_same_from_day_to_day() -> None:
    sunday = day_number(END)  # 2026-03-01, a Sunday
    assert day_date(sunday).isoweekday() == 7
    for end in range(sunday, sunday + 7):
        assert replay_weeks(end, 3) == [sunday - 14, sunday - 7, sunday]
    assert replay_weeks(sunday + 7, 2) == [sunday, sunday + 7]


def test_a_replay_again_reads_every_week_back_with_the_same_figures(
    engine: Any, scored: list[int]
) -> None:
    first = replay_alerts(engine, weeks=WEEKS, today=LATER, suggest=False)
    assert len(scored) == WEEKS
    assert kept_path(engine).is_file()
    again = replay_alerts(engine, weeks=WEEKS, today=LATER, suggest=False)
    assert len(scored) == WEEKS  # nothing scored the second time
    assert _figures(again) == _figures(first)


def test_the_next_days_orders_score_no_week_and_give_the_full_replays_figures(
    engine: Any, scored: list[int]
) -> None:
    replay_alerts(engine, weeks=WEEKS, today=LATER, suggest=False)
    _order(engine, "E", END + dt.timedelta(days=1))  # a Monday: the same weeks
    _order(engine, "B", END + dt.timedelta(days=1))  # lapsed, then back: the outcome changes
    del scored[:]
    added = replay_alerts(engine, weeks=WEEKS, today=LATER, suggest=False)
    assert scored == []
    assert added.end == END + dt.timedelta(days=1)
    full = _full(engine)
    assert len(scored) == WEEKS
    assert _figures(added) == _figures(full)


def test_an_order_dated_in_the_past_scores_again_only_the_weeks_from_its_day(
    engine: Any, scored: list[int]
) -> None:
    replay_alerts(engine, weeks=WEEKS, today=LATER, suggest=False)
    weeks = replay_weeks(day_number(END), WEEKS)
    back = END - dt.timedelta(days=16)  # two days before the third last week
    _order(engine, "K", back)
    del scored[:]
    added = replay_alerts(engine, weeks=WEEKS, today=LATER, suggest=False)
    assert scored == [d for d in weeks if d >= day_number(back)] == weeks[-3:]
    assert _figures(added) == _figures(_full(engine))


def test_a_scoring_setting_scores_every_week_again_and_an_alert_setting_none(
    engine: Any, scored: list[int]
) -> None:
    replay_alerts(engine, weeks=WEEKS, today=LATER, suggest=False)
    with Session(engine) as s, s.begin():
        set_setting(s, "alerts.cooldown_days", 7, actor="test")
    del scored[:]
    replay_alerts(engine, weeks=WEEKS, today=LATER, suggest=False)
    assert scored == []
    with Session(engine) as s, s.begin():
        set_setting(s, "scoring.engagement_weights", {"recency": 0.5}, actor="test")
    replay_alerts(engine, weeks=WEEKS, today=LATER, suggest=False)
    assert len(scored) == WEEKS


def test_a_kept_file_that_cannot_be_read_is_scored_again(engine: Any, scored: list[int]) -> None:
    first = replay_alerts(engine, weeks=WEEKS, today=LATER, suggest=False)
    kept_path(engine).write_bytes(b"PK\x03\x04 not an archive")
    again = replay_alerts(engine, weeks=WEEKS, today=LATER, suggest=False)
    assert len(scored) == 2 * WEEKS
    assert _figures(again) == _figures(first)
