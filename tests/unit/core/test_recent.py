"""The list of workspace files opened in the window (services/core/recent.py) and the
window's choice of workspace at launch (app/workspace.py resolve_url(last_used=True))."""

from __future__ import annotations

import os
from pathlib import Path

from app.workspace import ENV_VAR, default_workspace_path, resolve_url, to_url
from services.core.recent import (
    MAX_RECENT,
    forget_workspaces,
    last_workspace,
    recent_path,
    recent_workspaces,
    remember_workspace,
)


def _file(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    return path


def test_most_recent_first_once_each_capped_and_private(tmp_path: Path) -> None:
    assert recent_workspaces() == []
    paths = [_file(tmp_path, f"w{i}.radar.sqlite") for i in range(MAX_RECENT + 2)]
    for path in paths:
        remember_workspace(path)
    remember_workspace(paths[3])  # again: to the top, not twice
    listed = recent_workspaces()
    assert listed[0] == str(paths[3].resolve())
    assert len(listed) == MAX_RECENT == len(set(listed))
    assert str(paths[0].resolve()) not in listed  # the oldest fell off
    assert oct(os.stat(recent_path()).st_mode & 0o777) == "0o600"


def test_the_last_workspace_is_the_newest_that_still_exists(tmp_path: Path) -> None:
    older, newer = _file(tmp_path, "older.radar.sqlite"), _file(tmp_path, "newer.radar.sqlite")
    remember_workspace(older)
    remember_workspace(newer)
    assert last_workspace() == str(newer.resolve())
    newer.unlink()
    assert last_workspace() == str(older.resolve())
    forget_workspaces([str(newer.resolve())])
    assert recent_workspaces() == [str(older.resolve())]


def test_a_damaged_list_is_an_empty_one(tmp_path: Path) -> None:
    recent_path().parent.mkdir(parents=True, exist_ok=True)
    for text in ("{not json", '["a list"]', '{"workspaces": [1, null]}'):
        recent_path().write_text(text, encoding="utf-8")
        assert recent_workspaces() == []
        assert last_workspace() is None


def test_the_window_opens_the_last_workspace_unless_told_another(tmp_path: Path) -> None:
    mine = _file(tmp_path, "mine.radar.sqlite")
    default = to_url(str(default_workspace_path()))
    assert resolve_url(None, {}, last_used=True) == default  # nothing opened yet
    remember_workspace(mine)
    assert resolve_url(None, {}, last_used=True) == to_url(str(mine.resolve()))
    # The command line keeps its default; --db and the variable always win.
    assert resolve_url(None, {}) == default
    other = str(tmp_path / "other.radar.sqlite")
    assert resolve_url(other, {}, last_used=True) == to_url(other)
    assert resolve_url(None, {ENV_VAR: other}, last_used=True) == to_url(other)
