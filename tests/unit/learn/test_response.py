"""Time to action on a hand-made history: alerts with known times, a weekend in between, an
alert never acted on and one resolved without an action, checked against the figures
worked out by hand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.orm import Session

from models.schema import Action, Alert, AuditEvent
from services.learn.response import (
    AlertTiming,
    percentile_80,
    response_report,
    working_days_between,
)
from services.settings import set_setting
from tests.unit.alerts.test_alerts_rules import Book, make_book

# Monday 2 March 2026, 09:00 UTC; the workspace clock is UTC.
MON = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
NOW = MON + dt.timedelta(days=30)
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)


@pytest.fixture
def book(workspace_url: str) -> Iterator[Book]:
    yield from make_book(workspace_url)


def _alert(book: Book, raised: dt.datetime, **fields: Any) -> int:
    """An alert of a new customer (one active alert per customer and rule)."""
    row = {
        "customer_id": book.customer("Ann"),
        "rule_key": "gone_quiet",
        "severity": "warning",
        "status": "open",
        "reason": "test",
        "owner": "Maya",
        "created_at": raised,
        **fields,
    }
    with book.engine.begin() as conn:
        return int(conn.execute(insert(Alert).returning(Alert.id), [row]).scalar_one())


def _event(book: Book, alert_id: int, action: str, at: dt.datetime) -> None:
    with book.engine.begin() as conn:
        conn.execute(
            insert(AuditEvent),
            [
                dict(
                    occurred_at=at,
                    actor="maya",
                    action=action,
                    entity_type="alert",
                    entity_id=alert_id,
                    details={},
                )
            ],  # fmt: skip
        )


def history(book: Book) -> dict[str, int]:
    """a: critical, started after 5 h, resolved after 2 days. b: warning raised Friday,
    called on Monday (1 working day, 72 h). c: critical raised Friday, a task on Tuesday
    (2 working days: missed). d: never acted on, long past its target. e: resolved by
    scoring without an action. f: raised yesterday, not yet due."""
    cid = book.customer("Bo")
    with Session(book.engine) as s, s.begin():
        set_setting(s, "workspace.time_zone", "UTC")
    fri = MON + 4 * D
    ids = {
        "a": _alert(
            book, MON, severity="critical", status="resolved", resolved_at=MON + 2 * D
        ),  # fmt: skip
        "b": _alert(book, fri, owner="Sam", rule_key="big_drop"),
        "c": _alert(book, fri, severity="critical", owner="Sam"),
        "d": _alert(book, MON, owner=None, severity="info"),
        "e": _alert(book, MON + D, status="resolved", resolved_at=MON + 2 * D),
        "f": _alert(book, NOW - D),
    }
    _event(book, ids["a"], "alert.started", MON + 5 * H)
    _event(book, ids["a"], "alert.raised", MON)  # the software's own: not an action
    _event(book, ids["a"], "alert.resolved", MON + 2 * D)
    _event(book, ids["b"], "alert.call_logged", fri + 3 * D)
    _event(book, ids["e"], "alert.auto_resolved", MON + 2 * D)
    with book.engine.begin() as conn:
        conn.execute(
            insert(Action),
            [
                dict(
                    customer_id=cid,
                    alert_id=ids["c"],
                    kind="task",
                    title="Call back",
                    created_at=fri + 4 * D,
                )
            ],  # fmt: skip
        )
    return ids


def test_working_days_skip_the_weekend() -> None:
    fri, mon = dt.date(2026, 3, 6), dt.date(2026, 3, 9)
    assert working_days_between(fri, fri) == 0
    assert working_days_between(fri, mon) == 1
    assert working_days_between(dt.date(2026, 3, 7), mon) == 1  # Saturday to Monday
    assert working_days_between(mon, mon + dt.timedelta(days=14)) == 10
    assert working_days_between(dt.date(2026, 3, 2), fri) == 4
    assert working_days_between(mon, fri) == 0


def test_percentile_is_the_nearest_rank() -> None:
    assert percentile_80([]) is None
    assert percentile_80([5.0]) == 5.0
    assert percentile_80([1.0, 2.0, 3.0, 4.0, 5.0]) == 4.0
    assert percentile_80([3.0, 1.0, 2.0]) == 3.0


def test_the_report_matches_the_hand_made_history(book: Book) -> None:
    ids = history(book)
    report = response_report(book.engine, now=NOW)
    overall = report.overall
    assert overall.alerts == 6
    # Acted on: a (5 h), b (72 h), c (96 h); d, e, f never.
    assert sorted(overall.acted_ids) == sorted([ids["a"], ids["b"], ids["c"]])
    assert overall.first_action_median == 72.0
    assert overall.first_action_p80 == 96.0
    # Resolved: a (48 h) and e (24 h).
    assert sorted(overall.resolved_ids) == sorted([ids["a"], ids["e"]])
    assert overall.resolution_median == 36.0
    assert overall.resolution_p80 == 48.0
    # a in time (same day), b in time (1 of 3), c missed (2 of 1), d missed (its 7 days
    # passed); e closed by itself in time and f not yet due count in neither part.
    assert sorted(overall.within_ids) == sorted([ids["a"], ids["b"]])
    assert sorted(overall.missed_ids) == sorted([ids["c"], ids["d"]])
    assert overall.within_share == 0.5


def test_groups_by_owner_rule_and_month(book: Book) -> None:
    ids = history(book)
    report = response_report(book.engine, now=NOW)
    owners = report.groups["owner"]
    assert set(owners) == {"Maya", "Sam", "Unassigned"}
    assert owners["Sam"].acted_ids == (ids["b"], ids["c"])
    assert owners["Sam"].first_action_median == 84.0
    assert owners["Unassigned"].missed_ids == (ids["d"],)
    assert report.groups["rule"]["big_drop"].alerts == 1
    assert list(report.groups["month"]) == ["2026-03"]


def test_targets_and_period_are_parameters(book: Book) -> None:
    ids = history(book)
    strict = response_report(book.engine, now=NOW, targets={"warning": 0})
    assert ids["b"] in strict.overall.missed_ids
    friday = (MON + 4 * D).date()
    later = response_report(book.engine, since=friday, until=friday, now=NOW)
    assert sorted(t.alert_id for t in later.timings) == sorted([ids["b"], ids["c"]])
    assert all(isinstance(t, AlertTiming) for t in later.timings)


def test_a_local_zone_moves_the_day(book: Book) -> None:
    """A critical alert raised Friday 22:30 UTC and noted Monday 23:30 UTC: Friday to
    Monday (1 working day, in time) in UTC, Friday to Tuesday (2, missed) in Berlin."""
    aid = _alert(book, MON + 4 * D + 13.5 * H, severity="critical")
    _event(book, aid, "alert.note_added", MON + 7 * D + 14.5 * H)
    with Session(book.engine) as s, s.begin():
        set_setting(s, "workspace.time_zone", "UTC")
    assert response_report(book.engine, now=NOW).overall.within_ids == (aid,)
    with Session(book.engine) as s, s.begin():
        set_setting(s, "workspace.time_zone", "Europe/Berlin")
    assert response_report(book.engine, now=NOW).overall.missed_ids == (aid,)
