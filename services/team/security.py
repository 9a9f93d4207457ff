"""Who sees what in a shared workspace, enforced by PostgreSQL itself.

Each person connects as their own database role. Three group roles per workspace
database, ``<database>_radar_manager``, ``_lead`` and ``_admin`` (NOLOGIN), carry the
grants; ``team_members`` maps each login role to its role and to the book it owns (the
``owner`` name its customers carry). Row-level security, enabled *and forced* (so the
tables' owner is held to it too), keys every policy on the connected database user:

- customers: a manager sees and changes only the customers whose owner is theirs; a
  lead or an admin sees every customer.
- every table hanging off a customer (orders, interactions, scores, alerts, actions,
  outreach…, read from the schema's foreign keys: models/ownership.py): the rows of the
  customers the user can see (the policy asks ``customers``, whose own policy then applies).
- what an import changed (import_changes) and team_members' writes: leads and admins.
- the audit: a manager sees their own events and those about what they can see.
- team_members: a manager reads their own row; the view ``team_names`` gives everyone
  the team's names and nothing else (roles and books are for leads and admins).
- services/team/guards.py: the hold-out groups and draw counters kept, and every UPDATE
  and DELETE of the team's records (customers, orders, tickets, alerts, outreach,
  settings...) audited by the database itself.

The person is ``current_user``, which a client cannot set to anyone it is not; only
while the Ask view has dropped to its reader role (services/ask/readonly.py, SET LOCAL
ROLE) is the person the login that took it on (``session_user``). Nothing is keyed on a
setting or a variable the client controls.

Grants: every group reads every table; a manager may act on their book (alerts, tasks,
calls, notes, outreach, do-not-contact) and nothing else: imports, scoring and settings
are for leads and admins (with UPDATE on the id sequences: an import moves them on),
who read and write rows of every table but never change a table (no TRIGGER, TRUNCATE,
REFERENCES) or the schema's version. The audit and the sync
receipts are written once; a trigger fills their ``db_user`` with the database user who
wrote them, whatever the client sent.

``enable_team_security`` is idempotent (run by ``workspace publish`` and by every
``team add-user``); ``add_user`` creates or updates one person. ``team_role`` tells the
app what the connected user may do, for its menus and messages; the database enforces it
whatever the app does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from models.db import translate_db_errors
from models.errors import WorkspaceError
from models.ownership import customer_keys
from models.vocab import APP_SOURCE, TEAM_ROLES
from services.core.access import (  # the check itself lives with the other basics
    TeamRoleError,
    _database,
    _is_superuser,
    _role_exists,
    group_roles,
    team_role,
)
from services.team.guards import guard_sql

READER_ROLE = "account_radar_ask_reader"  # services/ask/readonly.py's role

# Tables whose rows belong to a customer, with the column that names the customer: read
# from the schema (models/ownership.py), so a new one is under row-level security at once.
CUSTOMER_KEYS = customer_keys()
CUSTOMER_TABLES = tuple(CUSTOMER_KEYS)
# What a manager's actions write (the rest of their grants is SELECT): a call or note is
# an interaction too, a change to customers or interactions marks the rollups stale (a
# setting), escalations and draft batches come with actions and Draft for all.
MANAGER_WRITES = {
    "alerts": "SELECT",  # and UPDATE of MANAGER_ALERT_COLUMNS
    "actions": "SELECT, INSERT, UPDATE, DELETE",
    "interactions": "SELECT, INSERT, DELETE",  # the app's own only (a policy below)
    "outreach": "SELECT, INSERT, UPDATE",
    "escalations": "SELECT, INSERT",
    "draft_batches": "SELECT, INSERT, UPDATE",
    "batch_drafts": "SELECT, INSERT, UPDATE, DELETE",
    "audit_events": "SELECT, INSERT",
    "sync_receipts": "SELECT, INSERT",
    "settings": "SELECT, INSERT, UPDATE, DELETE",  # rows limited by the settings policy
    "playbook_runs": "SELECT, INSERT, UPDATE, DELETE",  # a playbook started, stopped, undone
    "playbook_steps": "SELECT, INSERT, UPDATE, DELETE",
    "renewal_calls": "SELECT, INSERT, DELETE",  # the owner's call, and its undo
    "contacts": "SELECT, INSERT, UPDATE",  # a person the user adds, a role they set
    "contact_changes": "SELECT, INSERT",  # the role they set, dated
    "crm_exports": "SELECT, INSERT",  # the activities they export for the CRM
}
# The tables a manager only reads (customers: but for MANAGER_CUSTOMER_COLUMNS). Every table
# of the schema is in MANAGER_WRITES or here (tests/unit/team/test_team_tables.py), so a new
# one is placed on purpose.
MANAGER_READS_ONLY = (
    "alert_rules",
    "contracts",
    "customer_identities",
    "customer_rollups",
    "customers",
    "demo_truths",
    "experiment_assignments",
    "experiments",
    "import_changes",
    "import_runs",
    "mapping_profiles",
    "opportunities",
    "orders",
    "renewal_forecasts",
    "score_snapshots",
    "scoring_runs",
    "subscriptions",
    "team_members",
    "usage_days",
)
# Customer columns a manager may change on their own customers.
MANAGER_CUSTOMER_COLUMNS = (
    "do_not_contact",
    "quiet_override_at",
    "tracking_opted_out_at",
    "updated_at",
)
# Alert columns their actions change (start, snooze, resolve, dismiss, reopen, raise a
# held-back one and its draw, contacting a held-out customer anyway); what scoring decided
# (rule, severity, reason, drivers, priority, owner, snapshot) is not theirs to change.
MANAGER_ALERT_COLUMNS = (
    "status",
    "outcome",
    "resolved_at",
    "snoozed_until",
    "snooze_until_clear",
    "updated_at",
    "version",
    "holdout",
    "holdout_band",
    "holdout_contacted_at",
    "holdout_contact_reason",
)
# A manager adds or removes (undo) only the interactions the app writes (APP_SOURCE: calls,
# notes, emails logged); what an import brought is the team's record.
# Settings a manager's actions write: the rollups' stale flag, the remote LLM review, the
# hold-out draw counters (raising a held-back alert draws its group).
MANAGER_SETTINGS = ("rollups.stale", "llm.reviewed_remote", "learn.holdout_draws")


@dataclass(frozen=True)
class Member:
    db_role: str
    role: str
    owner_name: str | None
    can_log_in: bool


def _identifier(name: str, what: str = "A database user name") -> str:
    """``name`` double-quoted for SQL, after checking it is a plain role name."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.\-]{0,62}", name or ""):
        raise WorkspaceError(
            f"{what} must start with a letter and hold only letters, digits, '_', '.' or "
            f"'-' (at most 63): '{name}' does not."
        )
    return '"' + name.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _require_postgres(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        raise WorkspaceError(
            "People and their books are for a shared workspace on PostgreSQL; this "
            "workspace is a file of your own. Share it first with 'workspace publish'."
        )


def _security_sql(groups: dict[str, str], tables: list[str]) -> list[str]:
    """The statements that set grants, functions, the trigger and the policies."""
    manager, lead, admin = (_identifier(groups[r]) for r in TEAM_ROLES)
    everyone = f"{manager}, {lead}, {admin}"
    person = (
        f"CASE WHEN current_user = {_literal(READER_ROLE)} THEN session_user ELSE current_user END"
    )
    # The functions the policies call: invoker's rights, and a fixed search path with
    # every name qualified, so no one can slip a function or an operator of their own in
    # front of PostgreSQL's (a schema earlier on their search path).
    fixed = "SET search_path = pg_catalog, pg_temp"
    sql = [
        # The names of the team, for everyone: a manager's own row of team_members is all
        # they read of it (a policy below); the view runs with its owner's rights.
        "CREATE OR REPLACE VIEW public.team_names AS "
        "SELECT DISTINCT db_role AS name FROM public.team_members",
        # Who the person is, and whether they see the whole team's book. STABLE and
        # invoker's rights: current_user inside is the caller.
        f"CREATE OR REPLACE FUNCTION public.radar_person() RETURNS pg_catalog.name "
        f"LANGUAGE sql STABLE {fixed} AS $$ SELECT ({person})::pg_catalog.name $$",
        f"CREATE OR REPLACE FUNCTION public.radar_sees_all() RETURNS boolean LANGUAGE sql "
        f"STABLE {fixed} AS $$ SELECT "
        f"pg_catalog.pg_has_role(public.radar_person(), {_literal(groups['lead'])}, 'MEMBER') "
        f"OR pg_catalog.pg_has_role(public.radar_person(), {_literal(groups['admin'])}, "
        "'MEMBER') $$",
        "CREATE OR REPLACE FUNCTION public.radar_stamp_db_user() RETURNS trigger "
        f"LANGUAGE plpgsql {fixed} AS $$ BEGIN NEW.db_user := public.radar_person(); "
        "RETURN NEW; END $$",
        # Nobody but the owner creates anything in the workspace's schema (PostgreSQL 15's
        # default; older servers let everyone).
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {everyone}",
        f"GRANT USAGE ON SCHEMA public TO {everyone}",
        f"GRANT EXECUTE ON FUNCTION public.radar_person(), public.radar_sees_all() TO {everyone}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {everyone}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {everyone}",
        # An import keeps each id sequence ahead of the ids it gave (setval), which needs
        # UPDATE on the sequence: imports and their undo are for leads and admins.
        f"GRANT UPDATE ON ALL SEQUENCES IN SCHEMA public TO {lead}, {admin}",
        # Leads and admins change rows, never the tables themselves: no TRIGGER (a trigger
        # runs as whoever writes next, an admin adding people, say), TRUNCATE (it skips
        # the policies and the triggers) or REFERENCES.
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {lead}, {admin}",
        f"REVOKE INSERT, UPDATE, DELETE ON team_members FROM {lead}",
        # (DISTINCT makes the view read-only; no write through it to team_members either.)
        f"REVOKE INSERT, UPDATE, DELETE ON team_names FROM {lead}, {admin}",
        # The audit and the sync receipts are written once and never changed, by anyone.
        f"REVOKE UPDATE, DELETE ON audit_events FROM {lead}, {admin}",
        f"REVOKE UPDATE, DELETE ON sync_receipts FROM {lead}, {admin}",
        # The schema's version is the owner's (a lead resetting it would lock everyone out).
        f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {lead}, {admin}",
        f"GRANT UPDATE ({', '.join(MANAGER_CUSTOMER_COLUMNS)}) ON customers TO {manager}",
        f"GRANT UPDATE ({', '.join(MANAGER_ALERT_COLUMNS)}) ON alerts TO {manager}",
    ]
    for table in ("audit_events", "sync_receipts"):
        if table in tables:
            sql += [
                f"DROP TRIGGER IF EXISTS {table}_db_user ON {table}",
                f"CREATE TRIGGER {table}_db_user BEFORE INSERT ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION public.radar_stamp_db_user()",
            ]
    for table, rights in MANAGER_WRITES.items():
        sql.append(f"GRANT {rights} ON {table} TO {manager}")
    sees_all = "(SELECT radar_sees_all())"
    mine = "owner IN (SELECT owner_name FROM team_members WHERE db_role = (SELECT radar_person()))"

    # "Its customer is one I see" as a correlated EXISTS, not IN (SELECT ...): under an OR
    # PostgreSQL can only hash an IN list, and when the list outgrows work_mem (a large
    # book, a long alert history) it scans the whole table again for every row; an EXISTS
    # can look each row up by its key instead (an audit trail read 7x slower, measured).
    def seen(table: str, column: str, key: str) -> str:
        return f"EXISTS (SELECT 1 FROM {table} seen WHERE seen.id = {key}.{column})"

    policies = {
        "customers": f"{sees_all} OR {mine}",
        "import_changes": sees_all,
        # An import's report quotes the rows it refused (names, emails): the team's data.
        "import_runs": sees_all,
        # Every person's role and book is the team's business: a manager reads their own
        # membership (and the names in team_names), a lead or an admin everyone's.
        "team_members": "db_role = (SELECT radar_person())",
        "sync_receipts": f"{sees_all} OR db_user = (SELECT radar_person())",
        "audit_events": (
            f"{sees_all} OR db_user = (SELECT radar_person()) "
            f"OR (entity_type = 'alert' AND {seen('alerts', 'entity_id', 'audit_events')}) "
            f"OR (entity_type = 'customer' AND {seen('customers', 'entity_id', 'audit_events')})"
        ),
    }
    for table, column in CUSTOMER_KEYS.items():
        policies[table] = f"{sees_all} OR {seen('customers', column, table)}"
    # A playbook's steps are seen with its run (whose customer is one I see).
    steps_seen = seen("playbook_runs", "run_id", "playbook_steps")
    policies["playbook_steps"] = f"{sees_all} OR {steps_seen}"
    # Two policies per table, each for the roles it concerns (PostgreSQL applies only the
    # policies of the current user's roles): a lead or an admin sees every row with no
    # condition to check (scoring the workspace reads and writes millions of rows); a
    # manager, and Ask's reader role (whoever runs the question), the condition above.
    book_roles = f"{manager}, {_identifier(READER_ROLE)}"
    for table, using in policies.items():
        if table not in tables:
            continue
        sql += [
            f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
            f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
            f"DROP POLICY IF EXISTS radar_book ON {table}",
            f"DROP POLICY IF EXISTS radar_all ON {table}",
            f"CREATE POLICY radar_all ON {table} TO {lead}, {admin} USING (true) WITH CHECK (true)",
            f"CREATE POLICY radar_book ON {table} TO {book_roles} USING ({using}) "
            f"WITH CHECK ({using})",
        ]
    # A manager adds and removes only the app's own interactions (restrictive: on top of
    # the book's policy).
    if "interactions" in tables:
        # (An admin is also in the manager group, through the admin option: the policy
        # lets anyone who sees it all through, for imports and their undo.)
        app_made = f"(SELECT radar_sees_all()) OR source = {_literal(APP_SOURCE)}"
        sql += [
            "DROP POLICY IF EXISTS radar_app_added ON interactions",
            "DROP POLICY IF EXISTS radar_app_removed ON interactions",
            f"CREATE POLICY radar_app_added ON interactions AS RESTRICTIVE FOR INSERT "
            f"TO {manager} WITH CHECK ({app_made})",
            f"CREATE POLICY radar_app_removed ON interactions AS RESTRICTIVE FOR DELETE "
            f"TO {manager} USING ({app_made})",
        ]
    # Settings: everyone reads them; a manager writes only what their actions need.
    allowed = ", ".join(_literal(k) for k in MANAGER_SETTINGS)
    sql += [
        "ALTER TABLE settings ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE settings FORCE ROW LEVEL SECURITY",
        "DROP POLICY IF EXISTS radar_read ON settings",
        "DROP POLICY IF EXISTS radar_write ON settings",
        "CREATE POLICY radar_read ON settings FOR SELECT USING (true)",
        f"CREATE POLICY radar_write ON settings FOR ALL USING ({sees_all} OR key IN "
        f"({allowed})) WITH CHECK ({sees_all} OR key IN ({allowed}))",
    ]
    # The hold-out groups and draw counters kept, and every change to the team's records
    # audited by the database itself (services/team/guards.py).
    return sql + guard_sql(tables, everyone)


def enable_team_security(engine: Engine) -> dict[str, str]:
    """Create the group roles, grants, policies and the audit trigger (idempotent); the
    user running it joins the admin group (they own the tables, and forced row-level
    security holds owners to the policies too). Returns the group roles by team role."""
    _require_postgres(engine)
    with translate_db_errors("The shared workspace"), engine.begin() as conn:
        return _enable(conn)


def reapply_team_security(engine: Engine) -> None:
    """After a schema upgrade of a shared workspace, by its owner: the grants, triggers and
    policies again, covering what the new schema added."""
    with translate_db_errors("The shared workspace"), engine.begin() as conn:
        if _owns_workspace(conn):
            _enable(conn)


def enable_team_security_in(session: Session) -> dict[str, str]:
    """enable_team_security in the caller's transaction (publish's)."""
    return _enable(session.connection())


def _enable(conn: Connection) -> dict[str, str]:
    groups = group_roles(_database(conn))
    try:
        for name in [*groups.values(), READER_ROLE]:
            if not _role_exists(conn, name):
                conn.exec_driver_sql(f"CREATE ROLE {_identifier(name)} NOLOGIN")
        for name in groups.values():
            conn.exec_driver_sql(f"GRANT {_identifier(READER_ROLE)} TO {_identifier(name)}")
        conn.exec_driver_sql(
            f"GRANT CONNECT ON DATABASE {_identifier(_database(conn))} TO "
            + ", ".join(_identifier(g) for g in groups.values())
        )
        tables = [
            str(r[0])
            for r in conn.exec_driver_sql(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            )
        ]
        if "customers" not in tables or "team_members" not in tables:
            raise WorkspaceError(
                "This database is not an Account Radar workspace (or one older than this "
                "app): publish a workspace to it, or run 'db upgrade' on it first."
            )
        for statement in _security_sql(groups, tables):
            conn.exec_driver_sql(statement)
        me = str(conn.exec_driver_sql("SELECT current_user").scalar())
        if not _is_superuser(conn, me):
            conn.exec_driver_sql(
                f"GRANT {_identifier(groups['admin'])} TO {_identifier(me)} WITH ADMIN OPTION"
            )
        conn.execute(
            text(
                "INSERT INTO team_members (db_role, role, owner_name, created_at) "
                "VALUES (:r, 'admin', NULL, now()) ON CONFLICT (db_role) DO NOTHING"
            ),
            {"r": me},
        )
    except DBAPIError as exc:  # say what the user running it lacks
        if _denied(exc):
            raise TeamRoleError(
                "Setting up who sees what needs the database's owner or an admin with the "
                f"right to create roles; this account could not ({_first_line(exc)})."
            ) from exc
        raise
    return groups


def _denied(exc: DBAPIError) -> bool:
    """PostgreSQL's "insufficient privilege" (SQLSTATE 42501)."""
    return getattr(exc.orig, "sqlstate", None) == "42501"


def _first_line(exc: BaseException) -> str:
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]


