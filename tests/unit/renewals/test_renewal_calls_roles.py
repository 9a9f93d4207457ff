"""The owner's renewal calls in a shared workspace on a throwaway PostgreSQL server, as
each role: an account manager records (and undoes) calls on their own customers only (the
app says so in words, and the database refuses the row behind its back); a team lead
records on anyone's, and sees the whole team's calls due and disagreements while a
manager sees their own book's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, delete, insert, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from models.schema import Customer, ScoringRun
from models.schema.renewals import Contract, RenewalCall, RenewalForecast
from services.alerts.renewal_calls import record_renewal_call
from services.alerts.undo import undo_change
from services.renewals.calls import RenewalCallError, calls_due, disagreements, read_calls
from tests.unit.team.test_team_security import ANA_BOOK, BEN_BOOK, Team
from tests.unit.team.test_team_security import team as team  # the module's own server

TODAY = dt.date(2026, 3, 1)
NOW = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def contracts(team: Team) -> dict[str, int]:
    """One open contract in Ana's book and one in Ben's (renewing Apr 10: 3 months
    reached), each with a likelihood of 20% in the latest run, written as the superuser;
    the demo's own contracts and calls are taken out first, so the books hold these two."""
    admin = create_engine(team.admin_url)
    try:
        with Session(admin) as s, s.begin():
            for table in (RenewalCall, RenewalForecast, Contract):
                s.execute(delete(table))
            run_id = s.scalar(select(ScoringRun.id).order_by(ScoringRun.id.desc()).limit(1))
            ids: dict[str, int] = {}
            for who, book in (("ana", ANA_BOOK), ("ben", BEN_BOOK)):
                customer = s.scalar(
                    select(Customer.id).where(Customer.owner == book).order_by(Customer.id)
                )
                row = Contract(
                    customer_id=customer, source="roles", external_id=f"{who}-1",
                    name=f"Plan {who}", start_date=dt.date(2025, 4, 10),
                    end_date=dt.date(2026, 4, 10), amount_cents=100_000, period="month",
                )  # fmt: skip
                s.add(row)
                s.flush()
                s.execute(insert(RenewalForecast).values(
                    run_id=run_id, contract_id=row.id, customer_id=customer, as_of=TODAY,
                    likelihood=0.2, model="fitted", drivers=["payment failed"],
                ))  # fmt: skip
                ids[who], ids[f"{who} contract"] = int(customer), int(row.id)
        return ids
    finally:
        admin.dispose()


@pytest.fixture
def engines(team: Team) -> Iterator[dict[str, Engine]]:
    opened = {user: team.open(user) for user in ("ana", "ben", "lea")}
    yield opened
    for engine in opened.values():
        engine.dispose()


def test_a_manager_calls_their_own_renewals_only(engines, contracts) -> None:  # type: ignore[no-untyped-def]
    ana = engines["ana"]
    change = record_renewal_call(ana, contracts["ana"], "commit", "Signed", actor="ana", now=NOW)
    try:
        (call,) = read_calls(ana, contracts["ana"])
        assert (call.call, call.checkpoint_months) == ("commit", 3)
        assert call.model_likelihood == pytest.approx(0.2)
        with Session(ana) as s:
            # Commit (95%) against 20%: her own disagreement; Ben's contract is not hers.
            assert [d.customer_id for d in disagreements(s)] == [contracts["ana"]]
            assert calls_due(s, TODAY) == []
    finally:
        undo_change(ana, change, actor="ana")
    assert read_calls(ana, contracts["ana"]) == []
    with pytest.raises(RenewalCallError, match="not in your book"):
        record_renewal_call(ana, contracts["ben"], "lost", actor="ana", now=NOW)
    # Nor behind the app's back: the database refuses a call on another book's customer.
    with pytest.raises(DBAPIError), ana.begin() as conn:
        conn.execute(insert(RenewalCall).values(
            contract_id=contracts["ben contract"], customer_id=contracts["ben"],
            checkpoint_months=3, call="lost", made_at=NOW,
        ))  # fmt: skip
    assert read_calls(engines["lea"], contracts["ben"]) == []


def test_the_lead_calls_anyones_and_sees_the_teams(engines, contracts) -> None:  # type: ignore[no-untyped-def]
    lea, ben = engines["lea"], engines["ben"]
    with Session(lea) as s:
        due = {d.customer_id for d in calls_due(s, TODAY)}
    assert {contracts["ana"], contracts["ben"]} <= due
    change = record_renewal_call(lea, contracts["ben"], "commit", "Lead's word", actor="Lea",
                                 now=NOW)  # fmt: skip
    try:
        (call,) = read_calls(ben, contracts["ben"])  # Ben sees the call on his customer
        assert call.made_by == "Lea"
        with Session(lea) as s:
            found = disagreements(s)
        assert [(d.customer_id, d.owner) for d in found] == [(contracts["ben"], BEN_BOOK)]
        assert (
            found[0]
            .words(found[0].owner)
            .startswith(
                f"{BEN_BOOK} called it Commit (about 95% to renew); the model gives 20% to renew"
            )
        )
        with Session(engines["ana"]) as s:
            assert disagreements(s) == []  # Ben's is not in Ana's book
    finally:
        undo_change(lea, change, actor="Lea")
    assert read_calls(lea, contracts["ben"]) == []
