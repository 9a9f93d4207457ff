"""`team` on a throwaway PostgreSQL server, as real processes: "ana is an admin" (not "a
admin"), and `team remove-user` run by a manager is a plain refusal that leaves the
person in the team (no "unexpected failure")."""

from __future__ import annotations

from pathlib import Path

from tests.cli.team.test_team import run, server  # noqa: F401  (the fixture)
from tests.support.paths import DATA
from tests.support.postgres_server import PostgresServer

TICKETS = DATA / "samples" / "zendesk" / "tickets.csv"


def test_roles_read_right_and_a_manager_cannot_take_people_out(
    server: PostgresServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    file = tmp_path / "desk.radar.sqlite"
    built = run("--db", str(file), "import", str(TICKETS), home=tmp_path)
    assert built.returncode == 0, built.stderr
    admin = server.createdb("team_wording")
    published = run("--db", str(file), "workspace", "publish", "--to", admin, home=tmp_path)
    assert published.returncode == 0, published.stderr

    ana = run("--db", admin, "team", "add-user", "ana", "--role", "admin", "--no-password",
              home=tmp_path)  # fmt: skip
    assert ana.returncode == 0, ana.stderr
    assert ana.stdout == "ana is an admin: sees every customer.\n"
    lea = run("--db", admin, "team", "add-user", "lea", "--role", "lead", "--no-password",
              home=tmp_path)  # fmt: skip
    assert lea.stdout == "lea is a lead: sees every customer.\n"
    maya = run("--db", admin, "team", "add-user", "maya", "--role", "manager", "--owner-of",
               "Maya T", "--password-stdin", home=tmp_path, stdin="maya-pw\n")  # fmt: skip
    assert maya.stdout == "maya is a manager: sees the customers owned by Maya T.\n"
    server.password_auth()

    maya_url = server.url("team_wording", "maya", "maya-pw")
    refused = run("--db", maya_url, "team", "remove-user", "lea", home=tmp_path)
    assert refused.returncode == 1
    assert refused.stdout == ""
    assert refused.stderr == (
        "error: Taking people out is for an admin of the shared workspace; your account is "
        "not one, so lea is still in the team. Ask an admin to run it.\n"
    )
    listed = run("--db", admin, "team", "list", home=tmp_path)
    assert listed.returncode == 0, listed.stderr
    lea_line = next(line for line in listed.stdout.splitlines() if line.startswith("lea "))
    assert lea_line.split()[1] == "lead"
    assert lea_line.endswith("yes")
