"""Publishing a workspace file to a shared PostgreSQL database.

``publish(source, target_url)`` copies a SQLite workspace into an **empty** PostgreSQL
database: the schema through the same Alembic migrations as any workspace, then every
table's rows in bulk (parents before children), the id sequences moved past the copied
ids, and both sides checked (``models.integrity.check_workspace``) with their row counts
compared, and who sees what is set up (services/team/security.py: row-level security,
the team's roles; the publisher is its first admin). It all happens in one PostgreSQL
transaction (PostgreSQL's DDL is transactional): a failure half-way leaves the database
as empty as it was. A database that already holds tables is refused: nothing is ever
written over.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, Integer, Table, inspect, select
from sqlalchemy.orm import Session

from models import (
    experiments,  # noqa: F401  (registers its tables)
    schema,  # noqa: F401  (registers every table)
)
from models.base import Base
from models.db import is_sqlite, make_engine, translate_db_errors
from models.errors import WorkspaceError
from models.integrity import HealthReport, check_workspace
from models.migrate import alembic_config
from services.team._bulk_copy import (
    Progress,
    copy_table,
    restore_indexes_and_keys,
    set_aside_indexes_and_keys,
)


@dataclass
class PublishReport:
    target: str
    copied: dict[str, int] = field(default_factory=dict)
    source_check: HealthReport | None = None
    target_check: HealthReport | None = None
    # Who sees what (services/team/security.py): None once set up, else why it was not.
    security_problem: str | None = None
    # Rows of the file left out of the copy, per table: the settings that are now the
    # person's own (services/settings/personal.py), never written to a team's database.
    left_out: dict[str, int] = field(default_factory=dict)

    @property
    def problems(self) -> list[str]:
        found = []
        for side, report in (("the copy", self.target_check), ("the file", self.source_check)):
            if report is not None:
                found += [f"{side}: {p}" for p in report.problems]
        if self.source_check and self.target_check:
            for table, count in self.source_check.counts.items():
                if table == "team_members":  # the publisher joins it as the first admin
                    continue
                there = self.target_check.counts.get(table)
                count -= self.left_out.get(table, 0)
                if there != count:
                    found.append(f"{table}: {count:,} rows in the file, {there} in the copy")
        return found


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def publish(source: Engine, target_url: str, *, progress: Progress | None = None) -> PublishReport:
    """Copy the workspace at ``source`` (SQLite) into the empty database at ``target_url``."""
    if not is_sqlite(source.url):
        raise WorkspaceError(
            "Publish copies a workspace file (SQLite); this one is already shared."
        )
    if is_sqlite(target_url) or not target_url.startswith("postgresql"):
        raise WorkspaceError(
            "Publish to a PostgreSQL database: --to postgresql+psycopg://USER@HOST/DATABASE"
        )
    report = PublishReport(target=_safe(target_url))
    report.source_check = check_workspace(source)
    if report.source_check.problems:
        raise WorkspaceError(
            "The workspace file has problems, so it was not published: "
            + "; ".join(report.source_check.problems[:3])
        )
    if report.source_check.revision != report.source_check.head:
        raise WorkspaceError(
            "The workspace file is from an older version of the app: open it once (or run "
            "'db upgrade') before publishing it."
        )
    target = make_engine(target_url)
    try:
        with translate_db_errors(f"The database at {report.target}"):
            existing = inspect(target).get_table_names()
            if existing:
                raise WorkspaceError(
                    f"The database at {report.target} already holds tables "
                    f"({', '.join(sorted(existing)[:5])}{'…' if len(existing) > 5 else ''}). "
                    "Publish only copies into an empty database; nothing was written."
                )
            _copy(source, target, report, progress)
        report.target_check = check_workspace(target)
    finally:
        target.dispose()
    return report


def _personal_rows(conn: Connection, keys: list[str]) -> list[str]:
    settings = Base.metadata.tables["settings"]
    return list(conn.execute(select(settings.c.key).where(settings.c.key.in_(keys))).scalars())


def _copy(source: Engine, target: Engine, report: PublishReport, progress: Progress | None) -> None:
    from alembic import command

    tables = Base.metadata.sorted_tables  # parents before the rows that point at them
    from services.settings import SETTINGS

    # A file opened by an older version may still keep the person's own settings (their
    # provider, signature, mail server): they are theirs, not the team's.
    personal = [k for k, spec in SETTINGS.items() if spec.scope == "personal"]
    assert report.source_check is not None
    with target.connect() as out, out.begin():
        cfg = alembic_config()
        cfg.attributes["connection"] = out
        command.upgrade(cfg, "head")  # the same migrations as every workspace
        for table in reversed(tables):
            out.execute(table.delete())  # rows a migration seeded: the file has its own
        # PostgreSQL's COPY on the same connection (so in the same transaction), the rows
        # in large batches straight from SQLite's cursor, the indexes and foreign keys
        # made again after the load (services/team/_bulk_copy.py).
        aside = set_aside_indexes_and_keys(out)
        _copy_rows(source, out, tables, report, personal, progress)
        restore_indexes_and_keys(out, aside)
        for table in tables:
            for column in table.primary_key.columns:
                if isinstance(column.type, Integer) and column.autoincrement in (True, "auto"):
                    out.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                        f"COALESCE(MAX({column.name}), 1), MAX({column.name}) IS NOT NULL) "
                        f"FROM {table.name}"
                    )
        # The planner's statistics, so that the first queries (row-level security's
        # among them) are planned on the rows just copied.
        out.exec_driver_sql("ANALYZE")
        # Row-level security and the team's roles, in the same transaction; a publisher
        # who may not create roles still publishes, and is told what to run.
        from services.core.access import TeamRoleError
        from services.team.security import enable_team_security_in

        try:
            with out.begin_nested(), Session(bind=out) as session:
                enable_team_security_in(session)
        except TeamRoleError as exc:
            report.security_problem = str(exc)


def _copy_rows(
    source: Engine,
    out: Connection,
    tables: list[Table],
    report: PublishReport,
    personal: list[str],
    progress: Progress | None,
) -> None:
    assert report.source_check is not None
    driver = out.connection.driver_connection
    assert driver is not None
    raw = source.raw_connection()
    try:
        with driver.cursor() as cursor:
            for table in tables:
                where = None
                if table.name == "settings" and personal:
                    marks = ", ".join("?" for _ in personal)
                    where = (f"key NOT IN ({marks})", list(personal))
                    with source.connect() as inp:
                        report.left_out["settings"] = len(_personal_rows(inp, personal))
                report.copied[table.name] = copy_table(
                    raw.driver_connection,
                    cursor,
                    table,
                    where=where,
                    total=report.source_check.counts.get(table.name, 0),
                    progress=progress,
                )
    finally:
        raw.close()
