"""A team feeds its shared workspace (services/team/security.py): a team lead and a second
admin (neither owns the tables) import, re-import, undo and import again, as their own
database users on a throwaway PostgreSQL; an account manager's import is refused in words.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, create_engine

from services.core.access import TeamRoleError, require_whole_workspace
from services.importing.service import run_import, undo_import
from services.team.security import add_user
from tests.support.databases import PostgresCluster
from tests.support.paths import DATA

SAMPLES = DATA / "samples"
ORDERS = SAMPLES / "generic" / "orders.csv"
CUSTOMERS = SAMPLES / "generic" / "customers.csv"
TABLES = ("customers", "orders", "import_runs")


@dataclass
class Team:
    cluster: PostgresCluster
    owner_url: str

    def open(self, user: str) -> Engine:
        database = self.owner_url.rsplit("/", 1)[1]
        return create_engine(self.cluster.server.url(database, user))


@pytest.fixture(scope="module")
def team(postgres_cluster: PostgresCluster) -> Iterator[Team]:
    url = postgres_cluster.new_database()
    owner = create_engine(url)
    try:
        add_user(owner, "feed_lea", "lead")
        add_user(owner, "feed_adele", "admin")
        add_user(owner, "feed_ana", "manager", owner_of="Ana Silva")
    finally:
        owner.dispose()
    yield Team(postgres_cluster, url)
    postgres_cluster.drop(url)


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t: int(conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar_one()) for t in TABLES
        }


@pytest.mark.postgresql
@pytest.mark.parametrize("user", ["feed_lea", "feed_adele"])
def test_a_lead_and_a_second_admin_import_undo_and_import_again(team: Team, user: str) -> None:
    engine = team.open(user)
    try:
        require_whole_workspace(engine, "importing")  # no error: theirs to do
        before = _counts(engine)
        first = run_import(engine, [ORDERS, CUSTOMERS])
        assert [f.error for f in first.files] == [None, None], first.lines()
        landed = _counts(engine)
        assert landed["customers"] > before["customers"]
        assert landed["orders"] > before["orders"]
        again = run_import(engine, [ORDERS, CUSTOMERS])
        assert [f.error for f in again.files] == [None, None], again.lines()
        assert all(f.inserted == 0 and f.updated == 0 for f in again.files), again.lines()
        for f in reversed(first.files):
            assert f.run_id is not None
            undo_import(engine, f.run_id)
        undone = _counts(engine)
        assert (undone["customers"], undone["orders"]) == (before["customers"], before["orders"])
        third = run_import(engine, [ORDERS, CUSTOMERS])  # the ids move on past the undone
        assert [f.error for f in third.files] == [None, None], third.lines()
        assert _counts(engine)["customers"] == landed["customers"]
        for f in reversed(third.files):
            assert f.run_id is not None
            undo_import(engine, f.run_id)
    finally:
        engine.dispose()


@pytest.mark.postgresql
def test_a_managers_import_is_refused_in_words_and_changes_nothing(team: Team) -> None:
    engine = team.open("feed_ana")
    try:
        with pytest.raises(TeamRoleError, match="team lead or an admin"):
            require_whole_workspace(engine, "importing")
        lead = team.open("feed_lea")
        try:
            before = _counts(lead)
            report = run_import(engine, [ORDERS])
            assert report.files[0].error is not None
            assert "unexpected failure" not in report.files[0].error
            assert _counts(lead) == before
        finally:
            lead.dispose()
    finally:
        engine.dispose()


@pytest.mark.postgresql
def test_a_lead_feeds_every_vendors_export_and_undoes_it_through_the_command_line(
    team: Team,
) -> None:
    """Every sample export (seven vendors, merges of one person across them included) as
    the team lead, through the command line: all land, each undoes newest first back to
    nothing, and they land again."""
    import io

    from app.cli.main import main

    files = sorted(str(p) for p in SAMPLES.rglob("*.csv"))
    assert len(files) >= 10
    url = team.cluster.server.url(team.owner_url.rsplit("/", 1)[1], "feed_lea")

    def run(*args: str) -> str:
        out, err = io.StringIO(), io.StringIO()
        code = main(["--db", url, *args], out=out, err=err)
        assert code == 0, err.getvalue()
        assert "unexpected failure" not in out.getvalue() + err.getvalue()
        return out.getvalue()

    engine = team.open("feed_lea")
    try:
        before = _counts(engine)
        with engine.connect() as conn:
            last = conn.exec_driver_sql("SELECT COALESCE(max(id), 0) FROM import_runs").scalar()
        run("import", *files)
        landed = _counts(engine)
        assert landed["customers"] > before["customers"]
        assert landed["orders"] > before["orders"]
        with engine.connect() as conn:
            runs = [
                int(r[0])
                for r in conn.exec_driver_sql(
                    f"SELECT id FROM import_runs WHERE id > {int(last or 0)} "
                    "AND status = 'landed' ORDER BY id DESC"
                )
            ]
        assert len(runs) >= len(files) - 1
        for run_id in runs:  # newest first: each undo is refused while a later one stands
            run("imports", "undo", str(run_id))
        after = _counts(engine)
        assert (after["customers"], after["orders"]) == (before["customers"], before["orders"])
        run("import", *files)
        assert _counts(engine)["orders"] == landed["orders"]
    finally:
        engine.dispose()
