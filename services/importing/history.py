"""The imports history and undo: every import recorded in import_runs, listed newest
first with whether it can be undone, and undone (what it inserted deleted, what it changed
restored) while no later import built on it."""

from __future__ import annotations

import json

from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.orm import Session

from models.base import utcnow
from models.db import translate_db_errors
from models.errors import UserFacingError
from models.schema import ImportRun
from models.vocab import RECORD_KINDS
from services.core.rollups import refresh_rollups
from services.core.writing import workspace_writer
from services.importing.storage import COLUMNS
from services.importing.types import ImportRunInfo, UndoReport
from services.importing.usage.store import undo_usage

_ATTACH_TABLES = (
    "orders",
    "interactions",
    "opportunities",
    "subscriptions",
    "contracts",
    "contacts",
    "customer_identities",
    "usage_days",
)


# The records an undo deletes, in this order: contracts first (a contract derived from a
# subscription points at it), contacts after the interactions that may name them; the
# changes it made to people's roles and presence, dated, go with the changes themselves.
_UNDONE_TABLES = (
    "contact_changes",
    "contracts",
    "orders",
    "interactions",
    "opportunities",
    "subscriptions",
    "contacts",
)


def _forget_added_contacts(conn: Connection, run_id: int, ph: str) -> None:
    """The orders and interactions that name a contact the import added stop naming them
    (the column is no foreign key: models/schema/records.py)."""
    for table in ("orders", "interactions"):
        conn.exec_driver_sql(
            f"UPDATE {table} SET contact_id = NULL WHERE contact_id IN "
            f"(SELECT id FROM contacts WHERE import_run_id = {ph})",
            (run_id,),
        )


def _q(conn: Connection, sql: str) -> str:
    """SQL written with ? placeholders, in the driver's parameter style."""
    return sql if conn.dialect.paramstyle == "qmark" else sql.replace("?", "%s")


def _undo_blocker(conn: Connection, run_id: int) -> str | None:
    """Why a landed import cannot be undone (a later import built on it), or None."""
    candidates: list[tuple[int, int, str]] = []
    for table in (*RECORD_KINDS, "usage_days"):
        row = conn.exec_driver_sql(
            _q(
                conn,
                "SELECT MIN(c.import_run_id) FROM import_changes c "
                "JOIN import_runs r ON r.id = c.import_run_id "
                "WHERE r.status = 'landed' AND c.import_run_id > ? AND c.table_name = ? "
                f"AND c.row_id IN (SELECT id FROM {table} WHERE import_run_id = ?)",
            ),
            (run_id, table, run_id),
        ).scalar()
        if row is not None:
            candidates.append((int(row), 0, "changed the same records"))
    row = conn.exec_driver_sql(
        _q(
            conn,
            "SELECT MIN(c2.import_run_id) FROM import_changes c1 "
            "JOIN import_changes c2 ON c2.table_name = c1.table_name AND c2.row_id = c1.row_id "
            "JOIN import_runs r ON r.id = c2.import_run_id "
            "WHERE c1.import_run_id = ? AND c2.import_run_id > ? AND r.status = 'landed'",
        ),
        (run_id, run_id),
    ).scalar()
    if row is not None:
        candidates.append((int(row), 0, "changed the same records"))
    for table in _ATTACH_TABLES:
        row = conn.exec_driver_sql(
            _q(
                conn,
                f"SELECT MIN(x.import_run_id) FROM {table} x "
                "JOIN import_runs r ON r.id = x.import_run_id "
                "WHERE r.status = 'landed' AND x.import_run_id > ? "
                "AND x.customer_id IN (SELECT id FROM customers WHERE import_run_id = ?)",
            ),
            (run_id, run_id),
        ).scalar()
        if row is not None:
            candidates.append((int(row), 1, "added records to customers this import created"))
    reused = _reused_customer_id(conn, run_id)
    if reused is not None:
        if reused[0] is None:
            return reused[1]
        candidates.append((reused[0], 2, reused[1]))
    if not candidates:
        return None
    later, _rank, why = min(candidates)
    name = conn.exec_driver_sql(
        _q(conn, "SELECT file_name FROM import_runs WHERE id = ?"), (later,)
    ).scalar()
    return f"import {later} ({name}) {why}; undo it first"


def _reused_customer_id(conn: Connection, run_id: int) -> tuple[int | None, str] | None:
    """When a customer this import merged away (and undo would put back under its old
    id) now shares that id with another customer: (the import that added that customer,
    why), the import None when no import added it; else None. Imports number new
    customers above every id undo may restore, so only a workspace written by an older
    version meets this."""
    rows = conn.exec_driver_sql(
        _q(
            conn,
            "SELECT ch.before, c.import_run_id, r.status FROM import_changes ch "
            "JOIN customers c ON c.id = ch.row_id "
            "LEFT JOIN import_runs r ON r.id = c.import_run_id "
            "WHERE ch.import_run_id = ? AND ch.table_name = 'customers' "
            "AND CAST(ch.before AS TEXT) LIKE ?",
        ),
        (run_id, "%deleted%"),
    ).all()
    later: list[int] = []
    for before_raw, other_run, status in rows:
        before = json.loads(before_raw) if isinstance(before_raw, str) else dict(before_raw)
        if not before.get("__deleted__"):
            continue
        if other_run is None or status != "landed" or int(other_run) <= run_id:
            return (
                None,
                "a customer it merged away has since been replaced by another customer "
                "under the same id, so the merge cannot be split; open a backup made "
                "before it (files named *.backup-*.radar.sqlite) to get that customer back",
            )
        later.append(int(other_run))
    if not later:
        return None
    return min(later), "reused the id of a customer this import merged away"


