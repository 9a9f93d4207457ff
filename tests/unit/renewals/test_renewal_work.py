"""My work's renewals follow "Mine" and "Everyone's" as its other lists do
(services/alerts/renewal_work.py), on the hand-made book of
tests/support/renewal_calls_book.py, on SQLite and on PostgreSQL. On Mar 1, 2026 five
renewals want a call: Maya's Gum and Birch (calls due) and Acme (her Commit against the
model's 31%), Leo's Delta and Cedar (calls due)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from app.workspace import open_workspace
from models.schema import Customer
from models.schema.renewals import Contract
from services.alerts.work import my_work
from tests.support.renewal_calls_book import fill_renewal_calls_book

NOW = dt.datetime(2026, 3, 1, 15, 0, tzinfo=dt.UTC)
TEAM = ["Gum", "Birch", "Delta", "Cedar", "Acme"]


@pytest.fixture
def book(workspace_url: str) -> Iterator[tuple[Engine, dict[str, int]]]:
    ws = open_workspace(workspace_url, backup=False)
    ids = fill_renewal_calls_book(ws.engine)
    yield ws.engine, ids
    ws.close()


def test_mine_lists_only_the_users_own_customers(book) -> None:  # type: ignore[no-untyped-def]
    engine, _ids = book
    # No owner name known (the user has not said who they are): nothing is theirs, and
    # the five waiting on the team's customers are counted, not listed as "Your call".
    nobody = my_work(engine, user="Sam", now=NOW)
    assert nobody.renewals == ()
    assert nobody.renewals_elsewhere == 5
    # An owner name with no book of its own: the same.
    sam = my_work(engine, user="Sam", owner="Sam Lee", now=NOW)
    assert (sam.renewals, sam.renewals_elsewhere) == ((), 5)
    # Maya (any case): her three, Leo's two left out.
    maya = my_work(engine, user="Maya", owner="maya", now=NOW)
    assert [r.customer for r in maya.renewals] == ["Gum", "Birch", "Acme"]
    assert maya.renewals_elsewhere == 2
    assert maya.renewals[0].what.startswith("Your call is due: 3 months before the renewal")


def test_everyones_says_whose_call_it_is(book) -> None:  # type: ignore[no-untyped-def]
    engine, ids = book
    team = my_work(engine, user="Maya", owner="Maya", everyone=True, now=NOW)
    assert [r.customer for r in team.renewals] == TEAM
    assert team.renewals_elsewhere == 0
    what = {r.customer: r.what for r in team.renewals}
    assert what["Gum"].startswith("Your call is due: 3 months")
    assert what["Delta"].startswith("Leo's call is due: 3 months")
    assert what["Cedar"].startswith("Leo's call is due: 3 months")
    assert what["Acme"].startswith(
        "You called it Commit (about 95% to renew); the model gives 31% to renew"
    )
    # Someone with no book, looking at everyone's: no line says "Your call".
    lead = my_work(engine, user="Lea", everyone=True, now=NOW)
    words = {r.customer: r.what for r in lead.renewals}
    assert list(words) == TEAM
    assert not any(w.startswith(("Your", "You ")) for w in words.values())
    assert words["Gum"].startswith("Maya's call is due")
    assert words["Acme"].startswith("Maya called it Commit")
    # A customer nobody owns says so.
    with Session(engine) as s, s.begin():
        s.execute(update(Customer).where(Customer.id == ids["D"]).values(owner=None))
        s.execute(update(Contract).where(Contract.customer_id == ids["D"]).values(owner=None))
    after = my_work(engine, user="Lea", everyone=True, now=NOW).renewals
    delta = next(r for r in after if r.customer == "Delta")
    assert delta.what.startswith("A call is due (no owner yet): 3 months")
