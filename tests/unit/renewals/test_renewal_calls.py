"""The owner's renewal calls on the hand-made book of tests/support/renewal_calls_book.py,
on SQLite and on PostgreSQL: calls due at the checkpoints, the disagreements with the
model, recording a call (with the model's likelihood at that moment) and undoing it, the
refusals in words, and the renewal card; every figure against the book's counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.workspace import open_workspace
from models.schema import AuditEvent
from models.schema.renewals import RenewalCall
from services.alerts.renewal_calls import record_renewal_call
from services.alerts.undo import undo_change
from services.renewals.calls import (
    RenewalCallError,
    calls_due,
    current_checkpoint,
    disagreements,
    months_before,
    read_calls,
)
from services.renewals.card import renewal_card
from services.renewals.card_records import DUE, MISSED, RECORDED, TO_COME
from services.settings import set_setting
from tests.support.renewal_calls_book import TODAY, fill_renewal_calls_book

NOW = dt.datetime(2026, 3, 1, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def book(workspace_url: str) -> Iterator[tuple[Engine, dict[str, int]]]:
    ws = open_workspace(workspace_url, backup=False)
    ids = fill_renewal_calls_book(ws.engine)
    yield ws.engine, ids
    ws.close()


def test_checkpoints_count_calendar_months() -> None:
    assert months_before(dt.date(2026, 6, 15), 6) == dt.date(2025, 12, 15)
    assert months_before(dt.date(2026, 8, 31), 6) == dt.date(2026, 2, 28)  # the month's last
    assert months_before(dt.date(2026, 3, 31), 3) == dt.date(2025, 12, 31)
    end = dt.date(2026, 6, 1)
    assert current_checkpoint(end, (6, 3), dt.date(2025, 11, 30)) is None  # before the first
    assert current_checkpoint(end, (6, 3), dt.date(2025, 12, 1)) == 6
    assert current_checkpoint(end, (6, 3), dt.date(2026, 3, 1)) == 3
    assert current_checkpoint(end, (6, 3), end) is None  # the date has come


def test_calls_due_and_disagreements(book) -> None:  # type: ignore[no-untyped-def]
    engine, ids = book
    with Session(engine) as s:
        due = calls_due(s, TODAY)
        # A1: only its 6-month checkpoint reached (Dec 15), called. D2: none reached yet.
        # B1, D1, G1: 3 months reached, no call; C1: its 3 months is today, called at 6 only.
        assert [(d.contract, d.checkpoint_months, d.checkpoint_date.isoformat()) for d in due] == [
            ("Plan G1", 3, "2026-01-01"),
            ("Plan B1", 3, "2026-01-10"),
            ("Plan D1", 3, "2026-02-01"),
            ("Plan C1", 3, "2026-03-01"),
        ]
        assert [d.contract for d in calls_due(s, TODAY, owner="maya")] == ["Plan G1", "Plan B1"]
        # A1: Commit (95%) against 31%, 64 points apart; C1: At risk (35%) against 70%, 35.
        found = disagreements(s)
        assert [(d.customer, d.owner) for d in found] == [("Acme", "Maya")]
        assert found[0].gap == pytest.approx(0.64)
        assert found[0].words() == (
            "You called it Commit "
            "(about 95% to renew); the model gives 31% to renew: usage down 40%, 2 late tickets"
        )
        assert found[0].words("Maya").startswith("Maya called it Commit")
    with Session(engine) as s, s.begin():
        set_setting(s, "renewals.disagreement_points", 30)
    with Session(engine) as s:
        assert [d.customer for d in disagreements(s)] == ["Acme", "Cedar"]


def test_record_a_call_and_undo_it(book) -> None:  # type: ignore[no-untyped-def]
    engine, ids = book
    change = record_renewal_call(
        engine, ids["B"], "at_risk", "  Champion left  ", actor="Maya", now=NOW
    )
    assert change.label == "Called Birch's renewal At risk"
    calls = read_calls(engine, ids["B"])
    assert [(c.checkpoint_months, c.call, c.note, c.made_by) for c in calls] == [
        (3, "at_risk", "Champion left", "Maya")
    ]
    # The latest run's likelihood (80%), not the older run's 10%.
    assert calls[0].model_likelihood == pytest.approx(0.80)
    with Session(engine) as s:
        assert "Plan B1" not in [d.contract for d in calls_due(s, TODAY)]
        event = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "renewal.call_recorded")
        ).one()
        assert (event.entity_id, event.details["call"]) == (ids["B"], "at_risk")
    assert undo_change(engine, change, actor="Maya") == "Undone: called Birch's renewal At risk"
    assert read_calls(engine, ids["B"]) == []
    with Session(engine) as s:
        assert "Plan B1" in [d.contract for d in calls_due(s, TODAY)]
        assert s.scalar(select(RenewalCall.id).where(RenewalCall.customer_id == ids["B"])) is None


def test_what_is_refused(book) -> None:  # type: ignore[no-untyped-def]
    engine, ids = book
    with pytest.raises(RenewalCallError, match="is not a call; choose one of commit, likely"):
        record_renewal_call(engine, ids["A"], "maybe", now=NOW)
    with pytest.raises(RenewalCallError, match="2 open contracts: .*Plan D1.*Plan D2"):
        record_renewal_call(engine, ids["D"], "likely", now=NOW)
    with pytest.raises(RenewalCallError, match="no open contract"):
        record_renewal_call(engine, ids["E"], "likely", now=NOW)
    with pytest.raises(RenewalCallError, match="already decided"):
        record_renewal_call(engine, ids["F"], "likely", contract_id=ids["F1"], now=NOW)
    with pytest.raises(RenewalCallError, match="5 months is not a checkpoint; .* 6 and 3"):
        record_renewal_call(engine, ids["A"], "likely", checkpoint_months=5, now=NOW)
    with pytest.raises(RenewalCallError, match="no contract"):
        record_renewal_call(engine, ids["A"], "likely", contract_id=ids["B1"], now=NOW)
    # With the contract named, a customer with two records the call on it.
    record_renewal_call(engine, ids["D"], "lost", contract_id=ids["D2"], now=NOW)
    (call,) = read_calls(engine, ids["D"])
    # D2's checkpoints (Jun 30, Sep 30) are not reached: the first to come is taken.
    assert (call.contract_id, call.checkpoint_months, call.model_likelihood) == (
        ids["D2"],
        6,
        pytest.approx(0.9),
    )
    assert read_calls(engine, ids["A"])[0].note == "Budget signed off"  # nothing else written


def test_the_renewal_card(book) -> None:  # type: ignore[no-untyped-def]
    engine, ids = book
    assert renewal_card(engine, ids["E"], TODAY) is None  # no contracts, no card
    card = renewal_card(engine, ids["A"], TODAY)
    assert card is not None
    (a1,) = card.contracts
    assert a1.terms() == (
        "Renews Jun 15, 2026 · $1,000 a month · does not auto-renew · notice by May 16, 2026"
    )
    assert a1.annual_cents == pytest.approx(1_200_000)
    assert a1.forecast is not None
    assert a1.forecast.likelihood == pytest.approx(0.31)
    assert a1.model_words == "fitted on this workspace's renewals"
    assert [(c.months, c.day.isoformat(), c.state) for c in a1.checkpoints] == [
        (6, "2025-12-15", RECORDED),
        (3, "2026-03-15", TO_COME),
    ]
    assert a1.due_months is None
    # Read by nobody in particular: the owner is named; by the owner: "You".
    assert a1.disagreement == (
        "Maya called it Commit "
        "(about 95% to renew); the model gives 31% to renew: usage down 40%, 2 late tickets"
    )
    assert card.due_words == "Maya's call is due"
    mine = renewal_card(engine, ids["A"], TODAY, viewer="maya ")
    assert mine is not None
    assert mine.contracts[0].disagreement == (
        "You called it Commit "
        "(about 95% to renew); the model gives 31% to renew: usage down 40%, 2 late tickets"
    )
    assert mine.due_words == "Your call is due"
    leos = renewal_card(engine, ids["D"], TODAY, viewer="Maya")
    assert leos is not None
    assert leos.due_words == "Leo's call is due"
    b = renewal_card(engine, ids["B"], TODAY)
    assert b is not None
    (b1,) = b.contracts
    # 6 months (Oct 10) passed without a call; 3 months (Jan 10) is due.
    assert [c.state for c in b1.checkpoints] == [MISSED, DUE]
    assert b1.due_months == 3
    assert b1.auto_renew
    assert b1.model_words == "early estimate"
    assert b1.amount == "$24,000 a year"
    assert b1.disagreement is None
    d = renewal_card(engine, ids["D"], TODAY)
    assert d is not None
    assert [c.name for c in d.contracts] == ["Plan D1", "Plan D2"]
    f = renewal_card(engine, ids["F"], TODAY)  # only a decided contract: shown, no checkpoints
    assert f is not None
    assert [(c.outcome, c.checkpoints) for c in f.contracts] == [("renewed", ())]
    assert f.contracts[0].terms().startswith("Renewed Dec 31, 2025")


def test_my_work_lists_the_calls_due_then_the_disagreements(book) -> None:  # type: ignore[no-untyped-def]
    from services.alerts.work import my_work

    engine, ids = book
    # Maya's own: G1 and B1 due; Acme's Commit against 31%, said to her as "You".
    mine = my_work(engine, user="Maya", owner="Maya", now=NOW).renewals
    assert [(r.customer, r.kind) for r in mine] == [
        ("Gum", "due"),
        ("Birch", "due"),
        ("Acme", "disagrees"),
    ]
    assert mine[1].what == "Your call is due: 3 months before the renewal (since Jan 10, 2026)"
    assert mine[2].what.startswith(
        "You called it Commit (about 95% to renew); the model gives 31% to renew"
    )
    # The lead, everyone's: Leo's due calls too, and the disagreement names whose call.
    team = my_work(engine, user="Lea", everyone=True, now=NOW).renewals
    assert [r.customer for r in team] == ["Gum", "Birch", "Delta", "Cedar", "Acme"]
    assert team[-1].what.startswith(
        "Maya called it Commit (about 95% to renew); the model gives 31% to renew"
    )
    assert my_work(engine, user="Leo", owner="Leo", now=NOW).renewals[0].customer == "Delta"
