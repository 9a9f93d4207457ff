"""A link on a shared workspace: an account manager's own alert opens; another manager's
is not theirs to see (PostgreSQL's row-level security hides it), said as such."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.schema import Alert, Customer
from services.notify.links import Link, link_target, not_found_words
from tests.unit.team.test_team_security import ANA_BOOK, BEN_BOOK, Team
from tests.unit.team.test_team_security import team as team  # noqa: F401  (the fixture)


def _alert_of(team: Team, book: str) -> tuple[int, int]:
    engine = team.open("lea")  # the lead sees every book
    try:
        with Session(engine) as session:
            row = session.execute(
                select(Alert.id, Alert.customer_id)
                .join(Customer, Customer.id == Alert.customer_id)
                .where(Customer.owner == book)
                .limit(1)
            ).one()
        return int(row[0]), int(row[1])
    finally:
        engine.dispose()


def test_a_managers_link_opens_their_own_and_not_anothers(team: Team) -> None:  # noqa: F811
    mine, my_customer = _alert_of(team, ANA_BOOK)
    theirs, their_customer = _alert_of(team, BEN_BOOK)
    ana = team.open("ana")
    try:
        assert link_target(ana, Link("alert", mine)) == (mine, my_customer)
        assert link_target(ana, Link("customer", my_customer)) == (None, my_customer)
        assert link_target(ana, Link("alert", theirs)) is None
        assert link_target(ana, Link("customer", their_customer)) is None
    finally:
        ana.dispose()
    assert "not yours to see" in not_found_words(Link("alert", theirs))