def _owns_workspace(conn: Connection) -> bool:
    """Whether the connected user may change the workspace's tables: a superuser, or a
    member of the role that owns ``customers`` (the one who published it)."""
    row = conn.exec_driver_sql(
        "SELECT r.rolsuper OR pg_catalog.pg_has_role(current_user, t.tableowner, 'USAGE') "
        "FROM pg_catalog.pg_tables t, pg_catalog.pg_roles r "
        "WHERE t.schemaname = 'public' AND t.tablename = 'customers' "
        "AND r.rolname = current_user"
    ).first()
    return bool(row and row[0])


def add_user(
    engine: Engine,
    name: str,
    role: str,
    *,
    owner_of: str | None = None,
    password: str | None = None,
) -> Member:
    """Create (or update) one person: their login role, its group, whose book is theirs.

    A manager's book is the customers whose owner is ``owner_of`` (their own name when not
    given). Run by an admin; the security is set up (or brought up to date) first."""
    _require_postgres(engine)
    if role not in TEAM_ROLES:
        raise WorkspaceError(f"The role is one of {', '.join(TEAM_ROLES)}; not '{role}'.")
    quoted = _identifier(name)
    owner = (owner_of or "").strip() or (name if role == "manager" else None)
    if team_role(engine) not in (None, "admin"):
        raise TeamRoleError(
            "Adding people is for an admin of the shared workspace; your account is not "
            "one. Ask an admin (the person who published the workspace is the first)."
        )
    with translate_db_errors("The shared workspace"), engine.begin() as conn:
        # The tables' owner (or a superuser) brings the security up to date first; another
        # admin may not change the tables and finds it set up already.
        groups = _enable(conn) if _owns_workspace(conn) else group_roles(_database(conn))
        try:
            if _role_exists(conn, name):
                if _is_superuser(conn, name):
                    raise WorkspaceError(
                        f"'{name}' is a superuser; give people roles of their own."
                    )
                conn.exec_driver_sql(f"ALTER ROLE {quoted} LOGIN")
            else:
                conn.exec_driver_sql(f"CREATE ROLE {quoted} LOGIN")
            if password:
                # A literal, not a bind parameter: PostgreSQL takes none in utility statements.
                conn.exec_driver_sql(
                    f"ALTER ROLE {quoted} PASSWORD {_literal(password)}".replace("%", "%%")
                )
            # Every group revoked first: a former admin's admin option on a group goes too.
            for group in groups.values():
                conn.exec_driver_sql(f"REVOKE {_identifier(group)} FROM {quoted}")
            conn.exec_driver_sql(f"GRANT {_identifier(groups[role])} TO {quoted}")
            if role == "admin":
                conn.exec_driver_sql(f"ALTER ROLE {quoted} CREATEROLE")
                for group in groups.values():
                    conn.exec_driver_sql(
                        f"GRANT {_identifier(group)} TO {quoted} WITH ADMIN OPTION"
                    )
            else:  # an admin made a manager or a lead keeps no right to grant roles
                conn.exec_driver_sql(f"ALTER ROLE {quoted} NOCREATEROLE")
        except DBAPIError as exc:
            if _denied(exc):
                raise TeamRoleError(
                    "Adding people needs an admin of the shared workspace (or the database's "
                    f"owner); this account may not ({_first_line(exc)})."
                ) from exc
            raise
        conn.execute(
            text(
                "INSERT INTO team_members (db_role, role, owner_name, created_at) "
                "VALUES (:r, :role, :owner, now()) ON CONFLICT (db_role) "
                "DO UPDATE SET role = :role, owner_name = :owner"
            ),
            {"r": name, "role": role, "owner": owner},
        )
    return Member(name, role, owner, True)


