"""Who may change the team filters in a shared workspace (PostgreSQL): the same people as
may change the workspace's settings and the segment rules. A team lead and an admin
share and delete them (audited); an account manager is refused by the database itself,
in plain words, through the service, the window's store and the command line, and sees
the reason before trying; everyone reads them, each over the customers they see."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli.main import main
from app.gui.customers_source import WorkspaceCustomerSource
from app.workspace import Workspace, open_workspace
from models.errors import UserFacingError
from models.schema import AuditEvent, Customer
from services.core.customer_filter import CustomerFilter
from services.demo.build import build_demo
from services.segment_policy.team_filters import (
    delete_filter,
    list_filters,
    members,
    save_filter,
)
from services.team.publish import publish
from services.team.security import add_user
from services.usecases.refresh import score_and_alert
from tests.support.postgres_server import PostgresServer, pg_bin, postgres_server

pytestmark = pytest.mark.postgresql

ANA_BOOK = "Maya Thompson"
EVERYONE = CustomerFilter(exclude_segments=frozenset({"No such segment"}))


@dataclass
class Team:
    server: PostgresServer
    admin_url: str

    def url(self, user: str) -> str:
        return self.server.url("team", user, f"{user}-secret")

    def open(self, user: str) -> Workspace:
        return open_workspace(self.url(user), backup=False)


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Team]:
    bin_dir = pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL's server binaries are not installed")
    file: Path = tmp_path_factory.mktemp("team-filters") / "book.radar.sqlite"
    ws = open_workspace(f"sqlite:///{file}")
    build_demo(ws.engine, customers=120, seed=11)
    score_and_alert(ws.engine)
    with postgres_server(bin_dir) as server:
        admin_url = server.createdb("team")
        assert not publish(ws.engine, admin_url).problems
        ws.close()
        admin = open_workspace(admin_url, backup=False).engine
        add_user(admin, "ana", "manager", owner_of=ANA_BOOK, password="ana-secret")
        add_user(admin, "lea", "lead", password="lea-secret")
        add_user(admin, "ida", "admin", password="ida-secret")
        admin.dispose()
        server.password_auth()
        yield Team(server, admin_url)


def _names(workspace: Workspace) -> list[str]:
    with workspace.sessions() as session:
        return [f.name for f in list_filters(session)]


def test_a_lead_and_an_admin_change_the_team_filters_and_a_manager_may_not(team: Team) -> None:
    lea, ana, ida = team.open("lea"), team.open("ana"), team.open("ida")
    try:
        assert WorkspaceCustomerSource(lea).team_refusal() == ""
        assert WorkspaceCustomerSource(ida).team_refusal() == ""
        assert "Only a team lead or an admin" in WorkspaceCustomerSource(ana).team_refusal()
        with lea.sessions() as session, session.begin():
            save_filter(session, "Everyone", EVERYONE, actor="Lea")
        with ida.sessions() as session, session.begin():
            save_filter(session, "Champions", CustomerFilter(segments=frozenset({"Champions"})))
        # The manager reads them; the database refuses her change, said in words.
        assert _names(ana) == ["Everyone", "Champions"]
        refused = pytest.raises(UserFacingError, match="for a team lead or an admin")
        with refused, ana.sessions() as session, session.begin():
            save_filter(session, "Mine", EVERYONE, actor="Ana")
        refused = pytest.raises(UserFacingError, match="for a team lead or an admin")
        with refused, ana.sessions() as session, session.begin():
            delete_filter(session, "Everyone", actor="Ana")
        with pytest.raises(UserFacingError, match="for a team lead or an admin"):
            WorkspaceCustomerSource(ana).share_view(_view("Mine"))
        out, err = io.StringIO(), io.StringIO()
        code = main(["--db", team.url("ana"), "customers", "filters", "save", "Mine"], out, err)
        assert code != 0
        assert "for a team lead or an admin" in err.getvalue()
        assert _names(lea) == ["Everyone", "Champions"]
        # Each reads the members among the customers they see: the manager, her book.
        with ana.sessions() as session:
            hers = members(session)["Everyone"].tolist()
            book = sorted(session.scalars(select(Customer.id)).all())
        with lea.sessions() as session:
            everyone = members(session)["Everyone"].tolist()
        assert hers == book
        assert 0 < len(hers) < len(everyone)
        # The admin deletes one; every change is audited, with who made it.
        with ida.sessions() as session, session.begin():
            delete_filter(session, "Everyone", actor="Ida")
        assert _names(ana) == ["Champions"]
        with lea.sessions() as session:
            actors = [
                e.actor
                for e in session.scalars(
                    select(AuditEvent).where(AuditEvent.action == "settings.changed")
                )
                if (e.details or {}).get("key") == "customers.team_filters"
            ]
        assert actors == ["Lea", "user", "Ida"]
    finally:
        for workspace in (lea, ana, ida):
            workspace.close()


def _view(name: str):  # type: ignore[no-untyped-def]
    from views.customers.saved_views import SavedView

    return SavedView(name, EVERYONE)
