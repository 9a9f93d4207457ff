"""Who may assign whom in a shared workspace (services/alerts/assign.py), as each role on
a throwaway PostgreSQL server: an account manager may not hand a customer over (the
database would refuse it too); a team lead and an admin may, to a member's book only;
the customer then leaves one manager's book for the other's, and undo gives it back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError

from models.schema import Customer
from services.alerts.assign import assign_customer, teammates
from services.alerts.undo import undo_change
from services.alerts.work import my_work
from services.core.access import TeamRoleError
from tests.unit.team.test_team_security import ANA_BOOK, BEN_BOOK, Team
from tests.unit.team.test_team_security import team as team  # the module's own server


def _customer_of(engine, book: str) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return int(conn.scalar(select(Customer.id).where(Customer.owner == book).limit(1)))


def _owners(engine) -> set[str]:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return {r[0] for r in conn.execute(select(Customer.owner).distinct())}


@pytest.fixture
def engines(team: Team) -> Iterator[dict[str, object]]:
    opened = {user: team.open(user) for user in ("ana", "ben", "lea")}
    yield opened
    for engine in opened.values():
        engine.dispose()  # type: ignore[attr-defined]


def test_a_manager_may_not_hand_a_customer_over(engines) -> None:  # type: ignore[no-untyped-def]
    ana = engines["ana"]
    mine = _customer_of(ana, ANA_BOOK)
    with pytest.raises(TeamRoleError, match="team lead or an admin"):
        assign_customer(ana, mine, BEN_BOOK, actor="ana")
    # Nor behind the app's back: the database refuses the owner column to a manager.
    with pytest.raises(DBAPIError), ana.begin() as conn:
        conn.execute(update(Customer).where(Customer.id == mine).values(owner=BEN_BOOK))
    assert _customer_of(ana, ANA_BOOK) == mine


def test_a_lead_hands_a_customer_to_a_members_book_and_undoes_it(engines) -> None:  # type: ignore[no-untyped-def]
    ana, ben, lea = engines["ana"], engines["ben"], engines["lea"]
    assert {ANA_BOOK, BEN_BOOK} <= set(teammates(lea))
    customer = _customer_of(lea, ANA_BOOK)
    with pytest.raises(TeamRoleError, match="no book"):
        assign_customer(lea, customer, "Nobody Here", actor="lea")
    change = assign_customer(lea, customer, BEN_BOOK, actor="Lea Brandt")
    try:
        # It left Ana's book for Ben's: he sees it, and it waits in his My work.
        with ana.connect() as conn:
            gone = conn.scalar(select(Customer.id).where(Customer.id == customer))
        assert gone is None
        with ben.connect() as conn:
            seen = conn.scalar(select(Customer.owner).where(Customer.id == customer))
        assert seen == BEN_BOOK
        notices = my_work(ben, user="ben", owner=BEN_BOOK).notices
        assert [(n.customer_id, n.what) for n in notices] == [
            (customer, "Assigned to you by Lea Brandt")
        ]
    finally:
        undo_change(lea, change, actor="Lea Brandt")
    with ana.connect() as conn:
        back = conn.scalar(select(Customer.owner).where(Customer.id == customer))
    assert back == ANA_BOOK
    assert _owners(ana) == {ANA_BOOK}
