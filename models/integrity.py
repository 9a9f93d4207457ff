"""A read-only health check of a workspace: integrity, schema revision, row counts."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, func, select

from models import (
    experiments,  # noqa: F401  (registers its tables)
    schema,  # noqa: F401  (registers every table)
)
from models.base import Base
from models.db import is_sqlite, translate_db_errors
from models.migrate import alembic_config, head_revision, inspect_schema, known_revisions


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
        if self.problems:
            out.append(f"Result: {len(self.problems)} problem(s)")
        elif self.revision != self.head:
            out.append("Result: OK (the schema is upgraded when the workspace is opened)")
        else:
            out.append("Result: OK")
        return out


def tables_added_after(revision: str) -> set[str]:
    """The tables the revisions after ``revision`` create (read from their scripts'
    ``op.create_table`` calls, not run): an older workspace lacks them by design."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    added: set[str] = set()
    for rev in script.iterate_revisions("head", revision):
        if rev.revision == revision or rev.path is None:
            continue
        tree = ast.parse(Path(rev.path).read_text(encoding="utf-8"))
        upgrade = next(
            (n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "upgrade"),
            None,
        )
        for node in ast.walk(upgrade) if upgrade is not None else ():
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "create_table"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                added.add(node.args[0].value)
    return added


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
        to_come: set[str] = set()
        if state.revision != report.head:
            to_come = tables_added_after(state.revision) if state.revision else set()
            report.notes.append(
                f"the schema is older than this app (revision {state.revision}, this app "
                f"writes {report.head}); it is upgraded, after a backup, when the workspace "
                "is opened: by the window, by any command that opens it, or with "
                "'db upgrade'. This check changed nothing."
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
                elif table.name not in to_come:
                    report.problems.append(f"table {table.name} is missing")
        added = sorted(to_come - state.tables)
        if added:
            report.notes.append(f"the upgrade adds the table(s) {', '.join(added)}")
    return report
