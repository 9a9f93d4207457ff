"""Email conversion by campaign type, counted by hand: on a small workspace, every answer
of the saved question (emails sent, customers, conversion) is the plain Python count of the
same events, for several windows, with the rollups current and stale, on SQLite and
PostgreSQL. Kept so that any faster form of the question is held to the same rows.

The cases: an email after the customer's last paid order; orders exactly at the email's
time and exactly at the window's edge; refunded orders (not paid); a customer with several
campaign types; emails with no campaign type, opens and clicks, and an email just outside
the period whose local day (its offset) decides it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine, insert

from app.workspace import open_workspace
from models.db import session_scope
from models.schema import Customer, Interaction, Order
from services.ask.library import answer_saved, find_question
from services.core.rollups import refresh_rollups

TODAY = dt.date(2026, 11, 26)
SINCE = TODAY - dt.timedelta(days=90)  # the question's default period

# (customer, kind, UTC time, offset in minutes, campaign type)
EMAILS: tuple[tuple[str, str, str, int | None, str | None], ...] = (
    ("Ada", "email_sent", "2026-11-01 10:00:00", None, "Sale"),  # order 4 days later
    ("Ada", "email_sent", "2026-11-10 10:00:00", None, "Seasonal launch"),  # after it
    ("Bo", "email_sent", "2026-10-01 12:00:00", None, "Sale"),  # order at +7 days exactly
    ("Bo", "email_sent", "2026-10-20 08:00:00", None, "Sale"),  # order at the same time
    ("Cy", "email_sent", "2026-11-15 09:00:00", None, "Sale"),
    ("Cy", "email_sent", "2026-11-16 09:00:00", None, "Gift guide"),
    ("Cy", "email_sent", "2026-11-20 12:00:00", None, "Gift guide"),  # 30 h before
    ("Cy", "email_sent", "2026-11-21 09:00:00", None, "Gift guide"),
    ("Cy", "email_open", "2026-11-21 09:05:00", None, "Gift guide"),  # not a send
    ("Cy", "email_click", "2026-11-21 09:06:00", None, "Gift guide"),
    ("Di", "email_sent", "2026-11-02 10:00:00", None, None),  # no campaign type
    ("Di", "email_sent", "2026-08-01 10:00:00", None, "Sale"),  # before the period
    ("Ed", "email_sent", "2026-11-03 10:00:00", None, "Seasonal launch"),  # no order
    ("Fay", "email_sent", "2026-11-01 10:00:00", None, "Sale"),  # refunded the next day
    ("Gus", "email_sent", "2026-08-27 23:30:00", 60, "Sale"),  # local day: in the period
    ("Hal", "email_sent", "2026-08-27 22:00:00", 0, "Sale"),  # local day: before it
)
# (customer, UTC time, status)
ORDERS: tuple[tuple[str, str, str], ...] = (
    ("Ada", "2026-11-05 09:00:00", "paid"),
    ("Ada", "2026-11-12 09:00:00", "refunded"),
    ("Bo", "2026-10-08 12:00:00", "paid"),
    ("Bo", "2026-10-20 08:00:00", "paid"),
    ("Cy", "2026-11-21 18:00:00", "paid"),
    ("Di", "2026-08-02 10:00:00", "paid"),
    ("Di", "2026-11-02 11:00:00", "paid"),
    ("Fay", "2026-11-02 10:00:00", "refunded"),
    ("Gus", "2026-08-28 10:00:00", "paid"),
    ("Hal", "2026-08-28 10:00:00", "paid"),
)


def _at(when: str) -> dt.datetime:
    return dt.datetime.fromisoformat(when).replace(tzinfo=dt.UTC)


def _by_hand(window: int) -> list[tuple[str, int, int, float]]:
    """The answer counted in Python: typed emails sent in the period, and how many were
    followed by a paid order of the same customer within ``window`` days."""
    paid = [(who, _at(when)) for who, when, status in ORDERS if status == "paid"]
    sent: dict[str, list[tuple[str, bool]]] = {}
    for who, kind, when, offset, campaign in EMAILS:
        local_day = (_at(when) + dt.timedelta(minutes=offset or 0)).date()
        if kind != "email_sent" or campaign is None or local_day < SINCE:
            continue
        at, edge = _at(when), _at(when) + dt.timedelta(days=window)
        converted = any(p == who and at <= t < edge for p, t in paid)
        sent.setdefault(campaign, []).append((who, converted))
    rows = [
        (campaign, len(e), len({w for w, _ in e}), round(100 * sum(c for _, c in e) / len(e), 1))
        for campaign, e in sent.items()
    ]
    return sorted(rows, key=lambda r: (-r[3], r[0]))


def _answer(engine: Engine, window: int) -> list[tuple[Any, ...]]:
    question = find_question(engine, "campaign_conversion")
    answer = answer_saved(engine, question, {"window": window}, today=TODAY)
    assert list(answer.columns) == ["campaign_type", "emails_sent", "customers", "conversion_pct"]
    return [(t, int(s), int(c), float(p)) for t, s, c, p in answer.rows]


def _fill(sessions: Any) -> None:
    with session_scope(sessions) as session:
        names = sorted({e[0] for e in EMAILS} | {o[0] for o in ORDERS})
        people = {n: Customer(name=n, source="t") for n in names}
        session.add_all(people.values())
        session.flush()
        for n, (who, kind, when, offset, campaign) in enumerate(EMAILS):
            session.add(Interaction(
                customer_id=people[who].id, kind=kind, occurred_at=_at(when),
                utc_offset_minutes=offset, campaign_type=campaign, source="t",
                external_id=f"E-{n}",
            ))  # fmt: skip
        for who, when, status in ORDERS:
            session.add(Order(
                customer_id=people[who].id, order_date=_at(when), amount_cents=1000,
                currency="USD", status=status,
            ))  # fmt: skip


def test_the_by_hand_count_covers_the_cases() -> None:
    """The hand count itself: the edges fall where the cases say."""
    assert _by_hand(7) == [
        ("Gift guide", 3, 1, 100.0),  # Cy's three, all within 7 days
        ("Sale", 6, 5, 66.7),  # Ada, Bo (same time), Cy, Gus; not Bo at +7 d nor Fay
        ("Seasonal launch", 2, 2, 0.0),  # Ada after her last order, Ed with none
    ]
    assert _by_hand(1) == [
        ("Gift guide", 3, 1, 33.3),  # only Cy's 21st
        ("Sale", 6, 5, 33.3),  # Bo's order at the email's time, Gus's 10.5 h later
        ("Seasonal launch", 2, 2, 0.0),
    ]
    assert _by_hand(30)[1] == ("Sale", 6, 5, 83.3)  # Bo's +7 days counts now; Fay never


@pytest.mark.parametrize("window", [1, 7, 30])
def test_conversion_counts_match_a_count_by_hand(workspace_url: str, window: int) -> None:
    ws = open_workspace(workspace_url, backup=False)
    try:
        _fill(ws.sessions)
        assert _answer(ws.engine, window) == _by_hand(window)  # rollups not yet current
        with session_scope(ws.sessions) as session:
            refresh_rollups(session)
        assert _answer(ws.engine, window) == _by_hand(window)  # from the rollups
    finally:
        ws.close()


def test_a_paid_order_written_after_the_rollups_counts_at_once(workspace_url: str) -> None:
    """Ed's paid order, written through the app after the rollups were refreshed (so they
    are stale), converts his Seasonal launch email."""
    ws = open_workspace(workspace_url, backup=False)
    try:
        _fill(ws.sessions)
        with session_scope(ws.sessions) as session:
            refresh_rollups(session)
        before = _answer(ws.engine, 7)
        assert ("Seasonal launch", 2, 2, 0.0) in before
        with session_scope(ws.sessions) as session:
            ed = session.query(Customer).filter_by(name="Ed").one()
            session.execute(insert(Order).values(
                customer_id=ed.id, order_date=_at("2026-11-04 10:00:00"), amount_cents=500,
                currency="USD", status="paid",
            ))  # fmt: skip
        assert ("Seasonal launch", 2, 2, 50.0) in _answer(ws.engine, 7)
    finally:
        ws.close()
