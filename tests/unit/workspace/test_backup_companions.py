"""A backup never lands on the workspace's own companion files (its -wal, -shm or
-journal): the window's Back up… and `db backup` refuse them like the workspace itself,
and the workspace keeps its latest changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.workspace import open_workspace, to_url
from models.errors import WorkspaceError
from models.migrate import backup_sqlite
from services.settings import get_setting, set_setting


@pytest.mark.parametrize("end", ["-wal", "-shm", "-journal"])
def test_a_backup_onto_a_companion_of_the_workspace_is_refused(tmp_path: Path, end: str) -> None:
    path = tmp_path / "w.radar.sqlite"
    ws = open_workspace(to_url(str(path)), backup=False)
    try:
        with ws.sessions() as session, session.begin():
            set_setting(session, "workspace.name", "Team A")
        with pytest.raises(WorkspaceError, match="part of the workspace"):
            backup_sqlite(ws.engine, tmp_path / f"w.radar.sqlite{end}")
        with ws.sessions() as session:
            assert get_setting(session, "workspace.name") == "Team A"
        assert backup_sqlite(ws.engine, tmp_path / "copy.radar.sqlite").exists()
    finally:
        ws.close()


@pytest.mark.parametrize("end", ["", "-wal", "-shm"])
def test_the_windows_export_of_rejected_rows_never_lands_on_the_workspace(
    tmp_path: Path, end: str
) -> None:
    from app.gui.import_controller import WorkspaceImportSource
    from services.core.output_files import OutputPathError
    from services.importing.types import RejectedRow

    path = tmp_path / "w.radar.sqlite"
    ws = open_workspace(to_url(str(path)), backup=False)
    try:
        source = WorkspaceImportSource(ws)
        rows = [RejectedRow("orders.csv", 3, "not a date: 2026-13-01")]
        target = tmp_path / f"w.radar.sqlite{end}"
        before = target.read_bytes() if target.exists() else None
        with pytest.raises(OutputPathError, match="nothing was written"):
            source.write_rejects_csv(rows, str(target))
        assert (target.read_bytes() if target.exists() else None) == before
        source.write_rejects_csv(rows, str(tmp_path / "rejects.csv"))
        assert "not a date" in (tmp_path / "rejects.csv").read_text(encoding="utf-8")
    finally:
        ws.close()
