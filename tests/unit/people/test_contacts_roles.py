"""An account's people in a shared workspace on a throwaway PostgreSQL server, as each
role: the lead adds people to accounts of both books; an account manager sees only the
people of her own accounts, sets a role on one of hers, and can neither see, change nor
add to another manager's; each change is audited under her name."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select, text

from models.schema import Customer
from services.people.contacts import ContactError, add_contact, read_people, set_role
from tests.unit.team.test_team_security import ANA_BOOK, BEN_BOOK, Team
from tests.unit.team.test_team_security import team as team  # the module's own server


def first_customer(engine: Engine, owner: str) -> int:
    with engine.connect() as conn:
        found = conn.execute(
            select(Customer.id).where(Customer.owner == owner).order_by(Customer.id).limit(1)
        ).scalar_one()
    return int(found)


def visible_contacts(engine: Engine) -> set[int]:
    with engine.connect() as conn:
        return {int(c) for c in conn.execute(text("SELECT customer_id FROM contacts")).scalars()}


def test_a_manager_sees_and_changes_only_the_people_of_her_accounts(team: Team) -> None:
    lead = team.open("lea")
    try:
        ana_customer, ben_customer = first_customer(lead, ANA_BOOK), first_customer(lead, BEN_BOOK)
        ana_person = add_contact(lead, ana_customer, name="Ines Park", email="ines@a.example",
                                 role="user", actor="lea")  # fmt: skip
        ben_person = add_contact(lead, ben_customer, name="Otto Berg", email="otto@b.example",
                                 role="champion", actor="lea")  # fmt: skip
        assert visible_contacts(lead) >= {ana_customer, ben_customer}
    finally:
        lead.dispose()
    ana = team.open("ana")
    try:
        # Her book's people only: the other manager's account shows no one.
        assert ben_customer not in visible_contacts(ana)
        assert ana_customer in visible_contacts(ana)
        assert read_people(ana, ben_customer) == []
        assert [p.name for p in read_people(ana, ana_customer)] == ["Ines Park"]
        assert set_role(ana, ana_person, "champion", "ana") == "user"  # the role before
        with pytest.raises(ContactError, match="There is no contact"):
            set_role(ana, ben_person, "other", "ana")
        with pytest.raises(ContactError, match="There is no customer"):
            add_contact(ana, ben_customer, name="Sneaky", email="s@b.example", actor="ana")
    finally:
        ana.dispose()
    lead = team.open("lea")
    try:
        (ines,) = [p for p in read_people(lead, ana_customer) if p.name == "Ines Park"]
        assert (ines.role, ines.role_set_by_user) == ("champion", True)
        (otto,) = [p for p in read_people(lead, ben_customer) if p.name == "Otto Berg"]
        assert otto.role == "champion"  # untouched by the other book's manager
        with lead.connect() as conn:
            audited = (
                conn.execute(
                    text(
                        "SELECT actor FROM audit_events WHERE action = 'contact.role_set' "
                        "AND entity_id = :c"
                    ),
                    {"c": ana_person},
                )
                .scalars()
                .all()
            )
        assert "ana" in audited
    finally:
        lead.dispose()
