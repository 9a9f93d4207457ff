"""The renewals pipeline and the retention figures in a shared workspace on a throwaway
PostgreSQL server, read as each role through the command line: an account manager's
report covers exactly their own book (the lead's report narrowed to that owner, figure
for figure, and the contracts behind it are theirs alone), and the lead's covers the
whole team's."""

from __future__ import annotations

import io
import json
from typing import Any

from sqlalchemy import select

from app.cli.main import main
from models.schema import Customer
from models.schema.renewals import Contract
from tests.unit.team.test_team_security import ANA_BOOK, BEN_BOOK, Team
from tests.unit.team.test_team_security import team as team  # the module's own server

AS_OF = "2026-01-15"


def report(url: str, *argv: str) -> dict[str, Any]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--db", url, "report", *argv, "--format", "json"], out, err)
    assert code == 0, err.getvalue()
    loaded: dict[str, Any] = json.loads(out.getvalue())
    return loaded


def contract_owners(team: Team, user: str) -> dict[int, str]:
    engine = team.open(user)
    try:
        with engine.connect() as conn:
            joined = select(Contract.id, Customer.owner).join(
                Customer, Customer.id == Contract.customer_id
            )
            rows = conn.execute(joined).all()
        return {int(i): str(o) for i, o in rows}
    finally:
        engine.dispose()


def without_words(value: dict[str, Any]) -> dict[str, Any]:
    """The report's figures: its sentences name the owner filter and may differ."""
    return {k: v for k, v in value.items() if k not in {"headline", "model", "notes", "filters"}}


def test_a_manager_sees_their_books_renewals_and_the_lead_the_teams(team: Team) -> None:
    everyone = contract_owners(team, "lea")
    assert {ANA_BOOK, BEN_BOOK} <= set(everyone.values())  # both books hold contracts
    for user, book in (("ana", ANA_BOOK), ("ben", BEN_BOOK)):
        theirs = contract_owners(team, user)
        assert theirs
        assert set(theirs.values()) == {book}
        assert set(theirs) == {i for i, owner in everyone.items() if owner == book}
        mine = report(team.url(user), "renewals", "--as-of", AS_OF)
        narrowed = report(team.url("lea"), "renewals", "--as-of", AS_OF, "--owner", book)
        assert mine["months"]
        assert without_words(mine) == without_words(narrowed)
        shown = {i for month in mine["months"] for i in month["contract_ids"]}
        assert shown
        assert shown <= set(theirs)
    whole = report(team.url("lea"), "renewals", "--as-of", AS_OF)
    shown = {i for month in whole["months"] for i in month["contract_ids"]}
    assert {everyone[i] for i in shown} >= {ANA_BOOK, BEN_BOOK}


def test_a_managers_retention_is_their_books_row_of_the_leads(team: Team) -> None:
    lead = report(team.url("lea"), "retention")
    by_owner = {row["key"]: row for row in lead["by_owner"]}
    assert {ANA_BOOK, BEN_BOOK} <= set(by_owner)
    for user, book in (("ana", ANA_BOOK), ("ben", BEN_BOOK)):
        mine = report(team.url(user), "retention")
        assert [row["key"] for row in mine["by_owner"]] == [book]
        assert mine["by_owner"][0] == by_owner[book]
        assert by_owner[book]["at_start"] > 0  # a book with customers: the test means something
