"""The owner per segment on a shared workspace: the team lead's and the admin's scoring
and import (the roles that may do either) give customers without an owner their
segment's owner, as their own database users, under row-level security; each assignment
is audited with the database user who made it."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from app.workspace import open_workspace
from models.schema import AuditEvent, Customer
from services.demo.build import build_demo
from services.importing.run import run_import
from services.segment_policy.owners import RULE_ASSIGNED
from services.settings import set_setting
from services.team.publish import publish
from services.team.security import add_user
from services.usecases.refresh import score_and_alert
from tests.support.postgres_server import PostgresServer, pg_bin, postgres_server


@dataclass
class Team:
    server: PostgresServer

    def open(self, user: str) -> Engine:
        url = self.server.url("team", user, f"{user}-secret")
        return open_workspace(url, backup=False).engine


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Team]:
    bin_dir = pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL's server binaries are not installed")
    file = tmp_path_factory.mktemp("team") / "book.radar.sqlite"
    ws = open_workspace(f"sqlite:///{file}")
    build_demo(ws.engine, customers=120, seed=11)
    score_and_alert(ws.engine)
    with postgres_server(bin_dir) as server:
        admin_url = server.createdb("team")
        assert not publish(ws.engine, admin_url).problems
        ws.close()
        admin = open_workspace(admin_url, backup=False).engine
        add_user(admin, "lea", "lead", password="lea-secret")
        add_user(admin, "adam", "admin", password="adam-secret")
        admin.dispose()
        server.password_auth()
        yield Team(server)


def _tier_without_owner(engine: Engine, tier: str) -> list[int]:
    with Session(engine) as s, s.begin():
        s.execute(update(Customer).where(Customer.tier == tier).values(owner=None))
        s.execute(update(Customer).where(Customer.tier != tier).values(owner="Kept"))
        set_setting(
            s,
            "segments.rules",
            [{"kind": "tier", "name": tier, "values": {"alerts.unassigned_owner": "Dana"}}],
            actor="test",
        )
        return list(s.scalars(select(Customer.id).where(Customer.tier == tier)))


@pytest.mark.parametrize("user", ["lea", "adam"])
def test_a_scoring_by_the_lead_or_the_admin_gives_the_segments_owner(team: Team, user: str) -> None:
    engine = team.open(user)
    try:
        ids = _tier_without_owner(engine, "Gold")
        assert ids
        result = score_and_alert(engine)
        assert result.owners == len(ids)
        with Session(engine) as s:
            got = {int(i): o for i, o in s.execute(select(Customer.id, Customer.owner))}
            assert {got[i] for i in ids} == {"Dana"}
            assert {o for i, o in got.items() if i not in ids} == {"Kept"}
            events = s.execute(
                select(AuditEvent.entity_id, AuditEvent.db_user)
                .where(AuditEvent.action == RULE_ASSIGNED, AuditEvent.entity_id.in_(ids))
                .order_by(AuditEvent.id)
            ).all()
            assert {int(e[0]) for e in events} == set(ids)
            assert {e[1] for e in events[-len(ids) :]} == {user}
    finally:
        engine.dispose()


@pytest.mark.parametrize("user", ["lea", "adam"])
def test_an_import_by_the_lead_or_the_admin_gives_new_customers_the_owner(
    team: Team, user: str, tmp_path: Path
) -> None:
    engine = team.open(user)
    try:
        _tier_without_owner(engine, "Gold")
        path = tmp_path / "new.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            out = csv.writer(f)
            out.writerow(["customer_id", "email", "name", "tier"])
            out.writerow([f"new-{user}", f"{user}-new@x.test", f"New of {user}", "Gold"])
        (file,) = run_import(engine, [path], kind="customers").files
        assert file.landed, file.error
        assert "1 new customer given their segment's owner" in file.notes
        with Session(engine) as s:
            owner = s.scalar(select(Customer.owner).where(Customer.external_id == f"new-{user}"))
            assert owner == "Dana"
    finally:
        engine.dispose()