def remove_user(engine: Engine, name: str) -> None:
    """Take a person out of the team: their login is disabled and their groups revoked
    (the role stays, so the audit's names keep meaning someone)."""
    _require_postgres(engine)
    if team_role(engine) not in (None, "admin"):
        raise TeamRoleError(
            "Taking people out is for an admin of the shared workspace; your account is not "
            f"one, so {name} is still in the team. Ask an admin to run it."
        )
    quoted = _identifier(name)
    with translate_db_errors("The shared workspace"), engine.begin() as conn:
        groups = group_roles(_database(conn))
        if not _role_exists(conn, name):
            raise WorkspaceError(f"There is no database user '{name}'.")
        for group in groups.values():
            conn.exec_driver_sql(f"REVOKE {_identifier(group)} FROM {quoted}")
        conn.exec_driver_sql(f"ALTER ROLE {quoted} NOLOGIN NOCREATEROLE")
        conn.execute(text("DELETE FROM team_members WHERE db_role = :r"), {"r": name})


def list_members(engine: Engine) -> list[Member]:
    """The people of the shared workspace, by database user."""
    _require_postgres(engine)
    with translate_db_errors("The shared workspace"), engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT m.db_role, m.role, m.owner_name, COALESCE(r.rolcanlogin, false) "
                "FROM team_members m LEFT JOIN pg_roles r ON r.rolname = m.db_role "
                "ORDER BY m.role, m.db_role"
            )
        )
        return [Member(str(a), str(b), c, bool(d)) for a, b, c, d in rows]
