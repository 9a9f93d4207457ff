"""A scoring as of a past date knows only the customers who existed then: from their signup
or their first order on or before it (or, dated by neither, from the day they were added).
Checked on a real workspace scored as of two dates, through what reads the runs: the
snapshots, the dashboard's trend and segments over time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from app.workspace import Workspace, open_workspace
from models.schema import Customer, Order
from services.alerts.dashboard import dashboard
from services.learn.segments_over_time import segments_over_time
from services.learn.segments_records import NO_SEGMENT
from services.scoring.run import score_workspace
from tests.unit.scoring.test_scoring_run import add_orders_only

PAST = dt.date(2025, 3, 1)
LATER = PAST + dt.timedelta(days=10)


def _at(day: dt.date, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), dt.UTC)


# (signup date, [(order time, status)], added to the workspace, known as of PAST)
Person = tuple[dt.date | None, list[tuple[dt.datetime, str]], dt.datetime | None, bool]
PEOPLE: dict[str, Person] = {
    # Signed up or first ordered after PAST: not there yet.
    "signed up later": (PAST + dt.timedelta(days=5), [], None, False),
    "signed up and bought later": (
        PAST + dt.timedelta(days=3),
        [(_at(PAST + dt.timedelta(days=4)), "paid")],
        None,
        False,
    ),
    "first order the next morning": (
        None,
        [(_at(PAST + dt.timedelta(days=1), 0, 30), "paid")],
        _at(PAST - dt.timedelta(days=100)),  # added early does not date a buyer
        False,
    ),
    "added later, nothing dated": (None, [], None, False),  # added now, long after PAST
    # There by PAST.
    "signed up that day": (PAST, [], None, True),
    "signed up before": (PAST - dt.timedelta(days=10), [], None, True),
    "refunded order late that day": (None, [(_at(PAST, 23, 30), "refunded")], None, True),
    "signup later than an order": (
        PAST + dt.timedelta(days=20),
        [(_at(PAST - dt.timedelta(days=2)), "paid")],
        None,
        True,
    ),
    "added before, nothing dated": (None, [], _at(PAST - dt.timedelta(days=30)), True),
}


@pytest.fixture
def workspace(workspace_url: str) -> Iterator[tuple[Workspace, dict[str, int], set[int]]]:
    """A workspace of 300 buyers (orders in the 40 days up to PAST, no signup dates) and
    PEOPLE: the ids of PEOPLE by name and of the buyers."""
    ws = open_workspace(workspace_url, backup=False)
    try:
        add_orders_only(ws.engine, customers=300, history_days=40, today=PAST, seed=4)
        with ws.engine.connect() as conn:
            buyers = {int(r[0]) for r in conn.execute(text("SELECT id FROM customers"))}
        ids: dict[str, int] = {}
        with Session(ws.engine) as s, s.begin():
            for k, (name, (signup, orders, added, _known)) in enumerate(PEOPLE.items()):
                fields: dict[str, Any] = {"source": "t", "external_id": f"P{k}", "name": name}
                if added is not None:
                    fields["created_at"] = added
                c = Customer(signup_date=signup, **fields)
                s.add(c)
                s.flush()
                ids[name] = int(c.id)
                if orders:
                    s.execute(
                        insert(Order),
                        [
                            {
                                "customer_id": c.id,
                                "external_id": f"P{k}-{n}",
                                "source": "t",
                                "order_date": when,
                                "amount_cents": 5000,
                                "status": status,
                            }
                            for n, (when, status) in enumerate(orders)
                        ],
                    )
        yield ws, ids, buyers
    finally:
        ws.close()


def _scored(ws: Workspace, as_of: dt.date) -> set[int]:
    with ws.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT customer_id FROM score_snapshots WHERE as_of = :d"), {"d": as_of}
        )
        return {int(r[0]) for r in rows}


def test_a_past_run_holds_only_the_customers_known_by_its_date(
    workspace: tuple[Workspace, dict[str, int], set[int]],
) -> None:
    ws, ids, buyers = workspace
    known = buyers | {ids[n] for n, person in PEOPLE.items() if person[3]}
    unknown = {ids[n] for n, person in PEOPLE.items() if not person[3]}

    past = score_workspace(ws.engine, as_of=PAST, horizon_days=90)
    assert _scored(ws, PAST) == known
    assert past.customers == len(known)
    # Ten days on, those who signed up or first ordered meanwhile are there; the customer
    # added today with nothing that dates them is not (added after LATER too).
    score_workspace(ws.engine, as_of=LATER, horizon_days=90)
    assert _scored(ws, LATER) == known | unknown - {ids["added later, nothing dated"]}

    # The trend and the segments read the runs: the past point counts the known only.
    board = dashboard(ws.engine)
    assert board is not None
    assert [(p.as_of, p.customers) for p in board.trend] == [
        (PAST, len(known)),
        (LATER, len(known) + len(unknown) - 1),
    ]
    share = board.trend[0].at_risk_share
    assert share is not None
    with ws.engine.connect() as conn:
        at_risk = conn.execute(
            text(
                "SELECT COUNT(*) FROM score_snapshots WHERE as_of = :d AND churn_risk >= :t "
                "AND COALESCE(segment, '') != 'Lost'"
            ),
            {"d": PAST, "t": board.at_risk_threshold},
        ).scalar_one()
    assert share == pytest.approx(at_risk / len(known))
    segments = segments_over_time(ws.engine)
    first = segments.figure(segments.runs[0].run_id, NO_SEGMENT)
    # No segment: the four known customers without a paid order by PAST.
    assert first is not None
    assert first.customers == 4
