"""A read-only health check of a workspace: integrity, schema revision, row counts."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine, func, select

from models import (
    experiments,  # noqa: F401  (registers its tables)
    schema,  # noqa: F401  (registers every table)
)
from models.base import Base
from models.db import is_sqlite, translate_db_errors
from models.migrate import head_revision, inspect_schema, known_revisions


@dataclass
class HealthReport:
    """What the check found: facts to show, and problems that make it fail."""

    location: str
    revision: str | None = None
    head: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The report as lines of text for the terminal."""
        out = [f"Workspace: {self.location}"]
        out.append(f"Schema: {self.revision or 'none'} (this version of the app: {self.head})")
        for table, n in self.counts.items():
            out.append(f"  {table:<18} {n:>12,}")
        out += [f"Note: {n}" for n in self.notes]
        out += [f"Problem: {p}" for p in self.problems]
        out.append("Result: " + ("OK" if not self.problems else f"{len(self.problems)} problem(s)"))
        return out


def check_workspace(engine: Engine) -> HealthReport:
    """Check a workspace without writing to it."""
    report = HealthReport(
        location=engine.url.render_as_string(hide_password=True), head=head_revision()
    )
    with translate_db_errors():
        state = inspect_schema(engine)
        report.revision = state.revision
        if not state.is_workspace:
            report.problems.append("this database is not an Account Radar workspace")
            return report
        if state.revision not in known_revisions():
            report.problems.append("the schema is newer than this app; update Account Radar")
            return report
        if state.revision != report.head:
            report.notes.append(
                "the schema is older than this app; it is upgraded (after a backup) when "
                "the workspace is opened, or with 'db upgrade'"
            )
        with engine.connect() as conn:
            if is_sqlite(engine.url):
                result = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check").fetchall()]
                if result != ["ok"]:
                    report.problems += [f"integrity: {r}" for r in result[:10]]
                fk = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if fk:
                    report.problems.append(f"{len(fk)} row(s) point at missing parent rows")
            for table in Base.metadata.sorted_tables:
                if table.name in state.tables:
                    report.counts[table.name] = int(
                        conn.execute(select(func.count()).select_from(table)).scalar_one()
                    )
                else:
                    report.problems.append(f"table {table.name} is missing")
    return report
