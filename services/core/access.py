"""Who may do what in a workspace: the cross-cutting permission check that importing,
scoring and raising alerts call before they change the whole team's workspace, and the
team role of the connected user (services/team/security.py sets the roles up)."""

from __future__ import annotations

import re

from sqlalchemy import Connection, Engine, text

from models.db import translate_db_errors
from models.errors import UserFacingError
from models.vocab import TEAM_ROLES


class TeamRoleError(UserFacingError):
    """The connected user's role does not allow this; the message says whom to ask."""


class OfflineCopyError(UserFacingError):
    """What only the shared workspace does (import, scoring, alerts) asked of an offline
    copy; the message says to sync back and do it there."""


def group_roles(database: str) -> dict[str, str]:
    """The three group roles of a workspace database, by team role."""
    base = re.sub(r"[^a-z0-9_]", "_", database.lower())[:40]
    return {role: f"{base}_radar_{role}" for role in TEAM_ROLES}


def _database(conn: Connection) -> str:
    return str(conn.exec_driver_sql("SELECT current_database()").scalar())


def _role_exists(conn: Connection, name: str) -> bool:
    found = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name})
    return found.first() is not None


def _is_superuser(conn: Connection, name: str) -> bool:
    row = conn.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = :n"), {"n": name})
    return bool(row.scalar())


def team_role(engine: Engine) -> str | None:
    """What the connected user may do in a shared workspace: "manager", "lead" or "admin";
    None where there is no team (a workspace file, or a database without its security
    set up), where the user may do everything the database lets them."""
    if engine.dialect.name != "postgresql":
        return None
    with translate_db_errors("The shared workspace"), engine.connect() as conn:
        groups = group_roles(_database(conn))
        if not _role_exists(conn, groups["admin"]):
            return None
        me = str(conn.exec_driver_sql("SELECT current_user").scalar())
        if _is_superuser(conn, me):
            return "admin"
        for role in ("admin", "lead", "manager"):
            member = conn.execute(
                text("SELECT pg_has_role(:me, :g, 'MEMBER')"), {"me": me, "g": groups[role]}
            ).scalar()
            if member:
                return role
        return "manager"  # in no group: the database gives them nothing beyond a book


def require_whole_workspace(engine: Engine, doing: str) -> None:
    """Refuse ``doing`` (an import, a scoring, a daily run) for a manager of a shared
    workspace: it changes every customer of the team, so it is for a lead or an admin.
    Refuse it in an offline copy too, whoever holds it: customer data flows from the
    server to the laptop only, and sync back would never carry it there."""
    from services.core.offline_origin import read_origin

    origin = read_origin(engine)
    if origin is not None:
        raise OfflineCopyError(
            f"This workspace is an offline copy of {origin.label}: customer data comes from "
            f"the shared workspace, so {doing} is not done here (the next sync back would "
            f"replace it). Sync back, then run it on the shared workspace, or ask your team "
            "lead."
        )
    if team_role(engine) == "manager":
        raise TeamRoleError(
            f"{doing[:1].upper()}{doing[1:]} works on the whole team's workspace, so it is "
            "for a team lead or an admin; your account is an account manager's. Ask your "
            "team lead, or run it on the server's nightly 'run-daily'."
        )
