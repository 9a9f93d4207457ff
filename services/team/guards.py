"""What the database itself keeps of the experiment and the record, whoever connects:
the statements services/team/security.py runs with the grants and policies.

A member's own login (psql, say) can do whatever their grants allow, not only what the
app's buttons do. So on a shared workspace PostgreSQL itself:

- refuses changing an alert's hold-out group once drawn (``holdout``, ``holdout_band``):
  Learn compares the contacted against the held-out, and a customer moved out of the
  group afterwards would bias it. The app draws a group once, when an alert is raised,
  and never redraws it, so this refuses nothing the app does;
- refuses an account manager lowering or removing the hold-out draw counters (the
  setting ``learn.holdout_draws``): raising a held-back alert counts up, nothing else
  of a manager's changes them (a lead or an admin may, and is audited);
- audits every UPDATE and DELETE of the team's records (``AUDITED``: customers, their
  orders, tickets, deals, subscriptions, identities and product-usage days, alerts and
  their experiment assignments, actions, outreach, escalations, draft batches, imports,
  mapping profiles, settings, the team) in
  ``audit_events`` (action ``db.update`` / ``db.delete``, entity type ``db.<table>``):
  the login that
  connected (``actor``: ``session_user``, which a client cannot set), the database user
  (``db_user``, stamped by the audit's own trigger), when, the row's key, and the columns
  that changed before and after (a delete: the whole row before). The app's own events
  (``alert.resolved``...) stay as they are; these are the database's record beside them,
  under their own entity type so no alert's history shows them twice.

The audit triggers are statement-level with transition tables: one INSERT ... SELECT per
statement, however many rows it changed (scoring refreshes thousands of alerts at once).
What is derived and rebuilt from the records (the per-customer totals, the scoring runs
and their snapshots) and the import's own undo journal are not audited: a change there is
put right by the next refresh, scoring or import. An INSERT adds a row that shows itself
(with its import or its author); nothing of what was there is lost by it.
"""

from __future__ import annotations

from models.ownership import customer_keys, row_key

# The tables of a customer's rows that are not audited: derived, rebuilt by the next
# refresh or scoring. Every other table of a customer's rows is (models/ownership.py).
NOT_AUDITED = ("customer_rollups", "score_snapshots", "renewal_forecasts")
# The team's records that are not a customer's rows, audited too.
AUDITED_RECORDS = (
    "customers",
    "alert_rules",
    "playbook_steps",
    "draft_batches",
    "import_runs",
    "mapping_profiles",
    "settings",
    "team_members",
)
# Tables whose every UPDATE and DELETE the database audits, with the column that keys a row.
AUDITED = {
    table: row_key(table)
    for table in (*(t for t in customer_keys() if t not in NOT_AUDITED), *AUDITED_RECORDS)
}
DRAWS_SETTING = "learn.holdout_draws"  # services/alerts/holdout.py's counters
AUDIT_UPDATE = "db.update"
AUDIT_DELETE = "db.delete"
# The functions below (the test of search paths lists every radar_ function).
FUNCTIONS = ("radar_audit_update", "radar_audit_delete", "radar_keep_holdout", "radar_keep_draws")

_FIXED = "SET search_path = pg_catalog, pg_temp"
_NOW = "pg_catalog.timezone('UTC', pg_catalog.now())"  # naive UTC, as the app stores it
_KEY = "CASE WHEN pg_catalog.jsonb_typeof(k) = 'number' THEN (k #>> '{}')::bigint END"