def list_imports(engine: Engine) -> list[ImportRunInfo]:
    """The import history, newest first."""
    table = ImportRun.__table__
    out: list[ImportRunInfo] = []
    with translate_db_errors(), engine.connect() as conn:
        rows = conn.execute(select(table).order_by(table.c.id.desc())).all()
        for r in rows:
            status = r.status
            if status == "running":
                status = "failed"  # never committed as running; a crash left nothing else
            blocked: str | None = None
            can_undo = False
            if status == "landed":
                blocked = _undo_blocker(conn, r.id)
                can_undo = blocked is None
            elif status == "undone":
                blocked = "already undone"
            out.append(
                ImportRunInfo(
                    run_id=r.id,
                    file_name=r.file_name,
                    source_path=r.source_path,
                    detected_format=r.detected_format or "",
                    kind=r.kind or "",
                    started_at=r.started_at,
                    rows_read=r.rows_read or 0,
                    inserted=r.inserted or 0,
                    updated=r.updated or 0,
                    rejected=r.rejected or 0,
                    status=status,
                    can_undo=can_undo,
                    undo_blocked_reason=blocked,
                )
            )
    return out


def _customer_columns() -> list[str]:
    return ["id", *COLUMNS["customers"], "import_run_id", "created_at", "updated_at"]


def undo_import(engine: Engine, run_id: int) -> UndoReport:
    """Undo a landed import: delete what it inserted, restore what it changed (not while
    scoring or an import holds the workspace: services/core/writing.py)."""
    with workspace_writer(engine, f"undoing import {run_id}"):
        return _undo_import(engine, run_id)


def _undo_import(engine: Engine, run_id: int) -> UndoReport:
    with translate_db_errors(), engine.begin() as conn:
        run = conn.execute(
            select(ImportRun.__table__).where(ImportRun.__table__.c.id == run_id)
        ).first()
        if run is None:
            raise UserFacingError(
                f"There is no import {run_id}; 'imports list' shows the imports and their ids."
            )
        if run.status == "undone":
            raise UserFacingError(f"Import {run_id} ({run.file_name}) was already undone.")
        if run.status != "landed":
            raise UserFacingError(
                f"Import {run_id} ({run.file_name}) did not land, so there is nothing to undo."
            )
        blocked = _undo_blocker(conn, run_id)
        if blocked is not None:
            raise UserFacingError(f"Import {run_id} ({run.file_name}) cannot be undone: {blocked}.")
        ph = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        # Product usage days: the changed ones get their figures back, the added deleted.
        with Session(bind=conn) as session:
            deleted, restored = undo_usage(session, run_id)
        _forget_added_contacts(conn, run_id, ph)
        for table in _UNDONE_TABLES:
            deleted += conn.exec_driver_sql(
                f"DELETE FROM {table} WHERE import_run_id = {ph}", (run_id,)
            ).rowcount
        changes = conn.exec_driver_sql(
            f"SELECT table_name, row_id, before FROM import_changes "
            f"WHERE import_run_id = {ph} ORDER BY id DESC",
            (run_id,),
        ).all()
        for table_name, row_id, before_raw in changes:
            before = json.loads(before_raw) if isinstance(before_raw, str) else dict(before_raw)
            if before.pop("__deleted__", False):
                known = _customer_columns() if table_name == "customers" else list(before)
                cols = [c for c in known if c in before]
                marks = ",".join([ph] * len(cols))
                conn.exec_driver_sql(
                    f"INSERT INTO {table_name} ({','.join(cols)}) VALUES ({marks})",
                    tuple(before[c] for c in cols),
                )
            else:
                sets = ", ".join(f"{c} = {ph}" for c in before)
                conn.exec_driver_sql(
                    f"UPDATE {table_name} SET {sets} WHERE id = {ph}",
                    (*before.values(), row_id),
                )
            restored += 1
        conn.exec_driver_sql(
            f"DELETE FROM customer_identities WHERE import_run_id = {ph}", (run_id,)
        )
        deleted += conn.exec_driver_sql(
            f"DELETE FROM customers WHERE import_run_id = {ph}", (run_id,)
        ).rowcount
        conn.exec_driver_sql(f"DELETE FROM import_changes WHERE import_run_id = {ph}", (run_id,))
        conn.execute(
            update(ImportRun)
            .where(ImportRun.id == run_id)
            .values(status="undone", undone_at=utcnow())
        )
        with Session(bind=conn) as session:
            refresh_rollups(session)
    from services.listen.reasons import refresh_listening

    # The reasons are learned again without the texts the import brought (as after an
    # import): a reason's counts never include rows that are gone.
    refresh_listening(engine)
    return UndoReport(
        run_id=run_id,
        deleted=deleted,
        restored=restored,
        message=(
            f"Undid import {run_id} ({run.file_name}): {deleted:,} row(s) it added were "
            f"deleted and {restored:,} change(s) it made were reverted."
        ),
    )