def _functions() -> list[str]:
    update = (
        "CREATE OR REPLACE FUNCTION public.radar_audit_update() RETURNS trigger "
        f"LANGUAGE plpgsql {_FIXED} AS $$ BEGIN "
        "INSERT INTO public.audit_events (occurred_at, actor, action, entity_type, entity_id, "
        f"details) SELECT {_NOW}, session_user, '{AUDIT_UPDATE}', 'db.' || TG_TABLE_NAME, "
        f"{_KEY}, pg_catalog.jsonb_build_object('table', TG_TABLE_NAME, 'key', k, "
        "'before', before, 'after', after) FROM ("
        # Only the columns that changed, on each side.
        "SELECT p.b -> TG_ARGV[0] AS k, "
        "(SELECT pg_catalog.jsonb_object_agg(e.key, e.value) FROM pg_catalog.jsonb_each(p.b) e "
        "WHERE (p.a -> e.key) IS DISTINCT FROM e.value) AS before, "
        "(SELECT pg_catalog.jsonb_object_agg(e.key, e.value) FROM pg_catalog.jsonb_each(p.a) e "
        "WHERE (p.b -> e.key) IS DISTINCT FROM e.value) AS after "
        # Each row made JSON once (OFFSET 0 keeps the subqueries from being merged into
        # the outer query, which would make it again for each of its columns compared:
        # 31,000 alerts' refresh took 49 s of audit instead of 4 s).
        "FROM (SELECT ob.b, na.a FROM "
        "(SELECT pg_catalog.to_jsonb(o) AS b FROM radar_old o OFFSET 0) ob "
        "JOIN (SELECT pg_catalog.to_jsonb(n) AS a FROM radar_new n OFFSET 0) na "
        "ON ob.b -> TG_ARGV[0] = na.a -> TG_ARGV[0] OFFSET 0) p"
        ") d WHERE before IS NOT NULL; RETURN NULL; END $$"
    )
    delete = (
        "CREATE OR REPLACE FUNCTION public.radar_audit_delete() RETURNS trigger "
        f"LANGUAGE plpgsql {_FIXED} AS $$ BEGIN "
        "INSERT INTO public.audit_events (occurred_at, actor, action, entity_type, entity_id, "
        f"details) SELECT {_NOW}, session_user, '{AUDIT_DELETE}', 'db.' || TG_TABLE_NAME, "
        f"{_KEY}, pg_catalog.jsonb_build_object('table', TG_TABLE_NAME, 'key', k, "
        "'before', b) FROM (SELECT pg_catalog.to_jsonb(o) AS b, "
        "pg_catalog.to_jsonb(o) -> TG_ARGV[0] AS k FROM radar_old o) d; RETURN NULL; END $$"
    )
    holdout = (
        "CREATE OR REPLACE FUNCTION public.radar_keep_holdout() RETURNS trigger "
        f"LANGUAGE plpgsql {_FIXED} AS $$ BEGIN "
        "IF OLD.holdout_band IS NOT NULL AND (NEW.holdout IS DISTINCT FROM OLD.holdout "
        "OR NEW.holdout_band IS DISTINCT FROM OLD.holdout_band) THEN "
        "RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = 'permission denied: alert ' "
        "|| OLD.id || ' is in its hold-out group for good (drawn when it was raised; Learn "
        "compares the groups)'; END IF; RETURN NEW; END $$"
    )
    lowered = (
        "EXISTS (SELECT 1 FROM pg_catalog.jsonb_each(OLD.value) o "
        "WHERE pg_catalog.jsonb_typeof(o.value) = 'number' AND ("
        "pg_catalog.jsonb_typeof(NEW.value -> o.key) IS DISTINCT FROM 'number' "
        "OR (NEW.value ->> o.key)::numeric < (o.value #>> '{}')::numeric))"
    )
    draws = (
        "CREATE OR REPLACE FUNCTION public.radar_keep_draws() RETURNS trigger "
        f"LANGUAGE plpgsql {_FIXED} AS $$ BEGIN "
        f"IF OLD.key = '{DRAWS_SETTING}' AND NOT public.radar_sees_all() AND ("
        "TG_OP = 'DELETE' OR NEW.key IS DISTINCT FROM OLD.key "
        f"OR pg_catalog.jsonb_typeof(OLD.value) = 'object' AND {lowered}) THEN "
        "RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = 'permission denied: the hold-out "
        "draw counters only count up; resetting them is for a team lead or an admin'; "
        "END IF; IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$"
    )
    return [update, delete, holdout, draws]


def guard_sql(tables: list[str], everyone: str) -> list[str]:
    """The functions and triggers above, for the tables the workspace has (idempotent);
    ``everyone`` lists the team's group roles (SQL identifiers)."""
    sql = _functions()
    sql.append(
        "GRANT EXECUTE ON FUNCTION public.radar_audit_update(), public.radar_audit_delete(), "
        f"public.radar_keep_holdout(), public.radar_keep_draws() TO {everyone}"
    )
    for table, key in AUDITED.items():
        if table not in tables:
            continue
        sql += [
            f"DROP TRIGGER IF EXISTS {table}_audit_update ON {table}",
            f"DROP TRIGGER IF EXISTS {table}_audit_delete ON {table}",
            f"CREATE TRIGGER {table}_audit_update AFTER UPDATE ON {table} "
            "REFERENCING OLD TABLE AS radar_old NEW TABLE AS radar_new "
            f"FOR EACH STATEMENT EXECUTE FUNCTION public.radar_audit_update('{key}')",
            f"CREATE TRIGGER {table}_audit_delete AFTER DELETE ON {table} "
            "REFERENCING OLD TABLE AS radar_old "
            f"FOR EACH STATEMENT EXECUTE FUNCTION public.radar_audit_delete('{key}')",
        ]
    if "alerts" in tables:
        sql += [
            "DROP TRIGGER IF EXISTS alerts_keep_holdout ON alerts",
            "CREATE TRIGGER alerts_keep_holdout BEFORE UPDATE OF holdout, holdout_band "
            "ON alerts FOR EACH ROW EXECUTE FUNCTION public.radar_keep_holdout()",
        ]
    if "settings" in tables:
        sql += [
            "DROP TRIGGER IF EXISTS settings_keep_draws ON settings",
            "CREATE TRIGGER settings_keep_draws BEFORE UPDATE OR DELETE ON settings "
            f"FOR EACH ROW WHEN (OLD.key = '{DRAWS_SETTING}') "
            "EXECUTE FUNCTION public.radar_keep_draws()",
        ]
    return sql
